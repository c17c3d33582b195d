//! A purchase's states and every way they change — the one place transitions live. What Stripe
//! can tell plog about a payment is a [`PaymentUpdate`] (from a webhook, a re-read
//! PaymentIntent or reconciliation alike); [`next`] is the table of every move one state may
//! make on one update, and [`effect`] everything that update writes. The store applies the
//! effect under a row lock, so duplicate, concurrent and out-of-order deliveries converge on
//! the same row.
//!
//! The README shows the whole table as [`table_markdown`] renders it (a test keeps the two
//! equal).
//!
//! Two rules carry the rest: money Stripe says it took is never left without access (a
//! success reaches `paid` from any unpaid state, also after a cancel heard out of order), and
//! access that Stripe says was taken back is never given by a late success (refunded and
//! disputed purchases do not become paid on `succeeded`).

use plog_shared::api::{DisputeStatus, PurchaseStatus};

/// What Stripe says happened to a payment: from a webhook, a re-read intent or reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentUpdate {
    /// The PaymentIntent succeeded with this amount and currency.
    Succeeded {
        /// PaymentIntent id.
        payment_intent_id: String,
        /// Amount received, minor units.
        amount: i64,
        /// Lowercase ISO code.
        currency: String,
    },
    /// An attempt failed; the reader may retry on the same intent.
    Failed {
        /// PaymentIntent id.
        payment_intent_id: String,
        /// Stripe's message.
        message: Option<String>,
    },
    /// The PaymentIntent was canceled (by the creator, or by Stripe after it expired).
    Canceled {
        /// PaymentIntent id.
        payment_intent_id: String,
    },
    /// The charge was refunded, in part or in full (`charge.refunded`, or refunds listed).
    Refunded {
        /// PaymentIntent id.
        payment_intent_id: String,
        /// Everything refunded so far, minor units (Stripe's `amount_refunded`).
        amount_refunded: i64,
        /// Refunded in full (Stripe's `refunded`).
        full: bool,
    },
    /// A refund failed or was canceled: its money stayed with the creator after all. The store
    /// applies one refund's failure once, by its id, however often it is reported.
    RefundReversed {
        /// PaymentIntent id.
        payment_intent_id: String,
        /// The refund (`re_…`).
        refund_id: String,
        /// The refund's amount, minor units.
        amount: i64,
    },
    /// Stripe's own count of what was refunded: the sum of the intent's refunds that did not
    /// fail (reconciliation lists them; the webhook asks when a failed refund makes an event's
    /// total doubtful). It replaces what events added up, up or down.
    RefundsCounted {
        /// PaymentIntent id.
        payment_intent_id: String,
        /// Refunded and not failed, minor units.
        refunded: i64,
    },
    /// A dispute was opened or changed (`charge.dispute.created|updated|funds_*`).
    DisputeOpened {
        /// PaymentIntent id.
        payment_intent_id: String,
        /// Stripe's dispute status (`needs_response`, `under_review`, `warning_needs_response`, …).
        status: DisputeStatus,
    },
    /// A dispute was closed (`charge.dispute.closed`).
    DisputeClosed {
        /// PaymentIntent id.
        payment_intent_id: String,
        /// Stripe's final status: `won`, `lost`, `warning_closed` or `prevented`.
        status: DisputeStatus,
    },
}

impl PaymentUpdate {
    /// The PaymentIntent the update is about.
    pub fn payment_intent_id(&self) -> &str {
        match self {
            PaymentUpdate::Succeeded { payment_intent_id, .. }
            | PaymentUpdate::Failed { payment_intent_id, .. }
            | PaymentUpdate::Canceled { payment_intent_id }
            | PaymentUpdate::Refunded { payment_intent_id, .. }
            | PaymentUpdate::RefundReversed { payment_intent_id, .. }
            | PaymentUpdate::RefundsCounted { payment_intent_id, .. }
            | PaymentUpdate::DisputeOpened { payment_intent_id, .. }
            | PaymentUpdate::DisputeClosed { payment_intent_id, .. } => payment_intent_id,
        }
    }
}

/// What the store holds of a purchase, as far as its payment goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// Current state.
    pub status: PurchaseStatus,
    /// Amount charged, minor units.
    pub amount: i64,
    /// Lowercase ISO code.
    pub currency: String,
    /// Refunded so far, minor units.
    pub refunded_amount: i64,
    /// Its dispute was closed (won, lost, …): Stripe never reopens one, so a late event of it
    /// with an open status changes nothing.
    pub dispute_closed: bool,
}

