//! The public routes the widget uses: paywall info, purchase creation, content — and the
//! clear errors they give for bad input.

use serde_json::Value;

use crate::helpers::*;

const MARKER: &str = "PUBLIC-MARKER-91c2";

#[tokio::test]
async fn paywall_info_has_the_price_and_stripe_settings_but_never_the_content() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(150, "usd", &format!("paid {MARKER}")).await;
    let response = app
        .http
        .get(app.url(&format!("/v1/paywalls/{id}")))
        .header("origin", "https://a-blog.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "https://a-blog.example");
    let vary = response
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    assert!(vary.contains("origin"), "caches must key the CORS answer by origin: {vary}");
    let text = response.text().await.unwrap();
    assert!(!text.contains(MARKER));
    let info: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(info["id"], id.as_str());
    assert_eq!(info["title"], "A paid article");
    assert_eq!(info["teaser"], "The free part ends here.");
    assert_eq!(info["price"], serde_json::json!({"amount": 150, "currency": "usd"}));
    assert_eq!(info["stripe"]["publishable_key"], PUBLISHABLE_KEY);
    assert_eq!(info["stripe"]["js_url"], plog_api::stripe::STRIPE_JS_URL);
}

#[tokio::test]
async fn unknown_and_malformed_paywall_ids_are_404_in_the_error_shape() {
    let app = TestApp::spawn().await;
    for id in ["pw_aaaaaaaaaaaaaaaaaaaa", "nope", "pw_..%2F..%2Fetc"] {
        let response = app.paywall_info(id).await;
        assert_eq!(response.status(), 404, "{id}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
        assert!(body["error"]["message"].as_str().unwrap().contains("paywall"));
        assert_eq!(app.start_purchase_raw(id, Some("{}")).await.status(), 404);
        assert_eq!(app.content(id, None).await.status(), 404);
    }
}

#[tokio::test]
async fn the_content_route_answers_402_without_a_paid_token_and_never_leaks_the_content() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let first = app.create_paywall(100, "jpy", &format!("first {MARKER}")).await;
    let second = app.create_paywall(100, "jpy", "second").await;
    let purchase = app.start_purchase(&second).await;
    pay_with_card(&purchase.client_secret, CARD_OK).await;
    assert_eq!(app.content(&second, Some(&purchase.access_token)).await.status(), 200);

    let garbage = "A".repeat(43);
    let mut flipped = purchase.access_token.clone();
    let last = if flipped.ends_with('A') { "B" } else { "A" };
    flipped.replace_range(flipped.len() - 1.., last);
    let cases: [(Option<&str>, &str); 5] = [
        (None, "no token"),
        (Some("not-a-token"), "malformed token"),
        (Some(&garbage), "unknown token"),
        (Some(&flipped), "one character changed"),
        (Some(&purchase.access_token), "another paywall's paid token"),
    ];
    for (token, why) in cases {
        let response = app.content(&first, token).await;
        assert_eq!(response.status(), 402, "{why}");
        let text = response.text().await.unwrap();
        assert!(!text.contains(MARKER), "{why}");
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["error"]["code"], "payment_required", "{why}");
    }
}

#[tokio::test]
async fn a_malformed_purchase_body_is_refused_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    for body in ["{oops", "[1,2]", "\"text\""] {
        let response = app.start_purchase_raw(&id, Some(body)).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "bad_request");
    }
    let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(70 * 1024));
    assert_eq!(app.start_purchase_raw(&id, Some(&big)).await.status(), 413);
    let purchases: Value = app.admin_get("/v1/admin/purchases").await.json().await.unwrap();
    assert_eq!(purchases["purchases"].as_array().unwrap().len(), 0);
    assert_eq!(app.start_purchase_raw(&id, None).await.status(), 201, "an absent body is fine");
}

