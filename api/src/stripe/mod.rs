//! Everything plog says to and hears from Stripe: the pinned API version ([`API_VERSION`]), the
//! API client ([`client`]) and the signed webhook events ([`webhook`]).
//!
//! async-stripe is the transport; the response and event types are plog's own small structs
//! holding only the fields plog reads. Stripe adds fields with every API version and emulators
//! omit some, and neither should break a payment.

pub mod client;
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
}
