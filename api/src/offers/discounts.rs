//! Discount codes: percent or amount off, for every paywall and pass or for named ones, within
//! dates and a number of uses. The server alone prices: a code never takes an amount below the
//! currency's Stripe minimum, and never applies where the reader chooses the amount (tips, pay
//! what you want). Codes are case-insensitive (stored upper case).

use plog_shared::ErrorCode;
use plog_shared::api::{AdminDiscount, DiscountStatus, NewDiscount, PaywallMode, PaywallStatus, Price};
use plog_shared::{Currency, DiscountId, Money};

use super::OfferError;
use super::cache::OffersCache;
use crate::store::{CreatorId, Discount, Pass, Paywall, Store, Target, Targets};
use crate::tokens::new_id;

/// How long a purchase started with a code holds the code's use unpaid; then it is given back
/// (`Store::release_stale_discounts`), as it is at once when the purchase is canceled. A use
/// is the reader's for good when the purchase is paid.
pub const HOLD_SECS: i64 = 30 * 60;

/// Shortest and longest codes accepted.
pub const CODE_CHARS: std::ops::RangeInclusive<usize> = 3..=40;

/// Why a reader's code does not lower a price; each has its code in the API's answers, which
/// the widget words in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// No such code (or a disabled one).
    #[error("there is no such code")]
    Unknown,
    /// Before its start or after its end.
    #[error("this code is not valid now")]
    Expired,
    /// Every use is taken.
    #[error("this code has been used up")]
    UsedUp,
    /// Not for this paywall or pass, or for an amount the reader chooses.
    #[error("this code does not apply here")]
    NotApplicable,
}

impl Refusal {
    /// The error code the API answers with.
    pub fn code(self) -> ErrorCode {
        match self {
            Refusal::Unknown => ErrorCode::DiscountUnknown,
            Refusal::Expired => ErrorCode::DiscountExpired,
            Refusal::UsedUp => ErrorCode::DiscountUsedUp,
            Refusal::NotApplicable => ErrorCode::DiscountNotApplicable,
        }
    }
}

/// A code as typed, in its stored spelling: trimmed, upper case; `None` if it could not be one.
pub fn normalize(code: &str) -> Option<String> {
    let code = code.trim().to_ascii_uppercase();
    let shaped = CODE_CHARS.contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    shaped.then_some(code)
}

/// What a code is used on: a paywall (at its price) or a pass.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// An article.
    Paywall(&'a Paywall),
    /// A pass.
    Pass(&'a Pass),
}

impl Item<'_> {
    fn id(&self) -> &str {
        match self {
            Item::Paywall(p) => p.id.as_str(),
            Item::Pass(p) => p.id.as_str(),
        }
    }

    fn price(&self) -> Money {
        match self {
            Item::Paywall(p) => p.price,
            Item::Pass(p) => p.price,
        }
    }
}

/// The price of `item` with `discount`, or why it does not apply. Dates, state and uses are
/// the caller's to check ([`usable`]); this is the arithmetic and the scope.
pub fn price_with(discount: &Discount, item: Item<'_>) -> Result<i64, Refusal> {
    if let Item::Paywall(paywall) = item
        && paywall.mode != PaywallMode::Fixed
    {
        return Err(Refusal::NotApplicable);
    }
    if !discount.applies_to.covers(item.id()) {
        return Err(Refusal::NotApplicable);
    }
    let price = item.price();
    let lowered = match (discount.percent_off, discount.amount_off) {
        // Rounded down in the reader's favour: 15 % off ¥333 is ¥283 (333 − 49.95 → 50 off).
        (Some(percent), _) => price.amount() - (price.amount() * percent + 50) / 100,
        (None, Some(off)) if discount.currency == Some(price.currency()) => price.amount() - off,
        (None, Some(_)) => return Err(Refusal::NotApplicable),
        (None, None) => price.amount(),
    };
    Ok(lowered.max(price.currency().minimum()).min(price.amount()))
}

