//! `GET /openapi.json`: one OpenAPI document of every route a client calls, the reader's (the
//! widget's) and the creator's, generated from the handlers' annotations and the shared types, so
//! it cannot drift from the code.

use axum::Router;
use axum::routing::get;
use plog_shared::ErrorCode;
use plog_shared::api::{ErrorBody, ErrorDetail};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, offers, paywalls, purchases, restore, tokens};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { axum::Json(ApiDoc::openapi()) }))
}

/// plog's OpenAPI document: the reader's routes the widget calls, and the creator's admin API.
#[derive(OpenApi)]
#[openapi(
    info(title = "plog API", description = "The reader's routes (tag `reader`), which the widget calls from any blog, and the creator's API: paywalls, passes, gift links, discount codes, purchases and sales figures. Every admin route needs `Authorization: Bearer` with `PLOG_ADMIN_TOKEN` or one of the creator's API tokens (`plog_…`), and sees that creator's data only; the reader's routes that read paid content take the purchase's access token the same way. Amounts are integer minor units of their currency (100 is ¥100 or $1.00); figures of different currencies are never summed. Every error has the shape `{\"error\":{\"code\",\"message\"}}`."),
    paths(admin::create_paywall, admin::list_paywalls, admin::show_paywall, admin::update_paywall, admin::archive_paywall, admin::list_purchases, admin::stats, admin::wallet_domains,
        offers::create_pass, offers::list_passes, offers::show_pass, offers::update_pass,
        offers::archive_pass, offers::create_gift, offers::list_gifts, offers::revoke_gift,
        offers::create_discount, offers::list_discounts, offers::disable_discount,
        tokens::create_token, tokens::list_tokens, tokens::revoke_token,
        paywalls::info, paywalls::painted_view, purchases::create, paywalls::content, paywalls::content_by_body, paywalls::receipt,
        paywalls::view, paywalls::discount, paywalls::gift, restore::start, restore::redeem),
    components(schemas(ErrorBody, ErrorDetail, ErrorCode)),
    modifiers(&BearerSchemes),
    security(("admin_token" = [])),
    tags((name = "reader", description = "What the widget calls from a blog: no admin token; the paid part only with a paid purchase's access token"), (name = "paywalls", description = "Create, read, change and archive paywalls"), (name = "sales", description = "Purchases and figures"),
        (name = "offers", description = "Passes, gift links and discount codes"),
        (name = "tokens", description = "The creator's own admin API tokens: made, listed, revoked")),
)]
pub struct ApiDoc;

/// Declares the two bearer tokens: the admin token every admin route takes, and the
/// purchase's access token that the content and receipt routes take.
struct BearerSchemes;

impl Modify for BearerSchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, description) in [
            ("admin_token", "PLOG_ADMIN_TOKEN, or a creator's API token (plog_…)"),
            ("access_token", "The access token a purchase, a restore or a gift link gave"),
        ] {
            let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).description(Some(description)).build();
            components.add_security_scheme(name, SecurityScheme::Http(scheme));
        }
    }
}
