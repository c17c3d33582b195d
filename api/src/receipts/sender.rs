//! Delivering the outbox: at once when this process queues mail, and every second anyway (other
//! replicas' mail, retries), claim the mail that is due, write it, send it over
//! SMTP, and record what happened. A mail the server refuses for good (a 5xx: no such user) is
//! marked failed at once; one that could not go (server down, 4xx, a timeout) is tried again
//! after 2, 4, 8 … seconds (at most 15 minutes apart) and given up after [`MAX_ATTEMPTS`]. A
//! sender that dies mid-send leaves its claim to expire, and the mail goes on the next try, so a
//! `kill -9` delays a receipt and never loses it.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use super::templates::{self, Language, Receipt};
use crate::clock::Clock;
use crate::mailer::{Delivery, Mailer, Outgoing};
use crate::metrics::Metrics;
use crate::store::{DueMail, Store};

/// Tries before a mail is given up (about six hours of backoff).
pub const MAX_ATTEMPTS: i64 = 30;
/// How long a claimed mail is this sender's before another may take it.
const CLAIM_SECS: i64 = 120;
/// Mails taken per round.
const BATCH: i64 = 20;
/// How long an unpaid purchase's address is kept, waiting for the payment.
const UNPAID_KEEP_SECS: i64 = 7 * 86_400;
/// How long a restore code stays valid (the restore mail says so).
pub const RESTORE_MINUTES: i64 = 15;

/// Rung when this process queues mail (a purchase paid, a receipt asked for after payment), so
/// the sender goes at once instead of at its next round. Clones ring the same bell.
#[derive(Debug, Clone, Default)]
pub struct MailQueued(Arc<tokio::sync::Notify>);

impl MailQueued {
    /// Wakes the sender (or, if it is busy, makes its next wait end at once).
    pub fn ring(&self) {
        self.0.notify_one();
    }

    /// Until the bell rings.
    async fn rung(&self) {
        self.0.notified().await
    }
}

/// Seconds before try `attempts + 1`: 2, 4, 8, … at most 900.
pub fn backoff(attempts: i64) -> i64 {
    2_i64.saturating_pow(attempts.clamp(1, 20) as u32).min(900)
}

/// What one due mail says, or why it cannot be written.
/// `public_url`: plog's own, where each paywall's article page is (`/r/{id}`): a receipt links
/// there when the reader's page is not one the creator listed.
async fn write(store: &Store, mail: &DueMail, public_url: &str) -> anyhow::Result<Option<templates::Written>> {
    let language = Language::of(&mail.language);
    match mail.kind.as_str() {
        "receipt" => {
            let purchase_id = mail.purchase_id.as_ref().context("a receipt without a purchase")?;
            let Some((purchase, title)) = store.purchase_with_title(purchase_id).await? else { return Ok(None) };
            // The article link, checked against the paywall's sites as they are now.
            let origins = store.paywall(&purchase.paywall_id).await?.map(|p| p.origins).unwrap_or_default();
            // Else the paywall's own article page on plog's host, which plog vouches for.
            let own_page = crate::catalog::page_url(public_url, &purchase.paywall_id);
            let page_url =
                mail.page_url.as_deref().and_then(|page| super::listed_page(page, &origins)).or(Some(&own_page));
            let paid_at = purchase.paid_at.unwrap_or(purchase.updated_at);
            // `2026-12-01T11:26:27Z` → `2026-12-01 11:26 UTC`.
            let date =
                format!("{} UTC", crate::export::utc_time(paid_at).get(..16).unwrap_or_default().replace('T', " "));
            let receipt = Receipt {
                title: &title,
                paid: purchase.price,
                tip: purchase.mode == plog_shared::api::PaywallMode::Tip,
                date: &date,
                page_url,
            };
            Ok(Some(templates::receipt(language, &receipt)))
        }
        "restore" => {
            let (Some(code), Some(restore_id)) = (&mail.code, &mail.restore_id) else {
                return Ok(None);
            };
            let link = mail.page_url.as_ref().map(|page| format!("{page}#plog-restore={restore_id}.{code}"));
            Ok(Some(templates::restore_code(language, code, link.as_deref(), RESTORE_MINUTES)))
        }
        other => anyhow::bail!("unknown mail kind {other:?}"),
    }
}

