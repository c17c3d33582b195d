//! Money as an integer count of a currency's minor unit (JPY 100 = ¥100, USD 100 = $1.00),
//! never a float, with the currency rules Stripe applies to charges.
//!
//! [`Money::new`] is the one place a price is validated: a supported currency, at least Stripe's
//! minimum charge for it, at most Stripe's maximum, and a whole number of the units Stripe
//! accepts. Past it, a `Money` is chargeable.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Stripe's zero-decimal currencies: an amount is a count of whole units (¥100 is `100`).
pub const ZERO_DECIMAL_CURRENCIES: &[&str] =
    &["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

/// Stripe's largest charge: eight digits of the minor unit.
pub const MAX_AMOUNT: i64 = 99_999_999;

/// What plog knows of one currency.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CurrencyInfo {
    /// Lowercase ISO 4217 code, as Stripe writes it.
    pub code: &'static str,
    /// Decimal places of the minor unit (0 for JPY, 2 for USD).
    pub exponent: u8,
    /// Stripe's minimum charge, in minor units.
    pub minimum: i64,
}

const fn info(code: &'static str, exponent: u8, minimum: i64) -> CurrencyInfo {
    CurrencyInfo { code, exponent, minimum }
}

/// The currencies plog accepts for a price: those for which Stripe documents a minimum charge
/// amount, plus KRW. Stripe's rule for currencies without a listed minimum is "the equivalent of
/// USD 0.50"; KRW's 700 follows that rule (rounded up) rather than a published figure.
pub const SUPPORTED_CURRENCIES: &[CurrencyInfo] = &[
    info("usd", 2, 50),
    info("aed", 2, 200),
    info("aud", 2, 50),
    info("bgn", 2, 100),
    info("brl", 2, 50),
    info("cad", 2, 50),
    info("chf", 2, 50),
    info("czk", 2, 1500),
    info("dkk", 2, 250),
    info("eur", 2, 50),
    info("gbp", 2, 30),
    info("hkd", 2, 400),
    info("huf", 2, 17500),
    info("inr", 2, 50),
    info("jpy", 0, 50),
    info("krw", 0, 700),
    info("mxn", 2, 1000),
    info("myr", 2, 200),
    info("nok", 2, 300),
    info("nzd", 2, 50),
    info("pln", 2, 200),
    info("ron", 2, 200),
    info("sek", 2, 300),
    info("sgd", 2, 50),
    info("thb", 2, 1000),
];

/// A currency plog accepts. Serialized as its lowercase ISO code (`"jpy"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency(&'static CurrencyInfo);

impl Currency {
    /// Looks a currency up by ISO code, in any letter case.
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let lower = code.trim().to_ascii_lowercase();
        SUPPORTED_CURRENCIES
            .iter()
            .find(|c| c.code == lower)
            .map(Currency)
            .ok_or_else(|| MoneyError::UnsupportedCurrency(code.to_owned()))
    }

    /// Lowercase ISO code.
    pub fn code(self) -> &'static str {
        self.0.code
    }

    /// Decimal places of the minor unit.
    pub fn exponent(self) -> u8 {
        self.0.exponent
    }

    /// Stripe's minimum charge in minor units.
    pub fn minimum(self) -> i64 {
        self.0.minimum
    }

    /// True for currencies without a fractional unit (JPY, KRW).
    pub fn is_zero_decimal(self) -> bool {
        ZERO_DECIMAL_CURRENCIES.contains(&self.0.code)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.0.code)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.code)
    }
}

impl TryFrom<String> for Currency {
    type Error = MoneyError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Currency> for String {
    fn from(value: Currency) -> String {
        value.0.code.to_owned()
    }
}

/// Why an amount or currency is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    /// The currency is unknown to plog or Stripe.
    UnsupportedCurrency(String),
    /// Below Stripe's minimum charge for the currency.
    BelowMinimum {
        /// The minimum, in minor units.
        minimum: i64,
        /// The currency.
        currency: &'static str,
    },
    /// Above Stripe's maximum charge.
    AboveMaximum,
    /// Text that is not a decimal number, or has more decimals than the currency has.
    InvalidAmount(String),
}

