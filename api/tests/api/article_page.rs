//! The article page, `GET /r/{id}`: the free part sanitized like the paid part, the locked
//! paywall painted without JavaScript and never the paid part, the preview tags, a 404 page for
//! unknown, malformed and archived ids, `ETag` and 304, a strict CSP and no cookie; a per-site
//! paywall sells on its own page (plog's origin is one of its sites) and still nowhere else.

use reqwest::header;
use serde_json::{Value, json};

use crate::helpers::*;

async fn article(app: &TestApp, more: Value) -> String {
    let mut body = json!({
        "title": "Ramen in Sapporo", "teaser": "Where the locals queue.",
        "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "PAID-PART-SECRET",
        "free_markdown": "The **free** part.\n\n<script>alert(1)</script>\n\n[a link](javascript:alert(2))",
    });
    body.as_object_mut().unwrap().extend(more.as_object().unwrap().clone());
    let response = app.create_paywall_raw(&body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn get(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.http.get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn the_page_shows_the_sanitized_free_part_and_the_painted_paywall_never_the_paid_part() {
    let app = TestApp::spawn().await;
    let id = article(&app, json!({"image_url": "https://images.example/ramen.jpg"})).await;
    let response = get(&app, &format!("/r/{id}"), &[("accept-language", "en-GB,en;q=0.8")]).await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert_eq!(response.headers()[header::CACHE_CONTROL], "public, max-age=60");
    let page = response.text().await.unwrap();
    assert!(page.contains("The <strong>free</strong> part."), "{page}");
    assert!(!page.contains("alert(1)") && !page.contains("javascript:"), "sanitized like the paid part: {page}");
    assert!(!page.contains("PAID-PART-SECRET"), "no paid content before payment");
    assert!(page.contains(r#"<template shadowrootmode="open">"#), "painted without JavaScript");
    assert!(page.contains("¥300") && page.contains("Buy to read on"), "{page}");
    assert!(page.contains("<noscript>"), "{page}");
    assert!(page.contains(&format!(r#"<script src="/plog.js" data-paywall="{id}""#)), "the loader takes it over");
    assert!(page.contains(r#"<meta property="og:image" content="https://images.example/ramen.jpg">"#), "{page}");
    assert!(page.contains(&format!(r#"<link rel="canonical" href="{}">"#, app.url(&format!("/r/{id}")))), "{page}");
    // The admin API gives the creator the link; the dashboard, the link and its QR code.
    let link = app.url(&format!("/r/{id}"));
    let admin = app.admin_json(&format!("/v1/admin/paywalls/{id}")).await;
    assert_eq!(admin["page_url"], link);
    let (cookie, _) = crate::dashboard::sign_in(&app).await;
    let (_, _, dashboard) = crate::dashboard::get(&app, &cookie, &format!("/admin/paywalls/{id}")).await;
    assert!(dashboard.contains(&format!("<code>{link}</code>")) && dashboard.contains("<svg"), "{dashboard}");
    let (status, headers, svg) =
        crate::dashboard::get(&app, &cookie, &format!("/admin/paywalls/{id}/pay-link.svg")).await;
    assert_eq!((status, headers[header::CONTENT_TYPE].to_str().unwrap()), (200, "image/svg+xml"));
    assert!(svg.starts_with("<svg"), "{svg}");
}

#[tokio::test]
async fn an_unknown_malformed_or_archived_paywall_has_no_page() {
    let app = TestApp::spawn().await;
    let id = article(&app, json!({})).await;
    for path in ["/r/pw_abcdefghij0123456789".to_owned(), "/r/not-an-id".to_owned()] {
        let response = get(&app, &path, &[]).await;
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.text().await.unwrap().contains("There is no article for sale at this address."));
    }
    let archived =
        app.http.delete(app.url(&format!("/v1/admin/paywalls/{id}"))).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(archived.status(), 200);
    let response = get(&app, &format!("/r/{id}"), &[("accept-language", "ja")]).await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("このアドレスで販売中の記事はありません。"));
}

#[tokio::test]
async fn the_page_answers_304_to_its_own_etag_and_a_new_one_after_a_change() {
    let app = TestApp::spawn().await;
    let id = article(&app, json!({})).await;
    let first = get(&app, &format!("/r/{id}"), &[]).await;
    let etag = first.headers()[header::ETAG].to_str().unwrap().to_owned();
    let again = get(&app, &format!("/r/{id}"), &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()[header::ETAG].to_str().unwrap(), etag);
    assert!(again.text().await.unwrap().is_empty());
    let changed = app
        .http
        .patch(app.url(&format!("/v1/admin/paywalls/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"free_markdown": "A new free part."}))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let after = get(&app, &format!("/r/{id}"), &[("if-none-match", &etag)]).await;
    assert_eq!(after.status(), 200, "the page changed, so the old ETag no longer matches");
    assert!(after.text().await.unwrap().contains("A new free part."));
}

#[tokio::test]
async fn a_per_site_paywall_sells_on_its_own_page_and_still_nowhere_else() {
    let app = TestApp::spawn().await;
    let id = article(&app, json!({"origins": ["https://someones-blog.example"]})).await;
    let buy = async |origin: &str| {
        let url = app.url(&format!("/v1/paywalls/{id}/purchases"));
        app.http.post(url).header("origin", origin).send().await.unwrap().status()
    };
    assert_eq!(buy(&app.address).await, 201, "plog's own origin (the article page) is one of its sites");
    assert_eq!(buy("https://someones-blog.example").await, 201);
    assert_eq!(buy("https://copycat.example").await, 403);
}

#[tokio::test]
async fn links_the_page_names_must_be_http_urls() {
    let app = TestApp::spawn().await;
    for (field, value) in [("image_url", "javascript:alert(1)"), ("canonical_url", "not a url")] {
        let response = app
            .create_paywall_raw(&json!({
                "title": "T", "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "x", field: value,
            }))
            .await;
        assert_eq!(response.status(), 422, "{field}");
        assert!(response.text().await.unwrap().contains(field));
    }
}

#[tokio::test]
async fn a_view_from_the_article_page_counts_and_a_dashboard_preview_does_not() {
    let app = TestApp::spawn().await;
    let id = article(&app, json!({})).await;
    let beacon = async |referer: String| {
        let url = app.url(&format!("/v1/paywalls/{id}/views"));
        app.http.post(url).header("origin", &app.address).header("referer", referer).send().await.unwrap().status()
    };
    assert_eq!(beacon(app.url(&format!("/admin/paywalls/{id}"))).await, 204);
    assert_eq!(beacon(app.url(&format!("/r/{id}"))).await, 204);
    let stats = app.admin_json("/v1/admin/stats").await;
    assert_eq!(stats["conversion"]["views"], 1, "{stats}");
}
