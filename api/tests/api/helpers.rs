//! Test helpers: one real localstripe per test binary, and a plog app per test on port 0 with
//! its own SQLite file, driven over HTTP with one method per endpoint.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use clap::Parser;
use plog_api::config::ServeConfig;
use plog_api::startup::Application;
use plog_api::store::{Purchase, Store};
use plog_api::stripe::webhook::sign;
use plog_shared::api::PurchaseCreated;
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub const SECRET_KEY: &str = "sk_test_plogintegration";
pub const PUBLISHABLE_KEY: &str = "pk_test_plogintegration";
/// The webhook secret of `plog serve` processes. Apps registered with localstripe get a secret
/// of their own ([`unique_webhook_secret`]): localstripe keeps sending every event to every
/// endpoint ever registered, and a later test's server on a reused port must refuse those.
pub const WEBHOOK_SECRET: &str = "whsec_plogintegrationsecret";

/// A webhook secret no other test uses.
pub fn unique_webhook_secret() -> String {
    format!("whsec_{}", &plog_api::tokens::new_purchase_id().as_str()[4..])
}
pub const ADMIN_TOKEN: &str = "admin-token-for-tests-0123456789";

pub const CARD_OK: &str = "4242424242424242";
pub const CARD_DECLINED: &str = "4000000000000341";
pub const CARD_3DS: &str = "4000002760003184";

/// A free TCP port on 127.0.0.1 (released before use; a tiny race we accept in tests).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// A Stripe client of this test binary's gateway, as `plog` builds one from its options.
pub fn stripe_client() -> plog_api::stripe::StripeApi {
    #[derive(clap::Parser)]
    struct Args {
        #[command(flatten)]
        access: plog_api::config::StripeAccess,
    }
    let args = <Args as clap::Parser>::try_parse_from([
        "x",
        "--stripe-secret-key",
        SECRET_KEY,
        "--stripe-api-base",
        localstripe(),
    ])
    .unwrap();
    plog_api::stripe::StripeApi::new(&args.access, Default::default()).unwrap()
}

/// The localstripe executable: `PLOG_LOCALSTRIPE` or the one the set-up script installs.
fn localstripe_bin() -> PathBuf {
    std::env::var_os("PLOG_LOCALSTRIPE")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join(".tools/localstripe/bin/localstripe"))
}

/// The Python of localstripe's virtualenv, which also holds Stripe's official SDK (`stripe`).
pub fn stripe_python() -> PathBuf {
    localstripe_bin().with_file_name("python")
}

/// Base URL of this test binary's Stripe stand-in, started on first use: localstripe behind
/// plog's gateway (`sandbox/stripe_gateway.py`), which teaches it the pinned API version. A
/// shell watchdog stops it when the test process exits, so no emulator outlives the tests.
pub fn localstripe() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let bin = localstripe_bin();
        assert!(bin.exists(), "localstripe not found at {} — run scripts/setup first", bin.display());
        let gateway = workspace_root().join("sandbox/stripe_gateway.py");
        let port = free_port();
        let script = format!(
            "\"$0\" \"$1\" --port {port} --api-version {version} --localstripe \"$2\" >/dev/null 2>&1 & child=$!; \
             while kill -0 {parent} 2>/dev/null; do sleep 0.5; done; kill $child",
            version = plog_api::stripe::API_VERSION,
            parent = std::process::id()
        );
        // Never waited for on purpose: the shell outlives no test binary (it watches this
        // process and stops the gateway, which stops localstripe, when it is gone).
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(stripe_python())
            .arg(&gateway)
            .arg(&bin)
            .stdin(Stdio::null())
            .spawn()
            .expect("start localstripe behind the gateway");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "localstripe did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        format!("http://127.0.0.1:{port}")
    })
}

/// A mail catcher (`sandbox/mail_catcher.py`: aiosmtpd and a JSON view of what it caught).
#[derive(Debug, Clone)]
pub struct MailCatcher {
    /// Its SMTP port.
    pub smtp_port: u16,
    /// Its HTTP base URL.
    pub http: String,
}

/// Starts a mail catcher on these ports; a shell watchdog stops it when the test process exits.
/// Returns the watchdog's pid (killing it does not stop the catcher: use `stop_mail_catcher`).
pub fn start_mail_catcher(smtp_port: u16, http_port: u16) -> MailCatcher {
    start_mail_catcher_with(smtp_port, http_port, "")
}

