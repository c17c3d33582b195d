//! Signing in to the dashboard: an admin token, typed once, buys a session cookie — the owner's
//! (`PLOG_ADMIN_TOKEN`) or a creator's API token — and the session is that creator's: its
//! [`Session::store`] reads and writes their rows only.
//!
//! The cookie (`plog_session`) holds 32 random bytes; the database keeps only their HMAC keyed
//! by the admin token (`admin_sessions`), so signing out ends the session for good, and
//! changing `PLOG_ADMIN_TOKEN` ends every session at once (no stored hash matches any more). The cookie is HttpOnly (no
//! script reads it), SameSite=Strict (no other site's page sends it), limited to `/admin`,
//! Secure when plog is served over https, and lasts 12 hours. Against cross-site requests, on
//! top of SameSite: every form carries the session's CSRF token (compared in constant time) and
//! a POST whose `Origin` or `Sec-Fetch-Site` says it came from another site is refused.

use axum::Form;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use maud::html;
use plog_shared::TokenId;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::DashboardError;
use super::layout::{Nav, page};
use crate::client_ip::ClientIp;
use crate::limits::LimitError;
use crate::state::AppState;
use crate::store::{CreatorId, Store};
use crate::tokens::{constant_time_eq, new_access_token};

/// The session cookie's name.
pub const COOKIE: &str = "plog_session";
/// How long a session lasts.
pub const LIFETIME_SECS: i64 = 12 * 3600;

/// A signed-in creator.
pub struct Session {
    /// The token every form and the preview must send back.
    pub csrf_token: String,
    cookie_hash: String,
    /// Who signed in.
    pub creator: CreatorId,
    /// The store, scoped to them: what every page reads and writes through.
    pub store: Store,
}

impl Session {
    /// Refuses a state-changing request that did not come from the dashboard's own pages, and
    /// one beyond the creator's rate of changes (which the admin API's changes spend too).
    pub async fn check(&self, headers: &HeaderMap, ctx: &AppState, csrf: &str) -> Result<(), DashboardError> {
        self.check_uncounted(headers, ctx, csrf)?;
        ctx.creator_limits.take_write(&ctx.store, self.creator).await.map_err(|refused| match refused {
            LimitError::Limited(limited) => DashboardError::TooMany(limited),
            LimitError::Store(error) => DashboardError::Internal(error),
        })
    }

    /// [`Session::check`] for a request that changes nothing of the creator's (the preview,
    /// signing out): its origin and CSRF token are checked, and no change is counted.
    pub fn check_uncounted(&self, headers: &HeaderMap, ctx: &AppState, csrf: &str) -> Result<(), DashboardError> {
        same_site(headers, ctx)?;
        if constant_time_eq(csrf, &self.csrf_token) {
            Ok(())
        } else {
            Err(DashboardError::Forbidden(
                "The form is out of date (its CSRF token does not match the session). Reload the page and try again.",
            ))
        }
    }
}

/// Refuses a request that a browser marks as sent from another site.
pub(super) fn same_site(headers: &HeaderMap, ctx: &AppState) -> Result<(), DashboardError> {
    let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
    let fetch_site = headers.get("sec-fetch-site").and_then(|o| o.to_str().ok());
    let foreign_origin = origin.is_some_and(|o| !ctx.is_own_origin(o));
    let foreign_fetch = fetch_site.is_some_and(|s| !matches!(s, "same-origin" | "none"));
    if foreign_origin || foreign_fetch {
        return Err(DashboardError::Forbidden(
            "This request came from another site; the dashboard only takes its own forms.",
        ));
    }
    Ok(())
}

/// What a session is stored under: HMAC-SHA256 of the cookie's value, keyed by the admin token.
fn session_key(ctx: &AppState, cookie_value: &str) -> String {
    use hmac::{Hmac, Mac};
    let token = ctx.config.admin_token.as_ref().map(|t| t.expose_secret().to_owned()).unwrap_or_default();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(token.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"plog dashboard session v1:");
    mac.update(cookie_value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == COOKIE)
        .map(|c| c.value().to_owned())
}

impl FromRequestParts<AppState> for Session {
    type Rejection = DashboardError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppState) -> Result<Self, Self::Rejection> {
        if ctx.config.admin_token.is_none() {
            return Err(DashboardError::Disabled);
        }
        let value = cookie_value(&parts.headers).ok_or(DashboardError::SignIn)?;
        let cookie_hash = session_key(ctx, &value);
        let session = ctx.store.find_session(&cookie_hash, ctx.clock.now()).await?.ok_or(DashboardError::SignIn)?;
        Ok(Session {
            csrf_token: session.csrf_token,
            cookie_hash,
            creator: session.creator,
            store: ctx.store.for_creator(session.creator),
        })
    }
}

