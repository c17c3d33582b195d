//! Hand-signed webhook deliveries: forged, stale, rotated, malformed, duplicated, concurrent,
//! out of order, refunded.

use plog_api::stripe::webhook::sign;
use serde_json::Value;

use crate::helpers::*;

/// An app without localstripe webhooks, one paywall and one pending purchase of it.
async fn pending_purchase() -> (TestApp, String, String, String) {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(100, "jpy", "paid: WEBHOOK-MARKER").await;
    let purchase = app.start_purchase(&paywall).await;
    let intent = intent_id(&purchase.client_secret);
    (app, paywall, intent, purchase.access_token)
}

async fn outcome(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["outcome"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_forged_signature_is_refused_and_changes_nothing() {
    let (app, _, intent, _) = pending_purchase().await;
    let body = intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "jpy").to_string();
    let forged = sign(body.as_bytes(), "whsec_not_the_secret", now());
    let response = app.post_webhook(&body, &forged).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "invalid_signature");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "pending");
    assert_eq!(app.store.event_count().await.unwrap(), 0);

    let missing = app.post_webhook(&body, "").await;
    assert_eq!(missing.status(), 400);
}

#[tokio::test]
async fn a_stale_timestamp_is_refused() {
    let (app, _, intent, _) = pending_purchase().await;
    let body = intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "jpy").to_string();
    let stale = sign(body.as_bytes(), &app.webhook_secret, now() - 301);
    let response = app.post_webhook(&body, &stale).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "stale_signature");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "pending");
}

#[tokio::test]
async fn one_valid_v1_among_two_is_enough() {
    let (app, _, intent, _) = pending_purchase().await;
    let body = intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "jpy").to_string();
    let t = now();
    let good = sign(body.as_bytes(), &app.webhook_secret, t);
    let old = sign(body.as_bytes(), "whsec_previous_secret", t);
    let header = format!("t={t},v1={},v1={}", old.split("v1=").nth(1).unwrap(), good.split("v1=").nth(1).unwrap());
    assert_eq!(outcome(app.post_webhook(&body, &header).await).await, "applied");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "paid");
}

#[tokio::test]
async fn a_signed_but_malformed_body_is_refused() {
    let (app, _, _, _) = pending_purchase().await;
    for body in [
        "{not json",
        r#"{"id": "evt_x"}"#,
        r#"{"id":"evt_y","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}"#,
    ] {
        let response = app.post_webhook(body, &sign(body.as_bytes(), &app.webhook_secret, now())).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "malformed_event");
    }
    assert_eq!(app.store.event_count().await.unwrap(), 0);
}

#[tokio::test]
async fn an_unknown_event_type_is_acknowledged_and_ignored() {
    let (app, _, intent, _) = pending_purchase().await;
    let mut event = intent_event(&event_id(), "customer.created", &intent, 100, "jpy");
    event["data"]["object"] = serde_json::json!({"id": "cus_1", "object": "customer"});
    assert_eq!(outcome(app.send_event(&event).await).await, "ignored");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "pending");
}

#[tokio::test]
async fn an_amount_or_currency_mismatch_is_not_honoured() {
    let (app, paywall, intent, token) = pending_purchase().await;
    let cheaper = intent_event(&event_id(), "payment_intent.succeeded", &intent, 50, "jpy");
    assert_eq!(outcome(app.send_event(&cheaper).await).await, "amount_mismatch");
    let other_currency = intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "usd");
    assert_eq!(outcome(app.send_event(&other_currency).await).await, "amount_mismatch");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "pending");
    assert_eq!(app.content(&paywall, Some(&token)).await.status(), 402);
}

#[tokio::test]
async fn twenty_identical_concurrent_deliveries_have_exactly_one_effect() {
    let (app, _, intent, _) = pending_purchase().await;
    let event = intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "jpy");
    let body = event.to_string();
    let signature = sign(body.as_bytes(), &app.webhook_secret, now());
    let mut deliveries = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let (http, url, body, signature) =
            (app.http.clone(), app.url("/v1/webhooks/stripe"), body.clone(), signature.clone());
        deliveries.spawn(async move {
            let response = http.post(url).header("stripe-signature", signature).body(body).send().await.unwrap();
            assert_eq!(response.status(), 200);
            response.json::<Value>().await.unwrap()["outcome"].as_str().unwrap().to_owned()
        });
    }
    let outcomes: Vec<String> = deliveries.join_all().await;
    assert_eq!(outcomes.iter().filter(|o| *o == "applied").count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|o| *o == "duplicate").count(), 19, "{outcomes:?}");
    assert_eq!(app.store.event_count().await.unwrap(), 1);
    assert_eq!(app.purchase(&intent).await.status.as_str(), "paid");
}

#[tokio::test]
async fn a_refund_after_payment_locks_the_content_again() {
    let (app, paywall, intent, token) = pending_purchase().await;
    app.send_event(&intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "jpy")).await;
    assert_eq!(app.content(&paywall, Some(&token)).await.status(), 200);
    assert_eq!(outcome(app.send_event(&refund_event(&event_id(), &intent, 100)).await).await, "applied");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "refunded");
    let locked = app.content(&paywall, Some(&token)).await;
    assert_eq!(locked.status(), 402);
    assert!(!locked.text().await.unwrap().contains("WEBHOOK-MARKER"));
}

#[tokio::test]
async fn out_of_order_events_never_downgrade_a_purchase() {
    let (app, _, intent, _) = pending_purchase().await;
    app.send_event(&intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "jpy")).await;
    let late_failure = intent_event(&event_id(), "payment_intent.payment_failed", &intent, 100, "jpy");
    assert_eq!(outcome(app.send_event(&late_failure).await).await, "unchanged");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "paid");

    let (app, _, intent, _) = pending_purchase().await;
    app.send_event(&refund_event(&event_id(), &intent, 100)).await;
    let late_success = intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "jpy");
    assert_eq!(outcome(app.send_event(&late_success).await).await, "unchanged");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "refunded");
}

#[tokio::test]
async fn a_failed_attempt_can_still_be_paid_on_the_same_intent() {
    let (app, paywall, intent, token) = pending_purchase().await;
    let failure = intent_event(&event_id(), "payment_intent.payment_failed", &intent, 100, "jpy");
    assert_eq!(outcome(app.send_event(&failure).await).await, "applied");
    let failed = app.purchase(&intent).await;
    assert_eq!(failed.status.as_str(), "failed");
    assert_eq!(failed.last_error.as_deref(), Some("Your card was declined."));
    let success = intent_event(&event_id(), "payment_intent.succeeded", &intent, 100, "jpy");
    assert_eq!(outcome(app.send_event(&success).await).await, "applied");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "paid");
    assert_eq!(app.content(&paywall, Some(&token)).await.status(), 200);
}

#[tokio::test]
async fn an_event_for_an_unknown_payment_intent_is_acknowledged() {
    let (app, _, intent, _) = pending_purchase().await;
    let event = intent_event(&event_id(), "payment_intent.succeeded", "pi_notplogs", 100, "jpy");
    assert_eq!(outcome(app.send_event(&event).await).await, "unknown_payment_intent");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "pending");
}

#[tokio::test]
async fn an_oversized_webhook_body_is_refused() {
    let (app, _, _, _) = pending_purchase().await;
    let body = format!(r#"{{"id":"evt_big","pad":"{}"}}"#, "x".repeat(300 * 1024));
    let response = app.post_webhook(&body, &sign(body.as_bytes(), &app.webhook_secret, now())).await;
    assert_eq!(response.status(), 413);
    assert_eq!(app.store.event_count().await.unwrap(), 0);
}
