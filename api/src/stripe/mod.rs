//! Everything plog says to and hears from Stripe: the API client ([`client`]) and the signed
//! webhook events ([`webhook`]).
//!
//! async-stripe is the transport; the response and event types are plog's own small structs
//! holding only the fields plog reads. Stripe adds fields with every API version and emulators
//! omit some, and neither should break a payment.

pub mod client;
pub mod webhook;

pub use client::{PaymentIntent, PaymentIntentPage, StripeApi};
