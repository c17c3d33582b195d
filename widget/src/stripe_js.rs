//! Every Stripe.js binding of the widget: private `extern "C"` items behind safe functions
//! returning `Result`. The card Element and `confirmCardPayment`; the wallet buttons (the
//! Express Checkout Element in a deferred-intent Elements group) and `confirmPayment`.
//!
//! Stripe.js is loaded only when a reader presses Buy (readers who never buy never download it),
//! once per page however many paywalls it holds.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = Stripe, catch)]
    fn stripe_constructor(publishable_key: &str, options: &JsValue) -> Result<StripeInstance, JsValue>;

    /// A `Stripe(pk)` instance.
    #[derive(Clone, Debug)]
    pub type StripeInstance;

    #[wasm_bindgen(method, catch)]
    fn elements(this: &StripeInstance) -> Result<Elements, JsValue>;

    #[wasm_bindgen(method, catch, js_name = elements)]
    fn elements_with(this: &StripeInstance, options: &JsValue) -> Result<WalletElements, JsValue>;

    #[wasm_bindgen(method, catch, js_name = confirmPayment)]
    fn confirm_payment_raw(this: &StripeInstance, options: &JsValue) -> Result<js_sys::Promise, JsValue>;

    // `catch`: Stripe.js reports misuse (a malformed client secret, an Element that is gone) by
    // throwing an `IntegrationError` rather than by rejecting.
    #[wasm_bindgen(method, catch, js_name = confirmCardPayment)]
    fn confirm_card_payment_raw(
        this: &StripeInstance,
        client_secret: &str,
        data: &JsValue,
    ) -> Result<js_sys::Promise, JsValue>;

    #[derive(Clone, Debug)]
    type Elements;

    #[wasm_bindgen(method, catch)]
    fn create(this: &Elements, kind: &str, options: &JsValue) -> Result<CardElement, JsValue>;

    /// A mounted or mountable card Element.
    #[derive(Clone, Debug)]
    pub type CardElement;

    #[wasm_bindgen(method, catch, js_name = mount)]
    fn mount_raw(this: &CardElement, target: &web_sys::Element) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = destroy)]
    fn destroy_raw(this: &CardElement) -> Result<(), JsValue>;

    #[wasm_bindgen(method, js_name = on)]
    fn on_raw(this: &CardElement, event: &str, handler: &js_sys::Function);

    #[wasm_bindgen(method, catch, js_name = focus)]
    fn focus_raw(this: &CardElement) -> Result<(), JsValue>;

    /// The wallets' Elements group, created in deferred-intent mode (`mode`, `amount`,
    /// `currency`): it exists before the sheet opens, and the purchase's intent is confirmed
    /// with it.
    #[derive(Clone, Debug)]
    pub type WalletElements;

    #[wasm_bindgen(method, catch, js_name = create)]
    fn create_express(this: &WalletElements, kind: &str, options: &JsValue) -> Result<WalletButtons, JsValue>;

    #[wasm_bindgen(method, catch, js_name = submit)]
    fn submit_raw(this: &WalletElements) -> Result<js_sys::Promise, JsValue>;

    /// The Express Checkout Element: the wallet buttons this device offers.
    #[derive(Clone, Debug)]
    pub type WalletButtons;

    #[wasm_bindgen(method, catch, js_name = mount)]
    fn mount_raw(this: &WalletButtons, target: &web_sys::Element) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch, js_name = destroy)]
    fn destroy_raw(this: &WalletButtons) -> Result<(), JsValue>;

    #[wasm_bindgen(method, js_name = on)]
    fn on_raw(this: &WalletButtons, event: &str, handler: &js_sys::Function);
}

/// A failure of Stripe.js itself (not a decline).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeJsError(pub String);

