//! The `mail_outbox` table: every mail plog owes a reader, kept until it is sent. A receipt row
//! is written with its purchase (state `unpaid`) and queued by the same transaction that makes
//! the purchase paid (`store::purchases`); restore mails are queued with their request
//! (`store::restores`). A sender claims due rows for a while (so replicas do not send one mail
//! twice), and marks each sent, to retry, or refused; the address is cleared with the first two
//! outcomes that end it.

use std::collections::HashMap;

use anyhow::Context;
use plog_shared::api::ReceiptStatus;
use plog_shared::{MailId, PurchaseId, RestoreId};

use super::sql::Sql;
use super::{Store, corrupt};

/// A mail due now, claimed by this sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueMail {
    /// Outbox id (also the `Message-ID`'s left part).
    pub id: MailId,
    /// `receipt` or `restore`.
    pub kind: String,
    /// The purchase of a receipt.
    pub purchase_id: Option<PurchaseId>,
    /// The recipient.
    pub recipient: Option<String>,
    /// `en` or `ja`.
    pub language: String,
    /// The article's page.
    pub page_url: Option<String>,
    /// A restore mail's code.
    pub code: Option<String>,
    /// The restore request of a restore mail.
    pub restore_id: Option<RestoreId>,
    /// Tries so far, this one included.
    pub attempts: i64,
}

/// A due mail's columns as the database returns them; [`DueMail`] is the typed reading.
#[derive(sqlx::FromRow)]
struct Record {
    id: String,
    kind: String,
    purchase_id: Option<String>,
    recipient: Option<String>,
    language: String,
    page_url: Option<String>,
    code: Option<String>,
    restore_id: Option<String>,
    attempts: i64,
}

impl TryFrom<Record> for DueMail {
    type Error = sqlx::Error;

    fn try_from(row: Record) -> Result<DueMail, sqlx::Error> {
        let bad = |e: &dyn std::fmt::Display| corrupt("mail_outbox", &row.id, e);
        Ok(DueMail {
            id: MailId::parse(&row.id).map_err(|e| bad(&e))?,
            purchase_id: row.purchase_id.as_deref().map(PurchaseId::parse).transpose().map_err(|e| bad(&e))?,
            restore_id: row.restore_id.as_deref().map(RestoreId::parse).transpose().map_err(|e| bad(&e))?,
            kind: row.kind,
            recipient: row.recipient,
            language: row.language,
            page_url: row.page_url,
            code: row.code,
            attempts: row.attempts,
        })
    }
}

impl Store {
    /// Claims up to `limit` mails due at `now` until `until` (another sender may take them over
    /// after, if this one died). A replica that lost the race for a row gets it not at all.
    pub async fn claim_due_mail(&self, now: i64, until: i64, limit: i64) -> anyhow::Result<Vec<DueMail>> {
        let _turn = self.writer_turn().await;
        let records: Vec<Record> = Sql::new(
            "update mail_outbox set claimed_until = $2, attempts = attempts + 1 \
             where id in (select id from mail_outbox where state = 'queued' and next_attempt_at <= $1 \
                            and (claimed_until is null or claimed_until < $1) order by next_attempt_at limit $3) \
               and state = 'queued' and (claimed_until is null or claimed_until < $1) \
             returning id, kind, purchase_id, recipient, language, page_url, code, restore_id, attempts",
        )
        .bind(now)
        .bind(until)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("Failed to claim due mail")?;
        Ok(records.into_iter().map(DueMail::try_from).collect::<Result<_, _>>()?)
    }

    /// The mail went: forget the address (and a code), keep that it was sent.
    pub async fn mail_sent(&self, id: &MailId, now: i64) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new(
            "update mail_outbox set state = 'sent', sent_at = $2, recipient = null, code = null, claimed_until = null, \
               last_error = null where id = $1",
        )
        .bind(id.as_str())
        .bind(now)
        .execute(&self.pool)
        .await
        .context("Failed to mark a mail sent")?;
        Ok(())
    }

    /// The mail did not go this time: try again at `next_attempt_at`.
    pub async fn mail_retry(&self, id: &MailId, error: &str, next_attempt_at: i64) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new("update mail_outbox set next_attempt_at = $3, last_error = $2, claimed_until = null where id = $1")
            .bind(id.as_str())
            .bind(error)
            .bind(next_attempt_at)
            .execute(&self.pool)
            .await
            .context("Failed to reschedule a mail")?;
        Ok(())
    }

    /// The mail was refused for good (or tried too long): record why, forget the address.
    pub async fn mail_failed(&self, id: &MailId, error: &str) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        Sql::new(
            "update mail_outbox set state = 'failed', last_error = $2, recipient = null, code = null, claimed_until = null \
             where id = $1",
        )
        .bind(id.as_str())
        .bind(error)
        .execute(&self.pool)
        .await
        .context("Failed to mark a mail failed")?;
        Ok(())
    }

    /// Addresses of receipts whose purchase was never paid, left longer than `older_than`
    /// seconds before `now`, are deleted (nothing will ever be sent to them).
    pub async fn forget_unpaid_receipts(&self, now: i64, older_than: i64) -> anyhow::Result<u64> {
        let _turn = self.writer_turn().await;
        Sql::new("delete from mail_outbox where state = 'unpaid' and created_at < $1")
            .bind(now - older_than)
            .execute(&self.pool)
            .await
            .context("Failed to forget unpaid receipts")
    }

    /// Where the receipts of these purchases stand (purchases without one are absent).
    pub async fn receipt_states(&self, ids: &[PurchaseId]) -> anyhow::Result<HashMap<PurchaseId, ReceiptStatus>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, String)> = Sql::with_list(
            "select purchase_id, state from mail_outbox where kind = 'receipt' and purchase_id in (",
            ids.iter().map(PurchaseId::as_str),
        )
        .fetch_all(&self.pool)
        .await
        .context("Failed to read receipt states")?;
        let mut states = HashMap::new();
        for (purchase_id, state) in rows {
            let id = PurchaseId::parse(&purchase_id).map_err(|e| corrupt("mail_outbox", &purchase_id, e))?;
            let status = match state.as_str() {
                "unpaid" | "queued" => ReceiptStatus::Pending,
                "sent" => ReceiptStatus::Sent,
                "failed" => ReceiptStatus::Failed,
                other => return Err(corrupt("mail_outbox", &purchase_id, format!("state {other:?}")).into()),
            };
            states.insert(id, status);
        }
        Ok(states)
    }

    /// Every outbox row's recipient column, for tests of what plog keeps.
    pub async fn outbox_recipients(&self) -> anyhow::Result<Vec<Option<String>>> {
        let rows: Vec<(Option<String>,)> = Sql::new("select recipient from mail_outbox order by created_at, id")
            .fetch_all(&self.pool)
            .await
            .context("Failed to list outbox recipients")?;
        Ok(rows.into_iter().map(|(recipient,)| recipient).collect())
    }
}
