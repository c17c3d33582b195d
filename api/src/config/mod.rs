//! Runtime configuration: every setting comes from a `plog serve` flag or its environment
//! variable (names in the README's configuration table). Secrets are [`SecretString`]s, so no
//! `Debug` or log line can print them. One file per concern: [`database`], [`stripe`],
//! [`limits`] (purchases), [`requests`] (every request), [`mail`], [`platform`] (many creators);
//! `ServeConfig` gathers them.

use std::net::SocketAddr;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

mod database;
mod limits;
mod mail;
mod platform;
mod requests;
mod stripe;

pub use database::DatabaseConfig;
pub use limits::{AddressLimitsConfig, PurchaseLimitsConfig, Rate};
pub use mail::MailConfig;
pub use platform::{FeeRate, PlatformConfig};
pub use requests::RequestConfig;
pub use stripe::{KeyMode, StripeAccess, StripeConfig};

/// Parses a secret from a flag or environment variable.
pub(crate) fn parse_secret(raw: &str) -> Result<SecretString, String> {
    if raw.trim().is_empty() { Err("must not be empty".into()) } else { Ok(SecretString::from(raw.trim().to_owned())) }
}

/// Shortest admin token accepted: with 32 characters even a token of only lowercase hex digits
/// holds 128 bits, beyond any guessing the failure limiter leaves room for.
pub const MIN_ADMIN_TOKEN_CHARS: usize = 32;

/// Parses the admin token: a secret of at least [`MIN_ADMIN_TOKEN_CHARS`] characters, so
/// `plog serve` and `plog doctor` refuse a guessable one (`pw`) before anything starts.
pub(crate) fn parse_admin_token(raw: &str) -> Result<SecretString, String> {
    let token = parse_secret(raw)?;
    let chars = secrecy::ExposeSecret::expose_secret(&token).chars().count();
    if chars < MIN_ADMIN_TOKEN_CHARS {
        return Err(format!(
            "must be at least {MIN_ADMIN_TOKEN_CHARS} characters long (it has {chars}): make one with `openssl rand -hex 24`"
        ));
    }
    Ok(token)
}

/// Parses `PLOG_HASH_KEY`: a secret as long as an admin token must be.
pub(crate) fn parse_hash_key(raw: &str) -> Result<SecretString, String> {
    parse_admin_token(raw)
}

/// The keys of plog's keyed hashes (addresses, restore codes, client addresses): the current
/// one writes and looks up; the previous ones only look up (restoring access after a rotation).
#[derive(Debug, Clone)]
pub struct HashKeys {
    /// `PLOG_HASH_KEY`, or the webhook signing secret where that is unset.
    pub current: SecretString,
    /// `PLOG_PREVIOUS_HASH_KEYS`, then the webhook signing secret once `PLOG_HASH_KEY` is set
    /// (an install from before the setting keeps its buyers' hashes).
    pub previous: Vec<SecretString>,
}

