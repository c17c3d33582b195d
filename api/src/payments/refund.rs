//! Refunds the creator asks for, from the dashboard or `plog purchases refund`: Stripe's refund
//! API under an idempotency key. Nothing is written here: the purchase's state follows from
//! Stripe's `charge.refunded` webhook (`webhook`), so plog never shows a refund Stripe did not
//! make, and a full refund revokes access only once the money is on its way back.

use plog_shared::api::PurchaseStatus;
use plog_shared::money::money_text;
use plog_shared::{Amount, PurchaseId};

use crate::store::{Purchase, Store};
use crate::stripe::StripeApi;
use crate::stripe::client::RefundMade;

/// Why a refund was not asked for.
#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    /// No purchase has this id.
    #[error("there is no purchase {0}")]
    NotFound(String),
    /// The purchase holds nothing to refund (not paid, or refunded already).
    #[error("{0}")]
    NotRefundable(String),
    /// The amount asked is not within what can be refunded.
    #[error("{0}")]
    InvalidAmount(String),
    /// Stripe refused or could not be reached.
    #[error("Stripe did not refund: {0:#}")]
    Stripe(anyhow::Error),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// What can still be refunded of a purchase, minor units: a paid purchase's price less what was
/// refunded already; nothing for any other state.
pub fn refundable(purchase: &Purchase) -> i64 {
    match purchase.status {
        PurchaseStatus::Paid => (purchase.price.amount() - purchase.refunded_amount).max(0),
        _ => 0,
    }
}

/// A purchase and what can be refunded of it, for a confirm step.
pub async fn refundable_purchase(store: &Store, id: &str) -> Result<(Purchase, String), RefundError> {
    let parsed = PurchaseId::parse(id).map_err(|_| RefundError::NotFound(id.to_owned()))?;
    store.purchase_with_title(&parsed).await?.ok_or_else(|| RefundError::NotFound(id.to_owned()))
}

/// Asks Stripe to refund `amount` (minor units; `None`: everything still refundable) of a paid
/// purchase. The idempotency key names the purchase, what was refunded before and the amount,
/// so a form sent twice, or a retry after a timeout, refunds once; a second partial refund,
/// after the first is recorded, is a new refund.
pub async fn refund(
    store: &Store,
    stripe: &StripeApi,
    purchase_id: &str,
    amount: Option<i64>,
) -> Result<(RefundMade, Amount), RefundError> {
    let (purchase, _) = refundable_purchase(store, purchase_id).await?;
    let left = refundable(&purchase);
    if left == 0 {
        return Err(RefundError::NotRefundable(match purchase.status {
            PurchaseStatus::Paid | PurchaseStatus::Refunded => {
                format!("purchase {purchase_id} is refunded in full already")
            }
            status => format!("purchase {purchase_id} is {}: only paid purchases can be refunded", status.as_str()),
        }));
    }
    let amount = amount.unwrap_or(left);
    let currency = purchase.price.currency();
    if amount <= 0 || amount > left {
        return Err(RefundError::InvalidAmount(format!(
            "a refund of purchase {purchase_id} must be more than nothing and at most {}",
            money_text(left, currency)
        )));
    }
    // Within 0 < amount ≤ what is left of a paid price, so an amount of its currency.
    let asked = Amount::new(amount, currency)
        .ok_or_else(|| RefundError::InvalidAmount(format!("{amount} is not an amount of {}", currency.code())))?;
    let key = format!("plog-refund-{purchase_id}-{}-{amount}", purchase.refunded_amount);
    let made = super::stripe_on(stripe, purchase.stripe_account.as_deref())
        .map_err(RefundError::Stripe)?
        .create_refund(&purchase.payment_intent_id, amount, purchase_id, key)
        .await
        .map_err(RefundError::Stripe)?;
    tracing::info!(purchase_id, refund_id = %made.id, amount, "refund asked of Stripe");
    Ok((made, asked))
}
