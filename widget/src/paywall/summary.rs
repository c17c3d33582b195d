//! What the paywall offers: title, teaser, the price line and the tip count.

use leptos::prelude::*;
use plog_shared::api::{PaywallInfo, PaywallMode};

use super::state::PaywallState;
use crate::i18n::Texts;

/// Title, teaser, price ("at least" the minimum where the reader chooses) and, for tip jars
/// that show it, how many tips came so far.
#[component]
pub fn Summary(
    /// The paywall's reactive values.
    state: PaywallState,
    /// Sentences in the reader's language.
    texts: &'static Texts,
) -> impl IntoView {
    let text = move |read: fn(&PaywallInfo) -> Option<String>| move || state.info.with(|i| i.as_ref().and_then(read));
    let price = move || {
        let Some((amount, mode)) = state.info.with(|i| i.as_ref().map(|i| (i.price.amount, i.mode))) else {
            return String::new();
        };
        match mode {
            PaywallMode::Fixed => state.money(state.discounted_price().unwrap_or(amount), texts),
            _ => texts.minimum.replace("{price}", &state.money(amount, texts)),
        }
    };
    // The price before the code, struck through (shown only while a code lowers it).
    let was = move || state.info.with(|i| i.as_ref().map(|i| i.price.amount)).map(|a| state.money(a, texts));
    let tip_count = move || {
        state
            .info
            .with(|i| i.as_ref().and_then(|i| i.tip_count))
            .map(|n| texts.tips_so_far.replace("{count}", &n.to_string()))
    };
    view! {
        <p class="title" part="title">{text(|i| Some(i.title.clone()))}</p>
        <p class="teaser" part="teaser">{text(|i| i.teaser.clone())}</p>
        <p class="price" part="price">{texts.price_label} ": " <s class="was">{was}</s> <strong>{price}</strong></p>
        <p class="tips-count" part="tips-count">{tip_count}</p>
    }
}
