//! Public paywall routes: what the widget shows before payment, and the paid content after.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use plog_shared::api::{PaidContent, PaywallInfo, StripePublicInfo};

use super::bearer_token;
use crate::context::AppState;
use crate::error::{ApiError, Json};
use crate::payments;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/paywalls/{id}", get(info))
        .route("/v1/paywalls/{id}/content", get(content))
        .route("/v1/paywalls/{id}/views", post(view))
}

/// `GET /v1/paywalls/{id}`: title, teaser, price and Stripe.js settings. Never the content.
async fn info(State(ctx): State<AppState>, Path(id): Path<String>) -> Result<Json<PaywallInfo>, ApiError> {
    let paywall = payments::paywall(&ctx, &id).await?;
    let mode = paywall.mode();
    let tip_count = if paywall.show_count { Some(ctx.store.paid_count(&paywall.id).await?) } else { None };
    Ok(Json(PaywallInfo {
        id: paywall.id.clone(),
        title: paywall.title.clone(),
        teaser: paywall.teaser.clone(),
        price: paywall.price(),
        status: paywall.status(),
        stripe: StripePublicInfo {
            publishable_key: ctx.config.stripe.publishable_key.clone(),
            js_url: ctx.stripe_js_url.clone(),
        },
        sandbox: ctx.config.sandbox || ctx.config.stripe.access.is_sandbox(),
        mode,
        suggested: paywall.suggested_amount,
        maximum: mode.reader_chooses().then(|| paywall.maximum()),
        presets: paywall.presets(),
        tip_count,
    }))
}

/// `GET /v1/paywalls/{id}/content` with `Authorization: Bearer ACCESS_TOKEN`: 200 when paid, 402 otherwise.
async fn content(
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<PaidContent>, ApiError> {
    payments::paid_content(&ctx, &id, bearer_token(&headers)).await.map(Json)
}

/// `POST /v1/paywalls/{id}/views`: the widget's beacon, sent once when it shows a paywall. Only a
/// count per paywall and UTC day is kept: no cookie is read or set, no address is stored. The
/// widget previews on plog's own dashboard are not counted.
async fn view(State(ctx): State<AppState>, Path(id): Path<String>, headers: HeaderMap) -> Result<StatusCode, ApiError> {
    let paywall = payments::paywall(&ctx, &id).await?;
    let from_dashboard =
        headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).is_some_and(|o| ctx.is_own_origin(o));
    if !from_dashboard {
        ctx.store.record_view(&paywall.id, crate::store::now()).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}