/// What an update does to a stored purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Write this state and refunded amount (either may equal what is stored).
    Write {
        /// The state after the update.
        status: PurchaseStatus,
        /// The refunded amount after the update.
        refunded_amount: i64,
    },
    /// Stripe reports a success whose amount or currency differs from the purchase: not honoured.
    AmountMismatch,
}

/// The one table of moves: where `stored` goes on `update`.
pub fn next(stored: &Stored, update: &PaymentUpdate) -> Next {
    use PurchaseStatus::{Canceled, Disputed, Failed, Paid, Pending, Refunded};
    let status = stored.status;
    let refunded = stored.refunded_amount;
    let write = |status: PurchaseStatus, refunded_amount: i64| Next::Write { status, refunded_amount };
    match update {
        PaymentUpdate::Succeeded { amount, currency, .. } => match status {
            Pending | Failed | Canceled => {
                if *amount != stored.amount || !currency.eq_ignore_ascii_case(&stored.currency) {
                    Next::AmountMismatch
                } else {
                    write(Paid, refunded)
                }
            }
            Paid | Refunded | Disputed => write(status, refunded),
        },
        PaymentUpdate::Failed { .. } => match status {
            Pending | Failed => write(Failed, refunded),
            _ => write(status, refunded),
        },
        PaymentUpdate::Canceled { .. } => match status {
            Pending | Failed => write(Canceled, refunded),
            _ => write(status, refunded),
        },
        PaymentUpdate::Refunded { amount_refunded, full, .. } => {
            // Refund events can arrive out of order: the largest total seen stands.
            let refunded_amount = refunded.max(*amount_refunded).min(stored.amount);
            let full = *full || refunded_amount >= stored.amount;
            match status {
                _ if full => write(Refunded, stored.amount.max(refunded_amount)),
                Refunded => write(Refunded, refunded_amount),
                _ => write(status, refunded_amount),
            }
        }
        PaymentUpdate::RefundReversed { amount, .. } => {
            let refunded_amount = (refunded - amount).max(0);
            match status {
                Refunded if refunded_amount < stored.amount => write(Paid, refunded_amount),
                _ => write(status, refunded_amount),
            }
        }
        PaymentUpdate::RefundsCounted { refunded: counted, .. } => {
            let refunded_amount = (*counted).clamp(0, stored.amount);
            match status {
                Paid if refunded_amount >= stored.amount => write(Refunded, refunded_amount),
                Refunded if refunded_amount < stored.amount => write(Paid, refunded_amount),
                _ => write(status, refunded_amount),
            }
        }
        // A dispute that closed stays closed: a late event of it with an open status (delivered
        // after the closing) changes nothing.
        PaymentUpdate::DisputeOpened { .. } if stored.dispute_closed => write(status, refunded),
        PaymentUpdate::DisputeOpened { .. } => match status {
            Refunded | Disputed => write(status, refunded),
            // A dispute needs a charge that succeeded: whatever was heard before, access goes.
            Pending | Failed | Canceled | Paid => write(Disputed, refunded),
        },
        PaymentUpdate::DisputeClosed { status: dispute, .. } => match status {
            Disputed if dispute.is_won() => write(Paid, refunded),
            Paid | Pending | Failed | Canceled if !dispute.is_won() => write(Disputed, refunded),
            _ => write(status, refunded),
        },
    }
}

/// Everything one update writes to a stored purchase: the move [`next`] makes, and the details
/// the update brings along whatever the state does (a failure's message, a dispute's status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing to write: the purchase stays in this state with what it holds.
    Keep(PurchaseStatus),
    /// Write these values.
    Write(Write),
    /// Stripe reports a success whose amount or currency differs from the purchase: not honoured.
    AmountMismatch,
}

/// The values an [`Effect::Write`] stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    /// The state after the update.
    pub status: PurchaseStatus,
    /// Whether that is another state than the stored one.
    pub changed: bool,
    /// The refunded amount after the update, minor units.
    pub refunded_amount: i64,
    /// A failure's message to store (`None`: keep the stored one; a move to paid clears it).
    pub last_error: Option<String>,
    /// A dispute's status to store (`None`: keep the stored one).
    pub dispute_status: Option<DisputeStatus>,
}

