//! Stripe's signed webhook events: the signature check over the raw body and the few event
//! shapes plog acts on.
//!
//! `Stripe-Signature: t=TIMESTAMP,v1=HEX[,v1=HEX…]` carries an HMAC-SHA256 of `TIMESTAMP.BODY`
//! under the endpoint's secret. While a secret is being rotated Stripe sends one `v1` per
//! secret, so any matching `v1` is enough. The timestamp must not be older than the tolerance,
//! which bounds how long a captured request can be replayed. The parsing follows Stripe's own
//! libraries exactly (see [`verify_signature`]).

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::lifecycle::PaymentUpdate;

/// Stripe's default tolerance between the signed timestamp and now.
pub const TOLERANCE_SECS: i64 = 300;

/// Why a webhook is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// No `Stripe-Signature` header, or one without `t` or `v1`.
    #[error("missing or malformed Stripe-Signature header")]
    MalformedHeader,
    /// The timestamp is further in the past than the tolerance.
    #[error("the signature's timestamp is more than {TOLERANCE_SECS} s old")]
    StaleTimestamp,
    /// No `v1` matches.
    #[error("no signature matches the payload")]
    BadSignature,
    /// The body is not an event plog can read.
    #[error("malformed event body: {0}")]
    MalformedBody(String),
}

/// Checks a `Stripe-Signature` header against the raw body, as Stripe's own libraries do
/// (stripe-python's `WebhookSignature.verify_header`, stripe-node's `verifyHeader`): the header
/// is split on `,` and each part on `=`, without trimming; the first `t` is the timestamp; only
/// `v1` signatures count (`v0` and unknown schemes are ignored) and any matching one passes;
/// the hex is compared as sent (lowercase, as Stripe sends it), in constant time; a timestamp
/// more than the tolerance in the past is stale, one in the future is not (a clock behind
/// Stripe's must not drop events). A test holds this against stripe-python itself.
pub fn verify_signature(header: &str, body: &[u8], secret: &str, now: i64) -> Result<(), WebhookError> {
    let mut timestamp: Option<&str> = None;
    let mut signatures: Vec<&str> = Vec::new();
    for part in header.split(',') {
        let mut pieces = part.split('=');
        match (pieces.next(), pieces.next()) {
            (Some("t"), Some(value)) if timestamp.is_none() => timestamp = Some(value),
            (Some("v1"), Some(value)) => signatures.push(value),
            _ => {}
        }
    }
    let timestamp: i64 = timestamp.and_then(|t| t.parse().ok()).ok_or(WebhookError::MalformedHeader)?;
    if signatures.is_empty() {
        return Err(WebhookError::MalformedHeader);
    }
    // saturating: a timestamp near i64::MIN or MAX must not overflow.
    if timestamp < now.saturating_sub(TOLERANCE_SECS) {
        return Err(WebhookError::StaleTimestamp);
    }
    let expected = hex::encode(mac(body, secret, timestamp));
    let matches = signatures.iter().any(|candidate| bool::from(expected.as_bytes().ct_eq(candidate.as_bytes())));
    if matches { Ok(()) } else { Err(WebhookError::BadSignature) }
}

/// HMAC-SHA256 of `TIMESTAMP.BODY` under the secret.
fn mac(body: &[u8], secret: &str, timestamp: i64) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// Signs a payload as Stripe does (for tests, the sandbox and the benchmark).
pub fn sign(body: &[u8], secret: &str, timestamp: i64) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(body, secret, timestamp)))
}

