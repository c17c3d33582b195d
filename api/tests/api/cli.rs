//! The `plog` command's paywall verbs, run as a real process against a real SQLite file.

use std::process::Command;

fn plog(db: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_plog"))
        .args(args)
        .env("PLOG_DATABASE_URL", db)
        .env("PLOG_PUBLIC_URL", "https://pay.example.org")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into(),
        String::from_utf8_lossy(&output.stderr).into(),
    )
}

#[test]
fn paywall_create_prints_the_id_and_the_tag_and_list_show_archive_work() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("paid.md");
    std::fs::write(&content, "# Paid\n\nThe rest.").unwrap();

    let (ok, out, err) = plog(
        &db,
        &[
            "paywall",
            "create",
            "--title",
            "My article",
            "--price",
            "1.50",
            "--currency",
            "usd",
            "--content",
            content.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    let mut lines = out.lines();
    let id = lines.next().unwrap().to_owned();
    assert!(id.starts_with("pw_"), "{out}");
    assert_eq!(
        lines.next().unwrap(),
        format!(r#"<script src="https://pay.example.org/plog.js" data-paywall="{id}" async></script>"#)
    );

    let (ok, out, _) = plog(&db, &["paywall", "list"]);
    assert!(ok && out.contains(&id) && out.contains("1.50 USD") && out.contains("My article"), "{out}");
    let (ok, out, _) = plog(&db, &["paywall", "show", &id]);
    assert!(ok && out.contains("data-paywall"), "{out}");
    let (ok, out, _) = plog(&db, &["paywall", "archive", &id]);
    assert!(ok && out.contains("archived"), "{out}");
    let (_, out, _) = plog(&db, &["paywall", "list"]);
    assert!(out.contains("archived"), "{out}");
}

#[test]
fn paywall_create_refuses_bad_prices_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("paid.md");
    std::fs::write(&content, "paid").unwrap();
    let path = content.to_str().unwrap();
    let (ok, _, err) =
        plog(&db, &["paywall", "create", "--title", "T", "--price", "1.5", "--currency", "jpy", "--content", path]);
    assert!(!ok && err.contains("JPY has no fractional unit"), "{err}");
    let (ok, _, err) =
        plog(&db, &["paywall", "create", "--title", "T", "--price", "10", "--currency", "jpy", "--content", path]);
    assert!(!ok && err.contains("minimum"), "{err}");
    let (ok, _, err) =
        plog(&db, &["paywall", "create", "--title", "T", "--price", "10", "--currency", "zzz", "--content", path]);
    assert!(!ok && err.contains("not supported"), "{err}");
    let (_, out, _) = plog(&db, &["paywall", "list"]);
    assert_eq!(out.lines().count(), 1, "only the header: {out}");
}

#[test]
fn paywall_create_takes_the_sites_it_sells_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("paid.md");
    std::fs::write(&content, "paid").unwrap();
    let path = content.to_str().unwrap();
    let base = ["paywall", "create", "--title", "T", "--price", "100", "--currency", "jpy", "--content", path];
    let (ok, _, err) = plog(&db, &[&base[..], &["--origin", "https://blog.example/post"]].concat());
    assert!(!ok && err.contains("not an origin"), "{err}");
    let (ok, out, err) =
        plog(&db, &[&base[..], &["--origin", "https://Blog.example", "--origin", "http://localhost:8081"]].concat());
    assert!(ok, "{err}");
    let id = out.lines().next().unwrap();
    let (_, shown, _) = plog(&db, &["paywall", "show", id]);
    assert!(shown.contains("sites:    http://localhost:8081 https://blog.example"), "{shown}");
}

