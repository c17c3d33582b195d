//! Layers that every request, or every public paywall request, passes before its handler:
//! the request limits (header size, time) with the security headers, and the per-site origin
//! check (`guard_origin`).

use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use plog_shared::PaywallId;

use crate::error::ApiError;
use crate::sites;
use crate::state::AppState;

/// The limits every request meets, in one layer (each layer costs a little on every request):
/// headers larger together than `PLOG_MAX_HEADER_BYTES` get 431 in plog's error shape (hyper's
/// own, much larger limit still closes connections that go far beyond), and a request running
/// longer than `PLOG_REQUEST_TIMEOUT_SECS` is stopped and answered 503 `timeout` — dropping the
/// handler rolls back any open transaction, so a stopped request changes nothing. Every answer
/// then gets the security headers ([`add_security_headers`]), and is counted in the metrics by
/// its route template (`plog_http_requests_total`, `plog_http_request_duration_seconds`).
pub async fn request_limits(State(ctx): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request.extensions().get::<MatchedPath>().map(|path| path.as_str().to_owned());
    // Methods outside HTTP's own are one label, so a client cannot grow the label set.
    let method = match *request.method() {
        Method::GET | Method::POST | Method::PATCH | Method::DELETE | Method::PUT | Method::OPTIONS | Method::HEAD => {
            request.method().as_str()
        }
        _ => "other",
    };
    let method = method.to_owned();
    let limits = &ctx.config.requests;
    let size: usize = request.headers().iter().map(|(name, value)| name.as_str().len() + value.len() + 4).sum();
    let mut response = if size as u64 > limits.max_header_bytes {
        ApiError::HeadersTooLarge(limits.max_header_bytes).into_response()
    } else {
        let limit = Duration::from_secs(limits.request_timeout_secs);
        match tokio::time::timeout(limit, next.run(request)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!(limit_secs = limit.as_secs(), "request stopped at the time limit");
                ApiError::Timeout.into_response()
            }
        }
    };
    add_security_headers(&mut response);
    let route = route.as_deref().unwrap_or("unmatched");
    ctx.metrics.observe_request(route, &method, response.status().as_u16(), started.elapsed());
    response
}

/// The paywall id in a public paywall path (`/v1/paywalls/{id}…`).
fn paywall_in_path(path: &str) -> Option<PaywallId> {
    let rest = path.strip_prefix("/v1/paywalls/")?;
    PaywallId::parse(rest.split('/').next()?).ok()
}

/// Per-site paywalls: a paywall that lists its blogs' origins is refused (403, and no CORS
/// grant, so the browser shows the page nothing) to pages of any other origin, preflights
/// included. Browsers send `Origin` with every POST, so a purchase without one is refused too;
/// a GET without one is a same-origin page or a server, and the token still guards the content.
/// Paywalls without a list keep selling on any site; every paywall sells on its own article page
/// on plog's origin.
pub async fn guard_origin(State(ctx): State<AppState>, request: Request, next: Next) -> Response {
    let Some(id) = paywall_in_path(request.uri().path()) else { return next.run(request).await };
    let origin = request.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned);
    let starts_purchase = request.method() == Method::POST
        || (request.method() == Method::OPTIONS
            && request.headers().get(header::ACCESS_CONTROL_REQUEST_METHOD).is_some_and(|m| m == "POST"));
    if origin.is_none() && !starts_purchase {
        return next.run(request).await;
    }
    let sites = match ctx.origins.sites_of(&ctx.store, &id).await {
        Ok(Some(sites)) => sites,
        // An unknown paywall is the handler's 404 to give.
        Ok(None) => return next.run(request).await,
        Err(error) => return ApiError::from(error).into_response(),
    };
    match origin {
        _ if sites.trim().is_empty() => next.run(request).await,
        // plog's own origin is one of every paywall's sites: the paywall's article page
        // (`/r/{id}`) sells there, and the dashboard previews the widget there.
        Some(origin) if sites::sells(&sites, &origin, ctx.own_origin.as_deref()) => next.run(request).await,
        Some(origin) => ApiError::OriginNotAllowed(format!(
            "this paywall sells only on its own sites, and {origin} is not one of them (the creator lists them in the paywall's origins)"
        ))
        .into_response(),
        None => ApiError::OriginNotAllowed(
            "this paywall sells only on its own sites: a purchase must come from one of their pages (no Origin header was sent)".into(),
        )
        .into_response(),
    }
}

/// Headers on every response: no MIME sniffing, no referrer leaking paywall ids, a CSP that
/// lets nothing load or frame plog's own responses (a route that serves a page sets its own),
/// and `Cache-Control: no-store` unless the route chose its caching: answers that carry an
/// access token, a client secret or paid content must stay in no cache, shared or not (a route
/// that serves cacheable files — the widget's, the painted view — says so itself).
/// The blog page that embeds the widget has its own CSP (README, "Content Security Policy");
/// these headers only cover what plog serves.
fn add_security_headers(response: &mut Response) {
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        ),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::paywall_in_path;

    #[test]
    fn paywall_ids_are_found_in_public_paths_only() {
        let id = "pw_abcdefghijklmnopqrst";
        assert_eq!(paywall_in_path(&format!("/v1/paywalls/{id}")).unwrap().as_str(), id);
        assert_eq!(paywall_in_path(&format!("/v1/paywalls/{id}/purchases")).unwrap().as_str(), id);
        assert!(paywall_in_path(&format!("/v1/admin/paywalls/{id}")).is_none());
        assert!(paywall_in_path("/v1/paywalls/not-an-id/content").is_none());
    }
}
