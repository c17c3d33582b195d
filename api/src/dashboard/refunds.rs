//! Refunding a purchase from the sales page: `GET /admin/purchases/{id}/refund` is the confirm
//! step (what was paid, what is left to refund, the amount, prefilled with all of it);
//! `POST` asks Stripe (`payments::refund`, under an idempotency key, so a double submit refunds
//! once). The purchase's row changes when Stripe's webhook arrives, not before.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::html;
use plog_shared::money::{format_major, parse_major};
use serde::Deserialize;

use super::DashboardError;
use super::layout::{Nav, money, page, time};
use super::session::Session;
use crate::payments::refund::{RefundError, refund, refundable, refundable_purchase};
use crate::state::AppState;
use crate::store::Purchase;

/// The confirm form.
#[derive(Deserialize)]
pub struct RefundForm {
    csrf: String,
    /// Major units, as the creator typed it.
    amount: String,
}

impl From<RefundError> for DashboardError {
    fn from(error: RefundError) -> Self {
        match error {
            RefundError::NotFound(_) => DashboardError::NotFound,
            RefundError::Store(error) => DashboardError::Internal(error),
            other => DashboardError::BadRequest(other.to_string()),
        }
    }
}

fn confirm_page(session: &Session, purchase: &Purchase, title: &str, amount: &str, error: Option<&str>) -> Response {
    let currency = purchase.price.currency().code();
    let left = refundable(purchase);
    let body = html! {
        h1 { "Refund a purchase" }
        dl.facts {
            dt { "Article" } dd { (title) }
            dt { "Purchase" } dd { code { (purchase.id) } }
            dt { "Paid" } dd { (money(purchase.price.amount(), currency)) @if let Some(paid) = purchase.paid_at { " on " (time(paid)) } }
            @if purchase.refunded_amount > 0 { dt { "Refunded so far" } dd { (money(purchase.refunded_amount, currency)) } }
            dt { "Left to refund" } dd { (money(left, currency)) }
        }
        @if let Some(error) = error { p.error role="alert" { (error) } }
        @if left > 0 {
            form method="post" action=(format!("/admin/purchases/{}/refund", purchase.id)) {
                input type="hidden" name="csrf" value=(session.csrf_token);
                label { "Amount (" (currency.to_uppercase()) ") "
                    input name="amount" value=(amount) inputmode="decimal" required;
                    span.hint { " all of it, or less for a partial refund" }
                }
                p.hint { "The money goes back to the reader's card. A full refund also takes the article back from the reader; a partial one leaves it open." }
                button.danger type="submit" { "Refund" }
                " " a href="/admin/sales" { "Cancel" }
            }
        } @else {
            p { "Nothing is left to refund of this purchase." }
        }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    (status, page("Refund", Nav::Sales, Some(&session.csrf_token), body)).into_response()
}

/// `GET /admin/purchases/{id}/refund`: the confirm step.
pub async fn confirm(session: Session, Path(id): Path<String>) -> Result<Response, DashboardError> {
    let (purchase, title) = refundable_purchase(&session.store, &id).await?;
    let left = format_major(refundable(&purchase), purchase.price.currency());
    Ok(confirm_page(&session, &purchase, &title, &left, None))
}

/// `POST /admin/purchases/{id}/refund`: asks Stripe, then says what happens next.
pub async fn refund_purchase(
    session: Session,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<RefundForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, &form.csrf).await?;
    let (purchase, title) = refundable_purchase(&session.store, &id).await?;
    let refuse = |why: &str| Ok(confirm_page(&session, &purchase, &title, &form.amount, Some(why)));
    let amount = match parse_major(&form.amount, purchase.price.currency()) {
        Ok(amount) => amount,
        Err(error) => return refuse(&error.to_string()),
    };
    match refund(&session.store, &ctx.stripe, &id, Some(amount)).await {
        Ok((made, asked)) => {
            tracing::info!(purchase_id = %id, refund_id = %made.id, "refund asked from the dashboard");
            let body = html! {
                h1 { "Refund asked" }
                p.saved role="status" {
                    "Stripe is refunding " (money(asked.amount(), asked.currency().code())) " of “" (title) "” (" code { (made.id) } "). "
                    "The purchase shows it on the sales page as soon as Stripe confirms it."
                }
                p { a href="/admin/sales" { "Back to sales" } }
            };
            Ok(page("Refund asked", Nav::Sales, Some(&session.csrf_token), body).into_response())
        }
        Err(RefundError::Store(error)) => Err(DashboardError::Internal(error)),
        Err(RefundError::NotFound(_)) => Err(DashboardError::NotFound),
        Err(error) => refuse(&error.to_string()),
    }
}