#[tokio::test]
async fn health_and_readiness_answer_and_unknown_routes_are_json_404() {
    let app = TestApp::spawn().await;
    let health = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"));
    assert_eq!(app.http.get(app.url("/readyz")).send().await.unwrap().status(), 200);
    let missing = app.http.get(app.url("/v1/nothing-here")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
}

#[tokio::test]
async fn cors_preflight_allows_the_widget_from_any_blog() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .request(reqwest::Method::OPTIONS, app.url("/v1/paywalls/pw_aaaaaaaaaaaaaaaaaaaa/content"))
        .header("origin", "https://someones-blog.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    assert_eq!(response.headers()["access-control-allow-origin"], "https://someones-blog.example");
    let allowed = response.headers()["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
}

#[tokio::test]
async fn the_widget_files_are_served_for_any_origin_with_the_right_types_and_caching() {
    let dist = tempfile::tempdir().unwrap();
    std::fs::write(
        dist.path().join("plog.js"),
        "import('/widget/__PLOG_WIDGET_JS__'); '__PLOG_WIDGET_WASM__'; '__PLOG_WIDGET_CHUNKS__';",
    )
    .unwrap();
    std::fs::write(dist.path().join("plog-widget-abc123.js"), "export default 1;").unwrap();
    std::fs::write(dist.path().join("plog-widget-abc123_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    // A split build's chunks' loader and one chunk (scripts/build-widget).
    std::fs::write(dist.path().join("plog-widget-abc123-chunks.js"), "export const x = 1;").unwrap();
    std::fs::write(dist.path().join("plog-widget-abc123-split_checkout.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(dist.path().join("index.html"), "<!doctype html>").unwrap();
    let app = TestApp::with(Options { widget_dir: Some(dist.path().to_owned()), ..Options::default() }).await;

    let loader = app.http.get(app.url("/plog.js")).send().await.unwrap();
    assert_eq!(loader.status(), 200);
    assert_eq!(loader.headers()["access-control-allow-origin"], "*");
    assert!(loader.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
    assert_eq!(loader.headers()["cache-control"], "public, max-age=300");
    let text = loader.text().await.unwrap();
    assert!(text.contains("plog-widget-abc123.js") && text.contains("plog-widget-abc123_bg.wasm"), "{text}");
    assert!(text.contains("'plog-widget-abc123-chunks.js'") && !text.contains("__PLOG_"), "{text}");

    let wasm = app.http.get(app.url("/widget/plog-widget-abc123_bg.wasm")).send().await.unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["access-control-allow-origin"], "*");
    assert_eq!(wasm.headers()["cache-control"], "public, max-age=31536000, immutable");
    let chunk = app.http.get(app.url("/widget/plog-widget-abc123-split_checkout.wasm")).send().await.unwrap();
    assert_eq!(chunk.headers()["content-type"], "application/wasm");
    assert_eq!(chunk.headers()["cache-control"], "public, max-age=31536000, immutable");
    let page = app.http.get(app.url("/widget/index.html")).send().await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert_eq!(app.http.get(app.url("/widget/../Cargo.toml")).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn without_a_widget_folder_the_build_embedded_in_the_binary_is_served() {
    // The binary carries the Trunk build that was in dist/ when it was compiled.
    let app = TestApp::spawn().await;
    let hash = plog_api::widget_build::EMBEDDED_HASH;
    let loader = app.http.get(app.url("/plog.js")).send().await.unwrap().text().await.unwrap();
    assert!(loader.contains(&format!("plog-widget-{hash}_bg.wasm")), "{loader}");
    let wasm = app.http.get(app.url(&format!("/widget/plog-widget-{hash}_bg.wasm"))).send().await.unwrap();
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    let bytes = wasm.bytes().await.unwrap();
    assert!(bytes.starts_with(b"\0asm"), "not WebAssembly");
    let glue = app.http.get(app.url(&format!("/widget/plog-widget-{hash}.js"))).send().await.unwrap();
    assert_eq!(glue.headers()["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(glue.status(), 200);
    let missing = app.http.get(app.url("/widget/plog-widget-nothere.js")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
}

#[tokio::test]
async fn without_a_widget_build_the_loader_route_says_how_to_build_it() {
    let empty = tempfile::tempdir().unwrap();
    let app = TestApp::with(Options { widget_dir: Some(empty.path().to_owned()), ..Options::default() }).await;
    let response = app.http.get(app.url("/plog.js")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "widget_not_built");
}

#[tokio::test]
async fn the_sandbox_routes_exist_only_in_sandbox_mode() {
    let app = TestApp::spawn().await;
    assert_eq!(app.http.get(app.url("/sandbox/stripe.js")).send().await.unwrap().status(), 404);
    let confirm = app.http.post(app.url("/sandbox/confirm")).json(&serde_json::json!({})).send().await.unwrap();
    assert_eq!(confirm.status(), 404);
    let clock = app
        .http
        .post(app.url("/sandbox/clock"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&serde_json::json!({"advance_secs": 86_400}))
        .send()
        .await
        .unwrap();
    assert_eq!(clock.status(), 404, "no clock to move outside the sandbox");
    let info: Value = app.paywall_info(&app.create_paywall(100, "jpy", "x").await).await.json().await.unwrap();
    assert_eq!(info["stripe"]["js_url"], plog_api::stripe::STRIPE_JS_URL);
}

#[tokio::test]
async fn the_sandbox_clock_moves_only_for_the_admin_token_and_within_ten_years() {
    let app = TestApp::with(Options { extra_args: vec!["--sandbox".into()], ..Options::default() }).await;
    let advance = |token: Option<&'static str>, secs: i64| {
        let request = app.http.post(app.url("/sandbox/clock")).json(&serde_json::json!({"advance_secs": secs}));
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        async move { request.send().await.unwrap() }
    };
    let before = app.clock.now();
    assert_eq!(advance(None, 86_400).await.status(), 401, "no token");
    assert_eq!(advance(Some("wrong-token-wrong-token-wrong-token"), 86_400).await.status(), 401);
    assert_eq!(advance(Some(ADMIN_TOKEN), 11 * 366 * 86_400).await.status(), 422, "beyond ten years");
    assert!(app.clock.now() - before < 60, "nothing refused moved the clock");
    let moved = advance(Some(ADMIN_TOKEN), 30 * 86_400).await;
    assert_eq!(moved.status(), 200);
    let now = moved.json::<Value>().await.unwrap()["now"].as_i64().unwrap();
    assert!(now - before >= 30 * 86_400 && now - before < 30 * 86_400 + 60, "moved 30 days: {now} from {before}");
    assert!(app.clock.now() >= now, "the server's clock is the one that moved");
}
