//! Card-testing defence on `POST /v1/paywalls/{id}/purchases`, the one public route that makes
//! plog call Stripe: a rate per client IP, a rate per paywall, a rate per creator (all of one
//! creator's paywalls together, so that a creator who makes a thousand paywalls does not get a
//! thousand paywalls' rate, nor spend the platform's share at Stripe that other creators'
//! readers need), and a cap on the unpaid purchases one client may hold. Attackers with stolen cards need a fresh PaymentIntent per attempt, so
//! these bound how fast anyone can test cards through plog.
//!
//! The paywall's and the creator's rates must not become a switch that locks every reader out: a
//! few dozen addresses, each within its own rate, would spend them. So they count only a client's starts
//! beyond [`FREE_UNPAID_STARTS`] unpaid ones, and never those of a client who paid here lately
//! ([`PurchaseLimits::weigh_client`]): a reader's first tries always go through.
//!
//! Both rates are GCRA buckets. On SQLite (one machine, one plog) they live in memory
//! (`governor`); on PostgreSQL they live in the database (`store::rate_limits`), so every
//! replica draws from the same buckets and two replicas allow exactly what one allows. The cap
//! on unpaid purchases is counted in the database on both. The client is remembered only as a
//! keyed hash of its address ([`PurchaseLimits::client_key`]), in the shared buckets too.

use std::net::IpAddr;
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;

use super::{LimitError, Limited};
use crate::config::{PurchaseLimitsConfig, Rate};
use crate::store::{CreatorId, Store};

/// The window in which a client's unpaid purchases count towards the cap.
pub const UNPAID_WINDOW: Duration = Duration::from_secs(3600);
/// Unpaid starts (within [`UNPAID_WINDOW`]) a client makes without spending the paywall's rate.
pub const FREE_UNPAID_STARTS: i64 = 2;

/// The limits on starting purchases, shared by every request of this process.
#[derive(Debug)]
pub struct PurchaseLimits {
    per_ip: Option<(DefaultKeyedRateLimiter<IpAddr>, Rate)>,
    per_paywall: Option<(DefaultKeyedRateLimiter<String>, Rate)>,
    per_creator: Option<(DefaultKeyedRateLimiter<CreatorId>, Rate)>,
    max_unpaid: u32,
    client_key_secret: SecretString,
}

/// An in-memory GCRA limiter for `rate` (burst `N`, then one every period/N), with the rate
/// kept for messages; `None` when the rate is off.
pub(crate) fn limiter<K: std::hash::Hash + Eq + Clone>(rate: Rate) -> Option<(DefaultKeyedRateLimiter<K>, Rate)> {
    match rate {
        Rate::Off => None,
        Rate::Limit { count, period } => {
            let quota = Quota::with_period(period / count.get())
                .expect("a rate's period is at least a second")
                .allow_burst(count);
            Some((DefaultKeyedRateLimiter::keyed(quota), rate))
        }
    }
}

