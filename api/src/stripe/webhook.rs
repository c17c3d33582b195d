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
    /// The connected account the event happened on (`acct_…`): present exactly on the events
    /// a Connect endpoint receives.
    #[serde(default)]
    pub account: Option<String>,
}

/// `data` of an event.
#[derive(Debug, Deserialize)]
pub struct EventData {
    /// The object, read according to the event type.
    pub object: serde_json::Value,
}

/// A PaymentIntent as an event carries it (only what plog reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IntentObject {
    /// `pi_…`.
    pub id: String,
    /// Minor units asked.
    pub amount: i64,
    /// What Stripe actually took (present since 2019; when it is there it is the figure
    /// checked against the purchase).
    #[serde(default)]
    pub amount_received: Option<i64>,
    /// ISO code as Stripe writes it.
    pub currency: String,
    /// Why the last attempt failed.
    #[serde(default)]
    pub last_payment_error: Option<PaymentErrorObject>,
}

/// `last_payment_error` of a PaymentIntent.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentErrorObject {
    /// Stripe's message for people.
    #[serde(default)]
    pub message: Option<String>,
    /// Stripe's code, e.g. `card_declined`.
    #[serde(default)]
    pub code: Option<String>,
}

/// A PaymentIntent reference: a string id (Stripe), or an expanded object (some emulators).
fn intent_ref<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(deserializer)? {
        Some(serde_json::Value::String(id)) => Some(id),
        Some(serde_json::Value::Object(o)) => o.get("id").and_then(|v| v.as_str()).map(str::to_owned),
        _ => None,
    })
}

/// A charge (`charge.refunded`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChargeObject {
    /// The PaymentIntent it belongs to (`None`: a charge made some other way).
    #[serde(default, deserialize_with = "intent_ref")]
    pub payment_intent: Option<String>,
    /// Minor units charged.
    pub amount: i64,
    /// Refunded so far, minor units.
    #[serde(default)]
    pub amount_refunded: i64,
    /// Refunded in full.
    #[serde(default)]
    pub refunded: bool,
}

/// A refund (`charge.refund.updated`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RefundObject {
    /// The refund (`re_…`): a refund's failure is applied once, by it.
    pub id: String,
    /// The PaymentIntent refunded.
    #[serde(default, deserialize_with = "intent_ref")]
    pub payment_intent: Option<String>,
    /// Minor units.
    pub amount: i64,
    /// `pending`, `succeeded`, `failed`, `canceled`, `requires_action`.
    #[serde(default)]
    pub status: Option<String>,
}

/// A dispute (every `charge.dispute.*` event).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DisputeObject {
    /// The PaymentIntent disputed.
    #[serde(default, deserialize_with = "intent_ref")]
    pub payment_intent: Option<String>,
    /// Stripe's dispute status (`needs_response`, …, `won`, `lost`).
    pub status: plog_shared::api::DisputeStatus,
}

/// The object of an event plog acts on, by event type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventObject {
    /// `payment_intent.succeeded`.
    IntentSucceeded(IntentObject),
    /// `payment_intent.payment_failed`.
    IntentFailed(IntentObject),
    /// `payment_intent.canceled`.
    IntentCanceled(IntentObject),
    /// `charge.refunded`.
    ChargeRefunded(ChargeObject),
    /// `charge.refund.updated`.
    RefundUpdated(RefundObject),
    /// `charge.dispute.created|updated|funds_withdrawn|funds_reinstated|closed`.
    Dispute(DisputeObject),
    /// `account.updated` (Connect): whether the account now takes card payments.
    AccountUpdated(AccountObject),
    /// `account.application.deauthorized` (Connect): the event's account left the platform.
    AccountDeauthorized,
}

/// A connected account as `account.updated` carries it (only what plog reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountObject {
    /// `acct_…`.
    pub id: String,
    /// Whether Stripe lets it take charges.
    #[serde(default)]
    pub charges_enabled: Option<bool>,
    /// Its capabilities' statuses.
    #[serde(default)]
    pub capabilities: Option<AccountCapabilitiesObject>,
}

/// `capabilities` of an [`AccountObject`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountCapabilitiesObject {
    /// `active`, `pending`, `inactive`.
    #[serde(default)]
    pub card_payments: Option<String>,
}

impl AccountObject {
    /// Whether it takes card payments now (the rule of `stripe::connect`).
    pub fn takes_card_payments(&self) -> bool {
        super::connect::takes_card_payments(
            self.charges_enabled,
            self.capabilities.as_ref().and_then(|c| c.card_payments.as_deref()),
        )
    }
}

