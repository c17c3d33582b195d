//! The widget's client of the plog API (`/v1/paywalls/...`), over the browser's `fetch`.

use plog_shared::api::{
    DiscountQuote, PassOffer, PassQuote, PaywallInfo, PaywallMode, PaywallStatus, Price, PurchaseCreated,
    StripePublicInfo,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::json;

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The paywall does not exist (404).
    NotFound,
    /// The network or the server failed; the message is for logs, not readers.
    Unavailable(String),
    /// The widget went away ([`ApiClient::abort`]) while the request was in flight.
    Aborted,
    /// The API refused with its own error (e.g. 410 archived).
    Refused {
        /// HTTP status.
        status: u16,
        /// The API's error code (`discount_unknown`, `gift_expired`, …).
        code: String,
        /// The API's message.
        message: String,
    },
}

/// What a purchase is of, besides the article at its price.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurchaseAsk {
    /// The reader's amount (modes where the reader chooses).
    pub amount: Option<i64>,
    /// A pass instead of the article.
    pub pass_id: Option<String>,
    /// A discount code the server prices again.
    pub discount_code: Option<String>,
}

/// What the content route said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentAnswer {
    /// Paid: the sanitized HTML.
    Paid(String),
    /// 402: not paid (yet), or not for this paywall: the token may open later or elsewhere.
    NotPaid,
    /// 402 `access_ended`: refunded, canceled or disputed — it will never open anything.
    Ended,
    /// 402 `pass_expired`: the token's pass has ended.
    PassEnded,
}

/// A client bound to one plog origin. Its clones share one `AbortController`: when the widget
/// is unmounted, [`ApiClient::abort`] stops every request still in flight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    origin: String,
    controller: Option<web_sys::AbortController>,
}

/// An answer of the API: its status and its body's text.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON.
    fn json(&self) -> Result<JsValue, ApiError> {
        json::parse(&self.body).ok_or_else(malformed)
    }

    /// What a refusal means: 404, the API's own error (status < 500), or unavailable.
    fn refused(&self) -> ApiError {
        if self.status == 404 {
            return ApiError::NotFound;
        }
        let error = self.json().ok().and_then(|b| json::field(&b, "error"));
        let code = error.as_ref().and_then(|e| json::string(e, "code")).unwrap_or_default();
        match error.and_then(|e| json::string(&e, "message")) {
            Some(message) if self.status < 500 => ApiError::Refused { status: self.status, code, message },
            _ => unreachable_api(),
        }
    }

    /// The body as JSON if the answer is a success, else the refusal.
    fn success(self) -> Result<JsValue, ApiError> {
        if self.ok() { self.json() } else { Err(self.refused()) }
    }
}

fn malformed() -> ApiError {
    ApiError::Unavailable("unexpected answer from the API".into())
}

fn unreachable_api() -> ApiError {
    ApiError::Unavailable("the API could not be reached".into())
}

/// Reads `GET /v1/paywalls/{id}`'s answer (also the view route's `paywall`).
pub fn paywall_info(value: &JsValue) -> Option<PaywallInfo> {
    let stripe = json::field(value, "stripe")?;
    Some(PaywallInfo {
        id: json::string(value, "id")?,
        title: json::string(value, "title")?,
        teaser: json::string(value, "teaser"),
        price: price_of(&json::field(value, "price")?)?,
        status: if json::string(value, "status").as_deref() == Some("archived") {
            PaywallStatus::Archived
        } else {
            PaywallStatus::Active
        },
        stripe: StripePublicInfo {
            publishable_key: json::string(&stripe, "publishable_key")?,
            js_url: json::string(&stripe, "js_url")?,
        },
        sandbox: json::boolean(value, "sandbox").unwrap_or(false),
        mode: json::string(value, "mode").and_then(|m| PaywallMode::parse(&m)).unwrap_or_default(),
        suggested: json::integer(value, "suggested"),
        maximum: json::integer(value, "maximum"),
        presets: list(value, "presets").filter_map(|v| v.as_f64()).map(|v| v as i64).collect(),
        tip_count: json::integer(value, "tip_count"),
        receipts: json::boolean(value, "receipts").unwrap_or(false),
        passes: list(value, "passes")
            .filter_map(|p| {
                Some(PassOffer {
                    id: json::string(&p, "id")?,
                    title: json::string(&p, "title")?,
                    price: price_of(&json::field(&p, "price")?)?,
                    days: json::integer(&p, "days"),
                })
            })
            .collect(),
        codes: json::boolean(value, "codes").unwrap_or(false),
    })
}

