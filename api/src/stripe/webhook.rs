//! Stripe's signed webhook events: the signature check over the raw body and the few event
//! shapes plog acts on.
//!
//! `Stripe-Signature: t=TIMESTAMP,v1=HEX[,v1=HEX…]` carries an HMAC-SHA256 of `TIMESTAMP.BODY`
//! under the endpoint's secret. While a secret is being rotated Stripe sends one `v1` per
//! secret, so any matching `v1` is enough. The timestamp must be within the tolerance of now,
//! which bounds how long a captured request can be replayed.

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use crate::store::PaymentUpdate;

/// Stripe's default tolerance between the signed timestamp and now.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a webhook is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No `Stripe-Signature` header, or one without `t` or `v1`.
    #[error("missing or malformed Stripe-Signature header")]
    MalformedHeader,
    /// The timestamp is outside the tolerance.
    #[error("the signature's timestamp is outside the {TOLERANCE_SECS} s tolerance")]
    StaleTimestamp,
    /// No `v1` matches.
    #[error("no signature matches the payload")]
    BadSignature,
    /// The body is not an event plog can read.
    #[error("malformed event body: {0}")]
    MalformedBody(String),
}

/// Checks a `Stripe-Signature` header against the raw body.
pub fn verify_signature(header: &str, body: &[u8], secret: &str, now: i64) -> Result<(), WebhookError> {
    let mut timestamp: Option<i64> = None;
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.parse().ok(),
            Some(("v1", value)) => {
                if let Ok(bytes) = hex::decode(value) {
                    signatures.push(bytes);
                }
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::MalformedHeader)?;
    if signatures.is_empty() {
        return Err(WebhookError::MalformedHeader);
    }
    // abs_diff: a timestamp near i64::MIN must not overflow the subtraction.
    if now.abs_diff(timestamp) > TOLERANCE_SECS as u64 {
        return Err(WebhookError::StaleTimestamp);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| WebhookError::BadSignature)?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // `verify_slice` compares in constant time.
    let matches = signatures.iter().any(|candidate| mac.clone().verify_slice(candidate).is_ok());
    if matches { Ok(()) } else { Err(WebhookError::BadSignature) }
}

/// Signs a payload as Stripe does (for tests, the sandbox and the benchmark).
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// The envelope of every event.
#[derive(Debug, Deserialize)]
pub struct Event {
    /// `evt_…`, unique per event (redeliveries keep it).
    pub id: String,
    /// e.g. `payment_intent.succeeded`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The object the event is about.
    pub data: EventData,
}

/// `data` of an event.
#[derive(Debug, Deserialize)]
pub struct EventData {
    /// The object, read according to the event type.
    pub object: serde_json::Value,
}

#[derive(Deserialize)]
struct IntentObject {
    id: String,
    amount: i64,
    currency: String,
    #[serde(default)]
    last_payment_error: Option<ErrorObject>,
}

#[derive(Deserialize)]
struct ErrorObject {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

#[derive(Deserialize)]
struct ChargeObject {
    /// A string id (Stripe), or an expanded object (some emulators).
    payment_intent: Option<serde_json::Value>,
    amount: i64,
    #[serde(default)]
    amount_refunded: i64,
    #[serde(default)]
    refunded: bool,
}

impl Event {
    /// Parses an event from the raw body.
    pub fn parse(body: &[u8]) -> Result<Event, WebhookError> {
        serde_json::from_slice(body).map_err(|e| WebhookError::MalformedBody(e.to_string()))
    }

