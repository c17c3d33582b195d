//! Restoring access by mail (`receipts::restore`), for the widget on any blog:
//! `POST /v1/restore` `{"email", "page", "language"}` → 202 `{"restore_id", "expires_in"}`,
//! the same for every address; `POST /v1/restore/{id}` `{"code"}` → 200 `{"tokens": […]}`, or
//! 400 `invalid_code`. Without SMTP configured both answer 404 `mail_disabled`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use plog_shared::api::{CodeRequest, ErrorBody, RestoreRequest, RestoreStarted, RestoredAccess};

use crate::client_ip::ClientIp;
use crate::error::{ApiError, Json};
use crate::receipts::restore;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/restore", post(start)).route("/v1/restore/{id}", post(redeem))
}

#[utoipa::path(post, path = "/v1/restore", tag = "reader", security(()), request_body = RestoreRequest,
    responses((status = 202, body = RestoreStarted, description = "Whatever the address: a code was mailed if it has purchases on this site"),
        (status = 404, description = "`mail_disabled`", body = ErrorBody), (status = 422, description = "`invalid_email`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody)))]
pub(super) async fn start(
    State(ctx): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Json(body): Json<RestoreRequest>,
) -> Result<(StatusCode, Json<RestoreStarted>), ApiError> {
    if ctx.mailer.is_none() {
        return Err(ApiError::MailDisabled);
    }
    // Browsers send `Origin` with every cross-site POST: it says which site's paywalls to restore.
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).ok_or_else(|| {
        ApiError::BadRequest("restore from the page of the paywall (no Origin header was sent)".into())
    })?;
    let request = restore::Request {
        email: &body.email,
        page_url: &body.page,
        language: body.language.as_deref().unwrap_or("en"),
    };
    let own = restore::OwnSite { origin: ctx.own_origin.as_deref(), public_url: &ctx.public_url };
    let started =
        restore::start(&ctx.store, &ctx.hash_keys, &ctx.restore_limits, client, origin, own, &request, ctx.clock.now())
            .await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

#[utoipa::path(post, path = "/v1/restore/{id}", tag = "reader", security(()), params(("id" = String, Path, description = "The restore request's id")),
    request_body = CodeRequest,
    responses((status = 200, body = RestoredAccess), (status = 400, description = "`invalid_code`: wrong, expired, used or out of tries", body = ErrorBody)))]
pub(super) async fn redeem(
    State(ctx): State<AppState>,
    ClientIp(client): ClientIp,
    Path(id): Path<String>,
    Json(body): Json<CodeRequest>,
) -> Result<Json<RestoredAccess>, ApiError> {
    if ctx.mailer.is_none() {
        return Err(ApiError::MailDisabled);
    }
    ctx.restore_limits.check_code(client, &id)?;
    let own = restore::OwnSite { origin: ctx.own_origin.as_deref(), public_url: &ctx.public_url };
    Ok(Json(restore::redeem(&ctx.store, &ctx.hash_keys, own, &id, &body.code, ctx.clock.now()).await?))
}
