//! The `restore_codes` and `restored_tokens` tables: a reader's request to restore access by
//! mail (its code kept as a keyed hash, with tries left and an expiry), and the fresh access
//! tokens a right code bought. A restore adds tokens; it never changes a purchase.

use anyhow::Context;
use plog_shared::{MailId, PassId, PaywallId, PurchaseId, RestoreId};

use super::sql::Sql;
use super::{Store, corrupt};
use crate::tokens::{constant_time_eq, new_access_token, token_hash};

/// A restore request to store.
#[derive(Debug, Clone)]
pub struct NewRestore {
    /// Its id.
    pub id: RestoreId,
    /// The keyed hash of the address asked for.
    pub email_hash: String,
    /// The keyed hash of the code.
    pub code_hash: String,
    /// The site asking: only paywalls it may show are restored.
    pub origin: String,
    /// Wrong codes allowed before the request dies.
    pub tries: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

/// The mail carrying a restore code.
#[derive(Debug, Clone)]
pub struct NewRestoreMail {
    /// Outbox id.
    pub id: MailId,
    /// The address (kept only until the mail is sent).
    pub email: String,
    /// The code, in clear until the mail is sent.
    pub code: String,
    /// `en` or `ja`.
    pub language: String,
    /// The page the link opens (the code goes in its fragment): only a page of a site the
    /// creator listed (`receipts::listed_page`); none → the mail carries the code alone.
    pub page_url: Option<String>,
}

/// A paid purchase an address may restore: its paywall and the sites that paywall sells on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restorable {
    /// The purchase.
    pub purchase_id: PurchaseId,
    /// Its paywall.
    pub paywall_id: PaywallId,
    /// The paywall's origins, space-separated (`""`: any site).
    pub origins: String,
    /// The article's page recorded with the purchase's receipt (checked then to be on the site
    /// the purchase came from), if any: the only page a restore mail may link to.
    pub page_url: Option<String>,
}

/// What exchanging a code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// The right code: a fresh token per purchase restored (its paywall, the token, its pass).
    Tokens(Vec<(PaywallId, String, Option<PassId>)>),
    /// Unknown request, wrong, expired, used or out of tries (one answer for all of them).
    Refused,
}

/// The paid purchases of an address's keyed hash (`$1`), with their paywalls' sites: what a
/// restore may open (both the request and the exchange read it).
const RESTORABLE: &str = "select p.id, p.paywall_id, w.origins, p.pass_id, m.page_url from purchases p \
    join paywalls w on w.id = p.paywall_id left join mail_outbox m on m.purchase_id = p.id and m.kind = 'receipt' \
    where p.email_hash = $1 and p.status = 'paid' order by p.created_at";

/// A row of [`RESTORABLE`]: purchase, paywall, its origins, the pass, the receipt's page.
type RestorableRow = (String, String, String, Option<String>, Option<String>);

impl Store {
    /// The paid purchases of an address, by its keyed hash, with their paywalls' sites.
    #[tracing::instrument(skip_all)]
    pub async fn restorable(&self, email_hash: &str) -> anyhow::Result<Vec<Restorable>> {
        let rows: Vec<RestorableRow> = Sql::new(RESTORABLE)
            .bind(email_hash)
            .fetch_all(&self.pool)
            .await
            .context("Failed to find an address's purchases")?;
        rows.into_iter()
            .map(|(purchase_id, paywall_id, origins, _, page_url)| {
                let bad = |e: &dyn std::fmt::Display| corrupt("purchases", &purchase_id, e);
                let paywall_id = PaywallId::parse(&paywall_id).map_err(|e| bad(&e))?;
                let purchase_id = PurchaseId::parse(&purchase_id).map_err(|e| bad(&e))?;
                Ok(Restorable { purchase_id, paywall_id, origins, page_url })
            })
            .collect()
    }

