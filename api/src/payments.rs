//! Purchases: starting one (a PaymentIntent priced by the server), unlocking content with an
//! access token, and settling a purchase whose webhook is late or lost by re-reading its
//! PaymentIntent from Stripe.

use std::net::IpAddr;

use plog_shared::PaywallId;
use plog_shared::api::{PaidContent, PaywallStatus, PurchaseCreated, PurchaseStatus};

use crate::catalog::{self, RequestedAmount};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::store::{NewPurchase, Paywall, Purchase, UpdateOutcome};
use crate::stripe::client::NewPaymentIntent;
use crate::tokens::{constant_time_eq, looks_like_token, new_access_token, new_purchase_id, token_hash};

const NO_PURCHASE: &str = "no paid purchase of this paywall goes with this token";
const NOT_PAID_YET: &str = "the payment for this purchase has not succeeded (yet)";
const REFUNDED: &str = "this purchase was refunded and no longer unlocks the content";
const DISPUTED: &str = "this payment is disputed and no longer unlocks the content";
const CANCELED: &str = "this purchase was canceled before it was paid";

/// Finds a paywall by the id in a URL; anything that is not one of ours is 404.
pub async fn paywall(ctx: &AppContext, id: &str) -> Result<Paywall, ApiError> {
    let id = PaywallId::parse(id).map_err(|_| ApiError::NotFound("no such paywall"))?;
    ctx.store.paywall(id.as_str()).await?.ok_or(ApiError::NotFound("no such paywall"))
}

/// Starts a purchase: the currency comes from the stored paywall, the amount from its price or,
/// where the reader chooses, from the request as the paywall's mode allows it
/// ([`catalog::amount_to_charge`]); nothing else the client sends counts. The card-testing
/// limits come first (the client's rate before anything is read, so a flood of
/// made-up ids costs nothing), then the PaymentIntent is created and the purchase stored after
/// it, so a Stripe failure leaves no purchase behind that could claim to be payable.
#[tracing::instrument(skip_all, fields(paywall_id = paywall_id))]
pub async fn start_purchase(
    ctx: &AppContext,
    paywall_id: &str,
    client: IpAddr,
    requested: &RequestedAmount,
) -> Result<PurchaseCreated, ApiError> {
    ctx.guard.check_client(client)?;
    let paywall = paywall(ctx, paywall_id).await?;
    if paywall.status() == PaywallStatus::Archived {
        return Err(ApiError::Gone);
    }
    // The amount is judged before any limit is spent or Stripe is called.
    let amount = catalog::amount_to_charge(&paywall, requested).map_err(|e| ApiError::InvalidAmount(e.0))?;
    ctx.guard.check_paywall(&paywall.id)?;
    let client_key = ctx.guard.client_key(client);
    ctx.guard.check_unpaid(&ctx.store, &client_key).await?;
    let price = plog_shared::Money::new(amount, paywall.money()?.currency)
        .map_err(|e| ApiError::InvalidAmount(e.to_string()))?;
    let purchase_id = new_purchase_id();
    let access_token = new_access_token();
    let intent = ctx
        .stripe
        .create_payment_intent(NewPaymentIntent {
            amount: price.amount,
            currency: price.currency.code(),
            purchase_id: purchase_id.as_str(),
            paywall_id: &paywall.id,
        })
        .await
        .map_err(ApiError::PaymentProvider)?;
    let client_secret = intent.client_secret.clone().ok_or_else(|| {
        ApiError::PaymentProvider(anyhow::anyhow!("PaymentIntent {} has no client secret", intent.id))
    })?;
    ctx.store
        .insert_purchase(&NewPurchase {
            id: purchase_id.to_string(),
            paywall_id: paywall.id.clone(),
            payment_intent_id: intent.id.clone(),
            token_hash: token_hash(&access_token),
            amount: price.amount,
            currency: price.currency.code().to_owned(),
            client_key: Some(client_key),
            mode: paywall.mode.clone(),
        })
        .await?;
    tracing::info!(purchase_id = %purchase_id, payment_intent_id = %intent.id, "purchase started");
    Ok(PurchaseCreated { purchase_id: purchase_id.to_string(), client_secret, access_token })
}

/// The paid content, if the token belongs to a paid purchase of this paywall. The paid path is
/// one query (purchase and content by the token's hash); telling 404 from 402 costs a second
/// one only when the token does not unlock.
#[tracing::instrument(skip_all, fields(paywall_id = paywall_id))]
pub async fn paid_content(ctx: &AppContext, paywall_id: &str, token: Option<&str>) -> Result<PaidContent, ApiError> {
    let id = PaywallId::parse(paywall_id).map_err(|_| ApiError::NotFound("no such paywall"))?;
    let refusal = match token.filter(|t| looks_like_token(t)) {
        None => NO_PURCHASE,
        Some(token) => {
            let hash = token_hash(token);
            match ctx.store.purchase_with_content(&hash).await? {
                Some((purchase, html))
                    if constant_time_eq(&purchase.token_hash, &hash) && purchase.paywall_id == id.as_str() =>
                {
                    let status = match purchase.status() {
                        // Unsettled: Stripe may know better (a late or lost webhook). A canceled
                        // intent can never succeed: no need to ask.
                        PurchaseStatus::Pending | PurchaseStatus::Failed => settle_from_stripe(ctx, &purchase).await,
                        settled => settled,
                    };
                    match status {
                        PurchaseStatus::Paid => return Ok(PaidContent { html }),
                        PurchaseStatus::Refunded => REFUNDED,
                        PurchaseStatus::Disputed => DISPUTED,
                        PurchaseStatus::Canceled => CANCELED,
                        PurchaseStatus::Pending | PurchaseStatus::Failed => NOT_PAID_YET,
                    }
                }
                _ => NO_PURCHASE,
            }
        }
    };
    paywall(ctx, id.as_str()).await?;
    Err(ApiError::PaymentRequired(refusal))
}

/// Re-reads an unsettled purchase's PaymentIntent and applies what Stripe says, under the same
/// rules and conditional updates as the webhook. Returns the purchase's status afterwards; if
/// Stripe cannot be asked, the stored status stands (the reader simply tries again).
pub async fn settle_from_stripe(ctx: &AppContext, purchase: &Purchase) -> PurchaseStatus {
    let intent = match ctx.stripe.payment_intent(&purchase.payment_intent_id).await {
        Ok(intent) => intent,
        Err(error) => {
            tracing::warn!(error = ?error, purchase_id = %purchase.id, "could not re-read the PaymentIntent");
            return purchase.status();
        }
    };
    let Some(update) = intent.to_update() else { return purchase.status() };
    match ctx.store.apply_update(&update).await {
        Ok(UpdateOutcome::Changed(status)) => {
            tracing::info!(purchase_id = %purchase.id, status = status.as_str(), "purchase settled from the PaymentIntent");
            status
        }
        Ok(UpdateOutcome::Unchanged(status)) => status,
        Ok(UpdateOutcome::AmountMismatch) => {
            tracing::error!(purchase_id = %purchase.id, payment_intent_id = %intent.id, amount = intent.amount,
                currency = %intent.currency, "PaymentIntent amount or currency differs from the purchase: not honoured");
            purchase.status()
        }
        Ok(UpdateOutcome::UnknownIntent) => purchase.status(),
        Err(error) => {
            tracing::error!(error = ?error, purchase_id = %purchase.id, "could not settle a purchase");
            purchase.status()
        }
    }
}