    /// What the event means for a purchase; `Ok(None)` for event types plog ignores.
    pub fn payment_update(&self) -> Result<Option<PaymentUpdate>, WebhookError> {
        let object = || self.data.object.clone();
        let malformed = |e: serde_json::Error| WebhookError::MalformedBody(format!("{}: {e}", self.event_type));
        Ok(match self.event_type.as_str() {
            "payment_intent.succeeded" => {
                let intent: IntentObject = serde_json::from_value(object()).map_err(malformed)?;
                Some(PaymentUpdate::Succeeded {
                    payment_intent_id: intent.id,
                    amount: intent.amount,
                    currency: intent.currency.to_ascii_lowercase(),
                })
            }
            "payment_intent.payment_failed" => {
                let intent: IntentObject = serde_json::from_value(object()).map_err(malformed)?;
                let message = intent.last_payment_error.and_then(|e| e.message.or(e.code));
                Some(PaymentUpdate::Failed { payment_intent_id: intent.id, message })
            }
            "charge.refunded" => {
                let charge: ChargeObject = serde_json::from_value(object()).map_err(malformed)?;
                let payment_intent_id = match &charge.payment_intent {
                    Some(serde_json::Value::String(id)) => Some(id.clone()),
                    Some(serde_json::Value::Object(o)) => o.get("id").and_then(|v| v.as_str()).map(str::to_owned),
                    _ => None,
                };
                // Only a full refund revokes access; a partial refund is a goodwill gesture.
                let full = charge.refunded || charge.amount_refunded >= charge.amount;
                match payment_intent_id {
                    Some(payment_intent_id) if full => Some(PaymentUpdate::Refunded { payment_intent_id }),
                    _ => None,
                }
            }
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    #[test]
    fn a_correct_signature_is_accepted() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, SECRET, 1_000);
        assert_eq!(verify_signature(&header, body, SECRET, 1_000), Ok(()));
    }

    #[test]
    fn a_forged_or_altered_signature_is_refused() {
        let body = br#"{"id":"evt_1"}"#;
        let header = sign(body, "whsec_other", 1_000);
        assert_eq!(verify_signature(&header, body, SECRET, 1_000), Err(WebhookError::BadSignature));
        let header = sign(body, SECRET, 1_000);
        assert_eq!(verify_signature(&header, br#"{"id":"evt_2"}"#, SECRET, 1_000), Err(WebhookError::BadSignature));
    }

    #[test]
    fn stale_and_future_timestamps_are_refused() {
        let body = b"{}";
        let header = sign(body, SECRET, 1_000);
        assert_eq!(verify_signature(&header, body, SECRET, 1_301), Err(WebhookError::StaleTimestamp));
        assert_eq!(verify_signature(&header, body, SECRET, 699), Err(WebhookError::StaleTimestamp));
        assert_eq!(verify_signature(&header, body, SECRET, 1_300), Ok(()));
    }

    #[test]
    fn any_matching_v1_is_enough() {
        let body = b"{}";
        let good = sign(body, SECRET, 1_000);
        let good_v1 = good.split_once(",v1=").unwrap().1;
        let header = format!("t=1000,v1={},v1={good_v1},v0=abc", "00".repeat(32));
        assert_eq!(verify_signature(&header, body, SECRET, 1_000), Ok(()));
    }

    #[test]
    fn headers_without_parts_are_malformed() {
        assert_eq!(verify_signature("", b"{}", SECRET, 0), Err(WebhookError::MalformedHeader));
        assert_eq!(verify_signature("t=1", b"{}", SECRET, 1), Err(WebhookError::MalformedHeader));
        assert_eq!(verify_signature("v1=00", b"{}", SECRET, 1), Err(WebhookError::MalformedHeader));
    }

    #[test]
    fn partial_refunds_do_not_revoke() {
        let event = Event::parse(br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"payment_intent":"pi_1","amount":100,"amount_refunded":50,"refunded":false}}}"#).unwrap();
        assert_eq!(event.payment_update(), Ok(None));
        let event = Event::parse(br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"payment_intent":"pi_1","amount":100,"amount_refunded":100,"refunded":true}}}"#).unwrap();
        assert_eq!(event.payment_update(), Ok(Some(PaymentUpdate::Refunded { payment_intent_id: "pi_1".into() })));
    }

    proptest::proptest! {
        /// Any header and body: no panic, and nothing passes that was not signed with the secret.
        #[test]
        fn no_header_passes_without_the_secret(header in "\\PC{0,200}", body in proptest::collection::vec(proptest::num::u8::ANY, 0..200), now in proptest::num::i64::ANY) {
            proptest::prop_assert!(verify_signature(&header, &body, SECRET, now).is_err());
        }

        /// Near-valid headers: real shape, any timestamp and hex, several v1s.
        #[test]
        fn shaped_headers_with_a_wrong_mac_are_refused(t in proptest::num::i64::ANY, v1s in proptest::collection::vec("[0-9a-f]{0,70}", 0..4), now in proptest::num::i64::ANY) {
            let header = std::iter::once(format!("t={t}")).chain(v1s.iter().map(|v| format!("v1={v}"))).collect::<Vec<_>>().join(",");
            let refused = verify_signature(&header, b"[]", SECRET, now).is_err();
            proptest::prop_assert!(refused);
        }

        /// Signed with the secret, within the tolerance: accepted, whatever the body.
        #[test]
        fn whatever_is_signed_in_time_is_accepted(body in proptest::collection::vec(proptest::num::u8::ANY, 0..300), t in 0_i64..4_000_000_000, skew in -TOLERANCE_SECS..=TOLERANCE_SECS) {
            proptest::prop_assert_eq!(verify_signature(&sign(&body, SECRET, t), &body, SECRET, t + skew), Ok(()));
        }

        /// Any bytes as an event body: parsed or refused, never a panic.
        #[test]
        fn any_body_parses_or_is_refused(body in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            if let Ok(event) = Event::parse(&body) {
                let _ = event.payment_update();
            }
        }
    }
}
