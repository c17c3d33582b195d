//! `POST /v1/webhooks/stripe`: Stripe's signed events.
//!
//! The signature is checked over the raw body before anything is parsed. The event is recorded
//! and applied in one transaction, and 2xx is answered only after the commit, so Stripe retries
//! anything not stored. Unknown event types and thin events are acknowledged and ignored.

use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::context::AppState;
use crate::error::{ApiError, error_response, read_body};
use crate::store::{EventOutcome, UpdateOutcome, now};
use crate::stripe::API_VERSION;
use crate::stripe::webhook::{Event, WebhookError, verify_signature};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/webhooks/stripe", post(receive))
}

fn refuse(error: WebhookError) -> Response {
    tracing::warn!(%error, "webhook refused");
    let code = match error {
        WebhookError::MalformedBody(_) => "malformed_event",
        WebhookError::StaleTimestamp => "stale_signature",
        _ => "invalid_signature",
    };
    error_response(StatusCode::BAD_REQUEST, code, error.to_string())
}

async fn receive(State(ctx): State<AppState>, request: Request) -> Result<Response, ApiError> {
    let signature =
        request.headers().get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = read_body(request).await?;
    if let Err(error) = verify_signature(&signature, &body, ctx.config.stripe.webhook_secret.expose_secret(), now()) {
        return Ok(refuse(error));
    }
    let event = match Event::parse(&body) {
        Ok(event) => event,
        Err(error) => return Ok(refuse(error)),
    };
    let update = match event.payment_update() {
        Ok(update) => update,
        Err(error) => return Ok(refuse(error)),
    };
    let outcome = ctx.store.record_event(&event.id, &event.event_type, update.as_ref()).await?;
    if outcome == EventOutcome::Applied(UpdateOutcome::AmountMismatch) {
        tracing::error!(event_id = %event.id, payment_intent_id = update.as_ref().map(|u| u.payment_intent_id()),
            "AMOUNT MISMATCH: Stripe reports a payment whose amount or currency differs from the purchase; not honoured");
    }
    let label = outcome.label();
    tracing::info!(event_id = %event.id, event_type = %event.event_type, outcome = label, "webhook");
    if let Some(version) = event.api_version.as_deref().filter(|v| *v != API_VERSION) {
        // Still read (plog reads only fields every recent version carries), but worth knowing:
        // the endpoint should be recreated at the pinned version (`plog doctor` says how).
        tracing::warn!(event_id = %event.id, api_version = version, pinned = API_VERSION, "webhook rendered at another Stripe API version");
    }
    Ok((StatusCode::OK, axum::Json(json!({ "received": true, "outcome": label }))).into_response())
}
