//! Wallets' domains: Stripe shows Apple Pay, Google Pay and Link only on domains registered with
//! it (the Payment Method Domains API). plog registers the host of every site a paywall lists —
//! in the background when a paywall is saved, when plog starts, and every [`SWEEP_EVERY`] for sites a CLI or
//! another replica added — and keeps what Stripe answered per wallet, which the dashboard and
//! `plog doctor` show.
//!
//! A registration is an account's: Stripe shows wallets for a payment only on domains registered
//! on the account it is made on. A standalone plog's sites (and, on a plog for many creators, the
//! operator's) are registered on the plog's own account; a creator's on their connected account,
//! where their readers pay — once it takes payments, and again on a new account if they connect
//! another.
//!
//! plog never says Apple Pay is ready when it cannot know: in live mode it also needs Apple's
//! file on the blog's own host, which only the creator can put there; the status shown is
//! Stripe's.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use plog_shared::api::{PaywallStatus, WalletDomain, WalletState};

use crate::clock::Clock;
use crate::config::PlatformConfig;
use crate::payments::PaymentError;
use crate::payments::start::QuoteRefusal;
use crate::store::{CreatorId, Paywall, Store};
use crate::stripe::StripeApi;
use crate::stripe::client::PaymentMethodDomain;

/// How often the listed sites are registered again (those missing or failed) and re-read (those
/// older than [`RECHECK_AFTER_SECS`]).
pub const SWEEP_EVERY: Duration = Duration::from_secs(600);

/// A registration's statuses are read again after a day (Apple Pay turns active once the
/// creator's file is there).
pub const RECHECK_AFTER_SECS: i64 = 86_400;

/// Why a site's host cannot be registered for wallets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotRegistrable(pub String);

/// The host Stripe registers for a site (an origin as plog stores it), or why there is none:
/// wallets need a public domain name, which an IP address or `localhost` is not.
pub fn domain_of(origin: &str) -> Result<String, NotRegistrable> {
    let url = url::Url::parse(origin).map_err(|e| NotRegistrable(format!("{origin} is not an origin: {e}")))?;
    match url.host() {
        Some(url::Host::Domain(host)) if host != "localhost" && !host.ends_with(".localhost") && host.contains('.') => {
            Ok(host.to_owned())
        }
        Some(url::Host::Domain(host)) => {
            Err(NotRegistrable(format!("{host} is not a public domain name: wallets show only on one")))
        }
        Some(_) => Err(NotRegistrable(format!("{origin} names an IP address: wallets show only on a domain name"))),
        None => Err(NotRegistrable(format!("{origin} has no host"))),
    }
}

/// What Stripe's registration says, as plog keeps it.
pub fn kept(domain: &PaymentMethodDomain, now: i64) -> WalletDomain {
    let wallets = [("Apple Pay", &domain.apple_pay), ("Google Pay", &domain.google_pay), ("Link", &domain.link)];
    let reasons: Vec<String> = wallets
        .iter()
        .filter_map(|(name, wallet)| wallet.status_details.as_ref().map(|d| format!("{name}: {}", d.error_message)))
        .collect();
    let state = |status: &str| if domain.enabled { WalletState::from_stripe(status) } else { WalletState::Inactive };
    WalletDomain {
        domain: domain.domain_name.clone(),
        stripe_id: Some(domain.id.clone()),
        apple_pay: state(&domain.apple_pay.status),
        google_pay: state(&domain.google_pay.status),
        link: state(&domain.link.status),
        problem: (!domain.enabled)
            .then(|| String::from("the domain is disabled for payment methods in Stripe"))
            .or_else(|| (!reasons.is_empty()).then(|| reasons.join("; "))),
        checked_at: now,
    }
}

/// A registration that failed: nothing is known of its wallets.
fn failed(domain: &str, why: String, now: i64) -> WalletDomain {
    WalletDomain {
        domain: domain.to_owned(),
        stripe_id: None,
        apple_pay: WalletState::Unknown,
        google_pay: WalletState::Unknown,
        link: WalletState::Unknown,
        problem: Some(why),
        checked_at: now,
    }
}

