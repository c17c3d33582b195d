//! Receipts by mail and restoring access, against a real SMTP server (aiosmtpd, started by the
//! tests) and a real localstripe: one receipt per paid purchase whatever the deliveries, the
//! address forgotten once sent, and restore codes that open only what they should.

use serde_json::{Value, json};

use crate::helpers::*;

const MARKER: &str = "PAID-RECEIPT-MARKER-91c2";
const PAGE: &str = "https://blog.example/ramen";

fn paid_markdown() -> String {
    format!("# The rest\n\nThe secret is {MARKER}.")
}
const SITE: &str = "https://blog.example";

async fn mail_app() -> TestApp {
    TestApp::with(Options { extra_args: mail_args(mail_catcher()), ..Options::default() }).await
}

/// Starts a purchase asking for a receipt to `email`; returns what the API answered.
async fn purchase_with_receipt(
    app: &TestApp,
    paywall: &str,
    email: &str,
    language: &str,
) -> plog_shared::api::PurchaseCreated {
    // From the blog's page, as the widget asks (a paywall that lists its site requires it).
    purchase_from(app, paywall, SITE, PAGE, email, language).await
}

/// Starts a purchase asking for a receipt, as a page at `origin` does (`page`: the page named).
async fn purchase_from(
    app: &TestApp,
    paywall: &str,
    origin: &str,
    page: &str,
    email: &str,
    language: &str,
) -> plog_shared::api::PurchaseCreated {
    let body = json!({ "email": email, "page": page, "language": language });
    let response = app
        .http
        .post(app.url(&format!("/v1/paywalls/{paywall}/purchases")))
        .header("origin", origin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    response.json().await.unwrap()
}

/// A paid purchase of a new ¥300 paywall whose receipt went to `email`.
async fn paid_with_receipt(app: &TestApp, email: &str) -> (String, plog_shared::api::PurchaseCreated) {
    let paywall = app.create_paywall(300, "jpy", &paid_markdown()).await;
    let purchase = purchase_with_receipt(app, &paywall, email, "en").await;
    pay_with_card(&purchase.client_secret, CARD_OK).await;
    app.wait_for_status(&intent_id(&purchase.client_secret), "paid").await;
    wait_for_mails(mail_catcher(), email, 1).await;
    (paywall, purchase)
}

async fn restore_request(app: &TestApp, email: &str) -> reqwest::Response {
    app.http
        .post(app.url("/v1/restore"))
        .header("origin", SITE)
        .json(&json!({ "email": email, "page": format!("{PAGE}?from=mail#old"), "language": "en" }))
        .send()
        .await
        .unwrap()
}

async fn redeem(app: &TestApp, restore_id: &str, code: &str) -> reqwest::Response {
    app.http.post(app.url(&format!("/v1/restore/{restore_id}"))).json(&json!({ "code": code })).send().await.unwrap()
}

/// The six-digit code of a restore mail (its own line, link or not).
fn code_of(mail: &Value) -> String {
    let text = mail["text"].as_str().unwrap();
    let code = text.lines().map(str::trim).find(|l| l.len() == 6 && l.bytes().all(|b| b.is_ascii_digit()));
    code.expect("the mail carries the code").to_owned()
}

/// A paywall of the paid Markdown at this price (¥) that sells on `origins` only.
async fn paywall_on(app: &TestApp, title: &str, amount: i64, origins: &[&str]) -> String {
    let created = app
        .create_paywall_raw(&json!({ "title": title, "price": { "amount": amount, "currency": "jpy" },
            "content_markdown": paid_markdown(), "origins": origins }))
        .await;
    assert_eq!(created.status(), 201);
    created.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_paid_purchase_mails_one_receipt_in_the_readers_language_and_then_forgets_the_address() {
    let app = mail_app().await;
    let catcher = mail_catcher();
    let paywall = paywall_on(&app, "Ramen", 1200, &[SITE]).await;
    let email = unique_address("ja");
    let purchase = purchase_with_receipt(&app, &paywall, &format!("  {}  ", email.to_uppercase()), "ja").await;
    let intent = intent_id(&purchase.client_secret);
    assert_eq!(app.store.outbox_recipients().await.unwrap(), vec![Some(email.clone())], "kept until sent");
    assert!(mails_to(catcher, &email).await.is_empty(), "nothing is mailed before the payment");

    let (status, _) = pay_with_card(&purchase.client_secret, CARD_OK).await;
    assert_eq!(status, 200);
    app.wait_for_status(&intent, "paid").await;
    let started = std::time::Instant::now();
    let mail = wait_for_mails(catcher, &email, 1).await.remove(0);
    eprintln!("receipt arrived {} ms after the purchase was paid", started.elapsed().as_millis());

    let headers = &mail["headers"];
    assert_eq!(headers["from"], "Ramen Notes <receipts@plog.test>");
    assert_eq!(headers["to"], email.as_str());
    assert_eq!(headers["content-language"], "ja");
    assert_eq!(mail["content_type"], "multipart/alternative");
    assert!(headers["subject"].as_str().unwrap().contains("領収書"), "{headers}");
    assert!(headers["message-id"].as_str().unwrap().ends_with("@plog>"), "{headers}");
    for part in ["text", "html"] {
        let body = mail[part].as_str().unwrap();
        assert!(body.contains("¥1,200"), "{part}: {body}");
        assert!(body.contains(PAGE), "{part}: the article, on a site the creator listed: {body}");
        assert!(body.contains("アクセスを復元"), "{part}: how to restore: {body}");
    }
    // Sent: no address is left in the database, in the outbox or anywhere else readable.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while app.store.outbox_recipients().await.unwrap().iter().any(Option::is_some) {
        assert!(std::time::Instant::now() < deadline, "the address stayed after sending");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let listed = app.admin_json("/v1/admin/purchases").await;
    assert_eq!(listed["purchases"][0]["receipt"], "sent");
    let paid_at = listed["purchases"][0]["paid_at"].as_i64().unwrap();
    let minute =
        humantime::format_rfc3339_seconds(std::time::UNIX_EPOCH + std::time::Duration::from_secs(paid_at as u64))
            .to_string()[..16]
            .replace('T', " ");
    assert!(
        mail["text"].as_str().unwrap().contains(&format!("日時: {minute} UTC\r\n")),
        "the date, to the minute: {}",
        mail["text"]
    );
    assert!(!listed.to_string().contains(&email), "the admin API never shows the address");
    // Further deliveries of the success change nothing.
    let again = intent_event(&event_id(), "payment_intent.succeeded", &intent, 1200, "jpy");
    assert_eq!(app.send_event(&again).await.status(), 200);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(mails_to(catcher, &email).await.len(), 1);
}

#[tokio::test]
async fn duplicate_and_concurrent_webhooks_queue_exactly_one_receipt() {
    let app =
        TestApp::with(Options { webhooks: false, extra_args: mail_args(mail_catcher()), ..Options::default() }).await;
    let paywall = app.create_paywall(500, "jpy", &paid_markdown()).await;
    let email = unique_address("storm");
    let purchase = purchase_with_receipt(&app, &paywall, &email, "en").await;
    let intent = intent_id(&purchase.client_secret);
    // Ten different events and each delivered three times, all at once.
    let events: Vec<Value> =
        (0..10).map(|_| intent_event(&event_id(), "payment_intent.succeeded", &intent, 500, "jpy")).collect();
    let mut deliveries = tokio::task::JoinSet::new();
    for delivery in 0..30 {
        let event = events[delivery % events.len()].clone();
        let (http, url, secret) = (app.http.clone(), app.url("/v1/webhooks/stripe"), app.webhook_secret.clone());
        deliveries.spawn(async move {
            let body = event.to_string();
            let signature = plog_api::stripe::webhook::sign(body.as_bytes(), &secret, now());
            http.post(url).header("stripe-signature", signature).body(body).send().await.unwrap().status()
        });
    }
    for status in deliveries.join_all().await {
        assert_eq!(status, 200);
    }
    let mails = wait_for_mails(mail_catcher(), &email, 1).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(mails_to(mail_catcher(), &email).await.len(), 1, "one receipt: {mails:?}");
    assert_eq!(mails[0]["headers"]["subject"], "Your receipt: A paid article");
}

#[tokio::test]
async fn without_smtp_nothing_is_offered_and_an_address_is_refused_with_a_clear_error() {
    let app = TestApp::spawn().await;
    let paywall = app.create_paywall(300, "jpy", &paid_markdown()).await;
    let info: Value = app.paywall_info(&paywall).await.json().await.unwrap();
    assert_eq!(info["receipts"], false);
    let body = json!({ "email": "reader@example.com" }).to_string();
    let refused = app.start_purchase_raw(&paywall, Some(&body)).await;
    assert_eq!(refused.status(), 422);
    assert!(refused.text().await.unwrap().contains("invalid_email"));
    let restore = restore_request(&app, "reader@example.com").await;
    assert_eq!(restore.status(), 404);
    assert!(restore.text().await.unwrap().contains("mail_disabled"));
    let with_mail = mail_app().await;
    let paywall = with_mail.create_paywall(300, "jpy", &paid_markdown()).await;
    let info: Value = with_mail.paywall_info(&paywall).await.json().await.unwrap();
    assert_eq!(info["receipts"], true);
    for bad in ["reader", "reader@example", "a b@example.com"] {
        let body = json!({ "email": bad }).to_string();
        let response = with_mail.start_purchase_raw(&paywall, Some(&body)).await;
        assert_eq!(response.status(), 422, "{bad}");
    }
    assert_eq!(with_mail.store.outbox_recipients().await.unwrap(), Vec::<Option<String>>::new(), "nothing stored");
}

#[tokio::test]
async fn an_address_the_server_refuses_is_recorded_as_failed_and_forgotten() {
    let app = mail_app().await;
    let catcher = mail_catcher();
    let email = unique_address("refused");
    reqwest::Client::new().post(format!("{}/_refuse?address={email}", catcher.http)).send().await.unwrap();
    let paywall = app.create_paywall(300, "jpy", &paid_markdown()).await;
    let purchase = purchase_with_receipt(&app, &paywall, &email, "en").await;
    pay_with_card(&purchase.client_secret, CARD_OK).await;
    app.wait_for_status(&intent_id(&purchase.client_secret), "paid").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let listed = app.admin_json("/v1/admin/purchases").await;
        if listed["purchases"][0]["receipt"] == "failed" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "receipt state: {}", listed["purchases"][0]["receipt"]);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(app.store.outbox_recipients().await.unwrap(), vec![None], "the refused address is not kept");
    assert!(mails_to(catcher, &email).await.is_empty());
}

#[tokio::test]
async fn a_restore_code_gives_fresh_tokens_for_this_sites_paywalls_and_changes_no_purchase() {
    let app = mail_app().await;
    let catcher = mail_catcher();
    let email = unique_address("restore");
    let anywhere = app.create_paywall(300, "jpy", &paid_markdown()).await;
    let elsewhere = paywall_on(&app, "Elsewhere", 300, &["https://other.example"]).await;
    let mut bought = Vec::new();
    for (paywall, origin) in [(&anywhere, SITE), (&elsewhere, "https://other.example")] {
        let body = json!({ "email": email, "language": "en" }).to_string();
        let response = app
            .http
            .post(app.url(&format!("/v1/paywalls/{paywall}/purchases")))
            .header("origin", origin)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let created: plog_shared::api::PurchaseCreated = response.json().await.unwrap();
        pay_with_card(&created.client_secret, CARD_OK).await;
        app.wait_for_status(&intent_id(&created.client_secret), "paid").await;
        bought.push(created);
    }
    wait_for_mails(catcher, &email, 2).await;
    let before = app.admin_json("/v1/admin/purchases").await;

    let started = restore_request(&app, &format!(" {} ", email.to_uppercase())).await;
    assert_eq!(started.status(), 202);
    let started: Value = started.json().await.unwrap();
    let restore_id = started["restore_id"].as_str().unwrap().to_owned();
    assert_eq!(started["expires_in"], 900);
    let mail = wait_for_mails(catcher, &email, 3).await.remove(2);
    assert!(mail["headers"]["subject"].as_str().unwrap().starts_with("Your code to restore access"), "{mail}");
    let code = code_of(&mail);
    assert!(
        !mail["text"].as_str().unwrap().contains("plog-restore") && !mail["html"].as_str().unwrap().contains("href"),
        "a paywall that sells anywhere listed no site: the code alone, no link: {}",
        mail["text"]
    );

    let redeemed = redeem(&app, &restore_id, &code).await;
    assert_eq!(redeemed.status(), 200);
    let redeemed: Value = redeemed.json().await.unwrap();
    let tokens = redeemed["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 1, "only the paywall this site may show: {redeemed}");
    assert_eq!(tokens[0]["paywall_id"], anywhere.as_str());
    let token = tokens[0]["access_token"].as_str().unwrap();
    assert_ne!(token, bought[0].access_token, "a fresh token");
    let unlocked = app.content(&anywhere, Some(token)).await;
    assert_eq!(unlocked.status(), 200);
    assert!(unlocked.text().await.unwrap().contains(MARKER));
    assert_eq!(app.content(&anywhere, Some(&bought[0].access_token)).await.status(), 200, "the old token still works");
    assert_eq!(app.content(&elsewhere, Some(token)).await.status(), 402, "a token opens its own paywall only");
    assert_eq!(app.admin_json("/v1/admin/purchases").await, before, "no purchase moved or changed");
    assert_eq!(redeem(&app, &restore_id, &code).await.status(), 400, "a code is used once");
}

#[tokio::test]
async fn restore_answers_alike_for_every_address_and_restores_no_refunded_purchase() {
    let app = TestApp::with(Options { extra_args: mail_args(mail_catcher()), ..Options::default() }).await;
    let catcher = mail_catcher();
    let refunded_reader = unique_address("refunded");
    let (_, purchase) = paid_with_receipt(&app, &refunded_reader).await;
    let intent = intent_id(&purchase.client_secret);
    assert_eq!(app.send_event(&refund_event(&event_id(), &intent, 300)).await.status(), 200);
    app.wait_for_status(&intent, "refunded").await;

    let unknown = unique_address("nobody");
    let mut answers = Vec::new();
    for email in [&unknown, &refunded_reader] {
        let response = restore_request(&app, email).await;
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        let keys: Vec<String> = body.as_object().unwrap().keys().cloned().collect();
        assert!(body["restore_id"].as_str().unwrap().starts_with("rst_"));
        answers.push((status, keys, body["expires_in"].clone()));
    }
    assert_eq!(answers[0], answers[1], "the same answer for an unknown address and a refunded one");
    assert_eq!(answers[0].0, 202);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(mails_to(catcher, &unknown).await.is_empty(), "nothing mailed to an unknown address");
    assert_eq!(mails_to(catcher, &refunded_reader).await.len(), 1, "only the receipt: a refund restores nothing");
}

#[tokio::test]
async fn codes_die_after_five_wrong_tries_and_when_they_expire() {
    let app = mail_app().await;
    let catcher = mail_catcher();
    let email = unique_address("tries");
    paid_with_receipt(&app, &email).await;

    let first: Value = restore_request(&app, &email).await.json().await.unwrap();
    let first_id = first["restore_id"].as_str().unwrap().to_owned();
    let code = code_of(&wait_for_mails(catcher, &email, 2).await[1]);
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for _ in 0..5 {
        let refused = redeem(&app, &first_id, wrong).await;
        assert_eq!(refused.status(), 400);
        assert!(refused.text().await.unwrap().contains("invalid_code"));
    }
    assert_eq!(redeem(&app, &first_id, &code).await.status(), 400, "five wrong tries void the code");

    let second: Value = restore_request(&app, &email).await.json().await.unwrap();
    let second_id = second["restore_id"].as_str().unwrap().to_owned();
    let code = code_of(&wait_for_mails(catcher, &email, 3).await[2]);
    // The code's lifetime later (the app's clock moved): it opens nothing.
    app.clock.advance(second["expires_in"].as_i64().unwrap() + 1);
    assert_eq!(redeem(&app, &second_id, &code).await.status(), 400, "an expired code opens nothing");
    assert_eq!(redeem(&app, "rst_unknownunknown0000", "123456").await.status(), 400);
    assert_eq!(redeem(&app, &second_id, "12345").await.status(), 400, "not six digits");
}

#[tokio::test]
async fn smtp_down_at_payment_only_delays_the_receipt_even_across_a_kill_9() {
    use crate::processes::PlogProcess;
    let dir = tempfile::tempdir().unwrap();
    let database_url = fresh_database(dir.path()).await;
    let (smtp_port, http_port, port) = (free_port(), free_port(), free_port());
    let smtp_url = format!("smtp://127.0.0.1:{smtp_port}");
    let env = [("PLOG_SMTP_URL", smtp_url.as_str()), ("PLOG_MAIL_FROM", "receipts@plog.test")];
    let mut plog = PlogProcess::start_with(&database_url, port, &env).await;
    let http = reqwest::Client::new();
    let paywall = &create_paywall_at(&plog.address, "Down", 400, "x").await;
    let email = unique_address("down");
    let created = start_purchase_at(&plog.address, paywall, &json!({ "email": email, "page": PAGE })).await;
    let intent = intent_id(&created.client_secret);
    // Paid while no mail server listens: the receipt is queued and its tries fail.
    let event = intent_event(&event_id(), "payment_intent.succeeded", &intent, 400, "jpy").to_string();
    let signature = plog_api::stripe::webhook::sign(event.as_bytes(), WEBHOOK_SECRET, now());
    let paid_at = std::time::Instant::now();
    let answered = http
        .post(format!("{}/v1/webhooks/stripe", plog.address))
        .header("stripe-signature", signature)
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(answered.status(), 200);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    plog.kill_hard();

    let catcher = start_mail_catcher(smtp_port, http_port);
    assert!(mails_to(&catcher, &email).await.is_empty());
    let _plog = PlogProcess::start_with(&database_url, port, &env).await;
    let mail = wait_for_mails(&catcher, &email, 1).await.remove(0);
    eprintln!(
        "receipt arrived {} ms after the payment (SMTP down 3 s, a kill -9, a restart)",
        paid_at.elapsed().as_millis()
    );
    assert_eq!(mail["headers"]["subject"], "Your receipt: Down");
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(mails_to(&catcher, &email).await.len(), 1, "delivered once");
    stop_mail_catcher(&catcher);
}

#[tokio::test]
async fn an_address_given_at_pay_time_with_the_token_gets_the_receipt_before_or_after_the_payment() {
    let app = mail_app().await;
    let catcher = mail_catcher();
    let paywall = app.create_paywall(700, "jpy", &paid_markdown()).await;
    let attach = |token: String, email: String| {
        let (http, url) = (app.http.clone(), app.url(&format!("/v1/paywalls/{paywall}/receipt")));
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({ "email": email, "page": PAGE, "language": "en" }))
                .send()
                .await
                .unwrap()
        }
    };
    // Before the payment: kept, then sent once it is paid.
    let before = unique_address("before");
    let purchase = app.start_purchase(&paywall).await;
    assert_eq!(attach(purchase.access_token.clone(), before.clone()).await.status(), 204);
    pay_with_card(&purchase.client_secret, CARD_OK).await;
    assert!(wait_for_mails(catcher, &before, 1).await[0]["text"].as_str().unwrap().contains("¥700"));
    // After it (the payment's answer was lost and the reader typed the address later): sent now.
    let after = unique_address("after");
    let paid = app.start_purchase(&paywall).await;
    pay_with_card(&paid.client_secret, CARD_OK).await;
    app.wait_for_status(&intent_id(&paid.client_secret), "paid").await;
    assert_eq!(attach(paid.access_token.clone(), after.clone()).await.status(), 204);
    wait_for_mails(catcher, &after, 1).await;
    // A token of no purchase of this paywall, or an address that is none, changes nothing.
    let stranger = attach("x".repeat(43), unique_address("stranger")).await;
    assert_eq!(stranger.status(), 402);
    assert_eq!(attach(purchase.access_token.clone(), "not-an-address".into()).await.status(), 422);
    // A second address for a purchase whose receipt went does not send another.
    assert_eq!(attach(purchase.access_token.clone(), before.clone()).await.status(), 204);
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    assert_eq!(mails_to(catcher, &before).await.len(), 1);
}