/// The envelope of every event. Only what plog reads is declared, so events of the pinned
/// version, of older versions (a creator's old endpoint) and of newer ones parse alike; a thin
/// event (`"object": "v2.core.event"`) has no `data` and is acknowledged and ignored.
#[derive(Debug, Deserialize)]
pub struct Event {
    /// `evt_…`, unique per event (redeliveries keep it).
    pub id: String,
    /// `event`, or `v2.core.event` for a thin event.
    #[serde(default)]
    pub object: Option<String>,
    /// e.g. `payment_intent.succeeded` (thin events: `v1.payment_intent.succeeded`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// The API version the event was rendered in (`None` in thin events).
    #[serde(default)]
    pub api_version: Option<String>,
    /// The object the event is about (absent in thin events).
    #[serde(default)]
    pub data: Option<EventData>,
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
    /// What Stripe actually took (present since 2019; when it is there it is the figure
    /// checked against the purchase).
    #[serde(default)]
    amount_received: Option<i64>,
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

/// A PaymentIntent reference: a string id (Stripe), or an expanded object (some emulators).
fn intent_id(value: &Option<serde_json::Value>) -> Option<String> {
    match value {
        Some(serde_json::Value::String(id)) => Some(id.clone()),
        Some(serde_json::Value::Object(o)) => o.get("id").and_then(|v| v.as_str()).map(str::to_owned),
        _ => None,
    }
}

#[derive(Deserialize)]
struct ChargeObject {
    payment_intent: Option<serde_json::Value>,
    amount: i64,
    #[serde(default)]
    amount_refunded: i64,
    #[serde(default)]
    refunded: bool,
}

#[derive(Deserialize)]
struct RefundObject {
    #[serde(default)]
    payment_intent: Option<serde_json::Value>,
    amount: i64,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Deserialize)]
struct DisputeObject {
    #[serde(default)]
    payment_intent: Option<serde_json::Value>,
    status: String,
}

/// The event types plog acts on; every other type is acknowledged and ignored. The README's
/// go-live steps subscribe the webhook endpoint to exactly these, and `plog doctor` checks it.
pub const HANDLED_EVENTS: [&str; 10] = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
    "charge.refund.updated",
    "charge.dispute.created",
    "charge.dispute.updated",
    "charge.dispute.funds_withdrawn",
    "charge.dispute.funds_reinstated",
    "charge.dispute.closed",
];

impl Event {
    /// Parses an event from the raw body.
    pub fn parse(body: &[u8]) -> Result<Event, WebhookError> {
        serde_json::from_slice(body).map_err(|e| WebhookError::MalformedBody(e.to_string()))
    }

    /// A thin event (Stripe's v2 event notifications): it carries no object, only a reference.
    pub fn is_thin(&self) -> bool {
        self.object.as_deref() == Some("v2.core.event")
    }

