//! Restoring access by mail (`receipts::restore`), for the widget on any blog:
//! `POST /v1/restore` `{"email", "page", "language"}` → 202 `{"restore_id", "expires_in"}`,
//! the same for every address; `POST /v1/restore/{id}` `{"code"}` → 200 `{"tokens": […]}`, or
//! 400 `invalid_code`. Without SMTP configured both answer 404 `mail_disabled`.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::post;
use plog_shared::api::{RestoreStarted, RestoredAccess};
use serde::Deserialize;

use crate::client_ip::ClientIp;
use crate::error::{ApiError, Json};
use crate::receipts::restore;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/restore", post(start)).route("/v1/restore/{id}", post(redeem))
}

/// `POST /v1/restore`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    email: String,
    page: String,
    #[serde(default)]
    language: Option<String>,
}

/// `POST /v1/restore/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedeemBody {
    code: String,
}

async fn start(
    State(ctx): State<AppState>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    Json(body): Json<StartBody>,
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
    let started = restore::start(&ctx.store, &ctx.hash_keys, &ctx.restore_limits, client, origin, &request).await?;
    Ok((StatusCode::ACCEPTED, Json(started)))
}

async fn redeem(
    State(ctx): State<AppState>,
    ClientIp(client): ClientIp,
    Path(id): Path<String>,
    Json(body): Json<RedeemBody>,
) -> Result<Json<RestoredAccess>, ApiError> {
    if ctx.mailer.is_none() {
        return Err(ApiError::MailDisabled);
    }
    ctx.restore_limits.check_code(client, &id)?;
    restore::redeem(&ctx.store, &ctx.hash_keys, &id, &body.code).await.map(Json)
}
