//! The creator's API under `/v1/admin`, behind `Authorization: Bearer PLOG_ADMIN_TOKEN`.
//! Without a configured token every admin route answers 503 and says how to enable it.
//! `GET /openapi.json` describes these routes (`http/openapi.rs`); it is generated from the
//! handlers' annotations and the shared types, so it cannot drift from the code.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use plog_shared::PaywallId;
use plog_shared::api::{
    AdminPaywall, AdminPurchase, ErrorBody, NewPaywall, PaywallPatch, PurchaseStatus, Stats, WalletDomainList,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::admin_auth::{Admin, AdminRefusals};
use super::extract::PaywallPath;
use crate::catalog;
use crate::error::{ApiError, Json};
use crate::report::{self, ReportFilter};
use crate::state::AppState;
use crate::store::PurchaseFilter;
use crate::wallets;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/paywalls", get(list_paywalls).post(create_paywall))
        .route("/v1/admin/paywalls/{id}", get(show_paywall).patch(update_paywall).delete(archive_paywall))
        .route("/v1/admin/purchases", get(list_purchases))
        .route("/v1/admin/stats", get(stats))
        .route("/v1/admin/wallet-domains", get(wallet_domains))
}

/// `GET /v1/admin/paywalls`.
#[derive(Serialize, ToSchema)]
pub(super) struct PaywallList {
    paywalls: Vec<AdminPaywall>,
}

/// `GET /v1/admin/purchases`.
#[derive(Serialize, ToSchema)]
pub(super) struct PurchaseList {
    purchases: Vec<AdminPurchase>,
}

/// Creates a paywall; its content is rendered from Markdown and sanitized once, here.
#[utoipa::path(post, path = "/v1/admin/paywalls", tag = "paywalls", request_body = NewPaywall,
    responses((status = 201, description = "Created", body = AdminPaywall), (status = 400, description = "Not JSON, or unknown fields", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody), (status = 422, description = "A field is invalid (nothing is created)", body = ErrorBody), AdminRefusals))]
pub(super) async fn create_paywall(
    admin: Admin,
    State(ctx): State<AppState>,
    Json(new): Json<NewPaywall>,
) -> Result<(StatusCode, Json<AdminPaywall>), ApiError> {
    let paywall = catalog::create(&admin.store, &new, ctx.clock.now()).await?;
    tracing::info!(paywall_id = %paywall.id, "paywall created");
    if !paywall.origins.is_empty() {
        ctx.register_wallet_domains();
    }
    Ok((StatusCode::CREATED, Json(catalog::to_admin(&paywall, &ctx.public_url))))
}

/// Every paywall, newest first.
#[utoipa::path(get, path = "/v1/admin/paywalls", tag = "paywalls", responses((status = 200, description = "The paywalls", body = PaywallList), AdminRefusals))]
pub(super) async fn list_paywalls(admin: Admin, State(ctx): State<AppState>) -> Result<Json<PaywallList>, ApiError> {
    let paywalls = admin.store.paywalls().await?;
    Ok(Json(PaywallList { paywalls: paywalls.iter().map(|p| catalog::to_admin(p, &ctx.public_url)).collect() }))
}

/// One paywall, with its tag.
#[utoipa::path(get, path = "/v1/admin/paywalls/{id}", tag = "paywalls", params(("id" = String, Path, description = "Paywall id, `pw_…`")),
    responses((status = 200, description = "The paywall", body = AdminPaywall), (status = 404, description = "No such paywall", body = ErrorBody), AdminRefusals))]
pub(super) async fn show_paywall(
    admin: Admin,
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::find(&admin.store, &id).await?;
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

/// Changes the fields given; a refused change changes nothing.
#[utoipa::path(patch, path = "/v1/admin/paywalls/{id}", tag = "paywalls", params(("id" = String, Path, description = "Paywall id")), request_body = PaywallPatch,
    responses((status = 200, description = "The changed paywall", body = AdminPaywall), (status = 404, description = "No such paywall", body = ErrorBody),
        (status = 422, description = "A field is invalid (nothing changes)", body = ErrorBody), AdminRefusals))]
