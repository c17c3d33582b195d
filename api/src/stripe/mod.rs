//! Everything plog says to and hears from Stripe: the pinned API version ([`API_VERSION`]) and the
//! Stripe.js release that goes with it ([`STRIPE_JS_URL`]), the API client ([`client`]) and the signed webhook events
//! ([`webhook`]).
//!
//! async-stripe is the transport; the response and event types are plog's own small structs
//! holding only the fields plog reads. Stripe adds fields with every API version and emulators
//! omit some, and neither should break a payment.

pub mod client;
pub mod connect;
pub mod webhook;

pub use client::{PaymentIntent, PaymentIntentPage, StripeApi};

/// The one Stripe API version plog speaks: sent as `Stripe-Version` on every request, the
/// version its requests and webhook parsing are written and tested for, and the version the
/// README's go-live steps create the webhook endpoint at.
///
/// Upgrading is this line, an async-stripe release that sends the same version (checked when
/// the client is built and by a test), and the tests that hold requests and event shapes
/// against Stripe's own SDKs.
pub const API_VERSION: &str = "2026-09-30.endive";

/// The Stripe.js release the widget loads: the one named like [`API_VERSION`]'s release.
///
/// Stripe.js is versioned like the API (`v3`, then acacia … endive). Not `v3`: plog creates
/// its PaymentIntents with `allowed_payment_method_types` (endive removed
/// `payment_method_types`), and the wallets' Elements group must state the same list, which
/// only the endive line's Elements options (`allowedPaymentMethodTypes`) can. The widget's
/// calls are type-checked against `@stripe/stripe-js` 10.x, whose `RELEASE_TRAIN` is endive
/// (`e2e/stripe-types/`). Upgrading the API version upgrades this line with it.
pub const STRIPE_JS_RELEASE: &str = "endive";

/// Where the widget loads Stripe.js from when no other URL is configured.
pub const STRIPE_JS_URL: &str = "https://js.stripe.com/endive/stripe.js";

pub use plog_shared::PAYMENT_METHOD_TYPES;

/// The version async-stripe puts in the `Stripe-Version` header (it cannot be overridden, so
/// plog checks it equals [`API_VERSION`]).
pub fn transport_version() -> &'static str {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION.get_or_init(|| stripe_client_core::VERSION.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn async_stripe_sends_the_pinned_version() {
        assert_eq!(super::transport_version(), super::API_VERSION);
    }

    #[test]
    fn stripe_js_is_the_release_named_like_the_api_version() {
        assert_eq!(super::API_VERSION.split('.').nth(1), Some(super::STRIPE_JS_RELEASE));
        assert_eq!(super::STRIPE_JS_URL, format!("https://js.stripe.com/{}/stripe.js", super::STRIPE_JS_RELEASE));
    }
}