/// What applying `update` to `stored` writes: [`next`]'s move, plus the update's details.
pub fn effect(stored: &Stored, update: &PaymentUpdate) -> Effect {
    let (status, refunded_amount) = match next(stored, update) {
        Next::AmountMismatch => return Effect::AmountMismatch,
        Next::Write { status, refunded_amount } => (status, refunded_amount),
    };
    let (last_error, dispute_status) = match update {
        PaymentUpdate::Failed { message, .. } if status == PurchaseStatus::Failed => (message.clone(), None),
        // A closed dispute keeps its final status: a late open one is not written over it.
        PaymentUpdate::DisputeOpened { .. } if stored.dispute_closed => (None, None),
        PaymentUpdate::DisputeOpened { status, .. } | PaymentUpdate::DisputeClosed { status, .. } => {
            (None, Some(status.clone()))
        }
        _ => (None, None),
    };
    let changed = status != stored.status;
    if changed || refunded_amount != stored.refunded_amount || last_error.is_some() || dispute_status.is_some() {
        Effect::Write(Write { status, changed, refunded_amount, last_error, dispute_status })
    } else {
        Effect::Keep(status)
    }
}

/// The table of moves as Markdown, one row per state and one column per kind of update, for
/// a purchase of 1,000 with nothing refunded (partial refund: 300; a failed refund gives back
/// what it took).
pub fn table_markdown() -> String {
    let pi = || "pi_".to_owned();
    let columns: [(&str, PaymentUpdate); 10] = [
        ("succeeded", PaymentUpdate::Succeeded { payment_intent_id: pi(), amount: 1000, currency: "jpy".into() }),
        ("payment failed", PaymentUpdate::Failed { payment_intent_id: pi(), message: None }),
        ("canceled", PaymentUpdate::Canceled { payment_intent_id: pi() }),
        ("partial refund", PaymentUpdate::Refunded { payment_intent_id: pi(), amount_refunded: 300, full: false }),
        ("full refund", PaymentUpdate::Refunded { payment_intent_id: pi(), amount_refunded: 1000, full: true }),
        (
            "refund failed",
            PaymentUpdate::RefundReversed { payment_intent_id: pi(), refund_id: "re_".into(), amount: 1000 },
        ),
        ("refunds counted: none", PaymentUpdate::RefundsCounted { payment_intent_id: pi(), refunded: 0 }),
        ("dispute opened", PaymentUpdate::DisputeOpened { payment_intent_id: pi(), status: "needs_response".into() }),
        ("dispute won", PaymentUpdate::DisputeClosed { payment_intent_id: pi(), status: "won".into() }),
        ("dispute lost", PaymentUpdate::DisputeClosed { payment_intent_id: pi(), status: "lost".into() }),
    ];
    let mut text = String::from("| from ＼ on |");
    for (name, _) in &columns {
        text += &format!(" {name} |");
    }
    text += "\n|---|";
    text += &"---|".repeat(columns.len());
    text += "\n";
    for status in PurchaseStatus::ALL {
        // A refunded purchase was refunded in full; every other starts with nothing refunded.
        let refunded_amount = if status == PurchaseStatus::Refunded { 1000 } else { 0 };
        let stored = Stored { status, amount: 1000, currency: "jpy".into(), refunded_amount, dispute_closed: false };
        text += &format!("| **{}** |", status.as_str());
        for (_, update) in &columns {
            let cell = match next(&stored, update) {
                Next::Write { status: after, .. } if after == status => "·".to_owned(),
                Next::Write { status: after, .. } => after.as_str().to_owned(),
                Next::AmountMismatch => "refused".to_owned(),
            };
            text += &format!(" {cell} |");
        }
        text += "\n";
    }
    text
}

/// Whether a token of a purchase in this state unlocks the content.
pub fn unlocks(status: PurchaseStatus) -> bool {
    status == PurchaseStatus::Paid
}

#[cfg(test)]
mod tests {
    use super::*;
    use PurchaseStatus::{Canceled, Disputed, Failed, Paid, Pending, Refunded};

    const PI: &str = "pi_1";

    fn stored(status: PurchaseStatus, refunded_amount: i64) -> Stored {
        Stored { status, amount: 1000, currency: "jpy".into(), refunded_amount, dispute_closed: false }
    }

    fn to(status: PurchaseStatus, refunded_amount: i64) -> Next {
        Next::Write { status, refunded_amount }
    }

    fn succeeded(amount: i64) -> PaymentUpdate {
        PaymentUpdate::Succeeded { payment_intent_id: PI.into(), amount, currency: "jpy".into() }
    }

    fn refunded(amount_refunded: i64, full: bool) -> PaymentUpdate {
        PaymentUpdate::Refunded { payment_intent_id: PI.into(), amount_refunded, full }
    }

