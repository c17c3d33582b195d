//! Rate limits: on starting purchases ([`purchases`], the card-testing defence: in memory on
//! SQLite, shared by every replica through the database on PostgreSQL), on restore requests and
//! codes ([`restores`]), on the views beacon, codes typed by readers and the reads of Stripe a
//! content request may cause ([`addresses`]), and on wrong admin tokens — API, `/metrics`,
//! dashboard sign-in ([`admin_tokens`]), and on the changes one creator makes ([`creators`]);
//! these last four in each process's memory. The request limits every request meets (time,
//! header size) are middleware: `http::middleware`; the time to send headers is the connection
//! loop's (`startup`).

pub mod addresses;
pub mod admin_tokens;
pub mod creators;
pub mod purchases;
pub mod restores;

pub use addresses::AddressLimits;
pub use admin_tokens::AdminTokenLimiter;
pub use creators::CreatorLimits;
pub use purchases::PurchaseLimits;
pub use restores::RestoreLimits;

use std::time::Duration;

use governor::clock::{Clock, DefaultClock, QuantaInstant};

use crate::config::Rate;
use crate::store::Store;

/// A limit's refusal: what was exceeded, and how long until the next request may go (the edge
/// answers 429 with `Retry-After`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Limited {
    /// What was exceeded, for people.
    pub message: String,
    /// When to try again.
    pub retry_after: Duration,
}

impl Limited {
    /// A refusal of a `governor` limiter, which says when it lets the next one through.
    fn until(message: impl Into<String>, not_until: governor::NotUntil<QuantaInstant>) -> Limited {
        Limited { message: message.into(), retry_after: not_until.wait_time_from(DefaultClock::default().now()) }
    }
}

/// A limit kept in the database refused, or the database failed.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// Over the limit.
    #[error(transparent)]
    Limited(#[from] Limited),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// One request from the bucket `key` of `rate` that every replica shares (PostgreSQL's
/// `rate_limits` table); `None`: the limit is off. A refusal says `what` was exceeded, the rate,
/// and when to try again.
pub(crate) async fn take_shared(
    store: &Store,
    rate: Option<Rate>,
    key: impl FnOnce() -> String,
    what: &str,
) -> Result<(), LimitError> {
    let Some(Rate::Limit { count, period }) = rate else { return Ok(()) };
    match store.take_shared_rate(&key(), period / count.get(), count.get()).await? {
        None => Ok(()),
        Some(wait) => Err(LimitError::Limited(Limited {
            message: format!("{what} (limit {}); please wait and try again", Rate::Limit { count, period }),
            retry_after: wait,
        })),
    }
}
