//! Stripe failing on purpose: a stand-in Stripe API (a tiny local HTTP server) answers 5xx, 429
//! or nothing at all to PaymentIntent creation. The reader gets a clear, retryable error; no
//! purchase is left payable; retries reuse the idempotency key.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

use crate::helpers::*;

#[derive(Clone, Copy)]
enum Answer {
    Status(u16),
    Hang,
    Succeed,
}

#[derive(Clone, Default)]
struct StandIn {
    plan: Arc<Mutex<VecDeque<Answer>>>,
    keys: Arc<Mutex<Vec<Option<String>>>>,
}

async fn create_intent(State(stand_in): State<StandIn>, headers: HeaderMap) -> Response {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let n = {
        let mut keys = stand_in.keys.lock().unwrap();
        keys.push(key);
        keys.len()
    };
    let answer = stand_in.plan.lock().unwrap().pop_front().unwrap_or(Answer::Succeed);
    match answer {
        Answer::Status(code) => (
            StatusCode::from_u16(code).unwrap(),
            axum::Json(json!({"error": {"type": "api_error", "message": "the stand-in fails on purpose"}})),
        )
            .into_response(),
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        Answer::Succeed => axum::Json(json!({
            "id": format!("pi_standin{n}"), "object": "payment_intent", "client_secret": format!("pi_standin{n}_secret_x"),
            "status": "requires_payment_method", "amount": 100, "currency": "jpy", "created": now(),
            "metadata": {}, "last_payment_error": null,
        }))
        .into_response(),
    }
}

async fn stand_in(plan: &[Answer]) -> (String, StandIn) {
    let state = StandIn { plan: Arc::new(Mutex::new(plan.iter().copied().collect())), ..StandIn::default() };
    let app = axum::Router::new().route("/v1/payment_intents", post(create_intent)).with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, state)
}

async fn app_on(url: String, timeout: u64) -> TestApp {
    TestApp::with(Options {
        webhooks: false,
        stripe_base: Some(url),
        stripe_timeout_secs: timeout,
        ..Options::default()
    })
    .await
}

async fn purchase_count(app: &TestApp) -> usize {
    let list: Value = app.admin_get("/v1/admin/purchases").await.json().await.unwrap();
    list["purchases"].as_array().unwrap().len()
}

fn keys(stand_in: &StandIn) -> Vec<Option<String>> {
    stand_in.keys.lock().unwrap().clone()
}

#[tokio::test]
async fn transient_5xx_are_retried_with_the_same_idempotency_key_and_one_purchase_results() {
    let (url, stand_in) = stand_in(&[Answer::Status(500), Answer::Status(503)]).await;
    let app = app_on(url, 5).await;
    let paywall = app.create_paywall(100, "jpy", "paid").await;
    let created = app.start_purchase(&paywall).await;
    assert_eq!(created.client_secret, "pi_standin3_secret_x");
    let keys = keys(&stand_in);
    assert_eq!(keys.len(), 3);
    assert!(keys[0].as_deref().is_some_and(|k| k.starts_with("plog-purchase-pur_")), "{keys:?}");
    assert!(keys.iter().all(|k| k == &keys[0]), "every attempt carries the same key: {keys:?}");
    assert_eq!(purchase_count(&app).await, 1);
}

#[tokio::test]
async fn stripe_rate_limiting_gives_a_clear_retryable_error_and_no_purchase() {
    let (url, stand_in) = stand_in(&[Answer::Status(429), Answer::Status(429), Answer::Status(429)]).await;
    let app = app_on(url, 5).await;
    let paywall = app.create_paywall(100, "jpy", "paid").await;
    let response = app.start_purchase_raw(&paywall, Some("{}")).await;
    assert_eq!(response.status(), 502);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payment_provider_unavailable");
    assert!(body["error"]["message"].as_str().unwrap().contains("try again"));
    let keys = keys(&stand_in);
    assert_eq!(keys.len(), 3, "three attempts");
    assert!(keys.iter().all(|k| k == &keys[0]));
    assert_eq!(purchase_count(&app).await, 0, "nothing payable was left behind");
}

#[tokio::test]
async fn a_stripe_that_never_answers_times_out_into_a_502_and_no_purchase() {
    let (url, stand_in) = stand_in(&[Answer::Hang, Answer::Hang, Answer::Hang]).await;
    let app = app_on(url, 1).await;
    let paywall = app.create_paywall(100, "jpy", "paid").await;
    let started = Instant::now();
    let response = app.start_purchase_raw(&paywall, Some("{}")).await;
    assert_eq!(response.status(), 502);
    assert!(started.elapsed() < Duration::from_secs(8), "bounded: {:?}", started.elapsed());
    assert_eq!(keys(&stand_in).len(), 3);
    assert_eq!(purchase_count(&app).await, 0);
}

#[tokio::test]
async fn a_refusal_by_stripe_is_not_retried() {
    let (url, stand_in) = stand_in(&[Answer::Status(400)]).await;
    let app = app_on(url, 5).await;
    let paywall = app.create_paywall(100, "jpy", "paid").await;
    assert_eq!(app.start_purchase_raw(&paywall, Some("{}")).await.status(), 502);
    assert_eq!(keys(&stand_in).len(), 1);
    assert_eq!(purchase_count(&app).await, 0);
}

#[tokio::test]
async fn a_request_over_the_time_limit_is_stopped_with_503_and_leaves_nothing() {
    let (url, stand_in) = stand_in(&[Answer::Hang]).await;
    let app = TestApp::with(Options {
        webhooks: false,
        stripe_base: Some(url),
        stripe_timeout_secs: 30,
        extra_args: vec!["--request-timeout-secs".into(), "1".into()],
        ..Options::default()
    })
    .await;
    let paywall = app.create_paywall(100, "jpy", "paid").await;
    let started = Instant::now();
    let response = app.start_purchase_raw(&paywall, Some("{}")).await;
    assert_eq!(response.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(4), "stopped at the limit: {:?}", started.elapsed());
    assert_eq!(response.headers()["retry-after"], "1");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "timeout");
    assert_eq!(keys(&stand_in).len(), 1, "the Stripe call was made once and abandoned");
    assert_eq!(purchase_count(&app).await, 0, "nothing payable was left behind");
}