#[test]
fn paywall_create_makes_tip_jars_and_pay_what_you_want_paywalls() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("thanks.md");
    std::fs::write(&content, "Thank you!").unwrap();
    let path = content.to_str().unwrap();
    let (ok, out, err) = plog(
        &db,
        &[
            "paywall",
            "create",
            "--title",
            "Tips",
            "--price",
            "100",
            "--currency",
            "jpy",
            "--content",
            path,
            "--mode",
            "tip",
            "--presets",
            "100,500,1000",
            "--show-count",
        ],
    );
    assert!(ok, "{err}");
    let (_, shown, _) = plog(&db, &["paywall", "show", out.lines().next().unwrap()]);
    assert!(shown.contains("mode:     tip") && shown.contains("presets:  100, 500, 1000"), "{shown}");
    let (ok, out, err) = plog(
        &db,
        &[
            "paywall",
            "create",
            "--title",
            "PWYW",
            "--price",
            "1.00",
            "--currency",
            "usd",
            "--content",
            path,
            "--mode",
            "pay-what-you-want",
            "--suggested",
            "3",
            "--maximum",
            "50",
        ],
    );
    assert!(ok, "{err}");
    let (_, shown, _) = plog(&db, &["paywall", "show", out.lines().next().unwrap()]);
    assert!(
        shown.contains("mode:     pay_what_you_want")
            && shown.contains("suggested: 3.00")
            && shown.contains("maximum:  50.00"),
        "{shown}"
    );
    let (ok, _, err) = plog(
        &db,
        &[
            "paywall",
            "create",
            "--title",
            "T",
            "--price",
            "100",
            "--currency",
            "jpy",
            "--content",
            path,
            "--mode",
            "tip",
            "--presets",
            "1.5",
        ],
    );
    assert!(!ok && err.contains("--presets") && err.contains("no fractional unit"), "{err}");
    let (ok, _, err) = plog(
        &db,
        &[
            "paywall",
            "create",
            "--title",
            "T",
            "--price",
            "100",
            "--currency",
            "jpy",
            "--content",
            path,
            "--mode",
            "auction",
        ],
    );
    assert!(!ok && err.contains("use fixed, pay-what-you-want or tip"), "{err}");
}

#[test]
fn paywall_update_changes_only_what_is_given_and_a_refused_change_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let content = dir.path().join("paid.md");
    std::fs::write(&content, "paid").unwrap();
    let path = content.to_str().unwrap();
    let (_, out, _) = plog(
        &db,
        &[
            "paywall",
            "create",
            "--title",
            "Old",
            "--teaser",
            "Free part",
            "--price",
            "1.50",
            "--currency",
            "usd",
            "--content",
            path,
        ],
    );
    let id = out.lines().next().unwrap().to_owned();

    let (ok, out, err) = plog(&db, &["paywall", "update", &id, "--title", "New", "--price", "2"]);
    assert!(ok && out.contains("updated") && out.contains("2.00 USD"), "{out}{err}");
    let (_, shown, _) = plog(&db, &["paywall", "show", &id]);
    assert!(
        shown.contains("title:    New")
            && shown.contains("teaser:   Free part")
            && shown.contains("price:    2.00 USD"),
        "{shown}"
    );

    let (ok, _, err) = plog(&db, &["paywall", "update", &id, "--title", "Refused", "--price", "0.10"]);
    assert!(!ok && err.contains("minimum"), "{err}");
    let (ok, _, err) =
        plog(&db, &["paywall", "update", &id, "--price", "100", "--currency", "jpy", "--origin", "not a site"]);
    assert!(!ok && err.contains("not an origin"), "{err}");
    let (_, shown, _) = plog(&db, &["paywall", "show", &id]);
    assert!(
        shown.contains("title:    New") && shown.contains("price:    2.00 USD") && shown.contains("sites:    any"),
        "{shown}"
    );

    let (ok, _, err) = plog(
        &db,
        &["paywall", "update", &id, "--price", "300", "--currency", "jpy", "--origin", "https://Blog.example"],
    );
    assert!(ok, "{err}");
    let (_, shown, _) = plog(&db, &["paywall", "show", &id]);
    assert!(shown.contains("price:    300 JPY") && shown.contains("sites:    https://blog.example"), "{shown}");
    let (ok, _, _) = plog(&db, &["paywall", "update", &id, "--any-site", "--teaser", ""]);
    assert!(ok);
    let (_, shown, _) = plog(&db, &["paywall", "show", &id]);
    assert!(shown.contains("sites:    any") && shown.contains("teaser:   -"), "{shown}");
    let (ok, _, err) = plog(&db, &["paywall", "update", "pw_aaaaaaaaaaaaaaaaaaaa", "--title", "X"]);
    assert!(!ok && err.contains("no such paywall"), "{err}");
}

