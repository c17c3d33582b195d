//! Access tokens kept in `localStorage`, one per API origin and paywall, so a returning reader
//! sees the content without paying again; and the tokens of passes, one list per API origin,
//! which every paywall of the page tries (a pass opens paywalls it was not bought on). Storage may be unavailable (privacy modes): then
//! nothing is kept and the widget still works for the visit.

/// The localStorage key of a paywall's token.
pub fn token_key(api_origin: &str, paywall_id: &str) -> String {
    ["plog:token:", api_origin, ":", paywall_id].concat()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The token held for this paywall, if any.
pub fn load_token(api_origin: &str, paywall_id: &str) -> Option<String> {
    storage()?.get_item(&token_key(api_origin, paywall_id)).ok().flatten().filter(|t| !t.is_empty())
}

/// Keeps a token.
pub fn save_token(api_origin: &str, paywall_id: &str, token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&token_key(api_origin, paywall_id), token);
    }
}

/// Forgets a token that no longer unlocks (refunded, or never paid).
pub fn forget_token(api_origin: &str, paywall_id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&token_key(api_origin, paywall_id));
    }
}

fn passes_key(api_origin: &str) -> String {
    ["plog:passes:", api_origin].concat()
}

/// The pass tokens held for this plog.
pub fn pass_tokens(api_origin: &str) -> Vec<String> {
    let held = storage().and_then(|s| s.get_item(&passes_key(api_origin)).ok().flatten()).unwrap_or_default();
    held.split_whitespace().map(str::to_owned).collect()
}

fn save_pass_tokens(api_origin: &str, tokens: &[String]) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&passes_key(api_origin), &tokens.join(" "));
    }
}

/// Keeps a pass's token.
pub fn save_pass_token(api_origin: &str, token: &str) {
    let mut tokens = pass_tokens(api_origin);
    if !tokens.iter().any(|t| t == token) {
        tokens.push(token.to_owned());
        save_pass_tokens(api_origin, &tokens);
    }
}

/// Forgets a pass's token (the pass ended).
pub fn forget_pass_token(api_origin: &str, token: &str) {
    let tokens: Vec<String> = pass_tokens(api_origin).into_iter().filter(|t| t != token).collect();
    save_pass_tokens(api_origin, &tokens);
}
