//! Passes: a price for every paywall of a site, or a named set, for N days from payment or for
//! good. A pass is bought on any paywall it covers (one PaymentIntent, priced by the server);
//! its token then opens every covered paywall until the pass ends (`payments::unlock`).

use plog_shared::api::{AdminPass, NewPass, PassOffer, PassPatch, PassScope, PaywallStatus};
use plog_shared::{PassId, PaywallId};

use super::cache::OffersCache;
use super::{MAX_PASS_DAYS, OfferError};
use crate::catalog::{check_price, check_title};
use crate::store::{CreatorId, Pass, Paywall, Store};
use crate::tokens::new_id;

fn check_days(days: Option<i64>) -> Result<Option<i64>, OfferError> {
    match days {
        Some(d) if !(1..=MAX_PASS_DAYS).contains(&d) => Err(OfferError::Invalid(format!(
            "days must be between 1 and {MAX_PASS_DAYS} (leave it out for a pass for good)"
        ))),
        other => Ok(other),
    }
}

fn check_origin(origin: Option<&str>) -> Result<String, OfferError> {
    match origin.map(str::trim) {
        None | Some("") => Ok(String::new()),
        Some(origin) => crate::sites::canonical_origin(origin).map_err(|e| OfferError::Invalid(format!("origin: {e}"))),
    }
}

/// The set's paywall ids, each an existing paywall, without duplicates.
async fn check_set(store: &Store, ids: &[String]) -> Result<Vec<PaywallId>, OfferError> {
    let mut set: Vec<PaywallId> = Vec::new();
    for id in ids {
        let parsed = PaywallId::parse(id.trim())
            .map_err(|_| OfferError::Invalid(format!("paywall_ids: {id:?} is not a paywall id")))?;
        if store.paywall(&parsed).await?.is_none() {
            return Err(OfferError::Invalid(format!("paywall_ids: there is no paywall {parsed}")));
        }
        if !set.contains(&parsed) {
            set.push(parsed);
        }
    }
    Ok(set)
}

/// Validates the scope's fields as a whole.
async fn check_scope(
    store: &Store,
    scope: PassScope,
    origin: Option<&str>,
    ids: &[String],
) -> Result<(String, Vec<PaywallId>), OfferError> {
    match scope {
        PassScope::Site if !ids.is_empty() => {
            Err(OfferError::Invalid("paywall_ids are for scope \"set\"; a site pass covers the site's paywalls".into()))
        }
        PassScope::Site => Ok((check_origin(origin)?, Vec::new())),
        PassScope::Set if origin.is_some_and(|o| !o.trim().is_empty()) => {
            Err(OfferError::Invalid("origin is for scope \"site\"; a set pass names its paywalls".into()))
        }
        PassScope::Set if ids.is_empty() => Err(OfferError::Invalid("a set pass needs paywall_ids".into())),
        PassScope::Set => Ok((String::new(), check_set(store, ids).await?)),
    }
}

/// Validates and stores a new pass.
pub async fn create(store: &Store, offers: &OffersCache, new: &NewPass, now: i64) -> Result<Pass, OfferError> {
    let title = check_title(&new.title)?;
    let price = check_price(&new.price)?;
    let days = check_days(new.days)?;
    let (origin, paywall_ids) = check_scope(store, new.scope, new.origin.as_deref(), &new.paywall_ids).await?;
    let pass = Pass {
        id: new_id(),
        title,
        price,
        scope: new.scope,
        origin,
        paywall_ids,
        days,
        status: PaywallStatus::Active,
        created_at: now,
        updated_at: now,
        // The store handle is the creator's: the row is theirs whatever this says.
        creator: store.creator().unwrap_or(CreatorId::OWNER),
    };
    store.save_pass(&pass).await?;
    offers.forget_passes();
    Ok(pass)
}

/// One pass.
pub async fn find(store: &Store, id: &str) -> Result<Pass, OfferError> {
    let Ok(id) = PassId::parse(id.trim()) else { return Err(OfferError::NotFound("no such pass")) };
    store.pass(&id).await?.ok_or(OfferError::NotFound("no such pass"))
}

/// Applies changes, validated as a whole; a refused change changes nothing. Passes bought keep
/// the length they were bought with.
pub async fn update(
    store: &Store,
    offers: &OffersCache,
    id: &str,
    patch: &PassPatch,
    now: i64,
) -> Result<Pass, OfferError> {
    let mut pass = find(store, id).await?;
    if let Some(title) = &patch.title {
        pass.title = check_title(title)?;
    }
    if let Some(price) = &patch.price {
        pass.price = check_price(price)?;
    }
    if let Some(days) = patch.days {
        pass.days = if days == 0 { None } else { check_days(Some(days))? };
    }
    let origin = patch.origin.as_deref().or(Some(pass.origin.as_str()));
    let ids = patch.paywall_ids.clone().unwrap_or_else(|| pass.paywall_ids.iter().map(PaywallId::to_string).collect());
    (pass.origin, pass.paywall_ids) = check_scope(store, pass.scope, origin, &ids).await?;
    pass.updated_at = now;
    store.save_pass(&pass).await?;
    offers.forget_passes();
    Ok(pass)
}

/// Archives a pass: it sells no more; holders keep it until it ends.
pub async fn archive(store: &Store, offers: &OffersCache, id: &str, now: i64) -> Result<Pass, OfferError> {
    let mut pass = find(store, id).await?;
    pass.status = PaywallStatus::Archived;
    pass.updated_at = now;
    store.save_pass(&pass).await?;
    offers.forget_passes();
    Ok(pass)
}

/// The creator's view of a pass.
pub fn to_admin(pass: &Pass, sold: i64) -> AdminPass {
    AdminPass {
        id: pass.id.to_string(),
        title: pass.title.clone(),
        price: pass.price.into(),
        scope: pass.scope,
        origin: (!pass.origin.is_empty()).then(|| pass.origin.clone()),
        paywall_ids: pass.paywall_ids.iter().map(PaywallId::to_string).collect(),
        days: pass.days,
        status: pass.status,
        sold,
        created_at: pass.created_at,
    }
}

/// Every pass as the creator sees it, with how many were sold.
pub async fn list(store: &Store) -> Result<Vec<AdminPass>, OfferError> {
    let sold = store.passes_sold().await?;
    Ok(store.passes().await?.iter().map(|p| to_admin(p, sold.get(&p.id).copied().unwrap_or(0))).collect())
}

/// The passes on sale that cover a paywall, as its readers are offered them (cheapest first);
/// read through the short-lived cache of the passes on sale ([`OffersCache`]).
pub async fn offers_for(store: &Store, offers: &OffersCache, paywall: &Paywall) -> anyhow::Result<Vec<PassOffer>> {
    let on_sale = offers.passes_on_sale(store).await?;
    let mut passes: Vec<&Pass> = on_sale.iter().filter(|p| p.covers(paywall)).collect();
    passes.sort_by_key(|p| p.price.amount());
    Ok(passes
        .into_iter()
        .map(|p| PassOffer { id: p.id.to_string(), title: p.title.clone(), price: p.price.into(), days: p.days })
        .collect())
}

/// A line for people: "All articles, 500 JPY for 30 days".
pub fn describe(pass: &Pass) -> String {
    match pass.days {
        Some(days) => format!("{}, {} for {days} days", pass.title, pass.price),
        None => format!("{}, {} for good", pass.title, pass.price),
    }
}
