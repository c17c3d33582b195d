//! The locked paywall as HTML, painted by the server before the widget's code is fetched.
//!
//! It is rendered from the widget's own [`PaywallView`] with the state the widget starts from
//! when it takes over ([`crate::paywall::Painted`]), so the painted nodes are the ones the widget's
//! first render builds: the loader swaps them in one task and the reader sees no change.
//! Nothing here touches a browser API: the plog server links this crate and calls
//! [`locked_html`].

use std::rc::Rc;

use leptos::prelude::*;
use plog_shared::api::PaywallInfo;

use crate::api::ApiClient;
use crate::i18n::{Lang, Texts};
use crate::paywall::{Flow, PaywallSetup, PaywallState, PaywallView};

/// A notice the painted paywall shows, named by the loader (it read the tokens the browser
/// holds before asking for the view).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A pass this browser held has ended (`pass_ended`).
    PassEnded,
}

impl Notice {
    /// The notice named `name`, if it is one.
    pub fn parse(name: &str) -> Option<Notice> {
        (name == Notice::PassEnded.name()).then_some(Notice::PassEnded)
    }

    /// Its name, as the loader asks for it.
    pub fn name(self) -> &'static str {
        match self {
            Notice::PassEnded => "pass_ended",
        }
    }

    /// Its sentence in the reader's language.
    pub fn text(self, texts: &'static Texts) -> &'static str {
        match self {
            Notice::PassEnded => texts.pass_ended,
        }
    }
}

/// The HTML of the paywall `info` as the widget first shows it, locked (or archived), in `lang`,
/// with `notice`: the inside of the shadow root's container, stylesheet apart.
pub fn locked_html(info: PaywallInfo, lang: Lang, notice: Option<Notice>) -> String {
    let texts = lang.texts();
    let owner = Owner::new();
    owner.with(|| {
        let setup = PaywallSetup {
            paywall_id: info.id.clone(),
            api: ApiClient::offline(""),
            texts,
            card_slot: None,
            wallet_slot: None,
            on_unlocked: Rc::new(|_, _| {}),
            close: Rc::new(|| {}),
        };
        let flow = Flow { state: PaywallState::new(), setup: Rc::new(setup), chunks: crate::chunks::CALLS };
        flow.state.show_locked(info, notice.map(|n| n.text(texts)));
        view! { <PaywallView flow=flow/> }.to_html()
    })
}
