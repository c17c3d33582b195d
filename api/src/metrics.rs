//! What plog counts for Prometheus (`GET /metrics`, behind the admin token): one registry per
//! running server, so tests that start many servers in one process never share a counter.
//! Names and labels are listed in the README's "Metrics"; every family is created here, and
//! the modules that observe something call the small methods below.
//!
//! Labels stay bounded: routes are axum's route templates (`/v1/paywalls/{id}`), never raw
//! paths, and no label carries an id, an address or an amount.

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A request, by the route it matched.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

/// An answered request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResponseLabels {
    route: String,
    method: String,
    status: String,
}

/// One label, `event`, `outcome`, `result` or `state`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabel {
    event: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StripeLabels {
    operation: &'static str,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Request latencies from 1 ms to about 16 s.
fn request_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// Stripe call latencies from 10 ms to about 40 s (three attempts of the timeout).
fn stripe_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.0, 13))
}

/// Every metric of one server.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<ResponseLabels, Counter>,
    request_seconds: Histograms<RouteLabels>,
    rate_limited: Family<RouteLabels, Counter>,
    purchases: Family<EventLabel, Counter>,
    webhooks: Family<OutcomeLabel, Counter>,
    stripe_seconds: Histograms<StripeLabels>,
    mails: Family<ResultLabel, Counter>,
    admin_refusals: Family<ResultLabel, Counter>,
    db_connections: Family<StateLabel, Gauge>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with every family plog reports, all at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("plog");
        let requests = Family::<ResponseLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route template, method and status",
            requests.clone(),
        );
        let request_seconds = Histograms::<RouteLabels>::new_with_constructor(request_buckets as fn() -> Histogram);
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request", request_seconds.clone());
        let rate_limited = Family::<RouteLabels, Counter>::default();
        registry.register("rate_limited", "Requests refused by a rate limit (429), by route", rate_limited.clone());
        let purchases = Family::<EventLabel, Counter>::default();
        registry.register(
            "purchases",
            "Purchase events: started (a PaymentIntent made), paid, failed, canceled, refunded, partially_refunded, disputed",
            purchases.clone(),
        );
        let webhooks = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "webhook_events",
            "Stripe webhook deliveries, by outcome (applied, unchanged, ignored, duplicate, amount_mismatch, unknown_payment_intent, refused)",
            webhooks.clone(),
        );
        let stripe_seconds = Histograms::<StripeLabels>::new_with_constructor(stripe_buckets as fn() -> Histogram);
        registry.register(
            "stripe_request_duration_seconds",
            "Stripe API calls, by operation and result (ok, error), retries included",
            stripe_seconds.clone(),
        );
        let mails = Family::<ResultLabel, Counter>::default();
        registry.register("mails", "Receipts and restore codes handed to SMTP: sent, refused, failed", mails.clone());
        let admin_refusals = Family::<ResultLabel, Counter>::default();
        registry.register(
            "admin_token_refusals",
            "Admin-token checks refused (API, /metrics, dashboard sign-in): wrong token, or limited after too many",
            admin_refusals.clone(),
        );
        let db_connections = Family::<StateLabel, Gauge>::default();
        registry.register("db_connections", "Database pool connections, in_use and idle", db_connections.clone());
        Metrics {
            registry,
            requests,
            request_seconds,
            rate_limited,
            purchases,
            webhooks,
            stripe_seconds,
            mails,
            admin_refusals,
            db_connections,
        }
    }

    /// One answered request on `route` (its template; `unmatched` for none).
    pub fn observe_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let labels = RouteLabels { route: route.to_owned(), method: method.to_owned() };
        self.request_seconds.get_or_create(&labels).observe(took.as_secs_f64());
        if status == 429 {
            self.rate_limited.get_or_create(&labels).inc();
        }
        let labels = ResponseLabels { route: labels.route, method: labels.method, status: status.to_string() };
        self.requests.get_or_create(&labels).inc();
    }

    /// A purchase event (`started`, `paid`, …; see [`Metrics::new`]).
    pub fn purchase(&self, event: &'static str) {
        self.purchases.get_or_create(&EventLabel { event }).inc();
    }

    /// A webhook delivery and what it did.
    pub fn webhook(&self, outcome: &'static str) {
        self.webhooks.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// One Stripe call (with its retries).
    pub fn stripe_call(&self, operation: &'static str, ok: bool, took: Duration) {
        let labels = StripeLabels { operation, result: if ok { "ok" } else { "error" } };
        self.stripe_seconds.get_or_create(&labels).observe(took.as_secs_f64());
    }

    /// A mail handed to SMTP: `sent`, `refused` or `failed`.
    pub fn mail(&self, result: &'static str) {
        self.mails.get_or_create(&ResultLabel { result }).inc();
    }

    /// An admin-token check refused: `wrong` or `limited`.
    pub fn admin_refusal(&self, result: &'static str) {
        self.admin_refusals.get_or_create(&ResultLabel { result }).inc();
    }

    /// The pool's connections now.
    pub fn set_db_connections(&self, in_use: i64, idle: i64) {
        self.db_connections.get_or_create(&StateLabel { state: "in_use" }).set(in_use);
        self.db_connections.get_or_create(&StateLabel { state: "idle" }).set(idle);
    }

    /// Everything, in the OpenMetrics text format (Prometheus scrapes it).
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}

/// The content type of [`Metrics::encode`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_named_plog_and_counts_what_it_is_told() {
        let metrics = Metrics::new();
        metrics.observe_request("/v1/paywalls/{id}/purchases", "POST", 429, Duration::from_millis(3));
        metrics.purchase("paid");
        metrics.purchase("paid");
        metrics.webhook("applied");
        metrics.stripe_call("create_payment_intent", false, Duration::from_millis(20));
        metrics.set_db_connections(2, 6);
        let text = metrics.encode();
        assert!(
            text.contains(
                r#"plog_http_requests_total{route="/v1/paywalls/{id}/purchases",method="POST",status="429"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"plog_rate_limited_total{route="/v1/paywalls/{id}/purchases",method="POST"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"plog_purchases_total{event="paid"} 2"#), "{text}");
        assert!(text.contains(r#"plog_webhook_events_total{outcome="applied"} 1"#), "{text}");
        assert!(
            text.contains(
                r#"plog_stripe_request_duration_seconds_count{operation="create_payment_intent",result="error"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"plog_db_connections{state="idle"} 6"#), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
