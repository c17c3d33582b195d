//! The paywall pages: the list with sales; the create and edit form with a live preview of the
//! sanitized Markdown; the tag with a Copy button; the widget as readers will see it, with the
//! theme variables editable; archiving.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use maud::{Markup, PreEscaped, html};
use plog_shared::Currency;
use plog_shared::api::{NewPaywall, PaywallMode, PaywallPatch, PaywallStatus, Price, WalletState};
use plog_shared::money::{SUPPORTED_CURRENCIES, format_major, parse_major};
use serde::{Deserialize, Serialize};

use super::DashboardError;
use super::layout::{Nav, Page, money, page, time};
use super::session::{CsrfForm, Session};
use crate::catalog::{self, CatalogError};
use crate::report::{self, ReportFilter};
use crate::state::AppState;
use crate::store::Paywall;
use crate::wallets::{self, SiteWallets};

/// The theme variables the preview lets the creator try, with the light theme's values.
const THEME: [(&str, &str, &str); 9] = [
    ("--plog-accent", "#4338ca", "color"),
    ("--plog-accent-text", "#ffffff", "color"),
    ("--plog-text", "#1f2328", "color"),
    ("--plog-muted", "#57606a", "color"),
    ("--plog-background", "#ffffff", "color"),
    ("--plog-border", "#d0d7de", "color"),
    ("--plog-error", "#b3261e", "color"),
    ("--plog-radius", "10px", "text"),
    ("--plog-font", "system-ui, sans-serif", "text"),
];

/// `GET /admin/paywalls`.
pub async fn list(session: Session) -> Result<Page, DashboardError> {
    let paywalls = session.store.paywalls().await?;
    let stats = report::build_for(&session.store, &paywalls, &ReportFilter::default()).await?;
    let figures: HashMap<&str, _> = stats.by_paywall.iter().map(|p| (p.paywall_id.as_str(), p)).collect();
    let body = html! {
        div.heading { h1 { "Paywalls" } a.button.primary href="/admin/paywalls/new" { "New paywall" } }
        @if paywalls.is_empty() { p.empty { "No paywall yet. Create one, then paste its tag where the free part of an article ends." } }
        @else {
            table.paywalls {
                thead { tr { th { "Title" } th.num { "Price" } th { "Mode" } th.num { "Views" } th.num { "Sales" } th.num { "Revenue" } th { "Status" } th { "Created" } } }
                tbody {
                    @for p in &paywalls {
                        @let f = figures.get(p.id.as_str());
                        tr data-paywall=(p.id) {
                            td { a href=(format!("/admin/paywalls/{}", p.id)) { (p.title) } }
                            td.num { (money(p.price.amount(), p.price.currency().code())) }
                            td { (mode_label(p.mode)) }
                            td.num { (f.map_or(0, |f| f.views)) }
                            td.num { (f.map_or(0, |f| f.by_currency.iter().map(|c| c.paid_count + c.tip_count + c.pass_count).sum::<i64>())) }
                            td.num {
                                @match f.filter(|f| !f.by_currency.is_empty()) {
                                    Some(f) => { @for c in &f.by_currency { div { (money(c.revenue + c.tip_revenue + c.pass_revenue, &c.currency)) } } }
                                    None => { "–" }
                                }
                            }
                            td { span.badge.(p.status.as_str()) { (p.status.as_str()) } }
                            td { (time(p.created_at)) }
                        }
                    }
                }
            }
        }
    };
    Ok(page("Paywalls", Nav::Paywalls, Some(&session.csrf_token), body))
}

fn mode_label(mode: PaywallMode) -> &'static str {
    match mode {
        PaywallMode::Fixed => "fixed price",
        PaywallMode::PayWhatYouWant => "pay what you want",
        PaywallMode::Tip => "tip jar",
    }
}

/// The paywall form, as typed: amounts in major units, sites one per line.
#[derive(Debug, Default, Deserialize)]
pub struct PaywallForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    teaser: String,
    #[serde(default)]
    price: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    content_markdown: String,
    #[serde(default)]
    origins: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    suggested: String,
    #[serde(default)]
    maximum: String,
    #[serde(default)]
    presets: String,
    #[serde(default)]
    show_count: Option<String>,
    #[serde(default)]
    free_markdown: String,
    #[serde(default)]
    image_url: String,
    #[serde(default)]
    canonical_url: String,
}