/// The account `creator`'s sites are registered on — where their readers pay: `Some(None)` for
/// the plog's own, `Some(Some(acct))` for their connected account, `None` while they sell on
/// none (not connected yet, restricted, disconnected, suspended).
pub async fn account_of(
    store: &Store,
    platform: &PlatformConfig,
    creator: CreatorId,
) -> anyhow::Result<Option<Option<String>>> {
    match crate::payments::start::seller_for(store, platform, creator).await {
        Ok(seller) => Ok(Some(seller.account)),
        Err(PaymentError::Quote(QuoteRefusal::NotForSale)) => Ok(None),
        Err(other) => Err(anyhow::anyhow!(other)),
    }
}

/// Registers one domain on `account` (`None`: the plog's own), or reads its registration if
/// Stripe has it already, and keeps what Stripe answered; a refusal is kept too, to be shown, and
/// tried again by the next sweep.
pub async fn register(
    store: &Store,
    stripe: &StripeApi,
    account: Option<&str>,
    domain: &str,
    now: i64,
) -> anyhow::Result<WalletDomain> {
    let stripe = crate::payments::stripe_on(stripe, account)?;
    let known = match stripe.payment_method_domains(Some(domain)).await {
        Ok(found) => found.into_iter().find(|d| d.domain_name == domain),
        Err(error) => {
            let kept = failed(domain, format!("{error:#}"), now);
            store.keep_wallet_domain(account, &kept).await?;
            return Ok(kept);
        }
    };
    let answer = match known {
        Some(registered) => Ok(registered),
        None => stripe.create_payment_method_domain(domain).await,
    };
    let kept = match answer {
        Ok(registered) => kept(&registered, now),
        Err(error) => {
            tracing::warn!(domain, account, error = %format!("{error:#}"), "a site could not be registered for wallets");
            failed(domain, format!("{error:#}"), now)
        }
    };
    store.keep_wallet_domain(account, &kept).await?;
    Ok(kept)
}

/// The registrable domains of the sites that paywalls on sale list, each with the account it is
/// registered on (`None`: the plog's own); a creator who sells on no account has none yet.
pub async fn listed_domains(
    store: &Store,
    platform: &PlatformConfig,
) -> anyhow::Result<BTreeSet<(Option<String>, String)>> {
    let mut listed = BTreeSet::new();
    for (account, paywalls) in on_sale_by_account(store, platform).await? {
        for paywall in paywalls {
            for origin in crate::sites::origin_list(&paywall.origins) {
                if let Ok(domain) = domain_of(&origin) {
                    listed.insert((account.clone(), domain));
                }
            }
        }
    }
    Ok(listed)
}

/// The paywalls on sale, by the account they sell on (`None`: the plog's own); a creator who
/// sells on no account has none listed. Each creator's account is looked up once.
pub async fn on_sale_by_account(
    store: &Store,
    platform: &PlatformConfig,
) -> anyhow::Result<BTreeMap<Option<String>, Vec<Paywall>>> {
    let mut accounts: BTreeMap<CreatorId, Option<Option<String>>> = BTreeMap::new();
    let mut by_account: BTreeMap<Option<String>, Vec<Paywall>> = BTreeMap::new();
    for paywall in store.paywalls().await?.into_iter().filter(|p| p.status != PaywallStatus::Archived) {
        let account = match accounts.get(&paywall.creator) {
            Some(known) => known.clone(),
            None => {
                let found = account_of(store, platform, paywall.creator).await?;
                accounts.insert(paywall.creator, found.clone());
                found
            }
        };
        if let Some(account) = account {
            by_account.entry(account).or_default().push(paywall);
        }
    }
    Ok(by_account)
}

/// Registers each listed domain that is not registered yet on its account (or whose
/// registration failed), and reads again those read more than [`RECHECK_AFTER_SECS`] ago.
/// Returns how many were asked.
pub async fn register_listed(
    store: &Store,
    stripe: &StripeApi,
    platform: &PlatformConfig,
    now: i64,
) -> anyhow::Result<usize> {
    // One sweep at a time in this process: two saves in a row must not both find a domain
    // unregistered and both create it (across replicas, the creation's idempotency key makes
    // Stripe answer the second with the first's registration).
    static REGISTERING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one_at_a_time = REGISTERING.lock().await;
    let kept: BTreeMap<(Option<String>, String), WalletDomain> =
        store.wallet_registrations().await?.into_iter().map(|(account, d)| ((account, d.domain.clone()), d)).collect();
    let mut asked = 0;
    for (account, domain) in listed_domains(store, platform).await? {
        let due = kept
            .get(&(account.clone(), domain.clone()))
            .is_none_or(|d| d.stripe_id.is_none() || now - d.checked_at >= RECHECK_AFTER_SECS);
        if due {
            register(store, stripe, account.as_deref(), &domain, now).await?;
            asked += 1;
        }
    }
    Ok(asked)
}

