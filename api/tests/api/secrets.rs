//! A leaked log leaks nothing: plog runs at the most verbose log level (`trace`, every crate)
//! through a whole purchase — admin calls, a purchase, a card payment, localstripe's signed
//! webhook, the content, wrong tokens and a forged webhook — and its every printed line is
//! searched for the secret key, the webhook secret, the admin token, the access token and the
//! client secret.

use std::time::Duration;

use serde_json::json;

use crate::helpers::*;
use crate::processes::PlogProcess;

#[tokio::test]
async fn no_secret_reaches_the_log_of_a_whole_purchase() {
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(dir.path()).await;
    let port = free_port();
    let log = dir.path().join("plog.log");
    let webhook_secret = unique_webhook_secret();
    let env = [("RUST_LOG", "trace"), ("STRIPE_WEBHOOK_SECRET", webhook_secret.as_str())];
    let mut plog = PlogProcess::start_logging(&database_url, port, &env, Some(&log)).await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", plog.address);
    let registered = http
        .post(format!("{}/_config/webhooks/plog{port}", localstripe()))
        .form(&[("url", url("/v1/webhooks/stripe")), ("secret", webhook_secret.clone())])
        .send()
        .await
        .unwrap();
    assert!(registered.status().is_success());

    let id = &create_paywall_at(&url(""), "Secrets", 100, "paid").await;
    assert_eq!(
        http.get(url("/v1/admin/paywalls")).bearer_auth("wrong-admin-token").send().await.unwrap().status(),
        401
    );
    let created: plog_shared::api::PurchaseCreated = http
        .post(url(&format!("/v1/paywalls/{id}/purchases")))
        .header("origin", "https://blog.example")
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (status, _) = pay_with_card(&created.client_secret, CARD_OK).await;
    assert_eq!(status, 200);
    let content = || http.get(url(&format!("/v1/paywalls/{id}/content"))).bearer_auth(&created.access_token);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while content().send().await.unwrap().status() != 200 {
        assert!(std::time::Instant::now() < deadline, "the purchase never unlocked");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // localstripe's signed webhook arrives on its own time: wait until plog has logged it.
    while !std::fs::read_to_string(&log).unwrap().contains("payment_intent.succeeded") {
        assert!(std::time::Instant::now() < deadline, "the webhook never came");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let forged =
        http.post(url("/v1/webhooks/stripe")).header("stripe-signature", "t=1,v1=00").body("{}").send().await.unwrap();
    assert_eq!(forged.status(), 400);
    http.get(url("/v1/admin/purchases")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    plog.terminate();
    assert!(plog.wait(Duration::from_secs(25)));

    let printed = std::fs::read_to_string(&log).unwrap();
    assert!(printed.lines().count() > 50, "trace logging was on:\n{printed}");
    assert!(
        printed.contains("purchase started") && printed.contains("webhook refused"),
        "the run was logged:\n{printed}"
    );
    let client_secret_part = created.client_secret.split("_secret_").nth(1).unwrap();
    for (name, secret) in [
        ("Stripe secret key", SECRET_KEY),
        ("webhook signing secret", webhook_secret.as_str()),
        ("admin token", ADMIN_TOKEN),
        ("wrong admin token", "wrong-admin-token"),
        ("access token", created.access_token.as_str()),
        ("client secret", created.client_secret.as_str()),
        ("client secret's secret part", client_secret_part),
    ] {
        if let Some(line) = printed.lines().find(|line| line.contains(secret)) {
            panic!("the {name} is in the log: {line}");
        }
    }
}
