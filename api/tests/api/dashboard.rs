//! The dashboard over HTTP: signing in for a session cookie, its flags, CSRF and cross-site
//! refusals, forms that save everything or nothing, the sanitized preview, the CSV, signing out.

use reqwest::header::{CONTENT_TYPE, COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::helpers::*;

/// A browser that does not follow redirects, so each answer can be looked at.
pub(crate) fn browser() -> reqwest::Client {
    reqwest::Client::builder().redirect(Policy::none()).build().unwrap()
}

/// Signs in; returns the `name=value` of the session cookie and the whole `Set-Cookie`.
pub(crate) async fn sign_in(app: &TestApp) -> (String, String) {
    let response = browser().post(app.url("/admin/sign-in")).form(&[("token", ADMIN_TOKEN)]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()[LOCATION], "/admin");
    let set_cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    (set_cookie.split(';').next().unwrap().to_owned(), set_cookie)
}

/// The CSRF token the page carries.
pub(crate) fn csrf_of(page: &str) -> String {
    let start = page.find(r#"name="plog-csrf" content=""#).expect("a CSRF token in the page")
        + r#"name="plog-csrf" content=""#.len();
    page[start..start + page[start..].find('"').unwrap()].to_owned()
}

pub(crate) async fn get(app: &TestApp, cookie: &str, path: &str) -> (u16, HeaderMap, String) {
    let response = browser().get(app.url(path)).header(COOKIE, cookie).send().await.unwrap();
    (response.status().as_u16(), response.headers().clone(), response.text().await.unwrap())
}

pub(crate) async fn post_form(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
    origin: Option<&str>,
) -> reqwest::Response {
    let mut request = browser().post(app.url(path)).header(COOKIE, cookie).form(form);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn signing_in_gives_a_strict_http_only_session_and_signing_out_ends_it() {
    let app = TestApp::spawn().await;
    let anonymous = browser().get(app.url("/admin")).send().await.unwrap();
    assert_eq!((anonymous.status().as_u16(), anonymous.headers()[LOCATION].to_str().unwrap()), (303, "/admin/sign-in"));
    let form = browser().get(app.url("/admin/sign-in")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    assert!(form.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));

    let wrong = browser().post(app.url("/admin/sign-in")).form(&[("token", "guess")]).send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    assert!(wrong.text().await.unwrap().contains("not an admin token"));
    let foreign = browser()
        .post(app.url("/admin/sign-in"))
        .header("origin", "https://evil.example")
        .form(&[("token", ADMIN_TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 403, "a sign-in posted from another site is refused");

    let (cookie, set_cookie) = sign_in(&app).await;
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/admin", "Max-Age=43200"] {
        assert!(set_cookie.contains(flag), "{flag} in {set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain http here: a Secure cookie would never come back");
    assert!(!set_cookie.contains(ADMIN_TOKEN), "the cookie is not the token");

    let (status, headers, page) = get(&app, &cookie, "/admin").await;
    assert_eq!(status, 200);
    assert_eq!(headers["cache-control"], "no-store");
    assert!(page.contains("<h1>Overview</h1>"), "{page}");
    let csrf = csrf_of(&page);

    let stale = post_form(&app, &cookie, "/admin/sign-out", &[("csrf", "wrong")], None).await;
    assert_eq!(stale.status(), 403);
    let out = post_form(&app, &cookie, "/admin/sign-out", &[("csrf", &csrf)], Some(&app.address)).await;
    assert_eq!(out.status(), 303);
    assert!(out.headers()[SET_COOKIE].to_str().unwrap().contains("Max-Age=0"));
    let (status, _, _) = get(&app, &cookie, "/admin").await;
    assert_eq!(status, 303, "the old cookie opens nothing any more");
}

#[tokio::test]
async fn the_cookie_is_secure_when_plog_is_served_over_https_and_the_dashboard_is_off_without_a_token() {
    let app = TestApp::with(Options {
        extra_args: vec!["--public-url".into(), "https://pay.example".into()],
        ..Options::default()
    })
    .await;
    let response = browser().post(app.url("/admin/sign-in")).form(&[("token", ADMIN_TOKEN)]).send().await.unwrap();
    assert!(response.headers()[SET_COOKIE].to_str().unwrap().contains("Secure"));

    let off = TestApp::with(Options { admin_token: false, ..Options::default() }).await;
    let page = browser().get(off.url("/admin")).send().await.unwrap();
    assert_eq!(page.status(), 503);
    assert!(page.text().await.unwrap().contains("PLOG_ADMIN_TOKEN"));
    let sign_in = browser().post(off.url("/admin/sign-in")).form(&[("token", "")]).send().await.unwrap();
    assert_eq!(sign_in.status(), 503, "no token configured: nothing signs in, not even an empty one");
}

#[tokio::test]
async fn forms_create_and_change_paywalls_only_with_the_session_s_csrf_token_and_all_or_nothing() {
    let app = TestApp::spawn().await;
    let (cookie, _) = sign_in(&app).await;
    let (_, _, page) = get(&app, &cookie, "/admin/paywalls/new").await;
    let csrf = csrf_of(&page);
    let fields = |csrf: &'static str, price: &'static str| {
        vec![
            ("csrf", csrf),
            ("title", "Ramen guide"),
            ("teaser", "Where to eat."),
            ("price", price),
            ("currency", "jpy"),
            ("mode", "fixed"),
            ("content_markdown", "**The list**"),
            ("origins", "https://Blog.example\nhttps://other.example"),
        ]
    };
    let csrf: &'static str = Box::leak(csrf.into_boxed_str());

    let without = post_form(&app, &cookie, "/admin/paywalls", &fields("", "300"), None).await;
    assert_eq!(without.status(), 403);
    let cross_site =
        post_form(&app, &cookie, "/admin/paywalls", &fields(csrf, "300"), Some("https://evil.example")).await;
    assert_eq!(cross_site.status(), 403);
    let too_cheap = post_form(&app, &cookie, "/admin/paywalls", &fields(csrf, "10"), None).await;
    assert_eq!(too_cheap.status(), 422);
    let page = too_cheap.text().await.unwrap();
    assert!(
        page.contains("minimum") && page.contains("Ramen guide"),
        "the form comes back with the message and what was typed"
    );
    let fraction = post_form(&app, &cookie, "/admin/paywalls", &fields(csrf, "1.5"), None).await;
    assert_eq!(fraction.status(), 422);
    assert_eq!(app.admin_json("/v1/admin/paywalls").await["paywalls"], json!([]), "nothing was created");

    let created = post_form(&app, &cookie, "/admin/paywalls", &fields(csrf, "300"), Some(&app.address)).await;
    assert_eq!(created.status(), 303);
    let location = created.headers()[LOCATION].to_str().unwrap().to_owned();
    let id = location.trim_start_matches("/admin/paywalls/").split('?').next().unwrap().to_owned();
    let stored = app.admin_json(&format!("/v1/admin/paywalls/{id}")).await;
    assert_eq!(
        (stored["price"].clone(), stored["origins"].clone()),
        (json!({"amount": 300, "currency": "jpy"}), json!(["https://blog.example", "https://other.example"]))
    );

    let (status, _, page) = get(&app, &cookie, &location).await;
    assert_eq!(status, 200);
    let tag = format!(
        r#"&lt;script src=&quot;{}/plog.js&quot; data-paywall=&quot;{id}&quot; async&gt;&lt;/script&gt;"#,
        app.address
    );
    assert!(page.contains(&tag), "the tag to copy, escaped in the page: {page}");
    assert!(page.contains("<strong>The list</strong>"), "the sanitized content's preview");

    let mut change = fields(csrf, "500");
    change[1] = ("title", "Refused title");
    change.push(("mode", "tip"));
    change.retain(|(k, v)| *k != "mode" || *v == "tip");
    change.push(("presets", "1.5"));
    let refused = post_form(&app, &cookie, &format!("/admin/paywalls/{id}"), &change, None).await;
    assert_eq!(refused.status(), 422);
    let unchanged = app.admin_json(&format!("/v1/admin/paywalls/{id}")).await;
    assert_eq!((unchanged["title"].clone(), unchanged["price"]["amount"].clone()), (json!("Ramen guide"), json!(300)));

    let mut change = fields(csrf, "500");
    change[1] = ("title", "Ramen guide, 2nd edition");
    let saved = post_form(&app, &cookie, &format!("/admin/paywalls/{id}"), &change, None).await;
    assert_eq!(saved.status(), 303);
    let changed = app.admin_json(&format!("/v1/admin/paywalls/{id}")).await;
    assert_eq!(
        (changed["title"].clone(), changed["price"]["amount"].clone()),
        (json!("Ramen guide, 2nd edition"), json!(500))
    );

    let archived = post_form(&app, &cookie, &format!("/admin/paywalls/{id}/archive"), &[("csrf", csrf)], None).await;
    assert_eq!(archived.status(), 303);
    assert_eq!(app.admin_json(&format!("/v1/admin/paywalls/{id}")).await["status"], "archived");
    let (_, _, list) = get(&app, &cookie, "/admin/paywalls").await;
    assert!(list.contains("Ramen guide, 2nd edition") && list.contains("archived"), "{list}");
}

#[tokio::test]
async fn the_preview_is_the_sanitized_html_and_needs_the_csrf_header() {
    let app = TestApp::spawn().await;
    let (cookie, _) = sign_in(&app).await;
    let (_, _, page) = get(&app, &cookie, "/admin/paywalls/new").await;
    let csrf = csrf_of(&page);
    let markdown = json!({"markdown": "# Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))"});
    let preview = |csrf: &str| {
        browser()
            .post(app.url("/admin/preview"))
            .header(COOKIE, &cookie)
            .header("x-plog-csrf", csrf)
            .json(&markdown)
            .send()
    };
    assert_eq!(preview("nope").await.unwrap().status(), 403);
    let answer: Value = preview(&csrf).await.unwrap().json().await.unwrap();
    let html = answer["html"].as_str().unwrap();
    assert!(html.contains("<h1>Hi</h1>"), "{html}");
    assert!(!html.contains("<script") && !html.contains("onerror") && !html.contains("href=\"javascript:"), "{html}");
    let anonymous = browser().post(app.url("/admin/preview")).json(&markdown).send().await.unwrap();
    assert_eq!(anonymous.status(), 303, "no session, no preview");
}

#[tokio::test]
async fn sales_are_listed_filtered_and_exported_as_csv() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let yen = app.create_paywall(100, "jpy", "paid").await;
    let dollars = app.create_paywall(250, "usd", "paid").await;
    let paid = app.start_purchase(&yen).await;
    let event = intent_event(&event_id(), "payment_intent.succeeded", &intent_id(&paid.client_secret), 100, "jpy");
    assert_eq!(app.send_event(&event).await.status(), 200);
    let declined = app.start_purchase(&dollars).await;
    let failure =
        intent_event(&event_id(), "payment_intent.payment_failed", &intent_id(&declined.client_secret), 250, "usd");
    assert_eq!(app.send_event(&failure).await.status(), 200);

    let (cookie, _) = sign_in(&app).await;
    let (status, _, page) = get(&app, &cookie, "/admin/sales").await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("data-purchase=").count(), 2, "{page}");
    assert!(page.contains(r#"data-status="paid""#) && page.contains(r#"data-status="failed""#));
    assert!(
        page.contains(r#"<div class="hint last-error">Your card was declined.</div>"#),
        "why it failed, as Stripe said: {page}"
    );
    let (_, _, only_paid) = get(&app, &cookie, "/admin/sales?status=paid").await;
    assert_eq!(only_paid.matches("data-purchase=").count(), 1);
    let (_, _, of_dollars) = get(&app, &cookie, &format!("/admin/sales?paywall={dollars}")).await;
    assert!(of_dollars.contains(r#"data-status="failed""#) && !of_dollars.contains(r#"data-status="paid""#));
    let (_, _, future) = get(&app, &cookie, "/admin/sales?from=2099-01-01").await;
    assert!(future.contains("No purchases match."));
    let (status, _, _) = get(&app, &cookie, "/admin/sales?from=yesterday").await;
    assert_eq!(status, 400);

    let (status, headers, csv) = get(&app, &cookie, "/admin/sales.csv?status=paid").await;
    assert_eq!(status, 200);
    assert_eq!(headers[CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"plog-sales-"));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(
        lines[1].contains(&format!(",{yen},A paid article,paid,fixed,100,JPY,100,{}", intent_id(&paid.client_secret))),
        "{csv}"
    );
    let (status, _, _) = get(&app, "plog_session=forged", "/admin/sales.csv").await;
    assert_eq!(status, 303);

    let (_, _, overview) = get(&app, &cookie, "/admin?days=7").await;
    let today = plog_api::report::day_text(now() / 86_400);
    assert!(overview.contains(&format!(r#"data-day="{today}" data-amount="100""#)), "a bar for today: {overview}");
}

#[tokio::test]
async fn sales_show_disputes_and_partial_refunds_and_the_overview_counts_them_apart() {
    let app = TestApp::with(Options { webhooks: false, ..Options::default() }).await;
    let yen = app.create_paywall(1000, "jpy", "paid").await;
    let disputed = intent_id(&app.start_purchase(&yen).await.client_secret);
    let partly = intent_id(&app.start_purchase(&yen).await.client_secret);
    for intent in [&disputed, &partly] {
        assert_eq!(
            app.send_event(&intent_event(&event_id(), "payment_intent.succeeded", intent, 1000, "jpy")).await.status(),
            200
        );
    }
    let dispute = json!({"id": event_id(), "object": "event", "type": "charge.dispute.created", "created": now(),
        "data": {"object": {"id": "dp_1", "object": "dispute", "payment_intent": disputed, "charge": "ch_1", "amount": 1000, "status": "needs_response"}}});
    let refund = json!({"id": event_id(), "object": "event", "type": "charge.refunded", "created": now(),
        "data": {"object": {"id": "ch_2", "object": "charge", "payment_intent": partly, "amount": 1000, "amount_refunded": 250, "refunded": false}}});
    for event in [dispute, refund] {
        assert_eq!(app.send_event(&event).await.status(), 200);
    }

    let (cookie, _) = sign_in(&app).await;
    let (_, _, page) = get(&app, &cookie, "/admin/sales").await;
    assert!(page.contains(r#"data-status="disputed""#), "{page}");
    assert!(page.contains(r#"<div class="hint dispute">dispute: needs response</div>"#), "{page}");
    assert!(
        page.contains(r#"<div class="hint refunded"><data class="money" value="250""#)
            && page.contains("250 JPY</data> refunded</div>"),
        "{page}"
    );
    let (_, _, only) = get(&app, &cookie, "/admin/sales?status=disputed").await;
    assert_eq!(only.matches("data-purchase=").count(), 1);
    let (_, _, csv) = get(&app, &cookie, "/admin/sales.csv").await;
    assert!(
        csv.lines().any(|l| l.contains(&disputed) && l.contains(",disputed,") && l.ends_with(",0,needs_response,")),
        "{csv}"
    );
    assert!(csv.lines().any(|l| l.contains(&partly) && l.contains(",paid,") && l.ends_with(",250,,")), "{csv}");
    let (_, _, overview) = get(&app, &cookie, "/admin").await;
    assert!(overview.contains("1 disputed") && overview.contains("refunded in all"), "{overview}");
}

#[tokio::test]
async fn guessing_the_token_is_stopped_after_ten_wrong_tries_a_minute_per_address() {
    let app = TestApp::spawn().await;
    for _ in 0..10 {
        let wrong = browser().post(app.url("/admin/sign-in")).form(&[("token", "guess")]).send().await.unwrap();
        assert_eq!(wrong.status(), 401);
    }
    let limited = browser().post(app.url("/admin/sign-in")).form(&[("token", ADMIN_TOKEN)]).send().await.unwrap();
    assert_eq!(limited.status(), 429, "even the right token waits its turn");
    let wait: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((50..=60).contains(&wait), "refused unread for the rest of the minute: {wait}");
    assert!(limited.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn changing_the_admin_token_ends_every_session() {
    let first = TestApp::spawn().await;
    let (cookie, _) = sign_in(&first).await;
    assert_eq!(get(&first, &cookie, "/admin").await.0, 200);
    // The same database, served again with another admin token.
    let token_changed = TestApp::with(Options {
        admin_token: false,
        extra_args: vec![
            "--database-url".into(),
            first.database_url.clone(),
            "--admin-token".into(),
            "a-new-admin-token-9876543210-abcdef".into(),
        ],
        ..Options::default()
    })
    .await;
    assert_eq!(
        get(&token_changed, &cookie, "/admin").await.0,
        303,
        "the old session opens nothing under the new token"
    );
    assert_eq!(get(&first, &cookie, "/admin").await.0, 200, "while the old token's server still knows it");
}
