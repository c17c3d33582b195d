//! The one failure limiter of every admin-token check — the admin API, `/metrics` and the
//! dashboard's sign-in form: a client address (IPv6 by its /56, as the purchase limits key
//! it) may present a wrong admin token [`FAILURES`] times per [`WINDOW`]; after that every
//! token it presents, right or wrong, is refused unread until the window ends, so a guess
//! beyond the limit learns nothing. A right token costs nothing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong admin tokens one client address may present per [`WINDOW`].
pub const FAILURES: u32 = 10;
/// The window of [`FAILURES`].
pub const WINDOW: Duration = Duration::from_secs(60);

/// Wrong admin tokens per client address, in this process's memory.
#[derive(Debug, Default)]
pub struct AdminTokenLimiter {
    /// Failures of each address in its current window, and when that window began.
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

impl AdminTokenLimiter {
    fn failures(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (u32, Instant)>> {
        self.failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `ip` may present a token now; `Err` with the seconds to wait when it presented
    /// too many wrong ones. Call before reading the token.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let key = super::purchases::limited_as(ip);
        match self.failures().get(&key) {
            Some((count, since)) if *count >= FAILURES && since.elapsed() < WINDOW => {
                Err((WINDOW - since.elapsed()).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// `ip` presented a wrong token.
    pub fn failed(&self, ip: IpAddr) {
        let key = super::purchases::limited_as(ip);
        let mut failures = self.failures();
        let entry = failures.entry(key).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// Forgets addresses whose window has ended.
    pub fn forget_idle(&self) {
        let mut failures = self.failures();
        failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
        failures.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_unread_after_its_failures_and_others_are_not() {
        let limiter = AdminTokenLimiter::default();
        let guesser: IpAddr = "2001:db8:1:200::1".parse().unwrap();
        for _ in 0..FAILURES {
            limiter.check(guesser).unwrap();
            limiter.failed(guesser);
        }
        let wait = limiter.check(guesser).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limiter.check("2001:db8:1:2ff::9".parse().unwrap()).is_err(), "the same /56");
        limiter.check("2001:db8:1:300::1".parse().unwrap()).expect("another /56");
        limiter.check("203.0.113.1".parse().unwrap()).expect("another address");
    }
}
