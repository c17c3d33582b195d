//! The creator's API under `/v1/admin`, behind `Authorization: Bearer PLOG_ADMIN_TOKEN`.
//! Without a configured token every admin route answers 503 and says how to enable it.
//! `GET /openapi.json` describes these routes; it is generated from the handlers' annotations
//! and the shared types below, so it cannot drift from the code.

use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::get;
use plog_shared::PaywallId;
use plog_shared::api::{
    AdminPaywall, AdminPurchase, ErrorBody, ErrorDetail, NewPaywall, PaywallPatch, PurchaseStatus, Stats,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, IntoResponses, Modify, OpenApi, ToSchema};

use super::extract::{PaywallPath, bearer_token};
use crate::catalog;
use crate::client_ip::ClientIp;
use crate::error::{ApiError, Json};
use crate::report::{self, ReportFilter};
use crate::state::AppState;
use crate::store::PurchaseFilter;
use crate::tokens::constant_time_eq;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/paywalls", get(list_paywalls).post(create_paywall))
        .route("/v1/admin/paywalls/{id}", get(show_paywall).patch(update_paywall).delete(archive_paywall))
        .route("/v1/admin/purchases", get(list_purchases))
        .route("/v1/admin/stats", get(stats))
        .route("/openapi.json", get(|| async { axum::Json(AdminApiDoc::openapi()) }))
}

/// The admin API's OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "plog admin API", description = "The creator's API: paywalls, passes, gift links, discount codes, purchases and sales figures. Every route needs `Authorization: Bearer PLOG_ADMIN_TOKEN`. Amounts are integer minor units of their currency (100 is ¥100 or $1.00); figures of different currencies are never summed. Every error has the shape `{\"error\":{\"code\",\"message\"}}`."),
    paths(create_paywall, list_paywalls, show_paywall, update_paywall, archive_paywall, list_purchases, stats,
        super::offers::create_pass, super::offers::list_passes, super::offers::show_pass, super::offers::update_pass,
        super::offers::archive_pass, super::offers::create_gift, super::offers::list_gifts, super::offers::revoke_gift,
        super::offers::create_discount, super::offers::list_discounts, super::offers::disable_discount),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&AdminTokenScheme),
    security(("admin_token" = [])),
    tags((name = "paywalls", description = "Create, read, change and archive paywalls"), (name = "sales", description = "Purchases and figures"),
        (name = "offers", description = "Passes, gift links and discount codes")),
)]
pub struct AdminApiDoc;

/// The refusals every admin route may answer with, besides its own.
#[derive(IntoResponses)]
#[allow(dead_code)] // only read by the OpenAPI generator
pub(super) enum AdminRefusals {
    /// No admin token, or a wrong one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No admin token configured, or the database is busy.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// Declares the bearer token every admin route takes.
struct AdminTokenScheme;

impl Modify for AdminTokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_token",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some("PLOG_ADMIN_TOKEN")).build(),
            ),
        );
    }
}

/// Proof that the request carries the admin token.
pub(super) struct Admin;

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
            return Err(ApiError::RateLimited {
                message: "too many wrong admin tokens from your network; wait and try again".into(),
                retry_after: std::time::Duration::from_secs(wait),
            });
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

/// `GET /v1/admin/paywalls`.
#[derive(Serialize, ToSchema)]
struct PaywallList {
    paywalls: Vec<AdminPaywall>,
}

/// `GET /v1/admin/purchases`.
#[derive(Serialize, ToSchema)]
struct PurchaseList {
    purchases: Vec<AdminPurchase>,
}