impl From<JsValue> for StripeJsError {
    fn from(value: JsValue) -> Self {
        let message = js_sys::Reflect::get(&value, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .or_else(|| value.as_string())
            .unwrap_or_else(|| "Stripe.js error".into());
        StripeJsError(message)
    }
}

thread_local! {
    /// The page-wide load of Stripe.js, shared by every paywall of this widget instance.
    static LOADING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
}

/// Whether `window.Stripe` is Stripe.js's function. Not merely present: an element
/// `id="Stripe"` on the blog's page is `window.Stripe` too (DOM clobbering), and taking it for
/// Stripe.js would leave Buy dead.
fn stripe_present() -> bool {
    web_sys::window()
        .and_then(|w| js_sys::Reflect::get(&w, &"Stripe".into()).ok())
        .is_some_and(|stripe| stripe.is_function())
}

/// Injects `<script src=js_url>` once and waits for it to load.
pub async fn load(js_url: &str) -> Result<(), StripeJsError> {
    if stripe_present() {
        return Ok(());
    }
    let promise = LOADING.with(|loading| {
        let mut loading = loading.borrow_mut();
        if let Some(promise) = loading.as_ref() {
            return Ok::<_, StripeJsError>(promise.clone());
        }
        let document = web_sys::window().and_then(|w| w.document()).ok_or(StripeJsError("no document".into()))?;
        let script: web_sys::HtmlScriptElement = document.create_element("script")?.unchecked_into();
        script.set_src(js_url);
        script.set_async(true);
        let promise = js_sys::Promise::new(&mut |resolve, reject| {
            script.set_onload(Some(&resolve));
            script.set_onerror(Some(&reject));
        });
        document.head().ok_or(StripeJsError("no <head>".into()))?.append_child(&script)?;
        *loading = Some(promise.clone());
        Ok(promise)
    })?;
    if let Err(error) = JsFuture::from(promise).await {
        // Let a later press of Buy try again.
        LOADING.with(|loading| loading.borrow_mut().take());
        let _ = error;
        return Err(StripeJsError(String::from("could not load Stripe.js from ") + js_url));
    }
    if stripe_present() { Ok(()) } else { Err(StripeJsError("Stripe.js loaded but defined no Stripe()".into())) }
}

/// `Stripe(publishable_key, {locale, stripeAccount})`: Stripe.js speaks the widget's language
/// (its messages, shown verbatim, included) and, on a plog for many creators, acts on the
/// creator's connected account, where the PaymentIntent lives.
pub fn stripe(publishable_key: &str, locale: &str, account: Option<&str>) -> Result<StripeInstance, StripeJsError> {
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"locale".into(), &locale.into())?;
    if let Some(account) = account {
        js_sys::Reflect::set(&options, &"stripeAccount".into(), &account.into())?;
    }
    Ok(stripe_constructor(publishable_key, &options)?)
}

/// `stripe.elements().create('card', options)`.
pub fn create_card(stripe: &StripeInstance, options: &JsValue) -> Result<CardElement, StripeJsError> {
    Ok(stripe.elements()?.create("card", options)?)
}

impl CardElement {
    /// Mounts the Element into a light-DOM node (Stripe refuses nodes inside a shadow root).
    pub fn mount(&self, target: &web_sys::Element) -> Result<(), StripeJsError> {
        Ok(self.mount_raw(target)?)
    }

    /// Takes the Element out of the page for good and lets Stripe.js release it (a destroyed
    /// Element cannot be mounted again; the next Buy creates a new one).
    pub fn destroy(&self) {
        let _ = self.destroy_raw();
    }

    /// Moves keyboard focus into the card field.
    pub fn focus(&self) {
        let _ = self.focus_raw();
    }

    /// Calls `handler(error_message_or_none, complete)` on every `change` event. The closure
    /// lives as long as the returned handle.
    pub fn on_change(&self, mut handler: impl FnMut(Option<String>, bool) + 'static) -> Closure<dyn FnMut(JsValue)> {
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let error = js_sys::Reflect::get(&event, &"error".into()).ok().filter(|e| e.is_object());
            let message =
                error.and_then(|e| js_sys::Reflect::get(&e, &"message".into()).ok()).and_then(|m| m.as_string());
            let complete =
                js_sys::Reflect::get(&event, &"complete".into()).ok().and_then(|c| c.as_bool()).unwrap_or(false);
            handler(message, complete);
        });
        self.on_raw("change", closure.as_ref().unchecked_ref());
        closure
    }
}

