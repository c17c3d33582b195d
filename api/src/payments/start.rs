//! Starting a purchase: the one route that makes plog call Stripe on a reader's behalf.

use std::net::IpAddr;

use plog_shared::api::{PaywallMode, PaywallStatus, PurchaseCreated};
use plog_shared::{Money, PaywallId};

use super::PaymentError;
use super::tally::Tally;
use crate::catalog::{self, RequestedAmount};
use crate::config::PlatformConfig;
use crate::limits::PurchaseLimits;
use crate::offers::cache::OffersCache;
use crate::offers::discounts::{self, Item};
use crate::offers::passes;
use crate::receipts::{ReceiptAsked, receipt_of};
use crate::store::{CreatorId, Discount, NewPurchase, Pass, Paywall, Store};
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

/// What a purchase costs, reckoned by the server alone from what is stored and what the reader
/// chose. Pure: every rule of what a purchase may cost is tested without a database or Stripe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// What the reader is charged.
    pub price: Money,
    /// The price before a code, minor units (recorded with the code's use).
    pub list_amount: i64,
    /// How the purchase is recorded: a pass is bought at its fixed price.
    pub mode: PaywallMode,
}

/// Why the server will not price a purchase as the reader chose it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteRefusal {
    /// The paywall is archived and sells no more.
    #[error("this paywall is archived and no longer sells")]
    Archived,
    /// The pass is archived, or does not open this paywall.
    #[error("the pass {0} is not on sale on this paywall")]
    PassNotOnSale(String),
    /// The reader's amount does not fit the paywall's mode.
    #[error("{0}")]
    InvalidAmount(String),
    /// The code does not lower this price.
    #[error("{0}")]
    Discount(discounts::Refusal),
    /// Its creator cannot sell now (platform mode: suspended, or no Stripe account that takes
    /// card payments). The reader is told no more than that.
    #[error("this article is not for sale right now")]
    NotForSale,
}

/// Where a sale's money goes: the creator's connected account (platform mode), and the
/// operator's fee on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Seller {
    /// The connected account the PaymentIntent is made on; `None`: the plog's own account.
    pub account: Option<String>,
    /// The operator's fee rate.
    pub fee: Option<crate::config::FeeRate>,
}

/// Who sells `paywall`. Standalone: the plog itself, on its own keys. Platform mode: its
/// creator, on their connected account, with the operator's fee — or nobody, while the creator
/// is suspended or their account does not take card payments. The operator's own paywalls
/// (creator 1) sell on the platform's account, without a fee.
pub async fn seller_of(store: &Store, platform: &PlatformConfig, paywall: &Paywall) -> Result<Seller, PaymentError> {
    seller_for(store, platform, paywall.creator).await
}

/// Who sells `creator`'s paywalls, as [`seller_of`] says.
pub async fn seller_for(store: &Store, platform: &PlatformConfig, creator: CreatorId) -> Result<Seller, PaymentError> {
    if !platform.enabled || creator == CreatorId::OWNER {
        return Ok(Seller::default());
    }
    let found = store
        .creator_by_id(creator)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no creator {creator}: a paywall names them"))?;
    if found.why_not_selling().is_some() {
        return Err(QuoteRefusal::NotForSale.into());
    }
    Ok(Seller { account: found.stripe_account, fee: platform.fee })
}

/// The price of a purchase of `paywall` (or of `pass` instead, which must cover it): the
/// paywall's price or, where the reader chooses, the reader's amount as the mode allows it
/// ([`catalog::amount_to_charge`]); a pass's price; lowered by a code as `offers::discounts`
/// reckons. Nothing else the client sends counts.
pub fn quote(
    paywall: &Paywall,
    pass: Option<&Pass>,
    amount: &RequestedAmount,
    discount: Option<&Discount>,
) -> Result<Quote, QuoteRefusal> {
    if paywall.status == PaywallStatus::Archived {
        return Err(QuoteRefusal::Archived);
    }
    if let Some(pass) = pass
        && (pass.status == PaywallStatus::Archived || !pass.covers(paywall))
    {
        return Err(QuoteRefusal::PassNotOnSale(pass.id.to_string()));
    }
    let listed = match pass {
        Some(pass) => pass.price,
        None => catalog::amount_to_charge(paywall, amount).map_err(|e| QuoteRefusal::InvalidAmount(e.0))?,
    };
    let price = match discount {
        None => listed,
        Some(discount) => {
            let item = pass.map_or(Item::Paywall(paywall), Item::Pass);
            let discounted = discounts::price_with(discount, item).map_err(QuoteRefusal::Discount)?;
            // price_with keeps to the currency's limits (its tests say so): out of them, no sale.
            Money::new(discounted, listed.currency())
                .map_err(|_| QuoteRefusal::Discount(discounts::Refusal::NotApplicable))?
        }
    };
    let list_amount = match pass {
        Some(pass) => pass.price.amount(),
        None => paywall.price.amount(),
    };
    let mode = if pass.is_some() { PaywallMode::Fixed } else { paywall.mode };
    Ok(Quote { price, list_amount, mode })
}

