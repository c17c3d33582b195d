//! Buying: the Buy button, then the card form (where the card Element is projected through
//! `<slot name="card">`) with Pay and Cancel. The buttons call the [`Flow`]; Stripe.js itself
//! is called only from `stripe_js.rs`.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plog_shared::api::PaywallMode;

use super::flow::Flow;
use super::state::Phase;
use crate::i18n::Texts;

/// Where the card Element (in the light DOM) shows. Not a literal in the view: Leptos would
/// write a literal `inner_html` as an attribute.
const CARD_SLOT: &str = "<slot name=\"card\"></slot>";

/// The Buy button and the card form.
#[component]
pub fn Checkout(
    /// The purchase flow the buttons drive.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    let phase = state.phase;
    let buy_label = move || {
        if state.info.with(|i| i.as_ref().is_some_and(|i| i.mode == PaywallMode::Tip)) { texts.tip } else { texts.buy }
    };
    // What the Pay button charges: the price (with a code), a pass's, or the reader's amount.
    let charge = move || state.charge().map(|amount| state.money(amount, texts)).unwrap_or_default();
    let error = move || match phase.get() {
        Phase::Declined(message) => Some(message + " " + texts.try_again),
        _ => state.card_error.get(),
    };
    let confirming = move || phase.with(|p| matches!(p, Phase::Confirming));
    let (buy, pay, cancel, email) = (flow.clone(), flow.clone(), flow.clone(), flow);
    view! {
        <div class="buy-area">
            <button type="button" part="button buy-button" class="buy" on:click=move |_| spawn_local(buy.clone().buy(None))>
                {buy_label}
            </button>
            <p class="hint">{texts.pay_inline}</p>
        </div>
        <div class="card-area">
            <span class="card-label" id="plog-card-label">{texts.card_label}</span>
            <div class="card" part="card" role="group" aria-labelledby="plog-card-label"
                inner_html=CARD_SLOT></div>
            <p class="error" part="error" role="alert">{error}</p>
            <label class="receipt-field">
                {texts.email_label}
                <input type="email" autocomplete="email" part="email-input"
                    prop:value=move || state.receipt_email.get()
                    on:input=move |event| email.type_email(event_target_value(&event))/>
            </label>
            <p class="hint receipt-field">{texts.email_hint}</p>
            <p class="email-error" part="error" role="alert">{move || state.email_error.get()}</p>
            {move || state.storage_refused.get().then(|| view! {
                <p class="hint no-storage" part="no-storage" role="note">{texts.no_storage}</p>
            })}
            <button type="button" part="button pay-button" class="pay" disabled=confirming
                on:click=move |_| spawn_local(pay.clone().pay())>
                <span class="spinner" aria-hidden="true"></span>
                {move || texts.pay.replace("{price}", &charge())}
            </button>
            <button type="button" part="button cancel-button" class="secondary" disabled=confirming
                on:click=move |_| cancel.cancel()>
                {texts.cancel}
            </button>
        </div>
    }
}