/// Whether a code can be used at `now`, uses aside of the cap check done atomically later.
pub fn usable(discount: &Discount, now: i64) -> Result<(), Refusal> {
    if discount.status != DiscountStatus::Active {
        return Err(Refusal::Unknown);
    }
    if discount.starts_at.is_some_and(|at| now < at) || discount.ends_at.is_some_and(|at| now >= at) {
        return Err(Refusal::Expired);
    }
    if discount.max_uses.is_some_and(|max| discount.uses >= max) {
        return Err(Refusal::UsedUp);
    }
    Ok(())
}

/// The stored code a reader typed on a paywall of `creator`, if that creator has it and it can
/// be used now: one creator's code never prices another's article.
pub async fn lookup(
    store: &Store,
    creator: CreatorId,
    typed: &str,
    now: i64,
) -> anyhow::Result<Result<Discount, Refusal>> {
    let Some(code) = normalize(typed) else { return Ok(Err(Refusal::Unknown)) };
    let Some(discount) = store.for_creator(creator).discount_by_code(&code).await? else {
        return Ok(Err(Refusal::Unknown));
    };
    Ok(usable(&discount, now).map(|()| discount))
}

/// After a use could not be taken: why (the code changed since it was read).
pub async fn why_not_taken(store: &Store, creator: CreatorId, id_code: &str, now: i64) -> anyhow::Result<Refusal> {
    Ok(match store.for_creator(creator).discount_by_code(id_code).await? {
        Some(discount) => usable(&discount, now).err().unwrap_or(Refusal::UsedUp),
        None => Refusal::Unknown,
    })
}

/// The paywalls and passes a new code lists, each of which must exist.
async fn check_targets(store: &Store, ids: &[String]) -> Result<Targets, OfferError> {
    let mut targets = Vec::new();
    for id in ids.iter().map(|id| id.trim()) {
        let missing = || OfferError::Invalid(format!("applies_to: there is no paywall or pass {id:?}"));
        let target = Target::parse(id).ok_or_else(missing)?;
        let exists = match &target {
            Target::Pass(pass) => store.pass(pass).await?.is_some(),
            Target::Paywall(paywall) => store.paywall(paywall).await?.is_some(),
        };
        if !exists {
            return Err(missing());
        }
        targets.push(target);
    }
    Ok(Targets::of(targets))
}

/// Validates and stores a new code.
pub async fn create(store: &Store, offers: &OffersCache, new: &NewDiscount, now: i64) -> Result<Discount, OfferError> {
    let invalid = |m: String| Err(OfferError::Invalid(m));
    let Some(code) = normalize(&new.code) else {
        return invalid(format!("code must be {} to {} letters, digits, - or _", CODE_CHARS.start(), CODE_CHARS.end()));
    };
    let (percent_off, amount_off, currency) = match (new.percent_off, &new.amount_off) {
        (Some(_), Some(_)) | (None, None) => return invalid("give either percent_off or amount_off".into()),
        (Some(p), None) if !(1..=99).contains(&p) => return invalid("percent_off must be between 1 and 99".into()),
        (Some(p), None) => (Some(p), None, None),
        (None, Some(Price { amount, currency })) => {
            let currency = Currency::parse(currency).map_err(|e| OfferError::Invalid(format!("amount_off: {e}")))?;
            if !(1..=plog_shared::money::MAX_AMOUNT).contains(amount) {
                return invalid("amount_off.amount must be a positive number of minor units".into());
            }
            (None, Some(*amount), Some(currency))
        }
    };
    if let (Some(from), Some(until)) = (new.starts_at, new.ends_at)
        && from >= until
    {
        return invalid("starts_at must be before ends_at".into());
    }
    if new.max_uses.is_some_and(|m| m < 1) {
        return invalid("max_uses must be at least 1".into());
    }
    let discount = Discount {
        id: new_id(),
        code,
        percent_off,
        amount_off,
        currency,
        applies_to: check_targets(store, &new.applies_to).await?,
        starts_at: new.starts_at,
        ends_at: new.ends_at,
        max_uses: new.max_uses,
        uses: 0,
        status: DiscountStatus::Active,
        created_at: now,
    };
    let inserted = store.insert_discount(&discount).await?;
    offers.forget_codes();
    if !inserted {
        return invalid(format!("the code {} exists already", discount.code));
    }
    Ok(discount)
}

