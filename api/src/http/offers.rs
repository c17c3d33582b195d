//! The creator's passes, gift links and discount codes under `/v1/admin` (behind the admin
//! token, like the rest of the admin API, and described in `/openapi.json`).

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use plog_shared::api::{
    AdminDiscount, AdminGift, AdminPass, ErrorBody, GiftCreated, NewDiscount, NewGift, NewPass, PassPatch,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::admin_auth::{Admin, AdminRefusals};
use super::extract::PaywallPath;
use crate::error::{ApiError, Json};
use crate::offers::{discounts, gifts, passes};
use crate::state::AppState;
use crate::store::{Pass, Store};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/passes", get(list_passes).post(create_pass))
        .route("/v1/admin/passes/{id}", get(show_pass).patch(update_pass).delete(archive_pass))
        .route("/v1/admin/paywalls/{id}/gifts", post(create_gift))
        .route("/v1/admin/gifts", get(list_gifts))
        .route("/v1/admin/gifts/{id}", axum::routing::delete(revoke_gift))
        .route("/v1/admin/discounts", get(list_discounts).post(create_discount))
        .route("/v1/admin/discounts/{id}", axum::routing::delete(disable_discount))
}

/// `GET /v1/admin/passes`.
#[derive(Serialize, ToSchema)]
pub(super) struct PassList {
    passes: Vec<AdminPass>,
}

/// `GET /v1/admin/gifts`.
#[derive(Serialize, ToSchema)]
pub(super) struct GiftList {
    gifts: Vec<AdminGift>,
}

/// `GET /v1/admin/discounts`.
#[derive(Serialize, ToSchema)]
pub(super) struct DiscountList {
    discounts: Vec<AdminDiscount>,
}

async fn one_pass(store: &Store, pass: Pass) -> Result<AdminPass, ApiError> {
    let sold = store.passes_sold().await?.get(&pass.id).copied().unwrap_or(0);
    Ok(passes::to_admin(&pass, sold))
}

/// Creates a pass: every paywall of a site (or of this plog), or a set, for N days or for good.
#[utoipa::path(post, path = "/v1/admin/passes", tag = "offers", request_body = NewPass,
    responses((status = 201, description = "Created", body = AdminPass), (status = 422, description = "A field is invalid (nothing is created)", body = ErrorBody), AdminRefusals))]
pub(super) async fn create_pass(
    admin: Admin,
    State(ctx): State<AppState>,
    Json(new): Json<NewPass>,
) -> Result<(StatusCode, Json<AdminPass>), ApiError> {
    let pass = passes::create(&admin.store, &ctx.offers, &new, ctx.clock.now()).await?;
    tracing::info!(pass_id = %pass.id, "pass created");
    Ok((StatusCode::CREATED, Json(passes::to_admin(&pass, 0))))
}

/// Every pass, newest first, with how many were sold.
#[utoipa::path(get, path = "/v1/admin/passes", tag = "offers", responses((status = 200, description = "The passes", body = PassList), AdminRefusals))]
pub(super) async fn list_passes(admin: Admin) -> Result<Json<PassList>, ApiError> {
    Ok(Json(PassList { passes: passes::list(&admin.store).await? }))
}

/// One pass.
#[utoipa::path(get, path = "/v1/admin/passes/{id}", tag = "offers", params(("id" = String, Path, description = "Pass id, `pass_…`")),
    responses((status = 200, description = "The pass", body = AdminPass), (status = 404, description = "No such pass", body = ErrorBody), AdminRefusals))]
pub(super) async fn show_pass(admin: Admin, Path(id): Path<String>) -> Result<Json<AdminPass>, ApiError> {
    one_pass(&admin.store, passes::find(&admin.store, &id).await?).await.map(Json)
}

/// Changes a pass (title, price, site, set, length); passes bought keep their length.
#[utoipa::path(patch, path = "/v1/admin/passes/{id}", tag = "offers", params(("id" = String, Path, description = "Pass id")), request_body = PassPatch,
    responses((status = 200, description = "The changed pass", body = AdminPass), (status = 404, description = "No such pass", body = ErrorBody),
        (status = 422, description = "A field is invalid (nothing changes)", body = ErrorBody), AdminRefusals))]
pub(super) async fn update_pass(
    admin: Admin,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    Json(patch): Json<PassPatch>,
) -> Result<Json<AdminPass>, ApiError> {
    let pass = passes::update(&admin.store, &ctx.offers, &id, &patch, ctx.clock.now()).await?;
    one_pass(&admin.store, pass).await.map(Json)
}

/// Archives a pass: it sells no more; holders keep it until it ends.
#[utoipa::path(delete, path = "/v1/admin/passes/{id}", tag = "offers", params(("id" = String, Path, description = "Pass id")),
    responses((status = 200, description = "The archived pass", body = AdminPass), (status = 404, description = "No such pass", body = ErrorBody), AdminRefusals))]