/// A database with two paywalls and three purchases (one yen sale paid, one pending, one dollar
/// sale paid), made through the CLI and the store as the server would.
fn sales_database(dir: &std::path::Path) -> (String, String, String) {
    use plog_api::purchase_state::PaymentUpdate;
    use plog_api::store::{NewPurchase, Store};
    use plog_shared::api::PaywallMode;
    use plog_shared::{Money, PaywallId, PurchaseId};
    let db = format!("sqlite://{}", dir.join("cli.db").display());
    let content = dir.join("paid.md");
    std::fs::write(&content, "paid").unwrap();
    let path = content.to_str().unwrap();
    let (_, out, _) = plog(
        &db,
        &[
            "paywall",
            "create",
            "--title",
            "Ramen, the guide",
            "--price",
            "100",
            "--currency",
            "jpy",
            "--content",
            path,
            "--origin",
            "https://a.example",
        ],
    );
    let yen = out.lines().next().unwrap().to_owned();
    let (_, out, _) = plog(
        &db,
        &["paywall", "create", "--title", "Dollars", "--price", "2.50", "--currency", "usd", "--content", path],
    );
    let dollars = out.lines().next().unwrap().to_owned();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let store = Store::connect(&db).await.unwrap();
        for (n, (paywall, amount, currency, pays)) in
            [(&yen, 100, "jpy", true), (&yen, 100, "jpy", false), (&dollars, 250, "usd", true)].into_iter().enumerate()
        {
            let intent = format!("pi_cli{n}");
            store
                .insert_purchase(
                    &NewPurchase {
                        id: PurchaseId::parse(&format!("pur_cli{n}{}", "0".repeat(16))).unwrap(),
                        paywall_id: PaywallId::parse(paywall).unwrap(),
                        payment_intent_id: intent.clone(),
                        token_hash: format!("hash{n}"),
                        price: Money::parse(amount, currency).unwrap(),
                        client_key: None,
                        mode: PaywallMode::Fixed,
                        receipt: None,
                        pass: None,
                        discount: None,
                        stripe_account: None,
                        application_fee: 0,
                    },
                    crate::helpers::now(),
                )
                .await
                .unwrap();
            if pays {
                store
                    .apply_update(
                        &PaymentUpdate::Succeeded { payment_intent_id: intent, amount, currency: currency.into() },
                        None,
                        crate::helpers::now(),
                    )
                    .await
                    .unwrap();
            }
        }
    });
    (db, yen, dollars)
}

#[test]
fn purchases_list_prints_a_table_csv_or_json_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let (db, yen, _) = sales_database(dir.path());

    let (ok, table, err) = plog(&db, &["purchases", "list"]);
    assert!(ok, "{err}");
    assert!(
        table.starts_with("CREATED (UTC)")
            && table.contains("2.50 USD")
            && table.contains("Ramen, the guide")
            && table.ends_with("3 purchase(s)\n"),
        "{table}"
    );

    let (ok, csv, _) = plog(&db, &["purchases", "list", "--format", "csv", "--paywall", &yen]);
    assert!(ok);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "created_at,paid_at,purchase_id,paywall_id,paywall_title,status,mode,amount,currency,amount_minor,payment_intent_id,refunded_minor,dispute_status,receipt"
    );
    assert_eq!(lines.len(), 3, "the header and the yen paywall's two purchases: {csv}");
    let paid = lines.iter().find(|l| l.contains("pur_cli0")).unwrap();
    assert!(paid.contains(&format!(",{yen},\"Ramen, the guide\",paid,fixed,100,JPY,100,pi_cli0")), "{paid}");

    let (ok, json, _) = plog(&db, &["purchases", "list", "--format", "json"]);
    assert!(ok);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let statuses: Vec<&str> =
        json["purchases"].as_array().unwrap().iter().map(|p| p["status"].as_str().unwrap()).collect();
    assert_eq!(statuses.len(), 3);
    assert_eq!(statuses.iter().filter(|s| **s == "paid").count(), 2);

    let (_, later, _) = plog(&db, &["purchases", "list", "--since", "2099-01-01", "--format", "csv"]);
    assert_eq!(later.lines().count(), 1, "only the header: {later}");
    let (ok, _, err) = plog(&db, &["purchases", "list", "--since", "someday"]);
    assert!(!ok && err.contains("--since"), "{err}");
    let (ok, _, err) = plog(&db, &["purchases", "list", "--format", "xml"]);
    assert!(!ok && err.contains("table, json, csv"), "{err}");
}

#[test]
fn stats_prints_the_report_as_a_table_or_json_per_currency_and_site() {
    let dir = tempfile::tempdir().unwrap();
    let (db, yen, _) = sales_database(dir.path());

    let (ok, json, err) = plog(&db, &["stats", "--format", "json"]);
    assert!(ok, "{err}");
    let stats: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(stats["conversion"], serde_json::json!({"views": 0, "started": 3, "paid": 2}));
    let revenue: Vec<(String, i64)> = stats["by_currency"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["currency"].as_str().unwrap().to_owned(), c["revenue"].as_i64().unwrap()))
        .collect();
    assert_eq!(revenue, [("jpy".to_owned(), 100), ("usd".to_owned(), 250)], "never summed across currencies");

    let (ok, table, _) = plog(&db, &["stats"]);
    assert!(ok);
    assert!(table.contains("period: all time; site: all") && table.contains("started: 3  paid: 2"), "{table}");
    assert!(table.lines().any(|l| l.starts_with("JPY") && l.contains(" 100 ")), "{table}");
    assert!(table.lines().any(|l| l.starts_with("USD") && l.contains(" 2.50 ")), "{table}");

    let (ok, json, _) = plog(&db, &["stats", "--site", "https://A.example", "--format", "json"]);
    assert!(ok);
    let site: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        (site["paywalls"].as_i64(), site["by_paywall"][0]["paywall_id"].as_str()),
        (Some(1), Some(yen.as_str()))
    );
    let (ok, _, err) = plog(&db, &["stats", "--site", "blog"]);
    assert!(!ok && err.contains("--site"), "{err}");
    let (_, future, _) = plog(&db, &["stats", "--since", "2099-01-01"]);
    assert!(future.contains("started: 0  paid: 0"), "{future}");
}

