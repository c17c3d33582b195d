//! The API's one error type and its JSON shape `{"error":{"code","message"}}`.
//!
//! Each variant's doc names its status. 5xx answers hide the detail from the client and log it.
//! [`Json`] is axum's JSON extractor with its rejections turned into this shape.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
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
    /// 404: no such thing.
    #[error("{0}")]
    NotFound(&'static str),
    /// 410: the paywall is archived and sells no more.
    #[error("this paywall is archived and no longer sells")]
    Gone,
    /// 413: the body is larger than the route accepts.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// 415: the body is not JSON.
    #[error("send the body as JSON with `Content-Type: application/json`")]
    UnsupportedMediaType,
    /// 422: the JSON is well formed but a field is missing, unknown or of the wrong type.
    #[error("{0}")]
    Unprocessable(String),
    /// 502: Stripe could not be reached or refused the request.
    #[error("the payment provider could not be reached or refused the request; please try again")]
    PaymentProvider(#[source] anyhow::Error),
    /// 503: the admin API is switched off because no admin token is configured.
    #[error("the admin API is disabled: set PLOG_ADMIN_TOKEN to enable it")]
    AdminDisabled,
    /// 500: anything unexpected (details are logged, not sent).
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone => StatusCode::GONE,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::PaymentProvider(_) => StatusCode::BAD_GATEWAY,
            ApiError::AdminDisabled => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized => "unauthorized",
            ApiError::PaymentRequired(_) => "payment_required",
            ApiError::NotFound(_) => "not_found",
            ApiError::Gone => "paywall_archived",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::Unprocessable(_) => "invalid_body",
            ApiError::PaymentProvider(_) => "payment_provider_unavailable",
            ApiError::AdminDisabled => "admin_disabled",
            ApiError::Internal(_) => "internal",
        }
    }
}

/// Builds the JSON error response for a status, code and message.
pub fn error_response(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    let body = ErrorBody { error: ErrorDetail { code: code.to_owned(), message: message.into() } };
    (status, axum::Json(body)).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::PaymentProvider(source) => tracing::error!(error = ?source, "stripe call failed"),
            ApiError::Internal(source) => tracing::error!(error = ?source, "internal error"),
            _ => {}
        }
        error_response(self.status(), self.code(), self.to_string())
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => ApiError::Unprocessable(format!("invalid JSON body: {}", e.body_text())),
            JsonRejection::JsonSyntaxError(e) => ApiError::BadRequest(format!("malformed JSON: {}", e.body_text())),
            JsonRejection::MissingJsonContentType(_) => ApiError::UnsupportedMediaType,
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::PayloadTooLarge,
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
