//! Wallets: a purchase's PaymentIntent allows cards (which Apple Pay and Google Pay settle as)
//! and Link, and its answer says the price the server charges (the widget refuses a wallet
//! sheet that showed another); the sites a paywall lists are registered with Stripe for wallets
//! in the background, what Stripe says per wallet is shown (a refusal too), and the save never
//! waits for Stripe.

use plog_shared::api::{Price, PurchaseCreated, WalletState};
use serde_json::{Value, json};

use crate::dashboard::{get, sign_in};
use crate::helpers::*;

/// A domain no other test lists (the Stripe stand-in is shared by the whole suite).
fn unique_domain(tld: &str) -> String {
    format!("blog-{}.{tld}", event_id().trim_start_matches("evt_").to_lowercase())
}

async fn paywall_on_sites(app: &TestApp, sites: &[&str]) -> String {
    let response = app
        .create_paywall_raw(&json!({
            "title": "Wallets", "price": {"amount": 480, "currency": "jpy"}, "content_markdown": "paid",
            "origins": sites,
        }))
        .await;
    assert_eq!(response.status(), 201, "the save never waits for (or fails with) Stripe");
    response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

/// The domains as the admin API lists them, once `domain` is among them.
async fn registered(app: &TestApp, domain: &str) -> Value {
    for _ in 0..100 {
        let list = app.admin_json("/v1/admin/wallet-domains").await;
        if let Some(found) = list["domains"].as_array().unwrap().iter().find(|d| d["domain"] == domain) {
            return found.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{domain} was never registered");
}

/// How often plog asked the Stripe stand-in to create `domain` as a wallet domain (only that
/// one: the suite's other tests register theirs at the same time).
async fn domain_creations(domain: &str) -> usize {
    let seen: Value = reqwest::get(format!("{}/_gateway/requests", localstripe())).await.unwrap().json().await.unwrap();
    seen["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r[0] == "POST" && r[1] == "/v1/payment_method_domains" && r[4]["domain_name"] == domain)
        .count()
}

#[tokio::test]
async fn a_purchase_allows_cards_and_link_and_says_the_price_it_charges() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(480, "jpy", "paid").await;
    let created = app.start_purchase(&id).await;
    assert_eq!(created.price, Price { amount: 480, currency: "jpy".into() });
    let intent = stripe_intent(&intent_id(&created.client_secret)).await;
    assert_eq!(intent["allowed_payment_method_types"], json!(["card", "link"]), "{intent}");
    assert_eq!(intent["amount"], 480);

    // A reader's own amount is the price the answer states, and the intent's.
    let response = app
        .create_paywall_raw(&json!({
            "title": "Name your price", "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "paid",
            "mode": "pay_what_you_want", "suggested_amount": 500,
        }))
        .await;
    let pwyw = response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let response = app.start_purchase_raw(&pwyw, Some(r#"{"amount": 750}"#)).await;
    assert_eq!(response.status(), 201);
    let created: PurchaseCreated = response.json().await.unwrap();
    assert_eq!(created.price, Price { amount: 750, currency: "jpy".into() });
    assert_eq!(stripe_intent(&intent_id(&created.client_secret)).await["amount"], 750);
}

#[tokio::test]
async fn a_listed_site_is_registered_for_wallets_once_and_its_status_shown() {
    let app = TestApp::spawn().await;
    let domain = unique_domain("example");
    let id = paywall_on_sites(&app, &[&format!("https://{domain}"), "http://127.0.0.1:9"]).await;
    let found = registered(&app, &domain).await;
    assert!(found["stripe_id"].as_str().unwrap().starts_with("pmd_"), "{found}");
    assert_eq!((found["google_pay"].as_str(), found["link"].as_str()), (Some("active"), Some("active")));
    // Apple Pay is not pretended: Stripe says it is inactive until Apple's file is verified.
    assert_eq!(found["apple_pay"], "inactive");
    assert!(found["problem"].as_str().unwrap().contains("apple-developer-merchantid-domain-association"), "{found}");
    // An IP address is never sent to Stripe.
    let list = app.admin_json("/v1/admin/wallet-domains").await;
    assert!(!list.to_string().contains("127.0.0.1"), "{list}");

    // A second paywall on the same site, and a save of the first: no second registration.
    paywall_on_sites(&app, &[&format!("https://{domain}")]).await;
    let patched = app
        .http
        .patch(app.url(&format!("/v1/admin/paywalls/{id}")))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"origins": [format!("https://{domain}")]}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 200);
    plog_api::wallets::register_listed(&app.store, &app.state.stripe, &app.state.config.platform, now()).await.unwrap();
    assert_eq!(domain_creations(&domain).await, 1, "one registration for the domain");

    // The dashboard shows each wallet's status per site, and what keeps Apple Pay away.
    let (cookie, _) = sign_in(&app).await;
    let (status, _, page) = get(&app, &cookie, &format!("/admin/paywalls/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("data-site=\"https://{domain}\"")), "{page}");
    assert!(page.contains("Google Pay active") && page.contains("Apple Pay inactive"), "{page}");
    assert!(page.contains("apple-developer-merchantid-domain-association"), "{page}");
}

#[tokio::test]
async fn a_site_stripe_refuses_is_shown_refused_and_tried_again_later() {
    let app = TestApp::spawn().await;
    let domain = unique_domain("invalid");
    let id = paywall_on_sites(&app, &[&format!("https://{domain}")]).await;
    let found = registered(&app, &domain).await;
    assert_eq!(found["stripe_id"], Value::Null);
    for wallet in ["apple_pay", "google_pay", "link"] {
        assert_eq!(found[wallet], "unknown", "{found}");
    }
    assert!(found["problem"].as_str().unwrap().contains("is invalid"), "Stripe's own words: {found}");
    let (cookie, _) = sign_in(&app).await;
    let (_, _, page) = get(&app, &cookie, &format!("/admin/paywalls/{id}")).await;
    assert!(page.contains("not registered") && page.contains("is invalid"), "the failure is shown: {page}");
    // The next sweep asks again (a refusal is not final). Counted by what the sweep asked and
    // what Stripe was asked, not by a difference: the save's own registration, in the
    // background, may still be waiting its turn and ask too.
    let before = domain_creations(&domain).await;
    let asked = plog_api::wallets::register_listed(&app.store, &app.state.stripe, &app.state.config.platform, now())
        .await
        .unwrap();
    assert_eq!(asked, 1, "the refused domain is due again");
    assert!(domain_creations(&domain).await > before, "and Stripe was asked again");
}

#[tokio::test]
async fn a_paywall_without_sites_says_that_wallets_need_them() {
    let app = TestApp::spawn().await;
    let id = app.create_paywall(300, "jpy", "paid").await;
    let (cookie, _) = sign_in(&app).await;
    let (_, _, page) = get(&app, &cookie, &format!("/admin/paywalls/{id}")).await;
    assert!(page.contains("This paywall lists no site, so readers pay by card only"), "{page}");
    assert!(!page.contains("data-site="), "{page}");
}

#[tokio::test]
async fn the_wallet_states_are_typed_past_the_edge() {
    let app = TestApp::spawn().await;
    let domain = unique_domain("example");
    paywall_on_sites(&app, &[&format!("https://{domain}")]).await;
    registered(&app, &domain).await;
    let kept = app.store.wallet_domains_on(None).await.unwrap();
    let ours = kept.iter().find(|d| d.domain == domain).unwrap();
    assert_eq!((ours.google_pay, ours.apple_pay), (WalletState::Active, WalletState::Inactive));
}
