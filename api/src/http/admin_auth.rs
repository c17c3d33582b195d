//! Who may use the admin API: the [`Admin`] extractor (the bearer token, checked in constant
//! time behind the failure limiter it shares with the dashboard's sign-in), the refusals every
//! admin route may answer, (`http/openapi.rs` declares the token's security scheme).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use plog_shared::api::ErrorBody;
use secrecy::ExposeSecret;
use utoipa::IntoResponses;

use super::extract::bearer_token;
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::limits::Limited;
use crate::state::AppState;
use crate::tokens::constant_time_eq;

/// The refusals every admin route may answer with, besides its own.
#[derive(IntoResponses)]
#[allow(dead_code)] // only read by the OpenAPI generator
pub(crate) enum AdminRefusals {
    /// No admin token, or a wrong one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No admin token configured, or the database is busy.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Proof that the request carries the admin token.
pub(crate) struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    /// Every presented token meets the one failure limiter of admin-token checks (shared with
    /// the dashboard's sign-in): an address over its wrong tokens is refused unread.
    async fn from_request_parts(parts: &mut Parts, ctx: &AppState) -> Result<Self, Self::Rejection> {
        let expected = ctx.config.admin_token.as_ref().ok_or(ApiError::AdminDisabled)?;
        let Some(given) = bearer_token(&parts.headers).map(str::to_owned) else { return Err(ApiError::Unauthorized) };
        let ClientIp(client) = ClientIp::from_request_parts(parts, ctx).await?;
        if let Err(wait) = ctx.admin_tokens.check(client) {
            ctx.metrics.admin_refusal("limited");
            return Err(ApiError::RateLimited(Limited {
                message: "too many wrong admin tokens from your network; wait and try again".into(),
                retry_after: std::time::Duration::from_secs(wait),
            }));
        }
        if constant_time_eq(&given, expected.expose_secret()) {
            Ok(Admin)
        } else {
            ctx.admin_tokens.failed(client);
            ctx.metrics.admin_refusal("wrong");
            Err(ApiError::Unauthorized)
        }
    }
}
