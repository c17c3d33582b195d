//! `POST /v1/paywalls/{id}/purchases`: start a purchase. The body is `{}` or absent for a
//! fixed price (any amount in it is ignored: the server alone decides what a paywall costs), or
//! `{"amount": N}` where the reader chooses, checked by the server against the paywall's mode.
//! The client's address feeds the card-testing limits (`limits::purchases`).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::routing::post;
use plog_shared::api::PurchaseCreated;

use super::extract::PaywallPath;
use crate::catalog::RequestedAmount;
use crate::client_ip::ClientIp;
use crate::error::{ApiError, Json, read_body};
use crate::payments;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/paywalls/{id}/purchases", post(create))
}

async fn create(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    ClientIp(client): ClientIp,
    request: Request,
) -> Result<(StatusCode, Json<PurchaseCreated>), ApiError> {
    let body = read_body(request).await?;
    let mut requested = RequestedAmount::Absent;
    if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(fields)) => {
                requested = match fields.get("amount") {
                    None | Some(serde_json::Value::Null) => RequestedAmount::Absent,
                    Some(amount) => amount.as_i64().map_or(RequestedAmount::NotWhole, RequestedAmount::Whole),
                }
            }
            Ok(_) => return Err(ApiError::BadRequest("the body must be a JSON object, e.g. {}".into())),
            Err(e) => return Err(ApiError::BadRequest(format!("malformed JSON: {e}"))),
        }
    }
    let created =
        payments::start::start_purchase(&ctx.store, &ctx.stripe, &ctx.purchase_limits, &id, client, &requested).await?;
    Ok((StatusCode::CREATED, Json(created)))
}
