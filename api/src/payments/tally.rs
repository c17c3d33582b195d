//! What a purchase's move sets off outside the database: the move counted in
//! `plog_purchases_total` (and a webhook delivery in `plog_webhook_events_total`), and the mail
//! sender woken when the move queued a receipt. The store only stores; every path that moves a
//! purchase — start, webhook, the content route's settlement, reconciliation — tells its tally
//! what the store answered.

use std::sync::Arc;

use plog_shared::api::PurchaseStatus;

use crate::metrics::Metrics;
use crate::purchase_state::PaymentUpdate;
use crate::receipts::sender::MailQueued;
use crate::store::{EventOutcome, UpdateOutcome};

/// The server's counters and its mail sender's bell.
#[derive(Debug, Clone)]
pub struct Tally {
    metrics: Arc<Metrics>,
    mail: MailQueued,
}

impl Tally {
    /// A tally on these counters, ringing this bell.
    pub fn new(metrics: Arc<Metrics>, mail: MailQueued) -> Tally {
        Tally { metrics, mail }
    }

    /// A tally of its own, for a command that runs once (`plog reconcile`): nothing reads it.
    pub fn unread() -> Tally {
        Tally::new(Arc::default(), MailQueued::default())
    }

    /// A purchase was started (stored pending).
    pub fn started(&self) {
        self.metrics.purchase("started");
    }

    /// An update learned by re-reading a PaymentIntent was applied. Only moves are counted: a
    /// re-read of a partial refund already counted would count it again.
    pub fn applied(&self, update: &PaymentUpdate, outcome: UpdateOutcome) {
        if let UpdateOutcome::Changed(_) = outcome {
            self.count(update, outcome);
        }
    }

    /// A webhook delivery was recorded (and its update applied, the first time).
    pub fn delivered(&self, update: Option<&PaymentUpdate>, outcome: EventOutcome) {
        self.metrics.webhook(outcome.label());
        if let (Some(update), EventOutcome::Applied(applied)) = (update, outcome) {
            self.count(update, applied);
        }
    }

    fn count(&self, update: &PaymentUpdate, outcome: UpdateOutcome) {
        // A purchase made paid may have queued its receipt in the same transaction.
        if outcome == UpdateOutcome::Changed(PurchaseStatus::Paid) {
            self.mail.ring();
        }
        if let Some(event) = purchase_event(update, outcome) {
            self.metrics.purchase(event);
        }
    }
}

/// The `plog_purchases_total` event an applied update is, if it moved a purchase: a new status,
/// or a partial refund (the status stays paid, the refunded amount grows).
pub fn purchase_event(update: &PaymentUpdate, outcome: UpdateOutcome) -> Option<&'static str> {
    match (update, outcome) {
        (PaymentUpdate::DisputeClosed { .. }, UpdateOutcome::Changed(PurchaseStatus::Paid)) => Some("dispute_won"),
        (_, UpdateOutcome::Changed(status)) => Some(status.as_str()),
        (PaymentUpdate::Refunded { full: false, .. }, UpdateOutcome::Unchanged(PurchaseStatus::Paid)) => {
            Some("partially_refunded")
        }
        _ => None,
    }
}
