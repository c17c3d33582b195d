//! The locked view the loader paints before the widget's code is fetched
//! (`GET /v1/paywalls/{id}/view`): the widget's own components rendered on the server, in the
//! reader's language, for every mode, with prices as the widget writes them; never the content;
//! and the content asked the way the loader asks for a returning reader (no CORS preflight).

use serde_json::{Value, json};

use crate::helpers::*;

const MARKER: &str = "PAINTED-MARKER-5e1a";

async fn view(app: &TestApp, id: &str, query: &str) -> reqwest::Response {
    app.http
        .get(app.url(&format!("/v1/paywalls/{id}/view{query}")))
        .header("origin", "https://a-blog.example")
        .send()
        .await
        .unwrap()
}

async fn view_json(app: &TestApp, id: &str, query: &str) -> Value {
    let response = view(app, id, query).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["access-control-allow-origin"], "https://a-blog.example");
    let text = response.text().await.unwrap();
    assert!(!text.contains(MARKER), "the paid part never reaches the view");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn the_view_is_the_locked_paywall_with_the_info_the_widget_takes_over_from() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(150, "usd", &format!("paid {MARKER}")).await;
    let painted = view_json(&app, &id, "?browser_lang=en-US").await;
    let info: Value = app.paywall_info(&id).await.json().await.unwrap();
    assert_eq!(painted["paywall"], info, "the widget starts from exactly what the info route says");
    assert_eq!(painted["lang"], "en");
    let html = painted["html"].as_str().unwrap();
    assert!(html.starts_with("<div ") && html.contains(r#"class="paywall locked"#), "{html}");
    for text in ["A paid article", "The free part ends here.", "$1.50", ">Buy to read on<", r#"class="card-area""#] {
        assert!(html.contains(text), "{text} in {html}");
    }
    // The card form is rendered at Buy, by its own chunk of the widget's code: the locked view
    // holds only its (empty) container.
    assert!(!html.contains(r#"<slot name="card">"#) && !html.contains(r#"class="pay""#), "{html}");
    assert!(!html.contains("<script"), "{html}");
}

#[tokio::test]
async fn the_language_is_the_tags_then_the_pages_then_the_browsers() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(1000, "jpy", "paid").await;
    let cases = [
        ("?lang=ja&page_lang=en&browser_lang=en", "ja"),
        ("?page_lang=ja-JP&browser_lang=en", "ja"),
        ("?lang=fr&page_lang=de&browser_lang=en-GB", "en"),
        ("", "en"),
    ];
    for (query, lang) in cases {
        let painted = view_json(&app, &id, query).await;
        assert_eq!(painted["lang"], lang, "{query}");
        let html = painted["html"].as_str().unwrap();
        assert!(html.contains(&format!(r#"lang="{lang}""#)), "{query}: {html}");
        let price = if lang == "ja" { "￥1,000" } else { "¥1,000" };
        assert!(html.contains(price), "{query}: {price} in {html}");
        // What the loader says if the widget's code cannot be fetched, in the same language.
        let unavailable =
            if lang == "ja" { "現在この有料部分を表示できません" } else { "not available right now" };
        assert!(painted["unavailable"].as_str().unwrap().contains(unavailable), "{query}: {painted}");
    }
}

#[tokio::test]
async fn every_mode_paints_what_the_reader_chooses_from() {
    let app = TestApp::spawn().await;
    let tip: Value = app
        .create_paywall_raw(&json!({
            "title": "Tip jar", "price": {"amount": 100, "currency": "jpy"}, "content_markdown": "thanks",
            "mode": "tip", "show_count": true,
        }))
        .await
        .json()
        .await
        .unwrap();
    let html = view_json(&app, tip["id"].as_str().unwrap(), "").await["html"].as_str().unwrap().to_owned();
    assert!(html.contains("choose tip has-count"), "{html}");
    for chip in [">¥100<", ">¥500<", ">¥1,000<", "0 tips so far"] {
        assert!(html.contains(chip), "{chip} in {html}");
    }
    let pwyw: Value = app
        .create_paywall_raw(&json!({
            "title": "Pay what you want", "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "paid",
            "mode": "pay_what_you_want", "suggested_amount": 500,
        }))
        .await
        .json()
        .await
        .unwrap();
    let html = view_json(&app, pwyw["id"].as_str().unwrap(), "").await["html"].as_str().unwrap().to_owned();
    assert!(html.contains(r#"class="paywall locked sandbox choose""#), "{html}");
    assert!(html.contains(r#"aria-pressed="true" class="chip">¥500<"#), "the suggested amount is chosen: {html}");
    assert!(html.contains(r#"aria-pressed="false" class="chip">¥300<"#), "{html}");
}

#[tokio::test]
async fn the_creators_text_is_escaped_and_an_asked_notice_is_shown() {
    let app = TestApp::spawn().await;
    let response = app
        .create_paywall_raw(&json!({
            "title": "<img src=x onerror=alert(1)>", "price": {"amount": 100, "currency": "jpy"},
            "content_markdown": "paid",
        }))
        .await;
    let id = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let painted = view_json(&app, &id, "?notice=pass_ended").await;
    let html = painted["html"].as_str().unwrap();
    assert!(!html.contains("<img"), "{html}");
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"), "{html}");
    assert!(html.contains("Your pass has ended."), "{html}");
    assert_eq!(painted["notice"], "pass_ended");
    let unknown = view_json(&app, &id, "?notice=<b>").await;
    assert!(unknown.get("notice").is_none(), "an unknown notice is not shown: {unknown}");
}

#[tokio::test]
async fn an_archived_paywall_paints_as_no_longer_sold_and_an_unknown_one_is_404() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    let archived = app.http.delete(app.url(&format!("/v1/admin/paywalls/{id}"))).bearer_auth(ADMIN_TOKEN).send().await;
    assert_eq!(archived.unwrap().status(), 200);
    let html = view_json(&app, &id, "").await["html"].as_str().unwrap().to_owned();
    assert!(html.contains(r#"class="paywall unavailable archived"#), "{html}");
    let missing = view(&app, "pw_aaaaaaaaaaaaaaaaaaaa", "").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_loader_asks_for_the_content_with_the_token_as_a_plain_body() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let id = app.create_paywall(100, "jpy", &format!("paid {MARKER}")).await;
    let purchase = app.start_purchase(&id).await;
    let ask = |token: &str| {
        app.http
            .post(app.url(&format!("/v1/paywalls/{id}/content")))
            .header("origin", "https://a-blog.example")
            .header("content-type", "text/plain")
            .body(token.to_owned())
            .send()
    };
    let unpaid = ask(&purchase.access_token).await.unwrap();
    assert_eq!(unpaid.status(), 402, "not paid yet");
    assert!(!unpaid.text().await.unwrap().contains(MARKER));
    pay_with_card(&purchase.client_secret, CARD_OK).await;
    // Webhooks are off: the content route settles it from Stripe, which it reads at most every
    // few seconds per purchase; the loader and the widget ask again as this does.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let paid = loop {
        let answer = ask(&format!("{}\n", purchase.access_token)).await.unwrap();
        if answer.status() != 402 || std::time::Instant::now() > deadline {
            break answer;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    };
    assert_eq!(paid.status(), 200);
    assert_eq!(paid.headers()["access-control-allow-origin"], "https://a-blog.example");
    assert!(paid.json::<Value>().await.unwrap()["html"].as_str().unwrap().contains(MARKER));
    for wrong in ["", "not-a-token", &"A".repeat(43)] {
        assert_eq!(ask(wrong).await.unwrap().status(), 402, "{wrong:?}");
    }
}