impl fmt::Display for MoneyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyError::UnsupportedCurrency(code) => write!(
                f,
                "currency {code:?} is not supported; use a lowercase ISO code such as \"jpy\", \"usd\" or \"eur\""
            ),
            MoneyError::BelowMinimum { minimum, currency } => {
                let currency = Currency::parse(currency).map_err(|_| fmt::Error)?;
                write!(
                    f,
                    "amount is below Stripe's minimum charge of {} {} ({minimum} in minor units)",
                    format_major(*minimum, currency),
                    currency.code().to_ascii_uppercase()
                )
            }
            MoneyError::AboveMaximum => {
                write!(f, "amount is above Stripe's maximum of {MAX_AMOUNT} minor units")
            }
            MoneyError::InvalidAmount(why) => write!(f, "invalid amount: {why}"),
        }
    }
}

impl std::error::Error for MoneyError {}

/// A chargeable amount: integer minor units of a supported currency, within Stripe's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Money {
    /// Count of the currency's minor unit (JPY 100 = ¥100; USD 100 = $1.00). Private: a value
    /// exists only through [`Money::new`], so it is always within the currency's limits.
    amount: i64,
    /// The currency.
    currency: Currency,
}

impl Money {
    /// Validates an amount in minor units against the currency's limits.
    pub fn new(amount: i64, currency: Currency) -> Result<Self, MoneyError> {
        if amount < currency.minimum() {
            return Err(MoneyError::BelowMinimum { minimum: currency.minimum(), currency: currency.code() });
        }
        if amount > MAX_AMOUNT {
            return Err(MoneyError::AboveMaximum);
        }
        Ok(Money { amount, currency })
    }

    /// Validates an amount given with a currency code.
    pub fn parse(amount: i64, currency: &str) -> Result<Self, MoneyError> {
        Money::new(amount, Currency::parse(currency)?)
    }

    /// Count of the currency's minor unit.
    pub fn amount(&self) -> i64 {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount in major units as plain text, e.g. `"1.00"` for USD 100, `"100"` for JPY 100.
    pub fn major_text(&self) -> String {
        format_major(self.amount, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&money_text(self.amount, self.currency))
    }
}

/// An amount of a currency that is not itself charged — a refund, what a code takes off, a
/// limit — so not bound by the currency's minimum as [`Money`] is: any whole, non-negative
/// number of minor units up to [`MAX_AMOUNT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amount {
    amount: i64,
    currency: Currency,
}

impl Amount {
    /// `None` below zero or above [`MAX_AMOUNT`].
    pub fn new(amount: i64, currency: Currency) -> Option<Amount> {
        (0..=MAX_AMOUNT).contains(&amount).then_some(Amount { amount, currency })
    }

    /// Count of the currency's minor unit.
    pub fn amount(&self) -> i64 {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
}

impl From<Money> for Amount {
    fn from(money: Money) -> Amount {
        Amount { amount: money.amount, currency: money.currency }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&money_text(self.amount, self.currency))
    }
}

/// Minor units of a currency as people read them in messages: `1.50 USD`, `300 JPY`.
pub fn money_text(amount: i64, currency: Currency) -> String {
    format!("{} {}", format_major(amount, currency), currency.code().to_ascii_uppercase())
}

/// An amount of minor units of the currency with this code, as [`Money`] writes it
/// (`1.50 USD`); a code plog does not know is written as it came (`150 xyz`).
pub fn amount_text(amount: i64, code: &str) -> String {
    match Currency::parse(code) {
        Ok(currency) => money_text(amount, currency),
        Err(_) => format!("{amount} {code}"),
    }
}

