//! plog held against Stripe's own published artifacts rather than against stand-ins that agree
//! with it: events in the pinned version's shape (fixtures typed against the official `stripe`
//! npm definitions by e2e/stripe-artifacts.test.mjs) signed by the official stripe-python, its
//! signature check compared verdict by verdict with stripe-python's, and every request it makes
//! carrying the pinned `Stripe-Version` through the gateway that checks parameters against the
//! official SDK's lists.

use std::io::Write;
use std::process::{Command, Stdio};

use plog_api::stripe::API_VERSION;
use plog_api::stripe::client::parameters_sent;
use plog_api::stripe::webhook::verify_signature;
use plog_shared::api::DisputeStatus;
use serde_json::{Value, json};

use crate::helpers::*;

/// Runs a snippet of Python with Stripe's official SDK imported, `input` on stdin; its stdout.
fn official_python(program: &str, input: &str) -> String {
    let mut child = Command::new(stripe_python())
        .arg("-c")
        .arg(format!("import json, sys, time, stripe\n{program}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the Python that holds Stripe's SDK (scripts/setup installs it)");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "python failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).unwrap()
}

/// A `Stripe-Signature` header made by stripe-python's `WebhookSignature.generate_signature_header`.
fn official_signature(body: &str, secret: &str) -> String {
    let program = r#"
payload = sys.stdin.buffer.read().decode("utf-8")
print(stripe.WebhookSignature.generate_signature_header(payload, sys.argv[1]), end="")
"#;
    let mut child = Command::new(stripe_python())
        .arg("-c")
        .arg(format!("import sys, stripe\n{program}"))
        .arg(secret)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

/// A fixture event (api/tests/fixtures/stripe/NAME.json) about this PaymentIntent, with a fresh id.
fn fixture(name: &str, payment_intent: &str) -> String {
    let path = format!("{}/tests/fixtures/stripe/{name}.json", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .replace("pi_FIXTURE", payment_intent)
        .replace("evt_FIXTURE", &event_id())
}

/// Delivers a fixture signed by stripe-python; the outcome plog answered.
async fn deliver(app: &TestApp, name: &str, payment_intent: &str) -> String {
    let body = fixture(name, payment_intent);
    let response = app.post_webhook(&body, &official_signature(&body, &app.webhook_secret)).await;
    let status = response.status();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{name}: {answer}");
    answer["outcome"].as_str().unwrap().to_owned()
}

/// An app without localstripe's own webhooks, a ¥1,000 paywall (the fixtures' amount) and one
/// pending purchase of it: (app, paywall, intent, token).
async fn pending_purchase(app: &TestApp, paywall: &str) -> (String, String) {
    let purchase = app.start_purchase(paywall).await;
    (intent_id(&purchase.client_secret), purchase.access_token)
}

async fn unlocks(app: &TestApp, paywall: &str, token: &str) -> bool {
    let status = app.content(paywall, Some(token)).await.status();
    assert!(status == 200 || status == 402, "content answered {status}");
    status == 200
}

async fn admin_purchase(app: &TestApp, intent: &str) -> Value {
    let list = app.admin_json("/v1/admin/purchases").await;
    list["purchases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["payment_intent_id"] == intent)
        .cloned()
        .expect("purchase listed")
}

#[tokio::test]
async fn refunds_in_part_and_in_full_a_failed_refund_and_disputes_move_access_as_the_table_says() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(1000, "jpy", "paid: ARTIFACTS-MARKER").await;
    let (intent, token) = pending_purchase(&app, &paywall).await;

    assert_eq!(deliver(&app, "payment_intent.succeeded", &intent).await, "applied");
    assert!(unlocks(&app, &paywall, &token).await);

    // A partial refund: access kept, the amount recorded and shown to the creator.
    assert_eq!(deliver(&app, "charge.refunded.partial", &intent).await, "unchanged");
    assert!(unlocks(&app, &paywall, &token).await, "a partial refund keeps access");
    let listed = admin_purchase(&app, &intent).await;
    assert_eq!((listed["status"].as_str(), listed["refunded_amount"].as_i64()), (Some("paid"), Some(300)));

    // In full: revoked.
    assert_eq!(deliver(&app, "charge.refunded.full", &intent).await, "applied");
    assert!(!unlocks(&app, &paywall, &token).await, "a full refund revokes");
    assert_eq!(app.purchase(&intent).await.refunded_amount, 1000);

    // The refund failed: the money stayed with the creator, the reader reads again.
    assert_eq!(deliver(&app, "charge.refund.updated.failed", &intent).await, "applied");
    assert!(unlocks(&app, &paywall, &token).await, "a failed refund gives access back");
    let purchase = app.purchase(&intent).await;
    assert_eq!((purchase.status.as_str(), purchase.refunded_amount), ("paid", 0));

    // A dispute takes access away; won, it comes back.
    assert_eq!(deliver(&app, "charge.dispute.created", &intent).await, "applied");
    assert!(!unlocks(&app, &paywall, &token).await, "an open dispute revokes");
    let listed = admin_purchase(&app, &intent).await;
    assert_eq!(
        (listed["status"].as_str(), listed["dispute_status"].as_str()),
        (Some("disputed"), Some("needs_response"))
    );
    let stats = app.admin_json("/v1/admin/stats").await;
    assert_eq!(stats["by_currency"][0]["disputed_count"], 1, "{stats}");
    assert_eq!(deliver(&app, "charge.dispute.closed.won", &intent).await, "applied");
    assert!(unlocks(&app, &paywall, &token).await, "a won dispute gives access back");
    assert_eq!(admin_purchase(&app, &intent).await["dispute_status"], "won");

    // Another purchase whose dispute is lost stays revoked, also when the closing comes twice.
    let (lost, lost_token) = pending_purchase(&app, &paywall).await;
    deliver(&app, "payment_intent.succeeded", &lost).await;
    assert_eq!(deliver(&app, "charge.dispute.created", &lost).await, "applied");
    assert_eq!(deliver(&app, "charge.dispute.closed.lost", &lost).await, "unchanged");
    assert!(!unlocks(&app, &paywall, &lost_token).await, "a lost dispute stays revoked");
    assert_eq!(app.purchase(&lost).await.dispute_status, Some(DisputeStatus::Lost));
}

/// L2 of the review: a refund's failure heard before the refund's own `charge.refunded` (or the
/// same failure twice) revoked access or undercounted refunds. A failure counts once, by its
/// refund id; a total that may still count a failed refund is checked with Stripe's own count.
#[tokio::test]
async fn a_failed_refund_counts_once_and_a_late_total_that_still_counts_it_is_checked_with_stripe() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(1000, "jpy", "paid").await;
    // Paid at Stripe (localstripe), so the intent has a charge whose refunds Stripe lists.
    let purchase = app.start_purchase(&paywall).await;
    assert_eq!(pay_with_card(&purchase.client_secret, CARD_OK).await.0, 200);
    let (intent, token) = (intent_id(&purchase.client_secret), purchase.access_token);
    assert_eq!(deliver(&app, "payment_intent.succeeded", &intent).await, "applied");
    // The refund failed; its failure is delivered first.
    assert_eq!(deliver(&app, "charge.refund.updated.failed", &intent).await, "unchanged");
    // Then the charge's total from before the failure, which still counts it: Stripe lists no
    // refund of this intent that did not fail, and its count stands.
    assert_eq!(deliver(&app, "charge.refunded.full", &intent).await, "unchanged");
    assert!(unlocks(&app, &paywall, &token).await, "a refund that failed takes no access");
    assert_eq!(app.purchase(&intent).await.refunded_amount, 0);

    // In the usual order, one failure reported twice gives back its amount once (another
    // database: the fixture's refund id is the one above).
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(1000, "jpy", "paid").await;
    let (other, other_token) = pending_purchase(&app, &paywall).await;
    deliver(&app, "payment_intent.succeeded", &other).await;
    assert_eq!(deliver(&app, "charge.refunded.partial", &other).await, "unchanged");
    assert_eq!(deliver(&app, "charge.refunded.full", &other).await, "applied");
    assert_eq!(deliver(&app, "charge.refund.updated.failed", &other).await, "applied");
    assert_eq!(deliver(&app, "charge.refund.updated.failed", &other).await, "unchanged", "the same refund again");
    assert!(unlocks(&app, &paywall, &other_token).await);
    assert_eq!(app.purchase(&other).await.status.as_str(), "paid");
}

/// L7 of the review: a dispute event with an open status delivered after the dispute was won
/// revoked access again. A closed dispute stays closed.
#[tokio::test]
async fn a_late_open_dispute_event_after_a_won_close_changes_nothing() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(1000, "jpy", "paid").await;
    let (intent, token) = pending_purchase(&app, &paywall).await;
    deliver(&app, "payment_intent.succeeded", &intent).await;
    assert_eq!(deliver(&app, "charge.dispute.created", &intent).await, "applied");
    assert_eq!(deliver(&app, "charge.dispute.closed.won", &intent).await, "applied");
    assert_eq!(deliver(&app, "charge.dispute.created", &intent).await, "unchanged", "delivered late");
    assert!(unlocks(&app, &paywall, &token).await, "the won dispute stands");
    assert_eq!(app.purchase(&intent).await.dispute_status, Some(DisputeStatus::Won));
}

#[tokio::test]
async fn a_canceled_intent_ends_a_pending_purchase_and_never_a_paid_one() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(1000, "jpy", "paid").await;
    let (pending, pending_token) = pending_purchase(&app, &paywall).await;
    assert_eq!(deliver(&app, "payment_intent.payment_failed", &pending).await, "applied");
    let failed = app.purchase(&pending).await;
    assert_eq!((failed.status.as_str(), failed.last_error.as_deref()), ("failed", Some("Your card was declined.")));
    assert_eq!(deliver(&app, "payment_intent.canceled", &pending).await, "applied");
    assert_eq!(app.purchase(&pending).await.status.as_str(), "canceled");
    let refused = app.content(&paywall, Some(&pending_token)).await;
    assert_eq!(refused.status(), 402);
    let body: Value = refused.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("canceled"), "{body}");

    let (paid, paid_token) = pending_purchase(&app, &paywall).await;
    deliver(&app, "payment_intent.succeeded", &paid).await;
    assert_eq!(deliver(&app, "payment_intent.canceled", &paid).await, "unchanged");
    assert_eq!(deliver(&app, "payment_intent.payment_failed", &paid).await, "unchanged");
    assert!(unlocks(&app, &paywall, &paid_token).await, "a paid purchase is never downgraded");
}

