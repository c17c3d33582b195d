//! The operator's view of a plog for many creators (platform mode), at `/admin/creators`, for
//! the session of `PLOG_ADMIN_TOKEN` only: every creator, their Stripe account and whether they
//! sell, their paid sales and the fees taken, per currency; suspending a creator stops their
//! sales (readers keep reading) and reinstating lets them sell again. Counts per creator live
//! here, never in the metrics' labels.

use std::collections::BTreeMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::DashboardError;
use super::layout::{Nav, Page, money, page};
use super::session::{CsrfForm, Session};
use crate::state::AppState;
use crate::store::{CreatorId, CreatorSales, CreatorStatus};

/// Only the operator, only on a platform.
fn operator(ctx: &AppState, session: &Session) -> Result<(), DashboardError> {
    if ctx.config.platform.enabled && session.creator == CreatorId::OWNER {
        Ok(())
    } else {
        Err(DashboardError::NotFound)
    }
}

/// `GET /admin/creators`.
pub async fn creators(session: Session, State(ctx): State<AppState>) -> Result<Page, DashboardError> {
    operator(&ctx, &session)?;
    let creators = ctx.store.creators().await?;
    let mut sales: BTreeMap<CreatorId, Vec<CreatorSales>> = BTreeMap::new();
    for figures in ctx.store.sales_per_creator().await? {
        sales.entry(figures.creator).or_default().push(figures);
    }
    let body = html! {
        h1 { "Creators" }
        p.hint { "Each creator's readers pay the creator's own Stripe account; "
            @match ctx.config.platform.fee { Some(fee) => { "this plog takes " (fee) " of each sale." } None => { "this plog takes no fee." } } }
        table {
            thead { tr { th { "Creator" } th { "Stripe account" } th { "Sells" } th.num { "Paid sales" } th.num { "Takings" } th.num { "Fees taken" } th { "" } } }
            tbody { @for creator in &creators {
                @let figures = sales.get(&creator.id).cloned().unwrap_or_default();
                tr data-creator=(creator.id) {
                    td { (creator.email.as_deref().unwrap_or("you (the operator)")) }
                    td { @if let Some(account) = &creator.stripe_account { code { (account) } } @else { "–" } }
                    td { @if creator.id == CreatorId::OWNER { "on the platform's account" }
                         @else { @match creator.why_not_selling() { None => "yes", Some(why) => span title=(why) { "no" } } } }
                    td.num { @for f in &figures { div { (f.count) } } }
                    td.num { @for f in &figures { div { (money(f.takings, &f.currency)) } } }
                    td.num { @for f in &figures { div { (money(f.fees, &f.currency)) } } }
                    td { @if creator.id != CreatorId::OWNER {
                        @let (action, label) = if creator.status == CreatorStatus::Suspended { ("reinstate", "Reinstate") } else { ("suspend", "Suspend") };
                        form method="post" action=(format!("/admin/creators/{}/{action}", creator.id)) {
                            input type="hidden" name="csrf" value=(session.csrf_token);
                            button.secondary type="submit" { (label) }
                        }
                    } }
                }
            } }
        }
    };
    Ok(page("Creators", Nav::Creators, Some(&session.csrf_token), body))
}

/// `POST /admin/creators/{id}/suspend|reinstate`.
pub async fn set_status(
    session: Session,
    State(ctx): State<AppState>,
    Path((id, action)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, form.token()).await?;
    operator(&ctx, &session)?;
    let status = match action.as_str() {
        "suspend" => CreatorStatus::Suspended,
        "reinstate" => CreatorStatus::Active,
        _ => return Err(DashboardError::NotFound),
    };
    let id: i64 = id.parse().map_err(|_| DashboardError::NotFound)?;
    let creator = ctx.store.creators().await?.into_iter().find(|c| c.id.get() == id).ok_or(DashboardError::NotFound)?;
    if !ctx.store.set_creator_status(creator.id, status).await? {
        return Err(DashboardError::NotFound);
    }
    tracing::info!(creator = %creator.id, action, "creator's status changed by the operator");
    Ok(Redirect::to("/admin/creators").into_response())
}
