//! Extractors the routes share: the paywall id of a URL, and a bearer token.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use plog_shared::PaywallId;

use crate::error::ApiError;

/// The `{id}` of a paywall route, parsed: anything that is not a paywall id of plog's shape is
/// 404 before a handler runs or the database is asked.
pub struct PaywallPath(pub PaywallId);

impl<S: Send + Sync> FromRequestParts<S> for PaywallPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::NotFound("no such paywall"))?;
        PaywallId::parse(&id).map(PaywallPath).map_err(|_| ApiError::NotFound("no such paywall"))
    }
}

/// The token of an `Authorization: Bearer TOKEN` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}
