//! Public paywall routes: what the widget shows before payment, and the paid content after.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use plog_shared::api::{
    CodeRequest, DiscountQuote, ErrorBody, GiftOpened, PaidContent, PaintedView, PassQuote, PaywallInfo, PaywallStatus,
    ReceiptRequest, StripePublicInfo,
};

use super::extract::{PaywallPath, bearer_token};
use crate::catalog;
use crate::client_ip::ClientIp;
use crate::error::{ApiError, Json};
use crate::offers;
use crate::offers::discounts::{self, Item};
use crate::payments;
use crate::payments::unlock::Settling;
use crate::receipts::{self, ReceiptAsked};
use crate::state::AppState;
use crate::store::Purchase;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/paywalls/{id}", get(info))
        .route("/v1/paywalls/{id}/view", get(painted_view))
        .route("/v1/paywalls/{id}/content", get(content).post(content_by_body))
        .route("/v1/paywalls/{id}/views", post(view))
        .route("/v1/paywalls/{id}/receipt", post(receipt))
        .route("/v1/paywalls/{id}/discount", post(discount))
        .route("/v1/paywalls/{id}/gift", post(gift))
}

/// `GET /v1/paywalls/{id}`: title, teaser, price and Stripe.js settings. Never the content.
#[utoipa::path(get, path = "/v1/paywalls/{id}", tag = "reader", security(()), params(("id" = String, Path, description = "Paywall id, `pw_…`")),
    responses((status = 200, body = PaywallInfo), (status = 404, description = "No such paywall", body = ErrorBody)))]
pub(super) async fn info(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
) -> Result<Json<PaywallInfo>, ApiError> {
    paywall_info(&ctx, &id).await.map(Json)
}

/// The languages the loader read on the page, and the notice it asks for.
#[derive(serde::Deserialize)]
pub(super) struct ViewQuery {
    /// The tag's `data-lang`.
    lang: Option<String>,
    /// The page's `<html lang>`.
    page_lang: Option<String>,
    /// The browser's `navigator.language`.
    browser_lang: Option<String>,
    /// A notice to show (`pass_ended`).
    notice: Option<String>,
}

/// `GET /v1/paywalls/{id}/view?lang=&page_lang=&browser_lang=&notice=`: the locked paywall as
/// the widget first renders it, for the loader to paint before the widget's code is fetched:
/// `{"html", "lang", "paywall", "notice", "unavailable"}`. The HTML comes from the widget's own components
/// (`plog_widget::painted`); `paywall` is what `GET /v1/paywalls/{id}` answers, from which the
/// widget takes over; `unavailable` is the sentence the loader shows if the widget's code then
/// cannot be fetched (the loader carries no texts of its own). Never the content.
#[utoipa::path(get, path = "/v1/paywalls/{id}/view", tag = "reader", security(()),
    params(("id" = String, Path, description = "Paywall id"), ("lang" = Option<String>, Query, description = "The tag's `data-lang`"),
        ("page_lang" = Option<String>, Query, description = "The page's `<html lang>`"), ("browser_lang" = Option<String>, Query, description = "`navigator.language`"),
        ("notice" = Option<String>, Query, description = "A notice to show (`pass_ended`)")),
    responses((status = 200, body = PaintedView), (status = 404, description = "No such paywall", body = ErrorBody)))]
pub(super) async fn painted_view(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    Query(query): Query<ViewQuery>,
) -> Result<Json<PaintedView>, ApiError> {
    let info = paywall_info(&ctx, &id).await?;
    let lang =
        plog_widget::i18n::choose(query.lang.as_deref(), query.page_lang.as_deref(), query.browser_lang.as_deref());
    let notice = query.notice.as_deref().and_then(plog_widget::painted::Notice::parse);
    let html = plog_widget::painted::locked_html(info.clone(), lang, notice);
    Ok(Json(PaintedView {
        html,
        lang: lang.texts().locale.to_owned(),
        notice: notice.map(|n| n.name().to_owned()),
        paywall: info,
        unavailable: lang.texts().unavailable.to_owned(),
    }))
}

/// What the widget reads of a paywall before payment.
async fn paywall_info(ctx: &AppState, id: &plog_shared::PaywallId) -> Result<PaywallInfo, ApiError> {
    info_of(ctx, &catalog::find(&ctx.store, id).await?).await
}