/// The form's fields read into the catalog's terms; a message for the first that is wrong.
struct Typed {
    title: String,
    teaser: String,
    price: Price,
    content_markdown: String,
    origins: Vec<String>,
    mode: PaywallMode,
    suggested_amount: Option<i64>,
    max_amount: Option<i64>,
    preset_amounts: Vec<i64>,
    show_count: bool,
}

impl PaywallForm {
    fn from_paywall(p: &Paywall) -> PaywallForm {
        let major = |amount: i64| format_major(amount, p.price.currency());
        PaywallForm {
            csrf: String::new(),
            title: p.title.clone(),
            teaser: p.teaser.clone().unwrap_or_default(),
            price: major(p.price.amount()),
            currency: p.price.currency().code().to_owned(),
            content_markdown: p.content_markdown.clone(),
            origins: crate::sites::origin_list(&p.origins).join("\n"),
            mode: p.mode.as_str().to_owned(),
            suggested: p.suggested_amount.map(major).unwrap_or_default(),
            maximum: p.max_amount.map(major).unwrap_or_default(),
            presets: p.preset_amounts.iter().copied().map(major).collect::<Vec<_>>().join(", "),
            show_count: p.show_count.then(|| "on".into()),
            free_markdown: p.free_markdown.clone(),
            image_url: p.image_url.clone().unwrap_or_default(),
            canonical_url: p.canonical_url.clone().unwrap_or_default(),
        }
    }

    fn typed(&self) -> Result<Typed, String> {
        let currency = Currency::parse(self.currency.trim()).map_err(|e| format!("Currency: {e}"))?;
        let amount = |field: &str, text: &str| parse_major(text.trim(), currency).map_err(|e| format!("{field}: {e}"));
        let optional = |field: &str, text: &str| (!text.trim().is_empty()).then(|| amount(field, text)).transpose();
        let mode = if self.mode.is_empty() {
            PaywallMode::Fixed
        } else {
            PaywallMode::parse(&self.mode).ok_or("Mode: choose one of the list")?
        };
        Ok(Typed {
            title: self.title.clone(),
            teaser: self.teaser.clone(),
            price: Price { amount: amount("Price", &self.price)?, currency: currency.code().to_owned() },
            content_markdown: self.content_markdown.clone(),
            origins: self.origins.split_whitespace().map(str::to_owned).collect(),
            mode,
            suggested_amount: optional("Suggested amount", &self.suggested)?,
            max_amount: optional("Maximum", &self.maximum)?,
            preset_amounts: self
                .presets
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .map(|t| amount("Tip amounts", t))
                .collect::<Result<_, _>>()?,
            show_count: self.show_count.is_some(),
        })
    }
}

/// `GET /admin/paywalls/new`.
pub async fn new(session: Session) -> Page {
    let form = PaywallForm { currency: "usd".into(), mode: "fixed".into(), ..PaywallForm::default() };
    new_page(&session, &form, None)
}

fn new_page(session: &Session, form: &PaywallForm, error: Option<&str>) -> Page {
    let body = html! {
        h1 { "New paywall" }
        (paywall_form("/admin/paywalls", form, error, session, None))
    };
    page("New paywall", Nav::Paywalls, Some(&session.csrf_token), body)
}

