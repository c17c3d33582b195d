//! `POST /v1/paywalls/{id}/purchases`: start a purchase. The body is `{}` or absent for a
//! fixed price (any amount in it is ignored: the server alone decides what a paywall costs), or
//! `{"amount": N}` where the reader chooses, checked by the server against the paywall's mode.
//! With `"email"` (and the widget's `"page"` and `"language"`) the reader asks for a receipt;
//! `"pass_id"` buys a pass the paywall offers instead of the article; `"discount_code"` asks for
//! a code's price (the server's reckoning, never the client's).
//! The client's address feeds the card-testing limits (`limits::purchases`).

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::routing::post;
use plog_shared::api::PurchaseCreated;

use super::extract::PaywallPath;
use crate::catalog::RequestedAmount;
use crate::client_ip::ClientIp;
use crate::error::{ApiError, Json, read_body};
use crate::payments;
use crate::payments::start::Choice;
use crate::receipts::ReceiptAsked;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/paywalls/{id}/purchases", post(create))
}

/// A text field of the body, if present; anything else than a string is refused.
fn text_field(fields: &serde_json::Map<String, serde_json::Value>, name: &str) -> Result<Option<String>, ApiError> {
    match fields.get(name) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(text)) if text.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ApiError::Unprocessable(format!("{name} must be a string"))),
    }
}

async fn create(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    ClientIp(client): ClientIp,
    request: Request,
) -> Result<(StatusCode, Json<PurchaseCreated>), ApiError> {
    let origin = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned);
    let body = read_body(request).await?;
    let mut receipt = None;
    let mut choice = Choice::default();
    if !body.iter().all(u8::is_ascii_whitespace) {
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(fields)) => {
                choice.amount = match fields.get("amount") {
                    None | Some(serde_json::Value::Null) => RequestedAmount::Absent,
                    Some(amount) => amount.as_i64().map_or(RequestedAmount::NotWhole, RequestedAmount::Whole),
                };
                choice.pass_id = text_field(&fields, "pass_id")?;
                choice.discount_code = text_field(&fields, "discount_code")?;
                if let Some(email) = text_field(&fields, "email")? {
                    receipt = Some(ReceiptAsked {
                        email,
                        page_url: text_field(&fields, "page")?,
                        language: text_field(&fields, "language")?.unwrap_or_else(|| "en".into()),
                        origin: origin.clone(),
                    });
                }
            }
            Ok(_) => return Err(ApiError::BadRequest("the body must be a JSON object, e.g. {}".into())),
            Err(e) => return Err(ApiError::BadRequest(format!("malformed JSON: {e}"))),
        }
    }
    let receipt = match receipt {
        Some(_) if ctx.mailer.is_none() => {
            return Err(ApiError::InvalidEmail("this server sends no receipts (no mail server is configured)".into()));
        }
        Some(asked) => Some((asked, ctx.email_key())),
        None => None,
    };
    // A code tried here counts like one tried on the discount route: no guessing around it.
    if choice.discount_code.is_some() {
        ctx.address_limits.check_code(client)?;
    }
    let created = payments::start::start_purchase(
        &ctx.store,
        &ctx.stripe,
        &ctx.purchase_limits,
        &id,
        client,
        &choice,
        receipt.as_ref().map(|(asked, key)| (asked, *key)),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
