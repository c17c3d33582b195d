//! Starting a purchase: the one route that makes plog call Stripe on a reader's behalf.

use std::net::IpAddr;

use plog_shared::PaywallId;
use plog_shared::api::{PaywallStatus, PurchaseCreated};

use crate::catalog::{self, RequestedAmount};
use crate::error::ApiError;
use crate::limits::PurchaseLimits;
use crate::receipts::{ReceiptAsked, receipt_of};
use crate::store::{NewPurchase, Store};
use crate::stripe::StripeApi;
use crate::stripe::client::NewPaymentIntent;
use crate::tokens::{new_access_token, new_purchase_id, token_hash};

/// Starts a purchase: the currency comes from the stored paywall, the amount from its price or,
/// where the reader chooses, from the request as the paywall's mode allows it
/// ([`catalog::amount_to_charge`]); nothing else the client sends counts. The card-testing
/// limits come first (the client's rate before anything is read, so a flood of
/// made-up ids costs nothing), then the PaymentIntent is created and the purchase stored after
/// it, so a Stripe failure leaves no purchase behind that could claim to be payable.
#[tracing::instrument(skip_all, fields(paywall_id = %paywall_id))]
pub async fn start_purchase(
    store: &Store,
    stripe: &StripeApi,
    limits: &PurchaseLimits,
    paywall_id: &PaywallId,
    client: IpAddr,
    requested: &RequestedAmount,
    receipt: Option<(&ReceiptAsked, &secrecy::SecretString)>,
) -> Result<PurchaseCreated, ApiError> {
    limits.take_client(store, client).await?;
    let paywall = catalog::find(store, paywall_id).await?;
    if paywall.status == PaywallStatus::Archived {
        return Err(ApiError::Gone);
    }
    // The amount is judged before any limit is spent or Stripe is called.
    let price = catalog::amount_to_charge(&paywall, requested).map_err(|e| ApiError::InvalidAmount(e.0))?;
    // So is the address for a receipt.
    let receipt = receipt.map(|(asked, key)| receipt_of(asked, key)).transpose()?;
    limits.take_paywall(store, paywall.id.as_str()).await?;
    let client_key = limits.client_key(client);
    limits.check_unpaid(store, &client_key).await?;
    let purchase_id = new_purchase_id();
    let access_token = new_access_token();
    let intent = stripe
        .create_payment_intent(NewPaymentIntent {
            amount: price.amount,
            currency: price.currency.code(),
            purchase_id: purchase_id.as_str(),
            paywall_id: paywall.id.as_str(),
        })
        .await
        .map_err(ApiError::PaymentProvider)?;
    let client_secret = intent.client_secret.clone().ok_or_else(|| {
        ApiError::PaymentProvider(anyhow::anyhow!("PaymentIntent {} has no client secret", intent.id))
    })?;
    store
        .insert_purchase(&NewPurchase {
            id: purchase_id.clone(),
            paywall_id: paywall.id.clone(),
            payment_intent_id: intent.id.clone(),
            token_hash: token_hash(&access_token),
            price,
            client_key: Some(client_key),
            mode: paywall.mode,
            receipt,
        })
        .await?;
    tracing::info!(purchase_id = %purchase_id, payment_intent_id = %intent.id, "purchase started");
    Ok(PurchaseCreated { purchase_id: purchase_id.to_string(), client_secret, access_token })
}
