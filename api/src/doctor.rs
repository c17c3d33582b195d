//! `plog doctor`: what a creator checks before going live, each problem on one line with its
//! fix. It reads the same settings as `plog serve` and asks Stripe (never changes anything):
//! the keys agree (both test or both live), the account answers the secret key, a webhook
//! endpoint for `PLOG_PUBLIC_URL` exists, is enabled, sends every event plog handles and renders
//! them at the pinned API version, the widget's files are there, the database answers, a
//! live setup is served over https, and which wallets Stripe shows on each site paywalls list.
//! In platform mode also: the keys are a Connect platform's, and the Connect endpoint exists
//! (`connect=true`), sends the payment and account events, at the pinned version.

use std::collections::BTreeSet;
use std::fmt;

use plog_shared::api::WalletState;

use secrecy::ExposeSecret;

use crate::config::{KeyMode, PlatformConfig, ServeConfig};
use crate::mailer::Mailer;
use crate::store::Store;
use crate::stripe::client::{PaymentMethodDomain, WebhookEndpoint};
use crate::stripe::webhook::{ACCOUNT_EVENTS, HANDLED_EVENTS};
use crate::stripe::{API_VERSION, StripeApi};
use crate::wallets;
use crate::widget_build::WidgetAssets;

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Whether the check passed.
    pub ok: bool,
    /// What was checked, or what is wrong.
    pub what: String,
    /// How to fix it (problems only).
    pub fix: Option<String>,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Finding {
        Finding { ok: true, what: what.into(), fix: None }
    }

    fn problem(what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding { ok: false, what: what.into(), fix: Some(fix.into()) }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.fix {
            None => write!(f, "ok       {}", self.what),
            Some(fix) => write!(f, "PROBLEM  {} — fix: {fix}", self.what),
        }
    }
}

/// A webhook endpoint plog needs at Stripe: the platform's own, or (platform mode) the Connect
/// endpoint, which receives the events of creators' connected accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `/v1/webhooks/stripe`: the account's own events.
    Own,
    /// `/v1/webhooks/stripe-connect`: made with `connect=true`, the events of creators' accounts.
    Connect,
}

impl Endpoint {
    fn path(self) -> &'static str {
        match self {
            Endpoint::Own => "/v1/webhooks/stripe",
            Endpoint::Connect => "/v1/webhooks/stripe-connect",
        }
    }

    /// The event types it must send.
    pub fn events(self) -> Vec<&'static str> {
        match self {
            Endpoint::Own => HANDLED_EVENTS.to_vec(),
            Endpoint::Connect => HANDLED_EVENTS.iter().chain(ACCOUNT_EVENTS.iter()).copied().collect(),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Endpoint::Own => "webhook endpoint",
            Endpoint::Connect => "Connect webhook endpoint",
        }
    }

    fn secret(self) -> &'static str {
        match self {
            Endpoint::Own => "STRIPE_WEBHOOK_SECRET",
            Endpoint::Connect => "STRIPE_CONNECT_WEBHOOK_SECRET",
        }
    }
}

/// Where Stripe must send the events of `endpoint`.
pub fn webhook_url(public_url: &str) -> String {
    endpoint_url(Endpoint::Own, public_url)
}

fn endpoint_url(endpoint: Endpoint, public_url: &str) -> String {
    format!("{}{}", public_url.trim_end_matches('/'), endpoint.path())
}

/// The Stripe CLI command that creates the endpoint plog needs.
pub fn create_endpoint_command(public_url: &str) -> String {
    create_command(Endpoint::Own, public_url)
}

fn create_command(endpoint: Endpoint, public_url: &str) -> String {
    let events: String = endpoint.events().iter().map(|e| format!(" -d \"enabled_events[]={e}\"")).collect();
    let connect = if endpoint == Endpoint::Connect { " -d connect=true" } else { "" };
    format!(
        "stripe webhook_endpoints create -d url={}{connect} -d api_version={API_VERSION}{events}",
        endpoint_url(endpoint, public_url)
    )
}