#[tokio::test]
async fn thin_events_unknown_types_and_events_of_an_older_version_are_acknowledged() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(1000, "jpy", "paid").await;
    let (intent, token) = pending_purchase(&app, &paywall).await;

    // A thin event carries no object: acknowledged (Stripe stops retrying) and ignored.
    assert_eq!(deliver(&app, "thin.v1.payment_intent.succeeded", &intent).await, "ignored");
    assert_eq!(deliver(&app, "customer.created", &intent).await, "ignored");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "pending");

    // An endpoint created long ago renders events in its own version (`charges`, no
    // `allowed_payment_method_types`): they still settle the purchase.
    assert_eq!(deliver(&app, "older-version.2019-12-03.payment_intent.succeeded", &intent).await, "applied");
    assert!(unlocks(&app, &paywall, &token).await);
}

#[tokio::test]
async fn a_succeeded_event_reports_what_stripe_received() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(1000, "jpy", "paid").await;
    let (intent, _) = pending_purchase(&app, &paywall).await;
    // At the pinned version `amount_received` is what was taken: a success that took less than
    // the purchase's amount is not honoured.
    let body =
        fixture("payment_intent.succeeded", &intent).replace("\"amount_received\": 1000", "\"amount_received\": 900");
    let response = app.post_webhook(&body, &official_signature(&body, &app.webhook_secret)).await;
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["outcome"], "amount_mismatch");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "pending");
}

