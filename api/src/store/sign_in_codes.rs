//! The `creator_codes` table: one-time codes creators sign up and sign in with (platform mode).
//! Only the code's keyed hash is kept; a code is used once, within its time, and survives a few
//! wrong tries — each decided by one conditional update, so concurrent tries never exceed them.

use anyhow::Context;
use plog_shared::SignInId;

use super::Store;
use super::sql::Sql;

/// What trying a code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRedeemed {
    /// Right: the address it was sent to (it can never be used again).
    Address(String),
    /// Wrong: this many tries are left (0: none; ask for a new code).
    Wrong(i64),
    /// No such code, or it expired, was used, or has no tries left.
    Gone,
}

impl Store {
    /// Keeps a new code's hash for `email`, good until `expires_at`, for `tries` wrong tries.
    #[tracing::instrument(skip_all)]
    pub async fn insert_sign_in_code(
        &self,
        id: &SignInId,
        email: &str,
        code_hash: &str,
        tries: i64,
        expires_at: i64,
        now: i64,
    ) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new(
            "insert into creator_codes (id, email, code_hash, tries_left, expires_at, created_at) \
             values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.as_str())
        .bind(email)
        .bind(code_hash)
        .bind(tries)
        .bind(expires_at)
        .bind(now)
        .execute(&self.pool)
        .await
        .context("Failed to keep a sign-in code")?;
        Ok(())
    }

    /// Tries a code: `code_hash` is the hash of what was typed, under the code's id.
    #[tracing::instrument(skip_all)]
    pub async fn redeem_sign_in_code(
        &self,
        id: &SignInId,
        code_hash: &str,
        now: i64,
    ) -> anyhow::Result<SignInRedeemed> {
        let _turn = self.writer_turn().await;
        let right: Option<(String,)> = Sql::new(
            "update creator_codes set used_at = $2 \
             where id = $1 and code_hash = $3 and used_at is null and expires_at > $2 and tries_left > 0 \
             returning email",
        )
        .bind(id.as_str())
        .bind(now)
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await
        .context("Failed to try a sign-in code")?;
        if let Some((email,)) = right {
            return Ok(SignInRedeemed::Address(email));
        }
        let wrong: Option<(i64,)> = Sql::new(
            "update creator_codes set tries_left = tries_left - 1 \
             where id = $1 and used_at is null and expires_at > $2 and tries_left > 0 returning tries_left",
        )
        .bind(id.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .context("Failed to count a wrong sign-in code")?;
        Ok(match wrong {
            Some((left,)) => SignInRedeemed::Wrong(left),
            None => SignInRedeemed::Gone,
        })
    }
}