/// One round: sends every mail due now; returns how many were sent.
pub async fn send_due(
    store: &Store,
    mailer: &Mailer,
    clock: &Clock,
    metrics: &Metrics,
    public_url: &str,
) -> anyhow::Result<usize> {
    let mut sent = 0;
    let now = clock.now();
    for mail in store.claim_due_mail(now, now + CLAIM_SECS, BATCH).await? {
        let Some(recipient) = mail.recipient.clone() else {
            store.mail_failed(&mail.id, "no address to send to").await?;
            continue;
        };
        let Some(written) = write(store, &mail, public_url).await? else {
            store.mail_failed(&mail.id, "nothing to send: the purchase or code is gone").await?;
            continue;
        };
        let outgoing = Outgoing {
            to: recipient,
            subject: written.subject,
            text: written.text,
            html: written.html,
            message_id: format!("<{}@plog>", mail.id),
            language: Language::of(&mail.language).tag().to_owned(),
        };
        match mailer.send(&outgoing).await {
            Delivery::Sent => {
                metrics.mail("sent");
                store.mail_sent(&mail.id, clock.now()).await?;
                tracing::info!(mail_id = %mail.id, kind = %mail.kind, attempts = mail.attempts, "mail sent");
                sent += 1;
            }
            Delivery::Refused(error) => {
                metrics.mail("refused");
                tracing::warn!(mail_id = %mail.id, kind = %mail.kind, %error, "mail refused for good");
                store.mail_failed(&mail.id, &error).await?;
            }
            Delivery::Failed(error) if mail.attempts >= MAX_ATTEMPTS => {
                metrics.mail("failed");
                tracing::warn!(mail_id = %mail.id, kind = %mail.kind, %error, "mail given up");
                store.mail_failed(&mail.id, &format!("gave up after {} tries: {error}", mail.attempts)).await?;
            }
            Delivery::Failed(error) => {
                metrics.mail("failed");
                let next = clock.now() + backoff(mail.attempts);
                tracing::warn!(mail_id = %mail.id, kind = %mail.kind, %error, retry_in_secs = backoff(mail.attempts), "mail not sent; will retry");
                store.mail_retry(&mail.id, &error, next).await?;
            }
        }
    }
    Ok(sent)
}

/// Sends the outbox for ever, a round a second (and, once an hour, forgets week-old addresses
/// of purchases that were never paid and restore requests that ended a day ago).
pub async fn run(
    store: Store,
    mailer: Mailer,
    clock: Clock,
    metrics: Arc<Metrics>,
    queued: MailQueued,
    public_url: String,
) {
    let mut round: u64 = 0;
    loop {
        if let Err(error) = send_due(&store, &mailer, &clock, &metrics, &public_url).await {
            tracing::error!(error = ?error, "mail round failed");
        }
        if round.is_multiple_of(3600) {
            let now = clock.now();
            match store.forget_unpaid_receipts(now, UNPAID_KEEP_SECS).await {
                Ok(0) => {}
                Ok(forgotten) => tracing::info!(forgotten, "forgot addresses of purchases never paid"),
                Err(error) => tracing::error!(error = ?error, "could not forget unpaid receipts"),
            }
            match store.forget_old_restores(now).await {
                Ok(0) => {}
                Ok(forgotten) => tracing::info!(forgotten, "forgot restore requests and mails over a day old"),
                Err(error) => tracing::error!(error = ?error, "could not forget old restore requests"),
            }
        }
        round += 1;
        // The next round: in a second, or as soon as this process queues mail.
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            () = queued.rung() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_at_most_fifteen_minutes() {
        assert_eq!((1..=6).map(backoff).collect::<Vec<_>>(), vec![2, 4, 8, 16, 32, 64]);
        assert_eq!(backoff(10), 900);
        assert_eq!(backoff(MAX_ATTEMPTS), 900);
    }
}
