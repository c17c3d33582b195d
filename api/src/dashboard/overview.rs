//! The overview: revenue per day (a chart per currency), the conversion funnel (views → started
//! → paid) and sales per paywall, for a period and, if chosen, one site.

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use maud::{Markup, html};
use plog_shared::api::{PaywallStatus, Stats};
use serde::Deserialize;

use super::DashboardError;
use super::chart::{Day, revenue_chart};
use super::layout::{Nav, Page, money, page, percent};
use super::session::Session;
use crate::report::{self, ReportFilter, day_text};
use crate::state::AppState;
use crate::store::DAY_SECS;

/// The periods offered, in days.
pub const PERIODS: [i64; 4] = [7, 30, 90, 365];

/// Query of `GET /admin`.
#[derive(Deserialize)]
pub struct OverviewQuery {
    days: Option<i64>,
    site: Option<String>,
}

/// `GET /admin`.
pub async fn overview(
    session: Session,
    State(ctx): State<AppState>,
    Query(query): Query<OverviewQuery>,
) -> Result<Page, DashboardError> {
    let days = query.days.filter(|d| PERIODS.contains(d)).unwrap_or(30);
    let site = match query.site.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => Some(crate::sites::canonical_origin(text).map_err(DashboardError::BadRequest)?),
        None => None,
    };
    let today = ctx.clock.now().div_euclid(DAY_SECS);
    let first_day = today - days + 1;
    let stats = report::build(&session.store, &ReportFilter { since: Some(first_day * DAY_SECS), site }).await?;
    let body = html! {
        h1 { "Overview" }
        (filters(&stats, days))
        (currency_cards(&stats))
        (funnel(&stats))
        section {
            h2 { "Revenue per day" }
            @let charts = charts(&stats, first_day, today);
            @if charts.is_empty() { p.empty { "No sales in this period yet." } }
            @for chart in charts { (chart) }
        }
        (per_paywall(&stats))
    };
    Ok(page("Overview", Nav::Overview, Some(&session.csrf_token), body))
}

fn filters(stats: &Stats, days: i64) -> Markup {
    html! {
        form.filters method="get" action="/admin" {
            label { "Period "
                select name="days" {
                    @for d in PERIODS { option value=(d) selected[d == days] { "Last " (d) " days" } }
                }
            }
            label { "Site "
                select name="site" {
                    option value="" { "All sites" }
                    @for site in &stats.sites { option value=(site) selected[stats.site.as_deref() == Some(site)] { (site) } }
                }
            }
            button type="submit" { "Show" }
        }
    }
}

fn currency_cards(stats: &Stats) -> Markup {
    html! {
        section.cards aria-label="Revenue per currency" {
            @if stats.by_currency.is_empty() { div.card { p.label { "Revenue" } p.figure { "–" } p.hint { "nothing sold in this period" } } }
            @for c in &stats.by_currency {
                div.card data-currency=(c.currency) {
                    p.label { "Revenue, " (c.currency.to_uppercase()) }
                    p.figure { (money(c.revenue + c.tip_revenue + c.pass_revenue, &c.currency)) }
                    p.hint {
                        (c.paid_count) " sales · " (money(c.revenue, &c.currency))
                        @if c.tip_count > 0 { " · " (c.tip_count) " tips · " (money(c.tip_revenue, &c.currency)) }
                        @if c.pass_count > 0 { " · " (c.pass_count) " passes · " (money(c.pass_revenue, &c.currency)) }
                        @if c.refunded_count > 0 { " · " (c.refunded_count) " refunded" }
                        @if c.refunded_amount > 0 { " · " (money(c.refunded_amount, &c.currency)) " refunded in all" }
                        @if c.disputed_count > 0 { " · " (c.disputed_count) " disputed" }
                    }
                }
            }
        }
    }
}

/// Views → started → paid, as bars (SVG: attributes, not inline styles, so the strict CSP holds).
fn funnel(stats: &Stats) -> Markup {
    let c = stats.conversion;
    let widest = c.views.max(c.started).max(c.paid).max(1) as f64;
    let steps = [
        ("Paywall views", c.views, None),
        ("Purchases started", c.started, Some(c.views)),
        ("Paid", c.paid, Some(c.started)),
    ];
    html! {
        section.funnel {
            h2 { "Conversion" }
            svg viewBox="0 0 720 110" role="img" aria-label=(format!("{} views, {} purchases started, {} paid", c.views, c.started, c.paid)) {
                @for (i, (label, count, of)) in steps.iter().enumerate() {
                    @let y = 4.0 + i as f64 * 36.0;
                    text x="0" y=(y + 18.0) { (label) }
                    rect.step x="170" y=(y) height="26" width=(format!("{:.1}", (*count as f64 / widest * 430.0).max(2.0))) {}
                    text x="610" y=(y + 18.0) { (count) @if let Some(of) = of { " (" (percent(*count, *of)) ")" } }
                }
            }
            p.hint { "Paid / views: " (percent(c.paid, c.views)) ". Views are counted by the widget, once per page view, per day, with no cookie and nothing about the reader." }
            @let restores: i64 = stats.restores_by_day.iter().map(|d| d.restores).sum();
            p.hint.restores { "Access restored by email: " (restores) " time" @if restores != 1 { "s" } " in this period"
                @if let Some(last) = stats.restores_by_day.last() { " (last on " (last.day) ")" } "." }
        }
    }
}

fn charts(stats: &Stats, first_day: i64, today: i64) -> Vec<Markup> {
    let mut per_currency: BTreeMap<&str, BTreeMap<String, (i64, i64)>> = BTreeMap::new();
    for d in &stats.by_day {
        per_currency
            .entry(&d.currency)
            .or_default()
            .insert(d.day.clone(), (d.revenue + d.tip_revenue, d.paid_count + d.tip_count));
    }
    per_currency
        .into_iter()
        .map(|(currency, taken)| {
            let days: Vec<Day> = (first_day..=today)
                .map(|n| {
                    let day = day_text(n);
                    let (amount, count) = taken.get(&day).copied().unwrap_or((0, 0));
                    Day { day, amount, count }
                })
                .collect();
            revenue_chart(currency, &days)
        })
        .collect()
}

fn per_paywall(stats: &Stats) -> Markup {
    html! {
        section {
            h2 { "Sales per paywall" }
            @if stats.by_paywall.is_empty() { p.empty { "No paywalls here yet. " a href="/admin/paywalls/new" { "Create one" } "." } }
            @else {
                table.per-paywall {
                    thead { tr { th { "Paywall" } th.num { "Views" } th.num { "Started" } th.num { "Paid" } th.num { "Paid / views" } th.num { "Revenue" } th.num { "Gift opens" } th.num { "Paid after a gift" } } }
                    tbody {
                        @for p in &stats.by_paywall {
                            @let paid: i64 = p.by_currency.iter().map(|c| c.paid_count + c.tip_count + c.pass_count).sum();
                            tr {
                                td { a href=(format!("/admin/paywalls/{}", p.paywall_id)) { (p.title) } @if p.status != PaywallStatus::Active { " " span.badge { (p.status.as_str()) } } }
                                td.num { (p.views) }
                                td.num { (p.started) }
                                td.num { (paid) }
                                td.num { (percent(paid, p.views)) }
                                td.num {
                                    @if p.by_currency.is_empty() { "–" }
                                    @for c in &p.by_currency { div { (money(c.revenue + c.tip_revenue + c.pass_revenue, &c.currency)) } }
                                }
                                td.num { (p.gift_opens) }
                                td.num { (p.paid_after_gifts) }
                            }
                        }
                    }
                }
            }
        }
    }
}
