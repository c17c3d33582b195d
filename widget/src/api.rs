//! The widget's client of the plog API (`/v1/paywalls/...`), over the browser's `fetch`.

use plog_shared::ErrorCode;
use plog_shared::api::{
    CodeRequest, DiscountQuote, ErrorBody, GiftOpened, PaidContent, PaywallInfo, PurchaseCreated, PurchaseRequest,
    ReceiptRequest, RestoreRequest, RestoreStarted, RestoredAccess,
};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::json;
use crate::wire::{Decode, Encode};

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
        code: ErrorCode,
        /// The API's message.
        message: String,
    },
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
        match self.json().ok().as_ref().and_then(ErrorBody::decode) {
            Some(ErrorBody { error }) if self.status < 500 => {
                ApiError::Refused { status: self.status, code: error.code, message: error.message }
            }
            _ => unreachable_api(),
        }
    }

    /// The body as `T` if the answer is a success, else the refusal.
    fn decoded<T: Decode>(self) -> Result<T, ApiError> {
        T::decode(&self.success()?).ok_or_else(malformed)
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
        self.send("GET", &self.url(paywall_id, ""), None, None).await?.decoded()
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
    pub async fn start_purchase(&self, paywall_id: &str, ask: &PurchaseRequest) -> Result<PurchaseCreated, ApiError> {
        self.post(&self.url(paywall_id, "/purchases"), ask).await?.decoded()
    }

    /// `POST` of a request's JSON to `url`.
    async fn post(&self, url: &str, body: &impl Encode) -> Result<Answer, ApiError> {
        self.send("POST", url, Some(&body.encode()), None).await
    }

    /// `POST /v1/paywalls/{id}/receipt` with the access token: mail a receipt once the purchase
    /// is paid.
    pub async fn ask_receipt(&self, paywall_id: &str, token: &str, ask: &ReceiptRequest) -> Result<(), ApiError> {
        let url = self.url(paywall_id, "/receipt");
        let answer = self.send("POST", &url, Some(&ask.encode()), Some(token)).await?;
        if answer.ok() { Ok(()) } else { Err(answer.refused()) }
    }

    /// `POST /v1/restore`: asks for a code; the answer names the request, whatever the address.
    pub async fn restore_start(&self, ask: &RestoreRequest) -> Result<RestoreStarted, ApiError> {
        self.post(&(self.origin.clone() + "/v1/restore"), ask).await?.decoded()
    }

    /// `POST /v1/paywalls/{id}/discount`: what a code makes of the article's and its passes' prices.
    pub async fn discount(&self, paywall_id: &str, code: &str) -> Result<DiscountQuote, ApiError> {
        let ask = CodeRequest { code: code.to_owned() };
        self.post(&self.url(paywall_id, "/discount"), &ask).await?.decoded()
    }

    /// `POST /v1/paywalls/{id}/gift`: opens a gift link: a token and the paid part.
    pub async fn open_gift(&self, paywall_id: &str, code: &str) -> Result<GiftOpened, ApiError> {
        let ask = CodeRequest { code: code.to_owned() };
        self.post(&self.url(paywall_id, "/gift"), &ask).await?.decoded()
    }

    /// `POST /v1/restore/{id}`: exchanges a code for access tokens.
    pub async fn restore_redeem(&self, restore_id: &str, code: &str) -> Result<RestoredAccess, ApiError> {
        let url = self.origin.clone() + "/v1/restore/" + &String::from(js_sys::encode_uri_component(restore_id));
        self.post(&url, &CodeRequest { code: code.to_owned() }).await?.decoded()
    }

    /// `GET /v1/paywalls/{id}/content` with the access token.
    pub async fn content(&self, paywall_id: &str, token: &str) -> Result<ContentAnswer, ApiError> {
        let answer = self.send("GET", &self.url(paywall_id, "/content"), None, Some(token)).await?;
        match answer.status {
            200 => Ok(ContentAnswer::Paid(answer.decoded::<PaidContent>()?.html)),
            402 => match answer.refused() {
                ApiError::Refused { code: ErrorCode::PassExpired, .. } => Ok(ContentAnswer::PassEnded),
                ApiError::Refused { code: ErrorCode::AccessEnded, .. } => Ok(ContentAnswer::Ended),
                _ => Ok(ContentAnswer::NotPaid),
            },
            _ => Err(answer.refused()),
        }
    }
}
