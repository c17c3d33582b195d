//! HTTP: one module per resource, each exposing `router()`, merged here with the layers every
//! request passes (request id, tracing, time limit, header and body limits, security headers;
//! the per-site origin check and CORS for the public routes).

mod admin;
mod admin_auth;
mod article_page;
pub mod extract;
mod health;
mod metrics;
pub mod middleware;
mod offers;
mod openapi;
mod paywalls;
mod purchases;
mod restore;
mod sandbox_clock;
mod tokens;
mod webhooks;
mod widget_files;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Method, Request, StatusCode, header};
use axum::response::Response;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::error::error_response;
use crate::state::AppState;

/// Largest body the public routes accept (a purchase request is `{}`).
pub const PUBLIC_BODY_LIMIT: usize = 64 * 1024;
/// Largest webhook body (Stripe's events are a few KiB; a margin for big objects).
pub const WEBHOOK_BODY_LIMIT: usize = 256 * 1024;
/// Largest admin body (a paywall's Markdown, up to the catalog's limit, plus JSON escaping).
pub const ADMIN_BODY_LIMIT: usize = 1024 * 1024;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    // The widget calls the public routes from blogs' origins. The origin guard runs first (it
    // refuses other sites of a paywall that lists its own, preflights included); CORS then
    // grants the origin that reached it.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600));
    let public = paywalls::router()
        .merge(purchases::router())
        .merge(restore::router())
        .layer(DefaultBodyLimit::max(PUBLIC_BODY_LIMIT))
        .layer(cors)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::guard_origin));
    let webhooks = webhooks::router().layer(DefaultBodyLimit::max(WEBHOOK_BODY_LIMIT));
    let admin = admin::router()
        .merge(offers::router())
        .merge(tokens::router())
        .merge(crate::dashboard::router())
        .layer(DefaultBodyLimit::max(ADMIN_BODY_LIMIT));

    let sandbox = if state.config.sandbox {
        crate::sandbox::router().merge(sandbox_clock::router().layer(DefaultBodyLimit::max(ADMIN_BODY_LIMIT)))
    } else {
        Router::new()
    };
    Router::new()
        .merge(sandbox)
        .merge(public)
        .merge(webhooks)
        .merge(admin)
        .merge(health::router())
        .merge(metrics::router())
        .merge(openapi::router())
        .merge(widget_files::router())
        .merge(article_page::router())
        .fallback(|| async { error_response(StatusCode::NOT_FOUND, plog_shared::ErrorCode::NotFound, "no such route") })
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::request_limits))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(|request: &Request<_>| {
                            let request_id = request
                                .extensions()
                                .get::<RequestId>()
                                .and_then(|id| id.header_value().to_str().ok())
                                .unwrap_or("-");
                            // Only method and path: tokens travel in headers, never in the URL.
                            tracing::info_span!("request", request_id, method = %request.method(), path = %request.uri().path())
                        })
                        .on_response(|response: &Response, latency: Duration, _span: &tracing::Span| {
                            tracing::info!(status = response.status().as_u16(), latency_ms = latency.as_millis() as u64, "answered");
                        }),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID)),
        )
}
