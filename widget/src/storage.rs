//! Access tokens kept in `localStorage`: for each API origin and paywall, the list of tokens of
//! the purchases this browser started or restored there, so a returning reader sees the content
//! without paying again; and the tokens of passes, one list per API origin, which every paywall
//! of the page tries (a pass opens paywalls it was not bought on).
//!
//! A token is dropped only when the server refuses it for good (refunded, canceled, disputed:
//! `access_ended`), never because it does not open *yet*: a purchase started in another tab, or
//! paid while its webhook is late, opens later. A new purchase adds its token beside the others;
//! once one opens the paywall it is the only one kept. Storage may be refused (privacy modes,
//! "block all cookies", a policy): then nothing is kept, [`available`] says so, and the flow
//! keeps its purchase in memory for the visit.

/// Most tokens kept per paywall: a reader who starts purchases and never pays cannot grow the
/// list for ever (the oldest unpaid ones go first).
const MAX_HELD: usize = 16;

/// The localStorage key of a paywall's tokens.
pub fn token_key(api_origin: &str, paywall_id: &str) -> String {
    ["plog:token:", api_origin, ":", paywall_id].concat()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Whether this browser keeps what the widget stores: the storage exists and takes a write
/// (Safari's private mode used to expose a storage that throws on every write).
pub fn available() -> bool {
    let Some(storage) = storage() else { return false };
    let probe = "plog:probe";
    let kept = storage.set_item(probe, "1").is_ok();
    let _ = storage.remove_item(probe);
    kept
}

fn read_list(key: &str) -> Vec<String> {
    let held = storage().and_then(|s| s.get_item(key).ok().flatten()).unwrap_or_default();
    held.split_whitespace().map(str::to_owned).collect()
}

fn write_list(key: &str, tokens: &[String]) {
    if let Some(storage) = storage() {
        let _ = if tokens.is_empty() { storage.remove_item(key) } else { storage.set_item(key, &tokens.join(" ")) };
    }
}

/// The tokens held for this paywall, oldest first (an earlier version kept one: it reads as a
/// list of one).
pub fn tokens(api_origin: &str, paywall_id: &str) -> Vec<String> {
    read_list(&token_key(api_origin, paywall_id))
}

/// Keeps a token beside those already held for the paywall.
pub fn keep_token(api_origin: &str, paywall_id: &str, token: &str) {
    let key = token_key(api_origin, paywall_id);
    let mut held = read_list(&key);
    if !held.iter().any(|t| t == token) {
        held.push(token.to_owned());
        let excess = held.len().saturating_sub(MAX_HELD);
        held.drain(..excess);
        write_list(&key, &held);
    }
}

/// This token opened the paywall: it is the one kept (the others were never needed).
pub fn settle_token(api_origin: &str, paywall_id: &str, token: &str) {
    write_list(&token_key(api_origin, paywall_id), &[token.to_owned()]);
}

/// Forgets one token the server refused for good (refunded, canceled, disputed).
pub fn forget_token(api_origin: &str, paywall_id: &str, token: &str) {
    let key = token_key(api_origin, paywall_id);
    let held: Vec<String> = read_list(&key).into_iter().filter(|t| t != token).collect();
    write_list(&key, &held);
}

/// Forgets every token of the paywall (a tip jar offers itself again on the next visit).
pub fn forget_tokens(api_origin: &str, paywall_id: &str) {
    write_list(&token_key(api_origin, paywall_id), &[]);
}

fn passes_key(api_origin: &str) -> String {
    ["plog:passes:", api_origin].concat()
}

/// The pass tokens held for this plog.
pub fn pass_tokens(api_origin: &str) -> Vec<String> {
    read_list(&passes_key(api_origin))
}

/// Keeps a pass's token.
pub fn save_pass_token(api_origin: &str, token: &str) {
    let mut tokens = pass_tokens(api_origin);
    if !tokens.iter().any(|t| t == token) {
        tokens.push(token.to_owned());
        write_list(&passes_key(api_origin), &tokens);
    }
}

/// Forgets a pass's token (the pass ended, or was refunded).
pub fn forget_pass_token(api_origin: &str, token: &str) {
    let tokens: Vec<String> = pass_tokens(api_origin).into_iter().filter(|t| t != token).collect();
    write_list(&passes_key(api_origin), &tokens);
}
