//! The creator's paywalls: validating, creating, changing and archiving them, for the admin API
//! and the CLI alike; and, for each mode, which amounts a reader may pay.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, Instant};

use plog_shared::api::{AdminPaywall, NewPaywall, PaywallMode, PaywallPatch, PaywallStatus, Price};
use plog_shared::money::MAX_AMOUNT;
use plog_shared::{Currency, Money, PaywallId};

use crate::markdown::render_markdown;
use crate::sites::{canonical_origins, origin_list};
use crate::store::{CreatorId, Paywall, Store};
use crate::tokens::new_paywall_id;

/// Most one-tap tip amounts a paywall may offer.
pub const MAX_PRESETS: usize = 6;

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

pub(crate) fn check_title(title: &str) -> Result<String, InvalidPaywall> {
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

pub(crate) fn check_price(price: &Price) -> Result<Money, InvalidPaywall> {
    Money::parse(price.amount, &price.currency).map_err(|e| InvalidPaywall(format!("price: {e}")))
}

/// A tip jar may leave its thank-you out: readers then get a default thank-you in their language
/// (the widget's). Every other mode sells its content, which must be there.
fn check_content(markdown: &str, mode: PaywallMode) -> Result<(), InvalidPaywall> {
    if markdown.trim().is_empty() && mode != PaywallMode::Tip {
        return Err(InvalidPaywall("content_markdown must not be empty (only a tip jar may leave it out)".into()));
    }
    if markdown.len() > MAX_CONTENT_BYTES {
        return Err(InvalidPaywall(format!("content_markdown must be at most {MAX_CONTENT_BYTES} bytes")));
    }
    Ok(())
}

/// The article page's free part: Markdown within the paid part's size limit.
fn check_free(markdown: &str) -> Result<String, InvalidPaywall> {
    if markdown.len() > MAX_CONTENT_BYTES {
        return Err(InvalidPaywall(format!("free_markdown must be at most {MAX_CONTENT_BYTES} bytes")));
    }
    Ok(markdown.to_owned())
}

/// An address the article page names (its preview image, the original post): an absolute
/// http(s) URL of at most 2,048 characters, or nothing.
fn check_link(field: &str, link: Option<&str>) -> Result<Option<String>, InvalidPaywall> {
    let Some(link) = link.map(str::trim).filter(|l| !l.is_empty()) else { return Ok(None) };
    let parsed = url::Url::parse(link).map_err(|e| InvalidPaywall(format!("{field}: {link:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() || link.len() > 2048 {
        return Err(InvalidPaywall(format!("{field} must be an http(s) URL of at most 2048 characters")));
    }
    Ok(Some(parsed.to_string()))
}

fn check_origins(origins: &[String]) -> Result<String, InvalidPaywall> {
    canonical_origins(origins).map_err(InvalidPaywall)
}

/// How a paywall is paid, as the creator asked; [`check_pricing`] validates it.
#[derive(Debug, Clone, Default)]
pub struct Pricing {
    /// The mode.
    pub mode: PaywallMode,
    /// Suggested amount (pay what you want).
    pub suggested: Option<i64>,
    /// The most a reader may pay.
    pub maximum: Option<i64>,
    /// One-tap tip amounts (empty: the currency's defaults).
    pub presets: Vec<i64>,
    /// Show the tip count.
    pub show_count: bool,
}

/// An amount as creators and readers read it in messages (`300 JPY`, `1.50 USD`).
fn major(amount: i64, currency: Currency) -> String {
    plog_shared::money::money_text(amount, currency)
}

/// Tip amounts offered when the creator names none: ¥100 / ¥500 / ¥1,000 in zero-decimal
/// currencies, 1 / 3 / 5 in the others, kept within the paywall's bounds.
fn default_presets(currency: Currency, minimum: i64, maximum: i64) -> Vec<i64> {
    let usual: [i64; 3] = if currency.is_zero_decimal() { [100, 500, 1_000] } else { [100, 300, 500] };
    let within: Vec<i64> = usual.into_iter().filter(|a| (minimum..=maximum).contains(a)).collect();
    if within.is_empty() { vec![minimum] } else { within }
}

/// Validates a pricing against the price (the minimum where the reader chooses) and returns the
/// pricing to store (fields other modes do not use emptied, tip presets sorted or defaulted).
fn check_pricing(pricing: &Pricing, price: Money) -> Result<Pricing, InvalidPaywall> {
    let (minimum, currency) = (price.amount(), price.currency());
    let invalid = |message: String| Err(InvalidPaywall(message));
    if pricing.mode == PaywallMode::Fixed {
        if pricing.suggested.is_some() || pricing.maximum.is_some() || !pricing.presets.is_empty() || pricing.show_count
        {
            return invalid("suggested_amount, max_amount, preset_amounts and show_count are for the pay_what_you_want and tip modes".into());
        }
        return Ok(Pricing::default());
    }
    let maximum = pricing.maximum.unwrap_or(MAX_AMOUNT);
    if !(minimum..=MAX_AMOUNT).contains(&maximum) {
        return invalid(format!(
            "max_amount must be between the minimum ({}) and {}",
            major(minimum, currency),
            major(MAX_AMOUNT, currency)
        ));
    }
    let in_bounds = |amount: i64| (minimum..=maximum).contains(&amount);
    let bounds = || format!("between {} and {}", major(minimum, currency), major(maximum, currency));
    match pricing.mode {
        PaywallMode::PayWhatYouWant => {
            if !pricing.presets.is_empty() || pricing.show_count {
                return invalid("preset_amounts and show_count are for the tip mode".into());
            }
            if let Some(suggested) = pricing.suggested.filter(|s| !in_bounds(*s)) {
                return invalid(format!("suggested_amount {suggested} must be {}", bounds()));
            }
            Ok(Pricing { presets: Vec::new(), show_count: false, ..pricing.clone() })
        }
        PaywallMode::Tip => {
            if pricing.suggested.is_some() {
                return invalid("suggested_amount is for the pay_what_you_want mode; tips offer preset_amounts".into());
            }
            let mut presets = if pricing.presets.is_empty() {
                default_presets(currency, minimum, maximum)
            } else {
                pricing.presets.clone()
            };
            presets.sort_unstable();
            presets.dedup();
            if presets.len() > MAX_PRESETS {
                return invalid(format!("at most {MAX_PRESETS} preset_amounts"));
            }
            if let Some(bad) = presets.iter().find(|a| !in_bounds(**a)) {
                return invalid(format!("preset amount {bad} must be {}", bounds()));
            }
            Ok(Pricing { suggested: None, presets, ..pricing.clone() })
        }
        PaywallMode::Fixed => unreachable!("handled above"),
    }
}

/// Why a reader's amount is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidAmount(pub String);

/// What the reader asked to pay: nothing, a whole number of minor units, or something else.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum RequestedAmount {
    /// No `amount` in the request.
    #[default]
    Absent,
    /// A whole number.
    Whole(i64),
    /// Anything else (a fraction, a string, a number too large for 64 bits…).
    NotWhole,
}

/// The amount a purchase of this paywall charges. Fixed: the price, whatever was asked. Where
/// the reader chooses: the asked amount, if it is a whole number of minor units within the
/// paywall's minimum and maximum (the minimum was checked against Stripe's when saved).
pub fn amount_to_charge(paywall: &Paywall, requested: &RequestedAmount) -> Result<Money, InvalidAmount> {
    let mode = paywall.mode;
    if !mode.reader_chooses() {
        return Ok(paywall.price);
    }
    let currency = paywall.price.currency();
    let (minimum, maximum) = (paywall.price.amount(), paywall.maximum());
    let what = if mode == PaywallMode::Tip { "tip" } else { "amount" };
    match requested {
        RequestedAmount::Absent => Err(InvalidAmount(format!(
            "this paywall lets the reader choose: send {{\"amount\": N}} in minor units (at least {})",
            major(minimum, currency)
        ))),
        RequestedAmount::NotWhole => Err(InvalidAmount(format!(
            "amount must be a whole number of {}'s minor unit (e.g. {} for {})",
            currency.code().to_ascii_uppercase(),
            minimum,
            major(minimum, currency)
        ))),
        RequestedAmount::Whole(amount) if *amount < minimum => {
            Err(InvalidAmount(format!("the {what} must be at least {}", major(minimum, currency))))
        }
        RequestedAmount::Whole(amount) if *amount > maximum => {
            Err(InvalidAmount(format!("the {what} must be at most {}", major(maximum, currency))))
        }
        // Within the paywall's bounds, which were checked against the currency's when saved.
        RequestedAmount::Whole(amount) => Money::new(*amount, currency).map_err(|e| InvalidAmount(e.to_string())),
    }
}

/// The one tag a creator pastes where the paid part begins.
pub fn tag(public_url: &str, id: &PaywallId) -> String {
    format!(r#"<script src="{public_url}/plog.js" data-paywall="{id}" async></script>"#)
}

/// The creator's view of a paywall.
pub fn to_admin(paywall: &Paywall, public_url: &str) -> AdminPaywall {
    AdminPaywall {
        id: paywall.id.to_string(),
        title: paywall.title.clone(),
        teaser: paywall.teaser.clone(),
        price: paywall.price.into(),
        status: paywall.status,
        content_markdown: paywall.content_markdown.clone(),
        content_html: paywall.content_html.clone(),
        tag: tag(public_url, &paywall.id),
        origins: origin_list(&paywall.origins),
        mode: paywall.mode,
        suggested_amount: paywall.suggested_amount,
        max_amount: paywall.max_amount,
        preset_amounts: paywall.preset_amounts.clone(),
        show_count: paywall.show_count,
        free_markdown: paywall.free_markdown.clone(),
        image_url: paywall.image_url.clone(),
        canonical_url: paywall.canonical_url.clone(),
        page_url: page_url(public_url, &paywall.id),
        created_at: paywall.created_at,
        updated_at: paywall.updated_at,
    }
}

/// The paywall's article page on plog's host, the link to share where no tag can go.
pub fn page_url(public_url: &str, id: &PaywallId) -> String {
    format!("{}/r/{id}", public_url.trim_end_matches('/'))
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
pub async fn create(store: &Store, new: &NewPaywall, now: i64) -> Result<Paywall, CatalogError> {
    let title = check_title(&new.title)?;
    let teaser = check_teaser(new.teaser.as_deref())?;
    let money = check_price(&new.price)?;
    check_content(&new.content_markdown, new.mode)?;
    let origins = check_origins(&new.origins)?;
    let free_markdown = check_free(&new.free_markdown)?;
    let image_url = check_link("image_url", new.image_url.as_deref())?;
    let canonical_url = check_link("canonical_url", new.canonical_url.as_deref())?;
    let pricing = Pricing {
        mode: new.mode,
        suggested: new.suggested_amount,
        maximum: new.max_amount,
        presets: new.preset_amounts.clone(),
        show_count: new.show_count,
    };
    let Pricing { suggested: suggested_amount, maximum: max_amount, presets: preset_amounts, show_count, .. } =
        check_pricing(&pricing, money)?;
    let paywall = Paywall {
        id: new_paywall_id(),
        // The store handle is the creator's: the row is theirs whatever this says.
        creator: store.creator().unwrap_or(CreatorId::OWNER),
        title,
        teaser,
        price: money,
        content_markdown: new.content_markdown.clone(),
        content_html: render_markdown(&new.content_markdown),
        status: PaywallStatus::Active,
        created_at: now,
        updated_at: now,
        origins,
        mode: new.mode,
        suggested_amount,
        max_amount,
        preset_amounts,
        show_count,
        free_html: render_markdown(&free_markdown),
        free_markdown,
        image_url,
        canonical_url,
    };
    store.insert_paywall(&paywall).await?;
    Ok(paywall)
}

/// Applies changes: the paywall with the patch applied is validated as a whole (as if it were
/// new), and nothing is written if any field is invalid.
pub async fn update(
    store: &Store,
    origins: &OriginsCache,
    id: &PaywallId,
    patch: &PaywallPatch,
    now: i64,
) -> Result<Paywall, CatalogError> {
    let mut paywall = find(store, id).await?;
    if let Some(title) = &patch.title {
        paywall.title = check_title(title)?;
    }
    if let Some(teaser) = &patch.teaser {
        paywall.teaser = check_teaser(Some(teaser))?;
    }
    if let Some(price) = &patch.price {
        paywall.price = check_price(price)?;
    }
    if let Some(markdown) = &patch.content_markdown {
        paywall.content_html = render_markdown(markdown);
        paywall.content_markdown = markdown.clone();
    }
    if let Some(origins) = &patch.origins {
        paywall.origins = check_origins(origins)?;
    }
    if let Some(free) = &patch.free_markdown {
        paywall.free_markdown = check_free(free)?;
        paywall.free_html = render_markdown(free);
    }
    if let Some(image) = &patch.image_url {
        paywall.image_url = check_link("image_url", Some(image))?;
    }
    if let Some(canonical) = &patch.canonical_url {
        paywall.canonical_url = check_link("canonical_url", Some(canonical))?;
    }
    let mode = patch.mode.unwrap_or(paywall.mode);
    // A change of mode starts its settings afresh; otherwise absent fields keep their values.
    let keep = mode == paywall.mode;
    let pricing = Pricing {
        mode,
        suggested: patch.suggested_amount.or(if keep { paywall.suggested_amount } else { None }),
        maximum: patch.max_amount.or(if keep { paywall.max_amount } else { None }),
        presets: patch
            .preset_amounts
            .clone()
            .unwrap_or_else(|| if keep { paywall.preset_amounts.clone() } else { Vec::new() }),
        show_count: patch.show_count.unwrap_or(keep && paywall.show_count),
    };
    let Pricing { suggested: suggested_amount, maximum: max_amount, presets: preset_amounts, show_count, .. } =
        check_pricing(&pricing, paywall.price)?;
    check_content(&paywall.content_markdown, mode)?;
    paywall.mode = mode;
    (paywall.suggested_amount, paywall.max_amount, paywall.preset_amounts, paywall.show_count) =
        (suggested_amount, max_amount, preset_amounts, show_count);
    let saved = store.save_paywall(&paywall, now).await;
    origins.forget(id);
    saved?.ok_or(CatalogError::NotFound)
}

/// Archives a paywall: it sells no more, and earlier buyers keep access.
pub async fn archive(store: &Store, id: &PaywallId, now: i64) -> Result<Paywall, CatalogError> {
    store.archive_paywall(id, now).await?.ok_or(CatalogError::NotFound)
}

/// One paywall: the one lookup every route, page and command uses.
pub async fn find(store: &Store, id: &PaywallId) -> Result<Paywall, CatalogError> {
    store.paywall(id).await?.ok_or(CatalogError::NotFound)
}

/// A paywall id typed by a person or found in a URL; anything else is "no such paywall".
pub fn parse_id(text: &str) -> Result<PaywallId, CatalogError> {
    PaywallId::parse(text.trim()).map_err(|_| CatalogError::NotFound)
}

/// How long a paywall's origin list is believed without reading it again.
pub const ORIGINS_TTL: Duration = Duration::from_secs(5);

/// The origin lists of paywalls read in the last [`ORIGINS_TTL`], shared by the server's clones
/// of it. The origin guard would otherwise add a query to every public request a browser makes
/// (they all carry `Origin`), and lists change rarely. A change made through [`update`] is seen
/// at once; one made by another replica or the CLI within [`ORIGINS_TTL`].
#[derive(Debug, Default, Clone)]
pub struct OriginsCache(Arc<RwLock<HashMap<PaywallId, (String, Instant)>>>);

impl OriginsCache {
    /// Most paywalls kept; beyond, the cache starts over (a blog has far fewer).
    const MOST: usize = 10_000;

    /// The sites a paywall sells on (space-separated origins, `""` for any), or `None` if there
    /// is no such paywall.
    pub async fn sites_of(&self, store: &Store, id: &PaywallId) -> anyhow::Result<Option<String>> {
        let kept = self.0.read().unwrap_or_else(PoisonError::into_inner).get(id).cloned();
        if let Some((origins, _)) = kept.filter(|(_, read)| read.elapsed() < ORIGINS_TTL) {
            return Ok(Some(origins));
        }
        let origins = store.paywall_origins(id).await?;
        // Only paywalls that exist are kept: made-up ids cannot grow the cache.
        if let Some(origins) = &origins {
            let mut map = self.0.write().unwrap_or_else(PoisonError::into_inner);
            if map.len() >= Self::MOST {
                map.clear();
            }
            map.insert(id.clone(), (origins.clone(), Instant::now()));
        }
        Ok(origins)
    }

    /// Forgets a paywall's list (it was saved).
    pub fn forget(&self, id: &PaywallId) {
        self.0.write().unwrap_or_else(PoisonError::into_inner).remove(id);
    }
}
