//! The API's JSON as the shared types of `plog_shared::api`: every answer the widget reads is a
//! [`Decode`], every request it sends an [`Encode`]. They go through the browser's `JSON.parse`
//! and `JSON.stringify` rather than serde: serde_json was the largest thing in the widget
//! (27 KB of 97 KB brotli when it was in, bench/README.md), and every reader downloads it. The
//! wasm test `widget/tests/wire.rs` holds each of them to serde's own encoding of the same types,
//! which is what the server sends and reads, so the two cannot drift apart.

use plog_shared::ErrorCode;
use plog_shared::api::{
    CodeRequest, DiscountQuote, ErrorBody, ErrorDetail, GiftOpened, PaidContent, PaintedView, PassOffer, PassQuote,
    PaywallInfo, PaywallMode, PaywallStatus, Price, PurchaseCreated, PurchaseRequest, ReaderAmount, ReceiptRequest,
    RestoreRequest, RestoreStarted, RestoredAccess, RestoredToken, StripePublicInfo,
};
use wasm_bindgen::JsValue;

use crate::json::{self, boolean, field, integer, string};

/// Read from the API's JSON (already parsed by the browser).
pub trait Decode: Sized {
    /// The value, or `None` when a required field is missing or of another type.
    fn decode(value: &JsValue) -> Option<Self>;
}

/// Written as the API reads it.
pub trait Encode {
    /// The JSON object the API expects.
    fn encode(&self) -> JsValue;
}

/// The items of an array field that decode (none if the field is absent).
fn list<T: Decode>(value: &JsValue, key: &str) -> Option<Vec<T>> {
    match field(value, key) {
        None => Some(Vec::new()),
        Some(items) if js_sys::Array::is_array(&items) => {
            js_sys::Array::from(&items).iter().map(|i| T::decode(&i)).collect()
        }
        Some(_) => None,
    }
}

/// The integers of an array field (none if the field is absent).
fn integers(value: &JsValue, key: &str) -> Vec<i64> {
    let items = field(value, key).map(|l| js_sys::Array::from(&l)).unwrap_or_default();
    items.iter().filter_map(|v| v.as_f64()).filter(|n| n.fract() == 0.0).map(|n| n as i64).collect()
}

/// An object of the fields whose value is present.
fn object(fields: &[(&str, Option<JsValue>)]) -> JsValue {
    let present: Vec<(&str, JsValue)> = fields.iter().filter_map(|(key, value)| Some((*key, value.clone()?))).collect();
    json::object(&present)
}

fn text(value: &Option<String>) -> Option<JsValue> {
    value.as_deref().map(JsValue::from_str)
}

impl Decode for Price {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(Price { amount: integer(value, "amount")?, currency: string(value, "currency")? })
    }
}

impl Decode for StripePublicInfo {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(StripePublicInfo {
            publishable_key: string(value, "publishable_key")?,
            js_url: string(value, "js_url")?,
            account: string(value, "account"),
        })
    }
}

impl Decode for PassOffer {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(PassOffer {
            id: string(value, "id")?,
            title: string(value, "title")?,
            price: Price::decode(&field(value, "price")?)?,
            days: integer(value, "days"),
        })
    }
}

impl Decode for PaywallInfo {
    /// `GET /v1/paywalls/{id}`, and the view route's `paywall`.
    fn decode(value: &JsValue) -> Option<Self> {
        Some(PaywallInfo {
            id: string(value, "id")?,
            title: string(value, "title")?,
            teaser: string(value, "teaser"),
            price: Price::decode(&field(value, "price")?)?,
            status: PaywallStatus::parse(&string(value, "status")?)?,
            stripe: StripePublicInfo::decode(&field(value, "stripe")?)?,
            sandbox: boolean(value, "sandbox").unwrap_or(false),
            // A mode this build does not know is read as the plain price (the server refuses
            // any amount that mode does not take).
            mode: string(value, "mode").and_then(|m| PaywallMode::parse(&m)).unwrap_or_default(),
            suggested: integer(value, "suggested"),
            maximum: integer(value, "maximum"),
            presets: integers(value, "presets"),
            tip_count: integer(value, "tip_count"),
            receipts: boolean(value, "receipts").unwrap_or(false),
            passes: list(value, "passes")?,
            codes: boolean(value, "codes").unwrap_or(false),
        })
    }
}