/// Writes minor units as a decimal in major units (`150` USD → `"1.50"`, `100` JPY → `"100"`).
pub fn format_major(amount: i64, currency: Currency) -> String {
    let exponent = u32::from(currency.exponent());
    if exponent == 0 {
        return amount.to_string();
    }
    let scale = 10_i64.pow(exponent);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!("{sign}{}.{:0width$}", abs / scale, abs % scale, width = exponent as usize)
}

/// Reads a decimal in major units into minor units (`"1.5"` USD → `150`; `"1.5"` JPY is an
/// error: a zero-decimal currency has no fractional unit).
pub fn parse_major(text: &str, currency: Currency) -> Result<i64, MoneyError> {
    let text = text.trim();
    let invalid = |why: &str| MoneyError::InvalidAmount(format!("{text:?}: {why}"));
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("expected digits, optionally followed by a decimal point and decimals"));
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || (text.contains('.') && fraction.is_empty()) {
        return Err(invalid("expected digits after the decimal point"));
    }
    let exponent = usize::from(currency.exponent());
    if fraction.len() > exponent {
        return Err(if exponent == 0 {
            invalid(&format!("{} has no fractional unit", currency.code().to_ascii_uppercase()))
        } else {
            invalid(&format!("{} has {exponent} decimal places", currency.code().to_ascii_uppercase()))
        });
    }
    let digits = format!("{whole}{fraction:0<exponent$}");
    digits.parse::<i64>().map_err(|_| MoneyError::AboveMaximum)
}

/// Why an amount a reader typed is refused (the widget words each in the reader's language).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypedAmountError {
    /// Nothing typed.
    Empty,
    /// Not a number this parser reads.
    NotANumber,
    /// More decimals than the currency has (any for JPY).
    TooManyDecimals,
    /// Below the minimum (minor units).
    TooLow {
        /// The minimum, minor units.
        minimum: i64,
    },
    /// Above the maximum (minor units).
    TooHigh {
        /// The maximum, minor units.
        maximum: i64,
    },
}

