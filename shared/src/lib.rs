//! Types shared by the plog API and the widget: the JSON requests and responses of the public
//! and admin API, money in integer minor units, and identifiers.
//!
//! Plain data only: no HTTP server, database or browser code lives here, so both the server and
//! the WebAssembly widget can depend on it.

pub mod api;
pub mod error_code;
pub mod ids;
pub mod money;

pub use error_code::ErrorCode;
pub use ids::{DiscountId, GiftId, Id, MailId, PassId, PaywallId, PurchaseId, RestoreId, SignInId, TokenId};
pub use money::{Amount, Currency, Money, MoneyError};

/// What a purchase may be paid with, said alike to Stripe by the server (the PaymentIntent's
/// `allowed_payment_method_types`) and by the widget (the wallets' Elements group's
/// `allowedPaymentMethodTypes`): cards — which Apple Pay and Google Pay settle as — and Link.
pub const PAYMENT_METHOD_TYPES: [&str; 2] = ["card", "link"];
