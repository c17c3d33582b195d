//! A plog for many creators (platform mode), against the gateway's Connect: a creator connects
//! Stripe through the dashboard and the sandbox's onboarding page, and only then sells; each
//! purchase's PaymentIntent lives on its creator's account, with the operator's fee; the Connect
//! endpoint moves a purchase only on news of its own account (events of two creators
//! interleaved, and a forged one crossing over); refunds and reconcile act on the purchase's
//! account; a disconnected or suspended creator stops selling while their readers keep reading.

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

use crate::dashboard::{browser, csrf_of, get, post_form};
use crate::helpers::*;

const CONNECT_SECRET: &str = "whsec_plogconnectintegration";
const SITE: &str = "https://blog.example";

async fn platform_app() -> TestApp {
    platform_app_with(&[]).await
}

async fn platform_app_with(more: &[&str]) -> TestApp {
    let mut extra_args: Vec<String> = vec![
        // The Stripe.js double's routes: the widget's payment on a creator's account.
        "--sandbox".into(),
        "--platform".into(),
        "--platform-fee".into(),
        "5%".into(),
        "--stripe-connect-webhook-secret".into(),
        CONNECT_SECRET.into(),
    ];
    extra_args.extend(mail_args(mail_catcher()));
    extra_args.extend(more.iter().map(|arg| (*arg).to_owned()));
    let mut app = TestApp::with(Options { extra_args, ..Options::default() }).await;
    // The Connect endpoint, as the operator registers it at Stripe ("Events on connected accounts").
    app.relay_connect_events(CONNECT_SECRET).await;
    app
}

