//! Dashboard sessions: a row per signed-in browser, found by the SHA-256 of its cookie.

use anyhow::Context;
use plog_shared::TokenId;

use super::sql::Sql;
use super::{CreatorId, Store};

/// A live dashboard session.
#[derive(Debug, Clone)]
pub struct AdminSession {
    /// The token the dashboard's forms must send back (CSRF).
    pub csrf_token: String,
    /// Unix seconds after which the session is over.
    pub expires_at: i64,
    /// Who signed in.
    pub creator: CreatorId,
}

impl Store {
    /// Opens a session of `creator`, signed in with their API token `opened_by` (`None`: the
    /// operator's token, or a mailed code), and forgets the sessions that have expired.
    #[tracing::instrument(skip_all)]
    pub async fn open_session(
        &self,
        token_hash: &str,
        csrf_token: &str,
        (creator, opened_by): (CreatorId, Option<&TokenId>),
        now: i64,
        expires_at: i64,
    ) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            Sql::new("delete from admin_sessions where expires_at <= $1").bind(now).execute(&mut tx).await?;
            Sql::new(
                "insert into admin_sessions (token_hash, csrf_token, created_at, expires_at, creator_id, opened_by_token) \
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(token_hash)
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at)
            .bind(creator.get())
            .bind(opened_by.map(TokenId::as_str))
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
        let row: Option<(String, i64, i64)> = Sql::new(
            "select csrf_token, expires_at, creator_id from admin_sessions where token_hash = $1 and expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .context("Failed to read a session")?;
        Ok(row.map(|(csrf_token, expires_at, creator)| AdminSession {
            csrf_token,
            expires_at,
            creator: CreatorId::from_column(creator),
        }))
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
