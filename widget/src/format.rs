//! Prices for people, from integer minor units, as `Intl.NumberFormat` writes them in the
//! reader's language (en, ja): JPY 100 → "¥100" (en) or "￥100" (ja), USD 100 → "$1.00",
//! SEK 300 → "SEK 3.00" (a no-break space after a code).
//!
//! Written in Rust, not by calling `Intl`, because the server paints the locked paywall from the
//! same components (`painted.rs`): both sides must write every price identically, and a browser
//! test compares this table with the browser's own `Intl` for every supported currency.

use plog_shared::Currency;

/// How a currency's amounts are written: the symbol before the number, in English and in
/// Japanese (`None`: the same), and the decimals shown.
struct Style {
    code: &'static str,
    en: &'static str,
    ja: Option<&'static str>,
    decimals: u8,
}

const fn style(code: &'static str, en: &'static str, ja: Option<&'static str>, decimals: u8) -> Style {
    Style { code, en, ja, decimals }
}

/// What CLDR (through `Intl`) writes for plog's currencies; a code not listed is written as its
/// uppercase code and a no-break space, with two decimals.
const STYLES: &[Style] = &[
    style("usd", "$", None, 2),
    style("aud", "A$", None, 2),
    style("brl", "R$", None, 2),
    style("cad", "CA$", None, 2),
    style("eur", "€", None, 2),
    style("gbp", "£", None, 2),
    style("hkd", "HK$", None, 2),
    style("inr", "₹", None, 2),
    style("jpy", "¥", Some("￥"), 0),
    style("krw", "₩", None, 0),
    style("mxn", "MX$", None, 2),
    style("nzd", "NZ$", None, 2),
    // Stripe counts HUF in fillér (two decimals); CLDR writes whole forints.
    style("huf", "", None, 0),
];

/// Formats minor units as a localized currency amount. Unknown currencies fall back to
/// "100 XYZ".
pub fn format_price(amount: i64, currency: &str, locale: &str) -> String {
    let Ok(known) = Currency::parse(currency) else {
        return format!("{amount} {}", currency.to_ascii_uppercase());
    };
    let code = known.code();
    let found = STYLES.iter().find(|s| s.code == code);
    let decimals = found.map_or(2, |s| s.decimals);
    let symbol = match found {
        Some(s) if !s.en.is_empty() => {
            if locale.starts_with("ja") {
                s.ja.unwrap_or(s.en).to_owned()
            } else {
                s.en.to_owned()
            }
        }
        _ => format!("{}\u{a0}", code.to_ascii_uppercase()),
    };
    // Minor units to the shown decimals, rounding half away from zero (as Intl does).
    let exponent = u32::from(known.exponent());
    let shown = u32::from(decimals).min(exponent);
    let divisor = 10_i64.pow(exponent - shown);
    let units = (amount.abs() + divisor / 2) / divisor;
    let scale = 10_i64.pow(shown);
    let mut text = String::from(if amount < 0 { "-" } else { "" });
    text.push_str(&symbol);
    text.push_str(&grouped(units / scale));
    if shown > 0 {
        let fraction = (units % scale).to_string();
        text.push('.');
        text.extend(std::iter::repeat_n('0', shown as usize - fraction.len()));
        text.push_str(&fraction);
    }
    text
}

/// Whole units with a comma every three digits (en and ja group alike).
fn grouped(whole: i64) -> String {
    let digits = whole.to_string();
    let mut text = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            text.push(',');
        }
        text.push(digit);
    }
    text
}
