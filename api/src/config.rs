//! Runtime configuration: every setting comes from a `plog serve` flag or its environment
//! variable (names in the README's configuration table). Secrets are [`SecretString`]s, so no
//! `Debug` or log line can print them.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

/// Parses a secret from a flag or environment variable.
fn parse_secret(raw: &str) -> Result<SecretString, String> {
    if raw.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(SecretString::from(raw.trim().to_owned()))
    }
}

/// Where the database lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://plog.db` (a file, created if missing).
    #[arg(long = "database-url", env = "PLOG_DATABASE_URL", default_value = "sqlite://plog.db")]
    pub url: String,
}

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
    /// Where the widget loads Stripe.js from (default: Stripe's, or the sandbox's test double).
    #[arg(long = "stripe-js-url", env = "STRIPE_JS_URL")]
    pub js_url: Option<String>,
}

/// Everything `plog serve` needs.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// The database.
    #[command(flatten)]
    pub database: DatabaseConfig,
    /// Address to listen on.
    #[arg(long, env = "PLOG_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Public origin of this server, written into tags (default: `http://` + the listen address).
    #[arg(long, env = "PLOG_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Token of the creator's admin API; without it the admin API is disabled.
    #[arg(long, env = "PLOG_ADMIN_TOKEN", value_parser = parse_secret, hide_env_values = true)]
    pub admin_token: Option<SecretString>,
    /// Offline sandbox: serve the Stripe.js test double and its helper (localstripe must be
    /// `STRIPE_API_BASE`). Refuses live keys.
    #[arg(long, env = "PLOG_SANDBOX")]
    pub sandbox: bool,
    /// Run `plog reconcile` in the background this often (e.g. `10m`); off when unset.
    #[arg(long, env = "PLOG_RECONCILE_EVERY")]
    pub reconcile_every: Option<humantime::Duration>,
    /// Folder of the built widget (`trunk build --release` writes it): served at `/plog.js`
    /// and `/widget/*`.
    #[arg(long, env = "PLOG_WIDGET_DIR", default_value = "dist")]
    pub widget_dir: std::path::PathBuf,
    /// Stripe.
    #[command(flatten)]
    pub stripe: StripeConfig,
}

impl ServeConfig {
    /// The origin written into tags, without a trailing slash.
    pub fn public_url(&self) -> String {
        public_origin(self.public_url.as_deref(), self.listen)
    }

    /// Where the widget loads Stripe.js from, for a server reachable at `public_url`.
    pub fn stripe_js_url(&self, public_url: &str) -> String {
        match (&self.stripe.js_url, self.sandbox) {
            (Some(url), _) => url.clone(),
            (None, true) => format!("{public_url}/sandbox/stripe.js"),
            (None, false) => "https://js.stripe.com/v3/".to_owned(),
        }
    }

    /// Refuses settings that cannot work, with a message naming the setting.
    pub fn validate(&self) -> anyhow::Result<()> {
        let key = self.stripe.access.secret_key.expose_secret();
        anyhow::ensure!(
            key.starts_with("sk_") || key.starts_with("rk_"),
            "STRIPE_SECRET_KEY must be a Stripe secret key (sk_test_…, sk_live_… or rk_…)"
        );
        anyhow::ensure!(
            self.stripe.publishable_key.starts_with("pk_"),
            "STRIPE_PUBLISHABLE_KEY must be a Stripe publishable key (pk_test_… or pk_live_…)"
        );
        let live_secret = key.starts_with("sk_live_") || key.starts_with("rk_live_");
        let live_public = self.stripe.publishable_key.starts_with("pk_live_");
        anyhow::ensure!(
            !(self.sandbox && (live_secret || live_public)),
            "PLOG_SANDBOX refuses live Stripe keys (sk_live_…, pk_live_…): the sandbox is for test keys and localstripe only"
        );
        anyhow::ensure!(
            live_secret == live_public,
            "STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY must both be live keys or both test keys"
        );
        anyhow::ensure!(
            self.stripe.access.api_base.starts_with("http://") || self.stripe.access.api_base.starts_with("https://"),
            "STRIPE_API_BASE must be an http(s) URL"
        );
        Ok(())
    }
}

/// The public origin for tags: the configured one without trailing slash, else from the listen address.
pub fn public_origin(configured: Option<&str>, listen: SocketAddr) -> String {
    match configured {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("http://{listen}"),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeConfig,
    }

    fn parse(args: &[&str]) -> ServeConfig {
        let mut all = vec!["plog"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap().serve
    }

    const KEYS: [&str; 6] = [
        "--stripe-secret-key", "sk_test_supersecret", "--stripe-publishable-key", "pk_test_x",
        "--stripe-webhook-secret", "whsec_verysecret",
    ];

    #[test]
    fn debug_output_never_shows_secrets() {
        let mut args = KEYS.to_vec();
        args.extend(["--admin-token", "admintokensecret"]);
        let printed = format!("{:?}", parse(&args));
        for secret in ["sk_test_supersecret", "whsec_verysecret", "admintokensecret"] {
            assert!(!printed.contains(secret), "{secret} leaked in {printed}");
        }
    }

    #[test]
    fn mixing_live_and_test_keys_is_refused() {
        let mut args = KEYS.to_vec();
        args[1] = "sk_live_abc";
        let err = parse(&args).validate().unwrap_err().to_string();
        assert!(err.contains("both be live keys or both test keys"), "{err}");
        assert!(parse(&KEYS).validate().is_ok());
    }

    #[test]
    fn the_sandbox_refuses_live_keys() {
        let mut args = KEYS.to_vec();
        args[1] = "sk_live_abc";
        args[3] = "pk_live_abc";
        assert!(parse(&args).validate().is_ok(), "live keys are fine outside the sandbox");
        args.push("--sandbox");
        let err = parse(&args).validate().unwrap_err().to_string();
        assert!(err.contains("refuses live Stripe keys"), "{err}");
    }

    #[test]
    fn the_sandbox_serves_its_own_stripe_js_unless_one_is_configured() {
        let mut args = KEYS.to_vec();
        assert_eq!(parse(&args).stripe_js_url("http://h"), "https://js.stripe.com/v3/");
        args.push("--sandbox");
        assert_eq!(parse(&args).stripe_js_url("http://h"), "http://h/sandbox/stripe.js");
        args.extend(["--stripe-js-url", "http://x/s.js"]);
        assert_eq!(parse(&args).stripe_js_url("http://h"), "http://x/s.js");
    }

    #[test]
    fn public_url_defaults_to_the_listen_address() {
        assert_eq!(parse(&KEYS).public_url(), "http://127.0.0.1:8080");
        let mut args = KEYS.to_vec();
        args.extend(["--public-url", "https://pay.example.org/"]);
        assert_eq!(parse(&args).public_url(), "https://pay.example.org");
    }
}
