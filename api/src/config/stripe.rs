//! The Stripe account plog charges through: keys, API base, timeouts, and which mode a key is.

use std::time::Duration;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

use super::parse_secret;

/// How to reach the Stripe API (all `plog reconcile` needs).
#[derive(Debug, Clone, Args)]
pub struct StripeAccess {
    /// Secret API key (`sk_test_…` or `sk_live_…`).
    #[arg(long = "stripe-secret-key", env = "STRIPE_SECRET_KEY", value_parser = parse_secret, hide_env_values = true)]
    pub secret_key: SecretString,
    /// Base URL of the Stripe API (point it at localstripe for the sandbox).
    #[arg(long = "stripe-api-base", env = "STRIPE_API_BASE", default_value = "https://api.stripe.com")]
    pub api_base: String,
    /// Seconds to wait for one Stripe API call (each of up to three attempts).
    #[arg(long = "stripe-timeout-secs", env = "PLOG_STRIPE_TIMEOUT_SECS", default_value_t = 10)]
    pub timeout_secs: u64,
}

impl StripeAccess {
    /// The timeout of one Stripe API call.
    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs.max(1))
    }

    /// True when payments go to an emulator rather than Stripe itself (the widget then shows a
    /// "no real money" badge).
    pub fn is_sandbox(&self) -> bool {
        !self.api_base.trim_end_matches('/').ends_with("://api.stripe.com")
    }
}

/// Settings of the Stripe account plog charges through.
#[derive(Debug, Clone, Args)]
pub struct StripeConfig {
    /// API key, base URL and timeout.
    #[command(flatten)]
    pub access: StripeAccess,
    /// Publishable key (`pk_…`), handed to the widget.
    #[arg(long = "stripe-publishable-key", env = "STRIPE_PUBLISHABLE_KEY")]
    pub publishable_key: String,
    /// Webhook signing secret (`whsec_…`).
    #[arg(long = "stripe-webhook-secret", env = "STRIPE_WEBHOOK_SECRET", value_parser = parse_secret, hide_env_values = true)]
    pub webhook_secret: SecretString,
    /// Signing secret (`whsec_…`) of the Connect endpoint (`/v1/webhooks/stripe-connect`), which
    /// receives the events of creators' connected accounts; platform mode only.
    #[arg(long = "stripe-connect-webhook-secret", env = "STRIPE_CONNECT_WEBHOOK_SECRET", value_parser = parse_secret, hide_env_values = true)]
    pub connect_webhook_secret: Option<SecretString>,
    /// Where the widget loads Stripe.js from (default: Stripe's, or the sandbox's test double).
    #[arg(long = "stripe-js-url", env = "STRIPE_JS_URL")]
    pub js_url: Option<String>,
}

/// Which mode of a Stripe account a key belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMode {
    /// `sk_live_…`, `rk_live_…`, `pk_live_…`: real money.
    Live,
    /// `sk_test_…`, `rk_test_…`, `pk_test_…`: Stripe's test mode.
    Test,
}

impl KeyMode {
    /// The mode a key's prefix names, if it names one.
    pub fn of(key: &str) -> Option<KeyMode> {
        ["sk_live_", "rk_live_", "pk_live_"].iter().any(|p| key.starts_with(p)).then_some(KeyMode::Live).or_else(|| {
            ["sk_test_", "rk_test_", "pk_test_"].iter().any(|p| key.starts_with(p)).then_some(KeyMode::Test)
        })
    }
}

impl StripeConfig {
    /// The modes of the secret and the publishable key.
    pub fn key_modes(&self) -> (Option<KeyMode>, Option<KeyMode>) {
        (KeyMode::of(self.access.secret_key.expose_secret()), KeyMode::of(&self.publishable_key))
    }
}
