//! Runtime configuration: every setting comes from a `plog serve` flag or its environment
//! variable (names in the README's configuration table). Secrets are [`SecretString`]s, so no
//! `Debug` or log line can print them.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Args;
use secrecy::{ExposeSecret, SecretString};

/// Parses a secret from a flag or environment variable.
fn parse_secret(raw: &str) -> Result<SecretString, String> {
    if raw.trim().is_empty() { Err("must not be empty".into()) } else { Ok(SecretString::from(raw.trim().to_owned())) }
}

/// Parses a network (`10.0.0.0/8`) or a single address (`127.0.0.1`).
fn parse_network(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw:?} is neither an IP address nor a network like 10.0.0.0/8"))
}

/// Where the database lives.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// Database URL: `sqlite://plog.db` (a file, created if missing).
    #[arg(long = "database-url", env = "PLOG_DATABASE_URL", default_value = "sqlite://plog.db")]
    pub url: String,
    /// Most connections the pool opens (default: 8 on SQLite, 10 on PostgreSQL — the sizes
    /// that served the content route fastest on 2 cores, see bench/README.md).
    #[arg(long = "db-max-connections", env = "PLOG_DB_MAX_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub max_connections: Option<u32>,
    /// Seconds a request waits for a free connection before it is answered 503 `database_busy`.
    #[arg(long = "db-acquire-timeout-secs", env = "PLOG_DB_ACQUIRE_TIMEOUT_SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=600))]
    pub acquire_timeout_secs: u64,
}

impl DatabaseConfig {
    /// The settings of a database at `url` with the default pool.
    pub fn new(url: impl Into<String>) -> DatabaseConfig {
        DatabaseConfig { url: url.into(), max_connections: None, acquire_timeout_secs: 5 }
    }
}

/// The defences of the public routes: rate limits on starting purchases (card testing), where
/// a client's address comes from, and the limits every request meets.
#[derive(Debug, Clone, Args)]
pub struct GuardConfig {
    /// Purchases one client IP may start, e.g. `10/min`, `100/hour`, or `off`.
    #[arg(long = "rate-per-ip", env = "PLOG_RATE_PER_IP", default_value = "10/min")]
    pub rate_per_ip: Rate,
    /// Purchases one paywall may see started, from all clients together, e.g. `600/min` or `off`.
    #[arg(long = "rate-per-paywall", env = "PLOG_RATE_PER_PAYWALL", default_value = "600/min")]
    pub rate_per_paywall: Rate,
    /// Unpaid (pending or declined) purchases one client IP may hold from the last hour; 0: no cap.
    #[arg(long = "rate-max-pending-per-ip", env = "PLOG_RATE_MAX_PENDING_PER_IP", default_value_t = 20)]
    pub max_pending_per_ip: u32,
    /// Addresses or networks of reverse proxies in front of plog (comma-separated, e.g.
    /// `127.0.0.1,10.0.0.0/8`). Only a request from one of them has its `X-Forwarded-For`
    /// believed; without this setting the header is ignored.
    #[arg(long = "trusted-proxies", env = "PLOG_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Seconds one request may take before it is answered 503 `timeout`.
    #[arg(long = "request-timeout-secs", env = "PLOG_REQUEST_TIMEOUT_SECS", default_value_t = 45, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,
    /// Largest total size of a request's headers, bytes; beyond it: 431 `headers_too_large`.
    #[arg(long = "max-header-bytes", env = "PLOG_MAX_HEADER_BYTES", default_value_t = 16 * 1024, value_parser = clap::value_parser!(u64).range(1024..=256 * 1024))]
    pub max_header_bytes: u64,
}

/// A rate: `N/s`, `N/min`, `N/hour`, `N/day`, or `off`. `N` requests may come at once; after
/// that they are let through evenly, one every period/N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// No limit.
    Off,
    /// At most `count` per `period`.
    Limit {
        /// Requests per period (and the burst).
        count: std::num::NonZeroU32,
        /// The period.
        period: Duration,
    },
}

impl std::str::FromStr for Rate {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("off") {
            return Ok(Rate::Off);
        }
        let usage = || format!("{text:?} is not a rate: write N/s, N/min, N/hour, N/day or off");
        let (count, unit) = text.split_once('/').ok_or_else(usage)?;
        let count: std::num::NonZeroU32 = count.trim().parse().map_err(|_| usage())?;
        let seconds = match unit.trim() {
            "s" | "sec" | "second" => 1,
            "m" | "min" | "minute" => 60,
            "h" | "hour" => 3600,
            "d" | "day" => 86_400,
            _ => return Err(usage()),
        };
        Ok(Rate::Limit { count, period: Duration::from_secs(seconds) })
    }
}

impl std::fmt::Display for Rate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rate::Off => f.write_str("off"),
            Rate::Limit { count, period } => match period.as_secs() {
                1 => write!(f, "{count}/s"),
                60 => write!(f, "{count}/min"),
                3600 => write!(f, "{count}/hour"),
                _ => write!(f, "{count}/day"),
            },
        }
    }
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
    /// Rate limits, client addresses and request limits.
    #[command(flatten)]
    pub guard: GuardConfig,
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
    fn rates_parse_and_print_back() {
        for text in ["10/min", "1/s", "600/min", "5/hour", "100/day", "off"] {
            assert_eq!(text.parse::<Rate>().unwrap().to_string(), text);
        }
        for bad in ["", "10", "0/min", "-1/min", "10/week", "ten/min", "1.5/s"] {
            let err = bad.parse::<Rate>().unwrap_err();
            assert!(err.contains("is not a rate"), "{bad}: {err}");
        }
        let defaults = parse(&KEYS).guard;
        assert_eq!(defaults.rate_per_ip.to_string(), "10/min");
        assert!(defaults.trusted_proxies.is_empty());
        let mut args = KEYS.to_vec();
        args.extend(["--trusted-proxies", "127.0.0.1,10.0.0.0/8"]);
        assert_eq!(parse(&args).guard.trusted_proxies.len(), 2);
    }

    #[test]
    fn public_url_defaults_to_the_listen_address() {
        assert_eq!(parse(&KEYS).public_url(), "http://127.0.0.1:8080");
        let mut args = KEYS.to_vec();
        args.extend(["--public-url", "https://pay.example.org/"]);
        assert_eq!(parse(&args).public_url(), "https://pay.example.org");
    }
}