/// A creator's dashboard session: the cookie and the CSRF token.
async fn signed_in(app: &TestApp, token: &str) -> (String, String) {
    let response = browser().post(app.url("/admin/sign-in")).form(&[("token", token)]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let (_, _, page) = get(app, &cookie, "/admin/account").await;
    (cookie.clone(), csrf_of(&page))
}

/// "Connect Stripe", the sandbox's onboarding page, and back: the creator's connected account.
async fn connect_stripe(app: &TestApp, token: &str) -> String {
    let (cookie, csrf) = signed_in(app, token).await;
    let (_, _, page) = get(app, &cookie, "/admin/account").await;
    assert!(page.contains("Connect your Stripe account to sell"), "{page}");
    let to_stripe = post_form(app, &cookie, "/admin/account/stripe", &[("csrf", &csrf)], Some(&app.address)).await;
    assert_eq!(to_stripe.status(), 200);
    // A page that goes on to Stripe (the dashboard's CSP refuses a form's redirect elsewhere).
    let page = to_stripe.text().await.unwrap();
    let onboarding = page.split("id=\"to-stripe\" href=\"").nth(1).expect(&page).split('"').next().unwrap().to_owned();
    assert!(page.contains(&format!("0;url={onboarding}")), "{page}");
    assert!(onboarding.starts_with(localstripe()), "{onboarding}");
    let done = browser().post(&onboarding).send().await.unwrap();
    assert_eq!(done.status(), 303);
    let back = done.headers()[LOCATION].to_str().unwrap().to_owned();
    assert_eq!(back, app.url("/admin/account/stripe/return"));
    let returned = browser().get(&back).header(COOKIE, &cookie).send().await.unwrap();
    assert_eq!(returned.status(), 303);
    let (_, _, page) = get(app, &cookie, "/admin/account").await;
    assert!(page.contains("takes card payments"), "{page}");
    let account = page.split("<code>").nth(1).unwrap().split("</code>").next().unwrap().to_owned();
    assert!(account.starts_with("acct_"), "{account}");
    account
}

async fn paywall_of(app: &TestApp, token: &str, title: &str) -> String {
    let response = app
        .http
        .post(app.url("/v1/admin/paywalls"))
        .bearer_auth(token)
        .json(&json!({"title": title, "price": {"amount": 300, "currency": "jpy"},
            "content_markdown": format!("Paid part of {title}"), "origins": [SITE]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

async fn start(app: &TestApp, paywall: &str) -> (u16, Value) {
    let response = app
        .http
        .post(app.url(&format!("/v1/paywalls/{paywall}/purchases")))
        .header("origin", SITE)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

/// Pays on the account Stripe.js was made with, as the widget's Stripe.js does
/// (`Stripe(pk, {stripeAccount})`), through the sandbox's double's own route.
async fn pay_on(app: &TestApp, client_secret: &str, account: Option<&str>) -> Value {
    let response = app
        .http
        .post(app.url("/sandbox/confirm"))
        .json(&json!({"client_secret": client_secret, "stripe_account": account,
            "card": {"number": CARD_OK, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

async fn connect_event(app: &TestApp, event: &Value) -> Value {
    let body = event.to_string();
    let signature = plog_api::stripe::webhook::sign(body.as_bytes(), CONNECT_SECRET, now());
    let response = app
        .http
        .post(app.url("/v1/webhooks/stripe-connect"))
        .header("stripe-signature", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn creators_sell_on_their_own_accounts_with_the_fee_and_one_account_s_news_never_moves_another_s_purchase() {
    let app = platform_app().await;
    let (b, c) = (app.add_creator(&unique_address("beta")).await, app.add_creator(&unique_address("gamma")).await);
    let (b_paywall, c_paywall) = (paywall_of(&app, &b, "Beta's").await, paywall_of(&app, &c, "Gamma's").await);

    // Not connected: not for sale, and the public info names no account.
    let (status, refused) = start(&app, &b_paywall).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (409, Some("not_for_sale")), "{refused}");
    let info = app.paywall_info(&b_paywall).await.json::<Value>().await.unwrap();
    assert!(info["stripe"].get("account").is_none(), "{info}");
    assert_eq!(app.query_texts("select id from purchases").await.len(), 0, "nothing was started");

    let (b_account, c_account) = (connect_stripe(&app, &b).await, connect_stripe(&app, &c).await);
    // Back from Stripe's site, a browser does not send the SameSite=Strict cookie: the first
    // landing comes back from plog's own page (which sends it); a second one without a session
    // is sent to sign in.
    let bounce = browser().get(app.url("/admin/account/stripe/return")).send().await.unwrap();
    assert_eq!(bounce.status(), 200);
    assert!(bounce.text().await.unwrap().contains("url=/admin/account/stripe/return?again=true"));
    let again = browser().get(app.url("/admin/account/stripe/return?again=true")).send().await.unwrap();
    assert_eq!((again.status().as_u16(), again.headers()[LOCATION].to_str().unwrap()), (303, "/admin/sign-in"));
    assert_ne!(b_account, c_account);
    let info = app.paywall_info(&b_paywall).await.json::<Value>().await.unwrap();
    assert_eq!(info["stripe"]["account"], b_account.as_str(), "Stripe.js is loaded with the creator's account");

    // Two readers, one on each creator's paywall; the payments interleave.
    let (status, on_b) = start(&app, &b_paywall).await;
    assert_eq!(status, 201, "{on_b}");
    let (_, on_c) = start(&app, &c_paywall).await;
    let (b_secret, c_secret) = (on_b["client_secret"].as_str().unwrap(), on_c["client_secret"].as_str().unwrap());
    let (b_intent, c_intent) = (intent_id(b_secret), intent_id(c_secret));
    // The intent lives on its creator's account: Stripe.js made with another account (or the
    // platform's own) finds no such intent.
    for wrong in [None, Some(c_account.as_str())] {
        let answer = pay_on(&app, b_secret, wrong).await;
        assert_eq!(answer["error"]["code"], "not_found", "{wrong:?}: {answer}");
    }
    assert_eq!(pay_on(&app, c_secret, Some(&c_account)).await["paymentIntent"]["status"], "succeeded");
    assert_eq!(pay_on(&app, b_secret, Some(&b_account)).await["paymentIntent"]["status"], "succeeded");
    assert_eq!(app.wait_for_status(&b_intent, "paid").await.stripe_account.as_deref(), Some(b_account.as_str()));
    assert_eq!(app.wait_for_status(&c_intent, "paid").await.stripe_account.as_deref(), Some(c_account.as_str()));
    let fees = app.query_texts("select cast(application_fee as text) from purchases order by created_at").await;
    assert_eq!(fees, ["15", "15"], "5 % of ¥300, each on its creator's account");
    let on_stripe =
        stripe_client().on_account(&plog_api::stripe::connect::ConnectedAccountId::parse(&b_account).unwrap());
    assert_eq!(on_stripe.payment_intent(&b_intent).await.unwrap().status, "succeeded");
    assert_eq!(app.content(&b_paywall, on_b["access_token"].as_str()).await.status(), 200);

    // A forged (or misrouted) event of C's account about B's intent moves nothing.
    let mut crossing = intent_event(&event_id(), "payment_intent.canceled", &b_intent, 300, "jpy");
    crossing["account"] = json!(c_account);
    assert_eq!(connect_event(&app, &crossing).await["outcome"], "unknown_payment_intent");
    let mut refund = refund_event(&event_id(), &b_intent, 300);
    refund["account"] = json!(c_account);
    assert_eq!(connect_event(&app, &refund).await["outcome"], "unknown_payment_intent");
    // Nor does one without an account at the Connect endpoint, nor one of B's at the platform's.
    assert_eq!(connect_event(&app, &refund_event(&event_id(), &b_intent, 300)).await["outcome"], "ignored");
    let mut at_platform = refund_event(&event_id(), &b_intent, 300);
    at_platform["account"] = json!(b_account);
    assert_eq!(app.send_event(&at_platform).await.json::<Value>().await.unwrap()["outcome"], "unknown_payment_intent");
    assert_eq!(app.purchase(&b_intent).await.status.as_str(), "paid");
    assert_eq!(app.content(&b_paywall, on_b["access_token"].as_str()).await.status(), 200);

    // A dispute (Stripe's own fixture of the pinned version) moves B's purchase only as news of
    // B's account: the same dispute reported for C's account moves nothing.
    let dispute = |account: &str| {
        let path = format!("{}/tests/fixtures/stripe/charge.dispute.created.json", env!("CARGO_MANIFEST_DIR"));
        let text =
            std::fs::read_to_string(path).unwrap().replace("pi_FIXTURE", &b_intent).replace("evt_FIXTURE", &event_id());
        let mut event: Value = serde_json::from_str(&text).unwrap();
        event["account"] = json!(account);
        event
    };
    assert_eq!(connect_event(&app, &dispute(&c_account)).await["outcome"], "unknown_payment_intent");
    assert_eq!(app.purchase(&b_intent).await.status.as_str(), "paid");
    connect_event(&app, &dispute(&b_account)).await;
    assert_eq!(app.purchase(&b_intent).await.status.as_str(), "disputed");
    assert_ne!(app.content(&b_paywall, on_b["access_token"].as_str()).await.status(), 200);
    assert_eq!(app.purchase(&c_intent).await.status.as_str(), "paid", "C's sale is untouched");

    // Each creator sees their own sale, never the other's; the operator sees both, with the fees.
    let sales = |token: String| {
        let app = &app;
        async move {
            let response = app.http.get(app.url("/v1/admin/purchases")).bearer_auth(token).send().await.unwrap();
            response.json::<Value>().await.unwrap()["purchases"].as_array().unwrap().len()
        }
    };
    assert_eq!((sales(b.clone()).await, sales(c.clone()).await), (1, 1));
    let listed = app.plog(&["creator", "list"]).await;
    assert!(listed.contains(&b_account) && listed.contains(&c_account), "{listed}");
    let (operator, _) = signed_in(&app, ADMIN_TOKEN).await;
    let (status, _, view) = get(&app, &operator, "/admin/creators").await;
    assert_eq!(status, 200);
    assert!(view.contains(&b_account) && view.contains(&c_account) && view.contains("15 JPY"), "{view}");
    let (b_session, _) = signed_in(&app, &b).await;
    assert_eq!(get(&app, &b_session, "/admin/creators").await.0, 404, "the operator's view is the operator's");
    // The plog's metrics are the operator's, and carry no creator in their labels.
    let metrics = |token: String| {
        let app = &app;
        async move { app.http.get(app.url("/metrics")).bearer_auth(token).send().await.unwrap() }
    };
    assert_eq!(metrics(b.clone()).await.status(), 401, "a creator's token reads no plog-wide figures");
    let exposition = metrics(ADMIN_TOKEN.to_owned()).await.text().await.unwrap();
    assert!(exposition.contains("plog_purchases_total"), "{exposition}");
    for creator_mark in ["creator=", "acct_", "beta", "gamma"] {
        let found: Vec<&str> = exposition.lines().filter(|l| l.contains(creator_mark)).collect();
        assert!(found.is_empty(), "{creator_mark} in the metrics: {found:?}");
    }

    // Reconcile settles a purchase whose event was lost, on its own account.
    app.execute_sql(&format!(
        "update purchases set status = 'pending', paid_at = null where payment_intent_id = '{c_intent}'"
    ))
    .await;
    let changes = plog_api::payments::reconcile::reconcile(
        &app.store,
        &stripe_client(),
        &plog_api::payments::tally::Tally::unread(),
        now() - 3600,
        now(),
    )
    .await
    .unwrap();
    assert!(changes.iter().any(|c| c.payment_intent_id == c_intent), "{changes:?}");
    assert_eq!(app.purchase(&c_intent).await.status.as_str(), "paid");
}

#[tokio::test]
async fn a_refund_acts_on_the_creator_s_account_and_a_disconnected_or_suspended_creator_stops_selling_while_readers_read()
 {
    let app = platform_app().await;
    let email = unique_address("delta");
    let d = app.add_creator(&email).await;
    let paywall = paywall_of(&app, &d, "Delta's").await;
    let account = connect_stripe(&app, &d).await;
    let buy = || async {
        let (status, started) = start(&app, &paywall).await;
        assert_eq!(status, 201, "{started}");
        let secret = started["client_secret"].as_str().unwrap().to_owned();
        assert_eq!(pay_on(&app, &secret, Some(&account)).await["paymentIntent"]["status"], "succeeded");
        let intent = intent_id(&secret);
        app.wait_for_status(&intent, "paid").await;
        (intent, started["access_token"].as_str().unwrap().to_owned())
    };
    let (refunded_intent, _) = buy().await;
    let (kept_intent, kept_token) = buy().await;

    // The creator refunds from their dashboard: Stripe refunds on their account, and the event
    // of their account moves the purchase.
    let (cookie, csrf) = signed_in(&app, &d).await;
    let purchase = app.purchase(&refunded_intent).await.id.to_string();
    let refunded = post_form(
        &app,
        &cookie,
        &format!("/admin/purchases/{purchase}/refund"),
        &[("csrf", &csrf), ("amount", "300")],
        Some(&app.address),
    )
    .await;
    assert_eq!(refunded.status(), 200, "{}", refunded.text().await.unwrap());
    app.wait_for_status(&refunded_intent, "refunded").await;

    // Suspended by the operator: not for sale; the reader who paid reads on.
    app.plog(&["creator", "suspend", &email]).await;
    assert_eq!(start(&app, &paywall).await.0, 409);
    assert_eq!(app.content(&paywall, Some(&kept_token)).await.status(), 200);
    // The operator reinstates them from the operator's view.
    let (operator, operator_csrf) = signed_in(&app, ADMIN_TOKEN).await;
    let id = app.store.creator_by_email(&email).await.unwrap().unwrap().id;
    let path = format!("/admin/creators/{id}/reinstate");
    assert_eq!(post_form(&app, &operator, &path, &[("csrf", &operator_csrf)], Some(&app.address)).await.status(), 303);
    assert_eq!(start(&app, &paywall).await.0, 201);

    // Stripe's account restricted (account.updated) and then deauthorised: not for sale.
    let lever = |what: &'static str| {
        let app = &app;
        let url = format!("{}/_gateway/connect/accounts/{account}/{what}", localstripe());
        async move { assert!(app.http.post(url).send().await.unwrap().status().is_success()) }
    };
    // Events may come late or out of order: an account.updated is checked against the account as
    // Stripe has it now. A stale "restricted" does not stop an account Stripe lets sell; an
    // account no creator has is acknowledged.
    let late = |account: &str, takes: bool| {
        let status = if takes { "active" } else { "inactive" };
        json!({"id": event_id(), "object": "event", "type": "account.updated", "account": account,
            "data": {"object": {"id": account, "object": "account", "charges_enabled": takes,
                "capabilities": {"card_payments": status}}}})
    };
    assert_eq!(connect_event(&app, &late(&account, false)).await["received"], true);
    assert_eq!(start(&app, &paywall).await.0, 201, "a stale 'restricted' believed");
    assert_eq!(connect_event(&app, &late("acct_nobodyhasthis", true)).await["received"], true);
    lever("restrict").await;
    let (_, _, page) = get(&app, &cookie, "/admin/account").await;
    assert!(page.contains("finish Stripe"), "account.updated recorded: {page}");
    assert_eq!(start(&app, &paywall).await.0, 409);
    connect_event(&app, &late(&account, true)).await;
    assert_eq!(start(&app, &paywall).await.0, 409, "a stale 'active' does not reopen a restricted account");
    lever("deauthorize").await;
    let (_, _, page) = get(&app, &cookie, "/admin/account").await;
    assert!(page.contains("was disconnected"), "{page}");
    assert_eq!(start(&app, &paywall).await.0, 409);
    assert_eq!(app.content(&paywall, Some(&kept_token)).await.status(), 200, "readers keep reading");
    assert_eq!(app.purchase(&kept_intent).await.status.as_str(), "paid");
}

/// Limits and fairness: one creator's flood of changes, or of card-testing-like purchase starts
/// spread over many of their paywalls, spends that creator's own rates; another creator changes
/// and sells as before, and the operator is never limited.
#[tokio::test]
async fn one_creator_s_flood_spends_their_own_rates_and_never_another_creator_s() {
    let app = platform_app_with(&[
        "--rate-writes-per-creator",
        "6/min",
        "--rate-per-creator",
        "4/min",
        "--trusted-proxies",
        "127.0.0.1",
    ])
    .await;
    let (a, b) = (app.add_creator(&unique_address("flood")).await, app.add_creator(&unique_address("calm")).await);
    connect_stripe(&app, &a).await; // one change: the account is made
    connect_stripe(&app, &b).await;
    let mut shelf = Vec::new();
    for i in 0..5 {
        shelf.push(paywall_of(&app, &a, &format!("A{i}")).await);
    }
    // A's sixth change through the API is refused, in the error shape, with when to try again,
    // and makes nothing; so is the next one through the dashboard (one rate for both).
    let refused = app
        .http
        .post(app.url("/v1/admin/paywalls"))
        .bearer_auth(&a)
        .json(&json!({"title": "One too many", "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=10).contains(&wait), "one change comes back every 10 s: {wait}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["message"].as_str().unwrap().contains("too many changes"), "{body}");
    let listed = app.http.get(app.url("/v1/admin/paywalls")).bearer_auth(&a).send().await.unwrap();
    assert_eq!(listed.json::<Value>().await.unwrap()["paywalls"].as_array().unwrap().len(), 5, "nothing made");
    let (cookie, csrf) = signed_in(&app, &a).await;
    let dashboard =
        post_form(&app, &cookie, "/admin/account/tokens", &[("csrf", &csrf), ("label", "cli")], Some(&app.address))
            .await;
    assert_eq!(dashboard.status(), 429);
    assert!(dashboard.headers().contains_key("retry-after"));
    assert!(dashboard.text().await.unwrap().contains("too many changes from this account"));
    // Reads are not counted, B's changes are B's, and the operator's are never counted.
    assert_eq!(app.http.get(app.url("/v1/admin/paywalls")).bearer_auth(&a).send().await.unwrap().status(), 200);
    let calm = paywall_of(&app, &b, "B's").await;
    for i in 0..8 {
        let made = app
            .create_paywall_raw(&json!({"title": format!("Operator {i}"),
            "price": {"amount": 300, "currency": "jpy"}, "content_markdown": "x"}))
            .await;
        assert_eq!(made.status(), 201);
    }

    // Purchases: clients that start again and again without paying, spread over A's five
    // paywalls (each far within its own paywall's rate), spend A's rate of four.
    let start_from = |paywall: String, client: String| {
        let app = &app;
        async move {
            let response = app
                .http
                .post(app.url(&format!("/v1/paywalls/{paywall}/purchases")))
                .header("origin", SITE)
                .header("x-forwarded-for", client)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        }
    };
    let mut statuses = Vec::new();
    for client in 0..4 {
        for paywall in &shelf[..3] {
            statuses.push(start_from(paywall.clone(), format!("203.0.113.{client}")).await.0);
        }
    }
    // Two free starts per client, then one weighed each: four clients, four weighed starts.
    assert_eq!(statuses, [201, 201, 201].repeat(4), "within A's rate");
    let (status, body) = start_from(shelf[4].clone(), "203.0.113.0".into()).await;
    assert_eq!(status, 429, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("on this creator's paywalls"), "{body}");
    // A reader's first starts are never weighed, on A's paywalls too.
    assert_eq!(start_from(shelf[4].clone(), "198.51.100.1".into()).await.0, 201);
    // The same over-eager client on B's paywall spends B's rates, which are whole.
    assert_eq!(start_from(calm.clone(), "203.0.113.0".into()).await.0, 201, "B still sells");
}

/// The registrations of `domain` for wallets on `account` (`None`: the platform's own), as the
/// Stripe stand-in lists them.
async fn registrations_at_stripe(domain: &str, account: Option<&str>) -> Vec<Value> {
    let mut request = reqwest::Client::new()
        .get(format!("{}/v1/payment_method_domains", localstripe()))
        .query(&[("domain_name", domain)])
        .bearer_auth(SECRET_KEY);
    if let Some(account) = account {
        request = request.header("stripe-account", account);
    }
    let list: Value = request.send().await.unwrap().json().await.unwrap();
    list["data"].as_array().unwrap().clone()
}

/// The wallet domains `token`'s creator is shown, once `domain` is among them.
async fn shown_domain(app: &TestApp, token: &str, domain: &str) -> Value {
    for _ in 0..100 {
        let (_, text) = crate::creators::send(app, token, "GET", "/v1/admin/wallet-domains", None).await;
        let list: Value = serde_json::from_str(&text).unwrap();
        if let Some(found) = list["domains"].as_array().unwrap().iter().find(|d| d["domain"] == domain) {
            return found.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{domain} was never shown");
}

/// Wallets on creators' sites: for a direct charge Stripe shows Apple Pay, Google Pay and Link
/// only on domains registered on the account the payment is made on, so a creator's sites are
/// registered on their connected account — once it takes payments — never on the platform's;
/// two creators on one site have a registration each, and each sees only their own.
#[tokio::test]
async fn a_creator_s_sites_are_registered_for_wallets_on_their_own_account() {
    let app = platform_app().await;
    let domain = format!("blog-{}.example", event_id().trim_start_matches("evt_").to_lowercase());
    let site = format!("https://{domain}");
    let (a, b) =
        (app.add_creator(&unique_address("wallet-a")).await, app.add_creator(&unique_address("wallet-b")).await);
    let make = |token: String| {
        let (app, site) = (&app, site.clone());
        async move {
            let response = app
                .http
                .post(app.url("/v1/admin/paywalls"))
                .bearer_auth(&token)
                .json(&json!({"title": "On my blog", "price": {"amount": 300, "currency": "jpy"},
                    "content_markdown": "paid", "origins": [site]}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
            response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
        }
    };
    let paywall = make(a.clone()).await;
    // Not connected yet: nothing is registered anywhere, and the creator is shown nothing.
    let sweep = || plog_api::wallets::register_listed(&app.store, &app.state.stripe, &app.state.config.platform, now());
    sweep().await.unwrap();
    assert!(registrations_at_stripe(&domain, None).await.is_empty(), "never on the platform's account");
    let (_, list) = crate::creators::send(&app, &a, "GET", "/v1/admin/wallet-domains", None).await;
    assert_eq!(serde_json::from_str::<Value>(&list).unwrap()["domains"], json!([]));

    // Back from Stripe's onboarding, the site is registered on the creator's account.
    let account_a = connect_stripe(&app, &a).await;
    let shown = shown_domain(&app, &a, &domain).await;
    let at_stripe = registrations_at_stripe(&domain, Some(&account_a)).await;
    assert_eq!(at_stripe.len(), 1, "{at_stripe:?}");
    assert_eq!(shown["stripe_id"], at_stripe[0]["id"]);
    assert_eq!(shown["google_pay"], "active");
    assert!(registrations_at_stripe(&domain, None).await.is_empty(), "still never on the platform's");
    let (cookie, _) = signed_in(&app, &a).await;
    let (_, _, page) = get(&app, &cookie, &format!("/admin/paywalls/{paywall}")).await;
    assert!(page.contains("Google Pay active"), "{page}");

    // B lists the same site: B's own registration, on B's account; each is shown their own.
    make(b.clone()).await;
    let account_b = connect_stripe(&app, &b).await;
    let shown_b = shown_domain(&app, &b, &domain).await;
    let at_b = registrations_at_stripe(&domain, Some(&account_b)).await;
    assert_eq!(at_b.len(), 1);
    assert_eq!(shown_b["stripe_id"], at_b[0]["id"]);
    assert_ne!(shown_b["stripe_id"], shown["stripe_id"], "one registration per account");
    assert_eq!(shown_domain(&app, &a, &domain).await["stripe_id"], shown["stripe_id"], "A's is unchanged");
    // The operator, who sells on the platform's account and lists no such site, is shown none.
    assert!(!app.admin_json("/v1/admin/wallet-domains").await.to_string().contains(&domain));
    // A second sweep asks nothing again.
    assert_eq!(sweep().await.unwrap(), 0);
}

/// Asks for a sign-in code for `email`: the page's status and the code's form action.
async fn ask_code(app: &TestApp, email: &str) -> (u16, String) {
    let response = browser().post(app.url("/admin/sign-in/code")).form(&[("email", email)]).send().await.unwrap();
    let status = response.status().as_u16();
    let page = response.text().await.unwrap();
    let action = page.split("action=\"").nth(1).unwrap_or_default().split('"').next().unwrap().to_owned();
    (status, action)
}

async fn type_code(app: &TestApp, action: &str, code: &str) -> reqwest::Response {
    browser().post(app.url(action)).form(&[("code", code)]).send().await.unwrap()
}

/// The code of the `n`-th mail to `email` (from its subject: "123456 is your code for …").
async fn mailed_code(email: &str, n: usize) -> String {
    let mails = wait_for_mails(mail_catcher(), email, n).await;
    let subject = mails[n - 1]["headers"]["subject"].as_str().unwrap().to_owned();
    let code = subject.split(' ').next().unwrap().to_owned();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{subject}");
    assert!(mails[n - 1]["text"].as_str().unwrap().contains(&code));
    code
}

#[tokio::test]
async fn a_creator_signs_up_and_in_with_a_mailed_code_used_once_within_its_time_and_tries() {
    let app = platform_app().await;
    let email = unique_address("newcomer");
    let (status, action) = ask_code(&app, &email).await;
    assert_eq!(status, 200);
    assert!(action.starts_with("/admin/sign-in/code/sgn_"), "{action}");
    let code = mailed_code(&email, 1).await;
    assert!(app.store.creator_by_email(&email).await.unwrap().is_none(), "nobody is made before the code is typed");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = type_code(&app, &action, wrong).await;
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("4 tries left"));
    let signed_up = type_code(&app, &action, &code).await;
    assert_eq!(signed_up.status(), 303);
    let cookie = signed_up.headers()[SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
    let (status, _, page) = get(&app, &cookie, "/admin/account").await;
    assert_eq!(status, 200);
    assert!(page.contains(&email) && page.contains("Connect your Stripe account"), "{page}");
    let creator = app.store.creator_by_email(&email).await.unwrap().expect("signed up");
    assert!(app.query_texts("select code_hash from creator_codes").await.iter().all(|h| !h.contains(&code)));
    // Used once: the same code opens nothing again.
    assert_eq!(type_code(&app, &action, &code).await.status(), 410);

    // Signing in again: the same creator; a code past its ten minutes, or past five wrong
    // tries, opens nothing.
    let (_, action) = ask_code(&app, &email).await;
    let code = mailed_code(&email, 2).await;
    app.clock.advance(10 * 60 + 1);
    assert_eq!(type_code(&app, &action, &code).await.status(), 410, "expired");
    let (_, action) = ask_code(&app, &email).await;
    let code = mailed_code(&email, 3).await;
    for _ in 0..5 {
        assert_eq!(type_code(&app, &action, wrong).await.status().as_u16() / 100, 4);
    }
    assert_eq!(type_code(&app, &action, &code).await.status(), 410, "no tries left");
    let (_, action) = ask_code(&app, &email).await;
    let code = mailed_code(&email, 4).await;
    let again = type_code(&app, &action, &code).await;
    assert_eq!(again.status(), 303);
    assert_eq!(app.store.creator_by_email(&email).await.unwrap().unwrap().id, creator.id);
    // A code asked for one address is no code for another request.
    let (_, other_action) = ask_code(&app, &unique_address("other")).await;
    assert_eq!(type_code(&app, &other_action, &code).await.status(), 401);
}

#[tokio::test]
async fn with_invitations_required_only_an_invited_address_gets_a_code_and_nobody_learns_who_is_invited() {
    let mut extra_args: Vec<String> = vec![
        "--platform".into(),
        "--platform-invite-only".into(),
        "--stripe-connect-webhook-secret".into(),
        CONNECT_SECRET.into(),
    ];
    extra_args.extend(mail_args(mail_catcher()));
    let app = TestApp::with(Options { extra_args, ..Options::default() }).await;
    let (stranger, invited) = (unique_address("stranger"), unique_address("invited"));
    app.plog(&["creator", "add", &invited]).await;
    let (status, stranger_action) = ask_code(&app, &stranger).await;
    let (status_invited, _) = ask_code(&app, &invited).await;
    assert_eq!((status, status_invited), (200, 200), "the same answer");
    let code = mailed_code(&invited, 1).await;
    assert!(mails_to(mail_catcher(), &stranger).await.is_empty(), "no mail to an address not invited");
    assert_eq!(type_code(&app, &stranger_action, &code).await.status(), 410);
    assert!(app.store.creator_by_email(&stranger).await.unwrap().is_none());
}