/// The keys and the public URL, without asking anyone.
pub fn settings_findings(config: &ServeConfig) -> Vec<Finding> {
    let mut findings = Vec::new();
    match config.stripe.key_modes() {
        (Some(KeyMode::Live), Some(KeyMode::Live)) => findings.push(Finding::ok("live keys: payments take real money")),
        (Some(KeyMode::Test), Some(KeyMode::Test)) => {
            findings.push(Finding::ok("test keys: payments take no money (Stripe's test mode)"))
        }
        (None, _) => findings.push(Finding::problem(
            "STRIPE_SECRET_KEY is not a Stripe secret key",
            "copy the secret key (sk_live_… or sk_test_…) from the Stripe dashboard, Developers → API keys",
        )),
        (_, None) => findings.push(Finding::problem(
            "STRIPE_PUBLISHABLE_KEY is not a Stripe publishable key",
            "copy the publishable key (pk_live_… or pk_test_…) from the same page as the secret key",
        )),
        _ => findings.push(Finding::problem(
            "STRIPE_SECRET_KEY and STRIPE_PUBLISHABLE_KEY are of different modes (one live, one test)",
            "use both keys of the same mode from the same account",
        )),
    }
    if config.platform.enabled {
        let fee = config.platform.fee.map_or("no fee".to_owned(), |fee| format!("a fee of {fee}"));
        findings.push(Finding::ok(format!(
            "platform mode: creators are paid on their own Stripe accounts, with {fee} for the operator{}",
            if config.platform.invite_only { "; only invited addresses sign up" } else { "" }
        )));
        if config.admin_token.is_none() {
            findings.push(Finding::problem(
                "platform mode without PLOG_ADMIN_TOKEN: nobody could see the operator's view",
                "set PLOG_ADMIN_TOKEN=$(openssl rand -hex 24): the operator's token",
            ));
        }
        if config.mail.smtp_url.is_none() {
            findings.push(Finding::problem(
                "platform mode without PLOG_SMTP_URL: creators could not get their sign-in codes",
                "set PLOG_SMTP_URL and PLOG_MAIL_FROM (README, \"Receipts by mail\")",
            ));
        }
        if !config.stripe.connect_webhook_secret.as_ref().is_some_and(|s| s.expose_secret().starts_with("whsec_")) {
            findings.push(Finding::problem(
                "STRIPE_CONNECT_WEBHOOK_SECRET is not a webhook signing secret",
                "copy the Connect endpoint's signing secret (whsec_…) from Developers → Webhooks → the endpoint",
            ));
        }
    }
    if !config.stripe.webhook_secret.expose_secret().starts_with("whsec_") {
        findings.push(Finding::problem(
            "STRIPE_WEBHOOK_SECRET is not a webhook signing secret",
            "copy the endpoint's signing secret (whsec_…) from Developers → Webhooks → the endpoint",
        ));
    }
    match &config.hash_key {
        Some(_) => findings.push(Finding::ok(format!(
            "PLOG_HASH_KEY keys the hashes of readers' addresses and restore codes ({} earlier key(s) still accepted)",
            config.hash_keys().previous.len()
        ))),
        None => findings.push(Finding::problem(
            "PLOG_HASH_KEY is not set: readers' address hashes and restore codes are keyed by STRIPE_WEBHOOK_SECRET, and rolling that secret would end restore for every past buyer",
            "set PLOG_HASH_KEY=$(openssl rand -hex 32) on every replica; the webhook secret stays accepted as an earlier key (README, \"Rotating the hash key\")",
        )),
    }
    let public_url = config.public_url();
    let (secret_mode, public_mode) = config.stripe.key_modes();
    let live = secret_mode == Some(KeyMode::Live) || public_mode == Some(KeyMode::Live);
    if config.sandbox && live {
        findings.push(Finding::problem(
            "PLOG_SANDBOX is on with live keys",
            "unset PLOG_SANDBOX: the sandbox is for test keys only",
        ));
    }
    match (config.public_url.is_some(), public_url.starts_with("https://")) {
        (_, true) => findings.push(Finding::ok(format!("public URL {public_url} is https"))),
        (_, false) if live => findings.push(Finding::problem(
            format!("public URL {public_url} is not https, with live keys"),
            "serve plog over https (a reverse proxy with TLS) and set PLOG_PUBLIC_URL=https://…",
        )),
        (false, false) => findings.push(Finding::problem(
            format!("PLOG_PUBLIC_URL is not set: tags and the webhook URL would name {public_url}"),
            "set PLOG_PUBLIC_URL to the origin readers' browsers and Stripe reach plog at",
        )),
        (true, false) => {
            findings.push(Finding::ok(format!("public URL {public_url} (http: fine with test keys only)")))
        }
    }
    findings
}