/// The event types of connected accounts plog acts on besides [`HANDLED_EVENTS`]: the Connect
/// endpoint is subscribed to both lists (`plog doctor` checks it).
pub const ACCOUNT_EVENTS: [&str; 2] = ["account.updated", "account.application.deauthorized"];

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

    /// The object of an event plog acts on, read by its type; `Ok(None)` for event types plog
    /// ignores and for thin events.
    pub fn object(&self) -> Result<Option<EventObject>, WebhookError> {
        if self.event_type == "account.application.deauthorized" && !self.is_thin() {
            return Ok(Some(EventObject::AccountDeauthorized));
        }
        let handled = HANDLED_EVENTS.contains(&self.event_type.as_str()) || self.event_type == "account.updated";
        if self.is_thin() || !handled {
            return Ok(None);
        }
        let Some(data) = &self.data else {
            return Err(WebhookError::MalformedBody(format!("{}: the event has no data", self.event_type)));
        };
        fn read<T: serde::de::DeserializeOwned>(event: &Event, data: &EventData) -> Result<T, WebhookError> {
            serde_json::from_value(data.object.clone())
                .map_err(|e| WebhookError::MalformedBody(format!("{}: {e}", event.event_type)))
        }
        Ok(Some(match self.event_type.as_str() {
            "payment_intent.succeeded" => EventObject::IntentSucceeded(read(self, data)?),
            "payment_intent.payment_failed" => EventObject::IntentFailed(read(self, data)?),
            "payment_intent.canceled" => EventObject::IntentCanceled(read(self, data)?),
            "charge.refunded" => EventObject::ChargeRefunded(read(self, data)?),
            "charge.refund.updated" => EventObject::RefundUpdated(read(self, data)?),
            "account.updated" => EventObject::AccountUpdated(read(self, data)?),
            _dispute_event => EventObject::Dispute(read(self, data)?),
        }))
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
    fn objects_are_read_by_event_type_with_intent_references_as_ids() {
        let event = Event::parse(br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{"payment_intent":{"id":"pi_1"},"amount":100,"amount_refunded":50,"refunded":false}}}"#).unwrap();
        assert_eq!(
            event.object(),
            Ok(Some(EventObject::ChargeRefunded(ChargeObject {
                payment_intent: Some("pi_1".into()),
                amount: 100,
                amount_refunded: 50,
                refunded: false
            })))
        );
        let ignored = Event::parse(br#"{"id":"evt_2","type":"customer.created","data":{"object":{}}}"#).unwrap();
        assert_eq!(ignored.object(), Ok(None));
        let broken =
            Event::parse(br#"{"id":"evt_3","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1"}}}"#)
                .unwrap();
        assert!(matches!(broken.object(), Err(WebhookError::MalformedBody(_))));
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

        /// Any bytes as an event body: an event is read only from a JSON object whose `id` and
        /// `type` it keeps; anything else is refused as malformed.
        #[test]
        fn any_body_is_read_only_from_a_json_event_or_refused(body in proptest::collection::vec(proptest::num::u8::ANY, 0..400)) {
            let json: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
            match Event::parse(&body) {
                Ok(event) => {
                    let json = json.expect("an event is read only from JSON");
                    proptest::prop_assert_eq!(json["id"].as_str(), Some(event.id.as_str()));
                    proptest::prop_assert_eq!(json["type"].as_str(), Some(event.event_type.as_str()));
                    if !event.is_thin() && !HANDLED_EVENTS.contains(&event.event_type.as_str()) {
                        proptest::prop_assert_eq!(event.object(), Ok(None));
                    }
                }
                Err(error) => {
                    proptest::prop_assert!(matches!(error, WebhookError::MalformedBody(_)));
                    let is_event = json.as_ref().is_some_and(|j| j["id"].is_string() && j["type"].is_string() && ["data", "object", "api_version"].iter().all(|k| j.get(k).is_none()));
                    proptest::prop_assert!(!is_event, "a minimal event was refused");
                }
            }
        }

        /// Built events (handled or not, thin or not, with or without data) are read back whole.
        #[test]
        fn built_events_are_read_with_their_id_and_type(id in "[a-zA-Z0-9_]{1,30}", kind in "[a-z_.]{1,40}", thin in proptest::bool::ANY) {
            let object = if thin { r#","object":"v2.core.event""# } else { "" };
            let body = format!(r#"{{"id":"{id}","type":"{kind}"{object}}}"#);
            let event = Event::parse(body.as_bytes()).unwrap();
            proptest::prop_assert_eq!(&event.id, &id);
            proptest::prop_assert_eq!(&event.event_type, &kind);
            proptest::prop_assert_eq!(event.is_thin(), thin);
        }
    }
}