/// `start_mail_catcher` with more flags (`--user U --password P`: AUTH required).
pub fn start_mail_catcher_with(smtp_port: u16, http_port: u16, flags: &str) -> MailCatcher {
    let script = format!(
        "\"$0\" \"$1\" --smtp-port {smtp_port} --http-port {http_port} {flags} >/dev/null 2>&1 & child=$!; \
         echo $child > \"$2\"; while kill -0 {parent} 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 0.5; done; kill $child 2>/dev/null",
        parent = std::process::id()
    );
    #[allow(clippy::zombie_processes)]
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(stripe_python())
        .arg(workspace_root().join("sandbox/mail_catcher.py"))
        .arg(std::env::temp_dir().join(format!("plog-mail-{smtp_port}.pid")))
        .stdin(Stdio::null())
        .spawn()
        .expect("start the mail catcher");
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", http_port)).is_err() || TcpStream::connect(("127.0.0.1", smtp_port)).is_err()
    {
        assert!(Instant::now() < deadline, "the mail catcher did not start on {smtp_port}/{http_port}");
        std::thread::sleep(Duration::from_millis(100));
    }
    MailCatcher { smtp_port, http: format!("http://127.0.0.1:{http_port}") }
}

/// Stops a catcher started by `start_mail_catcher` (what it caught is gone with it).
pub fn stop_mail_catcher(catcher: &MailCatcher) {
    let pid_file = std::env::temp_dir().join(format!("plog-mail-{}.pid", catcher.smtp_port));
    if let Ok(pid) = std::fs::read_to_string(&pid_file) {
        let _ = Command::new("kill").arg(pid.trim()).status();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", catcher.smtp_port)).is_ok() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// This test binary's shared mail catcher, started on first use. Tests tell their mail apart
/// by recipient (`unique_address`).
pub fn mail_catcher() -> &'static MailCatcher {
    static CATCHER: OnceLock<MailCatcher> = OnceLock::new();
    CATCHER.get_or_init(|| start_mail_catcher(free_port(), free_port()))
}

/// `plog serve` flags that send mail through `catcher`.
pub fn mail_args(catcher: &MailCatcher) -> Vec<String> {
    vec![
        "--smtp-url".into(),
        format!("smtp://127.0.0.1:{}", catcher.smtp_port),
        "--mail-from".into(),
        "Ramen Notes <receipts@plog.test>".into(),
    ]
}

/// An address no other test uses.
pub fn unique_address(tag: &str) -> String {
    format!("{tag}-{}@reader.test", &unique_webhook_secret()[6..18]).to_lowercase()
}

/// Every message `catcher` holds for `address`.
pub async fn mails_to(catcher: &MailCatcher, address: &str) -> Vec<Value> {
    let all: Vec<Value> = reqwest::get(format!("{}/messages", catcher.http)).await.unwrap().json().await.unwrap();
    all.into_iter().filter(|m| m["rcpt_to"].as_array().unwrap().iter().any(|r| r == address)).collect()
}

/// Waits (up to 60 s) until `catcher` holds `count` messages for `address`, and returns them.
pub async fn wait_for_mails(catcher: &MailCatcher, address: &str, count: usize) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mails = mails_to(catcher, address).await;
        if mails.len() >= count {
            return mails;
        }
        assert!(Instant::now() < deadline, "{} of {count} mails to {address} arrived", mails.len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Base URL (`postgres://app:…@127.0.0.1:PORT`) of this test binary's throwaway PostgreSQL
/// server, started on first use with Debian's binaries (initdb into a temp dir, fsync off) and
/// stopped, its files removed, by a shell watchdog when the test process exits.
pub fn postgres() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let port = free_port();
        let dir = tempfile::Builder::new().prefix("plog-pg-").tempdir().unwrap().keep();
        let script = format!(
            r#"set -e
            pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
            as_pg() {{ if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }}
            echo plogtest > {dir}/pw
            [ "$(id -u)" = 0 ] && chown -R postgres {dir}
            as_pg "$pgbin/initdb" -D {dir}/data -U app --pwfile={dir}/pw -A scram-sha-256 >/dev/null
            as_pg "$pgbin/pg_ctl" -D {dir}/data -w -l {dir}/log -o "-c listen_addresses=127.0.0.1 -p {port} -k {dir} -c fsync=off -c synchronous_commit=off -c max_connections=300" start >/dev/null
            ( while kill -0 {parent} 2>/dev/null; do sleep 0.5; done
              as_pg "$pgbin/pg_ctl" -D {dir}/data -m immediate stop >/dev/null 2>&1; rm -rf {dir} ) >/dev/null 2>&1 &
            "#,
            dir = dir.display(),
            parent = std::process::id(),
        );
        let status = Command::new("sh").arg("-c").arg(script).stdin(Stdio::null()).status().expect("start PostgreSQL");
        assert!(status.success(), "could not start PostgreSQL (is Debian's postgresql installed? scripts/setup --test)");
        format!("postgres://app:plogtest@127.0.0.1:{port}")
    })
}

