//! Who may use the admin API: the [`Admin`] extractor (the bearer token — `PLOG_ADMIN_TOKEN`,
//! checked in constant time, or a creator's API token, found by its hash — behind the failure
//! limiter it shares with the dashboard's sign-in), the refusals every admin route may answer
//! (`http/openapi.rs` declares the token's security scheme).
//!
//! The extractor hands the handler the store scoped to the token's creator: every admin route
//! reads and writes through it, so a creator's request never reaches another creator's rows.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use plog_shared::api::ErrorBody;
use utoipa::IntoResponses;

use super::extract::bearer_token;
use crate::client_ip::ClientIp;
use crate::error::ApiError;
use crate::limits::Limited;
use crate::state::AppState;
use crate::store::{CreatorId, Store};

/// The refusals every admin route may answer with, besides its own.
#[derive(IntoResponses)]
#[allow(dead_code)] // only read by the OpenAPI generator
pub(crate) enum AdminRefusals {
    /// No admin token, or a wrong one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// Too many wrong admin tokens from the address, or a creator's changes beyond their rate
    /// (`PLOG_RATE_WRITES_PER_CREATOR`; never the owner's): `Retry-After` says when to try again.
    #[response(status = 429)]
    TooMany(ErrorBody),
    /// No admin token configured, or the database is busy.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Proof that the request carries an admin token, and whose it is.
pub(crate) struct Admin {
    /// Whose token it is (the owner for `PLOG_ADMIN_TOKEN`).
    pub creator: CreatorId,
    /// The store, scoped to that creator: what the handler reads and writes through.
    pub store: Store,
}

/// Proof that the request carries the owner's token, `PLOG_ADMIN_TOKEN` (the operator's, on a
/// plog for many creators): for what is the whole plog's, never one creator's — its metrics,
/// the sandbox's clock. A creator's token is refused as a wrong one would be.
pub(crate) struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppState) -> Result<Self, Self::Rejection> {
        let admin = Admin::from_request_parts(parts, ctx).await?;
        if admin.creator == CreatorId::OWNER { Ok(Operator) } else { Err(ApiError::Unauthorized) }
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    /// Every presented token meets the one failure limiter of admin-token checks (shared with
    /// the dashboard's sign-in): an address over its wrong tokens is refused unread. A change
    /// (POST, PATCH, PUT, DELETE) by a creator spends their rate of changes.
    async fn from_request_parts(parts: &mut Parts, ctx: &AppState) -> Result<Self, Self::Rejection> {
        if ctx.config.admin_token.is_none() {
            return Err(ApiError::AdminDisabled);
        }
        let Some(given) = bearer_token(&parts.headers).map(str::to_owned) else { return Err(ApiError::Unauthorized) };
        let ClientIp(client) = ClientIp::from_request_parts(parts, ctx).await?;
        if let Err(wait) = ctx.admin_tokens.check(client) {
            ctx.metrics.admin_refusal("limited");
            return Err(ApiError::RateLimited(Limited {
                message: "too many wrong admin tokens from your network; wait and try again".into(),
                retry_after: std::time::Duration::from_secs(wait),
            }));
        }
        if let Some(creator) = ctx.holder_of_admin_token(&given).await?.map(|holder| holder.creator) {
            if !parts.method.is_safe() {
                ctx.creator_limits.take_write(&ctx.store, creator).await?;
            }
            Ok(Admin { creator, store: ctx.store.for_creator(creator) })
        } else {
            ctx.admin_tokens.failed(client);
            ctx.metrics.admin_refusal("wrong");
            Err(ApiError::Unauthorized)
        }
    }
}
