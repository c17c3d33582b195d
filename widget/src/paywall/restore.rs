//! "Already bought? Restore access" on the locked paywall: the address the reader paid with,
//! then the six-digit code from the mail. The steps are in [`Flow`]; the mail's link opens the
//! paywall with the code in the URL fragment and needs no typing at all.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::flow::Flow;
use super::state::RestoreStep;
use crate::chunks;
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
    let busy = move || state.restore_busy.get();
    let (open, send, redeem) = (flow.clone(), flow.clone(), flow);
    view! {
        <div class="restore" part="restore">
            <button type="button" class="restore-open" part="button restore-button"
                on:click=move |_| open.open_restore()>{texts.restore_open}</button>
            <form class="restore-email" on:submit=move |event| {
                event.prevent_default();
                spawn_local(send.clone().restore_step(chunks::RestoreStep::RequestCode));
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
                spawn_local(redeem.clone().restore_step(chunks::RestoreStep::RedeemTyped));
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
            <p class="restore-message" part="restore-message" role="status" aria-live="polite">
                {move || state.restore_message.get()}
            </p>
        </div>
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
