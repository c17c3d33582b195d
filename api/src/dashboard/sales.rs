//! The sales pages: purchases with their state, filtered by paywall, dates and status, and the
//! same selection as CSV.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::html;
use plog_shared::PaywallId;
use plog_shared::api::{AdminPurchase, PaywallMode, PurchaseStatus};
use serde::Deserialize;

use super::DashboardError;
use super::layout::{Nav, Page, money, page, time};
use super::session::Session;
use crate::export::purchases_csv;
use crate::report::parse_day;
use crate::state::AppState;
use crate::store::{DAY_SECS, PurchaseFilter, Store};

/// Most purchases one page or export holds.
pub const MOST: i64 = 10_000;

/// Filters of `GET /admin/sales` and `/admin/sales.csv` (dates are UTC days, both included).
#[derive(Debug, Default, Deserialize)]
pub struct SalesQuery {
    #[serde(default)]
    paywall: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    status: String,
}

struct Selection {
    purchases: Vec<AdminPurchase>,
    titles: HashMap<String, String>,
}

async fn select(store: &Store, query: &SalesQuery) -> Result<Selection, DashboardError> {
    let day = |field: &str, text: &str| -> Result<Option<i64>, DashboardError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        parse_day(text).map(Some).map_err(|e| DashboardError::BadRequest(format!("{field}: {e}")))
    };
    let since = day("from", &query.from)?;
    let until = day("to", &query.to)?.map(|start| start + DAY_SECS);
    let status = match query.status.as_str() {
        "" => None,
        text => Some(
            PurchaseStatus::parse(text)
                .ok_or_else(|| DashboardError::BadRequest(format!("status: {text:?} is not a purchase status")))?,
        ),
    };
    let paywall_id = match query.paywall.trim() {
        "" => None,
        text => Some(PaywallId::parse(text).map_err(|e| DashboardError::BadRequest(format!("paywall: {e}")))?),
    };
    let filter = PurchaseFilter { paywall_id, since, until, status, limit: MOST };
    let purchases = store.admin_purchases(&filter).await?;
    let titles = store.paywalls().await?.into_iter().map(|p| (p.id.to_string(), p.title)).collect();
    Ok(Selection { purchases, titles })
}

/// `GET /admin/sales`.
pub async fn sales(session: Session, Query(query): Query<SalesQuery>) -> Result<Page, DashboardError> {
    let selection = select(&session.store, &query).await?;
    let mut titles: Vec<(&String, &String)> = selection.titles.iter().collect();
    titles.sort_by(|a, b| a.1.cmp(b.1));
    let csv_link = format!(
        "/admin/sales.csv?{}",
        query_string(&[
            ("paywall", &query.paywall),
            ("from", &query.from),
            ("to", &query.to),
            ("status", &query.status)
        ])
    );
    let body = html! {
        div.heading { h1 { "Sales" } a.button href=(csv_link) download { "Export CSV" } }
        form.filters method="get" action="/admin/sales" {
            label { "Paywall "
                select name="paywall" {
                    option value="" { "All paywalls" }
                    @for (id, title) in &titles { option value=(id) selected[**id == query.paywall] { (title) } }
                }
            }
            label { "From " input type="date" name="from" value=(query.from); }
            label { "To " input type="date" name="to" value=(query.to); }
            label { "Status "
                select name="status" {
                    option value="" { "Any" }
                    @for s in PurchaseStatus::ALL.map(PurchaseStatus::as_str) { option value=(s) selected[s == query.status] { (s) } }
                }
            }
            button type="submit" { "Show" }
        }
        @if selection.purchases.is_empty() { p.empty { "No purchases match." } }
        @else {
            table.sales {
                thead { tr { th { "Time" } th { "Paywall" } th.num { "Amount" } th { "Status" } th { "Paid at" } th { "Receipt" } th { span.visually-hidden { "Actions" } } } }
                tbody {
                    @for p in &selection.purchases {
                        tr data-purchase=(p.id) data-status=(p.status.as_str()) {
                            td { (time(p.created_at)) }
                            td { a href=(format!("/admin/paywalls/{}", p.paywall_id)) { (selection.titles.get(&p.paywall_id).map(String::as_str).unwrap_or(&p.paywall_id)) } }
                            td.num { (money(p.price.amount, &p.price.currency)) }
                            td {
                                span.badge.(p.status.as_str()) { (p.status.as_str()) }
                                @if p.mode != PaywallMode::Fixed { " " span.hint { (p.mode.as_str().replace('_', " ")) } }
                                // Why the last attempt failed, as Stripe said it (e.g. a declined card).
                                @if let Some(error) = p.last_error.as_deref().filter(|_| p.status == PurchaseStatus::Failed) { div.hint.last-error { (error) } }
                                // A partial refund keeps access; the creator sees how much went back.
                                @if p.refunded_amount > 0 && p.status != PurchaseStatus::Refunded {
                                    div.hint.refunded { (money(p.refunded_amount, &p.price.currency)) " refunded" }
                                }
                                @if let Some(dispute) = p.dispute_status.as_ref() { div.hint.dispute { "dispute: " (dispute.as_str().replace('_', " ")) } }
                            }
                            td { @if let Some(paid) = p.paid_at { (time(paid)) } @else { "–" } }
                            td.receipt { @match p.receipt {
                                Some(receipt) => span.badge.(receipt.as_str()) { (receipt.as_str()) },
                                None => "–",
                            } }
                            td.actions {
                                @if p.status == PurchaseStatus::Paid && p.refunded_amount < p.price.amount {
                                    a.refund href=(format!("/admin/purchases/{}/refund", p.id)) { "Refund…" }
                                }
                                @if p.status == PurchaseStatus::Paid {
                                    " " a.revoke href=(format!("/admin/purchases/{}/revoke", p.id)) { "Revoke tokens…" }
                                }
                            }
                        }
                    }
                }
            }
            p.hint { (selection.purchases.len()) " purchase(s)" @if selection.purchases.len() as i64 == MOST { ", the newest " (MOST) " only" } "." }
        }
    };
    Ok(page("Sales", Nav::Sales, Some(&session.csrf_token), body))
}

/// `GET /admin/sales.csv`: the same selection, as a download.
pub async fn sales_csv(
    session: Session,
    State(ctx): State<AppState>,
    Query(query): Query<SalesQuery>,
) -> Result<Response, DashboardError> {
    let selection = select(&session.store, &query).await?;
    let csv = purchases_csv(&selection.purchases, &selection.titles)?;
    let name = format!("plog-sales-{}.csv", crate::report::day_text(ctx.clock.now().div_euclid(DAY_SECS)));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        csv,
    )
        .into_response())
}

/// `a=1&b=2`, leaving out empty values.
fn query_string(pairs: &[(&str, &String)]) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        out.append_pair(name, value);
    }
    out.finish()
}
