//! What time it is for plog, in unix seconds: one [`Clock`], made at start-up and passed to
//! whatever needs "now" (the handlers through the app state, the background tasks, the CLI).
//! The system's in production; a clock that tests (and the sandbox's `/sandbox/clock`) move, so
//! expiry (passes, gift links, restore codes, sessions, held discounts) is tested by moving time,
//! not by rewriting rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// The app's clock: the system's, shifted by what a test moved it (nothing in production).
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Seconds added to the system's time; `None`: the system clock, which nothing can move.
    shift: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock { shift: None }
    }

    /// A clock that starts at the system's time and that [`Clock::advance`] moves (tests).
    pub fn movable() -> Clock {
        Clock { shift: Some(Arc::new(AtomicI64::new(0))) }
    }

    /// Now, unix seconds.
    pub fn now(&self) -> i64 {
        let system = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default();
        system + self.shift.as_ref().map_or(0, |shift| shift.load(Ordering::Relaxed))
    }

    /// Whether [`Clock::advance`] may move it.
    pub fn is_movable(&self) -> bool {
        self.shift.is_some()
    }

    /// Moves a movable clock `secs` seconds on (back, if negative). The system clock cannot be
    /// moved: that would be a bug in production code, so it panics.
    pub fn advance(&self, secs: i64) {
        self.shift.as_ref().expect("only a movable clock moves").fetch_add(secs, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_movable_clock_moves_and_its_clones_move_with_it() {
        let clock = Clock::movable();
        let copy = clock.clone();
        let before = clock.now();
        clock.advance(30 * 86_400);
        assert!(copy.now() - before >= 30 * 86_400);
        assert!(copy.now() - before < 30 * 86_400 + 5);
    }

    #[test]
    #[should_panic(expected = "only a movable clock moves")]
    fn the_system_clock_cannot_be_moved() {
        Clock::system().advance(1);
    }
}
