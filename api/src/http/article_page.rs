//! The article page, `GET /r/{id}`: a paywall's own page on plog's host, the one link a writer
//! shares where no tag can go (note, Medium, Substack, WordPress.com strip `<script>`).
//!
//! The page is what a blog with the tag would be: the title, the creator's free part (Markdown,
//! sanitized like the paid part), then the paywall painted by the server exactly as the loader
//! paints it — here in a declarative shadow root, so it shows without JavaScript — and the same
//! loader tag, which takes it over and brings the widget as on any blog (returning readers,
//! restore, passes, gift links, codes, wallets). Link previews read its Open Graph and Twitter
//! tags; search engines its paywalled-content JSON-LD. No cookie, no inline script, nothing
//! from another host before Buy; an `ETag` and a minute's cache.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{DOCTYPE, Markup, PreEscaped, html};
use plog_shared::PaywallId;
use plog_shared::api::PaywallStatus;
use plog_widget::i18n::Lang;
use serde::Deserialize;
use sha2::Digest as _;

use super::paywalls::info_of;
use crate::catalog::{self, CatalogError};
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::Paywall;

/// The page's own stylesheet (typography, light and dark); the paywall keeps the widget's.
const PAGE_CSS: &str = include_str!("article_page.css");

/// How long browsers and proxies may keep a page before asking again (with its `ETag`).
const CACHE_CONTROL: &str = "public, max-age=60";

/// The article page's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/r/page.css", get(stylesheet)).route("/r/{id}", get(page))
}

/// `?lang=en|ja` overrides the reader's `Accept-Language`.
#[derive(Debug, Deserialize)]
struct PageQuery {
    lang: Option<String>,
}

/// The page's words, in the reader's language (the widget's own are in its `Texts`).
struct Words {
    needs_js: &'static str,
    not_found_title: &'static str,
    not_found: &'static str,
    og_locale: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            needs_js: "Buying needs JavaScript: turn it on for this page, then press Buy.",
            not_found_title: "Not found",
            not_found: "There is no article for sale at this address.",
            og_locale: "en_US",
        },
        Lang::Ja => Words {
            needs_js: "購入には JavaScript が必要です。このページで有効にしてから、購入ボタンを押してください。",
            not_found_title: "見つかりません",
            not_found: "このアドレスで販売中の記事はありません。",
            og_locale: "ja_JP",
        },
    }
}

/// The reader's language: `?lang=`, else the first language of `Accept-Language` plog speaks.
fn language(query: &PageQuery, headers: &HeaderMap) -> Lang {
    let accepted = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let first_spoken = accepted.split(',').find_map(|part| plog_widget::i18n::parse(part.split(';').next()?));
    query.lang.as_deref().and_then(plog_widget::i18n::parse).or(first_spoken).unwrap_or(Lang::En)
}

/// What the page may load: plog's own scripts (the loader, the widget and its WebAssembly) and
/// styles, and Stripe.js's hosts once the reader presses Buy — nothing else, never framed.
fn content_security_policy(stripe_js_url: &str) -> String {
    let stripe = url::Url::parse(stripe_js_url)
        .ok()
        .map(|u| u.origin().ascii_serialization())
        .filter(|origin| origin.starts_with("https://"));
    let (script, frame, connect) = match &stripe {
        // What Stripe.js needs, as the policy a blog is told to allow the tag with says
        // (docs/operators/security.md, held by a browser test): its hosts, its card field's
        // and 3-D Secure's frames, its API.
        Some(js) => (
            format!(" {js} https://*.js.stripe.com"),
            format!("frame-src {js} https://*.js.stripe.com https://hooks.stripe.com; "),
            " https://api.stripe.com".to_owned(),
        ),
        // The sandbox's double is plog's own.
        None => (String::new(), String::new(), String::new()),
    };
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{script}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'{connect}; {frame}font-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    )
}

/// `GET /r/{id}`: the page, or a 404 page for an id that names no paywall on sale.
async fn page(
    State(ctx): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let lang = language(&query, &headers);
    let Ok(id) = PaywallId::parse(&id) else { return Ok(not_found(lang)) };
    let paywall = match catalog::find(&ctx.store, &id).await {
        Ok(paywall) if paywall.status == PaywallStatus::Active => paywall,
        Ok(_) | Err(CatalogError::NotFound) => return Ok(not_found(lang)),
        Err(error) => return Err(error.into()),
    };
    let info = info_of(&ctx, &paywall).await?;
    let painted = plog_widget::painted::locked_html(info, lang, None);
    let body = render(&ctx, &paywall, lang, &painted).into_string();
    let etag = format!("\"{}\"", &hex::encode(sha2::Sha256::digest(body.as_bytes()))[..32]);
    let csp = content_security_policy(&ctx.stripe_js_url);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, HeaderValue::from_str(&etag).expect("hex"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE_CONTROL));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_str(&csp).expect("ascii"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    Ok(response)
}

