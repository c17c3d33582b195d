//! The `stripe_events` table: every webhook delivery plog accepted, by Stripe's event id, with
//! what it did. Recording an event and applying its update are one transaction, so a second
//! delivery of the same event changes nothing.

use anyhow::Context;

use super::purchases::apply_update;
use super::sql::Sql;
use super::{Store, UpdateOutcome};
use crate::purchase_state::PaymentUpdate;

/// What recording a Stripe event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventOutcome {
    /// First delivery: applied with this outcome.
    Applied(UpdateOutcome),
    /// First delivery of an event type plog does not act on: recorded, nothing else.
    Ignored,
    /// Seen before: nothing done.
    Duplicate,
}

impl EventOutcome {
    /// The name stored with the event and answered to Stripe.
    pub fn label(self) -> &'static str {
        match self {
            EventOutcome::Applied(UpdateOutcome::Changed(_)) => "applied",
            EventOutcome::Applied(UpdateOutcome::Unchanged(_)) => "unchanged",
            EventOutcome::Applied(UpdateOutcome::AmountMismatch) => "amount_mismatch",
            EventOutcome::Applied(UpdateOutcome::UnknownIntent) => "unknown_payment_intent",
            EventOutcome::Ignored => "ignored",
            EventOutcome::Duplicate => "duplicate",
        }
    }
}

impl Store {
    /// Records a Stripe event and applies its update in one transaction. A second delivery of
    /// the same event id does nothing and says so. The update moves only a purchase whose
    /// PaymentIntent lives on the event's `account` (`None`: the plog's own account): an event of
    /// one creator's account never moves another's purchase.
    #[tracing::instrument(skip_all, fields(event_id = event_id))]
    pub async fn record_event(
        &self,
        event_id: &str,
        event_type: &str,
        update: Option<&PaymentUpdate>,
        account: Option<&str>,
        now: i64,
    ) -> anyhow::Result<EventOutcome> {
        let _turn = self.writer_turn().await;
        async {
            let mut tx = self.pool.begin().await?;
            // The effect first (a write, so SQLite takes its lock at once), then the event row
            // with its outcome; if the event id is already there, roll the effect back.
            let outcome = match update {
                Some(update) => EventOutcome::Applied(apply_update(&mut tx, update, account, now).await?),
                None => EventOutcome::Ignored,
            };
            let inserted = Sql::new(
                "insert into stripe_events (id, event_type, payment_intent_id, outcome, received_at) \
                 values ($1, $2, $3, $4, $5) on conflict (id) do nothing",
            )
            .bind(event_id)
            .bind(event_type)
            .bind(update.map(PaymentUpdate::payment_intent_id))
            .bind(outcome.label())
            .bind(now)
            .execute(&mut tx)
            .await?;
            if inserted == 0 {
                tx.rollback().await?;
                return Ok(EventOutcome::Duplicate);
            }
            tx.commit().await?;
            Ok::<_, sqlx::Error>(outcome)
        }
        .await
        .context("Failed to record a Stripe event")
    }

    /// Every recorded Stripe event as (event id, event type, PaymentIntent id), for checks of
    /// consistency between events and purchases.
    pub async fn recorded_events(&self) -> anyhow::Result<Vec<(String, String, Option<String>)>> {
        Sql::new("select id, event_type, payment_intent_id from stripe_events order by id")
            .fetch_all(&self.pool)
            .await
            .context("Failed to list Stripe events")
    }

    /// How many Stripe events were recorded (for tests and operations).
    pub async fn event_count(&self) -> anyhow::Result<i64> {
        Sql::new("select count(*) from stripe_events")
            .fetch_value(&self.pool)
            .await
            .context("Failed to count Stripe events")
    }
}
