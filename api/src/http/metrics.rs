//! `GET /metrics`: the server's metrics in the OpenMetrics text format, for Prometheus. Behind
//! the admin token like the admin API (Prometheus sends it with `authorization` in its scrape
//! configuration): figures of sales are the creator's business, not the public's.

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use super::admin_auth::Operator;
use crate::metrics::CONTENT_TYPE;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(_: Operator, State(ctx): State<AppState>) -> impl IntoResponse {
    let (in_use, idle) = ctx.store.pool_connections();
    ctx.metrics.set_db_connections(in_use, idle);
    ([(header::CONTENT_TYPE, CONTENT_TYPE), (header::CACHE_CONTROL, "no-store")], ctx.metrics.encode())
}
