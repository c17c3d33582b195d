//! `plog-bench`: the load tools behind `bench/run`. Not a test and not part of plog itself.
//!
//! - `seed`: a paywall and N paid purchases, inserted in bulk, their tokens written to a file
//!   for the wrk script;
//! - `ceiling`: a bare indexed lookup route on the same database (hash the bearer token, select
//!   the purchase by its hash) — what the content route is measured against;
//! - `webhooks`: N pending purchases, then one signed `payment_intent.succeeded` each through
//!   plog's real webhook route, concurrently; prints events per second.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use clap::{Parser, Subcommand};
use plog_api::store::Store;

fn now() -> i64 {
    plog_api::clock::Clock::system().now()
}
use plog_api::tokens::{new_access_token, new_purchase_id, token_hash};

#[derive(Parser)]
#[command(about = "Load tools for plog's benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Tool,
}

#[derive(Subcommand)]
enum Tool {
    /// Create a paywall and N paid purchases; write their tokens, one per line.
    Seed {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        purchases: usize,
        #[arg(long)]
        tokens_out: std::path::PathBuf,
        /// How many purchases are paid (the rest pending); all by default.
        #[arg(long)]
        paid: Option<usize>,
    },
    /// Serve `GET /lookup` (bearer token → purchase by hash) on the database, nothing else.
    Ceiling {
        #[arg(long)]
        database_url: String,
        #[arg(long)]
        listen: std::net::SocketAddr,
    },
    /// Send one signed `payment_intent.succeeded` per pending purchase to plog; print events/s.
    Webhooks {
        #[arg(long)]
        database_url: String,
        /// plog's base URL.
        #[arg(long)]
        target: String,
        #[arg(long)]
        secret: String,
        #[arg(long, default_value_t = 64)]
        concurrency: usize,
    },
    /// Time plog's token-hash comparison for hashes equal, differing in the first character
    /// and differing in the last; print nanoseconds per comparison (median of 9 rounds).
    TokenTiming {
        #[arg(long, default_value_t = 2_000_000)]
        compares: usize,
    },
}

