//! Stripe Connect through plog's client, against the gateway's Connect (sandbox/connect.py):
//! a creator's connected account is made once and sells only once onboarded; a direct charge
//! lives on its creator's account and nowhere else.

use plog_api::stripe::StripeApi;
use plog_api::stripe::client::NewPaymentIntent;
use plog_api::stripe::connect::ConnectedAccountId;

use crate::helpers::*;

/// A fresh creator key (the accounts of one test binary share one gateway).
fn creator() -> String {
    format!("cr_{}", event_id().trim_start_matches("evt_"))
}

async fn account_of(stripe: &StripeApi, creator: &str) -> ConnectedAccountId {
    let account = stripe.create_connected_account(creator, Some("creator@example.com")).await.unwrap();
    ConnectedAccountId::parse(&account.id).unwrap()
}

fn intent<'a>(purchase_id: &'a str, application_fee: Option<i64>) -> NewPaymentIntent<'a> {
    NewPaymentIntent { amount: 1000, currency: "jpy", purchase_id, paywall_id: "pw_connect", application_fee }
}

#[tokio::test]
async fn a_creators_connected_account_is_made_once_and_takes_card_payments_only_once_onboarded() {
    let stripe = stripe_client();
    let creator = creator();
    let first = stripe.create_connected_account(&creator, Some("creator@example.com")).await.unwrap();
    // Asked again (a double press, a retry): the same account, not a second one.
    let again = stripe.create_connected_account(&creator, Some("creator@example.com")).await.unwrap();
    assert_eq!(again.id, first.id);
    assert!(!first.takes_card_payments(), "{first:?}");
    let account = ConnectedAccountId::parse(&first.id).unwrap();
    let link = stripe
        .create_account_link(&account, "https://plog.example/connect/refresh", "https://plog.example/connect/done")
        .await
        .unwrap();
    assert!(link.expires_at > now());
    // The creator finishes Stripe's (the sandbox's) onboarding and is sent back.
    let no_redirects = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let done = no_redirects.post(&link.url).send().await.unwrap();
    assert_eq!(done.status(), 303);
    assert_eq!(done.headers()["location"], "https://plog.example/connect/done");
    assert!(stripe.connected_account(&account).await.unwrap().takes_card_payments());
    // A used link sends the creator to the refresh URL for a new one.
    let used = no_redirects.get(&link.url).send().await.unwrap();
    assert_eq!(used.headers()["location"], "https://plog.example/connect/refresh");
}

#[tokio::test]
async fn a_direct_charge_lives_on_its_creators_account_with_the_fee_and_nowhere_else() {
    let platform = stripe_client();
    let (a, b) = (account_of(&platform, &creator()).await, account_of(&platform, &creator()).await);
    let (on_a, on_b) = (platform.on_account(&a), platform.on_account(&b));
    assert_eq!(on_a.acting_on(), Some(&a));
    let made = on_a.create_payment_intent(intent("pur_connect_1", Some(50))).await.unwrap();
    assert_eq!(on_a.payment_intent(&made.id).await.unwrap().amount, 1000);
    // Another creator's account, and the platform's own, have no such intent (as at Stripe).
    for other in [&on_b, &platform] {
        let refused = other.payment_intent(&made.id).await.unwrap_err();
        assert!(format!("{refused:#}").contains("No such payment_intent"), "{refused:#}");
        assert!(other.refunded_amount(&made.id).await.is_err());
    }
    let listed = |page: plog_api::stripe::client::PaymentIntentPage| page.data.iter().any(|i| i.id == made.id);
    assert!(listed(on_a.payment_intents(None, None).await.unwrap()));
    assert!(!listed(on_b.payment_intents(None, None).await.unwrap()));
    assert!(!listed(platform.payment_intents(None, None).await.unwrap()));
    // One purchase id, retried on A: one intent; the same id on B is B's own intent.
    assert_eq!(on_a.create_payment_intent(intent("pur_connect_1", Some(50))).await.unwrap().id, made.id);
    let on_b_intent = on_b.create_payment_intent(intent("pur_connect_1", Some(50))).await.unwrap();
    assert_ne!(on_b_intent.id, made.id);
    // A fee is only for a connected account's intent: on the platform's own, Stripe refuses it.
    let refused = platform.create_payment_intent(intent("pur_connect_2", Some(50))).await.unwrap_err();
    assert!(format!("{refused:#}").contains("application_fee_amount"), "{refused:#}");
}

#[tokio::test]
async fn an_account_the_platform_does_not_have_is_refused() {
    let stranger = stripe_client().on_account(&ConnectedAccountId::parse("acct_nobody1").unwrap());
    let refused = stranger.create_payment_intent(intent("pur_connect_3", None)).await.unwrap_err();
    assert!(format!("{refused:#}").contains("does not have access to account"), "{refused:#}");
}