impl HashKeys {
    /// Every key, the current one first, each once.
    pub fn all(&self) -> Vec<&SecretString> {
        let mut all: Vec<&SecretString> = vec![&self.current];
        for key in &self.previous {
            if !all.iter().any(|k| k.expose_secret() == key.expose_secret()) {
                all.push(key);
            }
        }
        all
    }
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
    /// The creator's name, shown on the article pages (`/r/{id}`) and their link previews.
    #[arg(long, env = "PLOG_CREATOR_NAME")]
    pub creator_name: Option<String>,
    /// Token of the creator's admin API; without it the admin API is disabled.
    #[arg(long, env = "PLOG_ADMIN_TOKEN", value_parser = parse_admin_token, hide_env_values = true)]
    pub admin_token: Option<SecretString>,
    /// The key of the hashes plog keeps of readers' addresses, of restore codes and of client
    /// addresses (at least 32 characters, shared by every replica). Unset: the webhook signing
    /// secret, as before this setting existed — which rolling that secret would silently end.
    #[arg(long, env = "PLOG_HASH_KEY", value_parser = parse_hash_key, hide_env_values = true)]
    pub hash_key: Option<SecretString>,
    /// Earlier hash keys (comma-separated), still accepted when a reader restores access: keep
    /// a key here after rotating it for as long as its buyers may come back.
    #[arg(long, env = "PLOG_PREVIOUS_HASH_KEYS", value_delimiter = ',', value_parser = parse_secret, hide_env_values = true)]
    pub previous_hash_keys: Vec<SecretString>,
    /// Offline sandbox: serve the Stripe.js test double and its helper (localstripe must be
    /// `STRIPE_API_BASE`). Refuses live keys.
    #[arg(long, env = "PLOG_SANDBOX")]
    pub sandbox: bool,
    /// Run `plog reconcile` in the background this often (e.g. `10m`); off when unset.
    #[arg(long, env = "PLOG_RECONCILE_EVERY")]
    pub reconcile_every: Option<humantime::Duration>,
    /// Serve the widget from this folder of a widget build (`scripts/build-widget` writes
    /// `dist/`) instead of the build embedded in the binary: for trying a widget change without
    /// rebuilding plog.
    #[arg(long, env = "PLOG_WIDGET_DIR")]
    pub widget_dir: Option<std::path::PathBuf>,
    /// Rate limits on starting purchases.
    #[command(flatten)]
    pub purchase_limits: PurchaseLimitsConfig,
    /// The rate limit on the views beacon.
    #[command(flatten)]
    pub address_limits: AddressLimitsConfig,
    /// Client addresses and the limits every request meets.
    #[command(flatten)]
    pub requests: RequestConfig,
    /// Stripe.
    #[command(flatten)]
    pub stripe: StripeConfig,
    /// Receipts and restore codes by mail.
    #[command(flatten)]
    pub mail: MailConfig,
    /// Many creators on one plog (Stripe Connect).
    #[command(flatten)]
    pub platform: PlatformConfig,
}

impl ServeConfig {
    /// The origin written into tags, without a trailing slash.
    pub fn public_url(&self) -> String {
        public_origin(self.public_url.as_deref(), self.listen)
    }

    /// Where the widget loads Stripe.js from, for a server reachable at `public_url`: the URL
    /// configured, the sandbox's double, or `None` for Stripe's own release (the one
    /// `stripe::STRIPE_JS_URL` names beside the pinned API version).
    pub fn stripe_js_url(&self, public_url: &str) -> Option<String> {
        match (&self.stripe.js_url, self.sandbox) {
            (Some(url), _) => Some(url.clone()),
            (None, true) => Some(format!("{public_url}/sandbox/stripe.js")),
            (None, false) => None,
        }
    }

