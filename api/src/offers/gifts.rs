//! Gift links: the creator makes a link that opens one paywall for whoever holds it, with an
//! expiry, a most number of opens, and revocable at once. The link carries an unguessable code
//! in its fragment (`#plog-gift=CODE`, never sent to any server by the browser); plog keeps
//! only its SHA-256. Opening it gives that browser an access token, which unlocks the paywall
//! as a purchase's would, until the link is revoked.

use plog_shared::api::{AdminGift, GiftCreated, GiftOpened, NewGift};
use plog_shared::{ErrorCode, GiftId, PaywallId};

use super::{MAX_LABEL_CHARS, OfferError};
use crate::catalog;
use crate::store::{Gift, GiftOpen, NewGiftLink, Store};
use crate::tokens::{looks_like_token, new_access_token, new_id, token_hash};

/// Most opens a link may allow.
pub const MAX_OPENS: i64 = 100_000;

/// Why a gift link opens nothing (each with its API code; the widget words them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No link of this paywall has this code.
    #[error("this gift link is not known here")]
    Unknown,
    /// Revoked by the creator.
    #[error("this gift link was withdrawn")]
    Revoked,
    /// Past its expiry.
    #[error("this gift link has expired")]
    Expired,
    /// Opened as many times as it allows.
    #[error("this gift link has been opened as many times as it allows")]
    UsedUp,
}

impl Refusal {
    /// The error code the API answers with.
    pub fn code(self) -> ErrorCode {
        match self {
            Refusal::Unknown => ErrorCode::GiftUnknown,
            Refusal::Revoked => ErrorCode::GiftRevoked,
            Refusal::Expired => ErrorCode::GiftExpired,
            Refusal::UsedUp => ErrorCode::GiftUsedUp,
        }
    }
}

/// Makes a gift link for a paywall; the code is in the answer only.
pub async fn create(store: &Store, paywall_id: &str, new: &NewGift, now: i64) -> Result<GiftCreated, OfferError> {
    // A store failure stays one (500), not "no such paywall".
    let no_paywall = |error| match error {
        catalog::CatalogError::Store(error) => OfferError::Store(error),
        _ => OfferError::NotFound("no such paywall"),
    };
    let id = catalog::parse_id(paywall_id).map_err(no_paywall)?;
    let paywall = catalog::find(store, &id).await.map_err(no_paywall)?;
    let label = new.label.as_deref().unwrap_or("").trim().to_owned();
    if label.chars().count() > MAX_LABEL_CHARS {
        return Err(OfferError::Invalid(format!("label must be at most {MAX_LABEL_CHARS} characters")));
    }
    if new.max_opens.is_some_and(|m| !(1..=MAX_OPENS).contains(&m)) {
        return Err(OfferError::Invalid(format!("max_opens must be between 1 and {MAX_OPENS}")));
    }
    if new.expires_at.is_some_and(|at| at <= now) {
        return Err(OfferError::Invalid("expires_at must be in the future".into()));
    }
    let code = new_access_token();
    let link = NewGiftLink {
        id: new_id(),
        paywall_id: paywall.id.clone(),
        code_hash: token_hash(&code),
        label,
        max_opens: new.max_opens,
        expires_at: new.expires_at,
    };
    store.insert_gift(&link, now).await?;
    let gift = store.gift(&link.id).await?.ok_or(OfferError::NotFound("no such gift link"))?;
    Ok(GiftCreated { gift: to_admin(&gift), fragment: format!("#plog-gift={code}"), code })
}

/// Opens a link on its paywall: the paid part and a token for this browser's next visits.
pub async fn open(
    store: &Store,
    paywall_id: &PaywallId,
    code: &str,
    now: i64,
) -> anyhow::Result<Result<GiftOpened, Refusal>> {
    let code = code.trim();
    if !looks_like_token(code) {
        return Ok(Err(Refusal::Unknown));
    }
    let access_token = new_access_token();
    Ok(match store.open_gift(paywall_id, &token_hash(code), &token_hash(&access_token), now).await? {
        GiftOpen::Opened(html) => Ok(GiftOpened { access_token, html }),
        GiftOpen::Unknown => Err(Refusal::Unknown),
        GiftOpen::Revoked => Err(Refusal::Revoked),
        GiftOpen::Expired => Err(Refusal::Expired),
        GiftOpen::UsedUp => Err(Refusal::UsedUp),
    })
}

/// Revokes a link at once.
pub async fn revoke(store: &Store, id: &str, now: i64) -> Result<AdminGift, OfferError> {
    let Ok(id) = GiftId::parse(id.trim()) else { return Err(OfferError::NotFound("no such gift link")) };
    if !store.revoke_gift(&id, now).await? {
        return Err(OfferError::NotFound("no such gift link"));
    }
    store.gift(&id).await?.map(|g| to_admin(&g)).ok_or(OfferError::NotFound("no such gift link"))
}

/// Gift links, newest first (of one paywall if given).
pub async fn list(store: &Store, paywall_id: Option<&str>) -> Result<Vec<AdminGift>, OfferError> {
    let paywall_id = match paywall_id.map(|id| PaywallId::parse(id.trim())) {
        // No paywall has that id, so none of its links either.
        Some(Err(_)) => return Ok(Vec::new()),
        Some(Ok(id)) => Some(id),
        None => None,
    };
    Ok(store.gifts(paywall_id.as_ref()).await?.iter().map(to_admin).collect())
}

/// The creator's view of a link.
pub fn to_admin(gift: &Gift) -> AdminGift {
    AdminGift {
        id: gift.id.to_string(),
        paywall_id: gift.paywall_id.to_string(),
        label: gift.label.clone(),
        max_opens: gift.max_opens,
        opens: gift.opens,
        expires_at: gift.expires_at,
        revoked_at: gift.revoked_at,
        paid_after: gift.paid_after,
        created_at: gift.created_at,
    }
}