#[tokio::test]
async fn restore_requests_are_limited_per_address_and_per_client() {
    let app = mail_app().await;
    let email = unique_address("flood");
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(restore_request(&app, &email).await.status().as_u16());
    }
    assert_eq!(statuses, vec![202, 202, 202, 202, 202, 429], "five an hour per address");
    // Other addresses from the same client: twenty requests an hour in all, the refused sixth
    // above included, so fourteen more pass.
    let mut accepted = 5;
    for _ in 0..20 {
        let response = restore_request(&app, &unique_address("many")).await;
        if response.status() == 202 {
            accepted += 1;
        } else {
            assert_eq!(response.status(), 429);
            assert!(response.headers().contains_key("retry-after"));
        }
    }
    assert_eq!(accepted, 19, "twenty requests an hour per client address");
}

#[tokio::test]
async fn a_server_that_requires_auth_gets_the_credentials_of_the_url() {
    let catcher = start_mail_catcher_with(free_port(), free_port(), "--user plog --password s3cret-pass");
    let url = format!("smtp://plog:s3cret-pass@127.0.0.1:{}", catcher.smtp_port);
    let args = vec!["--smtp-url".into(), url, "--mail-from".into(), "receipts@plog.test".into()];
    let app = TestApp::with(Options { extra_args: args, ..Options::default() }).await;
    let email = unique_address("auth");
    let paywall = app.create_paywall(300, "jpy", &paid_markdown()).await;
    let purchase = purchase_with_receipt(&app, &paywall, &email, "en").await;
    pay_with_card(&purchase.client_secret, CARD_OK).await;
    let mail = wait_for_mails(&catcher, &email, 1).await.remove(0);
    assert_eq!(mail["authenticated_as"], "plog", "plog signed in with the URL's user");
    stop_mail_catcher(&catcher);
}

