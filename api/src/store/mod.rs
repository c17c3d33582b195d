//! Storage: every SQL statement plog runs, one file per thing stored — [`paywalls`],
//! [`purchases`], [`events`] (Stripe's webhook deliveries), [`outbox`] (mail owed to readers),
//! [`restores`] (restore codes and the tokens they bought), [`passes`], [`gifts`] (gift links and
//! their openings), [`discounts`] (codes), [`sessions`] (the dashboard's),
//! [`figures`] (views and sales totals), [`creators`] (who owns all of it, their API tokens, and
//! the handle scoped to one of them), [`sign_in_codes`] (creators' one-time codes) — on the pool and migrations of [`pool`].
//!
//! SQL is written to run on SQLite and PostgreSQL alike (`$1` placeholders, bigint epoch times,
//! integer money), and every invariant — one purchase per PaymentIntent, one effect per Stripe
//! event, no paid purchase downgraded by a late event — is held by the database (unique keys and
//! conditional updates), not by a lock in this process. Each transaction starts with a write,
//! so SQLite takes its write lock at once and concurrent writers wait (`busy_timeout`) instead
//! of failing on a read-to-write upgrade.
//!
//! Rows are typed where they are read: ids, states, modes and money come out as
//! `plog_shared` types, and a row the schema should have refused is an error, never a default.
//!
//! Every statement is plain code through [`sql::Sql`], which runs on either engine's native
//! pool or transaction. The store only stores: it keeps no clock, counts nothing, wakes nobody
//! and caches nothing (`payments::tally`, `offers::cache` and `catalog::OriginsCache` do).

/// The database engines plog runs on, each pool natively typed (statements run on either
/// through [`sql::Sql`]); the URL's scheme chooses one.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

pub mod backup;
pub mod creators;
pub mod discounts;
pub mod events;
pub mod figures;
pub mod gifts;
pub mod outbox;
pub mod passes;
pub mod paywalls;
pub mod pool;
pub mod purchases;
pub mod rate_limits;
pub mod restores;
pub mod sessions;
pub mod sign_in_codes;
mod sql;
pub mod targets;
pub mod wallet_domains;

pub use backup::BackupSummary;
pub use creators::{Creator, CreatorId, CreatorSales, CreatorStatus, CreatorToken};
pub use discounts::Discount;
pub use events::EventOutcome;
pub use figures::{DAY_SECS, DayTotals, PaywallTotals};
pub use gifts::{Gift, GiftOpen, NewGiftLink};
pub use outbox::DueMail;
pub use passes::Pass;
pub use paywalls::Paywall;
pub use pool::{HeldConnection, is_pool_timeout};
pub use purchases::{Grant, NewPurchase, NewReceipt, Purchase, PurchaseFilter, TokenContent, UpdateOutcome};
pub use restores::{NewRestore, NewRestoreMail, Redeemed, Restorable};
pub use sessions::AdminSession;
pub use sign_in_codes::SignInRedeemed;
pub use targets::{Target, Targets};

/// plog's storage.
#[derive(Debug, Clone)]
pub struct Store {
    pool: Pool,
    /// The SQLite database file, if that is the engine.
    sqlite_file: Option<std::path::PathBuf>,
    /// SQLite has one writer at a time. Writers of this process queue here instead of spinning
    /// in SQLite's busy handler (which sleeps and retries); other processes on the same file
    /// still wait through `busy_timeout`. Correctness never rests on it: the database holds
    /// every invariant. `None` on PostgreSQL, where writers run concurrently.
    write_gate: Option<std::sync::Arc<tokio::sync::Mutex<()>>>,
    /// The creator whose rows this handle reads and writes; `None`: every creator's
    /// ([`creators`] says which handle is used where).
    scope: Option<CreatorId>,
}

impl Store {
    /// Connections of the pool: (in use, idle).
    pub fn pool_connections(&self) -> (i64, i64) {
        let (size, idle) = match &self.pool {
            Pool::Sqlite(pool) => (pool.size(), pool.num_idle()),
            Pool::Postgres(pool) => (pool.size(), pool.num_idle()),
        };
        (i64::from(size) - idle as i64, idle as i64)
    }
}

/// A column read into a type of plog's failed: the row is corrupt (the schema's checks should
/// have refused it), and it is an error, never read as a default.
fn corrupt(table: &str, key: &str, error: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{table} row {key}: {error}").into())
}
