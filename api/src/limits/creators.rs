//! Fairness between the creators of one plog: the changes one creator may make through the
//! admin API and the dashboard per period (`PLOG_RATE_WRITES_PER_CREATOR`). A change may cost
//! what every creator shares — the database's one writer on SQLite, the process's one sweep of
//! wallet registrations (each saved list of sites starts one, which walks every creator's
//! sites), the calls to Stripe made with the platform's keys — so one creator's script must not
//! spend it for the rest. Reads are not counted; the owner (the operator's token) is never
//! limited, so a standalone plog is as before. As the purchase limits are: in memory on SQLite
//! (one machine, one plog), in the database on PostgreSQL, so that every replica draws from the
//! same bucket and two replicas allow exactly what one allows.
//!
//! The purchase starts of one creator's paywalls together have their own bucket too, beside the
//! paywall's: `limits::purchases`.

use governor::DefaultKeyedRateLimiter;

use super::{LimitError, Limited};
use crate::config::Rate;
use crate::store::{CreatorId, Store};

/// What a refusal says was exceeded.
const TOO_MANY: &str = "too many changes from this account";

/// Changes per creator.
#[derive(Debug)]
pub struct CreatorLimits {
    writes: Option<(DefaultKeyedRateLimiter<CreatorId>, Rate)>,
}

impl CreatorLimits {
    /// At most `writes` changes per creator (`Rate::Off`: no limit).
    pub fn new(writes: Rate) -> CreatorLimits {
        CreatorLimits { writes: super::purchases::limiter(writes) }
    }

    /// Counts one change by `creator` against the rate every replica shares (PostgreSQL) or
    /// this process's (SQLite); 429 beyond it. The owner is never counted.
    pub async fn take_write(&self, store: &Store, creator: CreatorId) -> Result<(), LimitError> {
        if creator == CreatorId::OWNER {
            return Ok(());
        }
        if !store.shares_rate_limits() {
            return Ok(self.check_write(creator)?);
        }
        let rate = self.writes.as_ref().map(|(_, rate)| *rate);
        super::take_shared(store, rate, || format!("creator-writes:{creator}"), TOO_MANY).await
    }

    /// Counts one change by `creator` in this process's memory; 429 beyond the rate. The owner
    /// is never counted.
    pub fn check_write(&self, creator: CreatorId) -> Result<(), Limited> {
        let Some((limiter, rate)) = &self.writes else { return Ok(()) };
        if creator == CreatorId::OWNER {
            return Ok(());
        }
        limiter.check_key(&creator).map_err(|not_until| {
            Limited::until(format!("{TOO_MANY} (limit {rate}); please wait and try again"), not_until)
        })
    }

    /// Forgets the creators that are within their rate again (the shared buckets are forgotten
    /// with the rest: `Store::forget_idle_rates`).
    pub fn forget_idle(&self) {
        if let Some((limiter, _)) = &self.writes {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_creator_has_its_own_budget_and_the_owner_none() {
        let limits = CreatorLimits::new("3/min".parse().unwrap());
        let (a, b) = (CreatorId::for_tests(2), CreatorId::for_tests(3));
        for _ in 0..3 {
            limits.check_write(a).unwrap();
        }
        let refused = limits.check_write(a).unwrap_err();
        assert!(refused.retry_after.as_secs() >= 15, "{refused:?}");
        assert!(refused.message.contains("3/min"), "{refused:?}");
        limits.check_write(b).expect("another creator is not slowed by the first");
        for _ in 0..100 {
            limits.check_write(CreatorId::OWNER).expect("the owner is never limited");
        }
    }

    #[test]
    fn off_means_no_limit() {
        let limits = CreatorLimits::new(Rate::Off);
        for _ in 0..1000 {
            limits.check_write(CreatorId::for_tests(2)).unwrap();
        }
    }
}
