//! "Already bought? Restore access" on the locked paywall: the address the reader paid with,
//! then the six-digit code from the mail. The steps are in [`Flow`]; the mail's link opens the
//! paywall with the code in the URL fragment and needs no typing at all.
//!
//! The link that opens it is part of the takeover; the two forms are rendered by the `restore`
//! chunk (src/chunks.rs) into the container [`RestoreForm`] holds, when restore opens.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::flow::{Flow, RestoreTask};
use super::state::{Parts, RestoreStep};
use crate::i18n::Texts;

/// The restore link and its two steps.
#[component]
pub fn RestoreForm(
    /// The flow the form's buttons drive.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    view! {
        <div class="restore" part="restore">
            <button type="button" class="restore-open" part="button restore-button"
                on:click=move |_| spawn_local(flow.clone().restore_step(RestoreTask::Open))>{texts.restore_open}</button>
            <div node_ref=state.restore_forms></div>
            <p class="restore-message" part="restore-message" role="status" aria-live="polite">
                {move || state.restore_message.get()}
            </p>
        </div>
    }
}

/// Renders the address and code forms into their container (once): the `restore` chunk calls it.
pub fn mount_restore_forms(flow: &Flow) {
    let (state, texts, flow) = (flow.state, flow.setup.texts, flow.clone());
    Parts::mount(&state, state.restore_forms, move || view! { <RestoreSteps flow=flow texts=texts/> });
}

/// The address form, then the code form.
#[component]
fn RestoreSteps(
    /// The flow that asks the API.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    let busy = move || state.restore_busy.get();
    let (send, redeem) = (flow.clone(), flow);
    view! {
        <form class="restore-email" on:submit=move |event| {
            event.prevent_default();
            spawn_local(send.clone().request_code());
        }>
            <label>
                {texts.restore_email}
                <input type="email" autocomplete="email" part="restore-email-input"
                    prop:value=move || state.restore_email.get()
                    on:input=move |event| state.restore_email.set(event_target_value(&event))/>
            </label>
            <button type="submit" part="button" disabled=busy>{texts.restore_send}</button>
        </form>
        <form class="restore-code" on:submit=move |event| {
            event.prevent_default();
            spawn_local(redeem.clone().redeem_code());
        }>
            <label>
                {texts.restore_code}
                <input type="text" inputmode="numeric" autocomplete="one-time-code" maxlength="6"
                    part="restore-code-input"
                    prop:value=move || state.restore_code.get()
                    on:input=move |event| state.restore_code.set(event_target_value(&event))/>
            </label>
            <button type="submit" part="button" disabled=busy>{texts.restore_unlock}</button>
        </form>
    }
}

/// The root class of the restore form's step.
pub fn step_class(step: &RestoreStep) -> &'static str {
    match step {
        RestoreStep::Closed => "",
        RestoreStep::Email => " restoring restore-at-email",
        RestoreStep::Code { .. } => " restoring restore-at-code",
    }
}