pub(super) async fn update_paywall(
    admin: Admin,
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    Json(patch): Json<PaywallPatch>,
) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::update(&admin.store, &ctx.origins, &id, &patch, ctx.clock.now()).await?;
    if patch.origins.is_some() {
        ctx.register_wallet_domains();
    }
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

/// Archives a paywall: it sells no more; readers who paid keep their access.
#[utoipa::path(delete, path = "/v1/admin/paywalls/{id}", tag = "paywalls", params(("id" = String, Path, description = "Paywall id")),
    responses((status = 200, description = "The archived paywall", body = AdminPaywall), (status = 404, description = "No such paywall", body = ErrorBody), AdminRefusals))]
pub(super) async fn archive_paywall(
    admin: Admin,
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::archive(&admin.store, &id, ctx.clock.now()).await?;
    tracing::info!(paywall_id = %paywall.id, "paywall archived");
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

/// Query of `GET /v1/admin/purchases`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct PurchaseQuery {
    /// Only this paywall.
    paywall: Option<String>,
    /// Only purchases created at or after this unix time.
    since: Option<i64>,
    /// Only purchases created before this unix time.
    until: Option<i64>,
    /// Only purchases in this state: `pending`, `paid`, `failed`, `canceled`, `refunded` or `disputed`.
    status: Option<String>,
    /// At most this many (default 100, at most 1000).
    limit: Option<i64>,
}

/// Purchases, newest first, with filters.
#[utoipa::path(get, path = "/v1/admin/purchases", tag = "sales", params(PurchaseQuery),
    responses((status = 200, description = "The purchases", body = PurchaseList), (status = 400, description = "A filter cannot be read", body = ErrorBody), AdminRefusals))]
pub(super) async fn list_purchases(
    admin: Admin,
    query: Result<Query<PurchaseQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PurchaseList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let paywall_id = query
        .paywall
        .as_deref()
        .map(|id| PaywallId::parse(id).map_err(|e| ApiError::BadRequest(format!("paywall: {e}"))))
        .transpose()?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::BadRequest("limit must be between 1 and 1000".into()));
    }
    let status = query
        .status
        .as_deref()
        .map(|status| {
            PurchaseStatus::parse(status).ok_or_else(|| {
                ApiError::BadRequest(format!(
                    "status: {status:?} is not one of pending, paid, failed, canceled, refunded, disputed"
                ))
            })
        })
        .transpose()?;
    let filter = PurchaseFilter { paywall_id, since: query.since, until: query.until, status, limit };
    Ok(Json(PurchaseList { purchases: admin.store.admin_purchases(&filter).await? }))
}

/// Query of `GET /v1/admin/stats`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct StatsQuery {
    /// Only the period from this Unix time on.
    since: Option<i64>,
    /// Only paywalls that list this site (an origin like `https://blog.example`).
    site: Option<String>,
}

/// Sales figures: per currency, per day, per paywall, and conversion (views → started → paid).
#[utoipa::path(get, path = "/v1/admin/stats", tag = "sales", params(StatsQuery),
    responses((status = 200, description = "The report", body = Stats), (status = 400, description = "A filter cannot be read", body = ErrorBody), AdminRefusals))]
pub(super) async fn stats(
    admin: Admin,
    query: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Stats>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let site = query
        .site
        .as_deref()
        .map(crate::sites::canonical_origin)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("site: {e}")))?;
    Ok(Json(report::build(&admin.store, &ReportFilter { since: query.since, site }).await?))
}

/// The sites' domains as registered with Stripe for wallets (Apple Pay, Google Pay, Link) on the
/// account the asking creator's readers pay (none while they sell on none), with each wallet's
/// status there and, in Stripe's words, why a registration failed.
#[utoipa::path(get, path = "/v1/admin/wallet-domains", tag = "paywalls",
    responses((status = 200, description = "Every domain plog registered or tried to", body = WalletDomainList), AdminRefusals))]
pub(super) async fn wallet_domains(
    admin: Admin,
    State(ctx): State<AppState>,
) -> Result<Json<WalletDomainList>, ApiError> {
    let domains = match wallets::account_of(&admin.store, &ctx.config.platform, admin.creator).await? {
        Some(account) => admin.store.wallet_domains_on(account.as_deref()).await?,
        None => vec![],
    };
    Ok(Json(WalletDomainList { domains }))
}
