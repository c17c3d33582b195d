//! The creator's account page at `/admin/account`: on a plog for many creators (platform mode),
//! their Stripe connection — "Connect Stripe" makes their connected account (once; again after
//! it was disconnected) and sends them through Stripe's hosted onboarding (an Account Link);
//! Stripe sends them back to `/admin/account/stripe/return`, where plog reads the account again
//! and records whether it takes card payments (`account.updated` says the same later). Until it
//! does, their paywalls do not sell, and this page says why. The page also lists the creator's
//! admin API tokens, made and revoked here (`dashboard/tokens.rs`).

use axum::Form;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::DashboardError;
use super::layout::{Nav, Page, page};
use super::session::{CsrfForm, Session};
use crate::state::AppState;
use crate::store::{Creator, CreatorId};
use crate::stripe::connect::ConnectedAccountId;

/// The signed-in creator, read afresh.
async fn creator(ctx: &AppState, session: &Session) -> Result<Creator, DashboardError> {
    ctx.store
        .creator_by_id(session.creator)
        .await?
        .ok_or_else(|| DashboardError::Internal(anyhow::anyhow!("the session's creator {} is gone", session.creator)))
}

/// `GET /admin/account`.
pub async fn account(session: Session, State(ctx): State<AppState>) -> Result<Page, DashboardError> {
    account_page(&ctx, &session, None).await
}