/// Headers of every shape the official parser meets: each one's verdict from plog must equal
/// stripe-python's `WebhookSignature.verify_header` (tolerance 300 s).
#[test]
fn the_signature_check_agrees_with_stripe_python_header_by_header() {
    let secret = "whsec_differential";
    let body = r#"{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}"#;
    let now = now();
    let v1 =
        |t: i64| plog_api::stripe::webhook::sign(body.as_bytes(), secret, t).split_once(",v1=").unwrap().1.to_owned();
    let other =
        plog_api::stripe::webhook::sign(body.as_bytes(), "whsec_other", now).split_once(",v1=").unwrap().1.to_owned();
    let (fresh, stale, future) = (now - 10, now - 400, now + 1_000);
    let headers: Vec<String> = vec![
        format!("t={fresh},v1={}", v1(fresh)),
        format!("t={fresh},v1={other},v1={}", v1(fresh)),
        format!("t={fresh},v1={other}"),
        format!("t={fresh},v0={}", v1(fresh)),
        format!("t={fresh},v1={},v0=abc,scheme=x", v1(fresh)),
        format!("t={stale},v1={}", v1(stale)),
        format!("t={future},v1={}", v1(future)),
        format!("t={fresh}, v1={}", v1(fresh)),
        format!(" t={fresh},v1={}", v1(fresh)),
        format!("t={fresh},v1={}", v1(fresh).to_uppercase()),
        format!("v1={},t={fresh}", v1(fresh)),
        format!("v1={}", v1(fresh)),
        format!("t={fresh}"),
        format!("t={fresh},v1="),
        format!("t={fresh},v1={},t={stale}", v1(fresh)),
        format!("t=abc,v1={}", v1(fresh)),
        String::new(),
        format!("t={fresh},v1={}{}", v1(fresh), "0"),
        format!("t={fresh};v1={}", v1(fresh)),
    ];
    let program = r#"
cases = json.load(sys.stdin)
out = []
for c in cases:
    try:
        stripe.WebhookSignature.verify_header(c["body"], c["header"], c["secret"], 300)
        out.append(True)
    except Exception:
        out.append(False)
print(json.dumps(out))
"#;
    let cases: Vec<Value> = headers.iter().map(|h| json!({"body": body, "header": h, "secret": secret})).collect();
    let official: Vec<bool> = serde_json::from_str(&official_python(program, &Value::from(cases).to_string())).unwrap();
    for (header, official) in headers.iter().zip(official) {
        let plog = verify_signature(header, body.as_bytes(), secret, now).is_ok();
        assert_eq!(plog, official, "header {header:?}: plog says {plog}, stripe-python says {official}");
    }
}

