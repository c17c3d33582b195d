//! Signing up and signing in by e-mail on a plog for many creators (platform mode): the creator
//! types their address, plog mails a six-digit code (valid [`CODE_MINUTES`], [`TRIES`] wrong
//! tries), and the right code opens a session — the creator's, made on their first sign-in
//! unless the operator requires invitations (`PLOG_PLATFORM_INVITE_ONLY`: only addresses added
//! with `plog creator add` get a code).
//!
//! What an attacker learns: nothing about which addresses are creators — every request for a
//! code gets the same page. What they can do: ask for codes at the restore limits' pace (per
//! address and per network) and try a code [`TRIES`] times; the code's keyed hash is all that is
//! stored.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::html;
use plog_shared::SignInId;
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::DashboardError;
use super::layout::{Nav, page};
use super::session::{open_session, same_site, sign_in_form};
use crate::client_ip::ClientIp;
use crate::mailer::{Delivery, Outgoing};
use crate::state::AppState;
use crate::store::SignInRedeemed;
use crate::tokens::{keyed_hash, new_id, new_restore_code};

/// How long a code is good for.
pub const CODE_MINUTES: i64 = 10;
/// Wrong tries a code survives.
pub const TRIES: i64 = 5;

/// The code's keyed hash, under its id: a code typed for another request matches nothing.
fn code_hash(ctx: &AppState, id: &SignInId, code: &str) -> String {
    keyed_hash(ctx.email_key().expose_secret(), "plog sign-in v1", &format!("{id}:{}", code.trim()))
}

/// The form asking for a code.
#[derive(Deserialize)]
pub struct CodeAsked {
    email: String,
}

/// The form with the code.
#[derive(Deserialize)]
pub struct CodeTyped {
    code: String,
}

fn platform_only(ctx: &AppState) -> Result<(), DashboardError> {
    if ctx.config.platform.enabled { Ok(()) } else { Err(DashboardError::NotFound) }
}

fn code_form(id: &SignInId, email: &str, error: Option<&str>, status: StatusCode) -> Response {
    let body = html! {
        section.sign-in {
            h1 { "Check your mail" }
            p { "If " strong { (email) } " may sign in here, a six-digit code is on its way to it. It is good for "
                (CODE_MINUTES) " minutes." }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            form method="post" action=(format!("/admin/sign-in/code/{id}")) {
                label for="code" { "Code" }
                input #code name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required autofocus;
                button.primary type="submit" { "Sign in" }
            }
            p { a href="/admin/sign-in" { "Ask for a new code" } }
        }
    };
    (status, page("Check your mail", Nav::None, None, body)).into_response()
}

/// `POST /admin/sign-in/code`: mails a code to the address (if it may sign in).
pub async fn ask_for_code(
    State(ctx): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(form): Form<CodeAsked>,
) -> Result<Response, DashboardError> {
    platform_only(&ctx)?;
    same_site(&headers, &ctx)?;
    let Ok(email) = crate::receipts::address::normalize(&form.email) else {
        return Ok(sign_in_form(&ctx, Some("That is not an e-mail address."), StatusCode::UNPROCESSABLE_ENTITY));
    };
    let email_key = crate::receipts::address::hash(ctx.email_key(), &email);
    if let Err(limited) = ctx.restore_limits.check(ip, &email_key) {
        let mut response = sign_in_form(&ctx, Some(&limited.message), StatusCode::TOO_MANY_REQUESTS);
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(limited.retry_after.as_secs()));
        return Ok(response);
    }
    let id: SignInId = new_id();
    let invited = ctx.store.creator_by_email(&email).await?.is_some();
    if ctx.config.platform.invite_only && !invited {
        // The same page as for an address that gets a code: who is invited is not told.
        tracing::info!("sign-in code not sent: the address is not invited");
        return Ok(code_form(&id, &email, None, StatusCode::OK));
    }
    let code = new_restore_code();
    let now = ctx.clock.now();
    ctx.store
        .insert_sign_in_code(&id, &email, &code_hash(&ctx, &id, &code), TRIES, now + CODE_MINUTES * 60, now)
        .await?;
    let mailer = ctx.mailer.as_ref().ok_or_else(|| anyhow::anyhow!("platform mode without a mailer"))?;
    let site = ctx.public_url.trim_end_matches('/');
    let mail = Outgoing {
        to: email.clone(),
        subject: format!("{code} is your code for {site}"),
        text: format!(
            "Your code to sign in to {site}: {code}\n\nIt is good for {CODE_MINUTES} minutes. If you did not ask for it, ignore this mail."
        ),
        html: html! {
            p { "Your code to sign in to " (site) ":" }
            p style="font-size:1.6em;letter-spacing:.2em" { strong { (code) } }
            p { "It is good for " (CODE_MINUTES) " minutes. If you did not ask for it, ignore this mail." }
        }
        .into_string(),
        message_id: format!("<{id}@{}>", ctx.public_url.split("://").nth(1).unwrap_or("plog").trim_end_matches('/')),
        language: "en".into(),
    };
    match mailer.send(&mail).await {
        Delivery::Sent => {
            tracing::info!(sign_in_id = %id, "sign-in code sent");
            Ok(code_form(&id, &email, None, StatusCode::OK))
        }
        Delivery::Refused(why) | Delivery::Failed(why) => {
            tracing::warn!(sign_in_id = %id, why, "sign-in code not sent");
            Ok(sign_in_form(
                &ctx,
                Some("The code could not be sent to that address; try again."),
                StatusCode::BAD_GATEWAY,
            ))
        }
    }
}

/// `POST /admin/sign-in/code/{id}`: the code for a session.
pub async fn redeem_code(
    State(ctx): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CodeTyped>,
) -> Result<Response, DashboardError> {
    platform_only(&ctx)?;
    same_site(&headers, &ctx)?;
    let gone =
        || sign_in_form(&ctx, Some("That code has expired or was used up: ask for a new one."), StatusCode::GONE);
    let Ok(id) = SignInId::parse(&id) else { return Ok(gone()) };
    if let Err(limited) = ctx.restore_limits.check_code(ip, id.as_str()) {
        return Ok(sign_in_form(&ctx, Some(&limited.message), StatusCode::TOO_MANY_REQUESTS));
    }
    let now = ctx.clock.now();
    let email = match ctx.store.redeem_sign_in_code(&id, &code_hash(&ctx, &id, &form.code), now).await? {
        SignInRedeemed::Address(email) => email,
        SignInRedeemed::Wrong(left) if left > 0 => {
            let error = format!("That code is not right; {left} tries left.");
            return Ok(code_form(&id, "your address", Some(&error), StatusCode::UNAUTHORIZED));
        }
        SignInRedeemed::Wrong(_) | SignInRedeemed::Gone => return Ok(gone()),
    };
    let creator = match ctx.store.creator_by_email(&email).await? {
        Some(creator) => creator.id,
        None if ctx.config.platform.invite_only => return Ok(gone()),
        None => match ctx.store.add_creator(&email, now).await? {
            Some(id) => {
                tracing::info!(creator = %id, "creator signed up");
                id
            }
            // Signed up a moment ago by another tab.
            None => ctx
                .store
                .creator_by_email(&email)
                .await?
                .map(|c| c.id)
                .ok_or_else(|| anyhow::anyhow!("creator vanished"))?,
        },
    };
    open_session(&ctx, creator, None).await
}