/// The sweep `plog serve` runs: at start, then every [`SWEEP_EVERY`].
pub async fn run_periodically(store: Store, stripe: StripeApi, platform: PlatformConfig, clock: Clock) {
    let mut every = tokio::time::interval(SWEEP_EVERY);
    loop {
        every.tick().await;
        match register_listed(&store, &stripe, &platform, clock.now()).await {
            Ok(0) => {}
            Ok(asked) => tracing::info!(asked, "registered the listed sites for wallets"),
            Err(error) => tracing::warn!(error = %format!("{error:#}"), "could not register the sites for wallets"),
        }
    }
}

/// One site of a paywall, as its wallets stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteWallets {
    /// The site's domain, as Stripe registered it (or refused to).
    Registered(WalletDomain),
    /// Not asked yet (the next sweep will).
    Pending(String),
    /// Not registrable (an IP address, `localhost`).
    NotRegistrable(NotRegistrable),
}

/// How the wallets stand on `paywall`'s sites, on the account its sales are made on.
pub async fn for_paywall(
    store: &Store,
    platform: &PlatformConfig,
    paywall: &Paywall,
) -> anyhow::Result<Vec<(String, SiteWallets)>> {
    let account = account_of(store, platform, paywall.creator).await?;
    for_sites(store, account.as_ref().map(Option::as_deref), &crate::sites::origin_list(&paywall.origins)).await
}

/// How the wallets stand on each of `origins` (a paywall's sites) on `account`, where its sales
/// are made (`None`: the creator sells on no account yet, so nothing is registered), from what
/// plog kept.
pub async fn for_sites(
    store: &Store,
    account: Option<Option<&str>>,
    origins: &[String],
) -> anyhow::Result<Vec<(String, SiteWallets)>> {
    let kept: BTreeMap<String, WalletDomain> = match account {
        Some(account) => store.wallet_domains_on(account).await?.into_iter().map(|d| (d.domain.clone(), d)).collect(),
        None => BTreeMap::new(),
    };
    Ok(origins
        .iter()
        .map(|origin| {
            let wallets = match domain_of(origin) {
                Err(why) => SiteWallets::NotRegistrable(why),
                Ok(domain) => match kept.get(&domain) {
                    Some(registered) => SiteWallets::Registered(registered.clone()),
                    None => SiteWallets::Pending(domain),
                },
            };
            (origin.clone(), wallets)
        })
        .collect())
}

/// The file Apple Pay needs on the blog's host in live mode.
pub const APPLE_PAY_FILE: &str = "/.well-known/apple-developer-merchantid-domain-association";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stripe::client::{WalletOnDomain, WalletStatusDetails};

    #[test]
    fn only_a_public_domain_name_is_registered() {
        assert_eq!(domain_of("https://blog.example"), Ok("blog.example".into()));
        assert_eq!(domain_of("https://blog.example:8443"), Ok("blog.example".into()));
        for origin in ["http://127.0.0.1:8080", "http://[::1]:3000", "http://localhost:3000", "http://app.localhost"] {
            assert!(domain_of(origin).is_err(), "{origin}");
        }
    }

    fn wallet(status: &str, why: Option<&str>) -> WalletOnDomain {
        WalletOnDomain {
            status: status.into(),
            status_details: why.map(|w| WalletStatusDetails { error_message: w.into() }),
        }
    }

    #[test]
    fn what_stripe_says_is_kept_with_its_reasons() {
        let registered = PaymentMethodDomain {
            id: "pmd_1".into(),
            domain_name: "blog.example".into(),
            enabled: true,
            apple_pay: wallet("inactive", Some("the file was not found")),
            google_pay: wallet("active", None),
            link: wallet("active", None),
        };
        let kept = kept(&registered, 7);
        assert_eq!(
            (kept.apple_pay, kept.google_pay, kept.link),
            (WalletState::Inactive, WalletState::Active, WalletState::Active)
        );
        assert_eq!(kept.problem.as_deref(), Some("Apple Pay: the file was not found"));
        let disabled = PaymentMethodDomain { enabled: false, ..registered };
        let kept = super::kept(&disabled, 7);
        assert_eq!(kept.google_pay, WalletState::Inactive, "a disabled domain shows no wallet");
    }
}
