//! Restoring access on another device, without an account: the reader types the address they
//! paid with; if it paid here for paywalls this site shows, a six-digit code is mailed (with a
//! link carrying the code in its fragment, which no server sees, only to a site the creator
//! listed). The widget exchanges the code with
//! a POST for fresh access tokens. The answer to a request is the same for every address —
//! body, status and work (one transaction) — so nobody learns who bought what.

use std::net::IpAddr;

use plog_shared::RestoreId;
use plog_shared::api::{RestoreStarted, RestoredAccess, RestoredToken};
use secrecy::SecretString;

use super::ReceiptError;
use super::address;
use super::sender::RESTORE_MINUTES;
use super::templates::Language;
use crate::config::HashKeys;
use crate::limits::RestoreLimits;
use crate::sites;
use crate::store::{NewRestore, NewRestoreMail, Redeemed, Store};
use crate::tokens::{keyed_hash, new_id, new_restore_code};

/// Wrong codes a request survives.
pub const TRIES: i64 = 5;

/// plog's own site: its origin counts as one of every paywall's sites (the article pages,
/// `/r/{id}`), and a restore asked from an article page links back to it.
#[derive(Debug, Clone, Copy)]
pub struct OwnSite<'a> {
    /// The public URL's origin, as browsers send it in `Origin`.
    pub origin: Option<&'a str>,
    /// The public URL (the article pages are under it).
    pub public_url: &'a str,
}

impl OwnSite<'_> {
    /// Whether a paywall with these sites (stored form) sells to a page of `origin`.
    fn sells(&self, origins: &str, origin: &str) -> bool {
        sites::sells(origins, origin, self.origin)
    }

    /// `page` if it is one of plog's article pages (`PUBLIC_URL/r/{id}`), without its query
    /// and fragment: a page plog vouches for, that a mail may link to.
    fn article_page(&self, page: &str) -> Option<String> {
        let mut url = url::Url::parse(page).ok()?;
        url.set_query(None);
        url.set_fragment(None);
        let id = plog_shared::PaywallId::parse(url.path().rsplit('/').next()?).ok()?;
        let article_page = crate::catalog::page_url(self.public_url, &id);
        (url.as_str() == article_page).then_some(article_page)
    }
}

/// A reader's request for a code.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    /// The address typed.
    pub email: &'a str,
    /// The page the reader is on; same site as the request. Checked, and never linked to: a
    /// mail links only to a page recorded with a receipt at purchase.
    pub page_url: &'a str,
    /// The widget's language.
    pub language: &'a str,
}

fn code_hash(key: &SecretString, restore_id: &RestoreId, code: &str) -> String {
    use secrecy::ExposeSecret;
    keyed_hash(key.expose_secret(), "plog restore v1", &format!("{restore_id}:{code}"))
}

/// Asks for a code. `origin` is the requesting page's (`Origin`): only paywalls that sell there
/// are restored.
///
/// An address hashed under a previous key (`PLOG_PREVIOUS_HASH_KEYS`, or the webhook secret an
/// install used before `PLOG_HASH_KEY`) is found too, and its purchases are hashed again under
/// the current key, so the key can be rotated without ending restore for past buyers.
#[allow(clippy::too_many_arguments)]
pub async fn start(
    store: &Store,
    keys: &HashKeys,
    limits: &RestoreLimits,
    client: IpAddr,
    origin: &str,
    own: OwnSite<'_>,
    request: &Request<'_>,
    now: i64,
) -> Result<RestoreStarted, ReceiptError> {
    let email = address::normalize(request.email).map_err(|e| ReceiptError::InvalidEmail(e.0.into()))?;
    super::article_page(request.page_url, Some(origin))?;
    let key = &keys.current;
    let email_hash = address::hash(key, &email);
    limits.check(client, &email_hash)?;
    for previous in keys.previous.iter().map(|k| address::hash(k, &email)).filter(|h| *h != email_hash) {
        store.rekey_email_hash(&previous, &email_hash).await?;
    }
    let restorable = store.restorable(&email_hash).await?;
    let any = restorable.iter().any(|r| own.sells(&r.origins, origin));
    // The link carries the code: never to a page this request names, only to an article's
    // page recorded with a receipt at purchase, on the site the request comes from, which the
    // creator listed for that paywall — or, asked from one of plog's own article pages, back to
    // that page, which plog serves itself. Otherwise the mail carries the code alone.
    let link_page = restorable
        .iter()
        .filter_map(|r| super::listed_page(r.page_url.as_deref()?, &r.origins))
        .find(|page| url::Url::parse(page).is_ok_and(|u| u.origin().ascii_serialization() == origin))
        .map(str::to_owned)
        .or_else(|| (own.origin == Some(origin)).then(|| own.article_page(request.page_url)).flatten());
    let restore_id: RestoreId = new_id();
    let code = new_restore_code();
    let restore = NewRestore {
        id: restore_id.clone(),
        email_hash,
        code_hash: code_hash(key, &restore_id, &code),
        origin: origin.to_owned(),
        tries: TRIES,
        expires_at: now + RESTORE_MINUTES * 60,
    };
    let mail = any.then(|| NewRestoreMail {
        id: new_id(),
        email,
        code,
        language: Language::of(request.language).tag().to_owned(),
        page_url: link_page,
    });
    store.open_restore(&restore, mail.as_ref(), now).await?;
    tracing::info!(restore_id = %restore_id, "restore requested");
    Ok(RestoreStarted { restore_id: restore_id.to_string(), expires_in: RESTORE_MINUTES * 60 })
}

/// Exchanges a code for fresh access tokens.
pub async fn redeem(
    store: &Store,
    keys: &HashKeys,
    own: OwnSite<'_>,
    restore_id: &str,
    code: &str,
    now: i64,
) -> Result<RestoredAccess, ReceiptError> {
    let code = code.trim();
    let well_formed = code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit());
    let (true, Ok(restore_id)) = (well_formed, RestoreId::parse(restore_id)) else {
        return Err(ReceiptError::InvalidCode);
    };
    // A made-up, spent or expired request is refused by a read: only a live one takes the
    // writer (a flood of made-up ids would otherwise hold up every webhook on SQLite).
    if !store.restore_open(&restore_id, now).await? {
        return Err(ReceiptError::InvalidCode);
    }
    // The request may have been made under a key rotated since (codes live 15 minutes).
    let hashes: Vec<String> = keys.all().into_iter().map(|key| code_hash(key, &restore_id, code)).collect();
    let redeemed =
        store.redeem_restore(&restore_id, &hashes, now, |origins, origin| own.sells(origins, origin)).await?;
    match redeemed {
        Redeemed::Tokens(tokens) => {
            tracing::info!(%restore_id, paywalls = tokens.len(), "access restored");
            Ok(RestoredAccess {
                tokens: tokens
                    .into_iter()
                    .map(|(paywall_id, access_token, pass_id)| RestoredToken {
                        paywall_id: paywall_id.to_string(),
                        access_token,
                        pass_id: pass_id.map(String::from),
                    })
                    .collect(),
            })
        }
        Redeemed::Refused => Err(ReceiptError::InvalidCode),
    }
}
