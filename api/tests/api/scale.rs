//! Several replicas, crashes and shutdowns: every payment Stripe took ends as a paid purchase,
//! exactly once. Runs on the engine under test (SQLite files shared by processes, or PostgreSQL).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use plog_api::store::{NewPurchase, Store};
use plog_api::stripe::webhook::sign;
use plog_shared::api::{NewPaywall, Price};
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::helpers::*;
use crate::processes::PlogProcess;

/// A database of the engine under test, migrated, with one paywall and `n` pending purchases
/// whose PaymentIntents are `pi_{tag}{i}`.
async fn seeded(dir: &std::path::Path, tag: &str, n: usize) -> (String, Store, Vec<String>) {
    let url = fresh_database(dir).await;
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let paywall = plog_api::catalog::create(
        &store,
        &NewPaywall {
            title: "Scale".into(),
            teaser: None,
            price: Price { amount: 100, currency: "jpy".into() },
            content_markdown: "paid".into(),
            origins: vec![],
            mode: Default::default(),
            suggested_amount: None,
            max_amount: None,
            preset_amounts: vec![],
            show_count: false,
            free_markdown: String::new(),
            image_url: None,
            canonical_url: None,
        },
        now(),
    )
    .await
    .unwrap();
    let mut intents = Vec::new();
    for i in 0..n {
        let intent = format!("pi_{tag}{i:05}");
        store
            .insert_purchase(
                &NewPurchase {
                    id: plog_api::tokens::new_purchase_id(),
                    paywall_id: paywall.id.clone(),
                    payment_intent_id: intent.clone(),
                    token_hash: plog_api::tokens::token_hash(&intent),
                    price: plog_shared::Money::parse(100, "jpy").unwrap(),
                    client_key: None,
                    mode: plog_shared::api::PaywallMode::Fixed,
                    receipt: None,
                    pass: None,
                    discount: None,
                    stripe_account: None,
                    application_fee: 0,
                },
                now(),
            )
            .await
            .unwrap();
        intents.push(intent);
    }
    (url, store, intents)
}

/// The events of a storm and the state each purchase must end in, whatever the order:
/// a third are paid after a failed attempt, a third refunded after payment, a third only
/// failed; plus events of a type plog ignores. 1,000 events for 300 purchases.
fn storm(intents: &[String]) -> (Vec<Value>, HashMap<String, &'static str>) {
    let mut events = Vec::new();
    let mut expected = HashMap::new();
    for (i, intent) in intents.iter().enumerate() {
        let failed = intent_event(&event_id(), "payment_intent.payment_failed", intent, 100, "jpy");
        let succeeded = intent_event(&event_id(), "payment_intent.succeeded", intent, 100, "jpy");
        match i % 3 {
            0 => {
                events.extend([failed, succeeded, refund_event(&event_id(), intent, 100)]);
                expected.insert(intent.clone(), "refunded");
            }
            1 => {
                events.extend([failed, succeeded]);
                expected.insert(intent.clone(), "paid");
            }
            _ => {
                events.extend([failed, intent_event(&event_id(), "payment_intent.payment_failed", intent, 100, "jpy")]);
                expected.insert(intent.clone(), "failed");
            }
        }
    }
    while events.len() < 1_000 {
        let mut other = intent_event(&event_id(), "customer.created", "pi_none", 0, "jpy");
        other["data"]["object"] = serde_json::json!({"id": "cus_x", "object": "customer"});
        events.push(other);
    }
    (events, expected)
}

/// Every event two to four times, all deliveries shuffled.
fn deliveries(events: &[Value]) -> Vec<Arc<String>> {
    let mut rng = rand::rng();
    let mut all = Vec::new();
    for event in events {
        let body = Arc::new(event.to_string());
        for _ in 0..rng.random_range(2..=4) {
            all.push(body.clone());
        }
    }
    all.shuffle(&mut rng);
    all
}