    fn dispute_opened() -> PaymentUpdate {
        PaymentUpdate::DisputeOpened { payment_intent_id: PI.into(), status: "needs_response".into() }
    }

    fn dispute_closed(status: &str) -> PaymentUpdate {
        PaymentUpdate::DisputeClosed { payment_intent_id: PI.into(), status: status.into() }
    }

    #[test]
    fn a_success_pays_every_unpaid_state_and_nothing_else() {
        for from in [Pending, Failed, Canceled] {
            assert_eq!(next(&stored(from, 0), &succeeded(1000)), to(Paid, 0), "{from:?}");
        }
        for from in [Paid, Refunded, Disputed] {
            assert_eq!(
                next(&stored(from, 0), &succeeded(1000)),
                to(from, 0),
                "{from:?}: never re-opened by a late success"
            );
        }
    }

    #[test]
    fn a_success_of_another_amount_or_currency_is_not_honoured() {
        assert_eq!(next(&stored(Pending, 0), &succeeded(999)), Next::AmountMismatch);
        let usd = PaymentUpdate::Succeeded { payment_intent_id: PI.into(), amount: 1000, currency: "usd".into() };
        assert_eq!(next(&stored(Pending, 0), &usd), Next::AmountMismatch);
        let upper = PaymentUpdate::Succeeded { payment_intent_id: PI.into(), amount: 1000, currency: "JPY".into() };
        assert_eq!(next(&stored(Pending, 0), &upper), to(Paid, 0));
    }

    #[test]
    fn failures_and_cancels_never_downgrade_a_paid_purchase() {
        let failed = PaymentUpdate::Failed { payment_intent_id: PI.into(), message: None };
        let canceled = PaymentUpdate::Canceled { payment_intent_id: PI.into() };
        assert_eq!(next(&stored(Pending, 0), &failed), to(Failed, 0));
        assert_eq!(next(&stored(Pending, 0), &canceled), to(Canceled, 0));
        assert_eq!(next(&stored(Failed, 0), &canceled), to(Canceled, 0));
        for from in [Paid, Refunded, Disputed] {
            assert_eq!(next(&stored(from, 0), &failed), to(from, 0));
            assert_eq!(next(&stored(from, 0), &canceled), to(from, 0));
        }
    }

    #[test]
    fn a_partial_refund_keeps_access_and_records_the_amount_a_full_one_revokes() {
        assert_eq!(next(&stored(Paid, 0), &refunded(300, false)), to(Paid, 300));
        assert_eq!(next(&stored(Paid, 300), &refunded(1000, true)), to(Refunded, 1000));
        // Partial refunds adding up to the whole amount are a full refund.
        assert_eq!(next(&stored(Paid, 600), &refunded(1000, false)), to(Refunded, 1000));
        // An older event (smaller total) after a newer one changes nothing.
        assert_eq!(next(&stored(Paid, 500), &refunded(300, false)), to(Paid, 500));
        assert_eq!(next(&stored(Refunded, 1000), &refunded(300, false)), to(Refunded, 1000));
    }

    #[test]
    fn a_failed_refund_gives_back_what_it_took() {
        let reversed =
            |amount| PaymentUpdate::RefundReversed { payment_intent_id: PI.into(), refund_id: "re_1".into(), amount };
        assert_eq!(next(&stored(Refunded, 1000), &reversed(1000)), to(Paid, 0));
        assert_eq!(next(&stored(Paid, 300), &reversed(300)), to(Paid, 0));
        // A reversed part of a refund that still leaves it whole is not whole any more.
        assert_eq!(next(&stored(Refunded, 1000), &reversed(200)), to(Paid, 800));
        // Never below zero, and a dispute is not lifted by a refund's fate.
        assert_eq!(next(&stored(Paid, 0), &reversed(500)), to(Paid, 0));
        assert_eq!(next(&stored(Disputed, 300), &reversed(300)), to(Disputed, 0));
    }