/// The paywalled-content structured data, with `</` kept out of the script element.
fn json_ld(paywall: &Paywall, url: &str, creator: Option<&str>, lang: Lang) -> String {
    let mut data = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": paywall.title,
        "url": url,
        "inLanguage": lang.texts().locale,
        "isAccessibleForFree": false,
        "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": false, "cssSelector": ".plog-paywalled"},
    });
    if let Some(teaser) = &paywall.teaser {
        data["description"] = teaser.as_str().into();
    }
    if let Some(image) = &paywall.image_url {
        data["image"] = image.as_str().into();
    }
    if let Some(name) = creator {
        data["author"] = serde_json::json!({"@type": "Person", "name": name});
    }
    data.to_string().replace("</", "<\\/")
}

fn render(ctx: &AppState, paywall: &Paywall, lang: Lang, painted: &str) -> Markup {
    let words = words(lang);
    let url = catalog::page_url(&ctx.public_url, &paywall.id);
    let canonical = paywall.canonical_url.clone().unwrap_or_else(|| url.clone());
    let creator = ctx.config.creator_name.as_deref();
    let site = creator
        .map(str::to_owned)
        .unwrap_or_else(|| ctx.public_url.trim_start_matches("https://").trim_start_matches("http://").to_owned());
    let css = crate::widget_build::stylesheet_name();
    let locale = lang.texts().locale;
    html! {
        (DOCTYPE)
        html lang=(locale) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="color-scheme" content="light dark";
                title { (paywall.title) }
                @if let Some(teaser) = &paywall.teaser { meta name="description" content=(teaser); }
                link rel="canonical" href=(canonical);
                meta property="og:type" content="article";
                meta property="og:title" content=(paywall.title);
                @if let Some(teaser) = &paywall.teaser { meta property="og:description" content=(teaser); }
                meta property="og:url" content=(url);
                meta property="og:site_name" content=(site);
                meta property="og:locale" content=(words.og_locale);
                @if let Some(image) = &paywall.image_url { meta property="og:image" content=(image); }
                meta name="twitter:card" content=(if paywall.image_url.is_some() { "summary_large_image" } else { "summary" });
                meta name="twitter:title" content=(paywall.title);
                @if let Some(teaser) = &paywall.teaser { meta name="twitter:description" content=(teaser); }
                @if let Some(image) = &paywall.image_url { meta name="twitter:image" content=(image); }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/r/page.css";
                script type="application/ld+json" data-plog-paywalled { (PreEscaped(json_ld(paywall, &url, creator, lang))) }
            }
            body {
                main {
                    article {
                        h1 { (paywall.title) }
                        @if let Some(name) = creator { p.byline { (name) } }
                        @if !paywall.free_html.trim().is_empty() { div.free { (PreEscaped(&paywall.free_html)) } }
                        // Before the paywall: the loader takes over the paywall just before its tag.
                        noscript { p.needs-js { (words.needs_js) } }
                        plog-paywall.plog-paywalled data-paywall=(paywall.id) data-lang=(locale) data-theme="auto" {
                            template shadowrootmode="open" {
                                link rel="stylesheet" href=(format!("/widget/{css}"));
                                div { (PreEscaped(painted)) }
                            }
                        }
                        script src="/plog.js" data-paywall=(paywall.id) data-lang=(locale) async {}
                    }
                }
            }
        }
    }
}

/// The 404 page: no paywall on sale has this id (unknown, malformed or archived).
fn not_found(lang: Lang) -> Response {
    let words = words(lang);
    let body = html! {
        (DOCTYPE)
        html lang=(lang.texts().locale) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (words.not_found_title) }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/r/page.css";
            }
            body { main { h1 { (words.not_found_title) } p { (words.not_found) } } }
        }
    };
    (
        StatusCode::NOT_FOUND,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ],
        body.into_string(),
    )
        .into_response()
}

/// `GET /r/page.css`, cached for a day.
async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=86400")], PAGE_CSS)
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::content_security_policy;

    #[test]
    fn the_page_allows_stripe_js_as_a_blog_is_told_to_and_nothing_else() {
        let real = content_security_policy(crate::stripe::STRIPE_JS_URL);
        for allowed in [
            "script-src 'self' 'wasm-unsafe-eval' https://js.stripe.com https://*.js.stripe.com;",
            "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com;",
            "connect-src 'self' https://api.stripe.com;",
            "style-src 'self';",
            "frame-ancestors 'none'",
        ] {
            assert!(real.contains(allowed), "{allowed} in {real}");
        }
        assert!(!real.contains("unsafe-inline"), "{real}");
        // The sandbox's double is plog's own: no other host at all.
        let sandbox = content_security_policy("http://127.0.0.1:8080/sandbox/stripe.js");
        assert!(!sandbox.contains("stripe.com") && !sandbox.contains("frame-src"), "{sandbox}");
    }
}