    /// The keys of plog's keyed hashes, as [`HashKeys`] explains.
    pub fn hash_keys(&self) -> HashKeys {
        let webhook_secret = self.stripe.webhook_secret.clone();
        match &self.hash_key {
            Some(key) => {
                let mut previous = self.previous_hash_keys.clone();
                previous.push(webhook_secret);
                HashKeys { current: key.clone(), previous }
            }
            None => HashKeys { current: webhook_secret, previous: self.previous_hash_keys.clone() },
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
        let (secret_mode, public_mode) = self.stripe.key_modes();
        let live_secret = secret_mode == Some(KeyMode::Live);
        let live_public = public_mode == Some(KeyMode::Live);
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
        anyhow::ensure!(
            self.mail.smtp_url.is_none() || self.mail.mail_from.is_some(),
            "PLOG_SMTP_URL needs PLOG_MAIL_FROM, the address receipts are sent from"
        );
        if self.platform.enabled {
            anyhow::ensure!(
                self.admin_token.is_some(),
                "PLOG_PLATFORM needs PLOG_ADMIN_TOKEN: the operator's token, for the operator's view"
            );
            anyhow::ensure!(
                self.mail.smtp_url.is_some(),
                "PLOG_PLATFORM needs PLOG_SMTP_URL: creators sign up and sign in with a code sent by mail"
            );
            anyhow::ensure!(
                self.stripe.connect_webhook_secret.is_some(),
                "PLOG_PLATFORM needs STRIPE_CONNECT_WEBHOOK_SECRET: the creators' payments are reported to the Connect endpoint (/v1/webhooks/stripe-connect)"
            );
        } else {
            anyhow::ensure!(
                self.platform.fee.is_none() && !self.platform.invite_only,
                "PLOG_PLATFORM_FEE and PLOG_PLATFORM_INVITE_ONLY are for platform mode (PLOG_PLATFORM=true)"
            );
        }
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
        "--stripe-secret-key",
        "sk_test_supersecret",
        "--stripe-publishable-key",
        "pk_test_x",
        "--stripe-webhook-secret",
        "whsec_verysecret",
    ];

    #[test]
    fn an_admin_token_under_32_characters_is_refused_at_start() {
        let mut args = vec!["plog"];
        args.extend_from_slice(&KEYS);
        args.extend_from_slice(&["--admin-token", "pw"]);
        let Err(error) = Cli::try_parse_from(&args) else { panic!("PLOG_ADMIN_TOKEN=pw was accepted") };
        assert!(error.to_string().contains("at least 32 characters"), "{error}");
        let long = "0123456789abcdef0123456789abcdef";
        let last = args.len() - 1;
        args[last] = long;
        assert!(Cli::try_parse_from(&args).is_ok());
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let mut args = KEYS.to_vec();
        args.extend(["--admin-token", "admintokensecret-0123456789abcdefgh"]);
        let printed = format!("{:?}", parse(&args));
        for secret in ["sk_test_supersecret", "whsec_verysecret", "admintokensecret-0123456789abcdefgh"] {
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
        assert_eq!(parse(&args).stripe_js_url("http://h"), None);
        args.push("--sandbox");
        assert_eq!(parse(&args).stripe_js_url("http://h").as_deref(), Some("http://h/sandbox/stripe.js"));
        args.extend(["--stripe-js-url", "http://x/s.js"]);
        assert_eq!(parse(&args).stripe_js_url("http://h").as_deref(), Some("http://x/s.js"));
    }

    #[test]
    fn rates_parse_and_print_back() {
        for text in ["10/min", "1/s", "600/min", "5/hour", "100/day", "off"] {
            assert_eq!(text.parse::<Rate>().unwrap().to_string(), text);
        }
        for bad in ["", "10", "0/min", "-1/min", "10/week", "ten/min", "1.5/s"] {
            let err = bad.parse::<Rate>().unwrap_err();
            assert!(err.contains("is not a rate"), "{bad}: {err}");
        }
        let defaults = parse(&KEYS);
        assert_eq!(defaults.purchase_limits.rate_per_ip.to_string(), "10/min");
        assert!(defaults.requests.trusted_proxies.is_empty());
        let mut args = KEYS.to_vec();
        args.extend(["--trusted-proxies", "127.0.0.1,10.0.0.0/8"]);
        assert_eq!(parse(&args).requests.trusted_proxies.len(), 2);
    }

    #[test]
    fn every_environment_variable_is_in_env_example_and_the_configuration_page() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
        let example = std::fs::read_to_string(format!("{root}/.env.example")).unwrap();
        let table = std::fs::read_to_string(format!("{root}/docs/operators/configuration.md")).unwrap();
        let mut names = Vec::new();
        for file in ["mod.rs", "database.rs", "limits.rs", "mail.rs", "platform.rs", "requests.rs", "stripe.rs"] {
            let text = std::fs::read_to_string(format!("{root}/api/src/config/{file}")).unwrap();
            for (at, _) in text.match_indices("env = \"") {
                let name: String = text[at + 7..].chars().take_while(|c| *c != '"').collect();
                names.push(name);
            }
        }
        assert!(names.len() >= 20, "found {names:?}");
        for name in &names {
            assert!(example.contains(&format!("{name}=")), ".env.example lists {name}");
            assert!(table.contains(name.as_str()), "docs/operators/configuration.md lists {name}");
        }
    }

    #[test]
    fn public_url_defaults_to_the_listen_address() {
        assert_eq!(parse(&KEYS).public_url(), "http://127.0.0.1:8080");
        let mut args = KEYS.to_vec();
        args.extend(["--public-url", "https://pay.example.org/"]);
        assert_eq!(parse(&args).public_url(), "https://pay.example.org");
    }
}