/// Whether one of the account's endpoints sends what plog needs to `public_url`.
pub fn endpoint_findings(endpoints: &[WebhookEndpoint], public_url: &str) -> Vec<Finding> {
    findings_of(Endpoint::Own, endpoints, public_url)
}

/// Whether one of the account's endpoints is `wanted`: at its URL, of its kind (Connect or the
/// account's own), enabled, sending every event it must, at the pinned version.
pub fn findings_of(wanted: Endpoint, endpoints: &[WebhookEndpoint], public_url: &str) -> Vec<Finding> {
    let url = endpoint_url(wanted, public_url);
    let name = wanted.name();
    let ours: Vec<&WebhookEndpoint> = endpoints.iter().filter(|e| e.url.trim_end_matches('/') == url).collect();
    if ours.is_empty() {
        return vec![Finding::problem(
            format!("no {name} sends events to {url}"),
            format!(
                "create one (Stripe dashboard, Developers → Webhooks, or `{}`) and set {} to its signing secret",
                create_command(wanted, public_url),
                wanted.secret()
            ),
        )];
    }
    let events = wanted.events();
    // The endpoint closest to right is the one reported on.
    let problems_of = |e: &WebhookEndpoint| -> Vec<Finding> {
        let mut problems = Vec::new();
        if e.status != "enabled" {
            problems.push(Finding::problem(
                format!("{name} {} is {}", e.id, e.status),
                "enable it in the Stripe dashboard",
            ));
        }
        let connect = e.application.is_some();
        if connect != (wanted == Endpoint::Connect) {
            let (is, should) = if connect {
                ("a Connect endpoint (events of connected accounts)", "the account's own events")
            } else {
                ("an endpoint of the account's own events", "the events of connected accounts (connect=true)")
            };
            problems.push(Finding::problem(
                format!("{name} {} is {is}, but {url} needs {should}", e.id),
                format!(
                    "an endpoint's kind cannot be changed: create the right one (`{}`)",
                    create_command(wanted, public_url)
                ),
            ));
        }
        let all = e.enabled_events.iter().any(|t| t == "*");
        let missing: Vec<&str> =
            events.iter().copied().filter(|h| !all && !e.enabled_events.iter().any(|t| t == h)).collect();
        if !missing.is_empty() {
            problems.push(Finding::problem(
                format!("{name} {} does not send {}", e.id, missing.join(", ")),
                "add these events to the endpoint (Developers → Webhooks → the endpoint → Update details)",
            ));
        }
        match e.api_version.as_deref() {
            Some(API_VERSION) => {}
            other => problems.push(Finding::problem(
                format!("{name} {} renders events at {} instead of plog's {API_VERSION}", e.id, other.unwrap_or("the account's default version")),
                format!("an endpoint's version cannot be changed: create a new one at {API_VERSION} (`{}`), then delete the old one", create_command(wanted, public_url)),
            )),
        }
        problems
    };
    let best = ours.iter().map(|e| (e, problems_of(e))).min_by_key(|(_, p)| p.len()).expect("at least one endpoint");
    if best.1.is_empty() {
        vec![Finding::ok(format!(
            "{name} {} sends the {} events plog handles to {url} at {API_VERSION}",
            best.0.id,
            events.len()
        ))]
    } else {
        best.1
    }
}