fn session_cookie(ctx: &AppState, value: String, max_age_secs: i64) -> HeaderValue {
    let cookie = Cookie::build((COOKIE, value))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(ctx.public_url.starts_with("https://"))
        .path("/admin")
        .max_age(cookie::time::Duration::seconds(max_age_secs))
        .build();
    HeaderValue::from_str(&cookie.to_string()).expect("a cookie of base64url characters is a valid header")
}

/// `GET /admin/sign-in`.
pub async fn sign_in_page(State(ctx): State<AppState>) -> Result<Response, DashboardError> {
    if ctx.config.admin_token.is_none() {
        return Err(DashboardError::Disabled);
    }
    Ok(sign_in_form(&ctx, None, StatusCode::OK))
}

pub(super) fn sign_in_form(ctx: &AppState, error: Option<&str>, status: StatusCode) -> Response {
    let body = html! {
        @if ctx.config.platform.enabled {
            section.sign-in {
                h1 { "Sign in or sign up" }
                p.hint { "With your e-mail address: plog mails you a one-time code. No password." }
                form method="post" action="/admin/sign-in/code" {
                    label for="email" { "E-mail address" }
                    input #email type="email" name="email" autocomplete="email" required autofocus;
                    button.primary type="submit" { "Send me a code" }
                }
            }
        }
        section.sign-in {
            h1 { @if ctx.config.platform.enabled { "Or with a token" } @else { "Sign in" } }
            p.hint { "With the admin token plog was started with (" code { "PLOG_ADMIN_TOKEN" } "), or an API token of yours (" code { "plog_…" } ")." }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            form method="post" action="/admin/sign-in" {
                label for="token" { "Admin token" }
                input #token type="password" name="token" autocomplete="current-password" required autofocus;
                button.primary type="submit" { "Sign in" }
            }
        }
    };
    (status, page("Sign in", Nav::None, None, body)).into_response()
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct SignIn {
    token: String,
}

/// `POST /admin/sign-in`: the admin token for a session.
pub async fn sign_in(
    State(ctx): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Result<Response, DashboardError> {
    if ctx.config.admin_token.is_none() {
        return Err(DashboardError::Disabled);
    }
    same_site(&headers, &ctx)?;
    if let Err(wait) = ctx.admin_tokens.check(ip) {
        ctx.metrics.admin_refusal("limited");
        let mut response = sign_in_form(
            &ctx,
            Some(&format!("Too many attempts; try again in {wait} s.")),
            StatusCode::TOO_MANY_REQUESTS,
        );
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait));
        return Ok(response);
    }
    let Some(holder) = ctx.holder_of_admin_token(form.token.trim()).await? else {
        ctx.admin_tokens.failed(ip);
        ctx.metrics.admin_refusal("wrong");
        tracing::warn!("dashboard sign-in refused: wrong admin token");
        return Ok(sign_in_form(&ctx, Some("That is not an admin token."), StatusCode::UNAUTHORIZED));
    };
    open_session(&ctx, holder.creator, holder.token.as_ref()).await
}

/// Opens a session of `creator` (signed in with their API token `opened_by`, if so: revoking
/// it ends the session) and sends the browser to the dashboard with its cookie.
pub(super) async fn open_session(
    ctx: &AppState,
    creator: CreatorId,
    opened_by: Option<&TokenId>,
) -> Result<Response, DashboardError> {
    let value = new_access_token();
    let at = ctx.clock.now();
    let key = session_key(ctx, &value);
    ctx.store.open_session(&key, &new_access_token(), (creator, opened_by), at, at + LIFETIME_SECS).await?;
    tracing::info!(%creator, "dashboard session opened");
    let mut response = Redirect::to("/admin").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(ctx, value, LIFETIME_SECS));
    Ok(response)
}

/// A form that carries only the session's CSRF token (sign-out, archive).
#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

impl CsrfForm {
    /// The token the form sent.
    pub fn token(&self) -> &str {
        &self.csrf
    }
}

/// `POST /admin/sign-out`: ends the session here and in the database.
pub async fn sign_out(
    session: Session,
    State(ctx): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DashboardError> {
    session.check_uncounted(&headers, &ctx, form.token())?;
    ctx.store.close_session(&session.cookie_hash).await?;
    let mut response = Redirect::to("/admin/sign-in").into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&ctx, String::new(), 0));
    Ok(response)
}