/// H1 of the review: a hostile page asks plog to mail a buyer a restore code (or is named as the
/// article of a receipt); the mail must carry no link to it, and a code only ever travels in a
/// link to a site the creator listed.
#[tokio::test]
async fn mails_never_link_to_a_page_a_request_names_unless_the_creator_listed_its_site() {
    let app = mail_app().await;
    let catcher = mail_catcher();
    const EVIL: &str = "https://evil.example";
    let email = unique_address("phished");
    // A purchase of a paywall that sells anywhere, its receipt page named by a hostile site.
    let anywhere = app.create_paywall(300, "jpy", &paid_markdown()).await;
    let created = purchase_from(&app, &anywhere, EVIL, &format!("{EVIL}/steal"), &email, "en").await;
    pay_with_card(&created.client_secret, CARD_OK).await;
    let receipt = wait_for_mails(catcher, &email, 1).await.remove(0);
    assert!(!receipt.to_string().contains("evil.example"), "the receipt links nowhere a request said: {receipt}");
    // It links to the article's own page on plog's host instead, which plog vouches for.
    let own_page = app.url(&format!("/r/{anywhere}"));
    assert!(receipt["text"].as_str().unwrap().contains(&own_page), "the article page: {receipt}");

    // The restore the review sent: Origin and page of the hostile site, for the buyer's address.
    let started = app
        .http
        .post(app.url("/v1/restore"))
        .header("origin", EVIL)
        .json(&json!({ "email": email, "page": format!("{EVIL}/steal"), "language": "en" }))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 202);
    let mail = wait_for_mails(catcher, &email, 2).await.remove(1);
    assert!(!mail.to_string().contains("evil.example"), "no link to the requester's page: {mail}");
    assert!(!mail.to_string().contains("plog-restore="), "the code travels in no URL: {mail}");
    assert_eq!(code_of(&mail).len(), 6, "the code alone, to type where it was asked for");

    // A paywall that lists its site: the receipt links the article there, and a restore asked
    // from that site links back to it with the code in the fragment.
    let listed = paywall_on(&app, "Listed", 300, &[SITE]).await;
    let email = unique_address("listed");
    let created = purchase_with_receipt(&app, &listed, &email, "en").await;
    pay_with_card(&created.client_secret, CARD_OK).await;
    let receipt = wait_for_mails(catcher, &email, 1).await.remove(0);
    assert!(receipt["text"].as_str().unwrap().contains(PAGE), "{receipt}");
    let started: Value = restore_request(&app, &email).await.json().await.unwrap();
    let restore_id = started["restore_id"].as_str().unwrap();
    let mail = wait_for_mails(catcher, &email, 2).await.remove(1);
    let code = code_of(&mail);
    let text = mail["text"].as_str().unwrap();
    assert!(
        text.contains(&format!("{PAGE}#plog-restore={restore_id}.{code}")),
        "the link opens the article's page recorded at purchase, on the listed site, with the code in its fragment: {text}"
    );
    assert!(!text.contains("from=mail"), "never the page the restore request named: {text}");
}

