//! Revoking one reader's access tokens without refunding: for a token that leaked (posted on a
//! forum, shared in a group). `GET /admin/purchases/{id}/revoke` is the confirm step; `POST`
//! ends every token the purchase's reader holds, on every device (`Store::revoke_purchase_tokens`).
//! The purchase stays paid and no money moves: the reader gets fresh tokens by restoring access
//! with the address they paid with.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::html;
use plog_shared::PurchaseId;

use super::DashboardError;
use super::layout::{Nav, money, page, time};
use super::session::{CsrfForm, Session};
use crate::state::AppState;
use crate::store::{Purchase, Store};
use crate::tokens::{new_access_token, token_hash};

/// The purchase and its paywall's title, or 404.
async fn purchase(store: &Store, id: &str) -> Result<(Purchase, String), DashboardError> {
    let id = PurchaseId::parse(id).map_err(|_| DashboardError::NotFound)?;
    store.purchase_with_title(&id).await?.ok_or(DashboardError::NotFound)
}

/// `GET /admin/purchases/{id}/revoke`: what revoking does, and the button.
pub async fn confirm(session: Session, Path(id): Path<String>) -> Result<Response, DashboardError> {
    let (purchase, title) = purchase(&session.store, &id).await?;
    let currency = purchase.price.currency().code();
    let body = html! {
        h1 { "Revoke a reader's access tokens" }
        dl.facts {
            dt { "Article" } dd { (title) }
            dt { "Purchase" } dd { code { (purchase.id) } }
            dt { "Paid" } dd { (money(purchase.price.amount(), currency)) @if let Some(paid) = purchase.paid_at { " on " (time(paid)) } }
        }
        p { "Every access token of this purchase stops opening the article, on every device — use it when a token leaked. "
            "Nothing is refunded and the purchase stays paid: the reader gets a fresh token by restoring access with the address they paid with." }
        form method="post" action=(format!("/admin/purchases/{}/revoke", purchase.id)) {
            input type="hidden" name="csrf" value=(session.csrf_token);
            button.danger type="submit" { "Revoke tokens" }
            " " a href="/admin/sales" { "Cancel" }
        }
    };
    Ok(page("Revoke tokens", Nav::Sales, Some(&session.csrf_token), body).into_response())
}

/// `POST /admin/purchases/{id}/revoke`.
pub async fn revoke_tokens(
    session: Session,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, form.token()).await?;
    let (purchase, title) = purchase(&session.store, &id).await?;
    // The hash of a token nobody is given: the old ones match nothing any more.
    if !session.store.revoke_purchase_tokens(&purchase.id, &token_hash(&new_access_token())).await? {
        return Err(DashboardError::NotFound);
    }
    tracing::info!(purchase_id = %purchase.id, "access tokens revoked from the dashboard");
    let body = html! {
        h1 { "Tokens revoked" }
        p.saved role="status" {
            "The access tokens of this purchase of “" (title) "” open nothing any more. The purchase stays paid; its reader can restore access by email."
        }
        p { a href="/admin/sales" { "Back to sales" } }
    };
    Ok(page("Tokens revoked", Nav::Sales, Some(&session.csrf_token), body).into_response())
}
