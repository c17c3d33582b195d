//! Storage: the one narrow interface the rest of plog uses to read and write paywalls,
//! purchases and Stripe events.
//!
//! SQL is written to run on SQLite and PostgreSQL alike (`$1` placeholders, bigint epoch times,
//! integer money), and every invariant — one purchase per PaymentIntent, one effect per Stripe
//! event, no paid purchase downgraded by a late event — is held by the database (unique keys and
//! conditional updates), not by a lock in this process. Each transaction starts with a write,
//! so SQLite takes its write lock at once and concurrent writers wait (`busy_timeout`) instead
//! of failing on a read-to-write upgrade.

pub mod models;

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use plog_shared::api::PurchaseStatus;

use crate::config::DatabaseConfig;
use crate::lifecycle;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use models::{Paywall, Purchase};

/// Current time, unix seconds.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

/// The database engines plog runs on; the URL's scheme chooses one.
#[derive(Debug, Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs the same statements on whichever pool is open. Each arm gets its own, natively typed
/// pool, so the queries stay compile-time generic without `sqlx::Any`'s costs.
macro_rules! on_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.pool {
            Pool::Sqlite($pool) => $body,
            Pool::Postgres($pool) => $body,
        }
    };
}

// After the macro, which they use.
mod figures;
mod sessions;
pub use figures::{DAY_SECS, DayTotals, PaywallTotals};
pub use sessions::AdminSession;

/// A purchase to insert.
#[derive(Debug, Clone)]
pub struct NewPurchase {
    /// Purchase id.
    pub id: String,
    /// Paywall bought.
    pub paywall_id: String,
    /// PaymentIntent created for it.
    pub payment_intent_id: String,
    /// SHA-256 of the access token.
    pub token_hash: String,
    /// Minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// Keyed hash of the client's IP address (see `guard::client_key`), if known.
    pub client_key: Option<String>,
    /// The paywall's mode at purchase time (`fixed`, `pay_what_you_want`, `tip`).
    pub mode: String,
}

pub use crate::lifecycle::PaymentUpdate;

/// What applying a [`PaymentUpdate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateOutcome {
    /// The purchase changed to this status.
    Changed(PurchaseStatus),
    /// The state stayed: the purchase already is where the update leads, a later state
    /// outranks it, or only a detail changed (a partial refund's amount, a dispute's status).
    Unchanged(PurchaseStatus),
    /// Amount or currency differ from the purchase: not honoured.
    AmountMismatch,
    /// No purchase of plog's has this PaymentIntent.
    UnknownIntent,
}

/// What recording a Stripe event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// First delivery: applied with this outcome.
    Applied(UpdateOutcome),
    /// First delivery of an event type plog does not act on: recorded, nothing else.
    Ignored,
    /// Seen before: nothing done.
    Duplicate,
}

impl EventOutcome {
    /// The name stored with the event and answered to Stripe.
    pub fn label(self) -> &'static str {
        match self {
            EventOutcome::Applied(UpdateOutcome::Changed(_)) => "applied",
            EventOutcome::Applied(UpdateOutcome::Unchanged(_)) => "unchanged",
            EventOutcome::Applied(UpdateOutcome::AmountMismatch) => "amount_mismatch",
            EventOutcome::Applied(UpdateOutcome::UnknownIntent) => "unknown_payment_intent",
            EventOutcome::Ignored => "ignored",
            EventOutcome::Duplicate => "duplicate",
        }
    }
}

/// Filters for the purchase list.
#[derive(Debug, Clone, Default)]
pub struct PurchaseFilter {
    /// Only this paywall's purchases.
    pub paywall_id: Option<String>,
    /// Only purchases created at or after this time (unix seconds).
    pub since: Option<i64>,
    /// Only purchases created before this time (unix seconds).
    pub until: Option<i64>,
    /// Only purchases in this state (`pending`, `paid`, `failed`, `canceled`, `refunded`, `disputed`).
    pub status: Option<String>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// True if the error (anywhere in its chain) is the pool's "no connection became free in time".
pub fn is_pool_timeout(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| matches!(cause.downcast_ref::<sqlx::Error>(), Some(sqlx::Error::PoolTimedOut)))
}

/// A connection taken out of the pool by [`Store::hold_connection`]; dropping it gives it back.
pub struct HeldConnection(#[allow(dead_code)] Box<dyn std::any::Any + Send>);

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
}