/// L1 and L4 of the review: a restore for a buyer's address did more work than one for a
/// stranger's (a mail row, and a sender woken at once), so the next request was slower; and
/// `POST /v1/restore/{id}` had no limit while every try, even for a made-up id, took the
/// database's writer. Now both requests write the same rows and wake nothing, made-up ids are
/// refused by a read, codes tried are limited per client, and ended requests are purged.
#[tokio::test]
async fn restore_writes_alike_for_every_address_and_made_up_ids_write_nothing_and_are_limited() {
    let app = mail_app().await;
    let buyer = unique_address("buyer");
    paid_with_receipt(&app, &buyer).await;
    let stranger = unique_address("stranger");
    for email in [&buyer, &stranger] {
        assert_eq!(restore_request(&app, email).await.status(), 202);
    }
    let app = &app;
    let count = |sql: &'static str| async move { app.query_texts(sql).await.len() };
    assert_eq!(count("select id from restore_codes").await, 2);
    let states = app.query_texts("select state from mail_outbox where kind = 'restore' order by state").await;
    assert_eq!(states.len(), 2, "one mail row per request, the stranger's a decoy never sent: {states:?}");
    assert!(states.contains(&"failed".to_owned()), "{states:?}");
    assert_eq!(
        app.query_texts(
            "select id from mail_outbox where kind = 'restore' and state = 'failed' and recipient is not null"
        )
        .await
        .len(),
        0,
        "the decoy holds no address"
    );
    wait_for_mails(mail_catcher(), &buyer, 2).await;
    assert!(mails_to(mail_catcher(), &stranger).await.is_empty());

    // Made-up ids of the right shape: refused, no try spent anywhere, nothing written.
    let tries = || app.query_texts("select cast(tries_left as text) from restore_codes order by id");
    let before = tries().await;
    for n in 0..29 {
        let id = format!("rst_{n:0>20}");
        assert_eq!(redeem(app, &id, "123456").await.status(), 400);
    }
    assert_eq!(tries().await, before);
    assert_eq!(count("select id from restore_codes").await, 2);
    // Codes tried are limited per client address (30 an hour).
    assert_eq!(redeem(app, "rst_00000000000000000029", "123456").await.status(), 400);
    let limited = redeem(app, "rst_00000000000000000030", "123456").await;
    assert_eq!(limited.status(), 429);

    // Requests that ended unused over a day ago are purged, with their mails.
    assert_eq!(app.store.forget_old_restores(now() + 2 * 86_400).await.unwrap(), 4);
    assert_eq!(count("select id from restore_codes").await, 0);
}

