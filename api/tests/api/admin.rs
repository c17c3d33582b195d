//! The creator's admin API: authentication, validation, CRUD, stats.

use serde_json::{Value, json};

use crate::helpers::*;

fn valid_paywall() -> Value {
    json!({"title": "T", "price": {"amount": 100, "currency": "jpy"}, "content_markdown": "paid"})
}

async fn paywall_count(app: &TestApp) -> usize {
    let list: Value = app.admin_get("/v1/admin/paywalls").await.json().await.unwrap();
    list["paywalls"].as_array().unwrap().len()
}

#[tokio::test]
async fn admin_routes_require_the_admin_token() {
    let app = TestApp::spawn().await;
    let no_token = app.http.get(app.url("/v1/admin/paywalls")).send().await.unwrap();
    assert_eq!(no_token.status(), 401);
    let body: Value = no_token.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    let wrong =
        app.http.post(app.url("/v1/admin/paywalls")).bearer_auth("wrong").json(&valid_paywall()).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(paywall_count(&app).await, 0);
}

#[tokio::test]
async fn without_a_configured_token_the_admin_api_is_disabled() {
    let app = TestApp::with(Options { admin_token: false, ..Options::default() }).await;
    let response = app.http.get(app.url("/v1/admin/stats")).bearer_auth("anything").send().await.unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["message"].as_str().unwrap().contains("PLOG_ADMIN_TOKEN"));
}

#[tokio::test]
async fn invalid_paywalls_get_clear_errors_and_create_nothing() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"title": "T", "price": {"amount": 100, "currency": "xyz"}, "content_markdown": "p"}),
            422,
            "not supported",
        ),
        (json!({"title": "T", "price": {"amount": 49, "currency": "jpy"}, "content_markdown": "p"}), 422, "minimum"),
        (json!({"title": "T", "price": {"amount": 49, "currency": "usd"}, "content_markdown": "p"}), 422, "0.50 USD"),
        (json!({"title": "T", "price": {"amount": -5, "currency": "usd"}, "content_markdown": "p"}), 422, "minimum"),
        (
            json!({"title": "T", "price": {"amount": 1.5, "currency": "usd"}, "content_markdown": "p"}),
            422,
            "invalid JSON body",
        ),
        (
            json!({"title": "T", "price": {"amount": "100", "currency": "jpy"}, "content_markdown": "p"}),
            422,
            "invalid JSON body",
        ),
        (json!({"title": " ", "price": {"amount": 100, "currency": "jpy"}, "content_markdown": "p"}), 422, "title"),
        (
            json!({"title": "T", "price": {"amount": 100, "currency": "jpy"}, "content_markdown": ""}),
            422,
            "content_markdown",
        ),
        (json!({"title": "T", "price": {"amount": 100, "currency": "jpy"}}), 422, "content_markdown"),
        (
            json!({"title": "T", "price": {"amount": 100, "currency": "jpy"}, "content_markdown": "p", "extra": 1}),
            422,
            "unknown field",
        ),
    ];
    for (body, status, needle) in cases {
        let response = app.create_paywall_raw(&body).await;
        assert_eq!(response.status().as_u16(), status, "{body}");
        let error: Value = response.json().await.unwrap();
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{body} → {message}");
    }
    let malformed = app
        .http
        .post(app.url("/v1/admin/paywalls"))
        .bearer_auth(ADMIN_TOKEN)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let not_json =
        app.http.post(app.url("/v1/admin/paywalls")).bearer_auth(ADMIN_TOKEN).body("title=T").send().await.unwrap();
    assert_eq!(not_json.status(), 415);
    assert_eq!(paywall_count(&app).await, 0);
}