/// Takes an exclusive lock on `DATABASE-migrate.lock`, released when the file is dropped.
async fn lock_file(database: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let mut name = database.as_os_str().to_owned();
    name.push("-migrate.lock");
    tokio::task::spawn_blocking(move || {
        let file =
            std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&name).with_context(|| {
                format!("Failed to open the migration lock {}", std::path::Path::new(&name).display())
            })?;
        file.lock().context("Failed to take the migration lock")?;
        Ok(file)
    })
    .await?
}

/// A success's move in one statement: `$1` intent, `$2` amount, `$3` currency, `$4` now. It
/// names the states a success of the purchase's amount and currency moves to paid; a test keeps
/// them equal to what [`lifecycle::next`] says.
const PAY_ON_SUCCESS: &str = "update purchases set status = 'paid', updated_at = $4, last_error = null, \
      paid_at = case when paid_at is null then $4 else paid_at end \
    where payment_intent_id = $1 and status in ('pending', 'failed', 'canceled') and amount = $2 and currency = $3 \
    returning status";

/// Applies one [`PaymentUpdate`] inside an open transaction: the purchase's row is locked and
/// read by a write first (SQLite takes its write lock at once; PostgreSQL locks the row, so
/// concurrent updates of one purchase queue instead of racing), moved by [`lifecycle::next`] —
/// the one table of moves — and written back only if something changed.
macro_rules! apply_update {
    ($tx:ident, $update:expr) => {{
        let update: &PaymentUpdate = $update;
        let now = now();
        let payment_intent_id = update.payment_intent_id();
        // The hot path — every purchase's success, and webhook storms are mostly those — is one
        // statement, as before the table: the move `lifecycle::next` makes for a success with
        // the purchase's amount and currency, written as a conditional update
        // (`PAY_ON_SUCCESS`; a test holds it to the table). Anything else takes the general path.
        let paid_at_once: Option<String> = match update {
            PaymentUpdate::Succeeded { amount, currency, .. } => sqlx::query_scalar(PAY_ON_SUCCESS)
                .bind(payment_intent_id).bind(*amount).bind(currency).bind(now)
                .fetch_optional(&mut *$tx).await?,
            _ => None,
        };
        // A write that changes nothing locks the row and reads it in one statement.
        let row: Option<(String, i64, String, i64)> = if paid_at_once.is_some() { None } else { sqlx::query_as(
            "update purchases set updated_at = updated_at where payment_intent_id = $1 \
             returning status, amount, currency, refunded_amount")
            .bind(payment_intent_id).fetch_optional(&mut *$tx).await? };
        match row {
            None if paid_at_once.is_some() => UpdateOutcome::Changed(PurchaseStatus::Paid),
            None => UpdateOutcome::UnknownIntent,
            Some((status, amount, currency, refunded_amount)) => {
                let status = PurchaseStatus::parse(&status)
                    .ok_or_else(|| sqlx::Error::Decode(format!("purchase of {payment_intent_id} has an unknown status {status:?}").into()))?;
                let stored = lifecycle::Stored { status, amount, currency, refunded_amount };
                match lifecycle::next(&stored, update) {
                    lifecycle::Next::AmountMismatch => UpdateOutcome::AmountMismatch,
                    lifecycle::Next::Write { status: after, refunded_amount } => {
                        // The details an update brings along, whatever the state does.
                        let (last_error, dispute_status) = match update {
                            PaymentUpdate::Failed { message, .. } if after == PurchaseStatus::Failed => (message.clone(), None),
                            PaymentUpdate::DisputeOpened { status, .. } | PaymentUpdate::DisputeClosed { status, .. } => (None, Some(status.clone())),
                            _ => (None, None),
                        };
                        let changed = after != stored.status;
                        if changed || refunded_amount != stored.refunded_amount || last_error.is_some() || dispute_status.is_some() {
                            sqlx::query(
                                "update purchases set status = $2, refunded_amount = $3, updated_at = $4, \
                                   paid_at = case when $2 = 'paid' and paid_at is null then $4 else paid_at end, \
                                   refunded_at = case when $2 = 'refunded' and status <> 'refunded' then $4 else refunded_at end, \
                                   last_error = case when $2 = 'paid' then null when cast($5 as text) is null then last_error else $5 end, \
                                   dispute_status = coalesce(cast($6 as text), dispute_status) \
                                 where payment_intent_id = $1")
                                .bind(payment_intent_id).bind(after.as_str()).bind(refunded_amount).bind(now)
                                .bind(last_error).bind(dispute_status)
                                .execute(&mut *$tx).await?;
                        }
                        if changed { UpdateOutcome::Changed(after) } else { UpdateOutcome::Unchanged(after) }
                    }
                }
            }
        }
    }};
}