/// A reader's request to buy, as the edge read it.
#[derive(Debug, Clone, Copy)]
pub struct PurchaseAsked<'a> {
    /// The paywall.
    pub paywall_id: &'a PaywallId,
    /// The client's address (the card-testing limits count by it).
    pub client: IpAddr,
    /// What the reader chose.
    pub choice: &'a Choice,
    /// A receipt asked for, with the key its address is hashed with.
    pub receipt: Option<(&'a ReceiptAsked, &'a secrecy::SecretString)>,
    /// Now, unix seconds.
    pub now: i64,
}

/// Starts a purchase: the card-testing limits come first (the client's rate before anything is
/// read, so a flood of made-up ids costs nothing); then what is stored is read and priced by
/// [`quote`]; then the effects — the client's weight, the code's use, the PaymentIntent, and the
/// purchase stored after it, so a Stripe failure leaves no purchase behind that could claim to be
/// payable.
#[tracing::instrument(skip_all, fields(paywall_id = %asked.paywall_id))]
pub async fn start_purchase(
    store: &Store,
    stripe: &StripeApi,
    limits: &PurchaseLimits,
    offers: &OffersCache,
    tally: &Tally,
    platform: &PlatformConfig,
    asked: &PurchaseAsked<'_>,
) -> Result<PurchaseCreated, PaymentError> {
    let PurchaseAsked { paywall_id, client, choice, receipt, now } = *asked;
    limits.take_client(store, client).await?;
    let paywall = catalog::find(store, paywall_id).await?;
    if paywall.status == PaywallStatus::Archived {
        return Err(QuoteRefusal::Archived.into());
    }
    let seller = seller_of(store, platform, &paywall).await.inspect_err(|refused| {
        if matches!(refused, PaymentError::Quote(QuoteRefusal::NotForSale)) {
            tracing::info!(paywall_id = %paywall.id, creator = %paywall.creator, "not for sale: its creator cannot sell now");
        }
    })?;
    let pass = match &choice.pass_id {
        Some(id) => Some(passes::find(store, id).await?),
        None => None,
    };
    let discount = match &choice.discount_code {
        Some(code) => {
            Some(discounts::lookup(store, paywall.creator, code, now).await?.map_err(QuoteRefusal::Discount)?)
        }
        None => None,
    };
    // The amount is judged before any limit is spent or Stripe is called.
    let Quote { price, list_amount, mode } = quote(&paywall, pass.as_ref(), &choice.amount, discount.as_ref())?;
    // So is the address for a receipt.
    let receipt = receipt.map(|(asked, key)| receipt_of(asked, key)).transpose()?;
    let client_key = limits.client_key(client);
    limits.weigh_client(store, &client_key, (paywall.id.as_str(), paywall.creator), now).await?;
    // The code's use is taken last, atomically against its cap, and given back if the
    // purchase cannot be started after all.
    if let Some(discount) = &discount {
        let taken = store.take_discount_use(&discount.id, now).await?;
        // Its last use may be gone: readers are no longer offered the code field.
        offers.forget_codes();
        if !taken {
            return Err(QuoteRefusal::Discount(
                discounts::why_not_taken(store, paywall.creator, &discount.code, now).await?,
            )
            .into());
        }
    }
    let give_back = || async {
        if let Some(discount) = &discount {
            if let Err(error) = store.give_back_discount_use(&discount.id).await {
                tracing::error!(error = ?error, discount_id = %discount.id, "could not give back a discount use");
            }
            offers.forget_codes();
        }
    };
    let purchase_id = new_purchase_id();
    let access_token = new_access_token();
    // Integer minor units, rounded down, never leaving the creator below the smallest charge.
    let application_fee =
        seller.fee.map(|rate| rate.fee_on(price.amount(), price.currency().minimum())).filter(|fee| *fee > 0);
    let made = async {
        super::stripe_on(stripe, seller.account.as_deref())?
            .create_payment_intent(NewPaymentIntent {
                amount: price.amount(),
                currency: price.currency().code(),
                purchase_id: purchase_id.as_str(),
                paywall_id: paywall.id.as_str(),
                application_fee,
            })
            .await
    };
    let intent = match made.await {
        Ok(intent) => intent,
        Err(error) => {
            give_back().await;
            return Err(PaymentError::Provider(error));
        }
    };
    let Some(client_secret) = intent.client_secret.clone() else {
        give_back().await;
        return Err(PaymentError::Provider(anyhow::anyhow!("PaymentIntent {} has no client secret", intent.id)));
    };
    let inserted = store
        .insert_purchase(
            &NewPurchase {
                id: purchase_id.clone(),
                paywall_id: paywall.id.clone(),
                payment_intent_id: intent.id.clone(),
                token_hash: token_hash(&access_token),
                price,
                client_key: Some(client_key),
                mode,
                receipt,
                pass: pass.as_ref().map(|p| (p.id.clone(), p.days)),
                discount: discount.as_ref().map(|d| (d.id.clone(), list_amount)),
                stripe_account: seller.account.clone(),
                application_fee: application_fee.unwrap_or(0),
            },
            now,
        )
        .await;
    if let Err(error) = inserted {
        give_back().await;
        return Err(error.into());
    }
    tally.started();
    tracing::info!(purchase_id = %purchase_id, payment_intent_id = %intent.id, "purchase started");
    Ok(PurchaseCreated { purchase_id: purchase_id.to_string(), client_secret, access_token, price: price.into() })
}

