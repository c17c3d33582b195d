//! The Stripe API client: create and read PaymentIntents.
//!
//! The secret key lives inside async-stripe's client and is never printed; the base URL is
//! configurable so the sandbox can point it at localstripe.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use anyhow::Context;
use secrecy::ExposeSecret;
use serde::Serialize;
use ::stripe::{IdempotencyKey, RequestStrategy, StripeError};
use stripe_client_core::{RequestBuilder, StripeMethod};

use crate::config::StripeConfig;
use crate::store::PaymentUpdate;

/// The fields of a PaymentIntent plog reads.
#[derive(miniserde::Deserialize)]
pub struct PaymentIntent {
    /// `pi_…`.
    pub id: String,
    /// Handed to the browser for `confirmCardPayment`; never logged.
    pub client_secret: Option<String>,
    /// `requires_payment_method`, `requires_action`, `processing`, `succeeded`, `canceled`, …
    pub status: String,
    /// Minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// Why the last attempt failed.
    pub last_payment_error: Option<PaymentError>,
}

impl fmt::Debug for PaymentIntent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentIntent")
            .field("id", &self.id)
            .field("status", &self.status)
            .field("amount", &self.amount)
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

/// Stripe's account of a failed attempt.
#[derive(Debug, miniserde::Deserialize)]
pub struct PaymentError {
    /// Human-readable message, e.g. "Your card was declined."
    pub message: Option<String>,
    /// Machine code, e.g. `card_declined`.
    pub code: Option<String>,
}

impl PaymentIntent {
    /// What this intent's state means for its purchase, if anything.
    pub fn to_update(&self) -> Option<PaymentUpdate> {
        match self.status.as_str() {
            "succeeded" => Some(PaymentUpdate::Succeeded {
                payment_intent_id: self.id.clone(),
                amount: self.amount,
                currency: self.currency.clone(),
            }),
            "requires_payment_method" => self.last_payment_error.as_ref().map(|e| PaymentUpdate::Failed {
                payment_intent_id: self.id.clone(),
                message: e.message.clone().or_else(|| e.code.clone()),
            }),
            _ => None,
        }
    }
}

#[derive(Serialize)]
struct CreatePaymentIntent<'a> {
    amount: i64,
    currency: &'a str,
    payment_method_types: [&'a str; 1],
    metadata: BTreeMap<&'a str, &'a str>,
}

/// The metadata and amount of a PaymentIntent to create.
#[derive(Debug, Clone, Copy)]
pub struct NewPaymentIntent<'a> {
    /// Minor units, from the paywall.
    pub amount: i64,
    /// Lowercase ISO code, from the paywall.
    pub currency: &'a str,
    /// The purchase it pays (also the idempotency key).
    pub purchase_id: &'a str,
    /// The paywall bought.
    pub paywall_id: &'a str,
}

/// A Stripe API client.
#[derive(Clone)]
pub struct StripeApi {
    client: ::stripe::Client,
    timeout: Duration,
}

impl fmt::Debug for StripeApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeApi").field("timeout", &self.timeout).finish_non_exhaustive()
    }
}

/// What Stripe answered when it refused a request (used by the sandbox to mirror Stripe.js).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeRefusal {
    /// HTTP status (0 when Stripe could not be reached).
    pub status: u16,
    /// Stripe's error code, e.g. `card_declined`.
    pub code: Option<String>,
    /// Stripe's message.
    pub message: String,
}

impl From<StripeError> for StripeRefusal {
    fn from(error: StripeError) -> Self {
        match error {
            StripeError::Stripe(api, status) => StripeRefusal {
                status,
                code: api.code.as_ref().map(|c| c.as_str().to_owned()),
                message: api.message.unwrap_or_else(|| "Stripe refused the request".into()),
            },
            other => StripeRefusal { status: 0, code: None, message: other.to_string() },
        }
    }
}

/// Turns async-stripe's error into one that says what Stripe said, without secrets.
fn describe(error: StripeError) -> anyhow::Error {
    match error {
        StripeError::Stripe(api, status) => anyhow::anyhow!(
            "Stripe answered {status}: {}",
            api.message.unwrap_or_else(|| "no message".into())
        ),
        other => anyhow::anyhow!("{other}"),
    }
}

impl StripeApi {
    /// A client for the configured account and base URL.
    pub fn new(config: &StripeConfig) -> anyhow::Result<StripeApi> {
        // async-stripe appends `v1/…` to the base verbatim, so the base must end with a slash.
        let base = format!("{}/", config.api_base.trim_end_matches('/'));
        let client = ::stripe::ClientBuilder::new(config.secret_key.expose_secret())
            .url(base)
            .timeout(config.timeout())
            .build()
            .map_err(describe)
            .context("Failed to build the Stripe client")?;
        Ok(StripeApi { client, timeout: config.timeout() })
    }

    /// Creates a card PaymentIntent. The purchase id is the idempotency key, so a retried
    /// request cannot create a second intent for the same purchase.
    #[tracing::instrument(skip_all, fields(purchase_id = intent.purchase_id))]
    pub async fn create_payment_intent(&self, intent: NewPaymentIntent<'_>) -> anyhow::Result<PaymentIntent> {
        let form = CreatePaymentIntent {
            amount: intent.amount,
            currency: intent.currency,
            payment_method_types: ["card"],
            metadata: BTreeMap::from([("purchase_id", intent.purchase_id), ("paywall_id", intent.paywall_id)]),
        };
        let key = IdempotencyKey::new(format!("plog-purchase-{}", intent.purchase_id))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        RequestBuilder::new(StripeMethod::Post, "/payment_intents")
            .form(&form)
            .customize::<PaymentIntent>()
            .request_strategy(RequestStrategy::Idempotent(key))
            .timeout(self.timeout)
            .send(&self.client)
            .await
            .map_err(describe)
            .context("Failed to create a PaymentIntent")
    }

    /// Sends a form to any Stripe API path and reads the answer into `T` (the sandbox uses it
    /// for calls the purchase flow never makes).
    pub async fn post_form<T: miniserde::Deserialize, F: Serialize>(&self, path: &str, form: &F) -> Result<T, StripeRefusal> {
        RequestBuilder::new(StripeMethod::Post, path)
            .form(form)
            .customize::<T>()
            .timeout(self.timeout)
            .send(&self.client)
            .await
            .map_err(StripeRefusal::from)
    }

    /// Reads a PaymentIntent.
    #[tracing::instrument(skip_all, fields(payment_intent_id = id))]
    pub async fn payment_intent(&self, id: &str) -> anyhow::Result<PaymentIntent> {
        anyhow::ensure!(
            id.starts_with("pi_") && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "not a PaymentIntent id"
        );
        RequestBuilder::new(StripeMethod::Get, format!("/payment_intents/{id}"))
            .customize::<PaymentIntent>()
            .timeout(self.timeout)
            .send(&self.client)
            .await
            .map_err(describe)
            .context("Failed to read a PaymentIntent")
    }
}
