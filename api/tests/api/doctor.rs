//! `plog doctor` run as a real process against the Stripe stand-in: localstripe for the account
//! and keys, the gateway's stand-in for the webhook endpoints API localstripe lacks.

use std::path::Path;
use std::process::Command;

use plog_api::stripe::API_VERSION;
use plog_api::stripe::webhook::HANDLED_EVENTS;

use crate::helpers::*;

/// Runs `plog doctor` with test keys against the stand-in: (exit ok, stdout).
fn doctor(public_url: &str, widget_dir: &Path, extra: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_plog"));
    command
        .arg("doctor")
        .env("PLOG_DATABASE_URL", format!("sqlite://{}", dir.path().join("doctor.db").display()))
        .env("PLOG_PUBLIC_URL", public_url)
        .env("PLOG_WIDGET_DIR", widget_dir)
        .env("STRIPE_SECRET_KEY", SECRET_KEY)
        .env("STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY)
        .env("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET)
        .env("STRIPE_API_BASE", localstripe())
        .env("PLOG_HASH_KEY", "doctor-hash-key-0123456789abcdefghij")
        .env("RUST_LOG", "off");
    // An empty value leaves the variable out.
    for (name, value) in extra {
        if value.is_empty() {
            command.env_remove(name);
        } else {
            command.env(name, value);
        }
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.success(), format!("{stdout}{}", String::from_utf8_lossy(&output.stderr)))
}

/// A folder holding what the widget build writes (doctor only checks that it is there).
fn widget_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in
        [("plog.js", "/* loader */"), ("plog-widget-0123.js", "/* glue */"), ("plog-widget-0123_bg.wasm", "")]
    {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Creates a webhook endpoint through the stand-in of Stripe's webhook endpoints API.
async fn create_endpoint(url: &str, events: &[&str], version: &str) {
    create_endpoint_of_kind(url, events, version, false).await
}

/// Creates a Connect webhook endpoint (`connect=true`) at the pinned version.
async fn create_connect_endpoint(url: &str, events: &[&str]) {
    create_endpoint_of_kind(url, events, API_VERSION, true).await
}

async fn create_endpoint_of_kind(url: &str, events: &[&str], version: &str, connect: bool) {
    let mut form: Vec<(&str, &str)> = vec![("url", url), ("api_version", version)];
    if connect {
        form.push(("connect", "true"));
    }
    form.extend(events.iter().map(|e| ("enabled_events[]", *e)));
    let response = reqwest::Client::new()
        .post(format!("{}/v1/webhook_endpoints", localstripe()))
        .bearer_auth(SECRET_KEY)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.text().await.unwrap());
}

fn problems(out: &str) -> Vec<&str> {
    out.lines().filter(|l| l.starts_with("PROBLEM")).collect()
}

#[tokio::test]
async fn doctor_names_each_problem_with_its_fix_and_passes_a_setup_that_is_ready() {
    let widget = widget_dir();
    // Unique public URLs: the stand-in's endpoint list is shared by the whole test binary.
    let base = format!("https://doctor-{}.example", &event_id()[4..].to_ascii_lowercase());

    // No endpoint yet: one problem, with the command that creates the right one.
    let (ok, out) = doctor(&base, widget.path(), &[]);
    assert!(!ok, "{out}");
    let found = problems(&out);
    assert_eq!(found.len(), 1, "{out}");
    assert!(found[0].contains(&format!("no webhook endpoint sends events to {base}/v1/webhooks/stripe")), "{out}");
    assert!(found[0].contains(&format!("api_version={API_VERSION}")), "{out}");
    assert!(out.contains("ok       Stripe answers the secret key"), "{out}");
    assert!(out.contains("ok       the widget's files are read from"), "{out}");
    assert!(out.contains("1 problem(s) to fix before going live"), "{out}");

    // An endpoint of an older version that misses the dispute events: two problems.
    let old = format!("{base}/old");
    create_endpoint(
        &format!("{old}/v1/webhooks/stripe"),
        &["payment_intent.succeeded", "charge.refunded"],
        "2024-06-20",
    )
    .await;
    let (ok, out) = doctor(&old, widget.path(), &[]);
    assert!(!ok);
    let found = problems(&out);
    assert_eq!(found.len(), 2, "{out}");
    assert!(found.iter().any(|l| l.contains("does not send") && l.contains("charge.dispute.created")), "{out}");
    assert!(found.iter().any(|l| l.contains("renders events at 2024-06-20") && l.contains(API_VERSION)), "{out}");

    // The endpoint the README's go-live steps create: ready.
    create_endpoint(&format!("{base}/v1/webhooks/stripe"), &HANDLED_EVENTS, API_VERSION).await;
    let (ok, out) = doctor(&base, widget.path(), &[]);
    assert!(ok, "{out}");
    assert!(problems(&out).is_empty(), "{out}");
    assert!(out.contains(&format!("ready: plog speaks Stripe API {API_VERSION}")), "{out}");
}

#[tokio::test]
async fn doctor_refuses_mixed_keys_http_with_live_keys_a_missing_widget_and_an_unreachable_stripe() {
    let widget = widget_dir();
    let base = format!("https://doctor-{}.example", &event_id()[4..].to_ascii_lowercase());
    create_endpoint(&format!("{base}/v1/webhooks/stripe"), &["*"], API_VERSION).await;

    let (ok, out) = doctor(&base, widget.path(), &[("STRIPE_PUBLISHABLE_KEY", "pk_live_mixed")]);
    assert!(!ok);
    assert!(problems(&out).iter().any(|l| l.contains("different modes")), "{out}");

    let (ok, out) = doctor(
        "http://plog.example",
        widget.path(),
        &[("STRIPE_SECRET_KEY", "sk_live_doctor"), ("STRIPE_PUBLISHABLE_KEY", "pk_live_doctor")],
    );
    assert!(!ok);
    assert!(
        problems(&out)
            .iter()
            .any(|l| l.contains("is not https, with live keys") && l.contains("PLOG_PUBLIC_URL=https://")),
        "{out}"
    );

    let (ok, out) = doctor(&base, Path::new("/nonexistent/dist"), &[]);
    assert!(!ok);
    assert!(problems(&out).iter().any(|l| l.contains("/nonexistent/dist") && l.contains("scripts/setup")), "{out}");

    let closed = format!("http://127.0.0.1:{}", free_port());
    let (ok, out) = doctor(&base, widget.path(), &[("STRIPE_API_BASE", &closed)]);
    assert!(!ok);
    assert!(problems(&out).iter().any(|l| l.contains("Stripe does not answer the secret key")), "{out}");
}

#[tokio::test]
async fn doctor_checks_the_smtp_server_when_one_is_configured() {
    let widget = widget_dir();
    let base = "https://plog.example";
    let (_, out) = doctor(base, widget.path(), &[]);
    assert!(out.contains("ok       no PLOG_SMTP_URL: receipts by mail and restoring access are not offered"), "{out}");
    let catcher = mail_catcher();
    let answering = format!("smtp://127.0.0.1:{}", catcher.smtp_port);
    let (_, out) =
        doctor(base, widget.path(), &[("PLOG_SMTP_URL", &answering), ("PLOG_MAIL_FROM", "receipts@plog.example")]);
    assert!(out.contains("ok       the SMTP server of PLOG_SMTP_URL answers"), "{out}");
    let closed = format!("smtp://127.0.0.1:{}", free_port());
    let (ok, out) =
        doctor(base, widget.path(), &[("PLOG_SMTP_URL", &closed), ("PLOG_MAIL_FROM", "receipts@plog.example")]);
    assert!(!ok);
    assert!(problems(&out).iter().any(|l| l.contains("SMTP server of PLOG_SMTP_URL")), "{out}");
}

/// L3 and M3 of the review: `plog doctor` says when address hashes and restore codes hang on the
/// webhook secret (no `PLOG_HASH_KEY`), and refuses an admin token or hash key under 32
/// characters as `plog serve` does.
#[tokio::test]
async fn doctor_checks_the_hash_key_and_refuses_short_admin_tokens_and_keys() {
    let dir = widget_dir();
    let without_key = doctor("http://127.0.0.1:9", dir.path(), &[("PLOG_HASH_KEY", "")]);
    assert!(problems(&without_key.1).iter().any(|l| l.contains("PLOG_HASH_KEY is not set")), "{}", without_key.1);
    let with_key = doctor("http://127.0.0.1:9", dir.path(), &[]);
    assert!(with_key.1.contains("ok       PLOG_HASH_KEY keys the hashes"), "{}", with_key.1);
    for (name, value) in [("PLOG_ADMIN_TOKEN", "pw"), ("PLOG_HASH_KEY", "short")] {
        let (ok, out) = doctor("http://127.0.0.1:9", dir.path(), &[(name, value)]);
        assert!(!ok && out.contains("at least 32 characters"), "{name}: {out}");
    }
}

#[tokio::test]
async fn doctor_says_which_wallets_stripe_shows_on_each_listed_site() {
    let app = TestApp::spawn().await;
    let domain = format!("doctor-{}.example", event_id().trim_start_matches("evt_").to_lowercase());
    let created = app
        .create_paywall_raw(&serde_json::json!({
            "title": "Wallets", "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "paid",
            "origins": [format!("https://{domain}")],
        }))
        .await;
    assert_eq!(created.status(), 201);
    app.create_paywall(300, "jpy", "a paywall on any site").await;
    // The registration runs in the background after the save; the sweep's own call waits for it.
    plog_api::wallets::register_listed(&app.store, &app.state.stripe, &app.state.config.platform, now()).await.unwrap();
    let widget = widget_dir();
    let (_, out) = doctor("https://plog.example", widget.path(), &[("PLOG_DATABASE_URL", app.database_url.as_str())]);
    let line = |needle: &str| out.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle}:\n{out}"));
    assert!(line("1 paywall(s) on sale list no site").starts_with("ok"), "{out}");
    // Stripe (its stand-in) has the domain, with Apple Pay inactive until Apple's file is verified.
    let wallets = line(&format!("wallets on {domain}: Apple Pay inactive, Google Pay active, Link active"));
    assert!(wallets.starts_with("PROBLEM"), "{out}");
    assert!(wallets.contains(&format!("https://{domain}/.well-known/apple-developer-merchantid-domain-association")));
}

#[tokio::test]
async fn doctor_in_platform_mode_checks_the_connect_endpoint_its_kind_and_that_the_keys_are_a_platform_s() {
    let widget = widget_dir();
    let catcher = mail_catcher();
    let smtp = format!("smtp://127.0.0.1:{}", catcher.smtp_port);
    let platform = [
        ("PLOG_PLATFORM", "true"),
        ("PLOG_PLATFORM_FEE", "5%"),
        ("STRIPE_CONNECT_WEBHOOK_SECRET", "whsec_connectdoctor"),
        ("PLOG_ADMIN_TOKEN", ADMIN_TOKEN),
        ("PLOG_SMTP_URL", smtp.as_str()),
        ("PLOG_MAIL_FROM", "plog <plog@doctor.example>"),
    ];
    let connect_events: Vec<&str> =
        HANDLED_EVENTS.iter().chain(plog_api::stripe::webhook::ACCOUNT_EVENTS.iter()).copied().collect();
    let base = format!("https://platform-{}.example", &event_id()[4..].to_ascii_lowercase());
    create_endpoint(&format!("{base}/v1/webhooks/stripe"), &HANDLED_EVENTS, API_VERSION).await;

    // No Connect endpoint: one problem, with the command that makes one (connect=true).
    let (ok, out) = doctor(&base, widget.path(), &platform);
    assert!(!ok, "{out}");
    let found = problems(&out);
    assert_eq!(found.len(), 1, "{out}");
    assert!(
        found[0].contains(&format!("no Connect webhook endpoint sends events to {base}/v1/webhooks/stripe-connect"))
    );
    assert!(found[0].contains("connect=true") && found[0].contains("account.application.deauthorized"), "{out}");
    assert!(out.contains("the Stripe keys are a Connect platform's"), "{out}");
    assert!(out.contains("with a fee of 5 % for the operator"), "{out}");

    // An endpoint at the Connect URL that is the account's own: the wrong kind.
    let own_kind = format!("{base}/own");
    create_endpoint(&format!("{own_kind}/v1/webhooks/stripe"), &HANDLED_EVENTS, API_VERSION).await;
    create_endpoint(&format!("{own_kind}/v1/webhooks/stripe-connect"), &connect_events, API_VERSION).await;
    let (ok, out) = doctor(&own_kind, widget.path(), &platform);
    assert!(!ok);
    assert!(problems(&out).iter().any(|l| l.contains("needs the events of connected accounts")), "{out}");

    // The Connect endpoint the README's steps make: ready.
    create_connect_endpoint(&format!("{base}/v1/webhooks/stripe-connect"), &connect_events).await;
    let (ok, out) = doctor(&base, widget.path(), &platform);
    assert!(ok, "{out}");
    assert!(out.contains("Connect webhook endpoint") && out.contains("sends the 12 events"), "{out}");

    // Without the Connect secret, the operator's token or mail: each a problem.
    let (_, out) = doctor(
        &base,
        widget.path(),
        &[platform[0], ("STRIPE_CONNECT_WEBHOOK_SECRET", ""), ("PLOG_ADMIN_TOKEN", ""), ("PLOG_SMTP_URL", "")],
    );
    let found = problems(&out);
    for missing in ["STRIPE_CONNECT_WEBHOOK_SECRET", "PLOG_ADMIN_TOKEN", "PLOG_SMTP_URL"] {
        assert!(found.iter().any(|l| l.contains(missing)), "{missing}: {out}");
    }
}