#[cfg(test)]
mod tests {
    use plog_shared::api::PassScope;

    use super::*;
    use crate::offers::discounts::fixtures;

    fn paywall(amount: i64, mode: PaywallMode) -> Paywall {
        fixtures::paywall(amount, "jpy", mode)
    }

    fn percent_off(percent: i64) -> Discount {
        fixtures::discount(Some(percent), None, "")
    }

    fn pass(amount: i64, paywalls: &[&str]) -> Pass {
        Pass {
            id: plog_shared::PassId::parse("pass_abcdefghij0123456789").unwrap(),
            title: "All".into(),
            price: Money::parse(amount, "jpy").unwrap(),
            scope: PassScope::Set,
            origin: String::new(),
            paywall_ids: paywalls.iter().map(|p| PaywallId::parse(p).unwrap()).collect(),
            days: Some(30),
            status: PaywallStatus::Active,
            created_at: 0,
            updated_at: 0,
            creator: crate::store::CreatorId::OWNER,
        }
    }

    const ID: &str = "pw_abcdefghij0123456789";

    #[test]
    fn a_fixed_price_is_the_paywalls_whatever_the_reader_asks() {
        let fixed = paywall(300, PaywallMode::Fixed);
        for asked in [RequestedAmount::Absent, RequestedAmount::Whole(1), RequestedAmount::NotWhole] {
            let quoted = quote(&fixed, None, &asked, None).unwrap();
            assert_eq!((quoted.price.amount(), quoted.list_amount, quoted.mode), (300, 300, PaywallMode::Fixed));
        }
    }

    #[test]
    fn a_pass_costs_its_own_price_is_recorded_fixed_and_must_cover_the_paywall() {
        let tip_jar = paywall(100, PaywallMode::Tip);
        let article = paywall(300, PaywallMode::PayWhatYouWant);
        let quoted = quote(&article, Some(&pass(500, &[ID])), &RequestedAmount::Whole(9999), None).unwrap();
        assert_eq!((quoted.price.amount(), quoted.list_amount, quoted.mode), (500, 500, PaywallMode::Fixed));
        assert_eq!(
            quote(&article, Some(&pass(500, &["pw_otherotherother01234"])), &RequestedAmount::Absent, None),
            Err(QuoteRefusal::PassNotOnSale("pass_abcdefghij0123456789".into()))
        );
        assert!(matches!(
            quote(&tip_jar, Some(&pass(500, &[ID])), &RequestedAmount::Absent, None),
            Err(QuoteRefusal::PassNotOnSale(_))
        ));
        let archived = Pass { status: PaywallStatus::Archived, ..pass(500, &[ID]) };
        assert!(matches!(
            quote(&article, Some(&archived), &RequestedAmount::Absent, None),
            Err(QuoteRefusal::PassNotOnSale(_))
        ));
    }

    #[test]
    fn a_code_lowers_a_fixed_price_or_a_pass_but_never_a_chosen_amount() {
        let fixed = paywall(1000, PaywallMode::Fixed);
        let quoted = quote(&fixed, None, &RequestedAmount::Absent, Some(&percent_off(20))).unwrap();
        assert_eq!((quoted.price.amount(), quoted.list_amount), (800, 1000));
        let pwyw = paywall(300, PaywallMode::PayWhatYouWant);
        assert!(matches!(
            quote(&pwyw, None, &RequestedAmount::Whole(500), Some(&percent_off(20))),
            Err(QuoteRefusal::Discount(_))
        ));
        let quoted = quote(&pwyw, Some(&pass(500, &[ID])), &RequestedAmount::Absent, Some(&percent_off(20))).unwrap();
        assert_eq!((quoted.price.amount(), quoted.list_amount), (400, 500));
    }

    #[test]
    fn an_archived_paywall_and_an_amount_out_of_the_mode_are_refused() {
        let archived = Paywall { status: PaywallStatus::Archived, ..paywall(300, PaywallMode::Fixed) };
        assert_eq!(quote(&archived, None, &RequestedAmount::Absent, None), Err(QuoteRefusal::Archived));
        let pwyw = paywall(300, PaywallMode::PayWhatYouWant);
        assert!(matches!(quote(&pwyw, None, &RequestedAmount::Whole(299), None), Err(QuoteRefusal::InvalidAmount(_))));
        assert!(matches!(quote(&pwyw, None, &RequestedAmount::NotWhole, None), Err(QuoteRefusal::InvalidAmount(_))));
        assert_eq!(quote(&pwyw, None, &RequestedAmount::Whole(700), None).unwrap().price.amount(), 700);
    }
}
