//! Access tokens cannot be guessed, borrowed or revived: 100,000 random and mutated tokens —
//! flipped characters of a paid token, other paywalls' tokens, a refunded and an unpaid one,
//! malformed text — and not one unlocks anything or changes a purchase. The paid token still
//! unlocks at the end, so the run proves the refusals are the tokens' doing.
//!
//! The requests go through plog's whole router in-process (no sockets), eight at a time.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use plog_api::store::PurchaseFilter;
use rand::Rng;
use tower::ServiceExt;

use crate::helpers::*;

const MARKER: &str = "TOKEN-MARKER-5d1e";
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const TOTAL: usize = 100_000;

fn random_token(rng: &mut impl Rng, len: usize) -> String {
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// `token` with 1 to 3 characters (at distinct places) replaced by other characters.
fn mutated(rng: &mut impl Rng, token: &str) -> String {
    let mut bytes = token.as_bytes().to_vec();
    let count = rng.random_range(1..=3);
    let places = rand::seq::index::sample(rng, bytes.len(), count);
    for at in places {
        let mut replacement = ALPHABET[rng.random_range(0..ALPHABET.len())];
        while replacement == bytes[at] {
            replacement = ALPHABET[rng.random_range(0..ALPHABET.len())];
        }
        bytes[at] = replacement;
    }
    String::from_utf8(bytes).unwrap()
}

async fn paid_purchase(app: &TestApp, paywall: &str) -> (String, String) {
    let purchase = app.start_purchase(paywall).await;
    let (status, _) = pay_with_card(&purchase.client_secret, CARD_OK).await;
    assert_eq!(status, 200);
    let intent = intent_id(&purchase.client_secret);
    app.wait_for_status(&intent, "paid").await;
    (purchase.access_token, intent)
}

#[tokio::test]
async fn a_hundred_thousand_wrong_tokens_unlock_nothing() {
    let app = TestApp::spawn().await;
    let a = app.create_paywall(100, "jpy", &format!("A {MARKER}")).await;
    let b = app.create_paywall(100, "jpy", &format!("B {MARKER}")).await;
    let (paid_a, _) = paid_purchase(&app, &a).await;
    let (paid_b, _) = paid_purchase(&app, &b).await;
    let (refunded_a, refunded_intent) = paid_purchase(&app, &a).await;
    assert_eq!(app.send_event(&refund_event(&event_id(), &refunded_intent, 100)).await.status(), 200);
    app.wait_for_status(&refunded_intent, "refunded").await;
    let unpaid_a = app.start_purchase(&a).await.access_token;
    let before = purchase_states(&app).await;
    assert_eq!(before.len(), 4);

    let mut rng = rand::rng();
    let mut attempts: Vec<(String, String)> = Vec::with_capacity(TOTAL);
    for token in [&paid_b, &refunded_a, &unpaid_a] {
        attempts.push((a.clone(), token.clone()));
    }
    attempts.push((b.clone(), paid_a.clone()));
    while attempts.len() < TOTAL {
        let attempt = match attempts.len() % 10 {
            // Random tokens of the right shape: they reach the database lookup.
            0..=3 => (a.clone(), random_token(&mut rng, paid_a.len())),
            // Near misses of real tokens.
            4..=6 => (a.clone(), mutated(&mut rng, &paid_a)),
            7 => {
                let other = if rng.random_bool(0.5) { &paid_b } else { &refunded_a };
                (a.clone(), mutated(&mut rng, other))
            }
            // Real tokens on the wrong paywall, truncated or extended.
            8 => (
                b.clone(),
                if rng.random_bool(0.5) { paid_a[..paid_a.len() - 1].to_owned() } else { format!("{paid_a}A") },
            ),
            // Malformed text of any length.
            _ => {
                let len = rng.random_range(1..120);
                (a.clone(), random_token(&mut rng, len))
            }
        };
        attempts.push(attempt);
    }
    assert!(attempts.iter().all(|(paywall, token)| !(paywall == &a && token == &paid_a)));

    // Straight into the router: the content route reads the client's address (M2's limit) from
    // the connection info the server would attach.
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 40_000));
    let router = plog_api::http::router(app.state.clone()).layer(axum::extract::connect_info::MockConnectInfo(peer));
    let mut workers = tokio::task::JoinSet::new();
    for chunk in attempts.chunks(TOTAL / 8) {
        let (router, chunk) = (router.clone(), chunk.to_vec());
        workers.spawn(async move {
            let mut unlocked = Vec::new();
            for (paywall, token) in chunk {
                let request = Request::get(format!("/v1/paywalls/{paywall}/content"))
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap();
                let response = router.clone().oneshot(request).await.unwrap();
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1 << 20).await.unwrap();
                if status != StatusCode::PAYMENT_REQUIRED || String::from_utf8_lossy(&body).contains(MARKER) {
                    unlocked.push(format!("{paywall} {token}: {status}"));
                }
            }
            unlocked
        });
    }
    let unlocked: Vec<String> = workers.join_all().await.into_iter().flatten().collect();
    assert!(
        unlocked.is_empty(),
        "{} tokens were not refused with 402, e.g. {:?}",
        unlocked.len(),
        &unlocked[..unlocked.len().min(5)]
    );

    let after = purchase_states(&app).await;
    assert_eq!(after, before, "no purchase was created or changed");
    let control = app.content(&a, Some(&paid_a)).await;
    assert_eq!(control.status(), 200, "the real token still unlocks");
    assert!(control.text().await.unwrap().contains(MARKER));
}

/// Every purchase's id and state, to compare before and after.
async fn purchase_states(app: &TestApp) -> Vec<(String, String)> {
    let all = PurchaseFilter { limit: 1000, ..PurchaseFilter::default() };
    let purchases = app.store.purchases(&all).await.unwrap();
    purchases.into_iter().map(|p| (p.id.to_string(), p.status.as_str().to_owned())).collect()
}
