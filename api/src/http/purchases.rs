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
use plog_shared::api::{ErrorBody, PurchaseCreated, PurchaseRequest, ReaderAmount};

use super::extract::PaywallPath;
use crate::catalog::RequestedAmount;
use crate::client_ip::ClientIp;
use crate::error::{ApiError, Json, read_body};
use crate::payments;
use crate::payments::start::{Choice, PurchaseAsked};
use crate::receipts::ReceiptAsked;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/paywalls/{id}/purchases", post(create))
}

/// The body as a [`PurchaseRequest`]: none (or only spaces) is `{}`; anything but a JSON object
/// is refused (400), and so is a field of the wrong type (422).
fn purchase_request(body: &[u8]) -> Result<PurchaseRequest, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(PurchaseRequest::default());
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(object @ serde_json::Value::Object(_)) => {
            serde_json::from_value(object).map_err(|e| ApiError::Unprocessable(format!("invalid JSON body: {e}")))
        }
        Ok(_) => Err(ApiError::BadRequest("the body must be a JSON object, e.g. {}".into())),
        Err(e) => Err(ApiError::BadRequest(format!("malformed JSON: {e}"))),
    }
}

/// A text field as sent; an empty one is as good as absent.
fn text(field: Option<String>) -> Option<String> {
    field.filter(|text| !text.trim().is_empty())
}

#[utoipa::path(post, path = "/v1/paywalls/{id}/purchases", tag = "reader", security(()), params(("id" = String, Path, description = "Paywall id")),
    request_body(content = PurchaseRequest, description = "Optional: no body buys the article at its price"),
    responses((status = 201, body = PurchaseCreated), (status = 403, description = "`origin_not_allowed`", body = ErrorBody),
        (status = 410, description = "`paywall_archived`", body = ErrorBody), (status = 422, description = "`invalid_amount`, `invalid_email`, a discount's refusal, `invalid_body`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody), (status = 502, description = "`payment_provider_unavailable`", body = ErrorBody)))]
pub(super) async fn create(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    ClientIp(client): ClientIp,
    request: Request,
) -> Result<(StatusCode, Json<PurchaseCreated>), ApiError> {
    let origin = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned);
    let asked = purchase_request(&read_body(request).await?)?;
    let choice = Choice {
        amount: match asked.amount {
            None => RequestedAmount::Absent,
            Some(ReaderAmount::Whole(amount)) => RequestedAmount::Whole(amount),
            Some(ReaderAmount::NotWhole(_)) => RequestedAmount::NotWhole,
        },
        pass_id: text(asked.pass_id),
        discount_code: text(asked.discount_code),
    };
    let receipt = text(asked.email).map(|email| ReceiptAsked {
        email,
        page_url: text(asked.page),
        language: text(asked.language).unwrap_or_else(|| "en".into()),
        origin,
    });
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
    let asked = PurchaseAsked {
        paywall_id: &id,
        client,
        choice: &choice,
        receipt: receipt.as_ref().map(|(asked, key)| (asked, *key)),
        now: ctx.clock.now(),
    };
    let created = payments::start::start_purchase(
        &ctx.store,
        &ctx.stripe,
        &ctx.purchase_limits,
        &ctx.offers,
        &ctx.tally,
        &ctx.config.platform,
        &asked,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(created)))
}