/// Creates a paywall; its content is rendered from Markdown and sanitized once, here.
#[utoipa::path(post, path = "/v1/admin/paywalls", tag = "paywalls", request_body = NewPaywall,
    responses((status = 201, description = "Created", body = AdminPaywall), (status = 400, description = "Not JSON, or unknown fields", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB", body = ErrorBody), (status = 422, description = "A field is invalid (nothing is created)", body = ErrorBody), AdminRefusals))]
async fn create_paywall(
    _: Admin,
    State(ctx): State<AppState>,
    Json(new): Json<NewPaywall>,
) -> Result<(StatusCode, Json<AdminPaywall>), ApiError> {
    let paywall = catalog::create(&ctx.store, &new).await?;
    tracing::info!(paywall_id = %paywall.id, "paywall created");
    Ok((StatusCode::CREATED, Json(catalog::to_admin(&paywall, &ctx.public_url))))
}

/// Every paywall, newest first.
#[utoipa::path(get, path = "/v1/admin/paywalls", tag = "paywalls", responses((status = 200, description = "The paywalls", body = PaywallList), AdminRefusals))]
async fn list_paywalls(_: Admin, State(ctx): State<AppState>) -> Result<Json<PaywallList>, ApiError> {
    let paywalls = ctx.store.paywalls().await?;
    Ok(Json(PaywallList { paywalls: paywalls.iter().map(|p| catalog::to_admin(p, &ctx.public_url)).collect() }))
}

/// One paywall, with its tag.
#[utoipa::path(get, path = "/v1/admin/paywalls/{id}", tag = "paywalls", params(("id" = String, Path, description = "Paywall id, `pw_…`")),
    responses((status = 200, description = "The paywall", body = AdminPaywall), (status = 404, description = "No such paywall", body = ErrorBody), AdminRefusals))]
async fn show_paywall(
    _: Admin,
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::find(&ctx.store, &id).await?;
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

/// Changes the fields given; a refused change changes nothing.
#[utoipa::path(patch, path = "/v1/admin/paywalls/{id}", tag = "paywalls", params(("id" = String, Path, description = "Paywall id")), request_body = PaywallPatch,
    responses((status = 200, description = "The changed paywall", body = AdminPaywall), (status = 404, description = "No such paywall", body = ErrorBody),
        (status = 422, description = "A field is invalid (nothing changes)", body = ErrorBody), AdminRefusals))]
async fn update_paywall(
    _: Admin,
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    Json(patch): Json<PaywallPatch>,
) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::update(&ctx.store, &id, &patch).await?;
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

/// Archives a paywall: it sells no more; readers who paid keep their access.
#[utoipa::path(delete, path = "/v1/admin/paywalls/{id}", tag = "paywalls", params(("id" = String, Path, description = "Paywall id")),
    responses((status = 200, description = "The archived paywall", body = AdminPaywall), (status = 404, description = "No such paywall", body = ErrorBody), AdminRefusals))]
async fn archive_paywall(
    _: Admin,
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
) -> Result<Json<AdminPaywall>, ApiError> {
    let paywall = catalog::archive(&ctx.store, &id).await?;
    tracing::info!(paywall_id = %paywall.id, "paywall archived");
    Ok(Json(catalog::to_admin(&paywall, &ctx.public_url)))
}

/// Query of `GET /v1/admin/purchases`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PurchaseQuery {
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
async fn list_purchases(
    _: Admin,
    State(ctx): State<AppState>,
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
    Ok(Json(PurchaseList { purchases: ctx.store.admin_purchases(&filter).await? }))
}

/// Query of `GET /v1/admin/stats`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct StatsQuery {
    /// Only the period from this Unix time on.
    since: Option<i64>,
    /// Only paywalls that list this site (an origin like `https://blog.example`).
    site: Option<String>,
}

/// Sales figures: per currency, per day, per paywall, and conversion (views → started → paid).
#[utoipa::path(get, path = "/v1/admin/stats", tag = "sales", params(StatsQuery),
    responses((status = 200, description = "The report", body = Stats), (status = 400, description = "A filter cannot be read", body = ErrorBody), AdminRefusals))]
async fn stats(
    _: Admin,
    State(ctx): State<AppState>,
    query: Result<Query<StatsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Stats>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let site = query
        .site
        .as_deref()
        .map(crate::sites::canonical_origin)
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("site: {e}")))?;
    Ok(Json(report::build(&ctx.store, &ReportFilter { since: query.since, site }).await?))
}