#[test]
fn version_names_plog_the_embedded_widget_build_and_the_pinned_stripe_api_version() {
    let output = Command::new(env!("CARGO_BIN_EXE_plog")).arg("--version").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let hash = plog_api::widget_build::EMBEDDED_HASH;
    assert_ne!(hash, "none", "this plog was built without its widget");
    assert_eq!(
        text.trim(),
        format!("plog {} (widget {hash}, Stripe API {})", env!("CARGO_PKG_VERSION"), plog_api::stripe::API_VERSION)
    );
}

#[test]
fn pass_gift_and_code_verbs_make_list_and_end_offers_and_refuse_bad_ones_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    // A tip jar needs no content of its own.
    let (ok, out, err) =
        plog(&db, &["paywall", "create", "--title", "Tips", "--price", "100", "--currency", "jpy", "--mode", "tip"]);
    assert!(ok, "{err}");
    let paywall = out.lines().next().unwrap().to_owned();

    let (ok, out, err) = plog(
        &db,
        &[
            "pass",
            "create",
            "--title",
            "All articles",
            "--price",
            "500",
            "--currency",
            "jpy",
            "--origin",
            "https://Blog.Example/",
            "--days",
            "30",
        ],
    );
    assert!(ok, "{err}");
    let pass = out.lines().next().unwrap().to_owned();
    assert!(pass.starts_with("pass_") && out.contains("All articles, 500 JPY for 30 days"), "{out}");
    let (ok, out, _) = plog(&db, &["pass", "list"]);
    assert!(ok && out.contains(&pass) && out.contains("every paywall that lists https://blog.example"), "{out}");
    let (ok, _, err) =
        plog(&db, &["pass", "create", "--title", "X", "--price", "500", "--currency", "jpy", "--days", "0"]);
    assert!(!ok && err.contains("days must be between 1 and 3650"), "{err}");
    let (ok, out, _) = plog(&db, &["pass", "archive", &pass]);
    assert!(ok && out.contains("archived"), "{out}");

    let (ok, out, err) =
        plog(&db, &["gift", "create", &paywall, "--label", "for Aiko", "--max-opens", "2", "--expires", "7d"]);
    assert!(ok, "{err}");
    let gift = out.lines().next().unwrap().to_owned();
    assert!(gift.starts_with("gift_") && out.contains("#plog-gift="), "{out}");
    let (ok, out, _) = plog(&db, &["gift", "list"]);
    assert!(
        ok && out.contains(&gift) && out.contains("0/2") && out.contains("for Aiko") && !out.contains("#plog-gift="),
        "{out}"
    );
    let (ok, out, _) = plog(&db, &["gift", "revoke", &gift]);
    assert!(ok && out.contains("revoked"), "{out}");
    let (ok, _, err) = plog(&db, &["gift", "create", "pw_abcdefghij0123456789"]);
    assert!(!ok && err.contains("no such paywall"), "{err}");

    let (ok, out, err) =
        plog(&db, &["code", "create", "launch", "--percent", "20", "--max-uses", "10", "--until", "2099-01-01"]);
    assert!(ok, "{err}");
    assert!(out.contains("LAUNCH: 20 % off, 0 of 10 uses"), "{out}");
    let (ok, _, err) = plog(&db, &["code", "create", "LAUNCH", "--percent", "10"]);
    assert!(!ok && err.contains("exists already"), "{err}");
    let (ok, _, err) = plog(&db, &["code", "create", "BIG", "--percent", "100"]);
    assert!(!ok && err.contains("between 1 and 99"), "{err}");
    let (ok, out, err) = plog(&db, &["code", "create", "WELCOME", "--amount", "1.00", "--currency", "usd"]);
    assert!(ok && out.contains("WELCOME: 1.00 USD off"), "{out}{err}");
    let (ok, out, _) = plog(&db, &["code", "disable", "launch"]);
    assert!(ok && out.contains("disabled LAUNCH"), "{out}");
    let (ok, out, _) = plog(&db, &["code", "list"]);
    assert!(ok && out.contains("LAUNCH: 20 % off, 0 of 10 uses (disabled)") && out.contains("2099-01-01"), "{out}");
}
