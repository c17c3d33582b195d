//! Creators on one plog, each seeing and changing only their own: every admin route (as
//! `/openapi.json` lists them) and every dashboard page (as the dashboard's router lists them),
//! walked as creator B against creator A's ids, answers 404 or lists nothing of A's, and A's
//! paywall, pass, gift link, code, sale and token are as they were; creators' API tokens (shown
//! once, stored hashed, revoked at once); one creator's pass or code never opens or prices
//! another's article; a standalone database upgraded keeps every row for its owner.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::dashboard::{browser, csrf_of, get, post_form};
use crate::helpers::*;

const SITE: &str = "https://blog-a.example";

pub(crate) async fn send(app: &TestApp, token: &str, method: &str, path: &str, body: Option<&Value>) -> (u16, String) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = app.http.request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn created(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    let (status, text) = send(app, token, "POST", path, Some(&body)).await;
    assert_eq!(status, 201, "POST {path}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Buys a paywall (with this body) on localstripe and waits for the webhook: the access token.
async fn bought(app: &TestApp, paywall: &str, body: &Value) -> String {
    let response = app
        .http
        .post(app.url(&format!("/v1/paywalls/{paywall}/purchases")))
        .header("origin", SITE)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let started: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{started}");
    let secret = started["client_secret"].as_str().unwrap();
    assert_eq!(pay_with_card(secret, CARD_OK).await.0, 200);
    app.wait_for_status(&intent_id(secret), "paid").await;
    started["access_token"].as_str().unwrap().to_owned()
}

/// Creator A's things, made through the API with A's token.
struct Holdings {
    paywall: String,
    pass: String,
    gift: String,
    code: String,
    token: String,
    purchase: String,
    access_token: String,
}

/// Everything A's own requests show of A's things: compared before and after B's walk.
async fn as_a_sees_it(app: &TestApp, a: &Holdings) -> Vec<Value> {
    let mut seen = Vec::new();
    for path in [
        "/v1/admin/paywalls".to_owned(),
        format!("/v1/admin/paywalls/{}", a.paywall),
        "/v1/admin/passes".to_owned(),
        "/v1/admin/gifts".to_owned(),
        "/v1/admin/discounts".to_owned(),
        "/v1/admin/purchases".to_owned(),
        "/v1/admin/tokens".to_owned(),
        "/v1/admin/stats".to_owned(),
    ] {
        seen.push(app.admin_json(&path).await);
    }
    let content = app.content(&a.paywall, Some(&a.access_token)).await;
    seen.push(json!({"content": content.status().as_u16()}));
    seen
}

async fn a_holds_one_of_everything(app: &TestApp) -> Holdings {
    let paywall = created(
        app,
        ADMIN_TOKEN,
        "/v1/admin/paywalls",
        json!({"title": "Alpha's secret recipe", "price": {"amount": 300, "currency": "jpy"},
            "content_markdown": "The paid part of Alpha.", "origins": [SITE]}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let pass = created(
        app,
        ADMIN_TOKEN,
        "/v1/admin/passes",
        json!({"title": "Alpha's pass", "price": {"amount": 900, "currency": "jpy"}, "scope": "site", "days": 30}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let gift = created(app, ADMIN_TOKEN, &format!("/v1/admin/paywalls/{paywall}/gifts"), json!({"label": "for Aiko"}))
        .await["gift"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let code =
        created(app, ADMIN_TOKEN, "/v1/admin/discounts", json!({"code": "ALPHA10", "percent_off": 10})).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let token = created(app, ADMIN_TOKEN, "/v1/admin/tokens", json!({"label": "Alpha's CMS"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let access_token = bought(app, &paywall, &json!({})).await;
    let purchases = app.admin_json("/v1/admin/purchases").await;
    let purchase = purchases["purchases"][0]["id"].as_str().unwrap().to_owned();
    Holdings { paywall, pass, gift, code, token, purchase, access_token }
}

/// No id, title or label of A's in what B was answered.
fn shows_nothing_of(a: &Holdings, what: &str, answer: &str) {
    for secret in [&a.paywall, &a.pass, &a.gift, &a.code, &a.token, &a.purchase]
        .into_iter()
        .map(String::as_str)
        .chain(["Alpha", "ALPHA10", "blog-a.example"])
    {
        assert!(!answer.contains(secret), "{what} shows B {secret:?} of A's: {answer}");
    }
}

#[tokio::test]
async fn every_admin_route_and_dashboard_page_as_creator_b_against_creator_a_s_ids_is_404_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let a = a_holds_one_of_everything(&app).await;
    // A's site is registered for wallets (by the save in the background, or here, whichever
    // comes first): B's list of domains must not show it.
    app.execute_sql(&format!(
        "insert into wallet_domains (domain, stripe_id, apple_pay, google_pay, link, problem, checked_at) \
         values ('blog-a.example', 'pmd_alpha', 'active', 'active', 'active', null, {}) on conflict (account, domain) do nothing",
        now()
    ))
    .await;
    assert_eq!(app.admin_json("/v1/admin/wallet-domains").await["domains"][0]["domain"], "blog-a.example");
    let before = as_a_sees_it(&app, &a).await;
    let b = app.add_creator("beta@example.com").await;

    // The admin API: every documented operation, as B, with A's ids where there are ids.
    let document: Value = app.http.get(app.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut documented = BTreeSet::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for method in operations.as_object().unwrap().keys() {
            if path.starts_with("/v1/admin/") {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let mut walked = BTreeSet::new();
    let id_of = |path: &str| match path.split('/').nth(3).unwrap() {
        "paywalls" => a.paywall.clone(),
        "passes" => a.pass.clone(),
        "gifts" => a.gift.clone(),
        "discounts" => a.code.clone(),
        "tokens" => a.token.clone(),
        other => panic!("{path}: which of A's ids goes into a {other} route? Add it to this walk."),
    };
    for operation in &documented {
        let (method, path) = operation.split_once(' ').unwrap();
        let body = match operation.as_str() {
            "PATCH /v1/admin/paywalls/{id}" => Some(json!({"title": "Taken over by B"})),
            "PATCH /v1/admin/passes/{id}" => Some(json!({"price": {"amount": 100, "currency": "jpy"}})),
            "POST /v1/admin/paywalls/{id}/gifts" => Some(json!({"label": "B's gift of A's article"})),
            "POST /v1/admin/passes" => Some(json!({"title": "B's pass of A's article", "scope": "set",
                "price": {"amount": 100, "currency": "jpy"}, "paywall_ids": [a.paywall]})),
            "POST /v1/admin/discounts" => {
                Some(json!({"code": "BETA90", "percent_off": 90, "applies_to": [a.paywall, a.pass]}))
            }
            "POST /v1/admin/paywalls" | "POST /v1/admin/tokens" => None,
            _ if method == "POST" || method == "PATCH" => {
                panic!("{operation}: what would B send? Add it to this walk.")
            }
            _ => None,
        };
        if path.contains("{id}") {
            let concrete = path.replace("{id}", &id_of(path));
            let (status, text) = send(&app, &b, method, &concrete, body.as_ref()).await;
            assert_eq!(status, 404, "{method} {concrete} as B: {text}");
            shows_nothing_of(&a, operation, &text);
        } else if method == "GET" {
            let (status, text) = send(&app, &b, method, path, None).await;
            assert_eq!(status, 200, "{operation} as B: {text}");
            shows_nothing_of(&a, operation, &text);
        } else if let Some(body) = &body {
            let (status, text) = send(&app, &b, method, path, Some(body)).await;
            assert_eq!(status, 422, "{operation} naming A's ids, as B: {text}");
            assert!(text.contains("no paywall"), "{operation}: {text}");
        } else {
            // B's own paywall and token: theirs, and not A's to see (checked after the walk).
            let body = match path {
                "/v1/admin/paywalls" => json!({"title": "Beta's own", "price": {"amount": 200, "currency": "jpy"},
                    "content_markdown": "Beta's paid part."}),
                _ => json!({"label": "Beta's CLI"}),
            };
            created(&app, &b, path, body).await;
        }
        walked.insert(operation.clone());
    }
    assert_eq!(walked, documented);
    // Filters naming A's things, and A's code by its text, find nothing either.
    for path in [format!("/v1/admin/purchases?paywall={}", a.paywall), format!("/v1/admin/gifts?paywall={}", a.paywall)]
    {
        let (status, text) = send(&app, &b, "GET", &path, None).await;
        assert_eq!(status, 200, "{path}: {text}");
        shows_nothing_of(&a, &path, &text);
    }
    assert_eq!(send(&app, &b, "DELETE", "/v1/admin/discounts/ALPHA10", None).await.0, 404);

    // The dashboard: every route its router lists, as B's session.
    let response = browser().post(app.url("/admin/sign-in")).form(&[("token", b.as_str())]).send().await.unwrap();
    assert_eq!(response.status(), 303, "B's API token signs B in");
    let cookie = response.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let (_, _, overview) = get(&app, &cookie, "/admin").await;
    let csrf = csrf_of(&overview);
    let router = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/dashboard/mod.rs")).unwrap();
    let mut pages = BTreeSet::new();
    for route in router.split(".route(").skip(1) {
        let pattern = route.split('"').nth(1).unwrap().to_owned();
        let head = route.split(".route(").next().unwrap();
        for method in ["get", "post"].into_iter().filter(|m| head.contains(&format!("{m}("))) {
            pages.insert(format!("{} {pattern}", method.to_uppercase()));
        }
    }
    let mut visited = BTreeSet::new();
    let of_a = |page: &str| {
        page.replace("{id}/refund", &format!("{}/refund", a.purchase))
            .replace("{id}/revoke", &format!("{}/revoke", a.purchase))
            .replace("{id}", &a.paywall)
    };
    for page in &pages {
        let (method, pattern) = page.split_once(' ').unwrap();
        match page.as_str() {
            // Nothing of anyone's: the way in and out, the assets, an empty form, the preview
            // of what is typed, and B creating B's own paywall.
            "GET /admin/"
            | "GET /admin/sign-in"
            | "POST /admin/sign-in"
            | "POST /admin/sign-out"
            | "POST /admin/sign-in/code"
            | "POST /admin/sign-in/code/{id}"
            | "GET /admin/assets/dashboard.css"
            | "GET /admin/assets/dashboard.js"
            | "GET /admin/paywalls/new"
            | "POST /admin/preview"
            | "POST /admin/paywalls"
            // B's own account page's actions: B's own Stripe connection, never an id.
            | "POST /admin/account/stripe"
            | "POST /admin/account/tokens"
            | "GET /admin/account/stripe/refresh"
            | "GET /admin/account/stripe/return" => {}
            "GET /admin"
            | "GET /admin/account"
            | "GET /admin/paywalls"
            | "GET /admin/sales"
            | "GET /admin/offers"
            | "GET /admin/sales.csv" => {
                let (status, _, text) = get(&app, &cookie, pattern).await;
                assert_eq!(status, 200, "{page} as B: {text}");
                shows_nothing_of(&a, page, &text);
            }
            "GET /admin/creators" | "GET /admin/paywalls/{id}"
            | "GET /admin/paywalls/{id}/pay-link.svg"
            | "GET /admin/purchases/{id}/refund"
            | "GET /admin/purchases/{id}/revoke" => {
                let (status, _, text) = get(&app, &cookie, &of_a(pattern)).await;
                assert_eq!(status, 404, "{page} as B");
                shows_nothing_of(&a, page, &text);
            }
            "POST /admin/offers/{kind}/{id}/end" => {
                for (kind, id) in
                    [("passes", &a.pass), ("gifts", &a.gift), ("codes", &a.code), ("codes", &"ALPHA10".into())]
                {
                    let path = format!("/admin/offers/{kind}/{id}/end");
                    let response = post_form(&app, &cookie, &path, &[("csrf", &csrf)], Some(&app.address)).await;
                    assert_eq!(response.status(), 404, "{path} as B");
                }
            }
            "POST /admin/account/tokens/{id}/revoke" => {
                let path = format!("/admin/account/tokens/{}/revoke", a.token);
                let response = post_form(&app, &cookie, &path, &[("csrf", &csrf)], Some(&app.address)).await;
                assert_eq!(response.status(), 404, "{path} as B");
            }
            "POST /admin/creators/{id}/{action}" => {
                // The operator's: suspending A (the owner, creator 1) or anyone.
                for action in ["suspend", "reinstate"] {
                    let path = format!("/admin/creators/1/{action}");
                    let response = post_form(&app, &cookie, &path, &[("csrf", &csrf)], Some(&app.address)).await;
                    assert_eq!(response.status(), 404, "{path} as B");
                }
            }
            _ if method == "POST" => {
                let form: Vec<(&str, &str)> = match page.as_str() {
                    "POST /admin/paywalls/{id}" => vec![
                        ("title", "Taken over by B"),
                        ("price", "100"),
                        ("currency", "jpy"),
                        ("mode", "fixed"),
                        ("content_markdown", "B's now"),
                    ],
                    "POST /admin/paywalls/{id}/archive" | "POST /admin/purchases/{id}/revoke" => vec![],
                    "POST /admin/purchases/{id}/refund" => vec![("amount", "300")],
                    "POST /admin/offers/gifts" => vec![("paywall", &a.paywall), ("label", "B's")],
                    "POST /admin/offers/passes" => vec![
                        ("title", "B's pass of A's"),
                        ("price", "100"),
                        ("currency", "jpy"),
                        ("paywalls", &a.paywall),
                    ],
                    "POST /admin/offers/codes" => {
                        vec![("code", "BETA90"), ("kind", "percent"), ("value", "90"), ("applies_to", &a.paywall)]
                    }
                    _ => panic!("{page}: what would B send? Add it to this walk."),
                };
                let answer = |paywall: &str, purchase: &str| {
                    let form: Vec<(&str, String)> = form
                        .iter()
                        .map(|(k, v)| (*k, v.replace(&a.paywall, paywall)))
                        .chain([("csrf", csrf.clone())])
                        .collect();
                    let path = pattern
                        .replace("{id}/refund", &format!("{purchase}/refund"))
                        .replace("{id}/revoke", &format!("{purchase}/revoke"))
                        .replace("{id}", paywall);
                    let (app, cookie) = (&app, &cookie);
                    let (paywall, purchase) = (paywall.to_owned(), purchase.to_owned());
                    async move {
                        let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
                        let response = post_form(app, cookie, &path, &form, Some(&app.address)).await;
                        let status = response.status().as_u16();
                        (status, response.text().await.unwrap().replace(&paywall, "ID").replace(&purchase, "ID"))
                    }
                };
                let (status, text) = answer(&a.paywall, &a.purchase).await;
                let expected: &[u16] =
                    if pattern.contains("{id}") || pattern.ends_with("/gifts") { &[404] } else { &[400] };
                assert!(expected.contains(&status), "{page} as B answered {status}: {text}");
                shows_nothing_of(&a, page, &text);
                // The very answer an id that names nothing gets: no way to tell A's ids exist.
                let nobody = answer("pw_00000000000000000000", "pur_00000000000000000000").await;
                assert_eq!((status, text), nobody, "{page}: A's id answered as one of no one's");
            }
            _ => panic!("{page}: a dashboard route this walk does not know; add what B may see of it."),
        }
        visited.insert(page.clone());
    }
    assert_eq!(visited, pages);
    assert!(pages.len() >= 20, "the walk read the dashboard's routes: {pages:?}");

    // A's things are as they were, and A sees nothing of B's.
    assert_eq!(as_a_sees_it(&app, &a).await.iter().filter(|v| v.to_string().contains("Beta")).count(), 0);
    let after = as_a_sees_it(&app, &a).await;
    assert_eq!(after, before, "B's walk changed nothing of A's");
    assert_eq!(app.admin_json("/v1/admin/wallet-domains").await["domains"][0]["domain"], "blog-a.example");
}

#[tokio::test]
async fn a_creator_s_api_token_is_shown_once_kept_hashed_and_revoked_at_once() {
    let app = TestApp::spawn().await;
    let made = created(&app, ADMIN_TOKEN, "/v1/admin/tokens", json!({"label": "the CMS"})).await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("plog_") && secret.len() == 48, "{secret}");
    let id = made["id"].as_str().unwrap().to_owned();
    let paywall = created(
        &app,
        &secret,
        "/v1/admin/paywalls",
        json!({"title": "Made with a token", "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "x"}),
    )
    .await;
    assert_eq!(app.admin_json("/v1/admin/paywalls").await["paywalls"][0]["id"], paywall["id"], "the owner's own token");

    let listed = app.admin_json("/v1/admin/tokens").await;
    assert_eq!(
        listed["tokens"],
        json!([{"id": id, "label": "the CMS", "created_at": made["created_at"], "revoked_at": null}])
    );
    assert!(!listed.to_string().contains(&secret), "the list never shows the secret");
    let stored = app.query_texts("select token_hash from creator_tokens").await;
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&secret[5..]), "only a hash is stored");

    let too_long = send(&app, ADMIN_TOKEN, "POST", "/v1/admin/tokens", Some(&json!({"label": "x".repeat(101)}))).await;
    assert_eq!(too_long.0, 422);
    assert_eq!(app.admin_json("/v1/admin/tokens").await["tokens"].as_array().unwrap().len(), 1, "nothing was made");

    // A dashboard session opened with the token ends when the token is revoked; a session
    // opened otherwise (here: the owner's token) goes on.
    let with_token =
        browser().post(app.url("/admin/sign-in")).form(&[("token", secret.as_str())]).send().await.unwrap();
    assert_eq!(with_token.status(), 303);
    let token_session = with_token.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    assert_eq!(get(&app, &token_session, "/admin").await.0, 200);
    let (owner_session, _) = crate::dashboard::sign_in(&app).await;

    let (status, revoked) = send(&app, ADMIN_TOKEN, "DELETE", &format!("/v1/admin/tokens/{id}"), None).await;
    assert_eq!(status, 200, "{revoked}");
    let (status, headers, _) = get(&app, &token_session, "/admin").await;
    assert_eq!((status, headers["location"].to_str().unwrap()), (303, "/admin/sign-in"), "its session ended with it");
    assert_eq!(get(&app, &owner_session, "/admin").await.0, 200, "another session goes on");
    assert!(serde_json::from_str::<Value>(&revoked).unwrap()["revoked_at"].is_i64());
    assert_eq!(send(&app, &secret, "GET", "/v1/admin/paywalls", None).await.0, 401, "refused at once");
    let sign_in = browser().post(app.url("/admin/sign-in")).form(&[("token", secret.as_str())]).send().await.unwrap();
    assert_eq!(sign_in.status(), 401, "nor does it sign in");
    assert_eq!(send(&app, &format!("{secret}x"), "GET", "/v1/admin/paywalls", None).await.0, 401);

    // The same in the dashboard's Account page: made (shown once), used, revoked.
    let (cookie, _) = crate::dashboard::sign_in(&app).await;
    let (_, _, page) = get(&app, &cookie, "/admin/account").await;
    let csrf = csrf_of(&page);
    let made = post_form(
        &app,
        &cookie,
        "/admin/account/tokens",
        &[("csrf", &csrf), ("label", "the newsletter")],
        Some(&app.address),
    )
    .await;
    assert_eq!(made.status(), 200);
    let page = made.text().await.unwrap();
    let secret = page.split("id=\"new-token\">").nth(1).expect(&page).split('<').next().unwrap().to_owned();
    assert!(secret.starts_with("plog_"), "{secret}");
    assert_eq!(send(&app, &secret, "GET", "/v1/admin/paywalls", None).await.0, 200);
    let (_, _, again) = get(&app, &cookie, "/admin/account").await;
    assert!(again.contains("the newsletter") && !again.contains(&secret), "listed, never shown again");
    let tokens = app.admin_json("/v1/admin/tokens").await;
    let made = tokens["tokens"].as_array().unwrap().iter().find(|t| t["label"] == "the newsletter").unwrap();
    let id = made["id"].as_str().unwrap().to_owned();
    let path = format!("/admin/account/tokens/{id}/revoke");
    assert_eq!(post_form(&app, &cookie, &path, &[("csrf", "stale")], Some(&app.address)).await.status(), 403);
    assert_eq!(send(&app, &secret, "GET", "/v1/admin/paywalls", None).await.0, 200, "a stale form revokes nothing");
    assert_eq!(post_form(&app, &cookie, &path, &[("csrf", &csrf)], Some(&app.address)).await.status(), 303);
    assert_eq!(send(&app, &secret, "GET", "/v1/admin/paywalls", None).await.0, 401);
}

#[tokio::test]
async fn one_creator_s_pass_never_opens_and_code_never_prices_another_creator_s_article() {
    let app = TestApp::spawn().await;
    let b = app.add_creator("beta@example.com").await;
    let paywall_of = |title: &'static str| {
        json!({"title": title, "price": {"amount": 300, "currency": "jpy"}, "content_markdown": format!("Paid: {title}"),
            "origins": [SITE]})
    };
    let a_article =
        created(&app, ADMIN_TOKEN, "/v1/admin/paywalls", paywall_of("A's")).await["id"].as_str().unwrap().to_owned();
    let b_article = created(&app, &b, "/v1/admin/paywalls", paywall_of("B's")).await["id"].as_str().unwrap().to_owned();
    // A pass of "every paywall of this plog" (no site) is every paywall of its creator's.
    let b_pass = created(
        &app,
        &b,
        "/v1/admin/passes",
        json!({"title": "All of B", "price": {"amount": 500, "currency": "jpy"}, "scope": "site", "days": 30}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let info = app.paywall_info(&a_article).await.json::<Value>().await.unwrap();
    assert!(!info.to_string().contains(&b_pass), "A's readers are not offered B's pass: {info}");
    let refused = app
        .http
        .post(app.url(&format!("/v1/paywalls/{a_article}/purchases")))
        .header("origin", SITE)
        .json(&json!({"pass_id": b_pass}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422, "B's pass is not sold on A's article");
    let pass_token = bought(&app, &b_article, &json!({"pass_id": b_pass})).await;
    assert_eq!(app.content(&b_article, Some(&pass_token)).await.status(), 200);
    let on_a = app.content(&a_article, Some(&pass_token)).await;
    assert_ne!(on_a.status(), 200, "B's pass never opens A's article");
    assert!(!on_a.text().await.unwrap().contains("Paid: A's"));

    // Codes are each creator's: both may have SPRING; B's never prices A's article, and A's
    // readers are offered the code field only when A has a code.
    created(&app, &b, "/v1/admin/discounts", json!({"code": "SPRING", "percent_off": 50})).await;
    let a_info = app.paywall_info(&a_article).await.json::<Value>().await.unwrap();
    let b_info = app.paywall_info(&b_article).await.json::<Value>().await.unwrap();
    assert_eq!((&a_info["codes"], &b_info["codes"]), (&json!(false), &json!(true)), "{a_info} {b_info}");
    let quote = |paywall: String| {
        let app = &app;
        async move {
            let response = app
                .http
                .post(app.url(&format!("/v1/paywalls/{paywall}/discount")))
                .header("origin", SITE)
                .json(&json!({"code": "spring"}))
                .send()
                .await
                .unwrap();
            (response.status().as_u16(), response.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(quote(b_article.clone()).await.1["amount"], 150);
    let (status, refusal) = quote(a_article.clone()).await;
    assert_eq!((status, refusal["error"]["code"].as_str()), (422, Some("discount_unknown")), "{refusal}");
    created(&app, ADMIN_TOKEN, "/v1/admin/discounts", json!({"code": "SPRING", "percent_off": 10})).await;
    assert_eq!(quote(a_article.clone()).await.1["amount"], 270, "A's own SPRING, beside B's");
    assert_eq!(quote(b_article).await.1["amount"], 150);
}

/// The database as a standalone plog left it before creators existed (migrations up to 0012),
/// holding a paywall, a paid purchase, a pass, a gift link, a code and a dashboard session.
async fn a_standalone_database_before_creators(dir: &std::path::Path, token: &str) -> String {
    let url = fresh_database(dir).await;
    let engine = if on_postgres() { "postgres" } else { "sqlite" };
    let before = dir.join("migrations-before-creators");
    std::fs::create_dir_all(&before).unwrap();
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(engine);
    for entry in std::fs::read_dir(all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0013" {
            std::fs::copy(&path, before.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(before.as_path()).await.unwrap();
    let rows = [
        "insert into paywalls (id, title, price_amount, currency, content_markdown, content_html, created_at, updated_at, origins) \
         values ('pw_0ldStandalonePaywall', 'Written before creators', 300, 'jpy', 'Old paid part', '<p>Old paid part</p>', 1, 1, '')".to_owned(),
        format!(
            "insert into purchases (id, paywall_id, payment_intent_id, token_hash, status, amount, currency, created_at, updated_at, paid_at) \
             values ('pur_0ldStandalonePurchas', 'pw_0ldStandalonePaywall', 'pi_old', '{}', 'paid', 300, 'jpy', 1, 1, 1)",
            plog_api::tokens::token_hash(token)
        ),
        "insert into passes (id, title, price_amount, currency, scope, created_at, updated_at) \
         values ('pass_0ldStandalonePass000', 'Old pass', 900, 'jpy', 'site', 1, 1)".to_owned(),
        "insert into gift_links (id, paywall_id, code_hash, created_at) values ('gift_0ldStandaloneGift000', 'pw_0ldStandalonePaywall', 'h', 1)".to_owned(),
        "insert into discount_codes (id, code, percent_off, created_at) values ('disc_0ldStandaloneCode000', 'OLD10', 10, 1)".to_owned(),
        "insert into admin_sessions (token_hash, csrf_token, created_at, expires_at) values ('s', 'c', 1, 99999999999)".to_owned(),
        "insert into wallet_domains (domain, stripe_id, apple_pay, google_pay, link, problem, checked_at) \
         values ('old-blog.example', 'pmd_0ld', 'inactive', 'active', 'active', null, 1)".to_owned(),
    ];
    if on_postgres() {
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        migrator.run(&pool).await.unwrap();
        for row in rows {
            sqlx::query(sqlx::AssertSqlSafe(row)).execute(&pool).await.unwrap();
        }
        pool.close().await;
    } else {
        let options =
            <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url).unwrap().create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        migrator.run(&pool).await.unwrap();
        for row in rows {
            sqlx::query(sqlx::AssertSqlSafe(row)).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }
    url
}

#[tokio::test]
async fn a_standalone_database_upgrades_with_every_row_its_owner_s_and_nothing_for_a_new_creator() {
    let dir = tempfile::tempdir().unwrap();
    let reader_token = plog_api::tokens::new_access_token();
    let url = a_standalone_database_before_creators(dir.path(), &reader_token).await;
    let app = TestApp::with(Options { extra_args: vec!["--database-url".into(), url], ..Options::default() }).await;

    let owner = |path: &'static str| app.admin_json(path);
    assert_eq!(owner("/v1/admin/paywalls").await["paywalls"][0]["id"], "pw_0ldStandalonePaywall");
    assert_eq!(owner("/v1/admin/purchases").await["purchases"][0]["id"], "pur_0ldStandalonePurchas");
    assert_eq!(owner("/v1/admin/passes").await["passes"][0]["id"], "pass_0ldStandalonePass000");
    assert_eq!(owner("/v1/admin/gifts").await["gifts"][0]["id"], "gift_0ldStandaloneGift000");
    assert_eq!(owner("/v1/admin/discounts").await["discounts"][0]["code"], "OLD10");
    let content = app.content("pw_0ldStandalonePaywall", Some(&reader_token)).await;
    assert_eq!(content.status(), 200, "the reader who paid before the upgrade still reads");
    // A site registered for wallets before is the plog's own account's registration.
    let kept = app.store.wallet_domains_on(None).await.unwrap();
    assert_eq!(
        kept.iter().map(|d| (d.domain.as_str(), d.stripe_id.as_deref())).collect::<Vec<_>>(),
        [("old-blog.example", Some("pmd_0ld"))]
    );
    for table in ["paywalls", "purchases", "passes", "gift_links", "discount_codes", "admin_sessions"] {
        let owners = app.query_texts(&format!("select distinct cast(creator_id as text) from {table}")).await;
        assert_eq!(owners, ["1"], "{table}: every row is the owner's");
    }

    let b = app.add_creator("new@example.com").await;
    for path in
        ["/v1/admin/paywalls", "/v1/admin/purchases", "/v1/admin/passes", "/v1/admin/gifts", "/v1/admin/discounts"]
    {
        let (status, text) = send(&app, &b, "GET", path, None).await;
        assert_eq!(status, 200);
        assert!(
            !text.contains("0ldStandalone") && !text.contains("OLD10"),
            "{path} shows a new creator the owner's: {text}"
        );
    }
    // Codes are unique per creator now: the new creator may have OLD10 too.
    created(&app, &b, "/v1/admin/discounts", json!({"code": "OLD10", "percent_off": 50})).await;
    let again = send(&app, &b, "POST", "/v1/admin/discounts", Some(&json!({"code": "old10", "percent_off": 5}))).await;
    assert_eq!(again.0, 422, "but not twice: {}", again.1);
}
