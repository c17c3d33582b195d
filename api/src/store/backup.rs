//! `plog backup`: a consistent copy of a live SQLite database. `VACUUM INTO` reads the whole
//! database in one read transaction, so webhooks keep being written meanwhile (WAL lets readers
//! and the writer pass each other) and the copy holds whole transactions only: never a purchase
//! paid without the event that paid it. The copy is then opened and checked.
//! PostgreSQL has its own tools (`pg_dump`), which the refusal names.

use std::path::Path;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::{Pool, Store};

/// What a finished backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    /// Purchases in the copy.
    pub purchases: i64,
    /// Stripe events in the copy.
    pub events: i64,
    /// Paywalls in the copy.
    pub paywalls: i64,
}

impl Store {
    /// Copies the SQLite database to `file` (which must not exist) and checks the copy:
    /// `integrity_check`, and what it holds.
    pub async fn backup_to(&self, file: &Path) -> anyhow::Result<BackupSummary> {
        let Pool::Sqlite(pool) = &self.pool else {
            anyhow::bail!(
                "plog backup copies SQLite databases; back PostgreSQL up with its own tools: \
                 pg_dump --format=custom --file=plog.dump \"$PLOG_DATABASE_URL\" (restore: pg_restore --clean --dbname=…)"
            );
        };
        anyhow::ensure!(
            !file.exists(),
            "{} exists already: plog never overwrites a file with a backup",
            file.display()
        );
        let target = file.to_str().context("the backup's path is not UTF-8")?;
        sqlx::query("vacuum into $1")
            .bind(target)
            .execute(pool)
            .await
            .with_context(|| format!("Failed to copy the database into {}", file.display()))?;
        let copy = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(SqliteConnectOptions::new().filename(file).read_only(true))
            .await
            .with_context(|| format!("Failed to open the backup {}", file.display()))?;
        let checked = async {
            let integrity: String = sqlx::query_scalar("pragma integrity_check").fetch_one(&copy).await?;
            anyhow::ensure!(integrity == "ok", "the backup fails SQLite's integrity check: {integrity}");
            let count = |table: &'static str| {
                let copy = &copy;
                async move {
                    let sql = sqlx::AssertSqlSafe(format!("select count(*) from {table}"));
                    sqlx::query_scalar::<_, i64>(sql).fetch_one(copy).await
                }
            };
            Ok(BackupSummary {
                purchases: count("purchases").await?,
                events: count("stripe_events").await?,
                paywalls: count("paywalls").await?,
            })
        }
        .await;
        copy.close().await;
        checked
    }
}
