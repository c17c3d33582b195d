//! The widget's client of the plog API (`/v1/paywalls/...`), over `fetch` (gloo-net).

use gloo_net::http::Request;
use plog_shared::api::{ErrorBody, PaidContent, PaywallInfo, PurchaseCreated};

/// Why a call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The paywall does not exist (404).
    NotFound,
    /// The network or the server failed; the message is for logs, not readers.
    Unavailable(String),
    /// The API refused with its own error (e.g. 410 archived).
    Refused {
        /// HTTP status.
        status: u16,
        /// The API's message.
        message: String,
    },
}

/// What the content route said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentAnswer {
    /// Paid: the sanitized HTML.
    Paid(String),
    /// 402: not (or no longer) paid.
    NotPaid,
}

/// A client bound to one plog origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiClient {
    origin: String,
}

async fn refused(response: gloo_net::http::Response) -> ApiError {
    let status = response.status();
    if status == 404 {
        return ApiError::NotFound;
    }
    match response.json::<ErrorBody>().await {
        Ok(body) if status < 500 => ApiError::Refused { status, message: body.error.message },
        Ok(body) => ApiError::Unavailable(body.error.message),
        Err(_) => ApiError::Unavailable(format!("HTTP {status}")),
    }
}

fn network(error: gloo_net::Error) -> ApiError {
    ApiError::Unavailable(error.to_string())
}

impl ApiClient {
    /// A client for the plog server at `origin` (no trailing slash).
    pub fn new(origin: &str) -> ApiClient {
        ApiClient { origin: origin.trim_end_matches('/').to_owned() }
    }

    /// The origin, which also keys the stored tokens.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn url(&self, paywall_id: &str, tail: &str) -> String {
        format!("{}/v1/paywalls/{}{tail}", self.origin, js_sys::encode_uri_component(paywall_id))
    }

    /// `GET /v1/paywalls/{id}`.
    pub async fn paywall(&self, paywall_id: &str) -> Result<PaywallInfo, ApiError> {
        let response = Request::get(&self.url(paywall_id, "")).send().await.map_err(network)?;
        if !response.ok() {
            return Err(refused(response).await);
        }
        response.json().await.map_err(network)
    }

    /// `POST /v1/paywalls/{id}/purchases`.
    pub async fn start_purchase(&self, paywall_id: &str) -> Result<PurchaseCreated, ApiError> {
        let response = Request::post(&self.url(paywall_id, "/purchases"))
            .header("Content-Type", "application/json")
            .body("{}")
            .map_err(network)?
            .send()
            .await
            .map_err(network)?;
        if !response.ok() {
            return Err(refused(response).await);
        }
        response.json().await.map_err(network)
    }

    /// `GET /v1/paywalls/{id}/content` with the access token.
    pub async fn content(&self, paywall_id: &str, token: &str) -> Result<ContentAnswer, ApiError> {
        let response = Request::get(&self.url(paywall_id, "/content"))
            .header("Authorization", &format!("Bearer {token}"))
            .send()
            .await
            .map_err(network)?;
        match response.status() {
            200 => Ok(ContentAnswer::Paid(response.json::<PaidContent>().await.map_err(network)?.html)),
            402 => Ok(ContentAnswer::NotPaid),
            _ => Err(refused(response).await),
        }
    }
}