/// SQLite's `SQLITE_BUSY` (5) or `SQLITE_LOCKED` (6).
fn is_sqlite_busy(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if matches!(e.code().as_deref(), Some("5" | "6")))
}

impl Store {
    /// Opens the database named by the URL (`sqlite://path`) with the default pool, creating a
    /// SQLite file if missing.
    pub async fn connect(url: &str) -> anyhow::Result<Store> {
        Store::open(&DatabaseConfig::new(url)).await
    }

    /// Opens the configured database and pool (size, and how long a request waits for a
    /// connection before [`is_pool_timeout`] errors say the database is busy).
    pub async fn open(config: &DatabaseConfig) -> anyhow::Result<Store> {
        let url = config.url.as_str();
        let acquire_timeout = Duration::from_secs(config.acquire_timeout_secs);
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .with_context(|| format!("Failed to parse the SQLite URL {url:?}"))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk before the webhook is answered 2xx, even on power loss.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool_options = SqlitePoolOptions::new()
                .max_connections(config.max_connections.unwrap_or(8))
                .acquire_timeout(acquire_timeout);
            // Processes opening one file together (replicas starting at once) can meet SQLite's
            // "database is locked" while one of them switches the new file to WAL: SQLite does
            // not call the busy handler there, so we wait and try again, for a while.
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            let pool = loop {
                match pool_options.clone().connect_with(options.clone()).await {
                    Err(e) if is_sqlite_busy(&e) && std::time::Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(rand::random_range(20..120))).await;
                    }
                    other => break other.with_context(|| format!("Failed to open the SQLite database {url:?}"))?,
                }
            };
            let sqlite_file = Some(options.get_filename().to_owned()).filter(|f| f.as_os_str() != ":memory:");
            Ok(Store { pool: Pool::Sqlite(pool), sqlite_file, write_gate: Some(Default::default()) })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).context("Failed to parse the PostgreSQL URL")?;
            let pool = PgPoolOptions::new()
                .max_connections(config.max_connections.unwrap_or(10))
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await
                .context("Failed to connect to PostgreSQL")?;
            Ok(Store { pool: Pool::Postgres(pool), sqlite_file: None, write_gate: None })
        } else {
            anyhow::bail!(
                "unsupported PLOG_DATABASE_URL scheme {:?}: use sqlite://FILE or postgres://USER:PASSWORD@HOST/DATABASE",
                url.split(':').next().unwrap_or_default()
            )
        }
    }

    /// Takes one connection out of the pool until the guard is dropped (maintenance, and tests
    /// of what requests meet when every connection is busy).
    pub async fn hold_connection(&self) -> anyhow::Result<HeldConnection> {
        let held = on_pool!(self, pool => pool.acquire().await.map(|c| HeldConnection(Box::new(c))))
            .context("Failed to take a connection")?;
        Ok(held)
    }

    /// Applies pending migrations, once even when several processes start together: on
    /// PostgreSQL sqlx holds an advisory lock meanwhile; on SQLite (where sqlx takes none) an
    /// exclusive lock on a `FILE-migrate.lock` beside the database does the same.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match &self.pool {
            Pool::Sqlite(pool) => {
                let lock = match &self.sqlite_file {
                    Some(path) => Some(lock_file(path).await?),
                    None => None,
                };
                let applied = sqlx::migrate!("./migrations/sqlite").run(pool).await;
                drop(lock);
                applied
            }
            Pool::Postgres(pool) => sqlx::migrate!("./migrations/postgres").run(pool).await,
        }
        .context("Failed to apply database migrations")
    }

    /// Waits for this process's turn to write (SQLite only; see `write_gate`).
    async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_gate {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }

    /// Which engine: `sqlite` or `postgres`.
    pub fn engine(&self) -> &'static str {
        match &self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query("select 1").execute(pool).await.map(|_| ()))
            .context("Failed to reach the database")
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        on_pool!(self, pool => pool.close().await)
    }

    /// Inserts a paywall.
    #[tracing::instrument(skip_all)]
    pub async fn insert_paywall(&self, paywall: &Paywall) -> anyhow::Result<()> {
        on_pool!(self, pool => sqlx::query(
            "insert into paywalls (id, title, teaser, price_amount, currency, content_markdown, content_html, status, created_at, updated_at, origins, \
               mode, suggested_amount, max_amount, preset_amounts, show_count) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
            .bind(&paywall.id).bind(&paywall.title).bind(&paywall.teaser).bind(paywall.price_amount)
            .bind(&paywall.currency).bind(&paywall.content_markdown).bind(&paywall.content_html)
            .bind(&paywall.status).bind(paywall.created_at).bind(paywall.updated_at).bind(&paywall.origins)
            .bind(&paywall.mode).bind(paywall.suggested_amount).bind(paywall.max_amount).bind(&paywall.preset_amounts).bind(paywall.show_count)
            .execute(pool).await.map(|done| done.rows_affected()))
            .context("Failed to insert a paywall")?;
        Ok(())
    }

    /// One paywall.
    #[tracing::instrument(skip_all)]
    pub async fn paywall(&self, id: &str) -> anyhow::Result<Option<Paywall>> {
        on_pool!(self, pool => sqlx::query_as::<_, Paywall>(
            "select id, title, teaser, price_amount, currency, content_markdown, content_html, status, created_at, updated_at, origins, \
                    mode, suggested_amount, max_amount, preset_amounts, show_count \
             from paywalls where id = $1")
            .bind(id).fetch_optional(pool).await)
            .context("Failed to read a paywall")
    }

    /// All paywalls, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn paywalls(&self) -> anyhow::Result<Vec<Paywall>> {
        on_pool!(self, pool => sqlx::query_as::<_, Paywall>(
            "select id, title, teaser, price_amount, currency, content_markdown, content_html, status, created_at, updated_at, origins, \
                    mode, suggested_amount, max_amount, preset_amounts, show_count \
             from paywalls order by created_at desc, id")
            .fetch_all(pool).await)
            .context("Failed to list paywalls")
    }

    /// Writes a paywall's editable fields (as validated by the catalog); `None` if there is no
    /// such paywall.
    #[tracing::instrument(skip_all)]
    pub async fn save_paywall(&self, paywall: &Paywall) -> anyhow::Result<Option<Paywall>> {
        let updated = on_pool!(self, pool => sqlx::query(
            "update paywalls set title = $2, teaser = $3, price_amount = $4, currency = $5, content_markdown = $6, \
               content_html = $7, origins = $8, mode = $9, suggested_amount = $10, max_amount = $11, \
               preset_amounts = $12, show_count = $13, updated_at = $14 \
             where id = $1")
            .bind(&paywall.id).bind(&paywall.title).bind(&paywall.teaser).bind(paywall.price_amount).bind(&paywall.currency)
            .bind(&paywall.content_markdown).bind(&paywall.content_html).bind(&paywall.origins).bind(&paywall.mode)
            .bind(paywall.suggested_amount).bind(paywall.max_amount).bind(&paywall.preset_amounts).bind(paywall.show_count)
            .bind(now())
            .execute(pool).await.map(|done| done.rows_affected()))
            .context("Failed to update a paywall")?;
        if updated == 0 {
            return Ok(None);
        }
        self.paywall(&paywall.id).await
    }

    /// Archives a paywall (no new purchases; buyers keep access); `None` if there is none.
    #[tracing::instrument(skip_all)]
    pub async fn archive_paywall(&self, id: &str) -> anyhow::Result<Option<Paywall>> {
        let updated = on_pool!(self, pool => sqlx::query(
            "update paywalls set status = 'archived', updated_at = $2 where id = $1")
            .bind(id).bind(now()).execute(pool).await.map(|done| done.rows_affected()))
        .context("Failed to archive a paywall")?;
        if updated == 0 {
            return Ok(None);
        }
        self.paywall(id).await
    }

    /// Inserts a pending purchase.
    #[tracing::instrument(skip_all)]
    pub async fn insert_purchase(&self, purchase: &NewPurchase) -> anyhow::Result<()> {
        let now = now();
        on_pool!(self, pool => sqlx::query(
            "insert into purchases (id, paywall_id, payment_intent_id, token_hash, status, amount, currency, created_at, updated_at, client_key, mode) \
             values ($1, $2, $3, $4, 'pending', $5, $6, $7, $7, $8, $9)")
            .bind(&purchase.id).bind(&purchase.paywall_id).bind(&purchase.payment_intent_id)
            .bind(&purchase.token_hash).bind(purchase.amount).bind(&purchase.currency).bind(now).bind(&purchase.client_key).bind(&purchase.mode)
            .execute(pool).await.map(|done| done.rows_affected()))
            .context("Failed to insert a purchase")?;
        Ok(())
    }

    /// The sites a paywall sells on (space-separated origins, `""` for any), or `None` if there
    /// is no such paywall: the origin guard's one small query.
    #[tracing::instrument(skip_all)]
    pub async fn paywall_origins(&self, id: &str) -> anyhow::Result<Option<String>> {
        on_pool!(self, pool => sqlx::query_scalar("select origins from paywalls where id = $1")
            .bind(id).fetch_optional(pool).await)
        .context("Failed to read a paywall's origins")
    }

    /// How many paid purchases a paywall has (the public tip count).
    #[tracing::instrument(skip_all)]
    pub async fn paid_count(&self, paywall_id: &str) -> anyhow::Result<i64> {
        on_pool!(self, pool => sqlx::query_scalar("select count(*) from purchases where paywall_id = $1 and status = 'paid'")
            .bind(paywall_id).fetch_one(pool).await)
            .context("Failed to count a paywall's paid purchases")
    }

    /// How many unpaid (pending or declined) purchases a client started since `since`, and
    /// when the oldest of them was started.
    #[tracing::instrument(skip_all)]
    pub async fn unpaid_by_client(&self, client_key: &str, since: i64) -> anyhow::Result<(i64, Option<i64>)> {
        on_pool!(self, pool => sqlx::query_as::<_, (i64, Option<i64>)>(
            "select count(*), min(created_at) from purchases \
             where client_key = $1 and created_at >= $2 and status in ('pending', 'failed')")
            .bind(client_key).bind(since).fetch_one(pool).await)
        .context("Failed to count a client's unpaid purchases")
    }

    /// The purchase an access token's hash belongs to, with its paywall's paid HTML: the content
    /// route's hot path in one indexed query.
    #[tracing::instrument(skip_all)]
    pub async fn purchase_with_content(&self, token_hash: &str) -> anyhow::Result<Option<(Purchase, String)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            purchase: Purchase,
            content_html: String,
        }
        let row = on_pool!(self, pool => sqlx::query_as::<_, Row>(
            "select p.id, p.paywall_id, p.payment_intent_id, p.token_hash, p.status, p.amount, p.currency, p.last_error, \
                    p.created_at, p.updated_at, p.paid_at, p.mode, p.refunded_amount, p.dispute_status, w.content_html \
             from purchases p join paywalls w on w.id = p.paywall_id where p.token_hash = $1")
            .bind(token_hash).fetch_optional(pool).await)
            .context("Failed to read a purchase and its content by token")?;
        Ok(row.map(|r| (r.purchase, r.content_html)))
    }

    /// The purchase of a PaymentIntent.
    #[tracing::instrument(skip_all)]
    pub async fn purchase_by_intent(&self, payment_intent_id: &str) -> anyhow::Result<Option<Purchase>> {
        on_pool!(self, pool => sqlx::query_as::<_, Purchase>(
            "select id, paywall_id, payment_intent_id, token_hash, status, amount, currency, last_error, created_at, updated_at, paid_at, mode, refunded_amount, dispute_status \
             from purchases where payment_intent_id = $1")
            .bind(payment_intent_id).fetch_optional(pool).await)
            .context("Failed to read a purchase by PaymentIntent")
    }

    /// Purchases, newest first.
    #[tracing::instrument(skip_all)]
    pub async fn purchases(&self, filter: &PurchaseFilter) -> anyhow::Result<Vec<Purchase>> {
        on_pool!(self, pool => sqlx::query_as::<_, Purchase>(
            "select id, paywall_id, payment_intent_id, token_hash, status, amount, currency, last_error, created_at, updated_at, paid_at, mode, refunded_amount, dispute_status \
             from purchases \
             where (cast($1 as text) is null or paywall_id = $1) and (cast($2 as bigint) is null or created_at >= $2) \
               and (cast($4 as bigint) is null or created_at < $4) and (cast($5 as text) is null or status = $5) \
             order by created_at desc, id limit $3")
            .bind(&filter.paywall_id).bind(filter.since).bind(filter.limit).bind(filter.until).bind(&filter.status)
            .fetch_all(pool).await)
            .context("Failed to list purchases")
    }

    /// Records a Stripe event and applies its update in one transaction. A second delivery of
    /// the same event id does nothing and says so.
    #[tracing::instrument(skip_all, fields(event_id = event_id))]
    pub async fn record_event(
        &self,
        event_id: &str,
        event_type: &str,
        update: Option<&PaymentUpdate>,
    ) -> anyhow::Result<EventOutcome> {
        let _turn = self.writer_turn().await;
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            // The effect first (a write, so SQLite takes its lock at once), then the event row
            // with its outcome; if the event id is already there, roll the effect back.
            let outcome = match update {
                Some(update) => EventOutcome::Applied(apply_update!(tx, update)),
                None => EventOutcome::Ignored,
            };
            let inserted = sqlx::query(
                "insert into stripe_events (id, event_type, payment_intent_id, outcome, received_at) \
                 values ($1, $2, $3, $4, $5) on conflict (id) do nothing")
                .bind(event_id).bind(event_type).bind(update.map(PaymentUpdate::payment_intent_id)).bind(outcome.label()).bind(now())
                .execute(&mut *tx).await?;
            if inserted.rows_affected() == 0 {
                tx.rollback().await?;
                return Ok(EventOutcome::Duplicate);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(outcome)
        }.await)
        .context("Failed to record a Stripe event")
    }

    /// Applies an update learned by re-reading a PaymentIntent (no event id to record).
    #[tracing::instrument(skip_all)]
    pub async fn apply_update(&self, update: &PaymentUpdate) -> anyhow::Result<UpdateOutcome> {
        let _turn = self.writer_turn().await;
        on_pool!(self, pool => async {
            let mut tx = pool.begin().await?;
            let outcome = apply_update!(tx, update);
            tx.commit().await?;
            Ok::<_, sqlx::Error>(outcome)
        }.await)
        .context("Failed to apply a payment update")
    }

    /// Every recorded Stripe event as (event id, event type, PaymentIntent id), for checks of
    /// consistency between events and purchases.
    pub async fn recorded_events(&self) -> anyhow::Result<Vec<(String, String, Option<String>)>> {
        on_pool!(self, pool => sqlx::query_as("select id, event_type, payment_intent_id from stripe_events order by id")
            .fetch_all(pool).await)
        .context("Failed to list Stripe events")
    }

    /// How many Stripe events were recorded (for tests and operations).
    pub async fn event_count(&self) -> anyhow::Result<i64> {
        on_pool!(self, pool => sqlx::query_scalar("select count(*) from stripe_events").fetch_one(pool).await)
            .context("Failed to count Stripe events")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The states `PAY_ON_SUCCESS` moves to paid.
    const SUCCESS_PAYS: [PurchaseStatus; 3] =
        [PurchaseStatus::Pending, PurchaseStatus::Failed, PurchaseStatus::Canceled];

    #[test]
    fn the_one_statement_success_moves_exactly_the_states_the_table_pays() {
        let success =
            PaymentUpdate::Succeeded { payment_intent_id: "pi_1".into(), amount: 100, currency: "jpy".into() };
        let paid_by_table: Vec<PurchaseStatus> = PurchaseStatus::ALL
            .into_iter()
            .filter(|&status| {
                let stored = lifecycle::Stored { status, amount: 100, currency: "jpy".into(), refunded_amount: 0 };
                status != PurchaseStatus::Paid
                    && lifecycle::next(&stored, &success)
                        == lifecycle::Next::Write { status: PurchaseStatus::Paid, refunded_amount: 0 }
            })
            .collect();
        assert_eq!(paid_by_table, SUCCESS_PAYS);
        let named = SUCCESS_PAYS.map(|s| format!("'{}'", s.as_str())).join(", ");
        assert!(PAY_ON_SUCCESS.contains(&format!("status in ({named})")), "PAY_ON_SUCCESS names {named}");
    }
}