/// A database pool of either engine, for the bulk work plog's store does not offer.
enum Pool {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

async fn pool(url: &str) -> anyhow::Result<Pool> {
    // plog's store creates the schema (and the SQLite file).
    Store::connect(url).await?.migrate().await?;
    Ok(if url.starts_with("sqlite:") {
        Pool::Sqlite(sqlx::SqlitePool::connect(&format!("{url}?mode=rwc")).await?)
    } else {
        Pool::Postgres(sqlx::PgPool::connect(url).await?)
    })
}

macro_rules! with_pool {
    ($pool:expr, $p:ident => $body:expr) => {
        match $pool {
            Pool::Sqlite($p) => $body,
            Pool::Postgres($p) => $body,
        }
    };
}

/// Inserts a paywall and `rows` purchases (intents `pi_bench{i}`), `paid` of them paid.
async fn seed(pool: &Pool, rows: &[(String, String)], paid: usize) -> anyhow::Result<String> {
    let paywall = format!("pw_{}", &new_purchase_id().as_str()[4..]);
    let now = now();
    with_pool!(pool, p => {
        sqlx::query("insert into paywalls (id, title, price_amount, currency, content_markdown, content_html, status, created_at, updated_at) \
                     values ($1, 'Benchmark', 100, 'jpy', 'paid', '<p>paid</p>', 'active', $2, $2)")
            .bind(&paywall).bind(now).execute(p).await?;
        for (chunk_index, chunk) in rows.chunks(1000).enumerate() {
            let mut builder = sqlx::QueryBuilder::new(
                "insert into purchases (id, paywall_id, payment_intent_id, token_hash, status, amount, currency, created_at, updated_at, paid_at) ");
            builder.push_values(chunk.iter().enumerate(), |mut row, (i, (id, hash))| {
                let n = chunk_index * 1000 + i;
                // Spread over the last 90 days, so the reports have a history to draw.
                let at = now - (n as i64 % 90) * 86_400;
                row.push_bind(id.clone()).push_bind(paywall.clone()).push_bind(format!("pi_bench{n}"))
                    .push_bind(hash.clone()).push_bind(if n < paid { "paid" } else { "pending" })
                    .push_bind(100_i64).push_bind("jpy").push_bind(at).push_bind(at).push_bind((n < paid).then_some(at));
            });
            builder.build().execute(p).await?;
        }
    });
    Ok(paywall)
}

async fn lookup(State(pool): State<Arc<Pool>>, headers: HeaderMap) -> StatusCode {
    let Some(token) =
        headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    else {
        return StatusCode::UNAUTHORIZED;
    };
    let hash = token_hash(token);
    let found: Result<Option<(String,)>, sqlx::Error> = with_pool!(pool.as_ref(), p =>
        sqlx::query_as("select status from purchases where token_hash = $1").bind(&hash).fetch_optional(p).await);
    match found {
        Ok(Some(_)) => StatusCode::OK,
        Ok(None) => StatusCode::NOT_FOUND,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Tool::Seed { database_url, purchases, tokens_out, paid } => {
            let pool = pool(&database_url).await?;
            let tokens: Vec<String> = (0..purchases).map(|_| new_access_token()).collect();
            let rows: Vec<(String, String)> =
                tokens.iter().map(|t| (new_purchase_id().to_string(), token_hash(t))).collect();
            let started = Instant::now();
            let paywall = seed(&pool, &rows, paid.unwrap_or(purchases)).await?;
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tokens_out)?);
            for token in &tokens {
                writeln!(out, "{token}")?;
            }
            eprintln!("seeded {purchases} purchases in {:?}", started.elapsed());
            println!("{paywall}");
        }
        Tool::Ceiling { database_url, listen } => {
            let pool = Arc::new(pool(&database_url).await?);
            let app = axum::Router::new().route("/lookup", axum::routing::get(lookup)).with_state(pool);
            let listener = tokio::net::TcpListener::bind(listen).await?;
            axum::serve(listener, app).await?;
        }
        Tool::TokenTiming { compares } => {
            let stored = token_hash(&new_access_token());
            let last = stored.len() - 1;
            let [equal, first, last] =
                [stored.clone(), flip(&stored, 0), flip(&stored, last)].map(|c| time_compares(&stored, &c, compares));
            println!("{{\"equal_ns\":{equal:.2},\"differs_first_ns\":{first:.2},\"differs_last_ns\":{last:.2}}}");
        }
        Tool::Webhooks { database_url, target, secret, concurrency } => {
            let pool = pool(&database_url).await?;
            let intents: Vec<String> = with_pool!(&pool, p =>
                sqlx::query_scalar("select payment_intent_id from purchases where status = 'pending'").fetch_all(p).await)?;
            anyhow::ensure!(!intents.is_empty(), "no pending purchases: seed with --paid 0 first");
            let http = reqwest::Client::new();
            let queue = Arc::new(tokio::sync::Mutex::new(intents.clone()));
            let started = Instant::now();
            let mut workers = tokio::task::JoinSet::new();
            for _ in 0..concurrency {
                let (http, queue, target, secret) = (http.clone(), queue.clone(), target.clone(), secret.clone());
                workers.spawn(async move {
                    let mut failures = 0_usize;
                    loop {
                        let Some(intent) = queue.lock().await.pop() else { return failures };
                        let body = serde_json::json!({
                            "id": format!("evt_{intent}"), "object": "event", "type": "payment_intent.succeeded", "created": now(),
                            "data": {"object": {"id": intent, "object": "payment_intent", "amount": 100, "currency": "jpy", "status": "succeeded"}},
                        })
                        .to_string();
                        let signature = plog_api::stripe::webhook::sign(body.as_bytes(), &secret, now());
                        let sent = http.post(format!("{target}/v1/webhooks/stripe")).header("stripe-signature", signature).body(body).send().await;
                        if !sent.is_ok_and(|r| r.status().is_success()) {
                            failures += 1;
                        }
                    }
                });
            }
            let failures: usize = workers.join_all().await.into_iter().sum();
            let elapsed = started.elapsed();
            let paid: i64 = with_pool!(&pool, p =>
                sqlx::query_scalar("select count(*) from purchases where status = 'paid'").fetch_one(p).await)?;
            anyhow::ensure!(failures == 0, "{failures} deliveries failed");
            anyhow::ensure!(paid as usize == intents.len(), "only {paid} of {} purchases paid", intents.len());
            println!(
                "{{\"events\":{},\"seconds\":{:.3},\"events_per_second\":{:.0}}}",
                intents.len(),
                elapsed.as_secs_f64(),
                intents.len() as f64 / elapsed.as_secs_f64()
            );
        }
    }
    Ok(())
}

/// Median nanoseconds per `constant_time_eq(stored, candidate)` over `compares` calls, 9 rounds.
fn time_compares(stored: &str, candidate: &str, compares: usize) -> f64 {
    let mut rounds: Vec<f64> = (0..9)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..compares {
                std::hint::black_box(plog_api::tokens::constant_time_eq(
                    std::hint::black_box(stored),
                    std::hint::black_box(candidate),
                ));
            }
            started.elapsed().as_nanos() as f64 / compares as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[4]
}

fn flip(hash: &str, at: usize) -> String {
    let mut bytes = hash.as_bytes().to_vec();
    bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
    String::from_utf8(bytes).expect("hex stays ascii")
}
