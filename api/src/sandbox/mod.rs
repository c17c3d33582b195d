//! The offline sandbox: what lets plog take "payments" with no Stripe account and no internet.
//!
//! localstripe stands in for Stripe's servers (`STRIPE_API_BASE`). Stripe.js cannot be loaded
//! offline, so plog serves a small test double of it at `/sandbox/stripe.js` (the default
//! `STRIPE_JS_URL` in sandbox mode). The double renders plain card inputs and completes the
//! PaymentIntent through the helper routes here, which hold the test secret key: create a card
//! payment method, set it on the intent, confirm — and finish 3-D Secure when asked.
//!
//! Only enabled by `PLOG_SANDBOX=true`, and then plog refuses to start with live keys.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::cors::{Any, CorsLayer};

use crate::error::{ApiError, Json};
use crate::state::AppState;
use crate::stripe::client::StripeRefusal;
use crate::stripe::{PaymentIntent, StripeApi};

/// The Stripe.js test double.
const STRIPE_DOUBLE_JS: &str = include_str!("stripe-double.js");

/// The sandbox routes (mounted only in sandbox mode).
pub fn router() -> Router<AppState> {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    Router::new()
        .route("/sandbox/stripe.js", get(stripe_double))
        .route("/sandbox/confirm", post(confirm))
        .route("/sandbox/authenticate", post(authenticate))
        .layer(cors)
}

async fn stripe_double() -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        STRIPE_DOUBLE_JS,
    )
        .into_response()
}

/// A card as typed into the double.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Card {
    number: String,
    exp_month: u8,
    exp_year: u16,
    cvc: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfirmRequest {
    client_secret: String,
    /// The connected account Stripe.js was made with (`stripeAccount`): the calls act on it.
    #[serde(default)]
    stripe_account: Option<String>,
    card: Card,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuthenticateRequest {
    client_secret: String,
    #[serde(default)]
    stripe_account: Option<String>,
    success: bool,
}

#[derive(miniserde::Deserialize)]
struct Created {
    id: String,
}

#[derive(miniserde::Deserialize)]
struct IntentState {
    id: String,
    status: String,
    client_secret: Option<String>,
    amount: i64,
    currency: String,
    created: Option<i64>,
    payment_method: Option<String>,
}

impl From<&PaymentIntent> for IntentState {
    fn from(intent: &PaymentIntent) -> Self {
        IntentState {
            id: intent.id.clone(),
            status: intent.status.clone(),
            client_secret: intent.client_secret.clone(),
            amount: intent.amount,
            currency: intent.currency.clone(),
            created: intent.created,
            payment_method: None,
        }
    }
}

/// A PaymentIntent as Stripe.js hands it to the page (`PaymentIntent` of @stripe/stripe-js:
/// every field it declares, none it does not; e2e/stripe-artifacts checks it).
fn client_intent(intent: &IntentState) -> serde_json::Value {
    json!({
        "id": intent.id,
        "object": "payment_intent",
        "amount": intent.amount,
        "canceled_at": null,
        "cancellation_reason": null,
        "capture_method": "automatic",
        "client_secret": intent.client_secret,
        "confirmation_method": "automatic",
        "created": intent.created.unwrap_or_default(),
        "currency": intent.currency,
        "description": null,
        "last_payment_error": null,
        "livemode": false,
        "next_action": null,
        "payment_method": intent.payment_method,
        "payment_method_types": crate::stripe::PAYMENT_METHOD_TYPES,
        "receipt_email": null,
        "setup_future_usage": null,
        "shipping": null,
        "status": intent.status,
    })
}

#[derive(Serialize)]
struct CardForm<'a> {
    r#type: &'a str,
    card: CardFields<'a>,
}

#[derive(Serialize)]
struct CardFields<'a> {
    number: &'a str,
    exp_month: u8,
    exp_year: u16,
    cvc: &'a str,
}

#[derive(Serialize)]
struct PaymentMethodForm<'a> {
    payment_method: &'a str,
}

#[derive(Serialize)]
struct Empty {}

#[derive(Serialize)]
struct AuthenticateForm<'a> {
    key: &'a str,
    client_secret: &'a str,
}

/// The intent of a client secret, after checking the secret belongs to it.
/// The Stripe client acting where Stripe.js was told to (`stripeAccount`), as Stripe would: an
/// intent of another account is then not found. A malformed account is refused as Stripe.js's
/// constructor would have refused it.
fn acting_on(state: &AppState, account: Option<&str>) -> Result<StripeApi, ApiError> {
    crate::payments::stripe_on(&state.stripe, account).map_err(|e| ApiError::BadRequest(format!("stripe_account: {e}")))
}

