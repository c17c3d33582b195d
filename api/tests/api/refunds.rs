//! Refunds the creator asks for: the dashboard's confirm step and CSRF, `plog purchases refund`,
//! one refund per idempotency key, and the purchase's state following Stripe's webhook.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::dashboard::{csrf_of, get, post_form, sign_in};
use crate::helpers::*;

/// A paid ¥100 purchase: (paywall, PaymentIntent id, purchase id, access token).
async fn paid_purchase(app: &TestApp) -> (String, String, String, String) {
    let paywall = app.create_paywall(100, "jpy", "The **paid** part.").await;
    let purchase = app.start_purchase(&paywall).await;
    let (status, intent) = pay_with_card(&purchase.client_secret, CARD_OK).await;
    assert_eq!(status, 200, "{intent}");
    let intent = intent_id(&purchase.client_secret);
    app.wait_for_status(&intent, "paid").await;
    (paywall, intent, purchase.purchase_id, purchase.access_token)
}

/// Waits until the purchase records `refunded` minor units refunded (Stripe's webhook).
async fn wait_for_refunded(app: &TestApp, intent: &str, refunded: i64) -> plog_api::store::Purchase {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let purchase = app.purchase(intent).await;
        if purchase.refunded_amount == refunded {
            return purchase;
        }
        assert!(Instant::now() < deadline, "refunded {} of {intent}, not {refunded}", purchase.refunded_amount);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_dashboard_refunds_in_part_then_in_full_after_a_confirm_step_and_the_webhook_moves_the_purchase() {
    let app = TestApp::spawn().await;
    let (paywall, intent, purchase_id, token) = paid_purchase(&app).await;
    let (cookie, _) = sign_in(&app).await;
    let (_, _, sales) = get(&app, &cookie, "/admin/sales").await;
    let confirm_path = format!("/admin/purchases/{purchase_id}/refund");
    assert!(sales.contains(&confirm_path), "a Refund link on the paid purchase");

    let (status, _, confirm) = get(&app, &cookie, &confirm_path).await;
    assert_eq!(status, 200);
    assert!(confirm.contains("Left to refund") && confirm.contains(r#"name="amount" value="100""#), "{confirm}");
    let csrf = csrf_of(&confirm);

    // Another site, or a stale token: refused, and Stripe refunds nothing.
    let foreign =
        post_form(&app, &cookie, &confirm_path, &[("csrf", &csrf), ("amount", "30")], Some("https://evil.example"))
            .await;
    assert_eq!(foreign.status(), 403);
    let stale = post_form(&app, &cookie, &confirm_path, &[("csrf", "stale"), ("amount", "30")], None).await;
    assert_eq!(stale.status(), 403);
    let too_much = post_form(&app, &cookie, &confirm_path, &[("csrf", &csrf), ("amount", "101")], None).await;
    assert_eq!(too_much.status(), 422);
    assert!(too_much.text().await.unwrap().contains("at most"));
    assert_eq!(app.state.stripe.refunded_amount(&intent).await.unwrap(), 0);

    // A partial refund: access stays, the sales page says how much went back.
    let partial =
        post_form(&app, &cookie, &confirm_path, &[("csrf", &csrf), ("amount", "30")], Some(&app.address)).await;
    assert_eq!(partial.status(), 200);
    assert!(partial.text().await.unwrap().contains("Refund asked"));
    let after = wait_for_refunded(&app, &intent, 30).await;
    assert_eq!(after.status.as_str(), "paid");
    assert_eq!(app.content(&paywall, Some(&token)).await.status(), 200);
    let (_, _, sales) = get(&app, &cookie, "/admin/sales").await;
    assert!(sales.contains("30 JPY") && sales.contains("refunded"), "the partial refund shows");

    // The rest: the purchase is refunded once Stripe's webhook says so, and access ends.
    let (_, _, confirm) = get(&app, &cookie, &confirm_path).await;
    assert!(confirm.contains(r#"name="amount" value="70""#), "{confirm}");
    let full = post_form(&app, &cookie, &confirm_path, &[("csrf", &csrf), ("amount", "70")], None).await;
    assert_eq!(full.status(), 200);
    let refunded = wait_for_refunded(&app, &intent, 100).await;
    assert_eq!(refunded.status.as_str(), "refunded");
    assert_ne!(app.content(&paywall, Some(&token)).await.status(), 200);
    assert_eq!(app.state.stripe.refunded_amount(&intent).await.unwrap(), 100);
    let (_, _, sales) = get(&app, &cookie, "/admin/sales").await;
    assert!(!sales.contains(&confirm_path), "no Refund link once all is refunded");
    let again = post_form(&app, &cookie, &confirm_path, &[("csrf", &csrf), ("amount", "1")], None).await;
    assert_eq!(again.status(), 422);
}

#[tokio::test]
async fn the_same_refund_asked_twice_before_stripe_s_webhook_is_made_once() {
    // No webhooks: the purchase stays as it was, as between a double click's two submits.
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let paywall = app.create_paywall(100, "jpy", "paid").await;
    let purchase = app.start_purchase(&paywall).await;
    pay_with_card(&purchase.client_secret, CARD_OK).await;
    let intent = intent_id(&purchase.client_secret);
    // Settled by the content route (no webhook here).
    assert_eq!(app.content(&paywall, Some(&purchase.access_token)).await.status(), 200);
    let store = &app.state.store;
    let stripe = &app.state.stripe;
    let (first, _) = plog_api::payments::refund::refund(store, stripe, &purchase.purchase_id, Some(40)).await.unwrap();
    let (second, _) = plog_api::payments::refund::refund(store, stripe, &purchase.purchase_id, Some(40)).await.unwrap();
    assert_eq!(first.id, second.id);
    assert_eq!(stripe.refunded_amount(&intent).await.unwrap(), 40);
    let refused = plog_api::payments::refund::refund(store, stripe, &purchase.purchase_id, Some(0)).await;
    assert!(refused.is_err());
    let unknown = plog_api::payments::refund::refund(store, stripe, "pur_nosuchpurchase000000", None).await;
    assert!(matches!(unknown, Err(plog_api::payments::refund::RefundError::NotFound(_))));
}

#[tokio::test]
async fn plog_purchases_refund_says_what_it_would_do_and_refunds_only_with_yes() {
    let app = TestApp::spawn().await;
    let (_, intent, purchase_id, _) = paid_purchase(&app).await;
    let plog = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_plog"))
            .args(["purchases", "refund"])
            .args(args)
            .env("PLOG_DATABASE_URL", &app.database_url)
            .env("STRIPE_SECRET_KEY", SECRET_KEY)
            .env("STRIPE_API_BASE", localstripe())
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        (
            output.status.success(),
            format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)),
        )
    };
    let (ok, out) = plog(&[&purchase_id]);
    assert!(!ok && out.contains("would refund 100 JPY") && out.contains("--yes"), "{out}");
    let (ok, out) = plog(&[&purchase_id, "--amount", "1000", "--yes"]);
    assert!(!ok && out.contains("at most 100 JPY"), "{out}");
    assert_eq!(app.state.stripe.refunded_amount(&intent).await.unwrap(), 0);

    let (ok, out) = plog(&[&purchase_id, "--amount", "100", "--yes"]);
    assert!(ok && out.contains("refund re_") && out.contains("100 JPY"), "{out}");
    assert_eq!(wait_for_refunded(&app, &intent, 100).await.status.as_str(), "refunded");
    let (ok, out) = plog(&[&purchase_id, "--yes"]);
    assert!(!ok && out.contains("refunded in full already"), "{out}");
}

/// Issue 25, item 5: a reader's token leaked; the creator ends it from the dashboard without
/// refunding. Every token of the purchase stops opening the article, the purchase stays paid,
/// nothing goes back, and the form wants the session's CSRF token like every other.
#[tokio::test]
async fn the_dashboard_revokes_a_readers_leaked_tokens_without_refunding() {
    let app = TestApp::spawn().await;
    let (paywall, intent, purchase_id, token) = paid_purchase(&app).await;
    assert_eq!(app.content(&paywall, Some(&token)).await.status(), 200);
    let (cookie, _) = sign_in(&app).await;
    let (_, _, sales) = get(&app, &cookie, "/admin/sales").await;
    let path = format!("/admin/purchases/{purchase_id}/revoke");
    assert!(sales.contains(&path), "a Revoke link on the paid purchase");
    let (status, _, confirm) = get(&app, &cookie, &path).await;
    assert_eq!(status, 200);
    let csrf = csrf_of(&confirm);
    let stale = post_form(&app, &cookie, &path, &[("csrf", "stale")], None).await;
    assert_eq!(stale.status(), 403);
    assert_eq!(app.content(&paywall, Some(&token)).await.status(), 200, "a refused form revokes nothing");

    let revoked = post_form(&app, &cookie, &path, &[("csrf", &csrf)], None).await;
    assert_eq!(revoked.status(), 200);
    assert!(revoked.text().await.unwrap().contains("Tokens revoked"));
    assert_eq!(app.content(&paywall, Some(&token)).await.status(), 402, "the leaked token opens nothing");
    let purchase = app.purchase(&intent).await;
    assert_eq!((purchase.status.as_str(), purchase.refunded_amount), ("paid", 0), "paid, nothing refunded");
    assert_eq!(app.state.stripe.refunded_amount(&intent).await.unwrap(), 0);
}
