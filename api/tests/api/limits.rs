//! Card-testing defence and request limits, each driven past its edge: purchases per address
//! and per paywall, unpaid purchases per client, trusted proxies, header and body sizes, a busy
//! database, and the security headers on every answer. Each refusal is in the error shape and
//! changes nothing.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::*;

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

async fn app_with(extra: &[&str]) -> TestApp {
    TestApp::with(Options { webhooks: false, extra_args: args(extra), ..Options::default() }).await
}

async fn purchase_from(app: &TestApp, id: &str, forwarded_for: Option<&str>) -> reqwest::Response {
    let mut request = app
        .http
        .post(app.url(&format!("/v1/paywalls/{id}/purchases")))
        .header("content-type", "application/json")
        .body("{}");
    if let Some(address) = forwarded_for {
        request = request.header("x-forwarded-for", address);
    }
    request.send().await.unwrap()
}

async fn purchase_count(app: &TestApp) -> usize {
    app.admin_get("/v1/admin/purchases?limit=1000").await.json::<Value>().await.unwrap()["purchases"]
        .as_array()
        .unwrap()
        .len()
}

/// A 429 in the error shape with a `Retry-After` in whole seconds within `range`.
async fn assert_rate_limited(response: reqwest::Response, range: std::ops::RangeInclusive<u64>) -> String {
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(range.contains(&retry_after), "Retry-After {retry_after} not in {range:?}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    body["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_flood_from_one_address_gets_exactly_its_rate_and_creates_nothing_more() {
    let app = app_with(&["--rate-per-ip", "5/min"]).await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    // 40 at once, each claiming another address: without trusted proxies the header is ignored.
    let mut flood = tokio::task::JoinSet::new();
    for i in 0..40 {
        let request = app
            .http
            .post(app.url(&format!("/v1/paywalls/{id}/purchases")))
            .header("content-type", "application/json")
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .body("{}");
        flood.spawn(async move { request.send().await.unwrap() });
    }
    let responses = flood.join_all().await;
    let created = responses.iter().filter(|r| r.status() == 201).count();
    let limited: Vec<_> = responses.into_iter().filter(|r| r.status() == 429).collect();
    assert_eq!((created, limited.len()), (5, 35), "5/min lets exactly a burst of 5 through");
    for response in limited.into_iter().take(3) {
        // The next slot opens 60/5 = 12 s after the burst.
        let message = assert_rate_limited(response, 1..=12).await;
        assert!(message.contains("5/min"), "{message}");
    }
    assert_eq!(purchase_count(&app).await, 5, "refused attempts store nothing");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_budget() {
    let app = app_with(&["--rate-per-ip", "2/min", "--trusted-proxies", "127.0.0.1"]).await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    for _ in 0..2 {
        assert_eq!(purchase_from(&app, &id, Some("203.0.113.1")).await.status(), 201);
    }
    assert_rate_limited(purchase_from(&app, &id, Some("203.0.113.1")).await, 1..=30).await;
    // A forged entry left of the proxy's own is not believed either.
    assert_rate_limited(purchase_from(&app, &id, Some("10.9.9.9, 203.0.113.1")).await, 1..=30).await;
    assert_eq!(purchase_from(&app, &id, Some("203.0.113.2")).await.status(), 201, "another reader is unaffected");
}

/// M5 of the review: the paywall's rate was a lockout switch — addresses each within their own
/// rate spent it, and then every real reader got 429. Now a client's first unpaid starts, and
/// every start of a client who paid, leave the paywall's rate alone: the rate holds back only
/// clients who start again and again without paying.
#[tokio::test]
async fn addresses_that_never_pay_spend_the_paywalls_rate_but_lock_out_no_reader() {
    let app = app_with(&["--rate-per-paywall", "3/min", "--trusted-proxies", "127.0.0.1"]).await;
    let hot = app.create_paywall(100, "jpy", "paid").await;
    let other = app.create_paywall(100, "jpy", "paid").await;
    // Eight addresses, four unpaid starts each: two free each, then the paywall's three.
    let mut statuses = Vec::new();
    for i in 0..8 {
        for _ in 0..4 {
            statuses.push(purchase_from(&app, &hot, Some(&format!("203.0.113.{i}"))).await.status().as_u16());
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 8 * 2 + 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 32 - 19, "{statuses:?}");
    let message = assert_rate_limited(purchase_from(&app, &hot, Some("203.0.113.0")).await, 1..=20).await;
    assert!(message.contains("on this paywall"), "{message}");
    // The paywall's rate is spent; a reader from another address still starts, twice.
    for _ in 0..2 {
        assert_eq!(purchase_from(&app, &hot, Some("198.51.100.7")).await.status(), 201, "a reader is not locked out");
    }
    assert_eq!(purchase_from(&app, &other, Some("203.0.113.99")).await.status(), 201, "other paywalls still sell");
    // A client who paid is not held back either, however often it starts.
    let buyer = purchase_from(&app, &other, Some("198.51.100.8")).await.json::<Value>().await.unwrap();
    let secret = buyer["client_secret"].as_str().unwrap();
    pay_with_card(secret, CARD_OK).await;
    // Webhooks are off here: the content route settles the purchase from Stripe.
    assert_eq!(app.content(&other, buyer["access_token"].as_str()).await.status(), 200);
    for _ in 0..3 {
        assert_eq!(purchase_from(&app, &hot, Some("198.51.100.8")).await.status(), 201, "a buyer is not held back");
    }
}

#[tokio::test]
async fn a_client_may_hold_only_so_many_unpaid_purchases() {
    let app =
        TestApp::with(Options { extra_args: args(&["--rate-max-pending-per-ip", "2"]), ..Options::default() }).await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    let first = app.start_purchase(&id).await;
    app.start_purchase(&id).await;
    let message = assert_rate_limited(app.start_purchase_raw(&id, Some("{}")).await, 3500..=3600).await;
    assert!(message.contains("unpaid"), "{message}");
    assert_eq!(purchase_count(&app).await, 2);
    // Paying one frees a place: only unpaid purchases count.
    let (status, _) = pay_with_card(&first.client_secret, CARD_OK).await;
    assert_eq!(status, 200);
    app.wait_for_status(&intent_id(&first.client_secret), "paid").await;
    assert_eq!(app.start_purchase_raw(&id, Some("{}")).await.status(), 201);
}

#[tokio::test]
async fn oversized_headers_and_bodies_get_clear_errors() {
    let app = app_with(&["--max-header-bytes", "4096"]).await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    let response =
        app.http.get(app.url(&format!("/v1/paywalls/{id}"))).header("x-filler", "a".repeat(5000)).send().await.unwrap();
    assert_eq!(response.status(), 431);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "headers_too_large");
    assert!(body["error"]["message"].as_str().unwrap().contains("4096"));
    assert_eq!(app.paywall_info(&id).await.status(), 200, "ordinary headers pass");

    let huge = format!(
        r#"{{"title":"t","price":{{"amount":100,"currency":"jpy"}},"content_markdown":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    let response = app.create_paywall_raw(&serde_json::from_str(&huge).unwrap()).await;
    assert_eq!(response.status(), 413);
    assert_eq!(response.json::<Value>().await.unwrap()["error"]["code"], "payload_too_large");
    let list = app.admin_get("/v1/admin/paywalls").await.json::<Value>().await.unwrap();
    assert_eq!(list["paywalls"].as_array().unwrap().len(), 1, "nothing was created");
}

#[tokio::test]
async fn a_busy_database_answers_503_and_recovers() {
    let app = app_with(&["--db-max-connections", "1", "--db-acquire-timeout-secs", "1"]).await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    let held = app.store.hold_connection().await.unwrap();
    let started = std::time::Instant::now();
    let response = app.paywall_info(&id).await;
    assert_eq!(response.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(5), "waited {:?}", started.elapsed());
    assert_eq!(response.headers()["retry-after"], "1");
    assert_eq!(response.json::<Value>().await.unwrap()["error"]["code"], "database_busy");
    drop(held);
    assert_eq!(app.paywall_info(&id).await.status(), 200);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = app_with(&[]).await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    for path in [format!("/v1/paywalls/{id}"), "/v1/paywalls/pw_missing".into(), "/healthz".into(), "/nowhere".into()] {
        let response = app.http.get(app.url(&path)).send().await.unwrap();
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
    }
}

/// I1 of the review: answers that carry an access token, a client secret or paid content had no
/// `Cache-Control`, so a shared cache on the way (or the browser's) could keep them.
#[tokio::test]
async fn answers_carrying_tokens_secrets_or_paid_content_are_never_stored_in_a_cache() {
    let app = app_with(&[]).await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    let created = app.start_purchase_raw(&id, Some("{}")).await;
    assert_eq!(created.status(), 201);
    assert_eq!(created.headers()["cache-control"], "no-store", "token and client secret");
    let created: plog_shared::api::PurchaseCreated = created.json().await.unwrap();
    pay_with_card(&created.client_secret, CARD_OK).await;
    let content = app.content(&id, Some(&created.access_token)).await;
    assert_eq!(content.status(), 200);
    assert_eq!(content.headers()["cache-control"], "no-store", "paid content");
    let by_body = app
        .http
        .post(app.url(&format!("/v1/paywalls/{id}/content")))
        .body(created.access_token.clone())
        .send()
        .await
        .unwrap();
    assert_eq!((by_body.status().as_u16(), &by_body.headers()["cache-control"]), (200, &"no-store".parse().unwrap()));
    let admin = app.admin_get("/v1/admin/purchases").await;
    assert_eq!(admin.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn two_replicas_on_one_postgres_database_share_the_purchase_and_change_rates_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    let rates = [
        ("PLOG_RATE_PER_IP", "4/hour"),
        ("PLOG_RATE_PER_PAYWALL", "10/hour"),
        ("PLOG_RATE_WRITES_PER_CREATOR", "5/hour"),
        ("PLOG_TRUSTED_PROXIES", "127.0.0.1"),
    ];
    let one = crate::processes::PlogProcess::start_with(&database, free_port(), &rates).await;
    let two = crate::processes::PlogProcess::start_with(&database, free_port(), &rates).await;
    let http = reqwest::Client::new();
    // 24 at once, half to each replica; `client(i)` is the address request i comes from.
    let flood = |paywall: String, client: fn(usize) -> String| {
        let mut flood = tokio::task::JoinSet::new();
        for i in 0..24 {
            let address = if i % 2 == 0 { one.address.clone() } else { two.address.clone() };
            let request = http
                .post(format!("{address}/v1/paywalls/{paywall}/purchases"))
                .header("content-type", "application/json")
                .header("x-forwarded-for", client(i))
                .body("{}");
            flood.spawn(async move { request.send().await.unwrap().status().as_u16() });
        }
        async move {
            let statuses = flood.join_all().await;
            let created = statuses.iter().filter(|s| **s == 201).count();
            assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 24 - created, "{statuses:?}");
            created
        }
    };
    // One address: its rate, whichever replica it reaches.
    let one_address =
        flood(create_paywall_at(&one.address, "Per address", 100, "paid").await, |_| "203.0.113.7".into()).await;
    // Twenty-four addresses on one paywall: the paywall's rate. Each has made its free unpaid
    // starts before (the paywall's rate counts only starts beyond them).
    let warm_up = create_paywall_at(&one.address, "Warm-up", 100, "paid").await;
    for i in 0..24 {
        for _ in 0..2 {
            let response = http
                .post(format!("{}/v1/paywalls/{warm_up}/purchases", one.address))
                .header("content-type", "application/json")
                .header("x-forwarded-for", format!("198.51.100.{i}"))
                .body("{}")
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        }
    }
    let many =
        flood(create_paywall_at(&one.address, "Per paywall", 100, "paid").await, |i| format!("198.51.100.{i}")).await;
    // A creator's changes, half through each replica: the creator's rate of changes.
    let added = tokio::task::spawn_blocking({
        let database = database.clone();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_plog"))
                .args(["creator", "add", "replicas@example.com"])
                .env("PLOG_DATABASE_URL", database)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let token = String::from_utf8_lossy(&added.stdout).lines().last().unwrap().to_owned();
    let mut changes = tokio::task::JoinSet::new();
    for i in 0..12 {
        let address = if i % 2 == 0 { one.address.clone() } else { two.address.clone() };
        let request = http.post(format!("{address}/v1/admin/paywalls")).bearer_auth(&token).json(&serde_json::json!({
            "title": format!("Change {i}"), "price": {"amount": 100, "currency": "jpy"}, "content_markdown": "x"}));
        changes.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let statuses = changes.join_all().await;
    let changed = statuses.iter().filter(|s| **s == 201).count();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 12 - changed, "{statuses:?}");
    if on_postgres() {
        assert_eq!((one_address, many, changed), (4, 10, 5), "two replicas allow exactly what one allows");
    } else {
        // SQLite is one machine: each process keeps its own budgets (the README says so).
        assert_eq!((one_address, many, changed), (8, 20, 10), "each of the two processes lets its own through");
    }
}

#[tokio::test]
async fn the_views_beacon_counts_at_most_its_rate_per_address() {
    let app = app_with(&["--rate-views-per-ip", "3/min", "--trusted-proxies", "127.0.0.1"]).await;
    let id = app.create_paywall(100, "jpy", "paid").await;
    let view = |from: &'static str| {
        let request = app.http.post(app.url(&format!("/v1/paywalls/{id}/views"))).header("x-forwarded-for", from);
        async move { request.send().await.unwrap() }
    };
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(view("203.0.113.5").await.status().as_u16());
    }
    assert_eq!(statuses, [204, 204, 204, 429, 429]);
    assert_rate_limited(view("203.0.113.5").await, 1..=20).await;
    assert_eq!(view("203.0.113.6").await.status(), 204, "another reader's view counts");
    let stats = app.admin_json("/v1/admin/stats").await;
    assert_eq!(stats["conversion"]["views"], 4, "{stats}");
}

/// Reads of one PaymentIntent in a scrape of `/metrics`, whatever their result.
async fn intent_reads(app: &TestApp) -> f64 {
    let response = app.http.get(app.url("/metrics")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    let text = response.text().await.unwrap();
    text.lines()
        .filter(|l| l.starts_with("plog_stripe_request_duration_seconds_count{operation=\"read_payment_intent\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// M2 of the review: 400 content requests with one unpaid token in half a second made 400
/// PaymentIntent reads at Stripe (whose read limit is about 25/s in test mode): one client
/// could stop every reader's purchases. Now a pending purchase is read at most every few
/// seconds, and only while recent; the database answers the rest.
#[tokio::test]
async fn four_hundred_content_requests_with_one_unpaid_token_read_stripe_a_handful_of_times() {
    let app = TestApp::spawn().await;
    let paywall = app.create_paywall(100, "jpy", "The paid part.").await;
    let created = app.start_purchase(&paywall).await;
    let before = intent_reads(&app).await;
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..400 {
        let request =
            app.http.get(app.url(&format!("/v1/paywalls/{paywall}/content"))).bearer_auth(&created.access_token);
        set.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let statuses = set.join_all().await;
    assert!(statuses.iter().all(|s| *s == 402), "{statuses:?}");
    let reads = intent_reads(&app).await - before;
    eprintln!("400 content requests with one unpaid token → {reads} PaymentIntent reads");
    assert!((1.0..=2.0).contains(&reads), "{reads} reads of Stripe");
}

/// Reads from `stream` until the server closes it; how long that took, or `None` when it stayed
/// open for five seconds.
async fn closed_within_five_seconds(stream: &mut tokio::net::TcpStream) -> Option<Duration> {
    use tokio::io::AsyncReadExt;
    let started = std::time::Instant::now();
    let mut buffer = [0_u8; 4096];
    tokio::time::timeout(Duration::from_secs(5), async { while stream.read(&mut buffer).await.is_ok_and(|n| n > 0) {} })
        .await
        .ok()
        .map(|()| started.elapsed())
}

/// L5 of the review: 50 half-sent requests were held open for 45 s and more (bare plog, without
/// Caddy in front). A client now has `PLOG_HEADER_TIMEOUT_SECS` to send its headers, and a
/// kept-alive connection idle that long is closed.
#[tokio::test]
async fn half_sent_requests_and_idle_connections_are_closed_after_the_header_timeout() {
    use tokio::io::AsyncWriteExt;
    let app = app_with(&["--header-timeout-secs", "1"]).await;
    let address = app.url("").trim_start_matches("http://").trim_end_matches('/').to_owned();
    let mut half_sent = Vec::new();
    for _ in 0..50 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: plog\r\nX-Slow: ").await.unwrap();
        half_sent.push(stream);
    }
    for stream in &mut half_sent {
        let took = closed_within_five_seconds(stream).await.expect("a half-sent request was held open");
        assert!(took < Duration::from_secs(5));
    }
    let mut idle = tokio::net::TcpStream::connect(&address).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: plog\r\n\r\n").await.unwrap();
    assert!(closed_within_five_seconds(&mut idle).await.is_some(), "an idle kept-alive connection stayed open");
    // The server still answers whole requests.
    assert_eq!(app.http.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}
