//! Reconciliation with Stripe: the safety net under the webhooks. It lists the PaymentIntents
//! Stripe holds for plog's purchases in a window and settles every purchase whose webhook never
//! arrived — paid, failed or refunded — under the same conditional updates as the webhook, so it
//! can run at any time, on any replica, any number of times. Refunds are counted again for every
//! succeeded intent, refunded purchases included: Stripe's count of the refunds that did not fail
//! replaces what events added up (a refund that failed after its `charge.refunded` gives access
//! back).

use std::time::Duration;

use plog_shared::api::PurchaseStatus;

use super::stripe_updates;
use super::tally::Tally;
use crate::clock::Clock;
use crate::purchase_state::PaymentUpdate;
use crate::store::{Store, UpdateOutcome};
use crate::stripe::{PaymentIntent, StripeApi};

/// Pages of 100 intents read at most in one run (a bound, not an expected size).
const MAX_PAGES: usize = 1_000;

/// One purchase that changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Purchase id.
    pub purchase_id: String,
    /// Its PaymentIntent.
    pub payment_intent_id: String,
    /// Status before.
    pub from: PurchaseStatus,
    /// Status after.
    pub to: PurchaseStatus,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {} → {}", self.purchase_id, self.payment_intent_id, self.from.as_str(), self.to.as_str())
    }
}

/// What Stripe's state of one intent means, refunds included, in the order to apply it: a
/// success first, then what was refunded of it.
async fn updates_of(stripe: &StripeApi, intent: &PaymentIntent) -> anyhow::Result<Vec<PaymentUpdate>> {
    let Some(update) = stripe_updates::from_intent(intent) else { return Ok(Vec::new()) };
    let succeeded = matches!(update, PaymentUpdate::Succeeded { .. });
    let mut updates = vec![update];
    if succeeded {
        // Refunds change no field of the intent: ask for them. Stripe's count replaces what
        // events added up, so a purchase left refunded by a refund that failed is repaired.
        let refunded = stripe.refunded_amount(&intent.id).await?;
        updates.push(stripe_updates::from_refunds(&intent.id, refunded));
    }
    Ok(updates)
}

/// Settles every plog purchase whose PaymentIntent was created at or after `since` (unix
/// seconds) and whose stored state lags Stripe's: on the plog's own account, then on each
/// creator's connected account (platform mode), where their intents live. Returns what changed.
/// A connected account that no longer answers (disconnected) is logged and passed over.
pub async fn reconcile(
    store: &Store,
    stripe: &StripeApi,
    tally: &Tally,
    since: i64,
    now: i64,
) -> anyhow::Result<Vec<Change>> {
    let mut changes = reconcile_account(store, stripe, tally, None, since, now).await?;
    let accounts: Vec<String> = store.creators().await?.into_iter().filter_map(|c| c.stripe_account).collect();
    for account in &accounts {
        let on_account = super::stripe_on(stripe, Some(account))?;
        match reconcile_account(store, &on_account, tally, Some(account), since, now).await {
            Ok(mut settled) => changes.append(&mut settled),
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), account, "reconcile: a connected account did not answer")
            }
        }
    }
    Ok(changes)
}

/// [`reconcile`] on one account: `stripe` acts on it, `account` names it (`None`: the plog's own).
async fn reconcile_account(
    store: &Store,
    stripe: &StripeApi,
    tally: &Tally,
    account: Option<&str>,
    since: i64,
    now: i64,
) -> anyhow::Result<Vec<Change>> {
    let mut changes = Vec::new();
    let mut starting_after: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let page = stripe.payment_intents(starting_after.as_deref(), Some(since)).await?;
        for intent in &page.data {
            let ours = intent.metadata.as_ref().is_some_and(|m| m.contains_key("purchase_id"));
            if !ours || intent.created.is_some_and(|created| created < since) {
                continue;
            }
            let Some(purchase) = store.purchase_by_intent(&intent.id).await? else { continue };
            if purchase.stripe_account.as_deref() != account {
                continue;
            }
            // Refunded purchases too: their refunds are counted again (L2 of issue 25).
            let before = purchase.status;
            let mut after = before;
            for update in updates_of(stripe, intent).await? {
                let outcome = store.apply_update(&update, account, now).await?;
                tally.applied(&update, outcome);
                match outcome {
                    UpdateOutcome::Changed(status) | UpdateOutcome::Unchanged(status) => after = status,
                    UpdateOutcome::AmountMismatch => tracing::error!(payment_intent_id = %intent.id,
                        "reconcile: PaymentIntent amount or currency differs from the purchase; not honoured"),
                    UpdateOutcome::UnknownIntent => {}
                }
            }
            if after != before {
                changes.push(Change {
                    purchase_id: purchase.id.to_string(),
                    payment_intent_id: intent.id.clone(),
                    from: before,
                    to: after,
                });
            }
        }
        match (page.has_more, page.data.last()) {
            (true, Some(last)) => starting_after = Some(last.id.clone()),
            _ => break,
        }
    }
    Ok(changes)
}

/// Runs [`reconcile`] every `every`, over a window of three periods (at least a day), for
/// `plog serve` with `PLOG_RECONCILE_EVERY`.
pub async fn run_periodically(store: Store, stripe: StripeApi, tally: Tally, every: Duration, clock: Clock) {
    let window = (every * 3).max(Duration::from_secs(24 * 3600));
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let now = clock.now();
        let since = now - window.as_secs() as i64;
        match reconcile(&store, &stripe, &tally, since, now).await {
            Ok(changes) => {
                for change in &changes {
                    tracing::warn!(%change, "reconcile settled a purchase its webhook did not");
                }
                tracing::info!(changed = changes.len(), "reconcile run done");
            }
            Err(error) => tracing::error!(error = %format!("{error:#}"), "reconcile run failed"),
        }
    }
}
