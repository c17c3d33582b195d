//! Limits per client address kept in this process's memory, for what is a statistic or a
//! guess rather than money (replicas each keep their own): the views beacon (beyond it a view
//! is answered 429 and not counted, so nobody inflates a paywall's views), codes readers
//! type — discount codes and gift links — so that nobody finds one by trying them all, and the
//! reads of Stripe a content request may cause ([`AddressLimits::may_read_stripe`]).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::DefaultKeyedRateLimiter;

use super::Limited;
use crate::config::AddressLimitsConfig;

/// The shortest time between two reads of one pending purchase's PaymentIntent caused by
/// content requests. The widget polls for a few seconds after paying; the webhook usually
/// settles the purchase first.
pub const STRIPE_READ_GAP: Duration = Duration::from_secs(3);
/// How long after its start a pending purchase is still worth asking Stripe about from the
/// content route; older ones are settled by their webhook or by reconciliation.
pub const STRIPE_READ_WINDOW_SECS: i64 = 3600;

/// Views, code attempts and Stripe reads per client address.
#[derive(Debug)]
pub struct AddressLimits {
    views: Option<DefaultKeyedRateLimiter<IpAddr>>,
    codes: Option<DefaultKeyedRateLimiter<IpAddr>>,
    stripe_reads: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// When each pending purchase was last read from Stripe by this process.
    last_read: Mutex<HashMap<String, Instant>>,
}

/// Counts one request of `client` (IPv6 by its /56, as the purchase limits do) on `limiter`.
fn take(limiter: &Option<DefaultKeyedRateLimiter<IpAddr>>, client: IpAddr, message: &str) -> Result<(), Limited> {
    let Some(limiter) = limiter else { return Ok(()) };
    limiter.check_key(&super::purchases::limited_as(client)).map_err(|not_until| Limited::until(message, not_until))
}

impl AddressLimits {
    /// The limits as configured.
    pub fn new(config: &AddressLimitsConfig) -> AddressLimits {
        let limiter = |rate| super::purchases::limiter(rate).map(|(limiter, _)| limiter);
        AddressLimits {
            views: limiter(config.views_per_ip),
            codes: limiter(config.codes_per_ip),
            stripe_reads: limiter(config.stripe_reads_per_ip),
            last_read: Mutex::new(HashMap::new()),
        }
    }

    /// Whether a content request from `client` may read this pending purchase's PaymentIntent
    /// from Stripe now (recording the read if so): only while the purchase is recent, at most
    /// once per [`STRIPE_READ_GAP`] per purchase, and within the client's
    /// `PLOG_RATE_STRIPE_READS_PER_IP`. Otherwise the database answers. Stripe limits reads per
    /// account (about 100/s live, 25/s in test mode): without this, one client repeating a
    /// content request with an unpaid token would spend every reader's share.
    pub fn may_read_stripe(&self, purchase_id: &str, created_at: i64, now: i64, client: IpAddr) -> bool {
        if now - created_at > STRIPE_READ_WINDOW_SECS {
            return false;
        }
        // One lock for the check and the record: concurrent requests cannot both pass.
        let mut last_read = self.last_read.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if last_read.get(purchase_id).is_some_and(|at| at.elapsed() < STRIPE_READ_GAP) {
            return false;
        }
        if take(&self.stripe_reads, client, "").is_err() {
            return false;
        }
        last_read.insert(purchase_id.to_owned(), Instant::now());
        true
    }

    /// Counts one view reported from `client`.
    pub fn check_view(&self, client: IpAddr) -> Result<(), Limited> {
        take(&self.views, client, "too many views reported from your network; they are not counted")
    }

    /// Counts one discount code or gift link tried from `client`.
    pub fn check_code(&self, client: IpAddr) -> Result<(), Limited> {
        take(&self.codes, client, "too many codes tried from your network; wait a little")
    }

    /// Forgets addresses that are within the limits again.
    pub fn forget_idle(&self) {
        for limiter in [&self.views, &self.codes, &self.stripe_reads].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let mut last_read = self.last_read.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        last_read.retain(|_, at| at.elapsed() < STRIPE_READ_GAP);
        last_read.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Rate;

    fn limits(stripe_reads: &str) -> AddressLimits {
        AddressLimits::new(&AddressLimitsConfig {
            views_per_ip: Rate::Off,
            codes_per_ip: Rate::Off,
            stripe_reads_per_ip: stripe_reads.parse().unwrap(),
        })
    }

    #[test]
    fn a_pending_purchase_is_read_once_per_gap_and_only_while_recent() {
        let limits = limits("off");
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        let now = 1_000_000;
        assert!(limits.may_read_stripe("pur_a", now - 10, now, client));
        for _ in 0..400 {
            assert!(!limits.may_read_stripe("pur_a", now - 10, now, client), "within the gap: the database answers");
        }
        assert!(limits.may_read_stripe("pur_b", now - 10, now, client), "another purchase has its own gap");
        assert!(
            !limits.may_read_stripe("pur_c", now - STRIPE_READ_WINDOW_SECS - 1, now, client),
            "older than the window"
        );
    }

    #[test]
    fn one_client_reads_within_its_rate_across_purchases() {
        let limits = limits("2/min");
        let client: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        assert!(limits.may_read_stripe("pur_1", 0, 0, client));
        assert!(limits.may_read_stripe("pur_2", 0, 0, client));
        assert!(!limits.may_read_stripe("pur_3", 0, 0, "2001:db8:1:2::9".parse().unwrap()), "same network");
        assert!(limits.may_read_stripe("pur_3", 0, 0, "203.0.113.1".parse().unwrap()), "another address");
    }
}
