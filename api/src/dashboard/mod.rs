//! The creator's dashboard at `/admin`: server-rendered HTML (maud), one small script for what
//! needs the browser (live Markdown preview, Copy buttons, the theme preview, amounts in the
//! creator's locale), and the widget itself for the preview. Signed in with the admin token for
//! a session cookie ([`session`]); every page is answered with its own strict CSP ([`layout`]).
//!
//! - [`overview`]: revenue per day (SVG, [`chart`]), conversion, sales per paywall; period and site.
//! - [`paywalls`]: list, create, edit with previews, the tag to copy, archive.
//! - [`sales`]: purchases with filters, and their CSV; [`refunds`] and [`revoke`] (a reader's
//!   leaked tokens ended without a refund) are its confirm steps.
//! - [`offers`]: passes, gift links and discount codes.
//! - [`account`]: the creator's Stripe connection (platform mode) and API tokens ([`tokens`]
//!   makes and revokes them).
//! - [`creators`]: the operator's view of every creator (platform mode).

mod account;
mod chart;
mod creators;
mod layout;
mod offers;
mod overview;
mod paywalls;
mod refunds;
mod revoke;
mod sales;
pub mod session;
mod sign_in_code;
mod tokens;

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::html;

use crate::catalog::CatalogError;
use crate::state::AppState;
use layout::{Nav, page};

/// The dashboard's routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(overview::overview))
        .route("/admin/", get(|| async { Redirect::permanent("/admin") }))
        .route("/admin/sign-in", get(session::sign_in_page).post(session::sign_in))
        .route("/admin/sign-out", post(session::sign_out))
        .route("/admin/sign-in/code", post(sign_in_code::ask_for_code))
        .route("/admin/sign-in/code/{id}", post(sign_in_code::redeem_code))
        .route("/admin/paywalls", get(paywalls::list).post(paywalls::create))
        .route("/admin/paywalls/new", get(paywalls::new))
        .route("/admin/paywalls/{id}", get(paywalls::edit).post(paywalls::update))
        .route("/admin/paywalls/{id}/archive", post(paywalls::archive))
        .route("/admin/paywalls/{id}/pay-link.svg", get(paywalls::pay_link_qr))
        .route("/admin/preview", post(paywalls::preview))
        .route("/admin/sales", get(sales::sales))
        .route("/admin/offers", get(offers::offers))
        .route("/admin/offers/passes", post(offers::create_pass))
        .route("/admin/offers/gifts", post(offers::create_gift))
        .route("/admin/offers/codes", post(offers::create_code))
        .route("/admin/offers/{kind}/{id}/end", post(offers::end_offer))
        .route("/admin/purchases/{id}/refund", get(refunds::confirm).post(refunds::refund_purchase))
        .route("/admin/purchases/{id}/revoke", get(revoke::confirm).post(revoke::revoke_tokens))
        .route("/admin/sales.csv", get(sales::sales_csv))
        .route("/admin/account", get(account::account))
        .route("/admin/account/stripe", post(account::connect_stripe))
        .route("/admin/account/tokens", post(tokens::make_token))
        .route("/admin/account/tokens/{id}/revoke", post(tokens::revoke_token))
        .route("/admin/account/stripe/refresh", get(account::refresh_link))
        .route("/admin/account/stripe/return", get(account::stripe_return))
        .route("/admin/creators", get(creators::creators))
        .route("/admin/creators/{id}/{action}", post(creators::set_status))
        .route(
            "/admin/assets/dashboard.css",
            get(|| async { asset("text/css; charset=utf-8", include_str!("assets/dashboard.css")) }),
        )
        .route(
            "/admin/assets/dashboard.js",
            get(|| async { asset("text/javascript; charset=utf-8", include_str!("assets/dashboard.js")) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    // Revalidated each time: they change with plog, and they are small.
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "no-cache")], body).into_response()
}

/// Why a dashboard request did not get its page.
#[derive(Debug)]
pub enum DashboardError {
    /// No session: to the sign-in page.
    SignIn,
    /// plog runs without an admin token, so there is no dashboard.
    Disabled,
    /// A request from another site, or with a stale form.
    Forbidden(&'static str),
    /// A filter or field that cannot be read.
    BadRequest(String),
    /// No such paywall.
    NotFound,
    /// A creator's changes beyond their rate.
    TooMany(crate::limits::Limited),
    /// The database or something else failed.
    Internal(anyhow::Error),
}

impl From<anyhow::Error> for DashboardError {
    fn from(error: anyhow::Error) -> Self {
        DashboardError::Internal(error)
    }
}

impl From<CatalogError> for DashboardError {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::Invalid(e) => DashboardError::BadRequest(e.0),
            CatalogError::NotFound => DashboardError::NotFound,
            CatalogError::Store(e) => DashboardError::Internal(e),
        }
    }
}

impl IntoResponse for DashboardError {
    fn into_response(self) -> Response {
        let (status, title, message) = match self {
            DashboardError::SignIn => return Redirect::to("/admin/sign-in").into_response(),
            DashboardError::Disabled => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Dashboard off",
                "The dashboard needs an admin token: start plog with PLOG_ADMIN_TOKEN set to a long random secret."
                    .to_owned(),
            ),
            DashboardError::Forbidden(why) => (StatusCode::FORBIDDEN, "Refused", why.to_owned()),
            DashboardError::BadRequest(why) => (StatusCode::BAD_REQUEST, "Cannot read the request", why),
            DashboardError::TooMany(limited) => {
                let wait = limited.retry_after.as_secs().max(1);
                let body = html! {
                    h1 { "Too many changes" }
                    p.error role="alert" { (limited.message) " (in " (wait) " s)." }
                    p { a href="/admin" { "Back to the dashboard" } }
                };
                let mut response =
                    (StatusCode::TOO_MANY_REQUESTS, page("Too many changes", Nav::None, None, body)).into_response();
                response.headers_mut().insert(axum::http::header::RETRY_AFTER, wait.into());
                return response;
            }
            DashboardError::NotFound => {
                (StatusCode::NOT_FOUND, "Not found", "There is no such paywall or purchase.".to_owned())
            }
            DashboardError::Internal(error) => {
                let busy = crate::store::is_pool_timeout(&error);
                tracing::error!(error = ?error, "dashboard request failed");
                if busy {
                    (StatusCode::SERVICE_UNAVAILABLE, "Busy", "The database is busy; try again in a moment.".to_owned())
                } else {
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "Something failed",
                        "plog could not answer; the server's log says why.".to_owned(),
                    )
                }
            }
        };
        let body = html! {
            h1 { (title) }
            p.error role="alert" { (message) }
            p { a href="/admin" { "Back to the dashboard" } }
        };
        (status, page(title, Nav::None, None, body)).into_response()
    }
}
