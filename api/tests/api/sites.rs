//! Per-site paywalls: a paywall that lists its blogs' origins sells and unlocks only on their
//! pages. Allowed, refused and missing origins, for info, purchase, content and preflight; an
//! empty list keeps selling everywhere.

use serde_json::{Value, json};

use crate::helpers::*;

const BLOG: &str = "https://my-blog.example";
const OTHER: &str = "https://copycat.example";

async fn paywall_on(app: &TestApp, origins: Value) -> reqwest::Response {
    app.create_paywall_raw(&json!({
        "title": "Only on my blog",
        "price": {"amount": 300, "currency": "jpy"},
        "content_markdown": "paid part",
        "origins": origins,
    }))
    .await
}

async fn get_from(app: &TestApp, path: &str, origin: Option<&str>, token: Option<&str>) -> reqwest::Response {
    let mut request = app.http.get(app.url(path));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

async fn buy_from(app: &TestApp, id: &str, origin: Option<&str>) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url(&format!("/v1/paywalls/{id}/purchases")))
        .header("content-type", "application/json")
        .body("{}");
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

async fn assert_refused(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("access-control-allow-origin").is_none(), "no CORS grant for a refused site");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "origin_not_allowed");
    body["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn origins_are_stored_in_the_spelling_browsers_send_and_bad_ones_change_nothing() {
    let app = TestApp::spawn().await;
    let response = paywall_on(&app, json!(["https://My-Blog.example/", "http://localhost:8081"])).await;
    assert_eq!(response.status(), 201);
    let paywall: Value = response.json().await.unwrap();
    assert_eq!(paywall["origins"], json!(["http://localhost:8081", BLOG]));

    for bad in [
        json!(["my-blog.example"]),
        json!(["https://my-blog.example/post/1"]),
        json!(["javascript:alert(1)"]),
        json!("https://x"),
    ] {
        let response = paywall_on(&app, bad.clone()).await;
        assert!(response.status() == 422, "{bad}: {}", response.status());
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains("origin"), "{bad}: {body}");
    }
    let list: Value = app.admin_get("/v1/admin/paywalls").await.json().await.unwrap();
    assert_eq!(list["paywalls"].as_array().unwrap().len(), 1, "refused paywalls were not created");

    let id = paywall["id"].as_str().unwrap();
    let patched = app
        .http
        .patch(app.url(&format!("/v1/admin/paywalls/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"origins": ["ftp://nope"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 422);
    let unchanged: Value = app.admin_get(&format!("/v1/admin/paywalls/{id}")).await.json().await.unwrap();
    assert_eq!(unchanged["origins"], json!(["http://localhost:8081", BLOG]));
}

#[tokio::test]
async fn a_listed_site_sells_and_unlocks_with_cors_for_itself() {
    let app = TestApp::spawn().await;
    let paywall: Value = paywall_on(&app, json!([BLOG])).await.json().await.unwrap();
    let id = paywall["id"].as_str().unwrap();

    let info = get_from(&app, &format!("/v1/paywalls/{id}"), Some(BLOG), None).await;
    assert_eq!(info.status(), 200);
    assert_eq!(info.headers()["access-control-allow-origin"], BLOG);

    let preflight = app
        .http
        .request(reqwest::Method::OPTIONS, app.url(&format!("/v1/paywalls/{id}/purchases")))
        .header("origin", BLOG)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(preflight.headers()["access-control-allow-origin"], BLOG);

    let created = buy_from(&app, id, Some(BLOG)).await;
    assert_eq!(created.status(), 201);
    let created: plog_shared::api::PurchaseCreated = created.json().await.unwrap();
    let (status, _) = pay_with_card(&created.client_secret, CARD_OK).await;
    assert_eq!(status, 200);
    let content = get_from(&app, &format!("/v1/paywalls/{id}/content"), Some(BLOG), Some(&created.access_token)).await;
    assert_eq!(content.status(), 200);
    assert_eq!(content.headers()["access-control-allow-origin"], BLOG);
    assert!(content.text().await.unwrap().contains("paid part"));
}

#[tokio::test]
async fn another_site_is_refused_everything_and_nothing_is_created() {
    let app = TestApp::spawn().await;
    let paywall: Value = paywall_on(&app, json!([BLOG])).await.json().await.unwrap();
    let id = paywall["id"].as_str().unwrap();

    let message = assert_refused(get_from(&app, &format!("/v1/paywalls/{id}"), Some(OTHER), None).await).await;
    assert!(message.contains(OTHER), "{message}");
    assert_refused(buy_from(&app, id, Some(OTHER)).await).await;
    assert_refused(buy_from(&app, id, Some("null")).await).await;
    let preflight = app
        .http
        .request(reqwest::Method::OPTIONS, app.url(&format!("/v1/paywalls/{id}/purchases")))
        .header("origin", OTHER)
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_refused(preflight).await;

    // Even a paid reader's token does not carry the content to another site.
    let created: plog_shared::api::PurchaseCreated = buy_from(&app, id, Some(BLOG)).await.json().await.unwrap();
    pay_with_card(&created.client_secret, CARD_OK).await;
    assert_refused(
        get_from(&app, &format!("/v1/paywalls/{id}/content"), Some(OTHER), Some(&created.access_token)).await,
    )
    .await;

    let list: Value = app.admin_get("/v1/admin/purchases").await.json().await.unwrap();
    assert_eq!(list["purchases"].as_array().unwrap().len(), 1, "only the allowed site's purchase exists");
}

#[tokio::test]
async fn without_an_origin_a_purchase_is_refused_but_reading_works() {
    let app = TestApp::spawn().await;
    let paywall: Value = paywall_on(&app, json!([BLOG])).await.json().await.unwrap();
    let id = paywall["id"].as_str().unwrap();
    let message = assert_refused(buy_from(&app, id, None).await).await;
    assert!(message.contains("no Origin header"), "{message}");
    assert_eq!(get_from(&app, &format!("/v1/paywalls/{id}"), None, None).await.status(), 200);

    let created: plog_shared::api::PurchaseCreated = buy_from(&app, id, Some(BLOG)).await.json().await.unwrap();
    pay_with_card(&created.client_secret, CARD_OK).await;
    // A same-origin page sends no Origin on GET: the token alone decides.
    let content = get_from(&app, &format!("/v1/paywalls/{id}/content"), None, Some(&created.access_token)).await;
    assert_eq!(content.status(), 200);
}

#[tokio::test]
async fn an_empty_list_sells_everywhere_and_clearing_a_list_reopens_it() {
    let app = TestApp::spawn().await;
    let open = app.create_paywall(100, "jpy", "paid").await;
    for origin in [Some(OTHER), Some("null"), None] {
        assert_eq!(buy_from(&app, &open, origin).await.status(), 201, "{origin:?}");
    }
    let paywall: Value = paywall_on(&app, json!([BLOG])).await.json().await.unwrap();
    let id = paywall["id"].as_str().unwrap();
    assert_eq!(buy_from(&app, id, Some(OTHER)).await.status(), 403);
    let patched = app
        .http
        .patch(app.url(&format!("/v1/admin/paywalls/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"origins": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    assert_eq!(buy_from(&app, id, Some(OTHER)).await.status(), 201);
}

#[tokio::test]
async fn a_list_changed_by_another_process_is_enforced_within_the_cache_s_lifetime() {
    // The origin check reads lists through a 5 s cache; a change made by this process (the
    // tests above) is seen at once, one made elsewhere — another replica, the CLI — within 5 s.
    let app = TestApp::spawn().await;
    let created: Value = paywall_on(&app, json!([])).await.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let info = format!("/v1/paywalls/{id}");
    assert_eq!(get_from(&app, &info, Some(OTHER), None).await.status(), 200, "any site, and now cached");
    app.execute_sql(&format!("update paywalls set origins = 'https://blog.example' where id = '{id}'")).await;
    let deadline = std::time::Instant::now() + plog_api::catalog::ORIGINS_TTL + std::time::Duration::from_secs(1);
    loop {
        let status = get_from(&app, &info, Some(OTHER), None).await.status();
        if status == 403 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "still {status} after the cache's lifetime");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_refused(buy_from(&app, &id, Some(OTHER)).await).await;
}