/// `stripe.elements({mode: 'payment', amount, currency, allowedPaymentMethodTypes})`: the group
/// the wallet buttons live in, priced as the server priced the purchase.
pub fn wallet_elements(
    stripe: &StripeInstance,
    amount: i64,
    currency: &str,
    allowed: &[&str],
) -> Result<WalletElements, StripeJsError> {
    let types = allowed.iter().map(|t| JsValue::from_str(t)).collect::<js_sys::Array>();
    let options = crate::json::object(&[
        ("mode", JsValue::from_str("payment")),
        ("amount", JsValue::from_f64(amount as f64)),
        ("currency", JsValue::from_str(currency)),
        ("allowedPaymentMethodTypes", types.into()),
    ]);
    Ok(stripe.elements_with(&options)?)
}

impl WalletElements {
    /// `elements.create('expressCheckout', options)`.
    pub fn create_buttons(&self, options: &JsValue) -> Result<WalletButtons, StripeJsError> {
        Ok(self.create_express("expressCheckout", options)?)
    }

    /// `elements.submit()`: the wallet's data checked before the intent is confirmed; `Err`
    /// carries Stripe's message.
    pub async fn submit(&self) -> Result<(), StripeJsError> {
        let result = JsFuture::from(self.submit_raw()?).await?;
        let error = js_sys::Reflect::get(&result, &"error".into())?;
        if error.is_object() {
            return Err(StripeJsError(
                text(&error, "message").unwrap_or_else(|| "the wallet's data was refused".into()),
            ));
        }
        Ok(())
    }
}

impl WalletButtons {
    /// Mounts the buttons into a light-DOM node (Stripe refuses nodes inside a shadow root).
    pub fn mount(&self, target: &web_sys::Element) -> Result<(), StripeJsError> {
        Ok(self.mount_raw(target)?)
    }

    /// Takes the buttons out of the page for good.
    pub fn destroy(&self) {
        let _ = self.destroy_raw();
    }

    /// Calls `handler(offered)` on the `ready` event: whether the device offers any wallet
    /// (`availablePaymentMethods` is undefined when it offers none).
    pub fn on_ready(&self, mut handler: impl FnMut(bool) + 'static) -> Closure<dyn FnMut(JsValue)> {
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let methods =
                js_sys::Reflect::get(&event, &"availablePaymentMethods".into()).ok().filter(JsValue::is_object);
            let offered = methods.is_some_and(|methods| {
                js_sys::Object::values(methods.unchecked_ref()).iter().any(|v: JsValue| v.as_bool() == Some(true))
            });
            handler(offered);
        });
        self.on_raw("ready", closure.as_ref().unchecked_ref());
        closure
    }

    /// Calls `handler(confirm)` when the reader approved a payment in the wallet's sheet.
    pub fn on_confirm(&self, mut handler: impl FnMut(WalletConfirm) + 'static) -> Closure<dyn FnMut(JsValue)> {
        let closure = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| handler(WalletConfirm(event)));
        self.on_raw("confirm", closure.as_ref().unchecked_ref());
        closure
    }
}

/// The `confirm` event of the wallet buttons: the reader approved the sheet.
#[derive(Debug, Clone)]
pub struct WalletConfirm(JsValue);

impl WalletConfirm {
    /// The address the wallet shared (`billingDetails.email`), if it did.
    pub fn email(&self) -> Option<String> {
        js_sys::Reflect::get(&self.0, &"billingDetails".into())
            .ok()
            .filter(JsValue::is_object)
            .and_then(|details| text(&details, "email"))
            .filter(|email| !email.trim().is_empty())
    }

