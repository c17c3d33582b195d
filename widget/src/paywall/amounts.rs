//! Amount entry where the reader chooses (pay what you want, tips): one-tap chips and a field
//! for any amount, read with `parse_typed_amount` as the reader's language writes numbers and
//! checked at once, before anything is created.

use leptos::prelude::*;
use plog_shared::Currency;
use plog_shared::money::{MAX_AMOUNT, TypedAmountError, parse_typed_amount};

use super::state::{PaywallState, choices};
use crate::format::format_price;
use crate::i18n::Texts;

/// The amount chips, the "other amount" field and what is wrong with it.
#[component]
pub fn AmountPicker(
    /// The paywall's reactive values.
    state: PaywallState,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let chips = move || {
        let amounts = state.info.with(|i| i.as_ref().map(choices).unwrap_or_default());
        amounts
            .into_iter()
            .map(|amount| {
                let pressed =
                    move || (state.chosen.get() == Some(amount) && state.typed.with(String::is_empty)).to_string();
                view! {
                    <button type="button" class="chip" part="button amount-chip" aria-pressed=pressed
                        on:click=move |_| choose(state, amount)>{state.money(amount, texts)}</button>
                }
            })
            .collect_view()
    };
    view! {
        <fieldset class="amounts" part="amounts">
            <legend>{texts.choose_amount}</legend>
            {chips}
            <label class="other">
                {texts.other_amount}
                <input type="text" inputmode="decimal" autocomplete="off" part="amount-input"
                    prop:value=move || state.typed.get()
                    on:input=move |event| type_amount(state, texts, event_target_value(&event))/>
            </label>
            <p class="amount-error" part="error" role="alert">{move || state.amount_error.get()}</p>
        </fieldset>
    }
}

/// A chip was pressed: that amount, and the typed one is cleared.
fn choose(state: PaywallState, amount: i64) {
    state.typed.set(String::new());
    state.amount_error.set(None);
    state.chosen.set(Some(amount));
}

/// The reader typed an amount: read it as the locale writes numbers, and say at once what is wrong.
fn type_amount(state: PaywallState, texts: &'static Texts, text: String) {
    let Some((currency, minimum, maximum)) = state.info.with_untracked(|i| {
        i.as_ref().map(|i| (i.price.currency.clone(), i.price.amount, i.maximum.unwrap_or(MAX_AMOUNT)))
    }) else {
        return;
    };
    let money = |amount: i64| format_price(amount, &currency, texts.locale);
    state.typed.set(text.clone());
    if text.trim().is_empty() {
        // Back to the default choice.
        state.amount_error.set(None);
        state.chosen.set(
            state.info.with_untracked(|i| i.as_ref().and_then(|i| i.suggested.or_else(|| choices(i).first().copied()))),
        );
        return;
    }
    let Ok(known) = Currency::parse(&currency) else { return };
    match parse_typed_amount(&text, known, minimum, maximum) {
        Ok(amount) => {
            state.amount_error.set(None);
            state.chosen.set(Some(amount));
        }
        Err(error) => {
            state.amount_error.set(Some(match error {
                TypedAmountError::Empty | TypedAmountError::NotANumber => texts.amount_not_a_number.to_owned(),
                TypedAmountError::TooManyDecimals => texts.amount_decimals.to_owned(),
                TypedAmountError::TooLow { minimum } => texts.amount_too_low.replace("{price}", &money(minimum)),
                TypedAmountError::TooHigh { maximum } => texts.amount_too_high.replace("{price}", &money(maximum)),
            }));
        }
    }
}