#[tokio::test]
async fn every_request_plog_sends_carries_the_pinned_version_and_only_parameters_it_accepts() {
    // No webhooks: the content route must settle the purchase by re-reading the intent.
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(100, "jpy", "paid").await;
    let purchase = app.start_purchase(&paywall).await;
    let intent = intent_id(&purchase.client_secret);
    pay_with_card(&purchase.client_secret, CARD_OK).await;
    // The content route re-reads the intent (GET /v1/payment_intents/ID), reconciliation lists
    // intents and refunds: all through the same client.
    assert_eq!(app.content(&paywall, Some(&purchase.access_token)).await.status(), 200);
    plog_api::payments::reconcile::reconcile(&app.store, &app.state.stripe, &app.state.tally, now() - 3600, now())
        .await
        .unwrap();

    let seen: Value = reqwest::get(format!("{}/_gateway/requests", localstripe())).await.unwrap().json().await.unwrap();
    let requests = seen["requests"].as_array().unwrap();
    // plog's requests are async-stripe's (its User-Agent); the tests' own helpers talk to the
    // stand-in unversioned, as a curl would.
    let plogs: Vec<&Value> =
        requests.iter().filter(|r| r[3].as_str().unwrap_or_default().starts_with("Stripe/v1 RustBindings/")).collect();
    let own_read = format!("/v1/payment_intents/{intent}");
    assert!(
        plogs.iter().any(|r| r[0] == "GET" && r[1] == own_read.as_str()),
        "the content route re-read the intent: {requests:?}"
    );
    assert!(plogs.iter().any(|r| r[0] == "POST"), "the create went through the gateway: {requests:?}");
    assert!(plogs.iter().any(|r| r[1] == "/v1/refunds"), "reconciliation listed refunds: {requests:?}");
    for request in plogs {
        assert_eq!(request[2], API_VERSION, "{request}: every request of plog's carries Stripe-Version {API_VERSION}");
    }
}

/// Creates a PaymentIntent at the stand-in, at the pinned version, with these form fields.
async fn create_intent_at_the_gateway(form: &[(&str, &str)]) -> (u16, Value) {
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/payment_intents", localstripe()))
        .bearer_auth(SECRET_KEY)
        .header("Stripe-Version", API_VERSION)
        .form(form)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.json().await.unwrap())
}