impl Decode for PaintedView {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(PaintedView {
            html: string(value, "html")?,
            lang: string(value, "lang")?,
            notice: string(value, "notice"),
            paywall: PaywallInfo::decode(&field(value, "paywall")?)?,
            unavailable: string(value, "unavailable")?,
        })
    }
}

impl Decode for PurchaseCreated {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(PurchaseCreated {
            purchase_id: string(value, "purchase_id")?,
            client_secret: string(value, "client_secret")?,
            access_token: string(value, "access_token")?,
            price: Price::decode(&field(value, "price")?)?,
        })
    }
}

impl Decode for PaidContent {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(PaidContent { html: string(value, "html")? })
    }
}

impl Decode for PassQuote {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(PassQuote { pass_id: string(value, "pass_id")?, amount: integer(value, "amount")? })
    }
}

impl Decode for DiscountQuote {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(DiscountQuote {
            code: string(value, "code")?,
            amount: integer(value, "amount"),
            passes: list(value, "passes")?,
        })
    }
}

impl Decode for GiftOpened {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(GiftOpened { access_token: string(value, "access_token")?, html: string(value, "html")? })
    }
}

impl Decode for RestoreStarted {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(RestoreStarted { restore_id: string(value, "restore_id")?, expires_in: integer(value, "expires_in")? })
    }
}

impl Decode for RestoredToken {
    fn decode(value: &JsValue) -> Option<Self> {
        Some(RestoredToken {
            paywall_id: string(value, "paywall_id")?,
            access_token: string(value, "access_token")?,
            pass_id: string(value, "pass_id"),
        })
    }
}

impl Decode for RestoredAccess {
    fn decode(value: &JsValue) -> Option<Self> {
        field(value, "tokens")?;
        Some(RestoredAccess { tokens: list(value, "tokens")? })
    }
}

impl Decode for ErrorBody {
    /// `{"error":{"code","message"}}`; a code this build does not know reads as
    /// [`ErrorCode::Unknown`].
    fn decode(value: &JsValue) -> Option<Self> {
        let error = field(value, "error")?;
        let code = ErrorCode::from_name(&string(&error, "code")?);
        Some(ErrorBody { error: ErrorDetail { code, message: string(&error, "message")? } })
    }
}

impl Encode for PurchaseRequest {
    fn encode(&self) -> JsValue {
        let amount = self.amount.map(|amount| match amount {
            ReaderAmount::Whole(amount) => JsValue::from_f64(amount as f64),
            // Never built by the widget, which parses amounts itself; sent as what it is.
            ReaderAmount::NotWhole(_) => JsValue::from_f64(0.5),
        });
        object(&[
            ("amount", amount),
            ("pass_id", text(&self.pass_id)),
            ("discount_code", text(&self.discount_code)),
            ("email", text(&self.email)),
            ("page", text(&self.page)),
            ("language", text(&self.language)),
        ])
    }
}

impl Encode for ReceiptRequest {
    fn encode(&self) -> JsValue {
        object(&[
            ("email", Some(JsValue::from_str(&self.email))),
            ("page", text(&self.page)),
            ("language", text(&self.language)),
        ])
    }
}

impl Encode for RestoreRequest {
    fn encode(&self) -> JsValue {
        object(&[
            ("email", Some(JsValue::from_str(&self.email))),
            ("page", Some(JsValue::from_str(&self.page))),
            ("language", text(&self.language)),
        ])
    }
}

impl Encode for CodeRequest {
    fn encode(&self) -> JsValue {
        object(&[("code", Some(JsValue::from_str(&self.code)))])
    }
}