#[tokio::test]
async fn a_paywall_is_created_with_sanitized_content_and_its_tag() {
    let app = TestApp::spawn().await;
    let response = app
        .create_paywall_raw(&json!({
            "title": "Hostile",
            "price": {"amount": 100, "currency": "JPY"},
            "content_markdown": "Hi <script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))",
        }))
        .await;
    assert_eq!(response.status(), 201);
    let paywall: Value = response.json().await.unwrap();
    let html = paywall["content_html"].as_str().unwrap();
    assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("javascript:"), "{html}");
    assert_eq!(paywall["price"]["currency"], "jpy");
    let id = paywall["id"].as_str().unwrap();
    assert_eq!(paywall["tag"], format!(r#"<script src="{}/plog.js" data-paywall="{id}" async></script>"#, app.address));
}

#[tokio::test]
async fn paywalls_can_be_read_changed_and_archived() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(100, "jpy", "old").await;
    let shown: Value = app.admin_get(&format!("/v1/admin/paywalls/{id}")).await.json().await.unwrap();
    assert_eq!(shown["status"], "active");

    let patch = |body: Value| {
        app.http.patch(app.url(&format!("/v1/admin/paywalls/{id}"))).bearer_auth(ADMIN_TOKEN).json(&body).send()
    };
    let changed: Value =
        patch(json!({"title": "New", "price": {"amount": 2, "currency": "usd"}})).await.unwrap().json().await.unwrap();
    assert_eq!(changed["error"]["code"], "invalid_body", "below minimum refused: {changed}");
    let changed: Value = patch(json!({"title": "New", "teaser": "", "content_markdown": "**new**"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(changed["title"], "New");
    assert_eq!(changed["teaser"], Value::Null);
    assert_eq!(changed["price"]["amount"], 100, "the refused price change was not applied");
    assert!(changed["content_html"].as_str().unwrap().contains("<strong>new</strong>"));

    let archived =
        app.http.delete(app.url(&format!("/v1/admin/paywalls/{id}"))).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    let archived: Value = archived.json().await.unwrap();
    assert_eq!(archived["status"], "archived");
    let info: Value = app.paywall_info(&id).await.json().await.unwrap();
    assert_eq!(info["status"], "archived");
    assert_eq!(app.admin_get("/v1/admin/paywalls/pw_aaaaaaaaaaaaaaaaaaaa").await.status(), 404);
}

#[tokio::test]
async fn stats_are_reported_per_currency_and_never_summed_across_currencies() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let yen = app.create_paywall(100, "jpy", "yen").await;
    let dollars = app.create_paywall(250, "usd", "dollars").await;
    for (paywall, pays) in [(&yen, true), (&yen, true), (&yen, false), (&dollars, true)] {
        let purchase = app.start_purchase(paywall).await;
        if pays {
            let event = intent_event(
                &event_id(),
                "payment_intent.succeeded",
                &intent_id(&purchase.client_secret),
                if paywall == &yen { 100 } else { 250 },
                if paywall == &yen { "jpy" } else { "usd" },
            );
            app.send_event(&event).await;
        }
    }
    let stats: Value = app.admin_get("/v1/admin/stats").await.json().await.unwrap();
    assert_eq!(stats["paywalls"], 2);
    assert_eq!(stats["purchases_started"], 4);
    assert_eq!(
        stats["by_currency"],
        json!([
            {"currency": "jpy", "paid_count": 2, "revenue": 200, "refunded_count": 0, "disputed_count": 0, "refunded_amount": 0, "tip_count": 0, "tip_revenue": 0, "pass_count": 0, "pass_revenue": 0},
            {"currency": "usd", "paid_count": 1, "revenue": 250, "refunded_count": 0, "disputed_count": 0, "refunded_amount": 0, "tip_count": 0, "tip_revenue": 0, "pass_count": 0, "pass_revenue": 0},
        ])
    );
    let only_yen: Value = app.admin_get(&format!("/v1/admin/purchases?paywall={yen}")).await.json().await.unwrap();
    assert_eq!(only_yen["purchases"].as_array().unwrap().len(), 3);
    assert!(!only_yen.to_string().contains("token"), "tokens are never listed");
    assert_eq!(app.admin_get("/v1/admin/purchases?limit=0").await.status(), 400);
    assert_eq!(app.admin_get("/v1/admin/purchases?bogus=1").await.status(), 400);
}

#[tokio::test]
async fn openapi_json_describes_every_route_a_client_calls_its_bodies_and_the_error_shape() {
    let app = TestApp::spawn().await;
    let response = app.http.get(app.url("/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
    let paths = doc["paths"].as_object().unwrap();
    let mut operations: Vec<String> = paths
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().map(move |m| format!("{} {path}", m.to_uppercase())))
        .collect();
    operations.sort();
    let (admin, reader): (Vec<String>, Vec<String>) = operations.into_iter().partition(|o| o.contains(" /v1/admin/"));
    assert_eq!(
        reader,
        [
            "GET /v1/paywalls/{id}",
            "GET /v1/paywalls/{id}/content",
            "GET /v1/paywalls/{id}/view",
            "POST /v1/paywalls/{id}/content",
            "POST /v1/paywalls/{id}/discount",
            "POST /v1/paywalls/{id}/gift",
            "POST /v1/paywalls/{id}/purchases",
            "POST /v1/paywalls/{id}/receipt",
            "POST /v1/paywalls/{id}/views",
            "POST /v1/restore",
            "POST /v1/restore/{id}",
        ]
    );
    let operations = admin;
    assert_eq!(
        operations,
        [
            "DELETE /v1/admin/discounts/{id}",
            "DELETE /v1/admin/gifts/{id}",
            "DELETE /v1/admin/passes/{id}",
            "DELETE /v1/admin/paywalls/{id}",
            "DELETE /v1/admin/tokens/{id}",
            "GET /v1/admin/discounts",
            "GET /v1/admin/gifts",
            "GET /v1/admin/passes",
            "GET /v1/admin/passes/{id}",
            "GET /v1/admin/paywalls",
            "GET /v1/admin/paywalls/{id}",
            "GET /v1/admin/purchases",
            "GET /v1/admin/stats",
            "GET /v1/admin/tokens",
            "GET /v1/admin/wallet-domains",
            "PATCH /v1/admin/passes/{id}",
            "PATCH /v1/admin/paywalls/{id}",
            "POST /v1/admin/discounts",
            "POST /v1/admin/passes",
            "POST /v1/admin/paywalls",
            "POST /v1/admin/paywalls/{id}/gifts",
            "POST /v1/admin/tokens",
        ]
    );
    // Each documented operation is a real route that wants the admin token.
    let id = app.create_paywall(100, "jpy", "x").await;
    for operation in &operations {
        let (method, path) = operation.split_once(' ').unwrap();
        let url = app.url(&path.replace("{id}", &id));
        let request =
            app.http.request(method.parse().unwrap(), url).header("content-type", "application/json").body("{}");
        assert_eq!(request.send().await.unwrap().status(), 401, "{operation}");
    }
    // Each documented reader operation is a real route (not the fallback, not another method),
    // open without the admin token.
    for operation in &reader {
        let (method, path) = operation.split_once(' ').unwrap();
        let url = app.url(&path.replace("{id}", &id));
        let request =
            app.http.request(method.parse().unwrap(), url).header("content-type", "application/json").body("{}");
        let response = request.send().await.unwrap();
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(status != 405 && status != 401 && !body.contains("no such route"), "{operation}: {status} {body}");
        let method = method.to_lowercase();
        assert_eq!(paths[path][&method]["tags"], json!(["reader"]), "{operation}");
        let security = &paths[path][&method]["security"];
        assert!(
            security == &json!([{}]) || security == &json!([{"access_token": []}]),
            "{operation} needs no admin token: {security}"
        );
    }
    let purchase = &paths["/v1/paywalls/{id}/purchases"]["post"];
    assert_eq!(
        purchase["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PurchaseRequest"
    );
    assert_eq!(
        purchase["responses"]["201"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PurchaseCreated"
    );
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ErrorBody",
        "ErrorDetail",
        "NewPaywall",
        "PaywallPatch",
        "AdminPaywall",
        "AdminPurchase",
        "Stats",
        "DayStats",
        "Price",
        "ErrorCode",
        "PaywallInfo",
        "PaintedView",
        "PurchaseRequest",
        "PurchaseCreated",
        "PaidContent",
        "RestoreRequest",
        "CodeRequest",
    ] {
        assert!(schemas.contains_key(name), "{name} in {:?}", schemas.keys().collect::<Vec<_>>());
    }
    assert_eq!(schemas["ErrorBody"]["required"], json!(["error"]));
    let documented_codes = schemas["ErrorCode"]["enum"].as_array().unwrap();
    for code in plog_shared::ErrorCode::ALL {
        assert!(documented_codes.contains(&json!(code.as_str())), "{code} is not documented");
    }
    assert_eq!(schemas["PaywallMode"]["enum"], json!(["fixed", "pay_what_you_want", "tip"]));
    assert_eq!(doc["components"]["securitySchemes"]["admin_token"]["scheme"], "bearer");
    let created = &paths["/v1/admin/paywalls"]["post"];
    assert_eq!(
        created["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/NewPaywall"
    );
    assert_eq!(
        created["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
    for (path, method) in [("/v1/admin/stats", "get"), ("/v1/admin/paywalls/{id}", "delete")] {
        for status in ["401", "503"] {
            assert_eq!(
                paths[path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"],
                "#/components/schemas/ErrorBody",
                "{method} {path} {status}"
            );
        }
    }
    let filters: Vec<&str> = paths["/v1/admin/purchases"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(filters, ["paywall", "since", "until", "status", "limit"]);
}

/// M3 of the review: 500 wrong admin tokens got 500 × 401, then the right one 200 — guessing
/// was unlimited on `/v1/admin/*` and `/metrics`. One failure limiter now covers every
/// admin-token check (API, `/metrics`, dashboard sign-in), keyed like the purchase limits
/// (IPv6 by /56); beyond it, even the right token is refused unread, and refusals are counted.
#[tokio::test]
async fn wrong_admin_tokens_are_limited_across_the_api_metrics_and_sign_in_and_counted() {
    let app = TestApp::with(Options {
        extra_args: vec!["--trusted-proxies".into(), "127.0.0.1".into()],
        ..Options::default()
    })
    .await;
    let from = |client: &str, path: &str, token: &str| {
        app.http.get(app.url(path)).header("x-forwarded-for", client).bearer_auth(token).send()
    };
    let guesser = "2001:db8:7:100::1";
    for n in 0..10 {
        let path = if n % 2 == 0 { "/v1/admin/paywalls" } else { "/metrics" };
        assert_eq!(from(guesser, path, "a-wrong-guess").await.unwrap().status(), 401, "guess {n}");
    }
    let limited = from(guesser, "/v1/admin/paywalls", "a-wrong-guess").await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
    for path in ["/v1/admin/paywalls", "/metrics"] {
        let right = from("2001:db8:7:1ff::2", path, ADMIN_TOKEN).await.unwrap();
        assert_eq!(right.status(), 429, "{path}: the right token from the same /56 is refused unread");
    }
    // The dashboard's sign-in form is the same limiter.
    let sign_in = app
        .http
        .post(app.url("/admin/sign-in"))
        .header("x-forwarded-for", guesser)
        .form(&[("token", ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(sign_in.status(), 429);
    // Another address is unaffected, and the metrics count what was refused.
    let metrics = from("203.0.113.50", "/metrics", ADMIN_TOKEN).await.unwrap().text().await.unwrap();
    let count = |result: &str| {
        let series = format!("plog_admin_token_refusals_total{{result=\"{result}\"}} ");
        metrics.lines().find_map(|l| l.strip_prefix(&series)?.parse::<f64>().ok()).unwrap_or(0.0)
    };
    assert_eq!((count("wrong"), count("limited")), (10.0, 4.0), "{metrics}");
}
