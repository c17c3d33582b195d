//! A creator's admin API tokens under `/v1/admin/tokens`: made (the secret shown once, its
//! SHA-256 kept), listed and revoked by the creator they belong to, through the store scoped to
//! them, so one creator can neither see nor revoke another's.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use plog_shared::TokenId;
use plog_shared::api::{ApiToken, ApiTokenCreated, ErrorBody, NewApiToken};
use serde::Serialize;
use utoipa::ToSchema;

use super::admin_auth::{Admin, AdminRefusals};
use crate::api_tokens;
use crate::error::{ApiError, Json};
use crate::state::AppState;
use crate::store::CreatorToken;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/tokens", get(list_tokens).post(create_token))
        .route("/v1/admin/tokens/{id}", delete(revoke_token))
}

/// `GET /v1/admin/tokens`.
#[derive(Serialize, ToSchema)]
pub(super) struct ApiTokenList {
    tokens: Vec<ApiToken>,
}

fn to_api(token: &CreatorToken) -> ApiToken {
    ApiToken {
        id: token.id.to_string(),
        label: token.label.clone(),
        created_at: token.created_at,
        revoked_at: token.revoked_at,
    }
}

/// Makes an admin API token for the creator who asks; the secret is in this answer only.
#[utoipa::path(post, path = "/v1/admin/tokens", tag = "tokens", request_body = NewApiToken,
    responses((status = 201, description = "Created", body = ApiTokenCreated), (status = 422, description = "The label is too long (nothing is created)", body = ErrorBody), AdminRefusals))]
pub(super) async fn create_token(
    admin: Admin,
    State(ctx): State<AppState>,
    Json(new): Json<NewApiToken>,
) -> Result<(StatusCode, Json<ApiTokenCreated>), ApiError> {
    let label = new.label.as_deref().unwrap_or_default();
    let made = api_tokens::make(&admin.store, label, ctx.clock.now())
        .await?
        .map_err(|refused| ApiError::Unprocessable(refused.to_string()))?;
    Ok((StatusCode::CREATED, Json(ApiTokenCreated { token: to_api(&made.token), secret: made.secret })))
}

/// The asking creator's API tokens, newest first (revoked ones too).
#[utoipa::path(get, path = "/v1/admin/tokens", tag = "tokens", responses((status = 200, description = "The tokens", body = ApiTokenList), AdminRefusals))]
pub(super) async fn list_tokens(admin: Admin) -> Result<Json<ApiTokenList>, ApiError> {
    Ok(Json(ApiTokenList { tokens: admin.store.creator_tokens().await?.iter().map(to_api).collect() }))
}

/// Revokes one of the asking creator's API tokens at once (a request carrying it is refused).
#[utoipa::path(delete, path = "/v1/admin/tokens/{id}", tag = "tokens", params(("id" = String, Path, description = "Token id, `tok_…`")),
    responses((status = 200, description = "The revoked token", body = ApiToken), (status = 404, description = "No such token", body = ErrorBody), AdminRefusals))]
pub(super) async fn revoke_token(
    admin: Admin,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ApiToken>, ApiError> {
    let id = TokenId::parse(id.trim()).map_err(|_| ApiError::NotFound("no such API token"))?;
    let token =
        admin.store.revoke_creator_token(&id, ctx.clock.now()).await?.ok_or(ApiError::NotFound("no such API token"))?;
    tracing::info!(token_id = %token.id, creator = %admin.creator, "API token revoked");
    Ok(Json(to_api(&token)))
}