pub(super) async fn archive_pass(
    admin: Admin,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AdminPass>, ApiError> {
    let pass = passes::archive(&admin.store, &ctx.offers, &id, ctx.clock.now()).await?;
    tracing::info!(pass_id = %pass.id, "pass archived");
    one_pass(&admin.store, pass).await.map(Json)
}

/// Makes a gift link for a paywall. The code is in this answer only (plog keeps its hash):
/// append `fragment` to the article's address and send that.
#[utoipa::path(post, path = "/v1/admin/paywalls/{id}/gifts", tag = "offers", params(("id" = String, Path, description = "Paywall id")), request_body = NewGift,
    responses((status = 201, description = "Created", body = GiftCreated), (status = 404, description = "No such paywall", body = ErrorBody),
        (status = 422, description = "A field is invalid (nothing is created)", body = ErrorBody), AdminRefusals))]
pub(super) async fn create_gift(
    admin: Admin,
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    Json(new): Json<NewGift>,
) -> Result<(StatusCode, Json<GiftCreated>), ApiError> {
    let created = gifts::create(&admin.store, id.as_str(), &new, ctx.clock.now()).await?;
    tracing::info!(gift_id = %created.gift.id, paywall_id = %id, "gift link created");
    Ok((StatusCode::CREATED, Json(created)))
}

/// Query of `GET /v1/admin/gifts`.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct GiftQuery {
    /// Only this paywall's links.
    paywall: Option<String>,
}

/// Gift links, newest first, with their opens and the purchases that followed.
#[utoipa::path(get, path = "/v1/admin/gifts", tag = "offers", params(GiftQuery), responses((status = 200, description = "The links", body = GiftList), AdminRefusals))]
pub(super) async fn list_gifts(
    admin: Admin,
    query: Result<Query<GiftQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<GiftList>, ApiError> {
    let Query(query) = query.map_err(|e| ApiError::BadRequest(e.body_text()))?;
    Ok(Json(GiftList { gifts: gifts::list(&admin.store, query.paywall.as_deref()).await? }))
}

/// Revokes a gift link at once: it opens nothing more, and browsers that opened it lose access.
#[utoipa::path(delete, path = "/v1/admin/gifts/{id}", tag = "offers", params(("id" = String, Path, description = "Gift link id, `gift_…`")),
    responses((status = 200, description = "The revoked link", body = AdminGift), (status = 404, description = "No such link", body = ErrorBody), AdminRefusals))]
pub(super) async fn revoke_gift(
    admin: Admin,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AdminGift>, ApiError> {
    let gift = gifts::revoke(&admin.store, &id, ctx.clock.now()).await?;
    tracing::info!(gift_id = %gift.id, "gift link revoked");
    Ok(Json(gift))
}

/// Creates a discount code: percent or amount off, for all or named paywalls and passes, within
/// dates and a number of uses. Codes never apply to tips or to amounts readers choose.
#[utoipa::path(post, path = "/v1/admin/discounts", tag = "offers", request_body = NewDiscount,
    responses((status = 201, description = "Created", body = AdminDiscount), (status = 422, description = "A field is invalid, or the code exists (nothing is created)", body = ErrorBody), AdminRefusals))]
pub(super) async fn create_discount(
    admin: Admin,
    State(ctx): State<AppState>,
    Json(new): Json<NewDiscount>,
) -> Result<(StatusCode, Json<AdminDiscount>), ApiError> {
    let discount = discounts::create(&admin.store, &ctx.offers, &new, ctx.clock.now()).await?;
    tracing::info!(discount_id = %discount.id, "discount code created");
    Ok((StatusCode::CREATED, Json(discounts::to_admin(&discount))))
}

/// Every discount code, newest first, with its uses.
#[utoipa::path(get, path = "/v1/admin/discounts", tag = "offers", responses((status = 200, description = "The codes", body = DiscountList), AdminRefusals))]
pub(super) async fn list_discounts(admin: Admin) -> Result<Json<DiscountList>, ApiError> {
    let list = admin.store.discounts().await?;
    Ok(Json(DiscountList { discounts: list.iter().map(discounts::to_admin).collect() }))
}

/// Disables a discount code (by id or by the code itself): it lowers no price from now on.
#[utoipa::path(delete, path = "/v1/admin/discounts/{id}", tag = "offers", params(("id" = String, Path, description = "Code id (`disc_…`) or the code")),
    responses((status = 200, description = "The disabled code", body = AdminDiscount), (status = 404, description = "No such code", body = ErrorBody), AdminRefusals))]
pub(super) async fn disable_discount(
    admin: Admin,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<AdminDiscount>, ApiError> {
    let discount = discounts::disable(&admin.store, &ctx.offers, &id).await?;
    Ok(Json(discounts::to_admin(&discount)))
}
