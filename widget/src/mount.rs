//! Mounting one paywall: the Leptos view inside the shadow root the loader put on the host
//! element where the tag stands (the loader also gave it the stylesheet, and may have painted
//! the locked view the server rendered, which the widget then takes over), and a light-DOM child
//! for the card Element and one for the wallet buttons (Stripe refuses to mount inside a shadow
//! root), projected through `<slot name="card">` and `<slot name="wallet">`.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::mount::mount_to;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

use crate::api::ApiClient;
use crate::i18n;
use crate::painted::Notice;
use crate::paywall::{Keep, Painted, Paywall, PaywallSetup};
use crate::wire::Decode;
use plog_shared::api::PaintedView;

type Handle = Box<dyn std::any::Any>;

thread_local! {
    /// Mounted views by host, so an unlocked paywall can be unmounted (running its cleanups).
    static MOUNTED: RefCell<Vec<(HtmlElement, Handle)>> = const { RefCell::new(Vec::new()) };
}

fn js_error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

fn document() -> Result<web_sys::Document, JsValue> {
    web_sys::window().and_then(|w| w.document()).ok_or_else(|| js_error("plog: no document"))
}

/// What the loader painted, read from the view route's answer it hands over (`paywall`,
/// `notice`); `None` when nothing was painted (the view could not be read).
fn painted_view(view: &JsValue, texts: &'static i18n::Texts) -> Option<Painted> {
    let view = PaintedView::decode(view)?;
    let notice = view.notice.as_deref().and_then(Notice::parse).map(|n| n.text(texts));
    Some(Painted { info: view.paywall, notice })
}

/// Mounts the paywall `paywall_id`, served by the plog API at `api_origin`, into `host`, whose
/// open shadow root the loader made and styled. `host` carries the tag's `data-lang` and
/// `data-theme`. `view` is the view route's answer if the loader painted it into the shadow
/// root: the widget then starts from it and replaces the painted nodes with its own, identical
/// ones, in this one task (no frame shows anything else); otherwise pass `undefined`.
#[wasm_bindgen]
pub fn mount(host: HtmlElement, paywall_id: String, api_origin: String, view: JsValue) -> Result<(), JsValue> {
    let document = document()?;
    let html_lang = document.document_element().and_then(|e| e.get_attribute("lang"));
    let navigator_language = web_sys::window().and_then(|w| w.navigator().language());
    let lang =
        i18n::choose(host.get_attribute("data-lang").as_deref(), html_lang.as_deref(), navigator_language.as_deref());
    if !matches!(host.get_attribute("data-theme").as_deref(), Some("light" | "dark" | "auto")) {
        host.set_attribute("data-theme", "auto")?;
    }

    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    let texts = lang.texts();
    let painted = painted_view(&view, texts);
    let painted_nodes = if painted.is_some() { shadow.last_element_child() } else { None };
    let container: HtmlElement = document.create_element("div")?.unchecked_into();

    // The card Element's mount point: a light-DOM child of the host, shown through the slot.
    // Inline `!important` beats any page rule, so blog CSS cannot hide it.
    let card_slot = document.create_element("plog-card")?;
    card_slot.set_attribute("slot", "card")?;
    card_slot.unchecked_ref::<HtmlElement>().style().set_css_text(
        "display:block !important;visibility:visible !important;opacity:1 !important;min-height:1.5em !important",
    );
    host.append_child(&card_slot)?;
    // The wallet buttons' mount point, the same way; empty (and so taking no space) until the
    // reader presses Buy on a device that offers a wallet.
    let wallet_slot = document.create_element("plog-wallet")?;
    wallet_slot.set_attribute("slot", "wallet")?;
    wallet_slot
        .unchecked_ref::<HtmlElement>()
        .style()
        .set_css_text("display:block !important;visibility:visible !important;opacity:1 !important");
    host.append_child(&wallet_slot)?;

    let (host_for_unlock, host_for_close) = (host.clone(), host.clone());
    let setup = PaywallSetup {
        paywall_id,
        api: ApiClient::new(&api_origin),
        texts,
        card_slot: Some(card_slot),
        wallet_slot: Some(wallet_slot),
        on_unlocked: Rc::new(move |html: String, keep: Keep| show_content(&host_for_unlock, &html, keep)),
        close: Rc::new(move || remove_paywall(&host_for_close)),
    };
    // Leptos builds the view synchronously into the detached container; the swap below is
    // then one DOM operation.
    let handle = mount_to(
        container.clone(),
        move || view! { <Paywall setup=setup painted=painted chunks=crate::chunks::CALLS/> },
    );
    match painted_nodes {
        Some(old) => {
            shadow.replace_child(&container, &old)?;
        }
        None => {
            shadow.append_child(&container)?;
        }
    }
    MOUNTED.with(|m| m.borrow_mut().push((host, Box::new(handle))));
    Ok(())
}

/// Puts the paid HTML (sanitized by the API) where the paywall stands, in the page's light DOM
/// so the blog's own article styles apply; then removes the paywall and unmounts its view, or,
/// when it still offers something ([`Keep::Paywall`]), leaves it above the content.
fn show_content(host: &HtmlElement, html: &str, keep: Keep) {
    let Ok(document) = document() else { return };
    let Ok(content) = document.create_element("plog-content") else { return };
    content.unchecked_ref::<HtmlElement>().style().set_css_text("display:block !important");
    // The class the page's paywalled-content structured data names (the loader adds both).
    content.set_class_name("plog-paywalled");
    if let Some(id) = host.get_attribute("data-paywall") {
        let _ = content.set_attribute("data-paywall", &id);
    }
    content.set_inner_html(html);
    if let Some(parent) = host.parent_node() {
        let next = if keep == Keep::Paywall { host.next_sibling() } else { Some(host.clone().into()) };
        let _ = parent.insert_before(&content, next.as_ref());
    }
    if keep == Keep::Nothing {
        remove_paywall(host);
    }
}

/// Takes the paywall out of the page and unmounts its view.
fn remove_paywall(host: &HtmlElement) {
    host.remove();
    // Unmount after the current task: this runs inside the view's own async flow.
    let host = host.clone();
    leptos::task::spawn_local(async move {
        unmount(&host);
    });
}

/// Unmounts the paywall mounted into `host` (a blog that swaps pages without reloading calls it
/// when the paywall leaves): its cleanups run, so every request it has in flight is aborted and
/// the card Element destroyed. False if nothing was mounted there.
#[wasm_bindgen]
pub fn unmount(host: &HtmlElement) -> bool {
    let handle = MOUNTED.with(|m| {
        let mut mounted = m.borrow_mut();
        mounted.iter().position(|(h, _)| h == host).map(|i| mounted.remove(i).1)
    });
    handle.is_some()
}