    /// `event.paymentFailed({reason: 'fail', message})`: the sheet says the payment failed.
    pub fn fail(&self, message: &str) {
        let Ok(failed) = js_sys::Reflect::get(&self.0, &"paymentFailed".into()) else { return };
        let Some(failed) = failed.dyn_ref::<js_sys::Function>() else { return };
        let payload =
            crate::json::object(&[("reason", JsValue::from_str("fail")), ("message", JsValue::from_str(message))]);
        let _ = failed.call1(&self.0, &payload);
    }
}

/// What `confirmCardPayment` (or `confirmPayment`) resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirmation {
    /// The PaymentIntent succeeded (or is processing: the content route settles it).
    Succeeded,
    /// Declined or failed, with Stripe's message and code.
    Failed {
        /// Stripe's message for the reader.
        message: Option<String>,
        /// Stripe's error code, e.g. `card_declined`, `payment_intent_unexpected_state`.
        code: Option<String>,
        /// The PaymentIntent's status as the error reports it (`error.payment_intent.status`):
        /// with `payment_intent_unexpected_state` it says whether the intent already succeeded.
        intent_status: Option<String>,
    },
}

fn text(value: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(value, &key.into()).ok().and_then(|v| v.as_string())
}

/// `stripe.confirmCardPayment(clientSecret, {payment_method: {card}})`.
pub async fn confirm_card_payment(
    stripe: &StripeInstance,
    client_secret: &str,
    card: &CardElement,
) -> Result<Confirmation, StripeJsError> {
    let payment_method = js_sys::Object::new();
    js_sys::Reflect::set(&payment_method, &"card".into(), card)?;
    let data = js_sys::Object::new();
    js_sys::Reflect::set(&data, &"payment_method".into(), &payment_method)?;
    let result = JsFuture::from(stripe.confirm_card_payment_raw(client_secret, &data)?).await?;
    confirmation(&result)
}

/// `stripe.confirmPayment({elements, clientSecret, confirmParams: {return_url}, redirect:
/// 'if_required'})`: the wallet's payment, on the purchase's intent. `return_url` is the page:
/// a wallet never redirects, but Stripe.js asks for one.
pub async fn confirm_payment(
    stripe: &StripeInstance,
    elements: &WalletElements,
    client_secret: &str,
    return_url: &str,
) -> Result<Confirmation, StripeJsError> {
    let options = crate::json::object(&[
        ("elements", JsValue::from(elements.clone())),
        ("clientSecret", JsValue::from_str(client_secret)),
        ("confirmParams", crate::json::object(&[("return_url", JsValue::from_str(return_url))])),
        ("redirect", JsValue::from_str("if_required")),
    ]);
    let result = JsFuture::from(stripe.confirm_payment_raw(&options)?).await?;
    confirmation(&result)
}

/// Reads a `PaymentIntentResult`: `{paymentIntent}` or `{error}`.
fn confirmation(result: &JsValue) -> Result<Confirmation, StripeJsError> {
    let error = js_sys::Reflect::get(result, &"error".into())?;
    if error.is_object() {
        let intent = js_sys::Reflect::get(&error, &"payment_intent".into()).ok().filter(JsValue::is_object);
        return Ok(Confirmation::Failed {
            message: text(&error, "message"),
            code: text(&error, "code"),
            intent_status: intent.and_then(|intent| text(&intent, "status")),
        });
    }
    let intent = js_sys::Reflect::get(result, &"paymentIntent".into())?;
    match text(&intent, "status") {
        Some(status) if took_payment(&status) => Ok(Confirmation::Succeeded),
        other => Ok(Confirmation::Failed { message: None, code: other.clone(), intent_status: other }),
    }
}

/// A PaymentIntent status that means the money is taken or being taken: the content route
/// settles the purchase from here, and the reader must never be asked to pay again.
pub fn took_payment(status: &str) -> bool {
    matches!(status, "succeeded" | "processing" | "requires_capture")
}