/// The key an address is limited under: IPv6 clients by their /56, since one subscriber
/// usually holds a whole /64 and often a /56 (256 /64s: a home line) and could otherwise rotate
/// through them. IPv4-mapped IPv6 addresses count as the IPv4 address.
pub(crate) fn limited_as(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[3] &= 0xff00;
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

fn check<K: std::hash::Hash + Eq + Clone>(
    limiter: &Option<(DefaultKeyedRateLimiter<K>, Rate)>,
    key: &K,
    what: &str,
) -> Result<(), Limited> {
    let Some((limiter, rate)) = limiter else { return Ok(()) };
    limiter.check_key(key).map_err(|not_until| {
        Limited::until(
            format!("too many purchases started {what} (limit {rate}); please wait and try again"),
            not_until,
        )
    })
}

/// One purchase start from the shared bucket `key` of `rate` (`None`: the limit is off).
async fn take_shared(
    store: &Store,
    rate: Option<Rate>,
    key: impl FnOnce() -> String,
    what: &str,
) -> Result<(), LimitError> {
    super::take_shared(store, rate, key, &format!("too many purchases started {what}")).await
}

impl PurchaseLimits {
    /// Limits as configured. `key_secret` keys the client hash; every replica must share it
    /// (plog uses the webhook signing secret, which they all have).
    pub fn new(config: &PurchaseLimitsConfig, key_secret: SecretString) -> PurchaseLimits {
        PurchaseLimits {
            per_ip: limiter(config.rate_per_ip),
            per_paywall: limiter(config.rate_per_paywall),
            per_creator: limiter(config.rate_per_creator),
            max_unpaid: config.max_pending_per_ip,
            client_key_secret: key_secret,
        }
    }

    /// Counts one purchase attempt from this address against the rate every replica shares
    /// (PostgreSQL) or this process's (SQLite); 429 beyond it.
    pub async fn take_client(&self, store: &Store, ip: IpAddr) -> Result<(), LimitError> {
        if !store.shares_rate_limits() {
            return Ok(self.check_client(ip)?);
        }
        let key = || format!("purchase-client:{}", self.client_key(ip));
        take_shared(store, self.per_ip.as_ref().map(|(_, rate)| *rate), key, "from your network").await
    }

    /// Counts one purchase attempt on this paywall, as [`PurchaseLimits::take_client`] does.
    pub async fn take_paywall(&self, store: &Store, paywall_id: &str) -> Result<(), LimitError> {
        if !store.shares_rate_limits() {
            return Ok(self.check_paywall(paywall_id)?);
        }
        let key = || format!("purchase-paywall:{paywall_id}");
        take_shared(store, self.per_paywall.as_ref().map(|(_, rate)| *rate), key, "on this paywall").await
    }

    /// Counts one purchase attempt on one of this creator's paywalls, as
    /// [`PurchaseLimits::take_client`] does.
    pub async fn take_creator(&self, store: &Store, creator: CreatorId) -> Result<(), LimitError> {
        if !store.shares_rate_limits() {
            return Ok(self.check_creator(creator)?);
        }
        let key = || format!("purchase-creator:{creator}");
        take_shared(store, self.per_creator.as_ref().map(|(_, rate)| *rate), key, "on this creator's paywalls").await
    }

    /// Counts one purchase attempt from this address in this process's memory; 429 beyond its rate.
    pub fn check_client(&self, ip: IpAddr) -> Result<(), Limited> {
        check(&self.per_ip, &limited_as(ip), "from your network")
    }

    /// Counts one purchase attempt on this paywall in this process's memory; 429 beyond its rate.
    pub fn check_paywall(&self, paywall_id: &str) -> Result<(), Limited> {
        check(&self.per_paywall, &paywall_id.to_owned(), "on this paywall")
    }

    /// Counts one purchase attempt on this creator's paywalls in this process's memory; 429
    /// beyond its rate.
    pub fn check_creator(&self, creator: CreatorId) -> Result<(), Limited> {
        check(&self.per_creator, &creator, "on this creator's paywalls")
    }

    /// Weighs a client's start against its recent purchases: refuses a client that already
    /// holds the most unpaid purchases of the last hour; then the start spends the paywall's
    /// rate, and its creator's, only if the client already made [`FREE_UNPAID_STARTS`] unpaid
    /// ones and paid none.
    pub async fn weigh_client(
        &self,
        store: &Store,
        client_key: &str,
        (paywall_id, creator): (&str, CreatorId),
        now: i64,
    ) -> Result<(), LimitError> {
        let window = UNPAID_WINDOW.as_secs() as i64;
        let recent = store.client_purchases(client_key, now - window).await?;
        self.check_unpaid(recent.unpaid, recent.oldest_unpaid, now)?;
        if recent.paid || recent.unpaid < FREE_UNPAID_STARTS {
            return Ok(());
        }
        self.take_paywall(store, paywall_id).await?;
        self.take_creator(store, creator).await
    }

    /// Refuses a client that already holds the most unpaid purchases of the last hour.
    fn check_unpaid(&self, unpaid: i64, oldest: Option<i64>, now: i64) -> Result<(), Limited> {
        if self.max_unpaid == 0 || unpaid < i64::from(self.max_unpaid) {
            return Ok(());
        }
        let window = UNPAID_WINDOW.as_secs() as i64;
        let frees_at = oldest.unwrap_or(now) + window;
        Err(Limited {
            message: format!(
                "too many unpaid purchases from your network ({unpaid} in the last hour); finish one or try again later"
            ),
            retry_after: Duration::from_secs((frees_at - now).max(1) as u64),
        })
    }

    /// The keyed hash (HMAC-SHA256, hex) a client's purchases are stored under: the same on
    /// every replica, and no way back to the address without the key.
    pub fn client_key(&self, ip: IpAddr) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.client_key_secret.expose_secret().as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(b"plog client v1:");
        mac.update(limited_as(ip).to_string().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// Forgets the state of clients and paywalls that are within their limits again, so memory
    /// (and, on PostgreSQL, the shared table: [`Store::forget_idle_rates`]) does not grow with
    /// every address ever seen.
    pub fn forget_idle(&self) {
        if let Some((limiter, _)) = &self.per_ip {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some((limiter, _)) = &self.per_paywall {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Some((limiter, _)) = &self.per_creator {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_ip: &str, per_paywall: &str) -> PurchaseLimits {
        let config = PurchaseLimitsConfig {
            rate_per_ip: per_ip.parse().unwrap(),
            rate_per_paywall: per_paywall.parse().unwrap(),
            ..off_config()
        };
        PurchaseLimits::new(&config, SecretString::from("whsec_key"))
    }

    #[test]
    fn each_address_gets_its_burst_then_waits() {
        let limiter = limits("3/min", "off");
        let a: IpAddr = "203.0.113.1".parse().unwrap();
        let b: IpAddr = "203.0.113.2".parse().unwrap();
        for _ in 0..3 {
            limiter.check_client(a).unwrap();
        }
        let Err(Limited { retry_after, .. }) = limiter.check_client(a) else { panic!("4th passed") };
        assert!(retry_after > Duration::from_secs(15) && retry_after <= Duration::from_secs(20), "{retry_after:?}");
        limiter.check_client(b).expect("another address has its own budget");
    }

    #[test]
    fn an_ipv6_network_shares_one_budget() {
        let limiter = limits("1/min", "off");
        limiter.check_client("2001:db8:1:2::1".parse().unwrap()).unwrap();
        assert!(limiter.check_client("2001:db8:1:2:ffff::9".parse().unwrap()).is_err(), "same /64");
        assert!(limiter.check_client("2001:db8:1:ff::9".parse().unwrap()).is_err(), "same /56");
        limiter.check_client("2001:db8:1:102::1".parse().unwrap()).expect("another /56");
    }

    #[test]
    fn off_means_no_limit() {
        let limiter = limits("off", "off");
        for _ in 0..10_000 {
            limiter.check_client("203.0.113.1".parse().unwrap()).unwrap();
            limiter.check_paywall("pw_x").unwrap();
        }
    }

    #[test]
    fn client_keys_are_stable_keyed_and_not_the_address() {
        let limiter = limits("off", "off");
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(limiter.client_key(ip), limiter.client_key(ip));
        assert!(!limiter.client_key(ip).contains("203.0.113.7"));
        let other = PurchaseLimits::new(&off_config(), SecretString::from("whsec_other"));
        assert_ne!(limiter.client_key(ip), other.client_key(ip));
    }

    fn off_config() -> PurchaseLimitsConfig {
        PurchaseLimitsConfig {
            rate_per_ip: Rate::Off,
            rate_per_paywall: Rate::Off,
            rate_per_creator: Rate::Off,
            max_pending_per_ip: 0,
        }
    }
}
