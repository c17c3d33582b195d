//! The API's one error type and its JSON shape `{"error":{"code","message"}}`: the edge where
//! the domain's own errors (`catalog::CatalogError`, `offers::OfferError`, `limits::Limited`,
//! `receipts::ReceiptError`, `payments::PaymentError`) become HTTP answers. Nothing below the
//! web layer knows of it.
//!
//! Each variant's doc names its status. 5xx answers hide the detail from the client and log it.
//! [`Json`] is axum's JSON extractor with its rejections turned into this shape.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use plog_shared::ErrorCode;
use plog_shared::api::{ErrorBody, ErrorDetail};

/// Everything a handler can answer besides success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request is malformed or a value is invalid.
    #[error("{0}")]
    BadRequest(String),
    /// 401: the admin token is missing or wrong.
    #[error("a valid admin token is required: send `Authorization: Bearer PLOG_ADMIN_TOKEN`")]
    Unauthorized,
    /// 402: the token does not (or no longer) unlock this paywall.
    #[error("{0}")]
    PaymentRequired(&'static str),
    /// 402 `access_ended`: the token's purchase was refunded, canceled or disputed, or its gift
    /// link revoked: it will never open anything again (the widget forgets it; any other 402
    /// may still open later, and the widget keeps the token).
    #[error("{0}")]
    AccessEnded(&'static str),
    /// 402 `pass_expired`: the token's pass has ended; a new pass (or the article) may be bought.
    #[error("this pass has ended; buy it again to read on")]
    PassExpired,
    /// 422: a discount code does not lower this price (unknown, not valid now, used up, or not
    /// for this paywall or pass); its own code says which.
    #[error("{0}")]
    Discount(crate::offers::discounts::Refusal),
    /// 404 `gift_unknown`, 410 for a link revoked, expired or used up.
    #[error("{0}")]
    Gift(crate::offers::gifts::Refusal),
    /// 403: the paywall does not sell on the requesting page's site.
    #[error("{0}")]
    OriginNotAllowed(String),
    /// 404: no such thing.
    #[error("{0}")]
    NotFound(&'static str),
    /// 410: the paywall is archived and sells no more.
    #[error("this paywall is archived and no longer sells")]
    Gone,
    /// 409: the paywall's creator cannot sell right now (platform mode).
    #[error("this article is not for sale right now")]
    NotForSale,
    /// 413: the body is larger than the route accepts.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// 431: the request's headers are larger than plog accepts.
    #[error("the request headers are too large (more than {0} bytes)")]
    HeadersTooLarge(u64),
    /// 429: a rate limit refused; its `retry_after` says when to try again.
    #[error(transparent)]
    RateLimited(crate::limits::Limited),
    /// 415: the body is not JSON.
    #[error("send the body as JSON with `Content-Type: application/json`")]
    UnsupportedMediaType,
    /// 422: the JSON is well formed but a field is missing, unknown or of the wrong type.
    #[error("{0}")]
    Unprocessable(String),
    /// 422: the reader's amount does not fit the paywall's mode.
    #[error("{0}")]
    InvalidAmount(String),
    /// 422: the reader's email address cannot be mailed to.
    #[error("{0}")]
    InvalidEmail(String),
    /// 400: a restore code is wrong, expired, used or out of tries (one answer for all).
    #[error("the code is wrong, expired or used up: ask for a new one")]
    InvalidCode,
    /// 404: this server sends no mail (no `PLOG_SMTP_URL`), so no receipts and no restore.
    #[error("this server sends no mail: receipts and restoring access are not offered")]
    MailDisabled,
    /// 502: Stripe could not be reached or refused the request.
    #[error("the payment provider could not be reached or refused the request; please try again")]
    PaymentProvider(#[source] anyhow::Error),
    /// 503: the admin API is switched off because no admin token is configured.
    #[error("the admin API is disabled: set PLOG_ADMIN_TOKEN to enable it")]
    AdminDisabled,
    /// 503: every database connection stayed busy for `PLOG_DB_ACQUIRE_TIMEOUT_SECS`.
    #[error("the database is busy; please try again in a moment")]
    DatabaseBusy,
    /// 503: the request took longer than `PLOG_REQUEST_TIMEOUT_SECS`.
    #[error("the request took too long and was stopped; please try again")]
    Timeout,
    /// 500: anything unexpected (details are logged, not sent).
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl From<anyhow::Error> for ApiError {
    /// Storage and other failures: a pool that stayed busy is the client's "try again" (503),
    /// anything else is internal.
    fn from(error: anyhow::Error) -> Self {
        if crate::store::is_pool_timeout(&error) {
            tracing::warn!(error = %format!("{error:#}"), "no database connection became free in time");
            ApiError::DatabaseBusy
        } else {
            ApiError::Internal(error)
        }
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidCode => StatusCode::BAD_REQUEST,
            ApiError::MailDisabled => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::PaymentRequired(_) | ApiError::AccessEnded(_) | ApiError::PassExpired => {
                StatusCode::PAYMENT_REQUIRED
            }
            ApiError::Discount(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Gift(crate::offers::gifts::Refusal::Unknown) => StatusCode::NOT_FOUND,
            ApiError::Gift(_) => StatusCode::GONE,
            ApiError::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone => StatusCode::GONE,
            ApiError::NotForSale => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) | ApiError::InvalidAmount(_) | ApiError::InvalidEmail(_) => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            ApiError::PaymentProvider(_) => StatusCode::BAD_GATEWAY,
            ApiError::AdminDisabled | ApiError::DatabaseBusy | ApiError::Timeout => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> ErrorCode {
        match self {
            ApiError::BadRequest(_) => ErrorCode::BadRequest,
            ApiError::Unauthorized => ErrorCode::Unauthorized,
            ApiError::PaymentRequired(_) => ErrorCode::PaymentRequired,
            ApiError::AccessEnded(_) => ErrorCode::AccessEnded,
            ApiError::PassExpired => ErrorCode::PassExpired,
            ApiError::Discount(refusal) => refusal.code(),
            ApiError::Gift(refusal) => refusal.code(),
            ApiError::OriginNotAllowed(_) => ErrorCode::OriginNotAllowed,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Gone => ErrorCode::PaywallArchived,
            ApiError::NotForSale => ErrorCode::NotForSale,
            ApiError::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            ApiError::HeadersTooLarge(_) => ErrorCode::HeadersTooLarge,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::Unprocessable(_) => ErrorCode::InvalidBody,
            ApiError::InvalidAmount(_) => ErrorCode::InvalidAmount,
            ApiError::InvalidEmail(_) => ErrorCode::InvalidEmail,
            ApiError::InvalidCode => ErrorCode::InvalidCode,
            ApiError::MailDisabled => ErrorCode::MailDisabled,
            ApiError::PaymentProvider(_) => ErrorCode::PaymentProviderUnavailable,
            ApiError::AdminDisabled => ErrorCode::AdminDisabled,
            ApiError::DatabaseBusy => ErrorCode::DatabaseBusy,
            ApiError::Timeout => ErrorCode::Timeout,
            ApiError::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// Builds the JSON error response for a status, code and message.
pub fn error_response(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Response {
    let body = ErrorBody { error: ErrorDetail { code, message: message.into() } };
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::PaymentProvider(source) => tracing::error!(error = ?source, "stripe call failed"),
            ApiError::Internal(source) => tracing::error!(error = ?source, "internal error"),
            _ => {}
        }
        let retry_after = match &self {
            ApiError::RateLimited(limited) => Some(limited.retry_after.as_secs_f64().ceil().max(1.0) as u64),
            ApiError::DatabaseBusy | ApiError::Timeout => Some(1),
            _ => None,
        };
        let mut response = error_response(self.status(), self.code(), self.to_string());
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => ApiError::Unprocessable(format!("invalid JSON body: {}", e.body_text())),
            JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(format!("malformed JSON: {}", e.body_text())),
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                ApiError::PayloadTooLarge
            }
            other => ApiError::BadRequest(other.body_text()),
        }
    }
}

/// `axum::Json`, whose rejections come back in plog's error shape.
#[derive(Debug, Clone, Copy, Default, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Reads a request body up to the route's limit, answering 413 in plog's shape beyond it.
pub async fn read_body(request: Request) -> Result<axum::body::Bytes, ApiError> {
    axum::body::Bytes::from_request(request, &()).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge
        } else {
            ApiError::BadRequest(e.body_text())
        }
    })
}

impl From<crate::limits::Limited> for ApiError {
    fn from(limited: crate::limits::Limited) -> Self {
        ApiError::RateLimited(limited)
    }
}

impl From<crate::limits::LimitError> for ApiError {
    fn from(error: crate::limits::LimitError) -> Self {
        match error {
            crate::limits::LimitError::Limited(limited) => ApiError::RateLimited(limited),
            crate::limits::LimitError::Store(e) => ApiError::from(e),
        }
    }
}

impl From<crate::payments::PaymentError> for ApiError {
    fn from(error: crate::payments::PaymentError) -> Self {
        use crate::payments::PaymentError;
        use crate::payments::start::QuoteRefusal;
        use crate::payments::unlock::Refusal;
        match error {
            PaymentError::Limited(limited) => ApiError::RateLimited(limited),
            PaymentError::Paywall(e) => ApiError::from(e),
            PaymentError::Offer(e) => ApiError::from(e),
            PaymentError::Quote(QuoteRefusal::Archived) => ApiError::Gone,
            PaymentError::Quote(QuoteRefusal::NotForSale) => ApiError::NotForSale,
            PaymentError::Quote(refusal @ QuoteRefusal::PassNotOnSale(_)) => {
                ApiError::Unprocessable(refusal.to_string())
            }
            PaymentError::Quote(QuoteRefusal::InvalidAmount(message)) => ApiError::InvalidAmount(message),
            PaymentError::Quote(QuoteRefusal::Discount(refusal)) => ApiError::Discount(refusal),
            PaymentError::Receipt(e) => ApiError::from(e),
            PaymentError::Locked(Refusal::NotNow(why)) => ApiError::PaymentRequired(why),
            PaymentError::Locked(Refusal::Ended(why)) => ApiError::AccessEnded(why),
            PaymentError::PassExpired => ApiError::PassExpired,
            PaymentError::Provider(e) => ApiError::PaymentProvider(e),
            PaymentError::Store(e) => ApiError::from(e),
        }
    }
}

impl From<crate::receipts::ReceiptError> for ApiError {
    fn from(error: crate::receipts::ReceiptError) -> Self {
        use crate::receipts::ReceiptError;
        match error {
            ReceiptError::InvalidEmail(message) => ApiError::InvalidEmail(message),
            ReceiptError::BadPage => ApiError::Unprocessable(error.to_string()),
            ReceiptError::NoPurchase => ApiError::PaymentRequired("no purchase of this paywall goes with this token"),
            ReceiptError::InvalidCode => ApiError::InvalidCode,
            ReceiptError::Limited(limited) => ApiError::RateLimited(limited),
            ReceiptError::Paywall(e) => ApiError::from(e),
            ReceiptError::Store(e) => ApiError::from(e),
        }
    }
}

impl From<crate::catalog::CatalogError> for ApiError {
    fn from(error: crate::catalog::CatalogError) -> Self {
        match error {
            crate::catalog::CatalogError::Invalid(e) => ApiError::Unprocessable(e.0),
            crate::catalog::CatalogError::NotFound => ApiError::NotFound("no such paywall"),
            crate::catalog::CatalogError::Store(e) => ApiError::from(e),
        }
    }
}

impl From<crate::offers::OfferError> for ApiError {
    fn from(error: crate::offers::OfferError) -> Self {
        match error {
            crate::offers::OfferError::Invalid(message) => ApiError::Unprocessable(message),
            crate::offers::OfferError::NotFound(what) => ApiError::NotFound(what),
            crate::offers::OfferError::Store(e) => ApiError::from(e),
        }
    }
}
