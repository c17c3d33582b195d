//! `POST /sandbox/clock` — in sandbox mode only, behind the admin token: moves the server's
//! clock by `advance_secs` (back, if negative), so the offline demo and the browser tests show
//! what time does (a pass ending, a gift link expiring, a restore code dying) by moving time,
//! not by rewriting rows. A server with live keys never has the route, nor a clock that moves.

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::{Deserialize, Serialize};

use super::admin_auth::Operator;
use crate::error::{ApiError, Json};
use crate::state::AppState;

/// Ten years, either way: further is a typo, not a test.
const MOST_SECS: i64 = 10 * 366 * 86_400;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Move {
    advance_secs: i64,
}

#[derive(Serialize)]
struct Now {
    now: i64,
}

/// The route (mounted with the sandbox's).
pub fn router() -> Router<AppState> {
    Router::new().route("/sandbox/clock", post(advance))
}

async fn advance(_: Operator, State(ctx): State<AppState>, Json(body): Json<Move>) -> Result<Json<Now>, ApiError> {
    if !(-MOST_SECS..=MOST_SECS).contains(&body.advance_secs) {
        return Err(ApiError::Unprocessable(format!("advance_secs must be within ±{MOST_SECS} seconds")));
    }
    if !ctx.clock.is_movable() {
        return Err(ApiError::NotFound("this server's clock is the system's: it does not move"));
    }
    ctx.clock.advance(body.advance_secs);
    tracing::warn!(advance_secs = body.advance_secs, now = ctx.clock.now(), "the sandbox's clock was moved");
    Ok(Json(Now { now: ctx.clock.now() }))
}