    #[test]
    fn a_dispute_revokes_and_only_a_won_one_gives_access_back() {
        assert_eq!(next(&stored(Paid, 0), &dispute_opened()), to(Disputed, 0));
        assert_eq!(next(&stored(Pending, 0), &dispute_opened()), to(Disputed, 0));
        assert_eq!(next(&stored(Refunded, 1000), &dispute_opened()), to(Refunded, 1000));
        for won in ["won", "warning_closed", "prevented"] {
            assert_eq!(next(&stored(Disputed, 0), &dispute_closed(won)), to(Paid, 0), "{won}");
        }
        assert_eq!(next(&stored(Disputed, 0), &dispute_closed("lost")), to(Disputed, 0));
        // The closing heard without the opening: lost still revokes, won changes nothing.
        assert_eq!(next(&stored(Paid, 0), &dispute_closed("lost")), to(Disputed, 0));
        assert_eq!(next(&stored(Paid, 0), &dispute_closed("won")), to(Paid, 0));
        assert_eq!(next(&stored(Refunded, 1000), &dispute_closed("won")), to(Refunded, 1000));
    }

    /// L2 of the review: Stripe's count of refunds that did not fail stands, up or down, so
    /// reconciliation repairs a purchase that events left refunded by a refund that failed.
    #[test]
    fn stripes_count_of_refunds_replaces_what_events_added_up() {
        let counted = |refunded| PaymentUpdate::RefundsCounted { payment_intent_id: PI.into(), refunded };
        assert_eq!(next(&stored(Refunded, 1000), &counted(0)), to(Paid, 0));
        assert_eq!(next(&stored(Refunded, 1000), &counted(400)), to(Paid, 400));
        assert_eq!(next(&stored(Paid, 0), &counted(1000)), to(Refunded, 1000));
        assert_eq!(next(&stored(Paid, 400), &counted(300)), to(Paid, 300));
        assert_eq!(next(&stored(Disputed, 0), &counted(0)), to(Disputed, 0), "a dispute is not lifted");
        assert_eq!(next(&stored(Pending, 0), &counted(0)), to(Pending, 0));
    }

    /// L7 of the review: a late dispute event with an open status, delivered after the dispute
    /// was won, revoked access again.
    #[test]
    fn a_closed_dispute_is_not_reopened_by_a_late_event() {
        let closed = Stored { dispute_closed: true, ..stored(Paid, 0) };
        assert_eq!(effect(&closed, &dispute_opened()), Effect::Keep(Paid), "nor its final status overwritten");
        let won = Stored { dispute_closed: true, ..stored(Paid, 0) };
        assert_eq!(next(&won, &dispute_opened()), to(Paid, 0));
        let lost = Stored { dispute_closed: true, ..stored(Disputed, 0) };
        assert_eq!(next(&lost, &dispute_opened()), to(Disputed, 0));
        assert_eq!(next(&stored(Paid, 0), &dispute_opened()), to(Disputed, 0), "an open dispute still revokes");
    }

    #[test]
    fn the_readme_draws_the_table_in_force() {
        assert_eq!(
            crate::doc_section("reference/purchases.md", "purchase-states"),
            table_markdown(),
            "README's purchase states differ from purchase_state::next: update the README"
        );
    }

    #[test]
    fn only_paid_unlocks() {
        for status in PurchaseStatus::ALL {
            assert_eq!(unlocks(status), status == Paid, "{status:?}");
        }
    }

    proptest::proptest! {
        /// Any sequence of updates, in any order: no state but paid unlocks unless a success,
        /// a won dispute or a failed refund led there, and the refunded amount stays within
        /// the purchase's amount.
        #[test]
        fn any_sequence_of_updates_stays_within_bounds(steps in proptest::collection::vec(0_u8..10, 0..20)) {
            let mut current = stored(Pending, 0);
            let mut reached_paid_legitimately = false;
            for step in steps {
                let update = match step {
                    0 => succeeded(1000),
                    1 => PaymentUpdate::Failed { payment_intent_id: PI.into(), message: None },
                    2 => PaymentUpdate::Canceled { payment_intent_id: PI.into() },
                    3 => refunded(400, false),
                    4 => refunded(1000, true),
                    5 => PaymentUpdate::RefundReversed { payment_intent_id: PI.into(), refund_id: "re_1".into(), amount: 400 },
                    6 => dispute_opened(),
                    7 => dispute_closed("won"),
                    8 => dispute_closed("lost"),
                    _ => PaymentUpdate::RefundsCounted { payment_intent_id: PI.into(), refunded: 0 },
                };
                if let Next::Write { status, refunded_amount } = next(&current, &update) {
                    if status == Paid && current.status != Paid {
                        reached_paid_legitimately = matches!(step, 0 | 5 | 7 | 9);
                    }
                    proptest::prop_assert!((0..=1000).contains(&refunded_amount));
                    current = Stored { status, refunded_amount, ..current };
                }
                if current.status == Paid {
                    proptest::prop_assert!(reached_paid_legitimately);
                }
            }
        }
    }
}
