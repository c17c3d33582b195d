//! The creator's paywalls: validating, creating, changing and archiving them, for the admin API
//! and the CLI alike.

use plog_shared::api::{AdminPaywall, NewPaywall, PaywallPatch, Price};
use plog_shared::{Money, PaywallId};

use crate::content::render_markdown;
use crate::sites::{canonical_origins, origin_list};
use crate::store::{Paywall, PaywallChanges, Store, now};
use crate::tokens::new_paywall_id;

/// Longest title accepted, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest teaser accepted, in characters.
pub const MAX_TEASER_CHARS: usize = 2_000;
/// Largest paid content accepted, in bytes of Markdown.
pub const MAX_CONTENT_BYTES: usize = 512 * 1024;

/// Why a paywall's fields are refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidPaywall(pub String);

fn check_title(title: &str) -> Result<String, InvalidPaywall> {
    let title = title.trim();
    if title.is_empty() {
        return Err(InvalidPaywall("title must not be empty".into()));
    }
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(InvalidPaywall(format!("title must be at most {MAX_TITLE_CHARS} characters")));
    }
    Ok(title.to_owned())
}

fn check_teaser(teaser: Option<&str>) -> Result<Option<String>, InvalidPaywall> {
    match teaser.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) if t.chars().count() > MAX_TEASER_CHARS => {
            Err(InvalidPaywall(format!("teaser must be at most {MAX_TEASER_CHARS} characters")))
        }
        Some(t) => Ok(Some(t.to_owned())),
    }
}

fn check_price(price: &Price) -> Result<Money, InvalidPaywall> {
    Money::parse(price.amount, &price.currency).map_err(|e| InvalidPaywall(format!("price: {e}")))
}

fn check_content(markdown: &str) -> Result<(), InvalidPaywall> {
    if markdown.trim().is_empty() {
        return Err(InvalidPaywall("content_markdown must not be empty".into()));
    }
    if markdown.len() > MAX_CONTENT_BYTES {
        return Err(InvalidPaywall(format!("content_markdown must be at most {MAX_CONTENT_BYTES} bytes")));
    }
    Ok(())
}

fn check_origins(origins: &[String]) -> Result<String, InvalidPaywall> {
    canonical_origins(origins).map_err(InvalidPaywall)
}

/// The one tag a creator pastes where the paid part begins.
pub fn tag(public_url: &str, id: &str) -> String {
    format!(r#"<script src="{public_url}/plog.js" data-paywall="{id}" async></script>"#)
}

/// The creator's view of a paywall.
pub fn to_admin(paywall: &Paywall, public_url: &str) -> AdminPaywall {
    AdminPaywall {
        id: paywall.id.clone(),
        title: paywall.title.clone(),
        teaser: paywall.teaser.clone(),
        price: paywall.price(),
        status: paywall.status(),
        content_markdown: paywall.content_markdown.clone(),
        content_html: paywall.content_html.clone(),
        tag: tag(public_url, &paywall.id),
        origins: origin_list(&paywall.origins),
        created_at: paywall.created_at,
        updated_at: paywall.updated_at,
    }
}

/// Errors of catalog operations.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// The input is invalid; nothing was written.
    #[error(transparent)]
    Invalid(#[from] InvalidPaywall),
    /// No such paywall.
    #[error("no such paywall")]
    NotFound,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// Validates and stores a new paywall.
pub async fn create(store: &Store, new: &NewPaywall) -> Result<Paywall, CatalogError> {
    let title = check_title(&new.title)?;
    let teaser = check_teaser(new.teaser.as_deref())?;
    let money = check_price(&new.price)?;
    check_content(&new.content_markdown)?;
    let origins = check_origins(&new.origins)?;
    let now = now();
    let paywall = Paywall {
        id: new_paywall_id().to_string(),
        title,
        teaser,
        price_amount: money.amount,
        currency: money.currency.code().to_owned(),
        content_markdown: new.content_markdown.clone(),
        content_html: render_markdown(&new.content_markdown),
        status: "active".into(),
        created_at: now,
        updated_at: now,
        origins,
    };
    store.insert_paywall(&paywall).await?;
    Ok(paywall)
}

/// Validates and applies changes; nothing is written if any field is invalid.
pub async fn update(store: &Store, id: &str, patch: &PaywallPatch) -> Result<Paywall, CatalogError> {
    let id = PaywallId::parse(id).map_err(|_| CatalogError::NotFound)?;
    let changes = PaywallChanges {
        title: patch.title.as_deref().map(check_title).transpose()?,
        teaser: patch.teaser.as_deref().map(|t| check_teaser(Some(t))).transpose()?,
        price: patch
            .price
            .as_ref()
            .map(|p| check_price(p).map(|m| (m.amount, m.currency.code().to_owned())))
            .transpose()?,
        content: match &patch.content_markdown {
            Some(markdown) => {
                check_content(markdown)?;
                Some((markdown.clone(), render_markdown(markdown)))
            }
            None => None,
        },
        origins: patch.origins.as_deref().map(check_origins).transpose()?,
    };
    store.update_paywall(id.as_str(), &changes).await?.ok_or(CatalogError::NotFound)
}

/// Archives a paywall: it sells no more, and earlier buyers keep access.
pub async fn archive(store: &Store, id: &str) -> Result<Paywall, CatalogError> {
    let id = PaywallId::parse(id).map_err(|_| CatalogError::NotFound)?;
    store.archive_paywall(id.as_str()).await?.ok_or(CatalogError::NotFound)
}

/// One paywall by id text.
pub async fn find(store: &Store, id: &str) -> Result<Paywall, CatalogError> {
    let id = PaywallId::parse(id).map_err(|_| CatalogError::NotFound)?;
    store.paywall(id.as_str()).await?.ok_or(CatalogError::NotFound)
}
