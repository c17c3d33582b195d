//! What the locked paywall offers besides the article: the passes that cover it ("All articles
//! for 30 days ¥500", each its own Buy), and "Have a code?" — a field whose code the server
//! prices before the reader pays.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::flow::Flow;
use crate::i18n::Texts;

/// One button per pass on offer.
#[component]
pub fn PassOffers(
    /// The flow the buttons drive.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    // Rendered once the paywall is read (the list does not change after): a plain list, not a
    // keyed `For`, whose diffing would cost every reader several kilobytes of WebAssembly.
    // Views must be `Send`; the widget is single-threaded, so the flow is wrapped.
    let flow = send_wrapper::SendWrapper::new(flow);
    let buttons = move || {
        let passes = state.info.with(|i| i.as_ref().map(|i| i.passes.clone()).unwrap_or_default());
        passes
            .into_iter()
            .map(|pass| {
                let flow = (*flow).clone();
                let id = pass.id.clone();
                let label = move || {
                    let amount = state.discounted_pass(&pass.id).unwrap_or(pass.price.amount);
                    let template = if pass.days.is_some() { texts.pass_days } else { texts.pass_for_good };
                    template
                        .replace("{title}", &pass.title)
                        .replace("{price}", &state.money(amount, texts))
                        .replace("{days}", &pass.days.unwrap_or_default().to_string())
                };
                view! {
                    <button type="button" class="pass" part="button pass-button"
                        on:click=move |_| spawn_local(flow.clone().buy(Some(id.clone())))>{label}</button>
                }
            })
            .collect::<Vec<_>>()
    };
    view! { <div class="passes" part="passes">{buttons}</div> }
}

/// "Have a code?", then the field and Apply.
#[component]
pub fn CodeField(
    /// The flow that asks the server.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    view! {
        <div class="code" part="code">
            <button type="button" class="code-open" part="button code-button"
                on:click=move |_| state.code_open.set(true)>{texts.code_open}</button>
            <form class="code-form" on:submit=move |event| {
                event.prevent_default();
                spawn_local(flow.clone().apply_code());
            }>
                <label>
                    {texts.code_label}
                    <input type="text" autocomplete="off" autocapitalize="characters" part="code-input"
                        prop:value=move || state.code_typed.get()
                        on:input=move |event| state.code_typed.set(event_target_value(&event))/>
                </label>
                <button type="submit" part="button">{texts.code_apply}</button>
            </form>
            <p class="code-message" part="code-message" role="status" aria-live="polite">
                {move || state.code_message.get()}
            </p>
        </div>
    }
}
