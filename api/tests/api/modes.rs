//! Paywall modes: pay what you want (a minimum, a suggestion, a maximum) and tips (presets, a
//! thank-you, a public count). The server decides what is charged: the reader's amount is
//! checked against the mode before any PaymentIntent exists, written into the PaymentIntent by
//! the server, and the webhook's amount is compared with the amount stored for the purchase.

use serde_json::{Value, json};

use crate::helpers::*;

async fn create(app: &TestApp, body: Value) -> reqwest::Response {
    app.create_paywall_raw(&body).await
}

async fn pwyw(app: &TestApp) -> String {
    let response = create(
        app,
        json!({
            "title": "Name your price", "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "PWYW-PAID",
            "mode": "pay_what_you_want", "suggested_amount": 500, "max_amount": 10_000,
        }),
    )
    .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn intents_of(paywall: &str) -> usize {
    let list: Value = reqwest::Client::new()
        .get(format!("{}/v1/payment_intents?limit=100", localstripe()))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["data"].as_array().unwrap().iter().filter(|i| i["metadata"]["paywall_id"] == paywall).count()
}

#[tokio::test]
async fn pay_what_you_want_refuses_every_bad_amount_before_stripe_and_charges_the_chosen_one() {
    let app = TestApp::spawn().await;
    let id = pwyw(&app).await;
    let info: Value = app.paywall_info(&id).await.json().await.unwrap();
    assert_eq!(
        (info["mode"].as_str(), info["suggested"].as_i64(), info["maximum"].as_i64()),
        (Some("pay_what_you_want"), Some(500), Some(10_000))
    );
    assert_eq!(info["price"]["amount"], 300, "the price is the minimum");

    for (body, says) in [
        ("{}", "choose"),
        (r#"{"amount": 299}"#, "at least 300 JPY"),
        (r#"{"amount": -500}"#, "at least 300 JPY"),
        (r#"{"amount": 0}"#, "at least 300 JPY"),
        (r#"{"amount": 10001}"#, "at most 10000 JPY"),
        (r#"{"amount": 99999999999999}"#, "at most 10000 JPY"),
        (r#"{"amount": 1.5}"#, "whole number"),
        (r#"{"amount": 500.0}"#, "whole number"),
        (r#"{"amount": "500"}"#, "whole number"),
        (r#"{"amount": 1e30}"#, "whole number"),
        (r#"{"amount": [500]}"#, "whole number"),
    ] {
        let response = app.start_purchase_raw(&id, Some(body)).await;
        assert_eq!(response.status(), 422, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_amount", "{body}");
        assert!(error["error"]["message"].as_str().unwrap().contains(says), "{body}: {error}");
    }
    let list: Value = app.admin_get("/v1/admin/purchases").await.json().await.unwrap();
    assert_eq!(list["purchases"].as_array().unwrap().len(), 0, "nothing was created");
    assert_eq!(intents_of(&id).await, 0, "no PaymentIntent was created");

    let response = app.start_purchase_raw(&id, Some(r#"{"amount": 700}"#)).await;
    assert_eq!(response.status(), 201);
    let created: plog_shared::api::PurchaseCreated = response.json().await.unwrap();
    let intent = intent_id(&created.client_secret);
    assert_eq!(stripe_intent(&intent).await["amount"], 700, "the server wrote the chosen amount into the intent");
    let (status, _) = pay_with_card(&created.client_secret, CARD_OK).await;
    assert_eq!(status, 200);
    assert_eq!(app.wait_for_status(&intent, "paid").await.price.amount(), 700);
    let content = app.content(&id, Some(&created.access_token)).await;
    assert!(content.text().await.unwrap().contains("PWYW-PAID"));
}

#[tokio::test]
async fn the_webhook_is_checked_against_the_chosen_amount() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let id = pwyw(&app).await;
    let created: plog_shared::api::PurchaseCreated =
        app.start_purchase_raw(&id, Some(r#"{"amount": 700}"#)).await.json().await.unwrap();
    let intent = intent_id(&created.client_secret);
    // A succeeded event for the paywall's minimum is not what this reader agreed to pay.
    let answer: Value = app
        .send_event(&intent_event(&event_id(), "payment_intent.succeeded", &intent, 300, "jpy"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["outcome"], "amount_mismatch");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "pending");
    let answer: Value = app
        .send_event(&intent_event(&event_id(), "payment_intent.succeeded", &intent, 700, "jpy"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["outcome"], "applied");
    assert_eq!(app.purchase(&intent).await.status.as_str(), "paid");
}

#[tokio::test]
async fn a_fixed_price_ignores_any_amount_the_reader_sends() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(400, "jpy", "fixed").await;
    let created: plog_shared::api::PurchaseCreated =
        app.start_purchase_raw(&id, Some(r#"{"amount": 1}"#)).await.json().await.unwrap();
    assert_eq!(stripe_intent(&intent_id(&created.client_secret)).await["amount"], 400);
}

#[tokio::test]
async fn tips_offer_presets_show_their_count_thank_the_reader_and_are_counted_apart() {
    let app = TestApp::spawn().await;
    let response = create(
        &app,
        json!({
            "title": "Tip jar", "price": {"amount": 100, "currency": "jpy"}, "content_markdown": "THANK-YOU-NOTE",
            "mode": "tip", "show_count": true,
        }),
    )
    .await;
    assert_eq!(response.status(), 201);
    let tip_jar: Value = response.json().await.unwrap();
    assert_eq!(tip_jar["preset_amounts"], json!([100, 500, 1000]), "the currency's usual tips by default");
    let id = tip_jar["id"].as_str().unwrap();
    let info: Value = app.paywall_info(id).await.json().await.unwrap();
    assert_eq!(
        (info["mode"].clone(), info["presets"].clone(), info["tip_count"].clone()),
        (json!("tip"), json!([100, 500, 1000]), json!(0))
    );
    assert!(!info.to_string().contains("THANK-YOU-NOTE"), "the thank-you comes after paying");

    let created: plog_shared::api::PurchaseCreated =
        app.start_purchase_raw(id, Some(r#"{"amount": 500}"#)).await.json().await.unwrap();
    pay_with_card(&created.client_secret, CARD_OK).await;
    app.wait_for_status(&intent_id(&created.client_secret), "paid").await;
    let thanks = app.content(id, Some(&created.access_token)).await.text().await.unwrap();
    assert!(thanks.contains("THANK-YOU-NOTE"));
    let info: Value = app.paywall_info(id).await.json().await.unwrap();
    assert_eq!(info["tip_count"], 1);

    let article = app.create_paywall(200, "jpy", "article").await;
    let sale = app.start_purchase(&article).await;
    pay_with_card(&sale.client_secret, CARD_OK).await;
    app.wait_for_status(&intent_id(&sale.client_secret), "paid").await;
    let stats = app.admin_json("/v1/admin/stats").await;
    assert_eq!(
        stats["by_currency"],
        json!([{"currency": "jpy", "paid_count": 1, "revenue": 200, "refunded_count": 0, "disputed_count": 0, "refunded_amount": 0, "tip_count": 1, "tip_revenue": 500, "pass_count": 0, "pass_revenue": 0}])
    );
    let purchases = app.admin_json(&format!("/v1/admin/purchases?paywall={id}")).await;
    assert_eq!(purchases["purchases"][0]["mode"], "tip", "{purchases}");
}

#[tokio::test]
async fn mode_settings_are_validated_and_a_refused_change_writes_nothing() {
    let app = TestApp::spawn().await;
    let base = |extra: Value| {
        let mut body = json!({"title": "T", "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "x"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    for (extra, says) in [
        (json!({"suggested_amount": 500}), "are for the pay_what_you_want and tip modes"),
        (json!({"mode": "pay_what_you_want", "suggested_amount": 200}), "suggested_amount 200 must be between"),
        (json!({"mode": "pay_what_you_want", "max_amount": 100}), "max_amount must be between"),
        (json!({"mode": "pay_what_you_want", "preset_amounts": [500]}), "for the tip mode"),
        (
            json!({"mode": "tip", "preset_amounts": [500, 20000], "max_amount": 10000}),
            "preset amount 20000 must be between",
        ),
        (json!({"mode": "tip", "preset_amounts": [300, 400, 500, 600, 700, 800, 900]}), "at most 6"),
        (json!({"mode": "tip", "suggested_amount": 500}), "tips offer preset_amounts"),
        (json!({"mode": "auction"}), "unknown variant"),
    ] {
        let response = create(&app, base(extra.clone())).await;
        assert_eq!(response.status(), 422, "{extra}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["message"].as_str().unwrap().contains(says), "{extra}: {body}");
    }
    let list: Value = app.admin_get("/v1/admin/paywalls").await.json().await.unwrap();
    assert_eq!(list["paywalls"].as_array().unwrap().len(), 0);

    let id = app.create_paywall(300, "jpy", "x").await;
    let patch = |body: Value| {
        app.http.patch(app.url(&format!("/v1/admin/paywalls/{id}"))).bearer_auth(ADMIN_TOKEN).json(&body).send()
    };
    let refused = patch(json!({"title": "New title", "mode": "tip", "preset_amounts": [100]})).await.unwrap();
    assert_eq!(refused.status(), 422, "a tip below the minimum");
    let unchanged: Value = app.admin_get(&format!("/v1/admin/paywalls/{id}")).await.json().await.unwrap();
    assert_eq!((unchanged["title"].clone(), unchanged["mode"].clone()), (json!("A paid article"), json!("fixed")));
    let tip: Value = patch(json!({"mode": "tip", "show_count": true})).await.unwrap().json().await.unwrap();
    assert_eq!(
        (tip["mode"].clone(), tip["preset_amounts"].clone(), tip["show_count"].clone()),
        (json!("tip"), json!([500, 1000]), json!(true))
    );
    let back: Value = patch(json!({"mode": "fixed"})).await.unwrap().json().await.unwrap();
    assert_eq!(
        (back["preset_amounts"].clone(), back["show_count"].clone()),
        (json!([]), json!(false)),
        "a new mode starts afresh"
    );
}
