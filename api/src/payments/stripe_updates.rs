//! What Stripe's objects mean for a purchase: a webhook event's object, a re-read
//! PaymentIntent, the refunds of one. `stripe/` reads Stripe's shapes and knows nothing of
//! purchases; here they become [`PaymentUpdate`]s, which the store applies by the state table.

use crate::purchase_state::PaymentUpdate;
use crate::stripe::PaymentIntent;
use crate::stripe::webhook::{EventObject, IntentObject};

/// The amount a succeeded intent took: `amount_received` when Stripe sends one, else `amount`.
fn taken(amount: i64, amount_received: Option<i64>) -> i64 {
    amount_received.filter(|received| *received > 0).unwrap_or(amount)
}

fn succeeded(intent: &IntentObject) -> PaymentUpdate {
    PaymentUpdate::Succeeded {
        payment_intent_id: intent.id.clone(),
        amount: taken(intent.amount, intent.amount_received),
        currency: intent.currency.to_ascii_lowercase(),
    }
}

/// What a webhook event's object says about its purchase; `None` when it is about none of
/// plog's (a charge or dispute without a PaymentIntent, a refund that did not fail).
pub fn from_event(object: &EventObject) -> Option<PaymentUpdate> {
    match object {
        EventObject::IntentSucceeded(intent) => Some(succeeded(intent)),
        EventObject::IntentFailed(intent) => Some(PaymentUpdate::Failed {
            payment_intent_id: intent.id.clone(),
            message: intent.last_payment_error.as_ref().and_then(|e| e.message.clone().or_else(|| e.code.clone())),
        }),
        EventObject::IntentCanceled(intent) => Some(PaymentUpdate::Canceled { payment_intent_id: intent.id.clone() }),
        // About the account, not a purchase: `payments::webhook` applies them to its creator.
        EventObject::AccountUpdated(_) | EventObject::AccountDeauthorized => None,
        EventObject::ChargeRefunded(charge) => {
            charge.payment_intent.clone().map(|payment_intent_id| PaymentUpdate::Refunded {
                payment_intent_id,
                amount_refunded: charge.amount_refunded,
                full: charge.refunded || charge.amount_refunded >= charge.amount,
            })
        }
        EventObject::RefundUpdated(refund) => match refund.status.as_deref() {
            // The money did not go back after all (`charge.refunded` counted it).
            Some("failed" | "canceled") => refund.payment_intent.clone().map(|payment_intent_id| {
                PaymentUpdate::RefundReversed { payment_intent_id, refund_id: refund.id.clone(), amount: refund.amount }
            }),
            _ => None,
        },
        EventObject::Dispute(dispute) => {
            // Every dispute event carries the dispute; its status, not the event's name, says
            // whether it is still open, so a late `funds_reinstated` after a won `closed`
            // cannot revoke again.
            let payment_intent_id = dispute.payment_intent.clone()?;
            let status = dispute.status.clone();
            Some(if dispute.status.is_closed() {
                PaymentUpdate::DisputeClosed { payment_intent_id, status }
            } else {
                PaymentUpdate::DisputeOpened { payment_intent_id, status }
            })
        }
    }
}

/// What a PaymentIntent's state, as Stripe answers a read of it, means for its purchase.
pub fn from_intent(intent: &PaymentIntent) -> Option<PaymentUpdate> {
    match intent.status.as_str() {
        "succeeded" => Some(PaymentUpdate::Succeeded {
            payment_intent_id: intent.id.clone(),
            amount: taken(intent.amount, intent.amount_received),
            currency: intent.currency.to_ascii_lowercase(),
        }),
        "canceled" => Some(PaymentUpdate::Canceled { payment_intent_id: intent.id.clone() }),
        "requires_payment_method" => intent.last_payment_error.as_ref().map(|e| PaymentUpdate::Failed {
            payment_intent_id: intent.id.clone(),
            message: e.message.clone().or_else(|| e.code.clone()),
        }),
        _ => None,
    }
}

/// What the refunds of a succeeded intent that did not fail add up to, as Stripe lists them
/// (refunds change no field of the intent): Stripe's count, which replaces what events added.
pub fn from_refunds(payment_intent_id: &str, refunded: i64) -> PaymentUpdate {
    PaymentUpdate::RefundsCounted { payment_intent_id: payment_intent_id.to_owned(), refunded }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stripe::webhook::Event;

    fn update_of(body: &[u8]) -> Option<PaymentUpdate> {
        from_event(&Event::parse(body).unwrap().object().unwrap().unwrap())
    }

    #[test]
    fn refunds_say_how_much_and_whether_in_full() {
        assert_eq!(
            update_of(br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"payment_intent":"pi_1","amount":100,"amount_refunded":50,"refunded":false}}}"#),
            Some(PaymentUpdate::Refunded { payment_intent_id: "pi_1".into(), amount_refunded: 50, full: false })
        );
        assert_eq!(
            update_of(br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"payment_intent":"pi_1","amount":100,"amount_refunded":100,"refunded":true}}}"#),
            Some(PaymentUpdate::Refunded { payment_intent_id: "pi_1".into(), amount_refunded: 100, full: true })
        );
    }

    #[test]
    fn a_success_counts_what_stripe_received_and_dispute_status_decides_open_or_closed() {
        assert_eq!(
            update_of(br#"{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","amount":500,"amount_received":400,"currency":"JPY"}}}"#),
            Some(PaymentUpdate::Succeeded { payment_intent_id: "pi_1".into(), amount: 400, currency: "jpy".into() })
        );
        assert_eq!(
            update_of(br#"{"id":"evt_1","type":"charge.dispute.funds_reinstated","data":{"object":{"payment_intent":"pi_1","status":"won"}}}"#),
            Some(PaymentUpdate::DisputeClosed { payment_intent_id: "pi_1".into(), status: "won".into() })
        );
        assert_eq!(
            update_of(br#"{"id":"evt_1","type":"charge.dispute.created","data":{"object":{"payment_intent":null,"status":"needs_response"}}}"#),
            None,
            "a dispute of a charge without a PaymentIntent is not plog's"
        );
    }
}
