//! The widget's files, for any blog's origin: `GET /plog.js` (the loader the tag names, with the
//! content-hashed file names of this build filled in; cached briefly so a new build reaches
//! readers within minutes) and `GET /widget/*` (glue JS and .wasm from the Trunk build; their
//! names change with their content, so they are cached for a year).
//!
//! The files come from `PLOG_WIDGET_DIR` (default `dist/`); the loader is read once at start-up
//! (`widget_build`).

use std::path::Path;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::error_response;
use crate::state::AppState;

/// `/plog.js` and `/widget/*`.
pub fn router(widget_dir: &Path) -> Router<AppState> {
    let files = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")))
        .layer(axum::middleware::from_fn(cache_by_name))
        .service(ServeDir::new(widget_dir));
    Router::new().route("/plog.js", get(loader)).nest_service("/widget", files)
}

/// Content-hashed files (`plog-widget-HASH.js`, `…_bg.wasm`) never change: cache them for a
/// year. Anything else in the folder (the dev page) may change with the next build.
async fn cache_by_name(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let hashed = request.uri().path().rsplit('/').next().is_some_and(|name| name.starts_with("plog-widget-"));
    let mut response = next.run(request).await;
    let value =
        if hashed && response.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    response
}

async fn loader(State(ctx): State<AppState>) -> Response {
    match &ctx.widget {
        Some(assets) => (
            [
                (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                (header::CACHE_CONTROL, "public, max-age=300"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            ],
            assets.loader().to_owned(),
        )
            .into_response(),
        None => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "widget_not_built",
            "the widget is not built: run `trunk build --release` or set PLOG_WIDGET_DIR",
        ),
    }
}
