//! Browser tests of the widget's pieces (wasm-bindgen-test in headless Chromium): price
//! formatting, language choice, token storage, and the purchase flow's states against a fake
//! Stripe.js and a fake API installed on `window`.

use plog_widget::format::format_price;
use plog_widget::i18n::{Lang, choose};
use plog_widget::paywall::offers::escape;
use plog_widget::storage::{
    forget_pass_token, forget_token, keep_token, pass_tokens, save_pass_token, settle_token, token_key, tokens,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
// `firstConfirm` says how the fake Stripe.js answers the first confirmCardPayment:
// "ok", "decline", "lost" (the payment goes through but the answer is lost; Stripe then answers
// the retry with payment_intent_unexpected_state and the succeeded intent), "throw" (an
// IntegrationError thrown synchronously) or "canceled" (unexpected state, intent canceled).
export function install_fakes(contentPaid, firstConfirm) {
  const state = { requests: [], purchases: 0, paid: contentPaid, confirms: 0, mountedInLightDom: null,
    stripeOptions: null, destroyed: 0, charges: 0, hang: false, aborted: 0 };
  window.__plogTest = state;
  const realFetch = window.__plogRealFetch || (window.__plogRealFetch = window.fetch);
  window.fetch = async (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    if (!url.startsWith("https://plog.test/")) return realFetch(input, init);
    const method = (init && init.method) || (typeof input === "string" ? "GET" : input.method);
    state.requests.push(method + " " + url);
    if (state.hang) {
      // A server that never answers: the request ends only when the widget aborts it.
      const signal = (init && init.signal) || input.signal;
      return new Promise((_, reject) => signal.addEventListener("abort", () => {
        state.aborted += 1;
        reject(new DOMException("The operation was aborted.", "AbortError"));
      }));
    }
    const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
    if (url.endsWith("/purchases")) {
      state.purchases += 1;
      return json(201, { purchase_id: "pur_" + state.purchases, client_secret: "pi_" + state.purchases + "_secret_x", access_token: "token-" + state.purchases,
        price: { amount: 100, currency: "jpy" } });
    }
    if (url.endsWith("/content")) {
      const headers = init && init.headers ? new Headers(init.headers) : (typeof input === "string" ? new Headers() : input.headers);
      const token = (headers.get("authorization") || "").replace(/^Bearer /, "");
      if (token.includes("refunded")) return json(402, { error: { code: "access_ended", message: "refunded" } });
      // `paidToken`: only that purchase was paid (another tab's token stays unpaid).
      return state.paid && (!state.paidToken || token === state.paidToken)
        ? json(200, { html: "<p id=\"paid\">The paid part.</p>" })
        : json(402, { error: { code: "payment_required", message: "not paid" } });
    }
    return json(200, { id: "pw_test", title: "A title", teaser: "A teaser", price: { amount: 100, currency: "jpy" },
      status: "active", stripe: { publishable_key: "pk_test_x", js_url: "https://stripe.invalid/v3/" }, sandbox: true });
  };
  const unexpected = (status) => ({ error: { type: "invalid_request_error", code: "payment_intent_unexpected_state",
    message: "This PaymentIntent's status is " + status + ".", payment_intent: { id: "pi_1", object: "payment_intent", status } } });
  window.Stripe = function (key, options) {
    state.stripeOptions = options || null;
    return {
      // The card Element; the wallet buttons (a device that offers no wallet: never ready).
      elements() { return { create(kind) { return kind === "expressCheckout" ? { mount() {}, destroy() {}, on() {} } : {
        mount(node) { state.mountedInLightDom = !(node.getRootNode() instanceof ShadowRoot); node.appendChild(document.createElement("input")); },
        destroy() { state.destroyed += 1; }, on() {}, focus() {},
      }; } }; },
      confirmCardPayment(secret) {
        state.confirms += 1;
        const first = state.confirms === 1;
        if (first && firstConfirm === "throw") {
          const error = new Error("Invalid value for confirmCardPayment: the Element is gone.");
          error.name = "IntegrationError";
          throw error;
        }
        return (async () => {
          if (first && firstConfirm === "decline") return { error: { type: "card_error", code: "card_declined", message: "Your card was declined." } };
          if (first && firstConfirm === "canceled") return unexpected("canceled");
          if (firstConfirm === "lost" && state.charges > 0) return unexpected("succeeded");
          state.charges += 1;
          state.paid = true;
          if (first && firstConfirm === "lost") return { error: { type: "api_connection_error", message: "A network error occurred." } };
          return { paymentIntent: { id: "pi_1", status: "succeeded", client_secret: secret } };
        })();
      },
    };
  };
}
export function test_state() { return window.__plogTest; }
// Site storage refused as Safari's "block all cookies" or a policy does: reading
// window.localStorage throws a SecurityError.
export function refuse_storage() {
  window.__plogStorage = window.__plogStorage || Object.getOwnPropertyDescriptor(window, "localStorage");
  Object.defineProperty(window, "localStorage", { configurable: true,
    get() { throw new DOMException("The operation is insecure.", "SecurityError"); } });
}
// DOM clobbering: an element id="Stripe" on the blog's page is window.Stripe too.
export function clobber_stripe() {
  delete window.Stripe;
  const element = document.createElement("div");
  element.id = "Stripe";
  document.body.appendChild(element);
  return element;
}
export function stripe_is_a_function() { return typeof window.Stripe === "function"; }
export function allow_storage() {
  if (window.__plogStorage) Object.defineProperty(window, "localStorage", window.__plogStorage);
}
export function hang_requests() { window.__plogTest.hang = true; }
export function new_host() {
  const host = document.createElement("plog-paywall");
  host.setAttribute("data-paywall", "pw_test");
  host.setAttribute("data-lang", "en");
  document.body.appendChild(host);
  return host;
}
export function shadow_text(host) { return host.shadowRoot ? host.shadowRoot.textContent : ""; }
export function click(host, selector) { host.shadowRoot.querySelector(selector).click(); }
export function visible(host, selector) {
  const node = host.shadowRoot.querySelector(selector);
  return !!node && node.checkVisibility();
}
export function disabled(host, selector) { return host.shadowRoot.querySelector(selector).disabled; }
export function paid_html() { const c = document.querySelector("plog-content"); return c ? c.innerHTML : ""; }
export function clear_page() {
  // Only our own nodes: the test runner reports through its own elements in the body.
  document.querySelectorAll("plog-paywall, plog-content").forEach((n) => n.remove());
  Object.keys(localStorage).filter((k) => k.startsWith("plog:")).forEach((k) => localStorage.removeItem(k));
}
"#)]
extern "C" {
    fn install_fakes(content_paid: bool, first_confirm: &str);
    fn test_state() -> JsValue;
    fn refuse_storage();
    fn allow_storage();
    fn clobber_stripe() -> web_sys::Element;
    fn stripe_is_a_function() -> bool;
    fn hang_requests();
    fn new_host() -> web_sys::HtmlElement;
    fn shadow_text(host: &web_sys::HtmlElement) -> String;
    fn click(host: &web_sys::HtmlElement, selector: &str);
    fn visible(host: &web_sys::HtmlElement, selector: &str) -> bool;
    fn disabled(host: &web_sys::HtmlElement, selector: &str) -> bool;
    fn paid_html() -> String;
    fn clear_page();
}

fn state(key: &str) -> JsValue {
    js_sys::Reflect::get(&test_state(), &key.into()).unwrap()
}

/// Mounts the test paywall into `host` as the loader does when it painted nothing: a styled
/// open shadow root, then the widget.
fn mount_paywall(host: &web_sys::HtmlElement) {
    let shadow = host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open)).unwrap();
    plog_widget::theme::adopt_stylesheet(&shadow).unwrap();
    plog_widget::mount(host.clone(), "pw_test".into(), "https://plog.test".into(), JsValue::UNDEFINED).unwrap();
}

