//! Unlocking the paid part with an access token (a purchase's, a pass's or a gift link's), and
//! settling a purchase whose webhook is late or lost by re-reading its PaymentIntent from Stripe
//! — only as often as the caller's `may_ask` allows (the content route: once every few seconds
//! per recent purchase, within a rate per address), so repeated requests cannot spend Stripe's
//! read limit.

use plog_shared::PaywallId;
use plog_shared::api::{PaidContent, PurchaseStatus};

use super::PaymentError;
use super::stripe_updates;
use super::tally::Tally;
use crate::catalog;
use crate::store::{DAY_SECS, Grant, Purchase, Store, TokenContent, UpdateOutcome};
use crate::stripe::StripeApi;
use crate::tokens::{looks_like_token, token_hash};

const NO_PURCHASE: &str = "no paid purchase of this paywall goes with this token";
const NOT_PAID_YET: &str = "the payment for this purchase has not succeeded (yet)";
const REFUNDED: &str = "this purchase was refunded and no longer unlocks the content";
const DISPUTED: &str = "this payment is disputed and no longer unlocks the content";
const CANCELED: &str = "this purchase was canceled before it was paid";
const GIFT_REVOKED: &str = "this gift link was withdrawn by its creator";

/// Why a token does not open a paywall. The widget keeps a token that may open later or on
/// another paywall ([`Refusal::NotNow`], 402 `payment_required`) and forgets one that never
/// will ([`Refusal::Ended`], 402 `access_ended`): a reader whose purchase is still pending (a
/// second tab, a late webhook) must not lose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not paid yet, unknown, or not for this paywall.
    #[error("{0}")]
    NotNow(&'static str),
    /// Refunded, canceled, disputed or revoked: for good.
    #[error("{0}")]
    Ended(&'static str),
}

/// What settling an unsettled purchase the content route found takes: Stripe to ask, whether
/// this purchase may be asked about now (`limits::addresses`), and the tally told of a move.
pub struct Settling<'a, F: Fn(&Purchase) -> bool> {
    /// Stripe.
    pub stripe: &'a StripeApi,
    /// Counts the move and wakes the mail sender.
    pub tally: &'a Tally,
    /// Whether Stripe may be asked about this purchase now.
    pub may_ask: F,
}

/// The paid content, if the token belongs to a paid purchase of this paywall, a pass that covers
/// it and has not ended, or an unrevoked gift link of it. The paid path is one query (status
/// and content by the token's hash: the lookup by hash is the check, so nothing compares the
/// hash again); an unsettled purchase is read whole to settle it, a pass on another paywall
/// reads the pass and that paywall, and telling 404 from 402 costs another query only when the
/// token does not unlock.
#[tracing::instrument(skip_all, fields(paywall_id = %paywall_id))]
pub async fn paid_content(
    store: &Store,
    settling: Settling<'_, impl Fn(&Purchase) -> bool>,
    paywall_id: &PaywallId,
    token: Option<&str>,
    now: i64,
) -> Result<PaidContent, PaymentError> {
    let refusal = match token.filter(|t| looks_like_token(t)) {
        None => Refusal::NotNow(NO_PURCHASE),
        Some(token) => {
            let hash = token_hash(token);
            match store.content_by_token(&hash).await? {
                Some(found) => match unlocks(store, &settling, paywall_id, &hash, found, now).await? {
                    Ok(html) => return Ok(PaidContent { html }),
                    Err(refusal) => refusal,
                },
                None => Refusal::NotNow(NO_PURCHASE),
            }
        }
    };
    catalog::find(store, paywall_id).await?;
    Err(refusal.into())
}