/// Every check, in order.
pub async fn examine(config: &ServeConfig) -> Vec<Finding> {
    let mut findings = settings_findings(config);
    let public_url = config.public_url();
    let client = StripeApi::new(&config.stripe.access, Default::default());
    match &client {
        Err(error) => findings.push(Finding::problem(
            format!("the Stripe client cannot be built: {error:#}"),
            "pin the async-stripe release plog names",
        )),
        Ok(stripe) => {
            match stripe.account().await {
                Ok(account) if account.charges_enabled == Some(false) => findings.push(Finding::problem(
                    format!("Stripe account {} cannot take payments yet", account.id),
                    "finish the account's activation in the Stripe dashboard",
                )),
                Ok(account) => findings.push(Finding::ok(format!("Stripe answers the secret key (account {})", account.id))),
                Err(error) => findings.push(Finding::problem(
                    format!("Stripe does not answer the secret key at {}: {error:#}", config.stripe.access.api_base),
                    "check STRIPE_SECRET_KEY (a revoked or mistyped key is refused) and that this machine reaches STRIPE_API_BASE",
                )),
            }
            match stripe.webhook_endpoints().await {
                Ok(endpoints) => {
                    findings.extend(endpoint_findings(&endpoints, &public_url));
                    if config.platform.enabled {
                        findings.extend(findings_of(Endpoint::Connect, &endpoints, &public_url));
                    }
                }
                Err(error) => findings.push(Finding::problem(
                    format!("the webhook endpoints cannot be listed: {error:#}"),
                    "use a secret key (or a restricted key with Webhook Endpoints: read)",
                )),
            }
        }
    }
    if config.platform.enabled
        && let Ok(stripe) = &client
    {
        match stripe.lists_connected_accounts().await {
            Ok(()) => findings.push(Finding::ok("the Stripe keys are a Connect platform's: creators' accounts can be made")),
            Err(error) => findings.push(Finding::problem(
                format!("the Stripe keys are not a Connect platform's (connected accounts cannot be listed): {error:#}"),
                "sign the account up for Connect (Stripe dashboard → Connect → Get started) and use its keys, or run plog without PLOG_PLATFORM",
            )),
        }
    }
    match WidgetAssets::find(config.widget_dir.as_deref()) {
        Ok(assets) => findings.push(Finding::ok(format!("the widget's files are {}", assets.origin()))),
        Err(error) => findings.push(Finding::problem(
            format!("{error:#}"),
            "build the widget (`scripts/setup`, then rebuild plog) or set PLOG_WIDGET_DIR to its folder",
        )),
    }
    match Mailer::new(&config.mail) {
        Ok(None) => {
            findings.push(Finding::ok("no PLOG_SMTP_URL: receipts by mail and restoring access are not offered"))
        }
        Ok(Some(mailer)) => match mailer.test_connection().await {
            Ok(true) => findings
                .push(Finding::ok("the SMTP server of PLOG_SMTP_URL answers: receipts and restore codes can go")),
            Ok(false) => findings.push(Finding::problem(
                "the SMTP server of PLOG_SMTP_URL does not answer",
                "check PLOG_SMTP_URL: host, port, TLS (smtps:// or ?tls=required) and credentials",
            )),
            Err(error) => findings.push(Finding::problem(
                format!("the SMTP server of PLOG_SMTP_URL cannot be reached: {error:#}"),
                "check PLOG_SMTP_URL: host, port, TLS (smtps:// or ?tls=required) and credentials",
            )),
        },
        Err(error) => findings.push(Finding::problem(format!("{error:#}"), "fix PLOG_SMTP_URL and PLOG_MAIL_FROM")),
    }
    match Store::open(&config.database).await {
        Ok(store) => match store.ping().await {
            Ok(()) => {
                findings.push(Finding::ok(format!("the database answers ({})", store.engine())));
                if let Ok(stripe) = &client {
                    findings.extend(wallets_of_sites(&store, stripe, &config.platform).await);
                }
            }
            Err(error) => findings.push(Finding::problem(format!("{error:#}"), "check PLOG_DATABASE_URL")),
        },
        Err(error) => findings.push(Finding::problem(format!("{error:#}"), "check PLOG_DATABASE_URL")),
    }
    findings
}

