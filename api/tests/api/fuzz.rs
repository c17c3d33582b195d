//! Property tests of every parser that sees outside input, through plog's whole router
//! in-process: the webhook's `Stripe-Signature` header and body (unsigned, and signed with the
//! right secret), purchase bodies and paywall ids in paths, and admin bodies for creating and
//! changing paywalls. Whatever comes in: no panic, no 5xx, every refusal a 4xx in the error
//! shape, and a refused change changes nothing.
//!
//! Each property runs `PROPTEST_CASES` cases (proptest's default, 256, in `scripts/test`); the
//! README gives the command for a longer run.

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use plog_api::stripe::webhook::sign;
use proptest::prelude::*;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::*;

struct Fixture {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    paywall: String,
    app: TestApp,
}

/// One app for all properties (its runtime lives as long as the test binary).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let (app, paywall) = runtime.block_on(async {
            let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
            let paywall = app.create_paywall(100, "jpy", "paid").await;
            (app, paywall)
        });
        let peer: SocketAddr = "203.0.113.10:40000".parse().unwrap();
        let router = plog_api::http::router(app.state.clone()).layer(MockConnectInfo(peer));
        Fixture { runtime, router, paywall, app }
    })
}

/// Sends a request through the router; returns status and body text.
fn send(request: Request<Body>) -> (StatusCode, String) {
    let fixture = fixture();
    fixture.runtime.block_on(async {
        let response = fixture.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 4 << 20).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    })
}

/// A refusal must be a 4xx with `{"error":{"code","message"}}`.
fn check_answer(status: StatusCode, body: &str) -> Result<(), TestCaseError> {
    prop_assert!(!status.is_server_error(), "{status}: {body}");
    if status.is_client_error() {
        let parsed: Value =
            serde_json::from_str(body).map_err(|e| TestCaseError::fail(format!("{status} not JSON: {e}: {body}")))?;
        prop_assert!(parsed["error"]["code"].as_str().is_some_and(|c| !c.is_empty()), "{body}");
        prop_assert!(parsed["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    }
    Ok(())
}

fn webhook(signature: &str, body: Vec<u8>) -> Request<Body> {
    Request::post("/v1/webhooks/stripe")
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(Body::from(body))
        .unwrap()
}

/// JSON of any shape, leaning towards the field names plog reads.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_owned()),
        Just("type".to_owned()),
        Just("data".to_owned()),
        Just("object".to_owned()),
        Just("amount".to_owned()),
        Just("currency".to_owned()),
        Just("payment_intent".to_owned()),
        Just("title".to_owned()),
        Just("teaser".to_owned()),
        Just("price".to_owned()),
        Just("content_markdown".to_owned()),
        Just("origins".to_owned()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![
            Just("payment_intent.succeeded".to_owned()),
            Just("charge.refunded".to_owned()),
            Just("jpy".to_owned()),
            Just("https://blog.example".to_owned()),
            "\\PC{0,40}"
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn unsigned_webhooks_are_refused_in_the_error_shape(
        signature in "[ -~]{0,120}|t=-?[0-9]{1,20}(,v1=[0-9a-f]{0,64}){0,3}",
        body in prop::collection::vec(any::<u8>(), 0..600),
    ) {
        let (status, text) = send(webhook(&signature, body));
        prop_assert!(status == StatusCode::BAD_REQUEST, "{status}: {text}");
        check_answer(status, &text)?;
    }

    #[test]
    fn signed_webhooks_of_any_shape_are_handled_or_refused(event in any_json(), raw in prop::collection::vec(any::<u8>(), 0..200), use_raw in any::<bool>()) {
        let body = if use_raw { raw } else { event.to_string().into_bytes() };
        let signature = sign(&body, &fixture().app.webhook_secret, now());
        let (status, text) = send(webhook(&signature, body));
        prop_assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{status}: {text}");
        check_answer(status, &text)?;
    }

    #[test]
    fn purchase_bodies_and_paths_are_parsed_or_refused(body in prop::collection::vec(any::<u8>(), 0..300), json_body in any_json(), id in "\\PC{0,30}", use_json in any::<bool>()) {
        let body = if use_json { json_body.to_string().into_bytes() } else { body };
        // A well-formed id that no paywall has: the body is judged, and no Stripe call is made.
        let request = Request::post("/v1/paywalls/pw_00000000000000000000/purchases")
            .header("content-type", "application/json").body(Body::from(body)).unwrap();
        let (status, text) = send(request);
        prop_assert!(status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND, "{status}: {text}");
        check_answer(status, &text)?;

        let path = format!("/v1/paywalls/{}/content", urlencoding(&id));
        let (status, text) = send(Request::get(path).body(Body::empty()).unwrap());
        check_answer(status, &text)?;
        prop_assert!(status != StatusCode::OK);
    }

    #[test]
    fn admin_bodies_create_valid_paywalls_or_are_refused(body in any_json(), raw in prop::collection::vec(any::<u8>(), 0..200), use_raw in any::<bool>()) {
        let bytes = if use_raw { raw } else { body.to_string().into_bytes() };
        let request = Request::post("/v1/admin/paywalls")
            .header("content-type", "application/json").header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .body(Body::from(bytes)).unwrap();
        let (status, text) = send(request);
        check_answer(status, &text)?;
        if status == StatusCode::CREATED {
            let paywall: Value = serde_json::from_str(&text).unwrap();
            let amount = paywall["price"]["amount"].as_i64().unwrap();
            prop_assert!((50..=99_999_999).contains(&amount), "{paywall}");
            prop_assert!(!paywall["title"].as_str().unwrap().trim().is_empty());
        } else {
            prop_assert!(status.is_client_error(), "{status}: {text}");
        }
    }

    #[test]
    fn a_refused_change_changes_nothing(patch in any_json()) {
        let id = &fixture().paywall;
        let show = || send(Request::get(format!("/v1/admin/paywalls/{id}")).header("authorization", format!("Bearer {ADMIN_TOKEN}")).body(Body::empty()).unwrap()).1;
        let before = show();
        let request = Request::patch(format!("/v1/admin/paywalls/{id}"))
            .header("content-type", "application/json").header("authorization", format!("Bearer {ADMIN_TOKEN}"))
            .body(Body::from(patch.to_string())).unwrap();
        let (status, text) = send(request);
        check_answer(status, &text)?;
        if status.is_client_error() {
            prop_assert_eq!(show(), before);
        } else {
            prop_assert_eq!(status, StatusCode::OK, "{}", text);
        }
    }
}

/// Percent-encodes everything but unreserved characters, so any text can sit in a path.
fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
