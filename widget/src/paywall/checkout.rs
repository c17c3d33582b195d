//! Buying: the Buy button, then the card form (where the card Element is projected through
//! `<slot name="card">`, under the wallet buttons' `<slot name="wallet">`) with Pay and Cancel;
//! after a wallet payment, the receipt offered to the wallet's address. The buttons call the
//! [`Flow`]; Stripe.js itself is called only from `stripe_js.rs`.
//!
//! The Buy button is part of the takeover; the card form and the receipt offer are rendered by
//! the `checkout` chunk (src/chunks.rs) into the containers [`Checkout`] and the paywall hold:
//! [`mount_card_form`], at the first Buy.

use leptos::prelude::*;
use leptos::task::spawn_local;
use plog_shared::api::PaywallMode;

use super::flow::Flow;
use super::state::Parts;
use super::state::Phase;
use crate::i18n::Texts;

/// Where the card Element (in the light DOM) shows. Not a literal in the view: Leptos would
/// write a literal `inner_html` as an attribute.
const CARD_SLOT: &str = "<slot name=\"card\"></slot>";

/// Where the wallet buttons (in the light DOM) show.
const WALLET_SLOT: &str = "<slot name=\"wallet\"></slot>";

/// The Buy button, and the container the card form is rendered into at the first Buy.
#[component]
pub fn Checkout(
    /// The purchase flow the buttons drive.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    let buy_label = move || {
        if state.info.with(|i| i.as_ref().is_some_and(|i| i.mode == PaywallMode::Tip)) { texts.tip } else { texts.buy }
    };
    view! {
        <div class="buy-area">
            <button type="button" part="button buy-button" class="buy" on:click=move |_| spawn_local(flow.clone().buy(None))>
                {buy_label}
            </button>
            <p class="hint">{texts.pay_inline}</p>
        </div>
        <div class="card-area" node_ref=state.card_area></div>
    }
}

/// Renders the card form into its container, and the receipt offer (shown after a wallet
/// payment) into its own (once): the `checkout` chunk calls it at Buy.
pub fn mount_card_form(flow: &Flow) {
    let (state, texts) = (flow.state, flow.setup.texts);
    let (form, offer) = (flow.clone(), flow.clone());
    Parts::mount(&state, state.card_area, move || view! { <CardForm flow=form texts=texts/> });
    Parts::mount(&state, state.offer, move || view! { <ReceiptOffer flow=offer texts=texts/> });
}

/// The card form: the wallet buttons (once the device offers one), the card Element, the
/// receipt's address, Pay and Cancel.
#[component]
fn CardForm(
    /// The purchase flow the buttons drive.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    let phase = state.phase;
    // What the Pay button charges: the price (with a code), a pass's, or the reader's amount.
    let charge = move || state.charge().map(|amount| state.money(amount, texts)).unwrap_or_default();
    let error = move || match phase.get() {
        Phase::Declined(message) => Some(message + " " + texts.try_again),
        _ => state.card_error.get(),
    };
    let confirming = move || phase.with(|p| matches!(p, Phase::Confirming));
    let (pay, cancel, email) = (flow.clone(), flow.clone(), flow);
    view! {
        // Rendered only once the device offers a wallet: a device without one shows no trace
        // of it.
        {move || state.wallets.get().then(|| view! {
            <div class="wallet" part="wallet" inner_html=WALLET_SLOT></div>
            <p class="hint or-card">{texts.or_card}</p>
        })}
        <span class="card-label" id="plog-card-label">{texts.card_label}</span>
        <div class="card" part="card" role="group" aria-labelledby="plog-card-label"
            inner_html=CARD_SLOT></div>
        <p class="error" part="error" role="alert">{error}</p>
        <ReceiptField flow=email texts=texts/>
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
    }
}

#[component]
fn ReceiptOffer(
    /// The purchase flow the buttons drive.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    let busy = move || state.wallet_paying.get();
    let offering = move || state.phase.with(|p| *p == Phase::ReceiptOffer);
    // Views that come and go must be `Send`; the widget is single-threaded, so the flow is
    // wrapped, not shared. Shown only after a wallet payment that shared an address.
    let flow = send_wrapper::SendWrapper::new(flow);
    move || {
        offering().then(|| {
            let (send, decline, email) = ((*flow).clone(), (*flow).clone(), (*flow).clone());
            view! {
            <div class="offer" part="receipt-offer">
                <p>{texts.receipt_offer}</p>
                <ReceiptField flow=email texts=texts/>
                <p class="email-error" part="error" role="alert">{move || state.email_error.get()}</p>
                <button type="button" part="button send-receipt-button" class="send-receipt" disabled=busy
                    on:click=move |_| spawn_local(send.clone().send_offered_receipt())>
                    {texts.send_receipt}
                </button>
                <button type="button" part="button" class="secondary no-receipt" disabled=busy
                    on:click=move |_| decline.close_offer()>
                    {texts.no_thanks}
                </button>
            </div>
            }
        })
    }
}

/// The receipt's address, checked as it is typed: in the card form, and in the offer after a
/// wallet payment (the wallet's address prefilled).
#[component]
fn ReceiptField(
    /// The flow whose address it is.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    view! {
        <label class="receipt-field">
            {texts.email_label}
            <input type="email" autocomplete="email" part="email-input"
                prop:value=move || state.receipt_email.get()
                on:input=move |event| flow.type_email(event_target_value(&event))/>
        </label>
    }
}