/// The account page; `made`: a token just made, (its label, its secret), shown this once.
pub(super) async fn account_page(
    ctx: &AppState,
    session: &Session,
    made: Option<(&str, &str)>,
) -> Result<Page, DashboardError> {
    let creator = creator(ctx, session).await?;
    let tokens = session.store.creator_tokens().await?;
    let platform = ctx.config.platform.enabled;
    let csrf = || html! { input type="hidden" name="csrf" value=(session.csrf_token); };
    let body = html! {
        h1 { "Account" }
        @if let Some(email) = &creator.email { p { "Signed in as " strong { (email) } "." } }
        section {
            h2 { "Stripe" }
            @if !platform || creator.id == CreatorId::OWNER {
                p { "Readers pay this plog's own Stripe account (the keys it was started with)." }
                @if platform { p { a href="/admin/creators" { "Creators on this plog" } ": their accounts, sales and the fees taken." } }
            } @else {
                @match creator.why_not_selling() {
                    None => p.ok { "Your Stripe account " code { (creator.stripe_account.as_deref().unwrap_or_default()) }
                        " takes card payments: your readers pay it directly." }
                    Some(why) => p.error role="alert" { (why) " Until then your paywalls show readers \u{201c}not for sale right now\u{201d}." }
                }
                @if let Some(fee) = ctx.config.platform.fee { p.hint { "This plog's operator takes " (fee) " of each sale; Stripe's own fee is billed to your account." } }
                @if creator.stripe_account.is_none() || creator.disconnected_at.is_some() || !creator.takes_payments {
                    form method="post" action="/admin/account/stripe" {
                        (csrf())
                        button.primary type="submit" {
                            @if creator.stripe_account.is_some() && creator.disconnected_at.is_none() { "Continue with Stripe" } @else { "Connect Stripe" }
                        }
                    }
                }
            }
        }
        section {
            h2 { "API tokens" }
            p.hint { "Tokens for your own tools (" code { "Authorization: Bearer …" } " on " code { "/v1/admin" }
                "): a token sees and changes only your paywalls and sales. plog keeps a hash of each, so it shows a token once." }
            @if let Some((label, secret)) = made {
                p.saved role="status" { "Your new token " @if !label.is_empty() { "\u{201c}" (label) "\u{201d} " } "— copy it now, it is not shown again:" }
                p { code #new-token { (secret) } }
            }
            @if !tokens.is_empty() {
                table {
                    thead { tr { th { "Token" } th { "Label" } th { "Made" } th { "" } } }
                    tbody { @for token in &tokens {
                        tr {
                            td { code { (token.id) } }
                            td { (token.label) }
                            td { (super::layout::time(token.created_at)) }
                            td { @if let Some(at) = token.revoked_at { "revoked " (super::layout::time(at)) } @else {
                                form method="post" action=(format!("/admin/account/tokens/{}/revoke", token.id)) {
                                    (csrf()) button.danger type="submit" { "Revoke" }
                                }
                            } }
                        }
                    } }
                }
            }
            form.offer method="post" action="/admin/account/tokens" {
                (csrf())
                label { "Label " input name="label" maxlength="100" placeholder="the CMS plugin"; }
                button type="submit" { "Make a token" }
            }
        }
    };
    Ok(page("Account", Nav::Account, Some(&session.csrf_token), body))
}

/// The creator's connected account, made (once, under an idempotency key of theirs; a new one
/// after a disconnection) and kept.
async fn connected_account(ctx: &AppState, creator: &Creator) -> Result<ConnectedAccountId, DashboardError> {
    let account = match (&creator.stripe_account, creator.disconnected_at) {
        (Some(account), None) => account.clone(),
        (_, disconnected) => {
            // After a disconnection the old key would answer with the old account.
            let key = match disconnected {
                None => creator.id.to_string(),
                Some(at) => format!("{}-{at}", creator.id),
            };
            let made = ctx.stripe.create_connected_account(&key, creator.email.as_deref()).await?;
            ctx.store.keep_stripe_account(creator.id, &made.id).await?
        }
    };
    ConnectedAccountId::parse(&account)
        .map_err(|e| DashboardError::Internal(anyhow::anyhow!("account {account:?}: {e}")))
}

/// Sends the creator to Stripe's onboarding with a fresh Account Link: a page that goes on to
/// it, not a redirect — the dashboard's CSP (`form-action 'self'`) rightly refuses to follow a
/// form's redirect to another site.
async fn to_onboarding(ctx: &AppState, account: &ConnectedAccountId) -> Result<Response, DashboardError> {
    let base = ctx.public_url.trim_end_matches('/');
    let link = ctx
        .stripe
        .create_account_link(
            account,
            &format!("{base}/admin/account/stripe/refresh"),
            &format!("{base}/admin/account/stripe/return"),
        )
        .await?;
    let body = html! {
        meta http-equiv="refresh" content=(format!("0;url={}", link.url));
        h1 { "On to Stripe" }
        p { "Stripe asks for the details it needs to pay you. " a #to-stripe href=(link.url) { "Continue to Stripe" } }
    };
    Ok(page("On to Stripe", Nav::Account, None, body).into_response())
}

fn platform_creator(ctx: &AppState, session: &Session) -> Result<(), DashboardError> {
    if ctx.config.platform.enabled && session.creator != CreatorId::OWNER {
        Ok(())
    } else {
        Err(DashboardError::NotFound)
    }
}

/// `POST /admin/account/stripe`: "Connect Stripe".
pub async fn connect_stripe(
    session: Session,
    State(ctx): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, form.token()).await?;
    platform_creator(&ctx, &session)?;
    let creator = creator(&ctx, &session).await?;
    let account = connected_account(&ctx, &creator).await?;
    tracing::info!(creator = %creator.id, %account, "creator sent to Stripe's onboarding");
    to_onboarding(&ctx, &account).await
}

/// Where Stripe sends the creator back to, the query of a second landing.
#[derive(serde::Deserialize)]
pub struct Landing {
    #[serde(default)]
    again: bool,
}

/// The session of a creator Stripe sent back. The session cookie is SameSite=Strict, so a
/// browser does not send it on a navigation that comes from Stripe's site: the first landing
/// without a session answers a page that comes back to the same address from plog's own (a
/// same-site navigation, which carries the cookie); only a second landing without one is sent to
/// sign in.
fn back_from_stripe(
    session: Result<Session, DashboardError>,
    landing: &Landing,
    path: &str,
) -> Result<Session, Box<Response>> {
    match session {
        Ok(session) => Ok(session),
        Err(DashboardError::SignIn) if !landing.again => {
            let again = format!("{path}?again=true");
            let body = html! {
                meta http-equiv="refresh" content=(format!("0;url={again}"));
                h1 { "Back from Stripe" }
                p { a href=(again) { "Continue to your account" } }
            };
            Err(Box::new(page("Back from Stripe", Nav::None, None, body).into_response()))
        }
        Err(error) => Err(Box::new(error.into_response())),
    }
}

/// `GET /admin/account/stripe/refresh`: Stripe sends the creator here when a link expired or was
/// used; a new one.
pub async fn refresh_link(
    session: Result<Session, DashboardError>,
    Query(landing): Query<Landing>,
    State(ctx): State<AppState>,
) -> Result<Response, DashboardError> {
    let session = match back_from_stripe(session, &landing, "/admin/account/stripe/refresh") {
        Ok(session) => session,
        Err(page) => return Ok(*page),
    };
    platform_creator(&ctx, &session)?;
    let creator = creator(&ctx, &session).await?;
    match creator.stripe_account.as_deref().filter(|_| creator.disconnected_at.is_none()) {
        None => Ok(Redirect::to("/admin/account").into_response()),
        Some(account) => {
            to_onboarding(
                &ctx,
                &ConnectedAccountId::parse(account).map_err(|e| DashboardError::Internal(anyhow::anyhow!("{e}")))?,
            )
            .await
        }
    }
}

/// `GET /admin/account/stripe/return`: back from Stripe; the account is read again.
pub async fn stripe_return(
    session: Result<Session, DashboardError>,
    Query(landing): Query<Landing>,
    State(ctx): State<AppState>,
) -> Result<Response, DashboardError> {
    let session = match back_from_stripe(session, &landing, "/admin/account/stripe/return") {
        Ok(session) => session,
        Err(page) => return Ok(*page),
    };
    platform_creator(&ctx, &session)?;
    let creator = creator(&ctx, &session).await?;
    if let Some(account) = creator.stripe_account.as_deref().filter(|_| creator.disconnected_at.is_none()) {
        let id = ConnectedAccountId::parse(account).map_err(|e| DashboardError::Internal(anyhow::anyhow!("{e}")))?;
        let read = ctx.stripe.connected_account(&id).await?;
        ctx.store.record_account_status(account, read.takes_card_payments(), ctx.clock.now()).await?;
        tracing::info!(creator = %creator.id, account, takes_payments = read.takes_card_payments(), "back from Stripe's onboarding");
        if read.takes_card_payments() {
            // The sites of the creator's paywalls are registered for wallets on their account.
            ctx.register_wallet_domains();
        }
    }
    Ok(Redirect::to("/admin/account").into_response())
}