/// Which database the suite runs on: `PLOG_TEST_DATABASE=postgres` or SQLite (default).
pub fn on_postgres() -> bool {
    std::env::var("PLOG_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

/// A fresh, empty database URL of the engine under test.
pub async fn fresh_database(dir: &std::path::Path) -> String {
    if on_postgres() {
        let name = format!("t_{}", plog_api::tokens::new_purchase_id().as_str()[4..].to_ascii_lowercase());
        let admin = format!("{}/postgres", postgres());
        let mut connection =
            <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.expect("connect to PostgreSQL");
        sqlx::Executor::execute(&mut connection, sqlx::AssertSqlSafe(format!("create database {name}"))).await.unwrap();
        format!("{}/{name}", postgres())
    } else {
        format!("sqlite://{}", dir.join("plog.db").display())
    }
}

/// How to build a test app.
pub struct Options {
    /// Register the app as localstripe's webhook endpoint.
    pub webhooks: bool,
    /// Configure an admin token.
    pub admin_token: bool,
    /// Stripe base URL (default: the shared localstripe).
    pub stripe_base: Option<String>,
    /// Folder of a widget build to serve.
    pub widget_dir: Option<PathBuf>,
    /// Timeout of one Stripe call, seconds.
    pub stripe_timeout_secs: u64,
    /// More `plog serve` flags; they come last, so they override the defaults below.
    pub extra_args: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            webhooks: true,
            admin_token: true,
            stripe_base: None,
            widget_dir: None,
            stripe_timeout_secs: 5,
            extra_args: vec![],
        }
    }
}