/// Sends deliveries to the replicas in turn, 32 at a time; returns each one's answer
/// (status and outcome), or `None` where no answer came (connection refused or cut).
async fn deliver(bodies: &[Arc<String>], replicas: &[String]) -> Vec<Option<(u16, String)>> {
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let limit = Arc::new(Semaphore::new(32));
    let mut tasks = Vec::new();
    for (i, body) in bodies.iter().enumerate() {
        let (http, body, limit) = (http.clone(), body.clone(), limit.clone());
        let url = format!("{}/v1/webhooks/stripe", replicas[i % replicas.len()]);
        tasks.push(tokio::spawn(async move {
            let _permit = limit.acquire().await.unwrap();
            let signature = sign(body.as_bytes(), WEBHOOK_SECRET, now());
            let response =
                http.post(url).header("stripe-signature", signature).body(body.to_string()).send().await.ok()?;
            let status = response.status().as_u16();
            let outcome = response.json::<Value>().await.ok()?["outcome"].as_str().unwrap_or_default().to_owned();
            Some((status, outcome))
        }));
    }
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap());
    }
    answers
}

async fn assert_final_state(store: &Store, expected: &HashMap<String, &'static str>, unique_events: usize) {
    assert_eq!(store.event_count().await.unwrap() as usize, unique_events, "one row per Stripe event");
    for (intent, status) in expected {
        let purchase = store.purchase_by_intent(intent).await.unwrap().unwrap();
        assert_eq!(purchase.status.as_str(), *status, "{intent}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_apply_a_shuffled_storm_of_duplicated_events_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let (url, store, intents) = seeded(dir.path(), "rep", 300).await;
    let (events, expected) = storm(&intents);
    assert_eq!(events.len(), 1_000);
    let bodies = deliveries(&events);
    let a = PlogProcess::start(&url, free_port()).await;
    let b = PlogProcess::start(&url, free_port()).await;

    let started = Instant::now();
    let answers = deliver(&bodies, &[a.address.clone(), b.address.clone()]).await;
    let elapsed = started.elapsed();

    let designed: HashSet<&str> = ["applied", "duplicate", "unchanged", "ignored"].into();
    for answer in &answers {
        let (status, outcome) = answer.as_ref().expect("every delivery is answered");
        assert_eq!(*status, 200, "{outcome}");
        assert!(designed.contains(outcome.as_str()), "undesigned outcome {outcome}");
    }
    let duplicates = answers.iter().flatten().filter(|(_, o)| o == "duplicate").count();
    assert_eq!(duplicates, bodies.len() - 1_000, "every redelivery was recognised");
    assert_final_state(&store, &expected, 1_000).await;
    eprintln!(
        "replicas: 2 processes, {} deliveries of 1,000 events for 300 purchases on {} in {elapsed:?}",
        bodies.len(),
        store.engine()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_9_in_a_webhook_storm_loses_nothing_that_was_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let (url, store, intents) = seeded(dir.path(), "crash", 150).await;
    let (events, expected) = storm(&intents);
    let bodies = deliveries(&events[..450]);
    let unique: HashSet<&str> = events[..450].iter().map(|e| e["id"].as_str().unwrap()).collect();
    let port = free_port();
    let mut plog = PlogProcess::start(&url, port).await;

    // Kill the process once a third of the storm has been answered.
    let address = plog.address.clone();
    let storm = tokio::spawn({
        let bodies = bodies.clone();
        async move { deliver(&bodies, &[address]).await }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while (store.event_count().await.unwrap() as usize) < unique.len() / 3 {
        assert!(Instant::now() < deadline, "the storm did not get going");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    plog.kill_hard();
    let answers = storm.await.unwrap();

    // What was answered 2xx is committed, and nothing is half-applied.
    let recorded = store.recorded_events().await.unwrap();
    let recorded_ids: HashSet<&str> = recorded.iter().map(|(id, _, _)| id.as_str()).collect();
    let acknowledged: HashSet<String> = bodies
        .iter()
        .zip(&answers)
        .filter(|(_, a)| matches!(a, Some((200, _))))
        .map(|(b, _)| serde_json::from_str::<Value>(b).unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!acknowledged.is_empty() && acknowledged.len() < unique.len(), "the kill fell mid-storm");
    for id in &acknowledged {
        assert!(recorded_ids.contains(id.as_str()), "{id} was answered 2xx but is not stored");
    }
    for intent in expected.keys() {
        let status = store.purchase_by_intent(intent).await.unwrap().unwrap().status;
        let seen = |kind: &str| recorded.iter().any(|(_, t, pi)| t == kind && pi.as_deref() == Some(intent.as_str()));
        let implied = if seen("charge.refunded") {
            "refunded"
        } else if seen("payment_intent.succeeded") {
            "paid"
        } else if seen("payment_intent.payment_failed") {
            "failed"
        } else {
            "pending"
        };
        assert_eq!(status.as_str(), implied, "{intent}: the stored state matches exactly the stored events");
    }

    // Stripe redelivers everything that got no 2xx.
    let plog = PlogProcess::start(&url, port).await;
    let missing: Vec<Arc<String>> =
        bodies.iter().zip(&answers).filter(|(_, a)| !matches!(a, Some((200, _)))).map(|(b, _)| b.clone()).collect();
    let retried = deliver(&missing, std::slice::from_ref(&plog.address)).await;
    assert!(retried.iter().all(|a| matches!(a, Some((200, _)))));
    let expected: HashMap<String, &str> = expected.into_iter().filter(|(pi, _)| intents[..150].contains(pi)).collect();
    assert_final_state(&store, &expected, unique.len()).await;
    eprintln!(
        "crash: {} deliveries, {} acknowledged before kill -9, {} redelivered, {} engine",
        bodies.len(),
        answers.iter().filter(|a| matches!(a, Some((200, _)))).count(),
        missing.len(),
        store.engine()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_together_apply_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(dir.path()).await;
    let mut starts = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let url = url.clone();
        starts.spawn(async move {
            let store = Store::connect(&url).await?;
            store.migrate().await?;
            anyhow::Ok(store)
        });
    }
    let stores: Vec<Store> = starts.join_all().await.into_iter().map(|s| s.expect("every replica starts")).collect();
    drop(stores);
    let applied: i64 = if url.starts_with("sqlite:") {
        let mut c = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
        sqlx::query_scalar("select count(*) from _sqlx_migrations").fetch_one(&mut c).await.unwrap()
    } else {
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await.unwrap();
        sqlx::query_scalar("select count(*) from _sqlx_migrations").fetch_one(&mut c).await.unwrap()
    };
    let migrations =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap().count() as i64;
    assert_eq!(applied, migrations, "each migration recorded once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_an_in_flight_webhook_finish_then_stops() {
    let dir = tempfile::tempdir().unwrap();
    let (url, store, intents) = seeded(dir.path(), "term", 1).await;
    let mut plog = PlogProcess::start(&url, free_port()).await;
    // Hold the database's write lock so the webhook stays in flight.
    let blocker = WriteLock::take(&url).await;
    let event = intent_event(&event_id(), "payment_intent.succeeded", &intents[0], 100, "jpy");
    let body = event.to_string();
    let url_hook = format!("{}/v1/webhooks/stripe", plog.address);
    let in_flight = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url_hook)
            .header("stripe-signature", sign(body.as_bytes(), WEBHOOK_SECRET, now()))
            .body(body)
            .send()
            .await
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    plog.terminate();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let refused = reqwest::Client::new().get(format!("{}/healthz", plog.address)).send().await;
    assert!(refused.is_err(), "no new connections after SIGTERM");
    assert!(!in_flight.is_finished(), "the webhook is still waiting for the database");
    blocker.release().await;
    let answer = in_flight.await.unwrap().expect("the in-flight webhook is answered");
    assert_eq!(answer.status(), 200);
    assert!(plog.wait(Duration::from_secs(10)), "plog exits cleanly");
    assert_eq!(store.purchase_by_intent(&intents[0]).await.unwrap().unwrap().status.as_str(), "paid");
}

/// A transaction holding the lock a webhook's first write needs.
enum WriteLock {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl WriteLock {
    async fn take(url: &str) -> WriteLock {
        use sqlx::Connection;
        if url.starts_with("sqlite:") {
            let mut c = sqlx::SqliteConnection::connect(url).await.unwrap();
            sqlx::query("begin immediate").execute(&mut c).await.unwrap();
            WriteLock::Sqlite(c)
        } else {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query("begin").execute(&mut c).await.unwrap();
            sqlx::query("lock table stripe_events in exclusive mode").execute(&mut c).await.unwrap();
            WriteLock::Postgres(c)
        }
    }

    async fn release(self) {
        match self {
            WriteLock::Sqlite(mut c) => sqlx::query("rollback").execute(&mut c).await.map(|_| ()),
            WriteLock::Postgres(mut c) => sqlx::query("rollback").execute(&mut c).await.map(|_| ()),
        }
        .unwrap();
    }
}
