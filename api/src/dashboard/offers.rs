//! The offers page (`/admin/offers`): passes, gift links and discount codes — each listed with
//! its figures (passes sold, gift opens and the purchases that followed, code uses), made with
//! one form, and archived, revoked or disabled with one button. Everything goes through the same
//! `offers` functions as the admin API and the CLI.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use plog_shared::Currency;
use plog_shared::api::{DiscountStatus, NewDiscount, NewGift, NewPass, PassScope, PaywallStatus, Price};
use plog_shared::money::{SUPPORTED_CURRENCIES, parse_major};
use serde::Deserialize;

use super::DashboardError;
use super::layout::{Nav, Page, money, page, time};
use super::session::{CsrfForm, Session};
use crate::offers::{OfferError, discounts, gifts, passes};
use crate::state::AppState;

impl From<OfferError> for DashboardError {
    fn from(error: OfferError) -> Self {
        match error {
            OfferError::Invalid(why) => DashboardError::BadRequest(why),
            OfferError::NotFound(_) => DashboardError::NotFound,
            OfferError::Store(e) => DashboardError::Internal(e),
        }
    }
}

/// The form that makes a pass.
#[derive(Deserialize)]
pub struct PassForm {
    csrf: String,
    title: String,
    price: String,
    currency: String,
    /// A site's origin, or empty.
    #[serde(default)]
    origin: String,
    /// Space- or comma-separated paywall ids (a set pass), or empty.
    #[serde(default)]
    paywalls: String,
    /// Days, or empty for good.
    #[serde(default)]
    days: String,
}

/// The form that makes a gift link.
#[derive(Deserialize)]
pub struct GiftForm {
    csrf: String,
    paywall: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    max_opens: String,
    /// Days from now, or empty for never.
    #[serde(default)]
    days: String,
}

/// The form that makes a discount code.
#[derive(Deserialize)]
pub struct CodeForm {
    csrf: String,
    code: String,
    /// `percent` or `amount`.
    kind: String,
    /// The percent, or the amount in major units.
    value: String,
    #[serde(default)]
    currency: String,
    /// Space- or comma-separated paywall and pass ids, or empty for all.
    #[serde(default)]
    applies_to: String,
    #[serde(default)]
    max_uses: String,
    /// Days from now, or empty for no end.
    #[serde(default)]
    days: String,
}

fn number(text: &str, what: &str) -> Result<Option<i64>, DashboardError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse().map(Some).map_err(|_| DashboardError::BadRequest(format!("{what}: {text:?} is not a whole number")))
}

