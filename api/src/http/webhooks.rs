//! `POST /v1/webhooks/stripe`: Stripe's signed events of the plog's own account; and, in platform
//! mode, `POST /v1/webhooks/stripe-connect`: the Connect endpoint's, of creators' connected
//! accounts, signed with its own secret (`STRIPE_CONNECT_WEBHOOK_SECRET`).
//!
//! Which account an event is about is the endpoint's to say, never the body's alone: on the
//! platform's endpoint an event is about the plog's own account (an `account` in it is ignored);
//! on the Connect endpoint it is about the event's `account` (one without is acknowledged and
//! ignored), and moves only purchases on that account.
//!
//! [`SignedEvent`] checks the signature over the raw body before anything is parsed, then reads
//! the event; the handler hands it to `payments::webhook`, which records and applies it in one
//! transaction. 2xx is answered only after the commit, so Stripe retries anything not stored.
//! Unknown event types and thin events are acknowledged and ignored.

use axum::Router;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use plog_shared::ErrorCode;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::error::{ApiError, error_response, read_body};
use crate::payments;
use crate::state::AppState;
use crate::stripe::webhook::{Event, EventObject, WebhookError, verify_signature};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/webhooks/stripe", post(receive)).route(CONNECT_PATH, post(receive_connect))
}

/// The Connect endpoint's path.
const CONNECT_PATH: &str = "/v1/webhooks/stripe-connect";

/// The secret a delivery to this path is signed with; `None`: no such endpoint here.
fn secret_of<'a>(ctx: &'a AppState, path: &str) -> Option<&'a str> {
    if path == CONNECT_PATH {
        ctx.config.stripe.connect_webhook_secret.as_ref().map(|s| s.expose_secret())
    } else {
        Some(ctx.config.stripe.webhook_secret.expose_secret())
    }
}

/// An event whose `Stripe-Signature` matched the raw body under the webhook secret, with its
/// object read by type (`None`: a type plog does not act on, or a thin event).
pub struct SignedEvent {
    /// The envelope.
    pub event: Event,
    /// Its object.
    pub object: Option<EventObject>,
}

/// Why a delivery is refused before anything is stored.
pub enum Refusal {
    /// The signature, the timestamp or the body.
    Webhook(WebhookError),
    /// The body could not be read (too large, cut off).
    Body(ApiError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let error = match self {
            Refusal::Body(error) => return error.into_response(),
            Refusal::Webhook(error) => error,
        };
        tracing::warn!(%error, "webhook refused");
        let code = match error {
            WebhookError::MalformedBody(_) => ErrorCode::MalformedEvent,
            WebhookError::StaleTimestamp => ErrorCode::StaleSignature,
            WebhookError::MalformedHeader | WebhookError::BadSignature => ErrorCode::InvalidSignature,
        };
        error_response(StatusCode::BAD_REQUEST, code, error.to_string())
    }
}

impl FromRequest<AppState> for SignedEvent {
    type Rejection = Refusal;

    async fn from_request(request: Request, ctx: &AppState) -> Result<Self, Refusal> {
        let Some(secret) = secret_of(ctx, request.uri().path()).map(str::to_owned) else {
            return Err(Refusal::Body(ApiError::NotFound("no Connect endpoint: plog runs standalone")));
        };
        let signature =
            request.headers().get("stripe-signature").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let body = read_body(request).await.map_err(Refusal::Body)?;
        // A signature's age is judged by the wall clock Stripe signed by, never by the app's
        // clock (which tests move): the tolerance is a real-time bound on replays.
        let wall_clock = crate::clock::Clock::system().now();
        let read = verify_signature(&signature, &body, &secret, wall_clock)
            .and_then(|()| Event::parse(&body))
            .and_then(|event| Ok(SignedEvent { object: event.object()?, event }));
        if read.is_err() {
            ctx.metrics.webhook("refused");
        }
        read.map_err(Refusal::Webhook)
    }
}

/// The platform's own endpoint: every event is about the plog's own account.
async fn receive(
    State(ctx): State<AppState>,
    SignedEvent { mut event, object }: SignedEvent,
) -> Result<Response, ApiError> {
    if let Some(account) = event.account.take() {
        tracing::warn!(event_id = %event.id, account, "an event of a connected account at the platform's endpoint: read as the plog's own");
    }
    apply(&ctx, &event, object.as_ref()).await
}

/// The Connect endpoint: every event is about its `account`.
async fn receive_connect(
    State(ctx): State<AppState>,
    SignedEvent { event, object }: SignedEvent,
) -> Result<Response, ApiError> {
    if event.account.is_none() {
        tracing::warn!(event_id = %event.id, "an event without an account at the Connect endpoint: acknowledged, ignored");
        return Ok((StatusCode::OK, axum::Json(json!({ "received": true, "outcome": "ignored" }))).into_response());
    }
    let answer = apply(&ctx, &event, object.as_ref()).await?;
    if matches!(object, Some(EventObject::AccountUpdated(_))) {
        // An account that now takes payments gets its creator's sites registered for wallets.
        ctx.register_wallet_domains();
    }
    Ok(answer)
}

async fn apply(ctx: &AppState, event: &Event, object: Option<&EventObject>) -> Result<Response, ApiError> {
    let outcome =
        payments::webhook::apply_event(&ctx.store, &ctx.stripe, &ctx.tally, event, object, ctx.clock.now()).await?;
    Ok((StatusCode::OK, axum::Json(json!({ "received": true, "outcome": outcome.label() }))).into_response())
}
