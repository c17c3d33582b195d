//! Access tokens kept in `localStorage`, one per API origin and paywall, so a returning reader
//! sees the content without paying again. Storage may be unavailable (privacy modes): then
//! nothing is kept and the widget still works for the visit.

/// The localStorage key of a paywall's token.
pub fn token_key(api_origin: &str, paywall_id: &str) -> String {
    format!("plog:token:{api_origin}:{paywall_id}")
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
