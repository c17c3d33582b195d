//! Rate limits on asking for restore codes: per address (its keyed hash) and per client address,
//! so nobody floods a reader's inbox or probes addresses quickly.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::ApiError;

/// Restore requests: 5 an hour per address, 20 an hour per client address; codes tried: 30 an
/// hour per client address, 10 an hour per request (whose own tries end at five wrong codes).
/// Client addresses count as the purchase limits count them (IPv6 by /56).
#[derive(Debug)]
pub struct RestoreLimits {
    per_email: DefaultKeyedRateLimiter<String>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    codes_per_client: DefaultKeyedRateLimiter<IpAddr>,
    codes_per_request: DefaultKeyedRateLimiter<String>,
}

impl Default for RestoreLimits {
    fn default() -> Self {
        let per_hour = |n: u32| Quota::per_hour(NonZeroU32::new(n).expect("not zero"));
        RestoreLimits {
            per_email: DefaultKeyedRateLimiter::keyed(per_hour(5)),
            per_client: DefaultKeyedRateLimiter::keyed(per_hour(20)),
            codes_per_client: DefaultKeyedRateLimiter::keyed(per_hour(30)),
            codes_per_request: DefaultKeyedRateLimiter::keyed(per_hour(10)),
        }
    }
}

/// A limit's refusal, with the time until it lets the next one through.
fn refused(message: &str, not_until: governor::NotUntil<governor::clock::QuantaInstant>) -> ApiError {
    ApiError::RateLimited {
        message: message.into(),
        retry_after: not_until.wait_time_from(DefaultClock::default().now()),
    }
}

impl RestoreLimits {
    /// Counts one request of `client` for the address of `email_hash`.
    pub fn check(&self, client: IpAddr, email_hash: &str) -> Result<(), ApiError> {
        let wait = |not_until| refused("too many restore requests; please wait and try again", not_until);
        self.per_client.check_key(&super::purchases::limited_as(client)).map_err(wait)?;
        self.per_email.check_key(&email_hash.to_owned()).map_err(wait)
    }

    /// Counts one code tried by `client` on the request `restore_id`.
    pub fn check_code(&self, client: IpAddr, restore_id: &str) -> Result<(), ApiError> {
        let wait = |not_until| refused("too many codes tried; please wait and try again", not_until);
        self.codes_per_client.check_key(&super::purchases::limited_as(client)).map_err(wait)?;
        self.codes_per_request.check_key(&restore_id.to_owned()).map_err(wait)
    }

    /// Forgets keys that are within their limits again.
    pub fn forget_idle(&self) {
        self.per_email.retain_recent();
        self.per_client.retain_recent();
        self.codes_per_client.retain_recent();
        self.codes_per_request.retain_recent();
    }
}