/// A `{"amount","currency"}` price.
fn price_of(price: &JsValue) -> Option<Price> {
    Some(Price { amount: json::integer(price, "amount")?, currency: json::string(price, "currency")? })
}

/// The items of an array field (none if absent).
fn list(value: &JsValue, key: &str) -> impl Iterator<Item = JsValue> {
    json::field(value, key).map(|l| js_sys::Array::from(&l)).unwrap_or_default().into_iter()
}

impl ApiClient {
    /// One request: `fetch` with the client's abort signal, a JSON body and a bearer token if
    /// given (plain `web_sys` rather than an HTTP crate: the widget ships to every reader).
    async fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&JsValue>,
        token: Option<&str>,
    ) -> Result<Answer, ApiError> {
        let init = web_sys::RequestInit::new();
        init.set_method(method);
        let headers = js_sys::Object::new();
        let header = |name: &str, value: &str| {
            let _ = js_sys::Reflect::set(&headers, &JsValue::from_str(name), &JsValue::from_str(value));
        };
        if let Some(body) = body {
            header("Content-Type", "application/json");
            init.set_body(&JsValue::from_str(&json::stringify(body)));
        }
        if let Some(token) = token {
            header("Authorization", &(String::from("Bearer ") + token));
        }
        init.set_headers(&headers);
        if let Some(signal) = self.signal() {
            init.set_signal(Some(&signal));
        }
        let failed = |_| if self.is_aborted() { ApiError::Aborted } else { unreachable_api() };
        let window = web_sys::window().ok_or_else(unreachable_api)?;
        let response: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(failed)?.unchecked_into();
        let text = JsFuture::from(response.text().map_err(failed)?).await.map_err(failed)?;
        Ok(Answer { status: response.status(), body: text.as_string().unwrap_or_default() })
    }

    fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.controller.as_ref().map(web_sys::AbortController::signal)
    }

    /// Stops every request in flight, and every later one (the widget is gone).
    pub fn abort(&self) {
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }

    /// True once [`ApiClient::abort`] ran: whatever was waiting on the widget should stop.
    pub fn is_aborted(&self) -> bool {
        self.signal().is_some_and(|signal| signal.aborted())
    }
}

impl ApiClient {
    /// A client for the plog server at `origin` (no trailing slash).
    pub fn new(origin: &str) -> ApiClient {
        ApiClient { origin: origin.trim_end_matches('/').to_owned(), controller: web_sys::AbortController::new().ok() }
    }

    /// A client that never sends anything: the server's, which paints the view and presses no
    /// button.
    pub fn offline(origin: &str) -> ApiClient {
        ApiClient { origin: origin.to_owned(), controller: None }
    }

