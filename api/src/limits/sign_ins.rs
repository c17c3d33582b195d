//! The rate limit on dashboard sign-ins, per client address.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Sign-in attempts one client address may make: 10 a minute. The admin token should be long
/// and random anyway; this keeps guessing slow even if it is not.
#[derive(Debug)]
pub struct SignInLimiter(DefaultKeyedRateLimiter<IpAddr>);

impl Default for SignInLimiter {
    fn default() -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(10).expect("10 is not zero"));
        SignInLimiter(DefaultKeyedRateLimiter::keyed(quota))
    }
}

impl SignInLimiter {
    /// Counts one attempt; `Err` with the seconds to wait beyond the limit.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.0
            .check_key(&ip)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1))
    }

    /// Forgets addresses that are within their limit again.
    pub fn forget_idle(&self) {
        self.0.retain_recent();
        self.0.shrink_to_fit();
    }
}
