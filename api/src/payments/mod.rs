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
