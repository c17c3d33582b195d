//! Limits per client address kept in this process's memory, for what is a statistic or a
//! guess rather than money (replicas each keep their own): the views beacon (beyond it a view
//! is answered 429 and not counted, so nobody inflates a paywall's views), and codes readers
//! type — discount codes and gift links — so that nobody finds one by trying them all.

use std::net::IpAddr;

use governor::DefaultKeyedRateLimiter;
use governor::clock::{Clock, DefaultClock};

use crate::config::AddressLimitsConfig;
use crate::error::ApiError;

/// Views and code attempts per client address.
#[derive(Debug)]
pub struct AddressLimits {
    views: Option<DefaultKeyedRateLimiter<IpAddr>>,
    codes: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

/// Counts one request of `client` (IPv6 by its /64, as the purchase limits do) on `limiter`.
fn take(limiter: &Option<DefaultKeyedRateLimiter<IpAddr>>, client: IpAddr, message: &str) -> Result<(), ApiError> {
    let Some(limiter) = limiter else { return Ok(()) };
    limiter.check_key(&super::purchases::limited_as(client)).map_err(|not_until| ApiError::RateLimited {
        message: message.into(),
        retry_after: not_until.wait_time_from(DefaultClock::default().now()),
    })
}

impl AddressLimits {
    /// The limits as configured.
    pub fn new(config: &AddressLimitsConfig) -> AddressLimits {
        let limiter = |rate| super::purchases::limiter(rate).map(|(limiter, _)| limiter);
        AddressLimits { views: limiter(config.views_per_ip), codes: limiter(config.codes_per_ip) }
    }

    /// Counts one view reported from `client`.
    pub fn check_view(&self, client: IpAddr) -> Result<(), ApiError> {
        take(&self.views, client, "too many views reported from your network; they are not counted")
    }

    /// Counts one discount code or gift link tried from `client`.
    pub fn check_code(&self, client: IpAddr) -> Result<(), ApiError> {
        take(&self.codes, client, "too many codes tried from your network; wait a little")
    }

    /// Forgets addresses that are within the limits again.
    pub fn forget_idle(&self) {
        for limiter in [&self.views, &self.codes].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}