/// Whether what a token was given for opens this paywall: its HTML, or why not.
async fn unlocks(
    store: &Store,
    settling: &Settling<'_, impl Fn(&Purchase) -> bool>,
    paywall_id: &PaywallId,
    hash: &str,
    found: TokenContent,
    now: i64,
) -> Result<Result<String, Refusal>, PaymentError> {
    let here = found.paywall_id == *paywall_id;
    let mut html = found.html;
    match &found.grant {
        Grant::Gift { .. } | Grant::Purchase if !here => return Ok(Err(Refusal::NotNow(NO_PURCHASE))),
        Grant::Gift { revoked: true } => return Ok(Err(Refusal::Ended(GIFT_REVOKED))),
        Grant::Gift { revoked: false } => return Ok(Ok(html)),
        Grant::Pass { pass_id, .. } if !here => {
            let Some(paywall) = store.paywall(paywall_id).await? else { return Ok(Err(Refusal::NotNow(NO_PURCHASE))) };
            match store.pass(pass_id).await? {
                Some(pass) if pass.covers(&paywall) => html = paywall.content_html,
                _ => return Ok(Err(Refusal::NotNow(NO_PURCHASE))),
            }
        }
        Grant::Purchase | Grant::Pass { .. } => {}
    }
    let status = match found.status {
        // Unsettled: Stripe may know better (a late or lost webhook). A canceled intent can
        // never succeed: no need to ask.
        PurchaseStatus::Pending | PurchaseStatus::Failed => match store.purchase_by_token(hash).await? {
            Some(purchase) if (settling.may_ask)(&purchase) => {
                settle_from_stripe(store, settling.stripe, settling.tally, &purchase, now).await
            }
            Some(purchase) => purchase.status,
            None => found.status,
        },
        settled => settled,
    };
    Ok(match status {
        PurchaseStatus::Paid => {
            if let Grant::Pass { days: Some(days), paid_at, .. } = found.grant {
                // Just settled: paid now, as far as the pass's length goes.
                let ends = paid_at.unwrap_or(now) + days * DAY_SECS;
                if now >= ends {
                    return Err(PaymentError::PassExpired);
                }
            }
            Ok(html)
        }
        PurchaseStatus::Refunded => Err(Refusal::Ended(REFUNDED)),
        PurchaseStatus::Disputed => Err(Refusal::Ended(DISPUTED)),
        PurchaseStatus::Canceled => Err(Refusal::Ended(CANCELED)),
        PurchaseStatus::Pending | PurchaseStatus::Failed => Err(Refusal::NotNow(NOT_PAID_YET)),
    })
}

/// Re-reads an unsettled purchase's PaymentIntent and applies what Stripe says, under the same
/// state table and conditional updates as the webhook. Returns the purchase's status
/// afterwards; if Stripe cannot be asked, the stored status stands (the reader simply tries
/// again).
pub async fn settle_from_stripe(
    store: &Store,
    stripe: &StripeApi,
    tally: &Tally,
    purchase: &Purchase,
    now: i64,
) -> PurchaseStatus {
    let account = purchase.stripe_account.as_deref();
    let intent =
        match async { super::stripe_on(stripe, account)?.payment_intent(&purchase.payment_intent_id).await }.await {
            Ok(intent) => intent,
            Err(error) => {
                tracing::warn!(error = ?error, purchase_id = %purchase.id, "could not re-read the PaymentIntent");
                return purchase.status;
            }
        };
    let Some(update) = stripe_updates::from_intent(&intent) else { return purchase.status };
    let outcome = store.apply_update(&update, account, now).await;
    if let Ok(outcome) = outcome {
        tally.applied(&update, outcome);
    }
    match outcome {
        Ok(UpdateOutcome::Changed(status)) => {
            tracing::info!(purchase_id = %purchase.id, status = status.as_str(), "purchase settled from the PaymentIntent");
            status
        }
        Ok(UpdateOutcome::Unchanged(status)) => status,
        Ok(UpdateOutcome::AmountMismatch) => {
            tracing::error!(purchase_id = %purchase.id, payment_intent_id = %intent.id, amount = intent.amount,
                currency = %intent.currency, "PaymentIntent amount or currency differs from the purchase: not honoured");
            purchase.status
        }
        Ok(UpdateOutcome::UnknownIntent) => purchase.status,
        Err(error) => {
            tracing::error!(error = ?error, purchase_id = %purchase.id, "could not settle a purchase");
            purchase.status
        }
    }
}
