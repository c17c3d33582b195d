//! The widget's files, for any blog's origin: `GET /plog.js` (the loader the tag names, with the
//! content-hashed file names of this build filled in; cached briefly so a new build reaches
//! readers within minutes) and `GET /widget/*` (glue JS and .wasm from the Trunk build; their
//! names change with their content, so they are cached for a year).
//!
//! The files are the build embedded in the binary, or the one in `PLOG_WIDGET_DIR`, held in memory
//! from start-up (`widget_build`).

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use plog_shared::ErrorCode;

use crate::error::error_response;
use crate::state::AppState;

/// `/plog.js` and `/widget/*`.
pub fn router() -> Router<AppState> {
    Router::new().route("/plog.js", get(loader)).route("/widget/{name}", get(file))
}

fn not_built() -> Response {
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::WidgetNotBuilt,
        "the widget is not built: run `scripts/build-widget` and rebuild plog, or set PLOG_WIDGET_DIR",
    )
}

/// The type of a build file by its extension (Trunk writes only these).
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// One file of the build. Content-hashed files (`plog-widget-HASH.js`, `…_bg.wasm`) never change:
/// cached for a year. Anything else (the dev page) may change with the next build.
async fn file(State(ctx): State<AppState>, Path(name): Path<String>) -> Response {
    let Some(assets) = &ctx.widget else { return not_built() };
    let Some(bytes) = assets.file(&name) else {
        return error_response(StatusCode::NOT_FOUND, ErrorCode::NotFound, "no such file in the widget's build");
    };
    let cache = if name.starts_with("plog-widget-") { "public, max-age=31536000, immutable" } else { "no-cache" };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type(&name))),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        bytes,
    )
        .into_response()
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
        None => not_built(),
    }
}