    /// Stores a restore request and its mail: the mail with its code when there is something to
    /// restore, else a decoy row that is never sent (state `failed`, no address, no code). The
    /// same two writes in one transaction either way, and no sender woken (the outbox's round
    /// takes the mail within a second), so neither the answer nor the next request's timing
    /// tells a buyer's address from a stranger's.
    #[tracing::instrument(skip_all)]
    pub async fn open_restore(
        &self,
        restore: &NewRestore,
        mail: Option<&NewRestoreMail>,
        now: i64,
    ) -> anyhow::Result<()> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            Sql::new(
                "insert into restore_codes (id, email_hash, code_hash, origin, tries_left, expires_at, created_at) \
                 values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(restore.id.as_str())
            .bind(&restore.email_hash)
            .bind(&restore.code_hash)
            .bind(&restore.origin)
            .bind(restore.tries)
            .bind(restore.expires_at)
            .bind(now)
            .execute(&mut tx)
            .await?;
            let decoy = NewRestoreMail {
                id: crate::tokens::new_id(),
                email: String::new(),
                code: String::new(),
                language: "en".into(),
                page_url: None,
            };
            let (row, state) = match mail {
                Some(mail) => (mail, "queued"),
                None => (&decoy, "failed"),
            };
            let sent = |text: &str| Some(text.to_owned()).filter(|_| state == "queued");
            Sql::new(
                "insert into mail_outbox (id, kind, restore_id, recipient, language, page_url, code, state, \
                   next_attempt_at, created_at, last_error) values ($1, 'restore', $2, $3, $4, $5, $6, $7, $8, $8, $9)",
            )
            .bind(row.id.as_str())
            .bind(restore.id.as_str())
            .bind(sent(&row.email))
            .bind(&row.language)
            .bind(&row.page_url)
            .bind(sent(&row.code))
            .bind(state)
            .bind(now)
            .bind((state == "failed").then_some("nothing to restore for this address: not sent"))
            .execute(&mut tx)
            .await?;
            tx.commit().await
        }
        .await
        .context("Failed to store a restore request")
    }

    /// Hashes the purchases of an address again under the current key (`from`: its hash under
    /// a previous key): after a key rotation, the first restore of a past buyer moves them.
    #[tracing::instrument(skip_all)]
    pub async fn rekey_email_hash(&self, from: &str, to: &str) -> anyhow::Result<u64> {
        let found: Option<(String,)> = Sql::new("select id from purchases where email_hash = $1 limit 1")
            .bind(from)
            .fetch_optional(&self.pool)
            .await
            .context("Failed to look for an address under a previous key")?;
        if found.is_none() {
            return Ok(0);
        }
        let _turn = self.writer_turn().await;
        Sql::new("update purchases set email_hash = $2 where email_hash = $1")
            .bind(from)
            .bind(to)
            .execute(&self.pool)
            .await
            .context("Failed to hash an address again under the current key")
    }

    /// Whether a restore request is open to a code (known, unused, in time, tries left): read
    /// only, so made-up or spent ids never take the writer.
    pub async fn restore_open(&self, id: &RestoreId, now: i64) -> anyhow::Result<bool> {
        let found: Option<(String,)> = Sql::new(
            "select id from restore_codes where id = $1 and used_at is null and expires_at > $2 and tries_left > 0",
        )
        .bind(id.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await
        .context("Failed to look up a restore request")?;
        Ok(found.is_some())
    }

    /// Forgets restore requests that ended unused more than a day ago, and restore mails (sent,
    /// or decoys) older than a day. Used requests stay: the tokens they bought refer to them.
    pub async fn forget_old_restores(&self, now: i64) -> anyhow::Result<u64> {
        let _turn = self.writer_turn().await;
        let before = now - 86_400;
        async {
            let mut tx = self.pool.begin().await?;
            let codes = Sql::new("delete from restore_codes where used_at is null and expires_at < $1")
                .bind(before)
                .execute(&mut tx)
                .await?;
            let mails = Sql::new(
                "delete from mail_outbox where kind = 'restore' and state in ('sent', 'failed') and created_at < $1",
            )
            .bind(before)
            .execute(&mut tx)
            .await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(codes + mails)
        }
        .await
        .context("Failed to forget old restore requests")
    }

    /// Exchanges a code: a try is spent first (so five wrong codes end the request whatever
    /// happens next); the right code, within its time and tries and not used before, is used up
    /// and buys a fresh access token for every paid purchase of the address whose paywall
    /// `allowed` (by its origins) — all in one transaction.
    #[tracing::instrument(skip_all)]
    pub async fn redeem_restore(
        &self,
        id: &RestoreId,
        code_hashes: &[String],
        now: i64,
        allowed: impl Fn(&str, &str) -> bool + Send + Sync,
    ) -> anyhow::Result<Redeemed> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            let open: Option<(String, String, String)> = Sql::new(
                "update restore_codes set tries_left = tries_left - 1 \
                 where id = $1 and used_at is null and expires_at > $2 and tries_left > 0 \
                 returning code_hash, email_hash, origin",
            )
            .bind(id.as_str())
            .bind(now)
            .fetch_optional(&mut tx)
            .await?;
            let Some((stored_hash, email_hash, origin)) = open else {
                tx.rollback().await?;
                return Ok(Redeemed::Refused);
            };
            // Every candidate is compared (no early exit), each in constant time.
            let right =
                code_hashes.iter().fold(false, |found, candidate| constant_time_eq(&stored_hash, candidate) | found);
            if !right {
                tx.commit().await?;
                return Ok(Redeemed::Refused);
            }
            Sql::new("update restore_codes set used_at = $2 where id = $1")
                .bind(id.as_str())
                .bind(now)
                .execute(&mut tx)
                .await?;
            let rows: Vec<RestorableRow> = Sql::new(RESTORABLE).bind(&email_hash).fetch_all(&mut tx).await?;
            let mut tokens = Vec::new();
            let allowed_rows = rows.into_iter().filter(|(_, _, origins, _, _)| allowed(origins, &origin));
            for (purchase_id, paywall_id, _, pass_id, _) in allowed_rows {
                let bad = |e: &dyn std::fmt::Display| corrupt("purchases", &purchase_id, e);
                let paywall_id = PaywallId::parse(&paywall_id).map_err(|e| bad(&e))?;
                let pass_id = pass_id.as_deref().map(PassId::parse).transpose().map_err(|e| bad(&e))?;
                let token = new_access_token();
                Sql::new(
                    "insert into restored_tokens (token_hash, purchase_id, restore_id, created_at) values ($1, $2, $3, $4)",
                )
                .bind(token_hash(&token))
                .bind(&purchase_id)
                .bind(id.as_str())
                .bind(now)
                .execute(&mut tx)
                .await?;
                tokens.push((paywall_id, token, pass_id));
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(Redeemed::Tokens(tokens))
        }
        .await
        .context("Failed to redeem a restore code")
    }

    /// Restores per UTC day (codes exchanged) since `since`, from one site or all.
    pub async fn restores_per_day(&self, since: i64, site: Option<&str>) -> anyhow::Result<Vec<(i64, i64)>> {
        Sql::new(
            "select cast(used_at / 86400 as bigint) as day, count(*) from restore_codes \
             where used_at is not null and used_at >= $1 and (cast($2 as text) is null or origin = $2) \
             group by cast(used_at / 86400 as bigint) order by day",
        )
        .bind(since)
        .bind(site)
        .fetch_all(&self.pool)
        .await
        .context("Failed to count restores")
    }
}
