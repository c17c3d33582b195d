//! Receipts by mail and restoring access on any device, without an account.
//!
//! - A reader may leave an address when paying ([`address`] checks and hashes it). The receipt
//!   waits in the outbox with the purchase and is queued by the transaction that makes it paid
//!   (`store::purchases`), whichever path settles it — webhook, content-route re-read or
//!   reconciliation — and exactly once.
//! - [`sender`] delivers due mail over SMTP (`mailer`) with retries and backoff; once a mail is
//!   sent or refused for good its address is gone: only a keyed hash stays, for restore.
//! - [`restore`]: "Already bought?" mails a six-digit code to an address that paid here (and a
//!   link carrying it in the URL fragment, only to a site the creator listed); the code buys
//!   fresh access tokens.
//!
//! No link in a mail is built from a request: a receipt links the article's page recorded at
//! purchase (checked then to be on the site the purchase came from), and a restore mail links
//! (with its code) only to such a page of one of the purchases it restores — each only when that
//! site is one the creator listed for the paywall ([`listed_page`]), checked when the mail is
//! written. A paywall without a site list sells anywhere, so its mails carry no link.
//! - [`templates`]: what the mails say, in English and Japanese, plain text and HTML.

pub mod address;
pub mod restore;
pub mod sender;
pub mod templates;

use plog_shared::PaywallId;

use crate::catalog::CatalogError;
use crate::limits::Limited;
use crate::store::{NewReceipt, Store};
use crate::tokens::{looks_like_token, new_id, token_hash};

/// Why a receipt or a restore was not done (each mapped to its HTTP answer at the edge).
#[derive(Debug, thiserror::Error)]
pub enum ReceiptError {
    /// The address cannot be mailed to.
    #[error("{0}")]
    InvalidEmail(String),
    /// The page named is not an http(s) page of the requesting site.
    #[error("page must be the URL of the page the paywall is on")]
    BadPage,
    /// No purchase of this paywall goes with the token.
    #[error("no purchase of this paywall goes with this token")]
    NoPurchase,
    /// A restore code is wrong, expired, used or out of tries (one answer for all).
    #[error("the code is wrong, expired or used up: ask for a new one")]
    InvalidCode,
    /// Too many requests or codes.
    #[error(transparent)]
    Limited(#[from] Limited),
    /// No such paywall (or the catalog failed).
    #[error(transparent)]
    Paywall(#[from] CatalogError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

/// The article's page as a mail links to it: an http(s) URL without its fragment, of the site
/// the request came from (`origin`, when the browser sent one).
pub fn article_page(page_url: &str, origin: Option<&str>) -> Result<String, ReceiptError> {
    let mut url = url::Url::parse(page_url).map_err(|_| ReceiptError::BadPage)?;
    let same_site = match origin {
        Some(origin) => url.origin().ascii_serialization() == origin,
        None => true,
    };
    if !matches!(url.scheme(), "http" | "https") || !same_site || page_url.len() > 2048 {
        return Err(ReceiptError::BadPage);
    }
    url.set_fragment(None);
    Ok(url.to_string())
}

/// The page a mail may link to: `page_url` only when the paywall lists sites (`origins`, stored
/// form) and the page is on one of them. A page on any other site, or of a paywall that sells
/// anywhere, is request input nobody vouched for: a hostile page could name itself and have plog
/// mail its link (with a restore code in it) to a buyer.
pub fn listed_page<'a>(page_url: &'a str, origins: &str) -> Option<&'a str> {
    let origin = url::Url::parse(page_url).ok()?.origin().ascii_serialization();
    crate::sites::listed(origins, &origin).then_some(page_url)
}

/// A reader's request for a receipt, as the widget sends it with the purchase.
#[derive(Debug, Clone)]
pub struct ReceiptAsked {
    /// The address typed.
    pub email: String,
    /// The article's page.
    pub page_url: Option<String>,
    /// The widget's language.
    pub language: String,
    /// The requesting page's `Origin`, if sent.
    pub origin: Option<String>,
}

/// The receipt to store: the address checked, its keyed hash, the page checked.
pub fn receipt_of(asked: &ReceiptAsked, key: &secrecy::SecretString) -> Result<NewReceipt, ReceiptError> {
    let email = address::normalize(&asked.email).map_err(|e| ReceiptError::InvalidEmail(e.0.into()))?;
    let page_url = asked.page_url.as_deref().map(|page| article_page(page, asked.origin.as_deref())).transpose()?;
    Ok(NewReceipt {
        id: new_id(),
        email_hash: address::hash(key, &email),
        email,
        language: templates::Language::of(&asked.language).tag().to_owned(),
        page_url,
    })
}

/// Asks for a receipt of the purchase an access token proves (the widget sends the address when
/// the reader presses Pay, after the purchase was created at Buy).
pub async fn ask_receipt(
    store: &Store,
    queued: &sender::MailQueued,
    key: &secrecy::SecretString,
    paywall_id: &PaywallId,
    token: Option<&str>,
    asked: &ReceiptAsked,
    now: i64,
) -> Result<(), ReceiptError> {
    let receipt = receipt_of(asked, key)?;
    let Some(token) = token.filter(|t| looks_like_token(t)) else {
        return Err(ReceiptError::NoPurchase);
    };
    if store.attach_receipt(&token_hash(token), paywall_id, &receipt, now).await? {
        // Queued at once if the purchase is paid already.
        queued.ring();
        Ok(())
    } else {
        crate::catalog::find(store, paywall_id).await?;
        Err(ReceiptError::NoPurchase)
    }
}
