//! Dashboard sessions: a row per signed-in browser, found by the SHA-256 of its cookie.

use anyhow::Context;

use super::Store;
use super::sql::Sql;

/// A live dashboard session.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AdminSession {
    /// The token the dashboard's forms must send back (CSRF).
    pub csrf_token: String,
    /// Unix seconds after which the session is over.
    pub expires_at: i64,
}

impl Store {
    /// Opens a session (and forgets the ones that have expired).
    #[tracing::instrument(skip_all)]
    pub async fn open_session(
        &self,
        token_hash: &str,
        csrf_token: &str,
        now: i64,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            Sql::new("delete from admin_sessions where expires_at <= $1").bind(now).execute(&mut tx).await?;
            Sql::new(
                "insert into admin_sessions (token_hash, csrf_token, created_at, expires_at) values ($1, $2, $3, $4)",
            )
            .bind(token_hash)
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(&mut tx)
            .await?;
            tx.commit().await
        }
        .await
        .context("Failed to open a session")
    }

    /// The session of a cookie's hash, if it exists and has not expired.
    #[tracing::instrument(skip_all)]
    pub async fn find_session(&self, token_hash: &str, now: i64) -> anyhow::Result<Option<AdminSession>> {
        Sql::new("select csrf_token, expires_at from admin_sessions where token_hash = $1 and expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&self.pool)
            .await
            .context("Failed to read a session")
    }

    /// Ends a session (signing out).
    #[tracing::instrument(skip_all)]
    pub async fn close_session(&self, token_hash: &str) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new("delete from admin_sessions where token_hash = $1")
            .bind(token_hash)
            .execute(&self.pool)
            .await
            .context("Failed to close a session")?;
        Ok(())
    }
}
