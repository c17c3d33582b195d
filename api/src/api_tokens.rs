//! A creator's admin API tokens, made: the label checked, the secret drawn (`plog_…`, shown
//! once), only its SHA-256 kept, on the store handle of the creator it is for. The one piece the
//! admin API (`/v1/admin/tokens`), the dashboard's Account page and `plog creator add` share.

use plog_shared::TokenId;

use crate::store::{CreatorToken, Store};
use crate::tokens::{new_creator_token, new_id, token_hash};

/// The longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 100;

/// A label longer than [`MAX_LABEL_CHARS`]: nothing is made.
#[derive(Debug, thiserror::Error)]
#[error("label must be at most {MAX_LABEL_CHARS} characters")]
pub struct LabelTooLong;

/// A token just made: as its creator's list shows it, and its secret, to show this once.
#[derive(Debug)]
pub struct MadeToken {
    /// As listed.
    pub token: CreatorToken,
    /// The secret (`plog_…`); plog keeps only its hash.
    pub secret: String,
}

/// Makes an admin API token for the creator `store` is scoped to, labelled `label` (trimmed).
pub async fn make(store: &Store, label: &str, now: i64) -> anyhow::Result<Result<MadeToken, LabelTooLong>> {
    let label = label.trim();
    if label.chars().count() > MAX_LABEL_CHARS {
        return Ok(Err(LabelTooLong));
    }
    let (id, secret) = (new_id::<TokenId>(), new_creator_token());
    store.insert_creator_token(&id, &token_hash(&secret), label, now).await?;
    tracing::info!(token_id = %id, creator = ?store.creator(), "API token made");
    let token = CreatorToken { id, label: label.to_owned(), created_at: now, revoked_at: None };
    Ok(Ok(MadeToken { token, secret }))
}
