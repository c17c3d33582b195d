//! Applying a Stripe event whose signature `http/webhooks.rs` has checked: what its object
//! means for a purchase ([`stripe_updates::from_event`]) is recorded with the event and applied
//! by the state table, in one transaction (`store::events`).

use super::stripe_updates;
use super::tally::Tally;
use crate::purchase_state::PaymentUpdate;
use crate::store::{EventOutcome, Store, UpdateOutcome};
use crate::stripe::connect::ConnectedAccountId;
use crate::stripe::webhook::{Event, EventObject};
use crate::stripe::{API_VERSION, StripeApi};

/// What a connected account's own events say of its creator: `account.updated` records whether
/// it takes card payments, `account.application.deauthorized` stops its creator's sales (readers
/// keep reading). The account is the event's, never one named in its body. Events may arrive out
/// of order, so an `account.updated` is not believed as it stands: the account is read again from
/// Stripe, whose answer is now's (if Stripe cannot be asked, the event is refused and Stripe
/// delivers it again). An account no creator has is acknowledged and logged.
async fn apply_to_account(
    store: &Store,
    stripe: &StripeApi,
    event: &Event,
    object: Option<&EventObject>,
    now: i64,
) -> anyhow::Result<()> {
    let Some(account) = event.account.as_deref() else { return Ok(()) };
    let known = match object {
        Some(EventObject::AccountUpdated(updated)) if updated.id == account => {
            if store.creator_by_account(account).await?.is_none() {
                false
            } else {
                let id = ConnectedAccountId::parse(account)
                    .map_err(|e| anyhow::anyhow!("event account {account:?}: {e}"))?;
                let now_at_stripe = stripe.connected_account(&id).await?;
                store.record_account_status(account, now_at_stripe.takes_card_payments(), now).await?
            }
        }
        Some(EventObject::AccountDeauthorized) => store.disconnect_account(account, now).await?,
        _ => return Ok(()),
    };
    if known {
        tracing::info!(event_id = %event.id, account, event_type = %event.event_type, "connected account updated");
    } else {
        tracing::warn!(event_id = %event.id, account, event_type = %event.event_type, "an event of an account no creator has: acknowledged");
    }
    Ok(())
}

/// Records `event` and applies what `object` (its object, read by [`Event::object`]) means for
/// its purchase. A redelivery changes nothing and says so.
///
/// A `charge.refunded` total is a snapshot: after a refund of the intent failed (its failure
/// recorded, by refund id), a snapshot delivered late may still count it. Then Stripe is asked
/// for its count of the refunds that did not fail, which stands whatever the order of delivery;
/// if Stripe cannot be asked, the event is refused (5xx) and Stripe delivers it again.
pub async fn apply_event(
    store: &Store,
    stripe: &StripeApi,
    tally: &Tally,
    event: &Event,
    object: Option<&EventObject>,
    now: i64,
) -> anyhow::Result<EventOutcome> {
    let account = event.account.as_deref();
    apply_to_account(store, stripe, event, object, now).await?;
    let mut update = object.and_then(stripe_updates::from_event);
    if let Some(PaymentUpdate::Refunded { payment_intent_id, .. }) = &update
        && store.has_failed_refunds(payment_intent_id).await?
    {
        let refunded = super::stripe_on(stripe, account)?.refunded_amount(payment_intent_id).await?;
        update = Some(stripe_updates::from_refunds(payment_intent_id, refunded));
    }
    let outcome = store.record_event(&event.id, &event.event_type, update.as_ref(), account, now).await?;
    if account.is_some() && outcome == EventOutcome::Applied(UpdateOutcome::UnknownIntent) {
        tracing::warn!(event_id = %event.id, account, "an event of a connected account about no purchase of its creator's: acknowledged, not applied");
    }
    tally.delivered(update.as_ref(), outcome);
    if outcome == EventOutcome::Applied(UpdateOutcome::AmountMismatch) {
        tracing::error!(event_id = %event.id, payment_intent_id = update.as_ref().map(|u| u.payment_intent_id()),
            "AMOUNT MISMATCH: Stripe reports a payment whose amount or currency differs from the purchase; not honoured");
    }
    tracing::info!(event_id = %event.id, event_type = %event.event_type, outcome = outcome.label(), "webhook");
    if let Some(version) = event.api_version.as_deref().filter(|v| *v != API_VERSION) {
        // Still read (plog reads only fields every recent version carries), but worth knowing:
        // the endpoint should be recreated at the pinned version (`plog doctor` says how).
        tracing::warn!(event_id = %event.id, api_version = version, pinned = API_VERSION, "webhook rendered at another Stripe API version");
    }
    Ok(outcome)
}