    /// What the event means for a purchase; `Ok(None)` for event types plog ignores and for
    /// thin events.
    pub fn payment_update(&self) -> Result<Option<PaymentUpdate>, WebhookError> {
        if self.is_thin() || !HANDLED_EVENTS.contains(&self.event_type.as_str()) {
            return Ok(None);
        }
        let Some(data) = &self.data else {
            return Err(WebhookError::MalformedBody(format!("{}: the event has no data", self.event_type)));
        };
        let object = || data.object.clone();
        let malformed = |e: serde_json::Error| WebhookError::MalformedBody(format!("{}: {e}", self.event_type));
        Ok(match self.event_type.as_str() {
            "payment_intent.succeeded" => {
                let intent: IntentObject = serde_json::from_value(object()).map_err(malformed)?;
                Some(PaymentUpdate::Succeeded {
                    payment_intent_id: intent.id,
                    amount: intent.amount_received.filter(|received| *received > 0).unwrap_or(intent.amount),
                    currency: intent.currency.to_ascii_lowercase(),
                })
            }
            "payment_intent.payment_failed" => {
                let intent: IntentObject = serde_json::from_value(object()).map_err(malformed)?;
                let message = intent.last_payment_error.and_then(|e| e.message.or(e.code));
                Some(PaymentUpdate::Failed { payment_intent_id: intent.id, message })
            }
            "payment_intent.canceled" => {
                let intent: IntentObject = serde_json::from_value(object()).map_err(malformed)?;
                Some(PaymentUpdate::Canceled { payment_intent_id: intent.id })
            }
            "charge.refunded" => {
                let charge: ChargeObject = serde_json::from_value(object()).map_err(malformed)?;
                // A charge that is not a PaymentIntent's is not plog's: nothing to do.
                intent_id(&charge.payment_intent).map(|payment_intent_id| PaymentUpdate::Refunded {
                    payment_intent_id,
                    amount_refunded: charge.amount_refunded,
                    full: charge.refunded || charge.amount_refunded >= charge.amount,
                })
            }
            "charge.refund.updated" => {
                let refund: RefundObject = serde_json::from_value(object()).map_err(malformed)?;
                match refund.status.as_deref() {
                    // The money did not go back after all (`charge.refunded` counted it).
                    Some("failed" | "canceled") => intent_id(&refund.payment_intent).map(|payment_intent_id| {
                        PaymentUpdate::RefundReversed { payment_intent_id, amount: refund.amount }
                    }),
                    _ => None,
                }
            }
            _dispute_event => {
                // Every dispute event carries the dispute; its status, not the event's name,
                // says whether it is still open, so a late `funds_reinstated` after a won
                // `closed` cannot revoke again.
                let dispute: DisputeObject = serde_json::from_value(object()).map_err(malformed)?;
                // A dispute of a charge that is not a PaymentIntent's is not plog's.
                let Some(payment_intent_id) = intent_id(&dispute.payment_intent) else { return Ok(None) };
                let closed = matches!(dispute.status.as_str(), "won" | "lost" | "warning_closed" | "prevented");
                Some(if closed {
                    PaymentUpdate::DisputeClosed { payment_intent_id, status: dispute.status }
                } else {
                    PaymentUpdate::DisputeOpened { payment_intent_id, status: dispute.status }
                })
            }
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
    fn stale_timestamps_are_refused_and_future_ones_pass_as_in_stripes_libraries() {
        let body = b"{}";
        let header = sign(body, SECRET, 1_000);
        assert_eq!(verify_signature(&header, body, SECRET, 1_301), Err(WebhookError::StaleTimestamp));
        assert_eq!(verify_signature(&header, body, SECRET, 1_300), Ok(()));
        assert_eq!(verify_signature(&header, body, SECRET, 10), Ok(()));
    }

    #[test]
    fn parts_are_not_trimmed_and_hex_is_compared_as_sent() {
        let body = b"{}";
        let good = sign(body, SECRET, 1_000);
        let v1 = good.split_once(",v1=").unwrap().1;
        assert_eq!(
            verify_signature(&format!("t=1000, v1={v1}"), body, SECRET, 1_000),
            Err(WebhookError::MalformedHeader)
        );
        assert_eq!(
            verify_signature(&format!("t=1000,v1={}", v1.to_uppercase()), body, SECRET, 1_000),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(verify_signature(&format!("t=1000,v1={v1},t=5"), body, SECRET, 1_000), Ok(()));
    }

    #[test]
    fn any_matching_v1_is_enough() {
        let body = b"{}";
        let good = sign(body, SECRET, 1_000);
        let good_v1 = good.split_once(",v1=").unwrap().1;
        let header = format!("t=1000,v1={},v1={good_v1},v0=abc,v2=zz", "00".repeat(32));
        assert_eq!(verify_signature(&header, body, SECRET, 1_000), Ok(()));
    }

    #[test]
    fn headers_without_parts_are_malformed() {
        assert_eq!(verify_signature("", b"{}", SECRET, 0), Err(WebhookError::MalformedHeader));
        assert_eq!(verify_signature("t=1", b"{}", SECRET, 1), Err(WebhookError::MalformedHeader));
        assert_eq!(verify_signature("v1=00", b"{}", SECRET, 1), Err(WebhookError::MalformedHeader));
    }

    #[test]
    fn refunds_say_how_much_and_whether_in_full() {
        let event = Event::parse(br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"payment_intent":"pi_1","amount":100,"amount_refunded":50,"refunded":false}}}"#).unwrap();
        assert_eq!(
            event.payment_update(),
            Ok(Some(PaymentUpdate::Refunded { payment_intent_id: "pi_1".into(), amount_refunded: 50, full: false }))
        );
        let event = Event::parse(br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"payment_intent":"pi_1","amount":100,"amount_refunded":100,"refunded":true}}}"#).unwrap();
        assert_eq!(
            event.payment_update(),
            Ok(Some(PaymentUpdate::Refunded { payment_intent_id: "pi_1".into(), amount_refunded: 100, full: true }))
        );
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
