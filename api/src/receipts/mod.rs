//! Receipts by mail and restoring access on any device, without an account.
//!
//! - A reader may leave an address when paying ([`address`] checks and hashes it). The receipt
//!   waits in the outbox with the purchase and is queued by the transaction that makes it paid
//!   (`store::purchases`), whichever path settles it — webhook, content-route re-read or
//!   reconciliation — and exactly once.
//! - [`sender`] delivers due mail over SMTP (`mailer`) with retries and backoff; once a mail is
//!   sent or refused for good its address is gone: only a keyed hash stays, for restore.
//! - [`restore`]: "Already bought?" mails a six-digit code (and a link carrying it in the URL
//!   fragment) to an address that paid here; the code buys fresh access tokens.
//! - [`templates`]: what the mails say, in English and Japanese, plain text and HTML.

pub mod address;
pub mod restore;
pub mod sender;
pub mod templates;

use crate::error::ApiError;

/// The article's page as a mail links to it: an http(s) URL without its fragment, of the site
/// the request came from (`origin`, when the browser sent one).
pub fn article_page(page_url: &str, origin: Option<&str>) -> Result<String, ApiError> {
    let refuse = || ApiError::Unprocessable("page must be the URL of the page the paywall is on".into());
    let mut url = url::Url::parse(page_url).map_err(|_| refuse())?;
    let same_site = match origin {
        Some(origin) => url.origin().ascii_serialization() == origin,
        None => true,
    };
    if !matches!(url.scheme(), "http" | "https") || !same_site || page_url.len() > 2048 {
        return Err(refuse());
    }
    url.set_fragment(None);
    Ok(url.to_string())
}
