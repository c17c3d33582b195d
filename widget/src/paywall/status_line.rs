//! The status line: what the paywall is doing, announced politely to screen readers.

use leptos::prelude::*;

use super::state::{PaywallState, Phase};
use crate::i18n::Texts;

/// "Loading…", "Preparing the payment…", the locked paywall's notice, and so on.
#[component]
pub fn StatusLine(
    /// The paywall's reactive values.
    state: PaywallState,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let status = move || match state.phase.get() {
        Phase::Loading => texts.loading.to_owned(),
        Phase::Preparing => texts.preparing.to_owned(),
        Phase::Confirming => texts.confirming.to_owned(),
        Phase::Unlocking => texts.unlocking.to_owned(),
        Phase::SlowUnlock => texts.slow_unlock.to_owned(),
        Phase::Unlocked | Phase::ReceiptOffer => texts.unlocked.to_owned(),
        Phase::Locked => state.notice.get().unwrap_or_default(),
        _ => String::new(),
    };
    view! {
        <p class="status" part="status" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {status}
        </p>
    }
}