fn ids(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn price(amount: &str, currency: &str) -> Result<Price, DashboardError> {
    let code = Currency::parse(currency.trim()).map_err(|e| DashboardError::BadRequest(format!("currency: {e}")))?;
    let amount = parse_major(amount.trim(), code).map_err(|e| DashboardError::BadRequest(format!("price: {e}")))?;
    Ok(Price { amount, currency: code.code().to_owned() })
}

fn currency_select() -> Markup {
    html! {
        select name="currency" {
            @for c in SUPPORTED_CURRENCIES { option value=(c.code) selected[c.code == "jpy"] { (c.code.to_uppercase()) } }
        }
    }
}

/// `GET /admin/offers`.
pub async fn offers(session: Session, State(ctx): State<AppState>) -> Result<Page, DashboardError> {
    offers_page(&session, &ctx, None).await
}

async fn offers_page(
    session: &Session,
    ctx: &AppState,
    new_link: Option<(String, String)>,
) -> Result<Page, DashboardError> {
    let paywalls = session.store.paywalls().await?;
    let title_of = |id: &str| paywalls.iter().find(|p| p.id.as_str() == id).map_or(id.to_owned(), |p| p.title.clone());
    let pass_list = passes::list(&session.store).await?;
    let gift_list = gifts::list(&session.store, None).await?;
    let codes = session.store.discounts().await?;
    let now = ctx.clock.now();
    let csrf = || html! { input type="hidden" name="csrf" value=(session.csrf_token); };
    let body = html! {
        h1 { "Offers" }
        @if let Some((gift_id, fragment)) = &new_link {
            div.saved role="status" {
                p { "Gift link " code { (gift_id) } " made. Append this to the article's address and send it — it is shown only now:" }
                p { code #new-gift-link { (fragment) } " " button type="button" data-copy="new-gift-link" { "Copy" } }
            }
        }
        section {
            h2 { "Passes" }
            p.hint { "One price for every article of a site (or a set of them), for some days or for good. Readers see it beside the article's price." }
            @if pass_list.is_empty() { p { "No pass yet." } } @else {
                table {
                    thead { tr { th { "Pass" } th { "Opens" } th.num { "Price" } th { "Length" } th.num { "Sold" } th { "" } } }
                    tbody { @for p in &pass_list {
                        tr {
                            td { (p.title) br; code { (p.id) } @if p.status == PaywallStatus::Archived { " (archived)" } }
                            td { @match (p.scope, &p.origin) {
                                (PassScope::Site, Some(origin)) => { "every paywall that lists " (origin) }
                                (PassScope::Site, None) => { "every paywall" }
                                (PassScope::Set, _) => { @for id in &p.paywall_ids { div { (title_of(id)) } } }
                            } }
                            td.num { (money(p.price.amount, &p.price.currency)) }
                            td { @if let Some(days) = p.days { (days) " days" } @else { "for good" } }
                            td.num { (p.sold) }
                            td { @if p.status == PaywallStatus::Active {
                                form method="post" action=(format!("/admin/offers/passes/{}/end", p.id)) { (csrf()) button.secondary type="submit" { "Archive" } }
                            } }
                        }
                    } }
                }
            }
            form.offer method="post" action="/admin/offers/passes" {
                (csrf())
                label { "Title " input name="title" required placeholder="All articles"; }
                label { "Price " input name="price" required inputmode="decimal"; }
                label { "Currency " (currency_select()) }
                label { "Days " input name="days" inputmode="numeric" placeholder="30"; span.hint { " empty: for good" } }
                label { "Site " input name="origin" placeholder="https://blog.example"; span.hint { " opens the paywalls that list this site (not those without a site list); empty: every paywall" } }
                label { "Or these paywalls " input name="paywalls" placeholder="pw_… pw_…"; }
                button type="submit" { "Create pass" }
            }
        }
        section {
            h2 { "Gift links" }
            p.hint { "A link that opens one article for whoever holds it: for a friend, a journalist, a newsletter." }
            @if gift_list.is_empty() { p { "No gift link yet." } } @else {
                table {
                    thead { tr { th { "Link" } th { "Article" } th.num { "Opens" } th { "Expires" } th.num { "Paid after" } th { "" } } }
                    tbody { @for g in &gift_list {
                        tr {
                            td { code { (g.id) } @if !g.label.is_empty() { br; (g.label) } }
                            td { (title_of(&g.paywall_id)) }
                            td.num { (g.opens) @if let Some(max) = g.max_opens { " / " (max) } }
                            td { @if let Some(at) = g.expires_at { (time(at)) @if at <= now { " (expired)" } } @else { "never" } }
                            td.num { (g.paid_after) }
                            td { @if g.revoked_at.is_some() { "revoked" } @else {
                                form method="post" action=(format!("/admin/offers/gifts/{}/end", g.id)) { (csrf()) button.danger type="submit" { "Revoke" } }
                            } }
                        }
                    } }
                }
            }
            form.offer method="post" action="/admin/offers/gifts" {
                (csrf())
                label { "Article " select name="paywall" required {
                    @for p in &paywalls { option value=(p.id) { (p.title) } }
                } }
                label { "Note " input name="label" placeholder="for Aiko"; }
                label { "Most opens " input name="max_opens" inputmode="numeric" placeholder="1"; }
                label { "Expires in days " input name="days" inputmode="numeric" placeholder="7"; }
                button type="submit" { "Make gift link" }
            }
        }
        section {
            h2 { "Discount codes" }
            p.hint { "Readers type the code under the price. Codes never apply to tips or to amounts readers choose, and never take a price below Stripe's minimum." }
            @if codes.is_empty() { p { "No code yet." } } @else {
                table {
                    thead { tr { th { "Code" } th { "For" } th { "Until" } th { "" } } }
                    tbody { @for d in &codes {
                        tr {
                            td { (discounts::describe(d)) }
                            td { @if d.applies_to.is_everything() { "everything" } @else { @for target in d.applies_to.listed() { div { (title_of(target.id())) } } } }
                            td { @if let Some(at) = d.ends_at { (time(at)) } @else { "no end" } }
                            td { @if d.status == DiscountStatus::Active {
                                form method="post" action=(format!("/admin/offers/codes/{}/end", d.id)) { (csrf()) button.secondary type="submit" { "Disable" } }
                            } }
                        }
                    } }
                }
            }
            form.offer method="post" action="/admin/offers/codes" {
                (csrf())
                label { "Code " input name="code" required placeholder="LAUNCH"; }
                label { "Off " select name="kind" { option value="percent" { "percent" } option value="amount" { "amount" } } " " input name="value" required inputmode="decimal"; }
                label { "Currency (amount off) " (currency_select()) }
                label { "For " input name="applies_to" placeholder="pw_… pass_…"; span.hint { " empty: everything" } }
                label { "Most uses " input name="max_uses" inputmode="numeric"; }
                label { "Ends in days " input name="days" inputmode="numeric"; }
                button type="submit" { "Create code" }
            }
        }
    };
    Ok(page("Offers", Nav::Offers, Some(&session.csrf_token), body))
}

/// `POST /admin/offers/passes`.
pub async fn create_pass(
    session: Session,
    State(ctx): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<PassForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, &form.csrf).await?;
    let paywall_ids = ids(&form.paywalls);
    let new = NewPass {
        title: form.title,
        price: price(&form.price, &form.currency)?,
        scope: if paywall_ids.is_empty() { PassScope::Site } else { PassScope::Set },
        origin: Some(form.origin).filter(|o| !o.trim().is_empty()),
        paywall_ids,
        days: number(&form.days, "days")?,
    };
    let pass = passes::create(&session.store, &ctx.offers, &new, ctx.clock.now()).await?;
    tracing::info!(pass_id = %pass.id, "pass created from the dashboard");
    Ok(Redirect::to("/admin/offers").into_response())
}

/// `POST /admin/offers/gifts`: the page again, with the new link shown once.
pub async fn create_gift(
    session: Session,
    State(ctx): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<GiftForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, &form.csrf).await?;
    let expires_at = number(&form.days, "expires in days")?.map(|days| ctx.clock.now() + days * crate::store::DAY_SECS);
    let new = NewGift { label: Some(form.label), max_opens: number(&form.max_opens, "most opens")?, expires_at };
    let created = gifts::create(&session.store, &form.paywall, &new, ctx.clock.now()).await?;
    tracing::info!(gift_id = %created.gift.id, "gift link made from the dashboard");
    Ok(offers_page(&session, &ctx, Some((created.gift.id, created.fragment))).await?.into_response())
}