/// Disables a code (by id or code): it lowers no price from now on.
pub async fn disable(store: &Store, offers: &OffersCache, id_or_code: &str) -> Result<Discount, OfferError> {
    let typed = id_or_code.trim();
    let code = normalize(typed).unwrap_or_default();
    let disabled = store.disable_discount(DiscountId::parse(typed).ok().as_ref(), &code).await;
    offers.forget_codes();
    disabled?.ok_or(OfferError::NotFound("no such discount code"))
}

/// The creator's view of a code.
pub fn to_admin(discount: &Discount) -> AdminDiscount {
    AdminDiscount {
        id: discount.id.to_string(),
        code: discount.code.clone(),
        percent_off: discount.percent_off,
        amount_off: discount
            .amount_off
            .zip(discount.currency)
            .map(|(amount, currency)| Price { amount, currency: currency.code().to_owned() }),
        applies_to: discount.applies_to.listed().iter().map(|t| t.id().to_owned()).collect(),
        starts_at: discount.starts_at,
        ends_at: discount.ends_at,
        max_uses: discount.max_uses,
        uses: discount.uses,
        status: discount.status,
        created_at: discount.created_at,
    }
}

/// A line for people: "LAUNCH: 20 % off, 3 of 10 uses".
pub fn describe(discount: &Discount) -> String {
    let off = match (discount.percent_off, discount.amount_off, discount.currency) {
        (Some(p), _, _) => format!("{p} % off"),
        (None, Some(a), Some(currency)) => format!("{} off", plog_shared::money::money_text(a, currency)),
        _ => String::new(),
    };
    let uses = match discount.max_uses {
        Some(max) => format!("{} of {max} uses", discount.uses),
        None => format!("{} uses", discount.uses),
    };
    let state = if discount.status == DiscountStatus::Active { "" } else { " (disabled)" };
    format!("{}: {off}, {uses}{state}", discount.code)
}

/// Whether a paywall's readers are offered the code field: it is on sale, something on it has a
/// fixed price (the article, or a pass it offers), and some code is active.
pub async fn offered_for(
    store: &Store,
    offers: &OffersCache,
    paywall: &Paywall,
    offers_passes: bool,
) -> anyhow::Result<bool> {
    if paywall.status != PaywallStatus::Active || (paywall.mode != PaywallMode::Fixed && !offers_passes) {
        return Ok(false);
    }
    offers.any_code_active(store, paywall.creator).await
}

