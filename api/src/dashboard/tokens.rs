//! The creator's admin API tokens in the dashboard (the Account page): made — the secret shown
//! once on the page, only its SHA-256 kept — and revoked, through the session's scoped store,
//! so a creator can neither see nor revoke another's. The same as `/v1/admin/tokens`.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use plog_shared::TokenId;
use serde::Deserialize;

use super::DashboardError;
use super::account::account_page;
use super::session::{CsrfForm, Session};
use crate::api_tokens;
use crate::state::AppState;

/// The form that makes a token.
#[derive(Deserialize)]
pub struct NewTokenForm {
    csrf: String,
    #[serde(default)]
    label: String,
}

/// `POST /admin/account/tokens`: the Account page again, with the new token shown once.
pub async fn make_token(
    session: Session,
    State(ctx): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<NewTokenForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, &form.csrf).await?;
    let made = api_tokens::make(&session.store, &form.label, ctx.clock.now())
        .await?
        .map_err(|refused| DashboardError::BadRequest(format!("A {refused}.")))?;
    Ok(account_page(&ctx, &session, Some((&made.token.label, &made.secret))).await?.into_response())
}

/// `POST /admin/account/tokens/{id}/revoke`.
pub async fn revoke_token(
    session: Session,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, form.token()).await?;
    let id = TokenId::parse(&id).map_err(|_| DashboardError::NotFound)?;
    let revoked = session.store.revoke_creator_token(&id, ctx.clock.now()).await?.ok_or(DashboardError::NotFound)?;
    tracing::info!(token_id = %revoked.id, creator = %session.creator, "API token revoked in the dashboard");
    Ok(Redirect::to("/admin/account").into_response())
}