/// `POST /admin/offers/codes`.
pub async fn create_code(
    session: Session,
    State(ctx): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, &form.csrf).await?;
    let (percent_off, amount_off) = if form.kind == "amount" {
        (None, Some(price(&form.value, &form.currency)?))
    } else {
        (number(&form.value, "percent")?, None)
    };
    let new = NewDiscount {
        code: form.code,
        percent_off,
        amount_off,
        applies_to: ids(&form.applies_to),
        starts_at: None,
        ends_at: number(&form.days, "ends in days")?.map(|days| ctx.clock.now() + days * crate::store::DAY_SECS),
        max_uses: number(&form.max_uses, "most uses")?,
    };
    discounts::create(&session.store, &ctx.offers, &new, ctx.clock.now()).await?;
    Ok(Redirect::to("/admin/offers").into_response())
}

/// `POST /admin/offers/{passes|gifts|codes}/{id}/end`: archives a pass, revokes a gift link,
/// disables a code.
pub async fn end_offer(
    session: Session,
    State(ctx): State<AppState>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, form.token()).await?;
    match kind.as_str() {
        "passes" => drop(passes::archive(&session.store, &ctx.offers, &id, ctx.clock.now()).await?),
        "gifts" => drop(gifts::revoke(&session.store, &id, ctx.clock.now()).await?),
        "codes" => drop(discounts::disable(&session.store, &ctx.offers, &id).await?),
        _ => return Err(DashboardError::NotFound),
    }
    tracing::info!(kind, id, "offer ended from the dashboard");
    Ok(Redirect::to("/admin/offers").into_response())
}