/// Reads an amount a reader typed into minor units and checks it is within `minimum..=maximum`.
/// Accepts what people type in English and Japanese: full-width digits and separators
/// (`１，０００`), grouping commas in threes (`1,000`), spaces, and a currency sign or `円`.
/// A decimal point is a decimal point; JPY takes none.
pub fn parse_typed_amount(text: &str, currency: Currency, minimum: i64, maximum: i64) -> Result<i64, TypedAmountError> {
    let mut plain = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '０'..='９' => plain.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
            '，' | ',' => plain.push(','),
            '．' | '.' => plain.push('.'),
            '¥' | '￥' | '$' | '＄' | '€' | '£' | '円' => {}
            c if c.is_whitespace() => {}
            c => plain.push(c),
        }
    }
    if plain.is_empty() {
        return Err(TypedAmountError::Empty);
    }
    let (whole, fraction) = match plain.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (plain.as_str(), None),
    };
    // Commas only as thousands separators: 1,000 and 12,345,678, not 1,5 or 10,00.
    let groups: Vec<&str> = whole.split(',').collect();
    let grouped = groups.len() == 1
        || (!groups[0].is_empty() && groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
    let digits: String = groups.concat();
    if !grouped || digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TypedAmountError::NotANumber);
    }
    let fraction = fraction.unwrap_or("");
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || (plain.contains('.') && fraction.is_empty()) {
        return Err(TypedAmountError::NotANumber);
    }
    let exponent = usize::from(currency.exponent());
    if fraction.len() > exponent {
        return Err(TypedAmountError::TooManyDecimals);
    }
    // Digits straight into minor units (no formatting: this runs in the widget, where
    // `format!` machinery costs every reader download size).
    let too_high = TypedAmountError::TooHigh { maximum };
    let mut amount: i64 = 0;
    for digit in digits.bytes().chain(fraction.bytes()).chain(std::iter::repeat_n(b'0', exponent - fraction.len())) {
        amount = amount.checked_mul(10).and_then(|a| a.checked_add(i64::from(digit - b'0'))).ok_or(too_high)?;
    }
    if amount < minimum {
        Err(TypedAmountError::TooLow { minimum })
    } else if amount > maximum {
        Err(TypedAmountError::TooHigh { maximum })
    } else {
        Ok(amount)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::parse(code).unwrap()
    }

    #[test]
    fn zero_decimal_currencies_format_without_decimals() {
        assert_eq!(format_major(100, cur("jpy")), "100");
        assert_eq!(format_major(1000, cur("krw")), "1000");
        assert!(cur("jpy").is_zero_decimal());
        assert!(!cur("usd").is_zero_decimal());
    }

    #[test]
    fn two_decimal_currencies_format_with_two_decimals() {
        assert_eq!(format_major(100, cur("usd")), "1.00");
        assert_eq!(format_major(5, cur("eur")), "0.05");
        assert_eq!(format_major(123_456, cur("gbp")), "1234.56");
    }

    #[test]
    fn parse_major_reads_decimals_and_refuses_fractional_yen() {
        assert_eq!(parse_major("1.5", cur("usd")), Ok(150));
        assert_eq!(parse_major("1", cur("usd")), Ok(100));
        assert_eq!(parse_major("0.50", cur("usd")), Ok(50));
        assert_eq!(parse_major("100", cur("jpy")), Ok(100));
        assert!(parse_major("1.5", cur("jpy")).is_err());
        assert!(parse_major("1.005", cur("usd")).is_err());
        assert!(parse_major("-1", cur("usd")).is_err());
        assert!(parse_major("1e3", cur("usd")).is_err());
        assert!(parse_major("1.", cur("usd")).is_err());
        assert!(parse_major("", cur("usd")).is_err());
    }

    #[test]
    fn minimums_follow_stripe() {
        assert_eq!(Money::parse(49, "jpy"), Err(MoneyError::BelowMinimum { minimum: 50, currency: "jpy" }));
        assert!(Money::parse(50, "jpy").is_ok());
        assert!(Money::parse(49, "usd").is_err());
        assert!(Money::parse(50, "usd").is_ok());
        assert!(Money::parse(29, "gbp").is_err());
        assert!(Money::parse(0, "eur").is_err());
        assert!(Money::parse(-100, "usd").is_err());
        assert_eq!(Money::parse(MAX_AMOUNT + 1, "usd"), Err(MoneyError::AboveMaximum));
    }

    #[test]
    fn unknown_currencies_are_refused_with_a_clear_message() {
        let err = Money::parse(100, "xyz").unwrap_err();
        assert_eq!(err, MoneyError::UnsupportedCurrency("xyz".into()));
        assert!(err.to_string().contains("not supported"));
        assert!(Currency::parse("JPY").is_ok(), "case does not matter");
    }

    #[test]
    fn below_minimum_message_names_the_minimum_in_major_units() {
        let err = Money::parse(10, "usd").unwrap_err().to_string();
        assert!(err.contains("0.50 USD"), "{err}");
    }

    #[test]
    fn currency_serializes_as_its_code() {
        let json = serde_json::to_string(&Money::parse(100, "jpy").unwrap()).unwrap();
        assert_eq!(json, r#"{"amount":100,"currency":"jpy"}"#);
        assert!(serde_json::from_str::<Currency>("\"zzz\"").is_err());
    }

    #[test]
    fn typed_amounts_read_as_people_write_them() {
        let (jpy, usd) = (cur("jpy"), cur("usd"));
        let read = |text: &str, currency| parse_typed_amount(text, currency, 50, MAX_AMOUNT);
        assert_eq!(read("1000", jpy), Ok(1000));
        assert_eq!(read("1,000", jpy), Ok(1000));
        assert_eq!(read("１０００", jpy), Ok(1000));
        assert_eq!(read("１，０００円", jpy), Ok(1000));
        assert_eq!(read(" ¥ 12,345,678 ", jpy), Ok(12_345_678));
        assert_eq!(read("$1.50", usd), Ok(150));
        assert_eq!(read("1,000.5", usd), Ok(100_050));
        assert_eq!(read("３．５０", usd), Ok(350));
        assert_eq!(read("1.5", jpy), Err(TypedAmountError::TooManyDecimals));
        assert_eq!(read("1.505", usd), Err(TypedAmountError::TooManyDecimals));
        for bad in ["1,5", "10,00", ",100", "1,,000", "abc", "-100", "1e3", "1.", "１.２.３"] {
            assert_eq!(read(bad, jpy), Err(TypedAmountError::NotANumber), "{bad}");
        }
        assert_eq!(read("", jpy), Err(TypedAmountError::Empty));
        assert_eq!(read("  ", jpy), Err(TypedAmountError::Empty));
        assert_eq!(parse_typed_amount("49", jpy, 50, 1000), Err(TypedAmountError::TooLow { minimum: 50 }));
        assert_eq!(parse_typed_amount("1,001", jpy, 50, 1000), Err(TypedAmountError::TooHigh { maximum: 1000 }));
        assert_eq!(read("99999999999999999999999", jpy), Err(TypedAmountError::TooHigh { maximum: MAX_AMOUNT }));
    }

    proptest! {
        #[test]
        fn format_then_parse_round_trips(amount in 0_i64..=MAX_AMOUNT, idx in 0..SUPPORTED_CURRENCIES.len()) {
            let currency = Currency(&SUPPORTED_CURRENCIES[idx]);
            prop_assert_eq!(parse_major(&format_major(amount, currency), currency), Ok(amount));
        }

        #[test]
        fn every_accepted_amount_is_within_stripe_limits(amount in any::<i64>(), idx in 0..SUPPORTED_CURRENCIES.len()) {
            let currency = Currency(&SUPPORTED_CURRENCIES[idx]);
            if let Ok(money) = Money::new(amount, currency) {
                prop_assert!(money.amount >= currency.minimum() && money.amount <= MAX_AMOUNT);
            }
        }

        /// Any text as a price: a valid amount that formats back to itself, or a refusal.
        #[test]
        fn any_text_parses_to_a_round_tripping_amount_or_is_refused(text in "\\PC{0,24}|[0-9.,-]{0,24}", idx in 0..SUPPORTED_CURRENCIES.len()) {
            let currency = Currency(&SUPPORTED_CURRENCIES[idx]);
            if let Ok(amount) = parse_major(&text, currency) {
                prop_assert!(amount >= 0);
                prop_assert_eq!(parse_major(&format_major(amount, currency), currency), Ok(amount));
            }
        }

        /// Any text as a currency code: a supported currency or a refusal.
        #[test]
        fn any_text_is_a_supported_currency_or_refused(code in "\\PC{0,8}|[a-zA-Z]{3}", amount in any::<i64>()) {
            match Currency::parse(&code) {
                Ok(currency) => prop_assert!(SUPPORTED_CURRENCIES.iter().any(|c| c.code == currency.code())),
                Err(_) => prop_assert!(Money::parse(amount, &code).is_err()),
            }
        }

        /// Whatever a reader types: an amount within the bounds, or a refusal — never a panic.
        #[test]
        fn typed_amounts_are_within_bounds_or_refused(text in "\\PC{0,20}|[0-9０-９,，.．¥円 ]{0,16}", idx in 0..SUPPORTED_CURRENCIES.len(), minimum in 1_i64..10_000) {
            let currency = Currency(&SUPPORTED_CURRENCIES[idx]);
            if let Ok(amount) = parse_typed_amount(&text, currency, minimum, MAX_AMOUNT) {
                prop_assert!((minimum..=MAX_AMOUNT).contains(&amount));
            }
        }
    }
}
