//! Liveness and readiness: `/healthz` answers while the process runs, `/readyz` only while the
//! database answers too.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use plog_shared::ErrorCode;
use serde_json::json;

use crate::error::error_response;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(ctx): State<AppState>) -> Response {
    match ctx.store.ping().await {
        Ok(()) => Json(json!({ "status": "ready" })).into_response(),
        Err(error) => {
            tracing::warn!(error = ?error, "not ready");
            error_response(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::NotReady, "the database is not reachable")
        }
    }
}
