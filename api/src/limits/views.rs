//! The views beacon's limit: views one client address may report a period, in this process's
//! memory (a view is a statistic, not money: replicas each keep their own). Beyond it the
//! beacon is answered 429 and not counted, so nobody inflates a paywall's views.

use std::net::IpAddr;

use governor::DefaultKeyedRateLimiter;
use governor::clock::{Clock, DefaultClock};

use crate::config::ViewLimitsConfig;
use crate::error::ApiError;

/// Views per client address.
#[derive(Debug)]
pub struct ViewLimits {
    per_ip: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl ViewLimits {
    /// The limit as configured.
    pub fn new(config: &ViewLimitsConfig) -> ViewLimits {
        let per_ip = super::purchases::limiter(config.views_per_ip).map(|(limiter, _)| limiter);
        ViewLimits { per_ip }
    }

    /// Counts one view reported from `client` (IPv6 by its /64, as the purchase limits do).
    pub fn check(&self, client: IpAddr) -> Result<(), ApiError> {
        let Some(limiter) = &self.per_ip else { return Ok(()) };
        limiter.check_key(&super::purchases::limited_as(client)).map_err(|not_until| ApiError::RateLimited {
            message: "too many views reported from your network; they are not counted".into(),
            retry_after: not_until.wait_time_from(DefaultClock::default().now()),
        })
    }

    /// Forgets addresses that are within the limit again.
    pub fn forget_idle(&self) {
        if let Some(limiter) = &self.per_ip {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}