async fn owned_intent(stripe: &StripeApi, client_secret: &str) -> Result<PaymentIntent, ApiError> {
    let id = client_secret.split("_secret_").next().unwrap_or_default();
    let intent = stripe.payment_intent(id).await.map_err(|_| ApiError::NotFound("no such PaymentIntent"))?;
    match intent.client_secret.as_deref() {
        Some(secret) if crate::tokens::constant_time_eq(secret, client_secret) => Ok(intent),
        _ => Err(ApiError::NotFound("no such PaymentIntent")),
    }
}

/// Stripe.js's answer to a confirm of an intent that cannot be confirmed: like Stripe, it names
/// the intent's status (`error.payment_intent`), so the widget can tell "already paid" from
/// "start again".
fn unexpected_state(intent: &IntentState) -> Response {
    let message = match intent.status.as_str() {
        "succeeded" => {
            "You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed."
                .to_owned()
        }
        other => format!(
            "This PaymentIntent's status is {other}, but it must be requires_payment_method, requires_confirmation or requires_action to be confirmed."
        ),
    };
    Json(json!({"error": {
        "type": "invalid_request_error",
        "code": "payment_intent_unexpected_state",
        "message": message,
        "payment_intent": client_intent(intent),
    }}))
    .into_response()
}

/// Stripe.js's answer shape: `{paymentIntent}` or `{error: {type, code, message}}`.
fn intent_answer(intent: &IntentState) -> Response {
    Json(json!({"paymentIntent": client_intent(intent)})).into_response()
}

async fn error_answer(stripe: &StripeApi, intent: &PaymentIntent, refusal: StripeRefusal) -> Response {
    let (kind, code, message) = match (refusal.status, refusal.code.as_deref()) {
        (402, _) | (_, Some("card_declined")) => {
            ("card_error", refusal.code.clone().unwrap_or_else(|| "card_declined".into()), refusal.message)
        }
        // localstripe cannot confirm an intent again after a declined charge; real Stripe says
        // this when an intent is in a state that cannot be confirmed, with the intent's status.
        (400, _) => {
            let now = stripe.payment_intent(&intent.id).await;
            return unexpected_state(&IntentState::from(now.as_ref().unwrap_or(intent)));
        }
        _ => ("api_error", refusal.code.unwrap_or_else(|| "api_error".into()), refusal.message),
    };
    (StatusCode::OK, Json(json!({"error": {"type": kind, "code": code, "message": message}}))).into_response()
}

/// Creates the card payment method, sets it on the intent and confirms, as Stripe.js would.
async fn confirm(State(state): State<AppState>, Json(request): Json<ConfirmRequest>) -> Result<Response, ApiError> {
    let stripe = acting_on(&state, request.stripe_account.as_deref())?;
    let intent = owned_intent(&stripe, &request.client_secret).await?;
    // Stripe refuses to confirm an intent that succeeded, is processing or was canceled.
    if matches!(intent.status.as_str(), "succeeded" | "processing" | "canceled") {
        return Ok(unexpected_state(&IntentState::from(&intent)));
    }
    let card = &request.card;
    let form = CardForm {
        r#type: "card",
        card: CardFields { number: &card.number, exp_month: card.exp_month, exp_year: card.exp_year, cvc: &card.cvc },
    };
    let method: Created = match stripe.post_form("/payment_methods", &form).await {
        Ok(method) => method,
        Err(refusal) => return Ok(error_answer(&stripe, &intent, refusal).await),
    };
    let path = format!("/payment_intents/{}", intent.id);
    if let Err(refusal) =
        stripe.post_form::<IntentState, _>(&path, &PaymentMethodForm { payment_method: &method.id }).await
    {
        return Ok(error_answer(&stripe, &intent, refusal).await);
    }
    match stripe.post_form::<IntentState, _>(&format!("{path}/confirm"), &Empty {}).await {
        Ok(confirmed) => Ok(intent_answer(&confirmed)),
        Err(refusal) => Ok(error_answer(&stripe, &intent, refusal).await),
    }
}

/// Finishes (or fails) 3-D Secure for an intent in `requires_action`.
async fn authenticate(
    State(state): State<AppState>,
    Json(request): Json<AuthenticateRequest>,
) -> Result<Response, ApiError> {
    let stripe = acting_on(&state, request.stripe_account.as_deref())?;
    let intent = owned_intent(&stripe, &request.client_secret).await?;
    let path = format!("/payment_intents/{}/_authenticate?success={}", intent.id, request.success);
    let form = AuthenticateForm { key: &state.config.stripe.publishable_key, client_secret: &request.client_secret };
    match stripe.post_form::<IntentState, _>(&path, &form).await {
        Ok(intent) if intent.status == "succeeded" || intent.status == "processing" => Ok(intent_answer(&intent)),
        Ok(_) | Err(_) => Ok((
            StatusCode::OK,
            Json(json!({"error": {
                "type": "invalid_request_error",
                "code": "payment_intent_authentication_failure",
                "message": "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
            }})),
        )
            .into_response()),
    }
}