/// A running plog on port 0.
pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub store: Store,
    /// The app's shared state (to drive its router in-process).
    pub state: plog_api::state::AppState,
    /// The app's clock: tests move it to test what time ends (passes, links, codes, holds).
    pub clock: plog_api::clock::Clock,
    pub http: reqwest::Client,
    /// This app's webhook signing secret.
    pub webhook_secret: String,
    /// The id its webhook endpoint is registered under in localstripe, if it is.
    webhook_id: Option<String>,
    /// The id its Connect endpoint is registered under, if it is (platform mode).
    connect_webhook_id: Option<String>,
    _shutdown: oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::with(Options::default()).await
    }

    pub async fn with(options: Options) -> TestApp {
        plog_api::telemetry::init(plog_api::telemetry::LogFormat::Text);
        let dir = tempfile::tempdir().unwrap();
        // A test may bring its own database (`--database-url` among `extra_args`).
        let given =
            options.extra_args.iter().position(|a| a == "--database-url").map(|at| options.extra_args[at + 1].clone());
        let database_url = match given {
            Some(url) => url,
            None => fresh_database(dir.path()).await,
        };
        let stripe_base = options.stripe_base.clone().unwrap_or_else(|| localstripe().to_owned());
        let webhook_secret = unique_webhook_secret();
        let mut args = vec![
            "plog".to_owned(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--database-url".into(),
            database_url.clone(),
            "--stripe-secret-key".into(),
            SECRET_KEY.into(),
            "--stripe-publishable-key".into(),
            PUBLISHABLE_KEY.into(),
            "--stripe-webhook-secret".into(),
            webhook_secret.clone(),
            "--stripe-api-base".into(),
            stripe_base,
            "--stripe-timeout-secs".into(),
            options.stripe_timeout_secs.to_string(),
            // Every test talks from 127.0.0.1: the purchase limits (and each creator's rates)
            // are off unless a test of them sets its own through `extra_args`.
            "--rate-per-ip".into(),
            "off".into(),
            "--rate-per-paywall".into(),
            "off".into(),
            "--rate-max-pending-per-ip".into(),
            "0".into(),
            "--rate-codes-per-ip".into(),
            "off".into(),
            "--rate-per-creator".into(),
            "off".into(),
            "--rate-writes-per-creator".into(),
            "off".into(),
            // A loaded 2-core machine (the scale tests fsync thousands of events beside the
            // others) can take seconds to open a connection: not what these tests are about.
            // The busy-database test sets its own 1 s.
            "--db-acquire-timeout-secs".into(),
            "30".into(),
        ];
        if let Some(dir) = &options.widget_dir {
            args.extend(["--widget-dir".into(), dir.display().to_string()]);
        }
        if options.admin_token {
            args.extend(["--admin-token".into(), ADMIN_TOKEN.into()]);
        }
        args.extend(options.extra_args.iter().cloned());
        #[derive(Parser)]
        #[command(args_override_self = true)]
        struct Args {
            #[command(flatten)]
            serve: ServeConfig,
        }
        let config = Args::try_parse_from(args).unwrap().serve;
        let clock = plog_api::clock::Clock::movable();
        let app = Application::build_with_clock(config, clock.clone()).await.expect("build app");
        let address = format!("http://{}", app.local_addr());
        let state = app.state();
        let store = state.store.clone();
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(app.run_until(async move {
            let _ = rx.await;
        }));
        let http = reqwest::Client::new();
        let webhook_id = options.webhooks.then(|| format!("plog{}", address.rsplit(':').next().unwrap()));
        if let Some(id) = &webhook_id {
            let response = http
                .post(format!("{}/_config/webhooks/{id}", localstripe()))
                .form(&[("url", format!("{address}/v1/webhooks/stripe")), ("secret", webhook_secret.clone())])
                .send()
                .await
                .unwrap();
            assert!(response.status().is_success(), "register webhook: {}", response.status());
        }
        TestApp {
            address,
            database_url,
            store,
            state,
            clock,
            http,
            webhook_secret,
            webhook_id,
            connect_webhook_id: None,
            _shutdown: tx,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// `POST /v1/admin/paywalls` with the admin token.
    pub async fn create_paywall_raw(&self, body: &Value) -> reqwest::Response {
        self.http.post(self.url("/v1/admin/paywalls")).bearer_auth(ADMIN_TOKEN).json(body).send().await.unwrap()
    }

    /// Creates a paywall and returns its id.
    pub async fn create_paywall(&self, amount: i64, currency: &str, markdown: &str) -> String {
        let response = self
            .create_paywall_raw(&json!({
                "title": "A paid article",
                "teaser": "The free part ends here.",
                "price": {"amount": amount, "currency": currency},
                "content_markdown": markdown,
            }))
            .await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        response.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned()
    }

    pub async fn admin_get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).bearer_auth(ADMIN_TOKEN).send().await.unwrap()
    }

    /// An admin GET that must succeed: its JSON, or a panic that shows what came back instead.
    pub async fn admin_json(&self, path: &str) -> Value {
        let response = self.admin_get(path).await;
        let status = response.status();
        let body = response.text().await.unwrap();
        assert!(status.is_success(), "GET {path} answered {status}: {body}");
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("GET {path} answered {body}: {e}"))
    }

    pub async fn paywall_info(&self, id: &str) -> reqwest::Response {
        self.http.get(self.url(&format!("/v1/paywalls/{id}"))).send().await.unwrap()
    }

    pub async fn start_purchase_raw(&self, id: &str, body: Option<&str>) -> reqwest::Response {
        let mut request = self.http.post(self.url(&format!("/v1/paywalls/{id}/purchases")));
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_owned());
        }
        request.send().await.unwrap()
    }

    pub async fn start_purchase(&self, id: &str) -> PurchaseCreated {
        let response = self.start_purchase_raw(id, Some("{}")).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        response.json().await.unwrap()
    }

    pub async fn content(&self, id: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = self.http.get(self.url(&format!("/v1/paywalls/{id}/content")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    pub async fn post_webhook(&self, body: &str, signature: &str) -> reqwest::Response {
        self.http
            .post(self.url("/v1/webhooks/stripe"))
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// Sends an event signed with the right secret and the current time.
    pub async fn send_event(&self, event: &Value) -> reqwest::Response {
        let body = event.to_string();
        let signature = sign(body.as_bytes(), &self.webhook_secret, now());
        self.post_webhook(&body, &signature).await
    }

    pub async fn purchase(&self, payment_intent_id: &str) -> Purchase {
        self.store.purchase_by_intent(payment_intent_id).await.unwrap().expect("purchase exists")
    }

    /// Waits until the purchase of this intent has the status, without touching the content
    /// route (which would settle it by itself).
    /// Runs one SQL statement on the app's database (tests that move time, e.g. expire a code).
    pub async fn execute_sql(&self, sql: &str) {
        if self.database_url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(&pool).await.unwrap();
            pool.close().await;
        } else {
            let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }

    /// The first column of a query's rows, as text, on the app's database.
    pub async fn query_texts(&self, sql: &str) -> Vec<String> {
        let sql = || sqlx::AssertSqlSafe(sql.to_owned());
        if self.database_url.starts_with("sqlite:") {
            let pool = sqlx::SqlitePool::connect(&self.database_url).await.unwrap();
            let rows = sqlx::query_scalar(sql()).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows
        } else {
            let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
            let rows = sqlx::query_scalar(sql()).fetch_all(&pool).await.unwrap();
            pool.close().await;
            rows
        }
    }

    pub async fn wait_for_status(&self, payment_intent_id: &str, status: &str) -> Purchase {
        // Generous: on a loaded 2-core machine localstripe's deliveries queue up behind the
        // other tests' (the wait ends as soon as the webhook has landed).
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let purchase = self.purchase(payment_intent_id).await;
            if purchase.status.as_str() == status {
                return purchase;
            }
            assert!(
                Instant::now() < deadline,
                "purchase stayed {} instead of becoming {status}",
                purchase.status.as_str()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// localstripe delivers every event to every endpoint ever registered, one after the other, and
/// has no way to remove one: a finished test's endpoint is narrowed to an event that never
/// happens, so late tests do not wait behind hundreds of dead endpoints (that wait once made a
/// webhook take longer than a test would wait). Blocking and brief; errors are ignored.
impl TestApp {
    /// Runs `plog ARGS` against the app's database, off the test's thread (the server runs on
    /// it and must keep answering): its output, after checking it succeeded.
    pub async fn plog(&self, args: &[&str]) -> String {
        let (database, args): (String, Vec<String>) =
            (self.database_url.clone(), args.iter().map(|a| a.to_string()).collect());
        let output = tokio::task::spawn_blocking(move || {
            Command::new(env!("CARGO_BIN_EXE_plog")).args(&args).env("PLOG_DATABASE_URL", database).output().unwrap()
        })
        .await
        .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "{stdout}{}", String::from_utf8_lossy(&output.stderr));
        stdout
    }

    /// `plog creator add EMAIL`, as the operator: the new creator's API token.
    pub async fn add_creator(&self, email: &str) -> String {
        let stdout = self.plog(&["creator", "add", email]).await;
        let token = stdout.lines().last().unwrap().to_owned();
        assert!(token.starts_with("plog_"), "{stdout}");
        token
    }

    /// Registers the app's Connect endpoint (`/v1/webhooks/stripe-connect`, signed with
    /// `secret`) with the gateway: it receives the events of connected accounts, as a Connect
    /// endpoint at Stripe does. Retired with the app, like its own endpoint.
    pub async fn relay_connect_events(&mut self, secret: &str) {
        let id = format!("connect{}", self.address.rsplit(':').next().unwrap());
        let registered = self
            .http
            .post(format!("{}/_config/webhooks/{id}", localstripe()))
            .form(&[
                ("url", self.url("/v1/webhooks/stripe-connect")),
                ("secret", secret.to_owned()),
                ("connect", "true".to_owned()),
            ])
            .send()
            .await
            .unwrap();
        assert!(registered.status().is_success());
        self.connect_webhook_id = Some(id);
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // A retired endpoint points where nothing listens: a later app on this port, or a port
        // taken by something that never answers, would otherwise hold up every delivery.
        for id in [&self.webhook_id, &self.connect_webhook_id].into_iter().flatten() {
            retire_endpoint(id);
        }
    }
}

fn retire_endpoint(id: &str) {
    {
        let Some(authority) = localstripe().strip_prefix("http://") else { return };
        let body =
            serde_json::json!({"url": "http://127.0.0.1:9/retired", "secret": "retired", "events": ["plog.retired"]})
                .to_string();
        let request = format!(
            "POST /_config/webhooks/{id} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        if let Ok(mut stream) = TcpStream::connect(authority) {
            use std::io::{Read, Write};
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = stream.write_all(request.as_bytes());
            let _ = stream.read(&mut [0u8; 256]);
        }
    }
}

/// The system's time: what localstripe and Stripe's signatures go by. A test app's own clock,
/// which tests may move, is `app.clock`.
pub fn now() -> i64 {
    plog_api::clock::Clock::system().now()
}

/// The PaymentIntent id inside a client secret (`pi_X_secret_Y`).
pub fn intent_id(client_secret: &str) -> String {
    client_secret.split("_secret_").next().unwrap().to_owned()
}

/// Server-side card payment in localstripe, as Stripe.js would do it for the reader:
/// create a card payment method, set it on the intent, confirm. Returns localstripe's answer.
pub async fn pay_with_card(client_secret: &str, card: &str) -> (u16, Value) {
    let http = reqwest::Client::new();
    let base = localstripe();
    let pm: Value = http
        .post(format!("{base}/v1/payment_methods"))
        .bearer_auth(SECRET_KEY)
        .form(&[
            ("type", "card"),
            ("card[number]", card),
            ("card[exp_month]", "12"),
            ("card[exp_year]", "2034"),
            ("card[cvc]", "123"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let pm_id = pm["id"].as_str().expect("payment method id").to_owned();
    let intent = intent_id(client_secret);
    let attached = http
        .post(format!("{base}/v1/payment_intents/{intent}"))
        .bearer_auth(SECRET_KEY)
        .form(&[("payment_method", pm_id.as_str())])
        .send()
        .await
        .unwrap();
    assert!(attached.status().is_success(), "attach payment method: {}", attached.text().await.unwrap());
    let response =
        http.post(format!("{base}/v1/payment_intents/{intent}/confirm")).bearer_auth(SECRET_KEY).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Finishes (or fails) 3-D Secure for an intent in `requires_action`.
pub async fn authenticate(client_secret: &str, success: bool) -> u16 {
    let intent = intent_id(client_secret);
    reqwest::Client::new()
        .post(format!("{}/v1/payment_intents/{intent}/_authenticate?success={success}", localstripe()))
        .form(&[("key", PUBLISHABLE_KEY), ("client_secret", client_secret)])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A PaymentIntent as localstripe holds it.
pub async fn stripe_intent(id: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{}/v1/payment_intents/{id}", localstripe()))
        .bearer_auth(SECRET_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A Stripe-shaped event about a PaymentIntent.
pub fn intent_event(event_id: &str, event_type: &str, intent: &str, amount: i64, currency: &str) -> Value {
    json!({
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": now(),
        "livemode": false,
        "data": {"object": {
            "id": intent, "object": "payment_intent", "amount": amount, "currency": currency,
            "status": if event_type == "payment_intent.succeeded" { "succeeded" } else { "requires_payment_method" },
            "last_payment_error": if event_type == "payment_intent.payment_failed" {
                json!({"code": "card_declined", "message": "Your card was declined."})
            } else { Value::Null },
        }},
    })
}

/// A Stripe-shaped full-refund event.
pub fn refund_event(event_id: &str, intent: &str, amount: i64) -> Value {
    json!({
        "id": event_id,
        "object": "event",
        "type": "charge.refunded",
        "created": now(),
        "data": {"object": {
            "id": format!("ch_{event_id}"), "object": "charge", "payment_intent": intent,
            "amount": amount, "amount_refunded": amount, "refunded": true, "currency": "jpy",
        }},
    })
}

/// A unique event id.
pub fn event_id() -> String {
    format!("evt_{}", plog_api::tokens::new_purchase_id().as_str().trim_start_matches("pur_"))
}

/// Creates a paywall through the admin API of the plog at `base` (a `plog serve` process, or
/// any address with the test admin token); returns its id.
pub async fn create_paywall_at(base: &str, title: &str, amount: i64, markdown: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{base}/v1/admin/paywalls"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"title": title, "price": {"amount": amount, "currency": "jpy"}, "content_markdown": markdown}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let paywall: Value = response.json().await.unwrap();
    paywall["id"].as_str().unwrap().to_owned()
}

/// Starts a purchase of `paywall` on the plog at `base` with this JSON body; asserts 201.
pub async fn start_purchase_at(base: &str, paywall: &str, body: &Value) -> PurchaseCreated {
    let response =
        reqwest::Client::new().post(format!("{base}/v1/paywalls/{paywall}/purchases")).json(body).send().await.unwrap();
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}
