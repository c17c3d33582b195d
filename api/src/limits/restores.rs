//! Rate limits on asking for restore codes: per address (its keyed hash) and per client address,
//! so nobody floods a reader's inbox or probes addresses quickly.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota};

use super::Limited;

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

impl RestoreLimits {
    /// Counts one request of `client` for the address of `email_hash`.
    pub fn check(&self, client: IpAddr, email_hash: &str) -> Result<(), Limited> {
        let wait = |not_until| Limited::until("too many restore requests; please wait and try again", not_until);
        self.per_client.check_key(&super::purchases::limited_as(client)).map_err(wait)?;
        self.per_email.check_key(&email_hash.to_owned()).map_err(wait)
    }

    /// Counts one code tried by `client` on the request `restore_id`.
    pub fn check_code(&self, client: IpAddr, restore_id: &str) -> Result<(), Limited> {
        let wait = |not_until| Limited::until("too many codes tried; please wait and try again", not_until);
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
