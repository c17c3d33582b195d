//! Opening the database (SQLite file or PostgreSQL server), its connection pool, and the
//! migrations under `api/migrations/`, applied once even when replicas start together.

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::sql::Sql;
use super::{Pool, Store};
use crate::config::DatabaseConfig;

/// True if the error (anywhere in its chain) is the pool's "no connection became free in time".
pub fn is_pool_timeout(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| matches!(cause.downcast_ref::<sqlx::Error>(), Some(sqlx::Error::PoolTimedOut)))
}

/// A connection taken out of the pool by [`Store::hold_connection`]; dropping it gives it back.
pub struct HeldConnection(#[allow(dead_code)] Box<dyn std::any::Any + Send>);

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
            Ok(Store { pool: Pool::Sqlite(pool), sqlite_file, write_gate: Some(Default::default()), scope: None })
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).context("Failed to parse the PostgreSQL URL")?;
            let pool = PgPoolOptions::new()
                .max_connections(config.max_connections.unwrap_or(10))
                .acquire_timeout(acquire_timeout)
                .connect_with(options)
                .await
                .context("Failed to connect to PostgreSQL")?;
            Ok(Store { pool: Pool::Postgres(pool), sqlite_file: None, write_gate: None, scope: None })
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
        let held: Box<dyn std::any::Any + Send> = match &self.pool {
            Pool::Sqlite(pool) => Box::new(pool.acquire().await.context("Failed to take a connection")?),
            Pool::Postgres(pool) => Box::new(pool.acquire().await.context("Failed to take a connection")?),
        };
        Ok(HeldConnection(held))
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
    pub(super) async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
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
        Sql::new("select 1").execute(&self.pool).await.context("Failed to reach the database")?;
        Ok(())
    }

    /// Whether plog's tables are there (`plog serve` creates them; `plog doctor` never does).
    pub async fn holds_tables(&self) -> bool {
        Sql::new("select 1 from paywalls limit 1").execute(&self.pool).await.is_ok()
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(pool) => pool.close().await,
            Pool::Postgres(pool) => pool.close().await,
        }
    }
}
