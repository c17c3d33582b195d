//! What the paywalls of one page share about restoring access: when one of them restores (by
//! code or by the mail's link) or sells a pass, every other paywall on the page tries its held
//! tokens again, so all of them open at once; the mail's link (`#plog-restore=ID.CODE`) is taken
//! by one paywall only, and a gift link (`#plog-gift=CODE`) by the paywall it is for; each is then
//! removed from the address bar.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// A paywall's listener, by its subscription id.
type Listener = (u32, Rc<dyn Fn()>);

thread_local! {
    static LISTENERS: RefCell<Vec<Listener>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(0) };
    static LINK_TAKEN: Cell<bool> = const { Cell::new(false) };
    static GIFT_TAKEN: Cell<bool> = const { Cell::new(false) };
    static ANNOUNCED: Cell<bool> = const { Cell::new(false) };
}

/// Calls `listener` whenever a paywall of this page restored access; returns the id to
/// [`unsubscribe`] with.
pub fn subscribe(listener: impl Fn() + 'static) -> u32 {
    let id = NEXT_ID.with(|next| {
        next.set(next.get() + 1);
        next.get()
    });
    LISTENERS.with(|l| l.borrow_mut().push((id, Rc::new(listener))));
    id
}

/// Stops calling a listener (its paywall is gone).
pub fn unsubscribe(id: u32) {
    LISTENERS.with(|l| l.borrow_mut().retain(|(each, _)| *each != id));
}

/// Tells every paywall of the page that tokens were restored (or a pass bought).
pub fn announce() {
    ANNOUNCED.with(|announced| announced.set(true));
    let listeners: Vec<Rc<dyn Fn()>> = LISTENERS.with(|l| l.borrow().iter().map(|(_, f)| f.clone()).collect());
    for listener in listeners {
        listener();
    }
}

/// True once a paywall of this page restored tokens or sold a pass. A paywall that mounts
/// afterwards missed the announcement: the loader tried its tokens before them, so it tries them
/// again itself.
pub fn announced() -> bool {
    ANNOUNCED.with(Cell::get)
}

/// The page's address without its fragment (what a restore mail links to).
pub fn page_url() -> String {
    let href = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    href.split('#').next().unwrap_or_default().to_owned()
}

/// The restore link's request id and code, the first time a paywall of the page asks: the
/// fragment is then removed from the address bar (and from history), so a reload or a copied
/// address does not carry the code.
pub fn take_link() -> Option<(String, String)> {
    if LINK_TAKEN.with(Cell::get) {
        return None;
    }
    let window = web_sys::window()?;
    let hash = window.location().hash().ok()?;
    let (restore_id, code) = hash.strip_prefix("#plog-restore=")?.split_once('.')?;
    LINK_TAKEN.with(|taken| taken.set(true));
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&page_url()));
    }
    Some((restore_id.to_owned(), code.to_owned()))
}

/// A gift link's code (`#plog-gift=CODE`) in the page's address, until a paywall of the page
/// took it ([`gift_taken`]). Every paywall of the page may try it: the server opens a link only
/// on its own paywall, so trying it on another takes nothing.
pub fn gift_code() -> Option<String> {
    if GIFT_TAKEN.with(Cell::get) {
        return None;
    }
    let hash = web_sys::window()?.location().hash().ok()?;
    hash.strip_prefix("#plog-gift=").map(str::to_owned)
}

/// The gift link was answered for its paywall: no other paywall tries it, and the fragment is
/// removed from the address bar (and from history), as a restore link's is. The browser keeps
/// the access the opening gave, so the link is not needed again.
pub fn gift_taken() {
    GIFT_TAKEN.with(|taken| taken.set(true));
    if let Some(Ok(history)) = web_sys::window().map(|w| w.history()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&page_url()));
    }
}

/// True if the text could be a mail address (the server checks it properly).
pub fn looks_like_address(text: &str) -> bool {
    let text = text.trim();
    let Some((local, domain)) = text.rsplit_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !text.chars().any(char::is_whitespace)
}
