//! The paywall: one component per part of the view — [`summary`], [`amounts`] (where the
//! reader chooses), [`checkout`] (Buy, then the card form), [`offers`] (passes, a discount
//! code), [`restore`] (already bought?),
//! [`status_line`] — assembled here,
//! and the purchase flow apart from the view ([`flow`]); [`state`] is what they share.
//! [`PaywallView`] is the view alone, which the server also renders (`painted.rs`); [`Paywall`]
//! is the view with its flow started, which the widget mounts.
//!
//! Reactive state lives in signals; the Stripe.js objects, which are not `Send`, live in a
//! local `StoredValue` and are released, and every request in flight aborted, in `on_cleanup`.

pub mod amounts;
pub mod checkout;
pub mod flow;
pub mod offers;
pub mod restore;
pub mod state;
pub mod status_line;
pub mod summary;

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use plog_shared::api::{PaywallInfo, PaywallMode};

use amounts::AmountPicker;
use checkout::Checkout;
pub use flow::{ChunkCall, ChunkCalls, ChunkUnavailable, Flow, Intent, RestoreTask, Retry, after_unexpected_state};
use offers::{CodeField, PassOffers};
use restore::RestoreForm;
pub use state::{Keep, PaywallSetup, PaywallState, Phase};
use status_line::StatusLine;
use summary::Summary;

/// What the server painted before the widget's code came (the locked view's paywall and its
/// notice): the widget starts from it, so its first render is the painted one, node for node.
#[derive(Debug, Clone, PartialEq)]
pub struct Painted {
    /// The paywall as the view route read it.
    pub info: PaywallInfo,
    /// The notice the painted view showed (a pass that ended), if any.
    pub notice: Option<&'static str>,
}

/// The paywall a tag mounts: loads (or starts from what the server painted), then shows its
/// parts as the flow moves.
#[component]
pub fn Paywall(
    /// What the mount code hands over.
    setup: PaywallSetup,
    /// The server's painted view, if the loader painted one.
    painted: Option<Painted>,
    /// The entry points of the widget's chunks (`src/chunks.rs`).
    chunks: ChunkCalls,
) -> impl IntoView {
    let flow = Flow { state: PaywallState::new(), setup: Rc::new(setup), chunks };
    match painted {
        // The loader already tried the tokens held and counted the view.
        Some(painted) => {
            flow.state.show_locked(painted.info, painted.notice);
            if let Some(code) = crate::restored::gift_code() {
                let flow = flow.clone();
                spawn_local(async move { flow.open_gift(code).await });
            }
            // Another paywall of the page restored tokens or sold a pass while this one's view
            // was still on its way: what it saved may open this one too.
            if crate::restored::announced() {
                spawn_local(flow.clone().try_held_token());
            }
        }
        None => spawn_local(flow.clone().start()),
    }
    // The mail's restore link, if the page was opened with one (one paywall of the page takes it).
    if let Some((restore_id, code)) = crate::restored::take_link() {
        let flow = flow.clone();
        spawn_local(flow.restore_step(RestoreTask::RedeemLink(restore_id, code)));
    }
    let listening = crate::restored::subscribe({
        let flow = flow.clone();
        move || spawn_local(flow.clone().try_held_token())
    });
    // Cleanups must be `Send`; the widget is single-threaded, so the flow is wrapped, not shared.
    let leaving = send_wrapper::SendWrapper::new(flow.clone());
    on_cleanup(move || {
        crate::restored::unsubscribe(listening);
        leaving.release_all();
    });
    view! { <PaywallView flow=flow/> }
}

/// The paywall's view, and nothing else: what the browser renders and the server paints
/// (`painted.rs`) from the same state. Its buttons call the flow; on the server none is pressed.
#[component]
pub fn PaywallView(
    /// The flow the view shows and its buttons drive.
    flow: Flow,
) -> impl IntoView {
    let texts = flow.setup.texts;
    let state = flow.state;

    // One reactive class on the root drives which parts show (see theme.rs): far less code in
    // the WebAssembly than a reactive `hidden` per part, and the widget ships to every reader.
    let root_class = move || {
        let (sandbox, teaser, receipts, passes, codes) = state.info.with(|i| {
            i.as_ref().map_or((false, false, false, false, false), |i| {
                (i.sandbox, i.teaser.is_some(), i.receipts, !i.passes.is_empty(), i.codes)
            })
        });
        let restoring = state.restore.with(restore::step_class);
        let mode = state.info.with(|i| match i.as_ref().map(|i| (i.mode, i.tip_count.is_some())) {
            Some((PaywallMode::Tip, true)) => " choose tip has-count",
            Some((PaywallMode::Tip, false)) => " choose tip",
            Some((PaywallMode::PayWhatYouWant, _)) => " choose",
            _ => "",
        });
        let phase = match state.phase.get() {
            Phase::Loading => "loading",
            Phase::Unavailable { archived: false } => "unavailable",
            Phase::Unavailable { archived: true } => "unavailable archived",
            Phase::Locked => "locked",
            Phase::Preparing => "preparing busy",
            Phase::Paying => "paying form",
            Phase::Confirming => "confirming form busy",
            Phase::Declined(_) => "declined form",
            Phase::Unlocking => "unlocking busy",
            Phase::SlowUnlock => "slow",
            Phase::Unlocked => "unlocked",
            Phase::ReceiptOffer => "receipt-offer",
        };
        // Pushed, not `format!`ted: the formatting machinery costs every reader bytes.
        let mut class = String::from("paywall ");
        class.push_str(phase);
        let flags = [
            (sandbox, " sandbox"),
            (teaser, " has-teaser"),
            (receipts, " receipts"),
            (true, mode),
            (true, restoring),
            (passes, " has-passes"),
            (codes, " codes"),
            (state.code_open.get(), " code-opened"),
            (state.discounted_price().is_some(), " discounted"),
        ];
        for (on, name) in flags {
            if on {
                class.push_str(name);
            }
        }
        class
    };

    // The first sign of intent fetches the code its press will need (src/chunks.rs).
    let prefetch = flow.chunks.prefetch;
    let pointer = move |event: web_sys::PointerEvent| show_intent(&event, prefetch);
    let focus = move |event: web_sys::FocusEvent| show_intent(&event, prefetch);

    view! {
        <div class=root_class part="paywall" node_ref=state.themed lang=texts.locale
            on:pointerover=pointer on:focusin=focus>
            <span class="badge" part="badge">{texts.sandbox}</span>
            <p class="message" part="message">
                <span class="down">{texts.unavailable}</span>
                <span class="gone">{texts.archived}</span>
            </p>
            <div class="main">
                <Summary state=state texts=texts/>
                <AmountPicker state=state texts=texts/>
                <Checkout flow=flow.clone() texts=texts/>
                <PassOffers flow=flow.clone() texts=texts/>
                <CodeField flow=flow.clone() texts=texts/>
                <RestoreForm flow=flow.clone() texts=texts/>
            </div>
            // The receipt offered after a wallet payment is rendered here (by its chunk).
            <div class="offer-area" node_ref=state.offer></div>
            <StatusLine state=state texts=texts/>
        </div>
    }
}

/// A pointer over, or focus in, a part of the paywall: the chunk its press needs is fetched.
fn show_intent(event: &web_sys::Event, prefetch: fn(Intent)) {
    use wasm_bindgen::JsCast as _;
    if let Some(target) = event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
        prefetch(Intent::of(&target));
    }
}
