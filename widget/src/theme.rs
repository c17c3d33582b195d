//! The widget's look: one stylesheet inside the shadow root, driven by CSS custom properties a
//! blog sets on any ancestor (they inherit into the shadow tree), `data-theme` on the tag, and
//! `::part()` names on the main pieces. The Stripe card Element gets the same colours and font.

use wasm_bindgen::{JsCast, JsValue};

use crate::json::object;

/// The dark palette, used by `data-theme="dark"` and by `auto` when the reader prefers dark.
macro_rules! dark_palette {
    () => {
        "--_accent: var(--plog-accent, #a5b4fc); --_accent-text: var(--plog-accent-text, #111827);
  --_text: var(--plog-text, #f0f3f6); --_muted: var(--plog-muted, #b1bac4);
  --_background: var(--plog-background, #1c2128); --_border: var(--plog-border, #444c56);
  --_error: var(--plog-error, #ffb4ab);"
    };
}

/// The stylesheet of the shadow root. `:host` rules use `!important` because inside a shadow
/// tree important declarations win over the page's, so `* { all: unset }` or
/// `div { display: none !important }` on the blog cannot hide or restyle the paywall.
pub const STYLESHEET: &str = concat!(
    r#"
:host {
  all: initial !important;
  display: block !important;
  visibility: visible !important;
  margin: 1.5em 0 !important;
  --_accent: var(--plog-accent, #4338ca);
  --_accent-text: var(--plog-accent-text, #ffffff);
  --_text: var(--plog-text, #1f2328);
  --_muted: var(--plog-muted, #57606a);
  --_background: var(--plog-background, #ffffff);
  --_border: var(--plog-border, #d0d7de);
  --_error: var(--plog-error, #b3261e);
  --_radius: var(--plog-radius, 10px);
  --_font: var(--plog-font, system-ui, -apple-system, "Segoe UI", "Hiragino Sans", "Noto Sans JP", sans-serif);
}
"#,
    ":host([data-theme=\"dark\"]) {",
    dark_palette!(),
    "}\n",
    "@media (prefers-color-scheme: dark) { :host([data-theme=\"auto\"]) {",
    dark_palette!(),
    "} }\n",
    r#".paywall {
  box-sizing: border-box; display: block; font-family: var(--_font); font-size: 16px; line-height: 1.5;
  color: var(--_text); background: var(--_background); border: 1px solid var(--_border);
  border-radius: var(--_radius); padding: 1.25em 1.5em; text-align: left;
}
.paywall * { box-sizing: border-box; }
/* Which parts show, by the root's state classes (set by the component). */
.badge, .message, .main, .buy-area, .card-area, .teaser, .spinner, .gone { display: none; }
.sandbox .badge { display: inline-block; }
.paywall.unavailable .message { display: block; }
.paywall.archived .down { display: none; }
.paywall.archived .gone { display: inline; }
.locked .main, .preparing .main, .form .main, .unlocking .main, .slow .main { display: block; }
.has-teaser .teaser { display: block; }
.locked .buy-area { display: block; }
.form .card-area { display: block; }
.busy .status .spinner, .confirming .pay .spinner { display: inline-block; }
.badge {
  font-size: 0.75em; padding: 0.1em 0.6em; border-radius: 999px;
  border: 1px dashed var(--_muted); color: var(--_muted); margin-bottom: 0.5em;
}
.title { font-size: 1.15em; font-weight: 700; margin: 0 0 0.25em; }
.teaser { color: var(--_muted); margin: 0 0 0.75em; }
.price { display: block; margin: 0 0 0.75em; }
.price strong { font-size: 1.25em; }
button {
  font: inherit; font-weight: 600; cursor: pointer; border-radius: calc(var(--_radius) * 0.8);
  padding: 0.6em 1.2em; border: 1px solid var(--_accent); background: var(--_accent); color: var(--_accent-text);
}
button.secondary { background: transparent; color: var(--_text); border-color: var(--_border); margin-left: 0.5em; }
button:disabled { opacity: 0.6; cursor: progress; }
button:focus-visible, .card:focus-within { outline: 3px solid var(--_accent); outline-offset: 2px; }
.hint { display: block; font-size: 0.85em; color: var(--_muted); margin: 0.5em 0 0; }
.card-area { margin-top: 1em; }
.card-label { display: block; font-size: 0.9em; font-weight: 600; margin-bottom: 0.35em; }
.card {
  display: block; padding: 0.7em 0.8em; border: 1px solid var(--_border); border-radius: calc(var(--_radius) * 0.8);
  background: var(--_background); margin-bottom: 0.5em; min-height: 2.6em;
}
.error { display: block; color: var(--_error); font-size: 0.9em; margin: 0.25em 0 0.5em; min-height: 1.2em; }
.status { display: block; font-size: 0.9em; color: var(--_muted); margin: 0.5em 0 0; min-height: 1.2em; }
.spinner {
  width: 0.9em; height: 0.9em; margin-right: 0.4em; vertical-align: -0.1em;
  border: 2px solid var(--_muted); border-right-color: transparent; border-radius: 50%;
  animation: plog-spin 0.8s linear infinite;
}
@keyframes plog-spin { to { transform: rotate(360deg); } }
@media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
.message { color: var(--_muted); margin: 0; }
/* Pay what you want and tips: amount choices while locked; tips hide the single price. */
.amounts, .tips-count { display: none; }
.choose.locked .amounts { display: block; }
.tip .price { display: none; }
.has-count .tips-count { display: block; }
.amounts { margin: 0 0 0.75em; border: 0; padding: 0; min-width: 0; }
.amounts legend { font-size: 0.9em; font-weight: 600; margin: 0 0 0.35em; padding: 0; }
button.chip {
  background: transparent; color: var(--_text); border-color: var(--_border);
  margin: 0 0.4em 0.4em 0; padding: 0.4em 0.9em;
}
button.chip[aria-pressed="true"] { background: var(--_accent); color: var(--_accent-text); border-color: var(--_accent); }
.other { display: block; font-size: 0.9em; margin-top: 0.25em; }
.other input {
  font: inherit; color: var(--_text); background: var(--_background); border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * 0.8); padding: 0.4em 0.6em; width: 9em; margin-left: 0.5em;
}
.other input:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
.amount-error { display: block; color: var(--_error); font-size: 0.9em; margin: 0.25em 0 0; min-height: 1.2em; }
.tips-count { color: var(--_muted); font-size: 0.9em; margin: 0 0 0.75em; }
/* Receipts by mail and restore: offered only when the server sends mail (.receipts). */
.receipt-field, .email-error, .restore, .restore-email, .restore-code { display: none; }
.receipts .receipt-field, .receipts .email-error { display: block; }
.receipts.locked .restore { display: block; margin-top: 0.75em; }
.restoring .restore-open { display: none; }
.restore-at-email .restore-email, .restore-at-code .restore-code { display: block; }
/* Passes and discount codes, on the locked paywall only. */
.passes, .code, .code-form, .was { display: none; }
.has-passes.locked .passes { display: block; margin-top: 0.75em; }
.codes.locked .code { display: block; margin-top: 0.75em; }
.code-opened .code-open { display: none; }
.code-opened .code-form { display: block; }
.discounted .was { display: inline; color: var(--_muted); margin-right: 0.3em; }
button.pass { background: transparent; color: var(--_text); border-color: var(--_accent); margin: 0 0.4em 0.4em 0; }
button.code-open { background: transparent; color: var(--_text); border-color: var(--_border); }
.code input {
  font: inherit; color: var(--_text); background: var(--_background); border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * 0.8); padding: 0.4em 0.6em; width: 10em; margin: 0 0.5em;
}
.code-message { display: block; font-size: 0.9em; margin: 0.25em 0 0; min-height: 1.2em; }
button.restore-open { background: transparent; color: var(--_text); border-color: var(--_border); }
.receipt-field { font-size: 0.9em; margin: 0.25em 0; }
.receipt-field input, .restore input {
  font: inherit; color: var(--_text); background: var(--_background); border: 1px solid var(--_border);
  border-radius: calc(var(--_radius) * 0.8); padding: 0.4em 0.6em; width: 100%; max-width: 22em; display: block;
  margin: 0.25em 0 0.5em;
}
.restore label { display: block; font-size: 0.9em; }
.email-error, .restore-message { color: var(--_error); font-size: 0.9em; margin: 0.25em 0; min-height: 1.2em; }
.restore-message { color: var(--_muted); }
"#
);

/// Gives a shadow root the widget's stylesheet as a constructed stylesheet (the loader does the
/// same with the stylesheet the server serves; tests that mount without the loader call this).
/// A blog whose CSP allows no inline styles (`style-src` without `'unsafe-inline'`) blocks
/// `<style>` elements and `style` attributes, but not constructed stylesheets or CSSOM writes.
pub fn adopt_stylesheet(shadow: &web_sys::ShadowRoot) -> Result<(), JsValue> {
    let sheet = web_sys::CssStyleSheet::new()?;
    sheet.replace_sync(STYLESHEET)?;
    shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    Ok(())
}

fn css_value(element: &web_sys::Element, name: &str, fallback: &str) -> String {
    web_sys::window()
        .and_then(|w| w.get_computed_style(element).ok().flatten())
        .and_then(|style| style.get_property_value(name).ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| fallback.to_owned())
}

/// The card Element's `style` option, from the resolved theme of the paywall element.
pub fn card_options(themed: &web_sys::Element) -> JsValue {
    let text = css_value(themed, "--_text", "#1f2328");
    let muted = css_value(themed, "--_muted", "#57606a");
    let error = css_value(themed, "--_error", "#b3261e");
    let font = css_value(themed, "--_font", "system-ui, sans-serif");
    let s = |v: &str| JsValue::from_str(v);
    let base = object(&[
        ("color", s(&text)),
        ("fontFamily", s(&font)),
        ("fontSize", s("16px")),
        ("::placeholder", object(&[("color", s(&muted))])),
    ]);
    let invalid = object(&[("color", s(&error)), ("iconColor", s(&error))]);
    object(&[("hidePostalCode", JsValue::TRUE), ("style", object(&[("base", base), ("invalid", invalid)]))])
}

/// The Buy button's height, while it shows (the wallet buttons take it).
pub fn buy_button_height(themed: &web_sys::Element) -> Option<f64> {
    let button = themed.query_selector("button.buy").ok().flatten()?.dyn_into::<web_sys::HtmlElement>().ok()?;
    Some(f64::from(button.offset_height())).filter(|h| *h > 0.0)
}

/// Whether the paywall shows dark: `data-theme="dark"` on the tag, or `auto` with a reader who
/// prefers dark.
fn is_dark(themed: &web_sys::Element) -> bool {
    let host = themed.get_root_node().dyn_into::<web_sys::ShadowRoot>().ok().map(|root| root.host());
    match host.and_then(|h| h.get_attribute("data-theme")).as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|query| query.matches()),
    }
}

/// The wallet buttons' options (`StripeExpressCheckoutElementOptions`): white buttons on a dark
/// paywall and black on a light one, as tall as the Buy button (within Stripe's 40–55 px), and
/// the wallet's e-mail address asked for when the server sends receipts.
pub fn wallet_options(themed: &web_sys::Element, height: Option<f64>, receipts: bool) -> JsValue {
    let (apple_pay, google_pay) = if is_dark(themed) { ("white", "white") } else { ("black", "black") };
    let height = height.unwrap_or(44.0).clamp(40.0, 55.0).round();
    let s = |v: &str| JsValue::from_str(v);
    object(&[
        ("buttonHeight", JsValue::from_f64(height)),
        ("buttonTheme", object(&[("applePay", s(apple_pay)), ("googlePay", s(google_pay))])),
        ("emailRequired", JsValue::from_bool(receipts)),
    ])
}