#[tokio::test]
async fn the_gateway_refuses_what_stripe_refuses_at_the_pinned_version() {
    // What plog sent before: accepted by localstripe, refused by Stripe at endive.
    let (status, body) =
        create_intent_at_the_gateway(&[("amount", "100"), ("currency", "jpy"), ("payment_method_types[0]", "card")])
            .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "parameter_unknown");
    assert_eq!(body["error"]["message"], "Received unknown parameter: payment_method_types");

    // What plog sends now: accepted, answered in the pinned shape.
    let (status, intent) = create_intent_at_the_gateway(&[
        ("amount", "100"),
        ("currency", "jpy"),
        ("allowed_payment_method_types[0]", "card"),
    ])
    .await;
    assert_eq!(status, 200);
    assert_eq!(intent["allowed_payment_method_types"], json!(["card"]));
    assert_eq!(intent["amount_received"], 0);
    assert!(intent.get("charges").is_none());
}

/// Every form plog sends to Stripe uses only parameters that Stripe's official Python SDK
/// accepts at the release plog pins; the parameter endive removed is not sent.
#[test]
fn every_form_plog_sends_uses_only_parameters_of_the_official_sdk_at_the_pinned_version() {
    let forms = parameters_sent();
    let classes: Vec<&str> = forms.iter().map(|(class, _)| *class).collect();
    let program = "print(json.dumps({'version': stripe.api_version, 'params': \
                   {n: sorted(getattr(stripe.params, n).__annotations__) for n in json.loads(sys.stdin.read())}}))";
    let official: Value = serde_json::from_str(&official_python(
        &format!("import stripe.params\n{program}"),
        &json!(classes).to_string(),
    ))
    .unwrap();
    // Same API release (endive): the SDK may pin a later monthly version of it.
    let sdk_version = official["version"].as_str().unwrap();
    assert_eq!(
        sdk_version.split('.').nth(1),
        API_VERSION.split('.').nth(1),
        "the SDK speaks another release than {API_VERSION}"
    );
    for (class, sent) in &forms {
        let accepted: Vec<&str> =
            official["params"][class].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        for name in sent {
            assert!(
                accepted.contains(&name.as_str()),
                "{class}: plog sends `{name}`, which Stripe does not accept at {sdk_version}"
            );
        }
    }
    let create = &forms.iter().find(|(class, _)| *class == "PaymentIntentCreateParams").unwrap().1;
    assert!(!create.contains(&"payment_method_types".to_owned()));
    assert!(create.contains(&"allowed_payment_method_types".to_owned()));
}