    /// The origin, which also keys the stored tokens.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn url(&self, paywall_id: &str, tail: &str) -> String {
        let id = String::from(js_sys::encode_uri_component(paywall_id));
        [self.origin.as_str(), "/v1/paywalls/", &id, tail].concat()
    }

    /// `GET /v1/paywalls/{id}`.
    pub async fn paywall(&self, paywall_id: &str) -> Result<PaywallInfo, ApiError> {
        let answer = self.send("GET", &self.url(paywall_id, ""), None, None).await?;
        paywall_info(&answer.success()?).ok_or_else(malformed)
    }

    /// `POST /v1/paywalls/{id}/views`: one view of the locked paywall for the creator's
    /// conversion figures, as a beacon (sent even if the page closes, answer ignored). It carries
    /// nothing about the reader; plog keeps only a count per paywall and day.
    pub fn count_view(&self, paywall_id: &str) {
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().send_beacon(&self.url(paywall_id, "/views"));
        }
    }

    /// `POST /v1/paywalls/{id}/purchases`, with the reader's amount where the reader chooses,
    /// a pass, a discount code.
    pub async fn start_purchase(&self, paywall_id: &str, ask: &PurchaseAsk) -> Result<PurchaseCreated, ApiError> {
        let mut fields: Vec<(&str, JsValue)> = Vec::new();
        if let Some(amount) = ask.amount {
            fields.push(("amount", JsValue::from_f64(amount as f64)));
        }
        if let Some(pass_id) = &ask.pass_id {
            fields.push(("pass_id", pass_id.into()));
        }
        if let Some(code) = &ask.discount_code {
            fields.push(("discount_code", code.into()));
        }
        let value = self.post_for_json(&self.url(paywall_id, "/purchases"), &json::object(&fields)).await?;
        let read = |v: &JsValue| {
            Some(PurchaseCreated {
                purchase_id: json::string(v, "purchase_id")?,
                client_secret: json::string(v, "client_secret")?,
                access_token: json::string(v, "access_token")?,
            })
        };
        read(&value).ok_or_else(malformed)
    }

    /// `POST` of a JSON body to `url` whose answer must be a success: its JSON, or the refusal.
    async fn post_for_json(&self, url: &str, body: &JsValue) -> Result<JsValue, ApiError> {
        self.send("POST", url, Some(body), None).await?.success()
    }

    /// `POST /v1/paywalls/{id}/receipt` with the access token: mail a receipt to `email` once the
    /// purchase is paid.
    pub async fn ask_receipt(
        &self,
        paywall_id: &str,
        token: &str,
        email: &str,
        page: &str,
        language: &str,
    ) -> Result<(), ApiError> {
        let body = json::object(&[("email", email.into()), ("page", page.into()), ("language", language.into())]);
        let answer = self.send("POST", &self.url(paywall_id, "/receipt"), Some(&body), Some(token)).await?;
        if answer.ok() { Ok(()) } else { Err(answer.refused()) }
    }

    /// `POST /v1/restore`: asks for a code; the answer is the request's id, whatever the address.
    pub async fn restore_start(&self, email: &str, page: &str, language: &str) -> Result<String, ApiError> {
        let body = json::object(&[("email", email.into()), ("page", page.into()), ("language", language.into())]);
        let value = self.post_for_json(&(self.origin.clone() + "/v1/restore"), &body).await?;
        json::string(&value, "restore_id").ok_or_else(malformed)
    }

    /// `POST /v1/paywalls/{id}/discount`: what a code makes of the article's and its passes' prices.
    pub async fn discount(&self, paywall_id: &str, code: &str) -> Result<DiscountQuote, ApiError> {
        let body = json::object(&[("code", code.into())]);
        let value = self.post_for_json(&self.url(paywall_id, "/discount"), &body).await?;
        Ok(DiscountQuote {
            code: json::string(&value, "code").ok_or_else(malformed)?,
            amount: json::integer(&value, "amount"),
            passes: list(&value, "passes")
                .filter_map(|p| {
                    Some(PassQuote { pass_id: json::string(&p, "pass_id")?, amount: json::integer(&p, "amount")? })
                })
                .collect(),
        })
    }

    /// `POST /v1/paywalls/{id}/gift`: opens a gift link: (access token, paid HTML).
    pub async fn open_gift(&self, paywall_id: &str, code: &str) -> Result<(String, String), ApiError> {
        let body = json::object(&[("code", code.into())]);
        let value = self.post_for_json(&self.url(paywall_id, "/gift"), &body).await?;
        Ok((
            json::string(&value, "access_token").ok_or_else(malformed)?,
            json::string(&value, "html").ok_or_else(malformed)?,
        ))
    }

    /// `POST /v1/restore/{id}`: exchanges a code for access tokens, as (paywall id, token, pass id).
    pub async fn restore_redeem(
        &self,
        restore_id: &str,
        code: &str,
    ) -> Result<Vec<(String, String, Option<String>)>, ApiError> {
        let body = json::object(&[("code", code.into())]);
        let url = self.origin.clone() + "/v1/restore/" + &String::from(js_sys::encode_uri_component(restore_id));
        let tokens = json::field(&self.post_for_json(&url, &body).await?, "tokens").ok_or_else(malformed)?;
        Ok(js_sys::Array::from(&tokens)
            .iter()
            .filter_map(|t| {
                Some((json::string(&t, "paywall_id")?, json::string(&t, "access_token")?, json::string(&t, "pass_id")))
            })
            .collect())
    }

    /// `GET /v1/paywalls/{id}/content` with the access token.
    pub async fn content(&self, paywall_id: &str, token: &str) -> Result<ContentAnswer, ApiError> {
        let answer = self.send("GET", &self.url(paywall_id, "/content"), None, Some(token)).await?;
        match answer.status {
            200 => json::string(&answer.json()?, "html").map(ContentAnswer::Paid).ok_or_else(malformed),
            402 => match answer.refused() {
                ApiError::Refused { code, .. } if code == "pass_expired" => Ok(ContentAnswer::PassEnded),
                ApiError::Refused { code, .. } if code == "access_ended" => Ok(ContentAnswer::Ended),
                _ => Ok(ContentAnswer::NotPaid),
            },
            _ => Err(answer.refused()),
        }
    }
}