/// The wallets on every site paywalls on sale list, as Stripe has them registered now on the
/// account each paywall sells on: the plog's own, or (platform mode) its creator's connected
/// account. A creator who sells on no account yet has nothing to check.
async fn wallets_of_sites(store: &Store, stripe: &StripeApi, platform: &PlatformConfig) -> Vec<Finding> {
    if !store.holds_tables().await {
        return vec![Finding::ok(
            "no paywall is stored yet (plog serve creates the tables): no site to check for wallets",
        )];
    }
    let mut by_account = match wallets::on_sale_by_account(store, platform).await {
        Ok(by_account) => by_account,
        Err(error) => return vec![Finding::problem(format!("{error:#}"), "check PLOG_DATABASE_URL")],
    };
    if by_account.is_empty() {
        by_account.insert(None, vec![]);
    }
    let mut findings = Vec::new();
    for (account, on_sale) in by_account {
        let without_sites = on_sale.iter().filter(|p| p.origins.trim().is_empty()).count();
        let sites: BTreeSet<String> = on_sale.iter().flat_map(|p| crate::sites::origin_list(&p.origins)).collect();
        let listed = match crate::payments::stripe_on(stripe, account.as_deref()) {
            Ok(on_account) => on_account.payment_method_domains(None).await,
            Err(error) => Err(error),
        };
        let found = match listed {
            Ok(registered) => wallet_findings(&sites, without_sites, &registered),
            Err(error) => vec![Finding::problem(
                format!("the wallet domains cannot be listed: {error:#}"),
                "use a secret key (or a restricted key with Payment Method Domains: read)",
            )],
        };
        // A creator's sites are named with their account: the same site may be on two.
        findings.extend(found.into_iter().map(|finding| match &account {
            None => finding,
            Some(account) => Finding { what: format!("{account}: {}", finding.what), ..finding },
        }));
    }
    findings
}

