//! Running plog: `/metrics` (and a real Prometheus scraping it), logs for machines, backups.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::helpers::*;
use crate::processes::PlogProcess;
use plog_api::stripe::webhook::sign;

async fn metrics_text(app: &TestApp) -> String {
    let response = app.http.get(app.url("/metrics")).bearer_auth(ADMIN_TOKEN).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    response.text().await.unwrap()
}

/// The value of one sample line (`name{labels} value`) in a scrape, if it is there.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_answer_only_the_admin_token_and_count_a_purchase_from_start_to_paid() {
    let app = TestApp::spawn().await;
    assert_eq!(app.http.get(app.url("/metrics")).send().await.unwrap().status(), 401);
    let wrong = app.http.get(app.url("/metrics")).bearer_auth("not-the-token").send().await.unwrap();
    assert_eq!(wrong.status(), 401);

    let paywall = app.create_paywall(100, "jpy", "The **paid** part.").await;
    let purchase = app.start_purchase(&paywall).await;
    let (status, intent) = pay_with_card(&purchase.client_secret, CARD_OK).await;
    assert_eq!(status, 200, "{intent}");
    app.wait_for_status(&intent_id(&purchase.client_secret), "paid").await;
    let refused = app.post_webhook("{}", "t=1,v1=00").await;
    assert_eq!(refused.status(), 400);

    let text = metrics_text(&app).await;
    assert_eq!(sample(&text, r#"plog_purchases_total{event="started"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"plog_purchases_total{event="paid"}"#), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"plog_webhook_events_total{outcome="refused"}"#), Some(1.0), "{text}");
    assert!(sample(&text, r#"plog_webhook_events_total{outcome="applied"}"#).unwrap_or(0.0) >= 1.0, "{text}");
    assert_eq!(
        sample(&text, r#"plog_http_requests_total{route="/v1/paywalls/{id}/purchases",method="POST",status="201"}"#),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, r#"plog_http_request_duration_seconds_count{route="/v1/paywalls/{id}/purchases",method="POST"}"#),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, r#"plog_stripe_request_duration_seconds_count{operation="create_payment_intent",result="ok"}"#),
        Some(1.0),
        "{text}"
    );
    assert!(sample(&text, r#"plog_db_connections{state="idle"}"#).is_some(), "{text}");
    // Raw paths never become labels: the paywall id is not in the scrape.
    assert!(!text.contains(&paywall), "{text}");
}

#[tokio::test]
async fn rate_limit_refusals_are_counted_by_route() {
    let app =
        TestApp::with(Options { extra_args: vec!["--rate-per-ip".into(), "1/hour".into()], ..Options::default() })
            .await;
    let paywall = app.create_paywall(100, "jpy", "The **paid** part.").await;
    app.start_purchase(&paywall).await;
    assert_eq!(app.start_purchase_raw(&paywall, Some("{}")).await.status(), 429);
    let text = metrics_text(&app).await;
    assert_eq!(
        sample(&text, r#"plog_rate_limited_total{route="/v1/paywalls/{id}/purchases",method="POST"}"#),
        Some(1.0)
    );
}

/// A throwaway Prometheus server (Debian's) scraping `target` every second with the admin token.
struct Prometheus {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    fn start(target: &str) -> Prometheus {
        let binary = which("prometheus").expect("prometheus is not installed: scripts/setup --test installs it");
        let dir = tempfile::tempdir().unwrap();
        let config = format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: plog\n    \
             authorization:\n      credentials: {ADMIN_TOKEN}\n    static_configs:\n      - targets: ['{target}']\n"
        );
        std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
        let port = free_port();
        let child = Command::new(binary)
            .arg(format!("--config.file={}", dir.path().join("prometheus.yml").display()))
            .arg(format!("--storage.tsdb.path={}", dir.path().join("data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::from(std::fs::File::create(dir.path().join("prometheus.log")).unwrap()))
            .spawn()
            .expect("start prometheus");
        Prometheus { child, url: format!("http://127.0.0.1:{port}"), _dir: dir }
    }

    /// The value of an instant query's first series, if it has one.
    async fn query(&self, query: &str) -> Option<f64> {
        let response = reqwest::Client::new()
            .get(format!("{}/api/v1/query", self.url))
            .query(&[("query", query)])
            .send()
            .await
            .ok()?;
        let body: Value = response.json().await.ok()?;
        body["data"]["result"][0]["value"][1].as_str()?.parse().ok()
    }

    /// Waits until `query` answers `value`.
    async fn wait_for(&self, query: &str, value: f64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let answer = self.query(query).await;
            if answer == Some(value) {
                return;
            }
            assert!(Instant::now() < deadline, "Prometheus answers {answer:?} to {query}, not {value}");
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|dir| std::path::Path::new(dir).join(name)).find(|p| p.is_file())
}

#[tokio::test]
async fn a_real_prometheus_scrapes_plog_during_a_purchase_and_answers_its_counters() {
    let app = TestApp::spawn().await;
    let prometheus = Prometheus::start(app.address.trim_start_matches("http://"));
    // Scraped with the token: the target is up, and nothing is paid yet.
    prometheus.wait_for(r#"up{job="plog"}"#, 1.0).await;
    prometheus.wait_for(r#"sum(plog_purchases_total{event="paid"}) or vector(0)"#, 0.0).await;

    let paywall = app.create_paywall(100, "jpy", "The **paid** part.").await;
    let purchase = app.start_purchase(&paywall).await;
    prometheus.wait_for(r#"plog_purchases_total{event="started"}"#, 1.0).await;
    let (status, intent) = pay_with_card(&purchase.client_secret, CARD_OK).await;
    assert_eq!(status, 200, "{intent}");
    app.wait_for_status(&intent_id(&purchase.client_secret), "paid").await;
    prometheus.wait_for(r#"plog_purchases_total{event="paid"}"#, 1.0).await;
    prometheus
        .wait_for(r#"sum(plog_http_requests_total{route="/v1/paywalls/{id}/purchases",status="201"})"#, 1.0)
        .await;
}

#[tokio::test]
async fn json_logs_are_one_object_a_line_with_the_request_id() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    let log = dir.path().join("plog.log");
    let plog = PlogProcess::start_logging(
        &database,
        free_port(),
        &[("PLOG_LOG_FORMAT", "json"), ("RUST_LOG", "info")],
        Some(&log),
    )
    .await;
    let answered = reqwest::Client::new()
        .get(format!("{}/readyz", plog.address))
        .header("x-request-id", "req-json-1")
        .send()
        .await;
    assert_eq!(answered.unwrap().headers()["x-request-id"], "req-json-1");
    drop(plog);
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not one JSON object: {line:?}: {e}")))
        .collect();
    assert!(lines.iter().any(|l| l["message"] == "plog is serving" && l["level"] == "INFO"), "{text}");
    let request = lines
        .iter()
        .find(|l| l["message"] == "answered" && l["span"]["request_id"] == "req-json-1")
        .unwrap_or_else(|| panic!("no answered line with the request id: {text}"));
    assert_eq!(request["status"], 200);
    assert_eq!(request["span"]["path"], "/readyz");
    assert!(request["timestamp"].is_string());
}

fn plog_cli(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_plog")).args(args).env("RUST_LOG", "off").output().unwrap();
    (
        output.status.success(),
        format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)),
    )
}

/// Sends a signed event to a plog process.
async fn deliver(http: &reqwest::Client, address: &str, event: &Value) {
    let body = event.to_string();
    let response = http
        .post(format!("{address}/v1/webhooks/stripe"))
        .header("content-type", "application/json")
        .header("stripe-signature", sign(body.as_bytes(), WEBHOOK_SECRET, now()))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_backup_taken_while_webhooks_arrive_holds_only_whole_transactions_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(dir.path()).await;
    if on_postgres() {
        // PostgreSQL is copied with pg_dump; plog says so and writes nothing.
        let file = dir.path().join("refused.db");
        let (ok, out) = plog_cli(&["backup", "--database-url", &database, file.to_str().unwrap()]);
        assert!(!ok && out.contains("pg_dump"), "{out}");
        assert!(!file.exists());
        return;
    }
    let plog = PlogProcess::start(&database, free_port()).await;
    let http = reqwest::Client::new();
    let paywall = create_paywall_at(&plog.address, "Backed up", 100, "The **paid** part.").await;
    let mut purchases = Vec::new();
    for _ in 0..30 {
        let created = start_purchase_at(&plog.address, &paywall, &serde_json::json!({})).await;
        purchases.push((intent_id(&created.client_secret), created.access_token));
    }
    // Every purchase is paid, every third then refunded: 40 events, one at a time.
    let events: Vec<Value> = purchases
        .iter()
        .enumerate()
        .flat_map(|(i, (intent, _))| {
            let paid = intent_event(&event_id(), "payment_intent.succeeded", intent, 100, "jpy");
            let refunded = (i % 3 == 0).then(|| refund_event(&event_id(), intent, 100));
            std::iter::once(paid).chain(refunded)
        })
        .collect();
    let total = events.len() as i64;
    let (sent_tx, mut sent_rx) = tokio::sync::watch::channel(0_usize);
    let sender = tokio::spawn({
        let (http, address) = (http.clone(), plog.address.clone());
        async move {
            for (n, event) in events.iter().enumerate() {
                deliver(&http, &address, event).await;
                let _ = sent_tx.send(n + 1);
                tokio::time::sleep(Duration::from_millis(30)).await;
            }
        }
    });
    sent_rx.wait_for(|sent| *sent >= 8).await.unwrap();
    let file = dir.path().join("backup.db");
    let (ok, out) = tokio::task::spawn_blocking({
        let (database, file) = (database.clone(), file.clone());
        move || plog_cli(&["backup", "--database-url", &database, file.to_str().unwrap()])
    })
    .await
    .unwrap();
    assert!(ok, "{out}");
    assert!(out.contains("30 purchase(s)") && out.contains("integrity ok"), "{out}");
    sender.await.unwrap();
    let (again, out) = plog_cli(&["backup", "--database-url", &database, file.to_str().unwrap()]);
    assert!(!again && out.contains("exists already"), "{out}");

    // The copy was taken mid-stream, and each purchase in it is where its recorded events lead.
    let copy = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", file.display())).await.unwrap();
    let recorded: Vec<(String, String)> =
        sqlx::query_as("select payment_intent_id, event_type from stripe_events").fetch_all(&copy).await.unwrap();
    assert!(recorded.len() as i64 >= 8 && (recorded.len() as i64) < total, "{} of {total} events", recorded.len());
    let statuses: Vec<(String, String)> =
        sqlx::query_as("select payment_intent_id, status from purchases").fetch_all(&copy).await.unwrap();
    assert_eq!(statuses.len(), 30);
    for (intent, status) in &statuses {
        let has = |kind: &str| recorded.iter().any(|(i, t)| i == intent && t == kind);
        let explained = if has("charge.refunded") {
            "refunded"
        } else if has("payment_intent.succeeded") {
            "paid"
        } else {
            "pending"
        };
        assert_eq!(status, explained, "{intent}");
    }
    copy.close().await;

    // Restored in place of a lost database, it serves: a purchase paid before the copy unlocks.
    drop(plog);
    let restored = dir.path().join("restored.db");
    std::fs::copy(&file, &restored).unwrap();
    let plog = PlogProcess::start(&format!("sqlite://{}", restored.display()), free_port()).await;
    let (intent, token) = &purchases[1];
    assert!(statuses.iter().any(|(i, s)| i == intent && s == "paid"), "the second purchase was paid before the copy");
    let content =
        http.get(format!("{}/v1/paywalls/{paywall}/content", plog.address)).bearer_auth(token).send().await.unwrap();
    assert_eq!(content.status(), 200);
}