/// Whether a restore asked of `app` for `email` found a purchase: its mail row (in `db`'s
/// database) is queued, not a decoy.
async fn restore_found(app: &TestApp, db: &TestApp, email: &str) -> bool {
    let started: Value = restore_request(app, email).await.json().await.unwrap();
    let id = started["restore_id"].as_str().unwrap();
    let states = db.query_texts(&format!("select state from mail_outbox where restore_id = '{id}'")).await;
    assert_eq!(states.len(), 1, "{states:?}");
    states[0] != "failed"
}

/// L3 of the review: address hashes and restore codes were keyed by `STRIPE_WEBHOOK_SECRET`,
/// so rolling it (Stripe offers that) ended restore for every past buyer, silently. Now
/// `PLOG_HASH_KEY` keys them; the webhook secret an install used before stays accepted as an
/// earlier key, and a buyer found under an earlier key is hashed again under the current one.
#[tokio::test]
async fn restore_survives_rolling_the_webhook_secret_and_rotating_the_hash_key() {
    let first = mail_app().await;
    let buyer = unique_address("rolled");
    paid_with_receipt(&first, &buyer).await;
    let served_again = |extra: Vec<String>| {
        let mut args = mail_args(mail_catcher());
        args.extend(["--database-url".to_owned(), first.database_url.clone()]);
        args.extend(extra);
        TestApp::with(Options { extra_args: args, ..Options::default() })
    };
    // The webhook secret rolled (each test app has its own), no hash key: the buyer is lost.
    let rolled = served_again(vec![]).await;
    assert!(
        !restore_found(&rolled, &first, &buyer).await,
        "without PLOG_HASH_KEY, rolling the webhook secret loses the buyer"
    );
    // PLOG_HASH_KEY set, the first webhook secret named as an earlier key: found, and moved.
    let hash_key = "hash-key-for-tests-0123456789abcdefgh";
    let keyed = served_again(vec![
        "--hash-key".into(),
        hash_key.into(),
        "--previous-hash-keys".into(),
        first.webhook_secret.clone(),
    ])
    .await;
    let before = first.query_texts("select email_hash from purchases where email_hash is not null").await;
    assert!(restore_found(&keyed, &first, &buyer).await, "an earlier key still finds the buyer");
    let after = first.query_texts("select email_hash from purchases where email_hash is not null").await;
    assert_ne!(before, after, "hashed again under PLOG_HASH_KEY");
    // Rolled again, only the hash key: the buyer is found under it.
    let again = served_again(vec!["--hash-key".into(), hash_key.into()]).await;
    assert!(restore_found(&again, &first, &buyer).await, "the hash key outlives the webhook secret");
}

