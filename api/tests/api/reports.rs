//! The creator's report (`GET /v1/admin/stats`): views counted by the widget's beacon, purchases
//! started and paid, per currency, per day and per paywall, for a period and a site.

use serde_json::{Value, json};

use crate::helpers::*;

/// Creates a paywall selling on the given sites; returns its id.
async fn paywall(app: &TestApp, amount: i64, currency: &str, origins: &[&str]) -> String {
    let response = app
        .create_paywall_raw(
            &json!({"title": format!("{currency} article"), "price": {"amount": amount, "currency": currency},
            "content_markdown": "paid", "origins": origins}),
        )
        .await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn view(app: &TestApp, id: &str, origin: &str) -> u16 {
    app.http
        .post(app.url(&format!("/v1/paywalls/{id}/views")))
        .header("origin", origin)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Starts a purchase from the site and, if `pays`, delivers its signed success event.
async fn sale(app: &TestApp, id: &str, origin: &str, amount: i64, currency: &str, pays: bool) {
    let response = app
        .http
        .post(app.url(&format!("/v1/paywalls/{id}/purchases")))
        .header("origin", origin)
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let created: plog_shared::api::PurchaseCreated = response.json().await.unwrap();
    if pays {
        let event =
            intent_event(&event_id(), "payment_intent.succeeded", &intent_id(&created.client_secret), amount, currency);
        assert_eq!(app.send_event(&event).await.status(), 200);
    }
}

#[tokio::test]
async fn views_purchases_and_takings_are_reported_per_paywall_day_currency_and_site() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let (a, b) = ("https://a.example", "https://b.example");
    let yen = paywall(&app, 100, "jpy", &[a]).await;
    let dollars = paywall(&app, 250, "usd", &[b]).await;
    let anywhere = paywall(&app, 300, "jpy", &[]).await;

    for _ in 0..3 {
        assert_eq!(view(&app, &yen, a).await, 204);
    }
    assert_eq!(view(&app, &dollars, b).await, 204);
    assert_eq!(view(&app, &yen, b).await, 403, "another site's page is not a view of this paywall");
    assert_eq!(
        view(&app, &yen, &app.address).await,
        204,
        "plog's own origin is one of every paywall's sites (its article page); the dashboard's preview is not counted"
    );
    assert_eq!(view(&app, &anywhere, &app.address).await, 204, "the dashboard's preview answers…");
    assert_eq!(view(&app, "pw_aaaaaaaaaaaaaaaaaaaa", a).await, 404);

    sale(&app, &yen, a, 100, "jpy", true).await;
    sale(&app, &yen, a, 100, "jpy", false).await;
    sale(&app, &dollars, b, 250, "usd", true).await;

    let stats = app.admin_json("/v1/admin/stats").await;
    assert_eq!(stats["conversion"], json!({"views": 4, "started": 3, "paid": 2}), "…but is not counted: {stats}");
    assert_eq!((stats["paywalls"].clone(), stats["purchases_started"].clone()), (json!(3), json!(3)));
    assert_eq!(stats["sites"], json!([a, b]));
    let today = plog_api::report::day_text(now() / 86_400);
    assert_eq!(
        stats["by_day"],
        json!([
            {"day": today, "currency": "jpy", "paid_count": 1, "revenue": 100, "tip_count": 0, "tip_revenue": 0},
            {"day": today, "currency": "usd", "paid_count": 1, "revenue": 250, "tip_count": 0, "tip_revenue": 0},
        ])
    );
    let by_paywall = stats["by_paywall"].as_array().unwrap();
    assert_eq!(by_paywall.last().unwrap()["paywall_id"], json!(anywhere), "best-selling first");
    let of = |id: &str| by_paywall.iter().find(|p| p["paywall_id"] == id).unwrap().clone();
    assert_eq!((of(&yen)["views"].clone(), of(&yen)["started"].clone()), (json!(3), json!(2)));
    assert_eq!(
        of(&yen)["by_currency"],
        json!([{"currency": "jpy", "paid_count": 1, "revenue": 100, "refunded_count": 0, "disputed_count": 0, "refunded_amount": 0, "tip_count": 0, "tip_revenue": 0, "pass_count": 0, "pass_revenue": 0}])
    );
    assert_eq!(of(&anywhere)["by_currency"], json!([]));

    let site_a = app.admin_json("/v1/admin/stats?site=https://A.example/").await;
    assert_eq!(site_a["site"], a, "the site is read in the spelling browsers send");
    assert_eq!(
        (site_a["paywalls"].clone(), site_a["conversion"].clone()),
        (json!(1), json!({"views": 3, "started": 2, "paid": 1}))
    );
    assert_eq!(site_a["by_currency"].as_array().unwrap().len(), 1, "only the yen of site A: {site_a}");
    assert_eq!(site_a["by_day"].as_array().unwrap().len(), 1);

    let tomorrow = app.admin_json(&format!("/v1/admin/stats?since={}", now() + 86_400 * 2)).await;
    assert_eq!(
        (tomorrow["conversion"].clone(), tomorrow["by_currency"].clone(), tomorrow["by_day"].clone()),
        (json!({"views": 0, "started": 0, "paid": 0}), json!([]), json!([]))
    );
    assert_eq!(tomorrow["paywalls"], 3, "the paywalls are still there, with nothing in the period");

    for bad in ["site=blog", "since=yesterday", "bogus=1"] {
        let response = app.admin_get(&format!("/v1/admin/stats?{bad}")).await;
        assert_eq!(response.status(), 400, "{bad}");
    }
    let response = app.http.get(app.url("/v1/admin/stats")).send().await.unwrap();
    assert_eq!(response.status(), 401);
}
