//! Starting a purchase: the one route that makes plog call Stripe on a reader's behalf.

use std::net::IpAddr;

use plog_shared::PaywallId;
use plog_shared::api::{PaywallStatus, PurchaseCreated};

use crate::catalog::{self, RequestedAmount};
use crate::error::ApiError;
use crate::limits::PurchaseLimits;
use crate::offers::discounts::{self, Item};
use crate::offers::passes;
use crate::receipts::{ReceiptAsked, receipt_of};
use crate::store::{Discount, NewPurchase, Store, now};
use crate::stripe::StripeApi;
use crate::stripe::client::NewPaymentIntent;
use crate::tokens::{new_access_token, new_purchase_id, token_hash};

/// What the reader chose: an amount (where the reader chooses), a pass instead of the article,
/// a discount code.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    /// The amount asked, as the request carried it.
    pub amount: RequestedAmount,
    /// Buy this pass (one that covers the paywall) instead of the article.
    pub pass_id: Option<String>,
    /// A discount code as typed.
    pub discount_code: Option<String>,
}

/// Starts a purchase: the currency comes from the stored paywall, the amount from its price or,
/// where the reader chooses, from the request as the paywall's mode allows it
/// ([`catalog::amount_to_charge`]); a pass the paywall offers costs the pass's price; a discount
/// code lowers a fixed price as `offers::discounts` reckons. Nothing else the client sends
/// counts. The card-testing limits come first (the client's rate before anything is read, so a
/// flood of made-up ids costs nothing), then the PaymentIntent is created and the purchase
/// stored after it, so a Stripe failure leaves no purchase behind that could claim to be payable.
#[tracing::instrument(skip_all, fields(paywall_id = %paywall_id))]
pub async fn start_purchase(
    store: &Store,
    stripe: &StripeApi,
    limits: &PurchaseLimits,
    paywall_id: &PaywallId,
    client: IpAddr,
    choice: &Choice,
    receipt: Option<(&ReceiptAsked, &secrecy::SecretString)>,
) -> Result<PurchaseCreated, ApiError> {
    limits.take_client(store, client).await?;
    let paywall = catalog::find(store, paywall_id).await?;
    if paywall.status == PaywallStatus::Archived {
        return Err(ApiError::Gone);
    }
    // The amount is judged before any limit is spent or Stripe is called.
    let pass = match &choice.pass_id {
        Some(id) => {
            let pass = passes::find(store, id).await?;
            if pass.status == PaywallStatus::Archived || !pass.covers(&paywall) {
                return Err(ApiError::Unprocessable(format!("the pass {} is not on sale on this paywall", pass.id)));
            }
            Some(pass)
        }
        None => None,
    };
    let mut price = match &pass {
        Some(pass) => pass.price,
        None => catalog::amount_to_charge(&paywall, &choice.amount).map_err(|e| ApiError::InvalidAmount(e.0))?,
    };
    let discount: Option<Discount> = match &choice.discount_code {
        Some(code) => {
            let discount = discounts::lookup(store, code).await?.map_err(ApiError::Discount)?;
            let item = pass.as_ref().map_or(Item::Paywall(&paywall), Item::Pass);
            price.amount = discounts::price_with(&discount, item).map_err(ApiError::Discount)?;
            Some(discount)
        }
        None => None,
    };
    // So is the address for a receipt.
    let receipt = receipt.map(|(asked, key)| receipt_of(asked, key)).transpose()?;
    let client_key = limits.client_key(client);
    limits.weigh_client(store, &client_key, paywall.id.as_str()).await?;
    // The code's use is taken last, atomically against its cap, and given back if the
    // purchase cannot be started after all.
    if let Some(discount) = &discount
        && !store.take_discount_use(&discount.id, now()).await?
    {
        return Err(ApiError::Discount(discounts::why_not_taken(store, &discount.code).await?));
    }
    let give_back = || async {
        if let Some(discount) = &discount
            && let Err(error) = store.give_back_discount_use(&discount.id).await
        {
            tracing::error!(error = ?error, discount_id = %discount.id, "could not give back a discount use");
        }
    };
    let purchase_id = new_purchase_id();
    let access_token = new_access_token();
    let intent = match stripe
        .create_payment_intent(NewPaymentIntent {
            amount: price.amount,
            currency: price.currency.code(),
            purchase_id: purchase_id.as_str(),
            paywall_id: paywall.id.as_str(),
        })
        .await
    {
        Ok(intent) => intent,
        Err(error) => {
            give_back().await;
            return Err(ApiError::PaymentProvider(error));
        }
    };
    let Some(client_secret) = intent.client_secret.clone() else {
        give_back().await;
        return Err(ApiError::PaymentProvider(anyhow::anyhow!("PaymentIntent {} has no client secret", intent.id)));
    };
    let list_amount = match &pass {
        Some(pass) => pass.price.amount,
        None => paywall.price.amount,
    };
    let inserted = store
        .insert_purchase(&NewPurchase {
            id: purchase_id.clone(),
            paywall_id: paywall.id.clone(),
            payment_intent_id: intent.id.clone(),
            token_hash: token_hash(&access_token),
            price,
            client_key: Some(client_key),
            mode: if pass.is_some() { plog_shared::api::PaywallMode::Fixed } else { paywall.mode },
            receipt,
            pass: pass.as_ref().map(|p| (p.id.clone(), p.days)),
            discount: discount.as_ref().map(|d| (d.id.clone(), list_amount)),
        })
        .await;
    if let Err(error) = inserted {
        give_back().await;
        return Err(error.into());
    }
    tracing::info!(purchase_id = %purchase_id, payment_intent_id = %intent.id, "purchase started");
    Ok(PurchaseCreated { purchase_id: purchase_id.to_string(), client_secret, access_token })
}
