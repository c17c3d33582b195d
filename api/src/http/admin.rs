//! The creator's API under `/v1/admin`, behind `Authorization: Bearer PLOG_ADMIN_TOKEN`.
//! Without a configured token every admin route answers 503 and says how to enable it.

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::get;
use axum::Router;
use plog_shared::api::{AdminPaywall, AdminPurchase, NewPaywall, PaywallPatch, PurchaseStatus, Stats};
use plog_shared::PaywallId;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::bearer_token;
use crate::catalog::{self, CatalogError};
use crate::context::AppState;
use crate::report::{self, ReportFilter};
use crate::error::{ApiError, Json};
use crate::store::PurchaseFilter;
use crate::tokens::constant_time_eq;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/paywalls", get(list_paywalls).post(create_paywall))
        .route("/v1/admin/paywalls/{id}", get(show_paywall).patch(update_paywall).delete(archive_paywall))
        .route("/v1/admin/purchases", get(list_purchases))
        .route("/v1/admin/stats", get(stats))
}

/// Proof that the request carries the admin token.
struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppState) -> Result<Self, Self::Rejection> {
        let expected = ctx.config.admin_token.as_ref().ok_or(ApiError::AdminDisabled)?;
        match bearer_token(&parts.headers) {
            Some(given) if constant_time_eq(given, expected.expose_secret()) => Ok(Admin),
            _ => Err(ApiError::Unauthorized),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::Invalid(e) => ApiError::Unprocessable(e.0),
            CatalogError::NotFound => ApiError::NotFound("no such paywall"),
            CatalogError::Store(e) => ApiError::from(e),
        }
    }
}

#[derive(Serialize)]
struct PaywallList {
    paywalls: Vec<AdminPaywall>,
}

#[derive(Serialize)]
struct PurchaseList {
    purchases: Vec<AdminPurchase>,
}

async fn create_paywall(
    _: Admin,
    State(ctx): State<AppState>,
    Json(new): Json<NewPaywall>,
) -> Result<(StatusCode, Json<AdminPaywall>), ApiError> {
    let paywall = catalog::create(&ctx.store, &new).await?;
    tracing::info!(paywall_id = %paywall.id, "paywall created");
    Ok((StatusCode::CREATED, Json(catalog::to_admin(&paywall, &ctx.public_url))))
}

async fn list_paywalls(_: Admin, State(ctx): State<AppState>) -> Result<Json<PaywallList>, ApiError> {
    let paywalls = ctx.store.paywalls().await?;
    Ok(Json(PaywallList { paywalls: paywalls.iter().map(|p| catalog::to_admin(p, &ctx.public_url)).collect() }))
}

async fn show_paywall(_: Admin, State(ctx): State<AppState>, Path(id): Path<String>) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::find(&ctx.store, &id).await?;
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

async fn update_paywall(
    _: Admin,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    Json(patch): Json<PaywallPatch>,
) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::update(&ctx.store, &id, &patch).await?;
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

async fn archive_paywall(_: Admin, State(ctx): State<AppState>, Path(id): Path<String>) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::archive(&ctx.store, &id).await?;
    tracing::info!(paywall_id = %paywall.id, "paywall archived");
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

/// Query of `GET /v1/admin/purchases`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PurchaseQuery {
    /// Only this paywall.
    paywall: Option<String>,
    /// Only purchases created at or after this unix time.
    since: Option<i64>,
    /// Only purchases created before this unix time.
    until: Option<i64>,
    /// Only purchases in this state: `pending`, `paid`, `failed` or `refunded`.
    status: Option<String>,
    /// At most this many (default 100, at most 1000).
    limit: Option<i64>,
}

async fn list_purchases(
    _: Admin,
    State(ctx): State<AppState>,
    query: Result<Query<PurchaseQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PurchaseList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    if let Some(id) = &query.paywall {
        PaywallId::parse(id).map_err(|e| ApiError::BadRequest(format!("paywall: {e}")))?;
    }
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 1000".into()));
    }
    if let Some(status) = &query.status {
        PurchaseStatus::parse(status).ok_or_else(|| ApiError::BadRequest(format!("status: {status:?} is not one of pending, paid, failed, refunded")))?;
    }
    let filter = PurchaseFilter { paywall_id: query.paywall, since: query.since, until: query.until, status: query.status, limit };
    let purchases = ctx.store.purchases(&filter).await?;
    Ok(Json(PurchaseList { purchases: purchases.iter().map(|p| p.to_admin()).collect() }))
}

/// Query of `GET /v1/admin/stats`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StatsQuery {
    /// Only the period from this Unix time on.
    since: Option<i64>,
    /// Only paywalls that list this site (an origin like `https://blog.example`).
    site: Option<String>,
}

async fn stats(
    _: Admin,
    State(ctx): State<AppState>,
    query: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Stats>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let site = query.site.as_deref().map(crate::sites::canonical_origin).transpose().map_err(|e| ApiError::BadRequest(format!("site: {e}")))?;
    Ok(Json(report::build(&ctx.store, &ReportFilter { since: query.since, site }).await?))
}