/// Runs sandbox/stripe_params.py (the walk of stripe-python's nested parameter types the
/// gateway uses) on `[class, pairs]` cases; its verdict per case (`null`: accepted).
fn leaf_check(cases: &Value) -> Vec<Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../sandbox/stripe_params.py");
    let mut child = Command::new(stripe_python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the Python that holds Stripe's SDK");
    child.stdin.take().unwrap().write_all(cases.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The nested forms (a connected account's controller properties, the Account Link, the
/// PaymentIntent with its fee) name, to the leaf, only parameters stripe-python's types define,
/// exactly as the client encodes them; the same walk refuses a misspelt leaf (it can fail).
#[test]
fn every_nested_form_plog_sends_is_stripes_own_to_the_leaf() {
    let forms = plog_api::stripe::client::nested_forms_sent();
    let cases: Vec<Value> = forms.iter().map(|(class, pairs)| json!([class, pairs])).collect();
    for ((class, pairs), verdict) in forms.iter().zip(leaf_check(&json!(cases))) {
        assert!(verdict.is_null(), "{class}: {verdict} in {pairs:?}");
    }
    let account = &forms.iter().find(|(class, _)| *class == "AccountCreateParams").unwrap().1;
    let names: Vec<&str> = account.iter().map(|(name, _)| name.as_str()).collect();
    for name in ["controller[fees][payer]", "controller[losses][payments]", "controller[stripe_dashboard][type]"] {
        assert!(names.contains(&name), "{names:?}");
    }
    let misspelt: Vec<(String, String)> =
        account.iter().map(|(name, value)| (name.replace("[payer]", "[payr]"), value.clone())).collect();
    let verdict = leaf_check(&json!([["AccountCreateParams", misspelt]]));
    assert_eq!(verdict[0][1], "controller[fees][payr]", "{verdict:?}");
}

/// The dispute statuses plog knows are exactly those of `Dispute.Status` in Stripe's own type
/// definitions (the official `stripe` npm package, installed by scripts/setup), and which of
/// them close a dispute is what those definitions' names say.
#[test]
fn the_dispute_statuses_plog_reads_are_stripes_own() {
    let definitions = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../e2e/node_modules/stripe/cjs/resources/Disputes.d.ts"
    ))
    .expect("Stripe's type definitions (scripts/setup installs them into e2e/node_modules)");
    let declared =
        definitions.split("type Status = ").nth(1).expect("Dispute.Status is declared").split(';').next().unwrap();
    let mut stripes: Vec<&str> =
        declared.split('|').map(|v| v.trim().trim_matches('\'')).filter(|v| *v != "OtherString").collect();
    stripes.sort_unstable();
    let mut ours: Vec<&str> = DisputeStatus::KNOWN.iter().map(DisputeStatus::as_str).collect();
    ours.sort_unstable();
    assert_eq!(ours, stripes, "plog's dispute statuses against Stripe's Dispute.Status");
    for status in DisputeStatus::KNOWN {
        assert_eq!(DisputeStatus::parse(status.as_str()), status);
        // Closed: won, lost, and the two ends of an inquiry; an appeal is still open.
        let closed = matches!(status.as_str(), "won" | "lost" | "warning_closed" | "prevented");
        assert_eq!(status.is_closed(), closed, "{status:?}");
        assert!(!status.is_won() || status.is_closed(), "{status:?}");
    }
    assert_eq!(DisputeStatus::parse("a_later_status"), DisputeStatus::Other("a_later_status".into()));
    assert!(!DisputeStatus::parse("a_later_status").is_closed());
}

/// What plog reads of Connect is what Stripe's own type definitions (the official `stripe` npm
/// package) declare: an event's `account`, an account's `charges_enabled` and its
/// `card_payments` capability with the status `active` plog waits for, a webhook endpoint's
/// `application` (set on Connect endpoints), and the account events a Connect endpoint is
/// subscribed to are event types Stripe sends.
#[test]
fn the_connect_fields_and_events_plog_reads_are_stripes_own() {
    let read = |file: &str| {
        std::fs::read_to_string(format!(
            "{}/../e2e/node_modules/stripe/cjs/resources/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("Stripe's type definitions (scripts/setup installs them into e2e/node_modules)")
    };
    let (accounts, events, endpoints) = (read("Accounts.d.ts"), read("Events.d.ts"), read("WebhookEndpoints.d.ts"));
    assert!(events.contains("    account?: string;"), "Event.account");
    assert!(accounts.contains("    charges_enabled: boolean;"), "Account.charges_enabled");
    assert!(
        accounts.contains("        card_payments?: Capabilities.CardPayments;"),
        "Account.capabilities.card_payments"
    );
    let statuses = accounts.split("type CardPayments = ").nth(1).unwrap().split(';').next().unwrap();
    assert!(statuses.split('|').any(|s| s.trim() == "'active'"), "{statuses}");
    assert!(endpoints.contains("    application: string | null;"), "WebhookEndpoint.application");
    for event in plog_api::stripe::webhook::ACCOUNT_EVENTS {
        assert!(endpoints.contains(&format!("'{event}'")), "{event} is not an event type of WebhookEndpoints.d.ts");
    }
    // And plog reads an account.updated the way its rule says, from Stripe's shape.
    let updated: plog_api::stripe::webhook::Event = serde_json::from_value(json!({
        "id": "evt_1", "object": "event", "type": "account.updated", "account": "acct_1",
        "data": {"object": {"id": "acct_1", "object": "account", "charges_enabled": true,
            "capabilities": {"card_payments": "active", "transfers": "active"}}}
    }))
    .unwrap();
    match updated.object().unwrap() {
        Some(plog_api::stripe::webhook::EventObject::AccountUpdated(account)) => assert!(account.takes_card_payments()),
        other => panic!("{other:?}"),
    }
}
