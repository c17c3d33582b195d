//! The `rate_limits` table: rate limits that every replica on one PostgreSQL database shares
//! (`limits::purchases`). Each key is a GCRA bucket — the same algorithm as the in-memory
//! limits — kept as its theoretical arrival time (TAT) on the database's clock, so replicas with
//! clocks apart still agree. Taking a request is one upsert, atomic under the row's lock: two
//! replicas allow exactly what one allows.

use std::time::Duration;

use anyhow::Context;

use super::{Pool, Store};

/// The database's clock in milliseconds (clock_timestamp: the time now, not the transaction's).
const NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

impl Store {
    /// Whether rate limits are kept here for all replicas (PostgreSQL) rather than in memory.
    pub fn shares_rate_limits(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// Takes one request from bucket `key`, which lets `burst` requests through at once and one
    /// more every `interval`: `None` if taken, else how long until one would be.
    pub async fn take_shared_rate(
        &self,
        key: &str,
        interval: Duration,
        burst: u32,
    ) -> anyhow::Result<Option<Duration>> {
        let Pool::Postgres(pool) = &self.pool else {
            anyhow::bail!("shared rate limits live on PostgreSQL only");
        };
        let interval_ms = interval.as_millis() as i64;
        let window_ms = interval_ms * i64::from(burst);
        // Taken if the bucket's new TAT is within the window from now; otherwise the row is
        // left as it was (the `where` of the update fails) and nothing is returned.
        let taken: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "insert into rate_limits as r (key, tat_ms) values ($1, {NOW_MS} + $2) \
             on conflict (key) do update set tat_ms = greatest(r.tat_ms, {NOW_MS}) + $2 \
             where greatest(r.tat_ms, {NOW_MS}) + $2 - {NOW_MS} <= $3 \
             returning tat_ms"
        )))
        .bind(key)
        .bind(interval_ms)
        .bind(window_ms)
        .fetch_optional(pool)
        .await
        .context("Failed to take from a shared rate limit")?;
        if taken.is_some() {
            return Ok(None);
        }
        let wait_ms: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select tat_ms + $2 - $3 - {NOW_MS} from rate_limits where key = $1"
        )))
        .bind(key)
        .bind(interval_ms)
        .bind(window_ms)
        .fetch_one(pool)
        .await
        .context("Failed to read a shared rate limit")?;
        Ok(Some(Duration::from_millis(wait_ms.max(1) as u64)))
    }

    /// Deletes buckets that are full again (their TAT is past), so the table holds only keys
    /// seen lately. Returns how many went.
    pub async fn forget_idle_rates(&self) -> anyhow::Result<u64> {
        let Pool::Postgres(pool) = &self.pool else { return Ok(0) };
        let done = sqlx::query(sqlx::AssertSqlSafe(format!("delete from rate_limits where tat_ms < {NOW_MS}")))
            .execute(pool)
            .await
            .context("Failed to forget idle rate limits")?;
        Ok(done.rows_affected())
    }
}