/// Leptos updates the DOM asynchronously: wait until `check` holds (or fail after 3 s).
async fn until(what: &str, check: impl Fn() -> bool) {
    for _ in 0..150 {
        if check() {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    panic!("timed out waiting for: {what}");
}

#[wasm_bindgen_test]
fn prices_follow_the_currency_and_the_language() {
    assert_eq!(format_price(100, "jpy", "en"), "¥100");
    assert_eq!(format_price(100, "jpy", "ja"), "￥100");
    assert_eq!(format_price(100, "usd", "en"), "$1.00");
    assert_eq!(format_price(100, "usd", "ja"), "$1.00");
    assert_eq!(format_price(250, "eur", "en"), "€2.50");
    assert_eq!(format_price(250, "eur", "ja"), "€2.50");
    assert_eq!(format_price(123_456, "usd", "en"), "$1,234.56");
    assert_eq!(format_price(1_000, "jpy", "ja"), "￥1,000");
    assert_eq!(format_price(99_999_999, "usd", "en"), "$999,999.99");
    assert_eq!(format_price(300, "sek", "en"), "SEK\u{a0}3.00", "a code, then a no-break space");
    assert_eq!(format_price(17_550, "huf", "ja"), "HUF\u{a0}176", "whole forints, rounded half up");
    assert_eq!(format_price(700, "krw", "en"), "₩700");
    assert_eq!(format_price(150, "xyz", "en"), "150 XYZ", "a currency plog does not know");
}

#[wasm_bindgen(inline_js = r#"
export function intl_price(major, currency, locale) {
  return new Intl.NumberFormat(locale, { style: "currency", currency }).format(major);
}
"#)]
extern "C" {
    fn intl_price(major: f64, currency: &str, locale: &str) -> String;
}

#[wasm_bindgen_test]
fn prices_are_written_as_the_browsers_intl_writes_them_for_every_currency() {
    for currency in plog_shared::money::SUPPORTED_CURRENCIES {
        for amount in [currency.minimum, 123_456, 99_999_999] {
            for locale in ["en", "ja"] {
                let major = amount as f64 / 10_f64.powi(i32::from(currency.exponent));
                let intl = intl_price(major, &currency.code.to_ascii_uppercase(), locale);
                assert_eq!(format_price(amount, currency.code, locale), intl, "{amount} {} in {locale}", currency.code);
            }
        }
    }
}

#[wasm_bindgen_test]
fn the_language_comes_from_the_tag_then_the_page_then_the_browser() {
    assert_eq!(choose(Some("ja"), Some("en"), Some("en-US")), Lang::Ja);
    assert_eq!(choose(None, Some("ja-JP"), Some("en-US")), Lang::Ja);
    assert_eq!(choose(None, None, Some("en-GB")), Lang::En);
    assert_eq!(Lang::Ja.texts().locale, "ja");
}

#[wasm_bindgen_test]
fn tokens_are_kept_per_origin_and_paywall_a_new_one_beside_the_others() {
    clear_page();
    keep_token("https://a.example", "pw_1", "t1");
    keep_token("https://b.example", "pw_1", "t2");
    keep_token("https://a.example", "pw_1", "t3");
    keep_token("https://a.example", "pw_1", "t1");
    assert_eq!(tokens("https://a.example", "pw_1"), ["t1", "t3"], "a new purchase never overwrites a token");
    assert_eq!(tokens("https://b.example", "pw_1"), ["t2"]);
    assert!(tokens("https://a.example", "pw_2").is_empty());
    forget_token("https://a.example", "pw_1", "t1");
    assert_eq!(tokens("https://a.example", "pw_1"), ["t3"]);
    settle_token("https://a.example", "pw_1", "t9");
    assert_eq!(tokens("https://a.example", "pw_1"), ["t9"], "the token that opened is the one kept");
    for n in 0..40 {
        keep_token("https://a.example", "pw_1", &format!("u{n}"));
    }
    assert_eq!(tokens("https://a.example", "pw_1").len(), 16, "bounded: the oldest unpaid ones go");
    assert_eq!(token_key("https://a.example", "pw_1"), "plog:token:https://a.example:pw_1");
    // What an earlier widget stored (one token) reads as a list of one.
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .set_item(&token_key("https://c.example", "pw_1"), "old")
        .unwrap();
    assert_eq!(tokens("https://c.example", "pw_1"), ["old"]);
}

#[wasm_bindgen_test]
fn pass_tokens_are_one_list_per_origin_without_duplicates() {
    let origin = "https://passes.test";
    assert!(pass_tokens(origin).is_empty());
    save_pass_token(origin, "tok-a");
    save_pass_token(origin, "tok-b");
    save_pass_token(origin, "tok-a");
    assert_eq!(pass_tokens(origin), ["tok-a", "tok-b"]);
    assert!(pass_tokens("https://other.test").is_empty());
    forget_pass_token(origin, "tok-a");
    assert_eq!(pass_tokens(origin), ["tok-b"]);
    forget_pass_token(origin, "tok-b");
    assert!(pass_tokens(origin).is_empty());
}

#[wasm_bindgen_test]
fn pass_titles_are_escaped_before_they_are_written_as_html() {
    assert_eq!(
        escape(r#"All <b>"articles"</b> & 'more'"#),
        "All &lt;b&gt;&quot;articles&quot;&lt;/b&gt; &amp; &#39;more&#39;"
    );
    assert_eq!(escape("すべての記事"), "すべての記事");
}

#[wasm_bindgen_test]
async fn locked_then_declined_then_paid_with_one_purchase() {
    clear_page();
    install_fakes(false, "decline");
    let host = new_host();
    mount_paywall(&host);
    until("locked", || visible(&host, ".buy")).await;
    assert!(shadow_text(&host).contains("¥100"));
    assert!(shadow_text(&host).contains("sandbox"));

    click(&host, ".buy");
    until("paying", || visible(&host, ".pay")).await;
    assert_eq!(state("mountedInLightDom"), JsValue::TRUE, "the card mounts in the light DOM");
    assert_eq!(tokens("https://plog.test", "pw_test"), ["token-1"]);

    click(&host, ".pay");
    until("declined", || shadow_text(&host).contains("Your card was declined.")).await;
    assert!(visible(&host, ".pay"), "the reader can retry");

    click(&host, ".pay");
    until("unlocked", || paid_html().contains("The paid part.")).await;
    assert_eq!(state("purchases").as_f64(), Some(1.0), "the retry used the same purchase");
    assert_eq!(state("confirms").as_f64(), Some(2.0));
}

#[wasm_bindgen_test]
async fn a_returning_reader_sees_the_content_without_payment_ui() {
    clear_page();
    install_fakes(true, "ok");
    keep_token("https://plog.test", "pw_test", "token-held");
    let host = new_host();
    mount_paywall(&host);
    until("unlocked", || paid_html().contains("The paid part.")).await;
    let requests: Vec<String> = js_sys::Array::from(&state("requests")).iter().filter_map(|r| r.as_string()).collect();
    assert_eq!(requests, vec!["GET https://plog.test/v1/paywalls/pw_test/content".to_owned()]);
}

#[wasm_bindgen_test]
async fn a_token_refused_for_good_is_dropped_one_not_paid_yet_is_kept() {
    clear_page();
    install_fakes(false, "ok");
    keep_token("https://plog.test", "pw_test", "token-refunded");
    keep_token("https://plog.test", "pw_test", "token-pending");
    let host = new_host();
    mount_paywall(&host);
    until("locked", || visible(&host, ".buy")).await;
    assert_eq!(tokens("https://plog.test", "pw_test"), ["token-pending"], "pending may open later: kept");
}

/// H2 of the review: another tab started its own purchase (its token now in storage), and this
/// tab pays. The unlock and the receipt use the purchase this tab confirmed.
#[wasm_bindgen_test]
async fn the_purchase_confirmed_unlocks_whatever_another_tab_stored() {
    clear_page();
    install_fakes(false, "ok");
    js_sys::Reflect::set(&test_state(), &"paidToken".into(), &"token-1".into()).unwrap();
    let host = paying_paywall().await;
    settle_token("https://plog.test", "pw_test", "token-other-tab");
    click(&host, ".pay");
    until("unlocked", || paid_html().contains("The paid part.")).await;
    assert_eq!(tokens("https://plog.test", "pw_test"), ["token-1"], "the paid purchase is the one kept");
}

/// H2 of the review: site storage refused (reading `localStorage` throws a SecurityError). The
/// card form says the article opens for this visit only, and the payment opens it.
#[wasm_bindgen_test]
async fn without_site_storage_the_reader_is_told_and_the_payment_still_opens_the_article() {
    clear_page();
    install_fakes(false, "ok");
    refuse_storage();
    let host = paying_paywall().await;
    until("told", || visible(&host, ".no-storage")).await;
    assert!(shadow_text(&host).contains("for this visit only"), "{}", shadow_text(&host));
    click(&host, ".pay");
    until("unlocked", || paid_html().contains("The paid part.")).await;
    allow_storage();
    assert!(tokens("https://plog.test", "pw_test").is_empty(), "nothing could be kept");
}

/// Mounts a paywall, presses Buy and waits for the card form.
async fn paying_paywall() -> web_sys::HtmlElement {
    let host = new_host();
    mount_paywall(&host);
    until("locked", || visible(&host, ".buy")).await;
    click(&host, ".buy");
    until("paying", || visible(&host, ".pay")).await;
    host
}

fn count(key: &str) -> f64 {
    state(key).as_f64().unwrap()
}

/// I4 of the review: `<div id="Stripe">` on the blog's page made the widget take the element for
/// Stripe.js and never load it, so Buy did nothing.
#[wasm_bindgen_test]
async fn an_element_named_stripe_on_the_page_is_not_taken_for_stripe_js() {
    let element = clobber_stripe();
    assert!(!stripe_is_a_function());
    let loaded = plog_widget::stripe_js::load("data:text/javascript,window.Stripe=function(){return {}}").await;
    element.remove();
    assert!(loaded.is_ok(), "{loaded:?}");
    assert!(stripe_is_a_function(), "Stripe.js was loaded, not the element taken for it");
}

#[wasm_bindgen_test]
async fn stripe_js_speaks_the_widgets_language() {
    clear_page();
    install_fakes(false, "ok");
    let _host = paying_paywall().await;
    let locale = js_sys::Reflect::get(&state("stripeOptions"), &"locale".into()).unwrap();
    assert_eq!(locale.as_string().as_deref(), Some("en"));
}

#[wasm_bindgen_test]
async fn a_lost_answer_then_pay_again_unlocks_without_a_second_charge() {
    clear_page();
    install_fakes(false, "lost");
    let host = paying_paywall().await;
    click(&host, ".pay");
    until("the lost answer shows as an error", || shadow_text(&host).contains("A network error occurred.")).await;
    click(&host, ".pay");
    until("unlocked", || paid_html().contains("The paid part.")).await;
    assert_eq!(count("charges"), 1.0, "one charge");
    assert_eq!(count("purchases"), 1.0, "no fresh purchase for an intent that succeeded");
    assert_eq!(count("confirms"), 2.0);
}

#[wasm_bindgen_test]
async fn a_canceled_intent_leads_to_one_fresh_purchase_in_the_same_press() {
    clear_page();
    install_fakes(false, "canceled");
    let host = paying_paywall().await;
    click(&host, ".pay");
    until("unlocked", || paid_html().contains("The paid part.")).await;
    assert_eq!(count("purchases"), 2.0);
    assert_eq!(count("charges"), 1.0);
}

#[wasm_bindgen_test]
async fn a_synchronous_throw_leaves_a_form_the_reader_can_retry_from() {
    clear_page();
    install_fakes(false, "throw");
    let host = paying_paywall().await;
    click(&host, ".pay");
    until("an error the reader can act on", || shadow_text(&host).contains("The payment did not go through.")).await;
    until("Pay enabled again", || !disabled(&host, ".pay")).await;
    click(&host, ".pay");
    until("unlocked", || paid_html().contains("The paid part.")).await;
    assert_eq!(count("charges"), 1.0);
    assert_eq!(count("destroyed"), 1.0, "the card Element is destroyed when the form closes");
}

#[wasm_bindgen_test]
async fn unmounting_aborts_the_requests_in_flight() {
    clear_page();
    install_fakes(false, "ok");
    hang_requests();
    let host = new_host();
    mount_paywall(&host);
    until("the paywall is being read", || js_sys::Array::from(&state("requests")).length() == 1).await;
    assert_eq!(count("aborted"), 0.0, "nothing aborts while the paywall is mounted");
    assert!(plog_widget::mount::unmount(&host), "the paywall was mounted there");
    until("the read is aborted", || count("aborted") == 1.0).await;
    assert!(!plog_widget::mount::unmount(&host), "unmounted once");
    // The aborted flow ended quietly (a panic would have trapped the module): another paywall
    // still mounts and shows.
    install_fakes(false, "ok");
    let other = new_host();
    mount_paywall(&other);
    until("locked", || visible(&other, ".buy")).await;
}

#[wasm_bindgen(inline_js = r#"
export function paint(host, html) {
  const shadow = host.attachShadow({ mode: "open" });
  const painted = document.createElement("div");
  painted.innerHTML = html;
  shadow.appendChild(painted);
  return painted;
}
export function painted_view() {
  return { html: "", lang: "en", notice: "pass_ended", unavailable: "Not available right now.", paywall: { id: "pw_test", title: "Painted", teaser: null,
    price: { amount: 300, currency: "jpy" }, status: "active", sandbox: false, mode: "fixed", presets: [],
    receipts: false, passes: [], codes: false, stripe: { publishable_key: "pk_test_x", js_url: "https://stripe.invalid/v3/" } } };
}
export function shadow_children(host) { return host.shadowRoot.children.length; }
export function is_child(host, node) { return node.parentNode === host.shadowRoot; }
"#)]
extern "C" {
    fn paint(host: &web_sys::HtmlElement, html: &str) -> web_sys::Element;
    fn painted_view() -> JsValue;
    fn shadow_children(host: &web_sys::HtmlElement) -> u32;
    fn is_child(host: &web_sys::HtmlElement, node: &web_sys::Element) -> bool;
}

#[wasm_bindgen_test]
fn a_painted_view_is_taken_over_in_one_task_without_reading_the_paywall_again() {
    clear_page();
    install_fakes(false, "ok");
    let host = new_host();
    let painted = paint(&host, "<p>painted by the server</p>");
    plog_widget::mount(host.clone(), "pw_test".into(), "https://plog.test".into(), painted_view()).unwrap();
    // Synchronously: the painted nodes are gone and the widget's locked view stands in their place.
    assert!(!is_child(&host, &painted), "the painted nodes were replaced");
    assert_eq!(shadow_children(&host), 1);
    let text = shadow_text(&host);
    assert!(text.contains("Painted") && text.contains("¥300"), "{text}");
    assert!(text.contains("Your pass has ended."), "the painted notice is kept: {text}");
    assert!(!text.contains("painted by the server"));
    let requests = js_sys::Array::from(&state("requests")).length();
    assert_eq!(requests, 0, "the loader already read the paywall and tried the tokens");
}