/// One line per listed site: which wallets Stripe shows there, or what keeps them away.
pub fn wallet_findings(
    sites: &BTreeSet<String>,
    without_sites: usize,
    registered: &[PaymentMethodDomain],
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if without_sites > 0 {
        findings.push(Finding::ok(format!(
            "{without_sites} paywall(s) on sale list no site: readers there pay by card only (wallets show only on registered domains)"
        )));
    }
    for origin in sites {
        let domain = match wallets::domain_of(origin) {
            Ok(domain) => domain,
            Err(why) => {
                findings.push(Finding::ok(format!("{origin}: no wallets ({})", why.0)));
                continue;
            }
        };
        let Some(found) = registered.iter().find(|d| d.domain_name == domain) else {
            findings.push(Finding::problem(
                format!("{domain} (a paywall's site) is not registered for wallets: Apple Pay, Google Pay and Link do not show there"),
                format!("start plog (it registers listed sites within ten minutes), or `stripe payment_method_domains create -d domain_name={domain}`"),
            ));
            continue;
        };
        let kept = wallets::kept(found, 0);
        let states = format!(
            "Apple Pay {}, Google Pay {}, Link {}",
            kept.apple_pay.as_str(),
            kept.google_pay.as_str(),
            kept.link.as_str()
        );
        if kept.apple_pay == WalletState::Active && kept.google_pay == WalletState::Active {
            findings.push(Finding::ok(format!("wallets on {domain}: {states}")));
        } else {
            findings.push(Finding::problem(
                format!("wallets on {domain}: {states}{}", kept.problem.map(|p| format!(" ({p})")).unwrap_or_default()),
                format!(
                    "for Apple Pay, serve Stripe's file at https://{domain}{} and press Verify in the Stripe dashboard (Settings → Payment method domains)",
                    wallets::APPLE_PAY_FILE
                ),
            ));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(url: &str, events: &[&str], version: Option<&str>) -> WebhookEndpoint {
        WebhookEndpoint {
            id: "we_1".into(),
            url: url.into(),
            enabled_events: events.iter().map(|e| e.to_string()).collect(),
            api_version: version.map(str::to_owned),
            status: "enabled".into(),
            application: None,
        }
    }

    const URL: &str = "https://plog.example/v1/webhooks/stripe";

    #[test]
    fn the_right_endpoint_passes() {
        let found = endpoint_findings(&[endpoint(URL, &HANDLED_EVENTS, Some(API_VERSION))], "https://plog.example");
        assert!(found.iter().all(|f| f.ok), "{found:?}");
        let wildcard = endpoint_findings(&[endpoint(URL, &["*"], Some(API_VERSION))], "https://plog.example/");
        assert!(wildcard.iter().all(|f| f.ok), "{wildcard:?}");
    }

    #[test]
    fn a_missing_endpoint_missing_events_and_another_version_are_each_one_problem_with_a_fix() {
        let none = endpoint_findings(
            &[endpoint("https://other.example/v1/webhooks/stripe", &["*"], Some(API_VERSION))],
            "https://plog.example",
        );
        assert_eq!(none.len(), 1);
        assert!(!none[0].ok && none[0].fix.as_deref().unwrap().contains("stripe webhook_endpoints create"), "{none:?}");
        let partial = endpoint_findings(
            &[endpoint(URL, &["payment_intent.succeeded"], Some("2024-06-20"))],
            "https://plog.example",
        );
        assert_eq!(partial.len(), 2, "{partial:?}");
        assert!(
            partial[0].what.contains("charge.dispute.created") && partial[1].what.contains("2024-06-20"),
            "{partial:?}"
        );
        // The better of two endpoints for the URL is the one reported on.
        let two = endpoint_findings(
            &[endpoint(URL, &["*"], None), endpoint(URL, &HANDLED_EVENTS, Some(API_VERSION))],
            "https://plog.example",
        );
        assert!(two.iter().all(|f| f.ok), "{two:?}");
    }

    fn domain(name: &str, apple_pay: &str) -> PaymentMethodDomain {
        use crate::stripe::client::{WalletOnDomain, WalletStatusDetails};
        let wallet = |status: &str, why: Option<&str>| WalletOnDomain {
            status: status.into(),
            status_details: why.map(|w| WalletStatusDetails { error_message: w.into() }),
        };
        PaymentMethodDomain {
            id: "pmd_1".into(),
            domain_name: name.into(),
            enabled: true,
            apple_pay: wallet(apple_pay, (apple_pay != "active").then_some("the file was not found")),
            google_pay: wallet("active", None),
            link: wallet("active", None),
        }
    }

    #[test]
    fn each_listed_site_says_which_wallets_show_there() {
        let sites: BTreeSet<String> =
            ["https://ready.example", "https://no-file.example", "https://unknown.example", "http://127.0.0.1:8080"]
                .map(str::to_owned)
                .into();
        let registered = [domain("ready.example", "active"), domain("no-file.example", "inactive")];
        let found = wallet_findings(&sites, 2, &registered);
        let line = |needle: &str| {
            found.iter().find(|f| f.what.contains(needle)).unwrap_or_else(|| panic!("{needle}: {found:?}"))
        };
        assert!(line("2 paywall(s) on sale list no site").ok);
        assert!(line("wallets on ready.example: Apple Pay active, Google Pay active, Link active").ok);
        let no_file = line("wallets on no-file.example");
        assert!(!no_file.ok && no_file.what.contains("the file was not found"));
        assert!(
            no_file
                .fix
                .as_deref()
                .unwrap()
                .contains("https://no-file.example/.well-known/apple-developer-merchantid-domain-association")
        );
        let unknown = line("unknown.example (a paywall's site) is not registered");
        assert!(!unknown.ok && unknown.fix.as_deref().unwrap().contains("domain_name=unknown.example"));
        assert!(line("http://127.0.0.1:8080: no wallets").ok);
    }
}