/// `POST /admin/paywalls`.
pub async fn create(
    session: Session,
    State(ctx): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<PaywallForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, &form.csrf).await?;
    let typed = match form.typed() {
        Ok(typed) => typed,
        Err(message) => {
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&session, &form, Some(&message))).into_response());
        }
    };
    let new = NewPaywall {
        title: typed.title,
        teaser: Some(typed.teaser).filter(|t| !t.trim().is_empty()),
        price: typed.price,
        content_markdown: typed.content_markdown,
        origins: typed.origins,
        mode: typed.mode,
        suggested_amount: typed.suggested_amount,
        max_amount: typed.max_amount,
        preset_amounts: typed.preset_amounts,
        show_count: typed.show_count,
        free_markdown: form.free_markdown.clone(),
        image_url: Some(form.image_url.clone()).filter(|u| !u.trim().is_empty()),
        canonical_url: Some(form.canonical_url.clone()).filter(|u| !u.trim().is_empty()),
    };
    match catalog::create(&session.store, &new, ctx.clock.now()).await {
        Ok(paywall) => {
            tracing::info!(paywall_id = %paywall.id, "paywall created from the dashboard");
            if !paywall.origins.is_empty() {
                ctx.register_wallet_domains();
            }
            Ok(Redirect::to(&format!("/admin/paywalls/{}?created=1", paywall.id)).into_response())
        }
        Err(CatalogError::Invalid(e)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, new_page(&session, &form, Some(&e.0))).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /admin/paywalls/{id}`.
pub async fn edit(
    session: Session,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
) -> Result<Page, DashboardError> {
    let paywall = catalog::find(&session.store, &catalog::parse_id(&id)?).await?;
    let wallets = wallets::for_paywall(&session.store, &ctx.config.platform, &paywall).await?;
    Ok(edit_page(&ctx, &session, &paywall, &wallets, &PaywallForm::from_paywall(&paywall), None))
}

/// The wallets' section of a paywall's page: per site, what Stripe says of Apple Pay, Google
/// Pay and Link there; without sites, that wallets need them.
fn wallets_section(sites: &[(String, SiteWallets)]) -> Markup {
    let state = |name: &str, state: WalletState| {
        html! { span.wallet.(state.as_str()) { (name) " " (state.as_str()) } }
    };
    html! {
        section.wallets #wallets {
            h2 { "Wallets" }
            @if sites.is_empty() {
                p.hint.no-sites { "Apple Pay, Google Pay and Link show only on the sites Stripe has registered. This paywall lists no site, so readers pay by card only: list its sites below (Sites) and plog registers them with Stripe." }
            } @else {
                p.hint { "Apple Pay, Google Pay and Link show beside the card form on the sites Stripe has registered. plog registers each site you list; the status is Stripe's." }
                table {
                    thead { tr { th { "Site" } th { "Wallets" } th { "Note" } } }
                    tbody {
                        @for (origin, wallets) in sites {
                            tr data-site=(origin) {
                                td { (origin) }
                                @match wallets {
                                    SiteWallets::Registered(domain) => {
                                        td {
                                            @if domain.stripe_id.is_none() { span.wallet.unknown { "not registered" } }
                                            @else {
                                                (state("Apple Pay", domain.apple_pay)) " "
                                                (state("Google Pay", domain.google_pay)) " "
                                                (state("Link", domain.link))
                                            }
                                        }
                                        td.problem { @if let Some(problem) = &domain.problem { (problem) } }
                                    }
                                    SiteWallets::Pending(_) => {
                                        td { span.wallet.unknown { "registering" } }
                                        td { "plog registers it within ten minutes." }
                                    }
                                    SiteWallets::NotRegistrable(why) => {
                                        td { span.wallet.unknown { "none" } }
                                        td.problem { (why.0) }
                                    }
                                }
                            }
                        }
                    }
                }
                p.hint { "Apple Pay in live mode also needs a file from Stripe on each blog's own host: download it in the Stripe dashboard (Settings → Payment method domains), serve it at " code { "https://your.blog" (wallets::APPLE_PAY_FILE) } ", then press Verify there. Until Stripe shows Apple Pay active here, readers on Safari pay by card or Link." }
            }
        }
    }
}

fn edit_page(
    ctx: &AppState,
    session: &Session,
    paywall: &Paywall,
    wallets: &[(String, SiteWallets)],
    form: &PaywallForm,
    error: Option<&str>,
) -> Page {
    let tag = catalog::tag(&ctx.public_url, &paywall.id);
    let page_url = catalog::page_url(&ctx.public_url, &paywall.id);
    let qr = pay_link_svg(&page_url);
    let body = html! {
        div.heading {
            h1 { (paywall.title) }
            span.badge.(paywall.status.as_str()) { (paywall.status.as_str()) }
        }
        section.tag {
            h2 { "The tag" }
            p.hint { "Paste it in the article, where the free part ends. The widget shows the teaser and the price; the rest appears once the reader has paid." }
            div.copy-row {
                pre #tag-text { code { (tag) } }
                button.primary type="button" data-copy="tag-text" { "Copy tag" }
            }
            p.copied role="status" aria-live="polite" {}
        }
        section.pay-link {
            h2 { "The pay link" }
            p.hint { "Where no tag can go (note, Medium, Substack, WordPress.com): share this link, or print its QR code. It opens the article's own page on plog, with the free part and the paywall; readers buy and read there." }
            div.copy-row {
                pre #pay-link-text { code { (page_url) } }
                button.primary type="button" data-copy="pay-link-text" { "Copy link" }
            }
            @if let Some(svg) = &qr {
                figure.qr {
                    (PreEscaped(svg))
                    figcaption { a href=(format!("/admin/paywalls/{}/pay-link.svg", paywall.id)) download=(format!("plog-{}.svg", paywall.id)) { "Download the QR code (SVG)" } }
                }
            }
        }
        section.preview {
            h2 { "Preview" }
            p.hint { "The widget as readers will see it. Try the theme variables; copy the CSS into your blog's stylesheet." }
            div.preview-grid {
                div #widget-preview {
                    (PreEscaped(&tag))
                }
                div.theme {
                    @for (name, value, kind) in THEME {
                        label { code { (name) } input type=(kind) data-theme-var=(name) value=(value); }
                    }
                    pre #theme-css { code { ":root {\n}" } }
                    button type="button" data-copy="theme-css" { "Copy CSS" }
                }
            }
        }
        (wallets_section(wallets))
        section {
            h2 { "Edit" }
            (paywall_form(&format!("/admin/paywalls/{}", paywall.id), form, error, session, Some(paywall)))
        }
        @if paywall.status == PaywallStatus::Active {
            section.danger {
                h2 { "Archive" }
                p.hint { "An archived paywall sells no more; readers who paid keep their access." }
                form method="post" action=(format!("/admin/paywalls/{}/archive", paywall.id)) data-confirm="Archive this paywall? It will sell no more." {
                    input type="hidden" name="csrf" value=(session.csrf_token);
                    button.danger type="submit" { "Archive" }
                }
            }
        }
    };
    page(&paywall.title, Nav::Paywalls, Some(&session.csrf_token), body)
}

fn paywall_form(
    action: &str,
    form: &PaywallForm,
    error: Option<&str>,
    session: &Session,
    paywall: Option<&Paywall>,
) -> Markup {
    let preview = paywall.map(|p| p.content_html.clone()).unwrap_or_default();
    html! {
        form.paywall method="post" action=(action) {
            @if let Some(error) = error { p.error role="alert" { (error) } }
            input type="hidden" name="csrf" value=(session.csrf_token);
            label { "Title" input name="title" value=(form.title) required maxlength="200"; }
            label { "Teaser " span.hint { "(free, shown above the price)" } textarea name="teaser" rows="2" { (form.teaser) } }
            div.row {
                label { "Price " span.hint { "(for pay what you want: the minimum; for tips: the smallest tip)" } input name="price" value=(form.price) required inputmode="decimal"; }
                label { "Currency"
                    select name="currency" {
                        @for c in SUPPORTED_CURRENCIES { option value=(c.code) selected[c.code == form.currency] { (c.code.to_uppercase()) } }
                    }
                }
                label { "Mode"
                    select name="mode" {
                        @for mode in [PaywallMode::Fixed, PaywallMode::PayWhatYouWant, PaywallMode::Tip] {
                            option value=(mode.as_str()) selected[mode.as_str() == form.mode] { (mode_label(mode)) }
                        }
                    }
                }
            }
            details.more open[!form.suggested.is_empty() || !form.maximum.is_empty() || !form.presets.is_empty() || form.show_count.is_some()] {
                summary { "Pay what you want and tips" }
                div.row {
                    label { "Suggested amount" input name="suggested" value=(form.suggested) inputmode="decimal"; }
                    label { "Maximum" input name="maximum" value=(form.maximum) inputmode="decimal"; }
                    label { "Tip amounts " span.hint { "(comma-separated)" } input name="presets" value=(form.presets); }
                }
                label.check { input type="checkbox" name="show_count" checked[form.show_count.is_some()]; "Show readers how many tips were paid" }
            }
            label { "Sites " span.hint { "(origins like https://blog.example, one per line; empty: any site)" }
                textarea name="origins" rows="2" { (form.origins) }
            }
            details.more open[!form.free_markdown.is_empty() || !form.image_url.is_empty() || !form.canonical_url.is_empty()] {
                summary { "Article page (the pay link)" }
                p.hint { "For places where no tag can go (note, Medium, Substack, WordPress.com): the article's own page on plog, with this free part above the paywall." }
                label { "Free part " span.hint { "(Markdown, shown to everyone above the paywall)" } textarea name="free_markdown" rows="6" { (form.free_markdown) } }
                div.row {
                    label { "Preview image " span.hint { "(https://…, for link previews)" } input name="image_url" type="url" value=(form.image_url); }
                    label { "Original post " span.hint { "(if the article lives elsewhere too)" } input name="canonical_url" type="url" value=(form.canonical_url); }
                }
            }
            div.markdown {
                label { "Paid content " span.hint { "(Markdown)" }
                    textarea #content-markdown name="content_markdown" rows="14" required data-preview="content-preview" { (form.content_markdown) }
                }
                div {
                    p.label { "Preview " span.hint { "(sanitized, as readers get it)" } }
                    div #content-preview.content-preview aria-live="polite" { (PreEscaped(preview)) }
                }
            }
            button.primary type="submit" { @if paywall.is_some() { "Save changes" } @else { "Create paywall" } }
        }
    }
}

/// `POST /admin/paywalls/{id}`: the edit form; everything in it is saved, or nothing.
pub async fn update(
    session: Session,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<PaywallForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, &form.csrf).await?;
    let paywall = catalog::find(&session.store, &catalog::parse_id(&id)?).await?;
    let wallets = wallets::for_paywall(&session.store, &ctx.config.platform, &paywall).await?;
    let refuse = |message: &str| {
        (StatusCode::UNPROCESSABLE_ENTITY, edit_page(&ctx, &session, &paywall, &wallets, &form, Some(message)))
            .into_response()
    };
    let typed = match form.typed() {
        Ok(typed) => typed,
        Err(message) => return Ok(refuse(&message)),
    };
    let patch = PaywallPatch {
        title: Some(typed.title),
        teaser: Some(typed.teaser),
        price: Some(typed.price),
        content_markdown: Some(typed.content_markdown),
        origins: Some(typed.origins),
        mode: Some(typed.mode),
        suggested_amount: typed.suggested_amount,
        max_amount: typed.max_amount,
        // Empty: keep the tip amounts (or take the currency's usual ones for a new tip jar).
        preset_amounts: Some(typed.preset_amounts).filter(|p| !p.is_empty()),
        show_count: Some(typed.show_count),
        free_markdown: Some(form.free_markdown.clone()),
        image_url: Some(form.image_url.clone()),
        canonical_url: Some(form.canonical_url.clone()),
    };
    match catalog::update(&session.store, &ctx.origins, &catalog::parse_id(&id)?, &patch, ctx.clock.now()).await {
        Ok(paywall) => {
            if !paywall.origins.is_empty() {
                ctx.register_wallet_domains();
            }
            Ok(Redirect::to(&format!("/admin/paywalls/{}?saved=1", paywall.id)).into_response())
        }
        Err(CatalogError::Invalid(e)) => Ok(refuse(&e.0)),
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/paywalls/{id}/archive`.
pub async fn archive(
    session: Session,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, DashboardError> {
    session.check(&headers, &ctx, form.token()).await?;
    let paywall = catalog::archive(&session.store, &catalog::parse_id(&id)?, ctx.clock.now()).await?;
    tracing::info!(paywall_id = %paywall.id, "paywall archived from the dashboard");
    Ok(Redirect::to(&format!("/admin/paywalls/{}", paywall.id)).into_response())
}

/// Body of `POST /admin/preview`.
#[derive(Deserialize)]
pub struct PreviewRequest {
    markdown: String,
}

/// Answer of `POST /admin/preview`.
#[derive(Serialize)]
pub struct PreviewAnswer {
    html: String,
}

/// `POST /admin/preview`: the Markdown as readers will get it, through the same sanitizer. The
/// CSRF token comes in `X-Plog-Csrf`.
pub async fn preview(
    session: Session,
    State(ctx): State<AppState>,
    headers: HeaderMap,
    Json(request): Json<PreviewRequest>,
) -> Result<Json<PreviewAnswer>, DashboardError> {
    let csrf = headers.get("x-plog-csrf").and_then(|v| v.to_str().ok()).unwrap_or_default();
    session.check_uncounted(&headers, &ctx, csrf)?;
    Ok(Json(PreviewAnswer { html: crate::markdown::render_markdown(&request.markdown) }))
}

/// The pay link's QR code as SVG (black on white, with its quiet zone), without the XML
/// declaration so it can stand inside a page.
fn pay_link_svg(link: &str) -> Option<String> {
    let code = qrcode::QrCode::new(link.as_bytes()).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(176, 176)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Some(svg.find("<svg").map_or(svg.clone(), |start| svg[start..].to_owned()))
}

/// `GET /admin/paywalls/{id}/pay-link.svg`: the pay link's QR code, to download and print.
pub async fn pay_link_qr(
    session: Session,
    State(ctx): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, DashboardError> {
    let paywall = catalog::find(&session.store, &catalog::parse_id(&id)?).await?;
    let svg = pay_link_svg(&catalog::page_url(&ctx.public_url, &paywall.id))
        .ok_or_else(|| DashboardError::Internal(anyhow::anyhow!("the pay link does not fit a QR code")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"plog-{}.svg\"", paywall.id)),
            (axum::http::header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        svg,
    )
        .into_response())
}