/// [`paywall_info`] of a paywall already read (the article page reads it for its own fields).
pub(super) async fn info_of(ctx: &AppState, paywall: &crate::store::Paywall) -> Result<PaywallInfo, ApiError> {
    let tip_count = if paywall.show_count { Some(ctx.store.paid_count(&paywall.id).await?) } else { None };
    let passes = if paywall.status == PaywallStatus::Active {
        offers::passes::offers_for(&ctx.store, &ctx.offers, paywall).await?
    } else {
        Vec::new()
    };
    let codes = offers::discounts::offered_for(&ctx.store, &ctx.offers, paywall, !passes.is_empty()).await?;
    Ok(PaywallInfo {
        id: paywall.id.to_string(),
        title: paywall.title.clone(),
        teaser: paywall.teaser.clone(),
        price: paywall.price.into(),
        status: paywall.status,
        stripe: StripePublicInfo {
            publishable_key: ctx.config.stripe.publishable_key.clone(),
            js_url: ctx.stripe_js_url.clone(),
            // A paywall not for sale now names no account: Buy is refused anyway.
            account: payments::start::seller_of(&ctx.store, &ctx.config.platform, paywall)
                .await
                .ok()
                .and_then(|seller| seller.account),
        },
        sandbox: ctx.config.sandbox || ctx.config.stripe.access.is_sandbox(),
        mode: paywall.mode,
        suggested: paywall.suggested_amount,
        maximum: paywall.mode.reader_chooses().then(|| paywall.maximum()),
        presets: paywall.preset_amounts.clone(),
        tip_count,
        receipts: ctx.mailer.is_some(),
        passes,
        codes,
    })
}

/// `GET /v1/paywalls/{id}/content` with `Authorization: Bearer ACCESS_TOKEN`: 200 when paid, 402 otherwise.
#[utoipa::path(get, path = "/v1/paywalls/{id}/content", tag = "reader", params(("id" = String, Path, description = "Paywall id")),
    security(("access_token" = [])),
    responses((status = 200, body = PaidContent), (status = 402, description = "`payment_required` (not paid, or not for this paywall), `access_ended` (refunded, canceled, disputed, revoked: never again) or `pass_expired`", body = ErrorBody)))]
pub(super) async fn content(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
) -> Result<Json<PaidContent>, ApiError> {
    let may_ask =
        |p: &Purchase| ctx.address_limits.may_read_stripe(p.id.as_str(), p.created_at, ctx.clock.now(), client);
    let settling = Settling { stripe: &ctx.stripe, tally: &ctx.tally, may_ask };
    Ok(Json(payments::unlock::paid_content(&ctx.store, settling, &id, bearer_token(&headers), ctx.clock.now()).await?))
}

/// `POST /v1/paywalls/{id}/content` with the access token as a `text/plain` body: the same
/// answer as the `GET`. The loader asks this way for a returning reader because such a request
/// is "simple" in CORS terms: the browser sends it at once, without the preflight an
/// `Authorization` header costs (a round trip before the paid part can show).
#[utoipa::path(post, path = "/v1/paywalls/{id}/content", tag = "reader", security(()), params(("id" = String, Path, description = "Paywall id")),
    request_body(content = String, content_type = "text/plain", description = "The access token"),
    responses((status = 200, body = PaidContent), (status = 402, description = "As the `GET`", body = ErrorBody)))]
pub(super) async fn content_by_body(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    ClientIp(client): ClientIp,
    token: String,
) -> Result<Json<PaidContent>, ApiError> {
    let token = Some(token.trim()).filter(|t| !t.is_empty());
    let may_ask =
        |p: &Purchase| ctx.address_limits.may_read_stripe(p.id.as_str(), p.created_at, ctx.clock.now(), client);
    let settling = Settling { stripe: &ctx.stripe, tally: &ctx.tally, may_ask };
    Ok(Json(payments::unlock::paid_content(&ctx.store, settling, &id, token, ctx.clock.now()).await?))
}

/// `POST /v1/paywalls/{id}/receipt` with the access token: `{"email", "page", "language"}` →
/// 204. The widget sends it when the reader presses Pay with an address typed; the receipt goes
/// once the purchase is paid (at once if it is already).
#[utoipa::path(post, path = "/v1/paywalls/{id}/receipt", tag = "reader", params(("id" = String, Path, description = "Paywall id")),
    security(("access_token" = [])), request_body = ReceiptRequest,
    responses((status = 204, description = "The receipt goes once the purchase is paid"), (status = 404, description = "`mail_disabled`, or no such paywall", body = ErrorBody),
        (status = 422, description = "`invalid_email`", body = ErrorBody)))]
