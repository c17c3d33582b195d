//! What the locked paywall offers besides the article: the passes that cover it ("All articles
//! for 30 days ¥500", each its own Buy), and "Have a code?" — a field whose code the server
//! prices before the reader pays. The code field itself is rendered by the `codes` chunk
//! (src/chunks.rs) when "Have a code?" is pressed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::flow::Flow;
use super::state::Parts;
use crate::i18n::Texts;

/// One button per pass on offer. The buttons are written as HTML (text escaped) with one
/// click listener on their container, which reads the pass from the pressed button: a
/// reactive list of components would cost every reader about 4 KB more WebAssembly (measured:
/// bench/README.md), for a list that is written once when the paywall is read.
#[component]
pub fn PassOffers(
    /// The flow the buttons drive.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    let buttons = move || {
        let passes = state.info.with(|i| i.as_ref().map(|i| i.passes.clone()).unwrap_or_default());
        let mut html = String::new();
        for pass in passes {
            let amount = state.discounted_pass(&pass.id).unwrap_or(pass.price.amount);
            let template = if pass.days.is_some() { texts.pass_days } else { texts.pass_for_good };
            let label = template
                .replace("{title}", &pass.title)
                .replace("{price}", &state.money(amount, texts))
                .replace("{days}", &pass.days.unwrap_or_default().to_string());
            html.push_str(r#"<button type="button" class="pass" part="button pass-button" data-pass=""#);
            html.push_str(&escape(&pass.id));
            html.push_str(r#"">"#);
            html.push_str(&escape(&label));
            html.push_str("</button>");
        }
        html
    };
    let pressed = move |event: web_sys::MouseEvent| {
        let button = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("button[data-pass]").ok().flatten());
        if let Some(pass_id) = button.and_then(|b| b.get_attribute("data-pass")) {
            spawn_local(flow.clone().buy(Some(pass_id)));
        }
    };
    view! { <div class="passes" part="passes" inner_html=buttons on:click=pressed></div> }
}

/// Text for HTML: the creator's title and the ids are escaped before they are written.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
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
                on:click=move |_| spawn_local(flow.clone().code_step())>{texts.code_open}</button>
            <div node_ref=state.code_form></div>
            <p class="code-message" part="code-message" role="status" aria-live="polite">
                {move || state.code_message.get()}
            </p>
        </div>
    }
}

/// Renders the code field and Apply into their container (once): the `codes` chunk calls it
/// when "Have a code?" is pressed.
pub fn mount_code_form(flow: &Flow) {
    let (state, texts, flow) = (flow.state, flow.setup.texts, flow.clone());
    Parts::mount(&state, state.code_form, move || view! { <CodeForm flow=flow texts=texts/> });
}

/// The code field and Apply.
#[component]
fn CodeForm(
    /// The flow that asks the server.
    flow: Flow,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let state = flow.state;
    view! {
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
    }
}
