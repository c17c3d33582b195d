//! Purchases, from the first click to the last refund — the flow a reader's payment takes:
//!
//! 1. [`start`]: the widget asks to buy; plog prices the paywall, checks the card-testing
//!    limits, creates the PaymentIntent at Stripe and stores a pending purchase.
//! 2. The reader pays in the browser (Stripe.js, `widget/src/stripe_js.rs`).
//! 3. [`webhook`]: Stripe's signed event arrives (`http/webhooks.rs` checks the signature);
//!    [`stripe_updates`] reads what it means for the purchase, and the store applies it by the
//!    state table in `purchase_state`.
//! 4. [`unlock`]: the widget fetches the paid part with its access token; a purchase still
//!    unsettled there is settled by re-reading its PaymentIntent.
//! 5. [`reconcile`]: the safety net that settles whatever the webhooks missed.
//! 6. [`refund`]: the creator gives money back; the webhook that follows moves the purchase.

pub mod reconcile;
pub mod refund;
pub mod start;
pub mod stripe_updates;
pub mod tally;
pub mod unlock;
pub mod webhook;

use crate::catalog::CatalogError;
use crate::limits::{LimitError, Limited};
use crate::offers::OfferError;
use crate::receipts::ReceiptError;
use crate::stripe::StripeApi;
use crate::stripe::connect::ConnectedAccountId;

/// The Stripe client acting where a purchase's PaymentIntent lives: the creator's connected
/// account (platform mode) or the plog's own (`None`). Every call about a purchase goes there —
/// at Stripe, another account has no such intent.
pub fn stripe_on(stripe: &StripeApi, account: Option<&str>) -> anyhow::Result<StripeApi> {
    match account {
        None => Ok(stripe.clone()),
        Some(account) => Ok(stripe.on_account(
            &ConnectedAccountId::parse(account).map_err(|e| anyhow::anyhow!("stored account {account:?}: {e}"))?,
        )),
    }
}

/// Why a purchase was not started or a paid part not given: each mapped to its HTTP answer at
/// the edge (`error.rs`).
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// A card-testing limit refused the start.
    #[error(transparent)]
    Limited(#[from] Limited),
    /// No such paywall.
    #[error(transparent)]
    Paywall(#[from] CatalogError),
    /// No such pass.
    #[error(transparent)]
    Offer(#[from] OfferError),
    /// The purchase cannot be priced as the reader chose it.
    #[error(transparent)]
    Quote(#[from] start::QuoteRefusal),
    /// The receipt asked for cannot be sent.
    #[error(transparent)]
    Receipt(#[from] ReceiptError),
    /// The token does not open this paywall (now, or ever again).
    #[error(transparent)]
    Locked(#[from] unlock::Refusal),
    /// The token's pass has ended; a new pass (or the article) may be bought.
    #[error("this pass has ended; buy it again to read on")]
    PassExpired,
    /// Stripe failed or answered something unusable.
    #[error("the payment provider failed: {0:#}")]
    Provider(anyhow::Error),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

impl From<LimitError> for PaymentError {
    fn from(error: LimitError) -> Self {
        match error {
            LimitError::Limited(limited) => PaymentError::Limited(limited),
            LimitError::Store(e) => PaymentError::Store(e),
        }
    }
}