pub(super) async fn receipt(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    headers: HeaderMap,
    Json(body): Json<ReceiptRequest>,
) -> Result<StatusCode, ApiError> {
    if ctx.mailer.is_none() {
        return Err(ApiError::MailDisabled);
    }
    let asked = ReceiptAsked {
        email: body.email,
        page_url: body.page,
        language: body.language.unwrap_or_else(|| "en".into()),
        origin: headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).map(str::to_owned),
    };
    receipts::ask_receipt(
        &ctx.store,
        &ctx.mail_queued,
        ctx.email_key(),
        &id,
        bearer_token(&headers),
        &asked,
        ctx.clock.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/paywalls/{id}/views`: the widget's beacon, sent once when it shows a paywall. Only a
/// count per paywall and UTC day is kept: no cookie is read or set, no address is stored. The
/// widget previews on plog's own dashboard are not counted (its article pages are), nor views beyond an address's
/// `PLOG_RATE_VIEWS_PER_IP`.
#[utoipa::path(post, path = "/v1/paywalls/{id}/views", tag = "reader", security(()), params(("id" = String, Path, description = "Paywall id")),
    responses((status = 204, description = "Counted (one count per paywall and day; nothing about the reader)"), (status = 429, description = "`rate_limited`", body = ErrorBody)))]
pub(super) async fn view(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    ctx.address_limits.check_view(client)?;
    let paywall = catalog::find(&ctx.store, &id).await?;
    // On plog's own origin, the dashboard's previews are not views; the article pages
    // (`/r/{id}`, whose Referrer-Policy sends their address to plog itself) are.
    let own = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()).is_some_and(|o| ctx.is_own_origin(o));
    let from_article_page = headers
        .get(header::REFERER)
        .and_then(|r| r.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .is_some_and(|page| page.path().rsplit('/').nth(1) == Some("r"));
    if !own || from_article_page {
        ctx.store.record_view(paywall.id.as_str(), ctx.clock.now()).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/paywalls/{id}/discount` `{"code"}`: the article's and its passes' prices with the
/// code, before the reader pays (the purchase is priced again by the server). Limited per
/// address (`PLOG_RATE_CODES_PER_IP`), so codes cannot be guessed by trying them all.
#[utoipa::path(post, path = "/v1/paywalls/{id}/discount", tag = "reader", security(()), params(("id" = String, Path, description = "Paywall id")),
    request_body = CodeRequest,
    responses((status = 200, body = DiscountQuote), (status = 422, description = "`discount_unknown`, `discount_expired`, `discount_used_up`, `discount_not_applicable`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody)))]
pub(super) async fn discount(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    ClientIp(client): ClientIp,
    Json(body): Json<CodeRequest>,
) -> Result<Json<DiscountQuote>, ApiError> {
    ctx.address_limits.check_code(client)?;
    let paywall = catalog::find(&ctx.store, &id).await?;
    let discount = discounts::lookup(&ctx.store, paywall.creator, &body.code, ctx.clock.now())
        .await?
        .map_err(ApiError::Discount)?;
    let amount = discounts::price_with(&discount, Item::Paywall(&paywall)).ok();
    let on_sale = ctx.offers.passes_on_sale(&ctx.store).await?;
    let passes: Vec<PassQuote> = on_sale
        .iter()
        .filter(|pass| pass.covers(&paywall))
        .filter_map(|pass| {
            let amount = discounts::price_with(&discount, Item::Pass(pass)).ok()?;
            Some(PassQuote { pass_id: pass.id.to_string(), amount })
        })
        .collect();
    if amount.is_none() && passes.is_empty() {
        return Err(ApiError::Discount(discounts::Refusal::NotApplicable));
    }
    Ok(Json(DiscountQuote { code: discount.code, amount, passes }))
}

/// `POST /v1/paywalls/{id}/gift` `{"code"}`: opens a gift link (the code from the page's
/// `#plog-gift=` fragment): the paid part and a token for this browser. Limited per address
/// like codes.
#[utoipa::path(post, path = "/v1/paywalls/{id}/gift", tag = "reader", security(()), params(("id" = String, Path, description = "Paywall id")),
    request_body = CodeRequest,
    responses((status = 200, body = GiftOpened), (status = 404, description = "`gift_unknown`", body = ErrorBody),
        (status = 410, description = "`gift_revoked`, `gift_expired`, `gift_used_up`", body = ErrorBody)))]
pub(super) async fn gift(
    State(ctx): State<AppState>,
    PaywallPath(id): PaywallPath,
    ClientIp(client): ClientIp,
    Json(body): Json<CodeRequest>,
) -> Result<Json<GiftOpened>, ApiError> {
    ctx.address_limits.check_code(client)?;
    catalog::find(&ctx.store, &id).await?;
    let opened = offers::gifts::open(&ctx.store, &id, &body.code, ctx.clock.now()).await?.map_err(ApiError::Gift)?;
    tracing::info!(paywall_id = %id, "gift link opened");
    Ok(Json(opened))
}
