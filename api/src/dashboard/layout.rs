//! The page around every dashboard view, and the small pieces views share: amounts of money,
//! times, the page's headers (its own CSP: scripts, styles and the widget from plog only).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::{DOCTYPE, Markup, html};
use plog_shared::Currency;
use plog_shared::money::format_major;

/// What the dashboard's pages may load: their own script and style, the widget (WebAssembly)
/// and its calls to plog, nothing from elsewhere, and they are never framed.
pub const DASHBOARD_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Which tab is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    None,
    Overview,
    Paywalls,
    Sales,
    Offers,
    Account,
    /// The operator's view (platform mode), reached from the account page.
    Creators,
}

/// A whole HTML page, answered with the dashboard's headers.
pub struct Page(Markup);

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CONTENT_SECURITY_POLICY, DASHBOARD_CSP),
                // Sales figures are not for shared caches, nor for the back button after sign-out.
                (header::CACHE_CONTROL, "no-store"),
                // Not plog's usual `no-referrer`: under it, browsers send `Origin: null` with the
                // dashboard's own form posts, and the cross-site check could not tell them apart.
                (header::REFERRER_POLICY, "same-origin"),
            ],
            self.0.into_string(),
        )
            .into_response()
    }
}

/// The page: head, navigation, sign-out, then the view.
pub fn page(title: &str, nav: Nav, csrf: Option<&str>, body: Markup) -> Page {
    let tab = |which: Nav, href: &str, label: &str| {
        html! { a href=(href) aria-current=[(nav == which).then_some("page")] { (label) } }
    };
    Page(html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · plog" }
                // No icon: without this line browsers ask for /favicon.ico and get a 404.
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/admin/assets/dashboard.css";
                script src="/admin/assets/dashboard.js" defer {}
                @if let Some(csrf) = csrf { meta name="plog-csrf" content=(csrf); }
            }
            body {
                header.top {
                    a.brand href="/admin" { "plog" }
                    @if let Some(csrf) = csrf {
                        nav {
                            (tab(Nav::Overview, "/admin", "Overview"))
                            (tab(Nav::Paywalls, "/admin/paywalls", "Paywalls"))
                            (tab(Nav::Sales, "/admin/sales", "Sales"))
                            (tab(Nav::Offers, "/admin/offers", "Offers"))
                            (tab(Nav::Account, "/admin/account", "Account"))
                        }
                        form.sign-out method="post" action="/admin/sign-out" {
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    })
}

/// An amount of money: the server writes it the currency's way (`1.50 USD`, `100 JPY`); the
/// page's script rewrites it in the creator's locale (`$1.50`, `¥100`) with the same decimals.
pub fn money(amount: i64, currency: &str) -> Markup {
    match Currency::parse(currency) {
        Ok(c) => {
            let major = format_major(amount, c);
            html! { data.money value=(major) data-money=(major) data-currency=(c.code().to_uppercase()) data-decimals=(c.exponent()) { (major) " " (c.code().to_uppercase()) } }
        }
        Err(_) => html! { (amount) " " (currency) },
    }
}

/// A Unix time, in UTC; the script shows it in the creator's time zone.
pub fn time(seconds: i64) -> Markup {
    let text = crate::export::utc_time(seconds);
    html! { time datetime=(text) { (text.replace('T', " ").trim_end_matches('Z')) " UTC" } }
}

/// Part of a whole, as a percentage (`report::percent`); a dash when the whole is zero.
pub fn percent(part: i64, whole: i64) -> String {
    crate::report::percent(part, whole).unwrap_or_else(|| "–".into())
}