/// The article page (`/r/{id}`, plog's own origin) is one of every paywall's sites: a per-site
/// paywall bought there mails a receipt linking to the page, a restore asked there mails a link
/// back to it with the code, and the code restores the paywall there.
#[tokio::test]
async fn a_per_site_paywall_bought_and_restored_on_its_article_page() {
    let app = mail_app().await;
    let catcher = mail_catcher();
    let paywall = paywall_on(&app, "Only on my blog", 300, &[SITE]).await;
    let page = app.url(&format!("/r/{paywall}"));
    let email = unique_address("article-page");
    let created = purchase_from(&app, &paywall, &app.address, &page, &email, "en").await;
    pay_with_card(&created.client_secret, CARD_OK).await;
    let receipt = wait_for_mails(catcher, &email, 1).await.remove(0);
    assert!(receipt["text"].as_str().unwrap().contains(&page), "the receipt links the article page: {receipt}");

    let started = app
        .http
        .post(app.url("/v1/restore"))
        .header("origin", &app.address)
        .json(&json!({ "email": email, "page": format!("{page}?utm=x#top"), "language": "en" }))
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 202);
    let restore_id = started.json::<Value>().await.unwrap()["restore_id"].as_str().unwrap().to_owned();
    let mail = wait_for_mails(catcher, &email, 2).await.remove(1);
    let code = code_of(&mail);
    let link = format!("{page}#plog-restore={restore_id}.{code}");
    assert!(mail["text"].as_str().unwrap().contains(&link), "a link back to the page, query dropped: {mail}");
    let redeemed = app
        .http
        .post(app.url(&format!("/v1/restore/{restore_id}")))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(redeemed.status(), 200);
    let tokens = redeemed.json::<Value>().await.unwrap();
    assert_eq!(tokens["tokens"][0]["paywall_id"], paywall.as_str(), "{tokens}");
}
