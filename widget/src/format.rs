//! Prices for people: `Intl.NumberFormat` in the reader's language, from integer minor units.

use plog_shared::Currency;
use wasm_bindgen::JsValue;

/// Formats minor units as a localized currency amount: JPY 100 → "¥100" (en) or "￥100" (ja),
/// USD 100 → "$1.00". Unknown currencies fall back to "100 XYZ".
pub fn format_price(amount: i64, currency: &str, locale: &str) -> String {
    let Ok(known) = Currency::parse(currency) else {
        return format!("{amount} {}", currency.to_ascii_uppercase());
    };
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    set("style", "currency".into());
    set("currency", known.code().to_ascii_uppercase().into());
    let locales = js_sys::Array::of1(&JsValue::from_str(locale));
    let formatter = js_sys::Intl::NumberFormat::new(&locales, &options);
    // Display only: amounts are at most 8 digits, exact in an f64.
    let major = amount as f64 / 10_f64.powi(i32::from(known.exponent()));
    let format = formatter.format();
    format.call1(&formatter, &JsValue::from_f64(major)).ok().and_then(|v| v.as_string()).unwrap_or_else(|| {
        format!("{} {}", plog_shared::money::format_major(amount, known), known.code().to_ascii_uppercase())
    })
}