/// A code and a paywall to price with, for the unit tests here and in `payments::start`.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// A code: this percent or this amount off, for these targets (space-separated ids).
    pub(crate) fn discount(percent: Option<i64>, amount: Option<(i64, &str)>, applies_to: &str) -> Discount {
        Discount {
            id: DiscountId::parse("disc_abcdefghij0123456789").unwrap(),
            code: "LAUNCH".into(),
            percent_off: percent,
            amount_off: amount.map(|(a, _)| a),
            currency: amount.map(|(_, c)| Currency::parse(c).unwrap()),
            applies_to: Targets::try_from(applies_to.to_owned()).unwrap(),
            starts_at: None,
            ends_at: None,
            max_uses: None,
            uses: 0,
            status: DiscountStatus::Active,
            created_at: 0,
        }
    }

    /// A paywall at this price, in this mode.
    pub(crate) fn paywall(amount: i64, currency: &str, mode: PaywallMode) -> Paywall {
        Paywall {
            id: plog_shared::PaywallId::parse("pw_abcdefghij0123456789").unwrap(),
            title: "T".into(),
            teaser: None,
            price: Money::parse(amount, currency).unwrap(),
            content_markdown: "x".into(),
            content_html: "x".into(),
            status: PaywallStatus::Active,
            created_at: 0,
            updated_at: 0,
            origins: String::new(),
            mode,
            suggested_amount: None,
            max_amount: None,
            preset_amounts: Vec::new(),
            show_count: false,
            free_markdown: String::new(),
            free_html: String::new(),
            image_url: None,
            canonical_url: None,
            creator: CreatorId::OWNER,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{discount, paywall};
    use super::*;

    #[test]
    fn codes_are_case_insensitive_and_of_a_known_shape() {
        assert_eq!(normalize(" launch-2026 ").as_deref(), Some("LAUNCH-2026"));
        assert_eq!(normalize("ab"), None);
        assert_eq!(normalize("no spaces"), None);
        assert_eq!(normalize("ｌａｕｎｃｈ"), None, "full-width letters are not codes");
    }

    #[test]
    fn percent_and_amount_off_never_go_below_the_stripe_minimum() {
        let jpy = paywall(300, "jpy", PaywallMode::Fixed);
        assert_eq!(price_with(&discount(Some(20), None, ""), Item::Paywall(&jpy)), Ok(240));
        assert_eq!(
            price_with(&discount(Some(15), None, ""), Item::Paywall(&paywall(333, "jpy", PaywallMode::Fixed))),
            Ok(283)
        );
        assert_eq!(
            price_with(&discount(Some(99), None, ""), Item::Paywall(&jpy)),
            Ok(Currency::parse("jpy").unwrap().minimum())
        );
        assert_eq!(price_with(&discount(None, Some((100, "jpy")), ""), Item::Paywall(&jpy)), Ok(200));
        assert_eq!(price_with(&discount(None, Some((10_000, "jpy")), ""), Item::Paywall(&jpy)), Ok(50));
        let usd = paywall(500, "usd", PaywallMode::Fixed);
        assert_eq!(
            price_with(&discount(None, Some((100, "jpy")), ""), Item::Paywall(&usd)),
            Err(Refusal::NotApplicable)
        );
    }

    #[test]
    fn codes_never_apply_to_tips_or_chosen_amounts_nor_outside_their_list() {
        let tip = paywall(100, "jpy", PaywallMode::Tip);
        let pwyw = paywall(100, "jpy", PaywallMode::PayWhatYouWant);
        assert_eq!(price_with(&discount(Some(10), None, ""), Item::Paywall(&tip)), Err(Refusal::NotApplicable));
        assert_eq!(price_with(&discount(Some(10), None, ""), Item::Paywall(&pwyw)), Err(Refusal::NotApplicable));
        let fixed = paywall(1_000, "jpy", PaywallMode::Fixed);
        assert_eq!(
            price_with(&discount(Some(10), None, "pass_abcdefghij0123456789"), Item::Paywall(&fixed)),
            Err(Refusal::NotApplicable)
        );
        assert_eq!(
            price_with(
                &discount(Some(10), None, "pass_abcdefghij0123456789 pw_abcdefghij0123456789"),
                Item::Paywall(&fixed)
            ),
            Ok(900)
        );
    }

    #[test]
    fn dates_state_and_uses_bound_a_code() {
        let mut d = discount(Some(10), None, "");
        assert_eq!(usable(&d, 100), Ok(()));
        d.starts_at = Some(200);
        assert_eq!(usable(&d, 100), Err(Refusal::Expired));
        d.starts_at = None;
        d.ends_at = Some(100);
        assert_eq!(usable(&d, 100), Err(Refusal::Expired), "the end is exclusive");
        assert_eq!(usable(&d, 99), Ok(()));
        d.max_uses = Some(3);
        d.uses = 3;
        assert_eq!(usable(&d, 99), Err(Refusal::UsedUp));
        d.status = DiscountStatus::Disabled;
        assert_eq!(usable(&d, 99), Err(Refusal::Unknown));
    }
}
