//! Random identifiers and access tokens, and the hashing that keeps tokens out of the database.
//!
//! An access token is 32 random bytes (256 bits) in URL-safe base64. Only its SHA-256 is stored;
//! a lookup hashes the presented token and compares hashes in constant time.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use plog_shared::ids::ID_RANDOM_LEN;
use plog_shared::{Id, PaywallId, PurchaseId};
use rand::Rng;
use rand::distr::Alphanumeric;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Bytes of randomness in an access token.
const TOKEN_BYTES: usize = 32;

fn random_alphanumerics() -> String {
    rand::rng().sample_iter(&Alphanumeric).take(ID_RANDOM_LEN).map(char::from).collect()
}

/// A fresh paywall id.
pub fn new_paywall_id() -> PaywallId {
    PaywallId::from_random(&random_alphanumerics()).expect("generated ids have the right shape")
}

/// A fresh purchase id.
pub fn new_purchase_id() -> PurchaseId {
    PurchaseId::from_random(&random_alphanumerics()).expect("generated ids have the right shape")
}

/// A fresh access token (the reader's proof of purchase).
pub fn new_access_token() -> String {
    let mut bytes = [0_u8; TOKEN_BYTES];
    rand::rng().fill(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The hex SHA-256 under which a token is stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A keyed hash (HMAC-SHA256, hex) of `value` for one `purpose`: what plog keeps of a reader's
/// address (restore lookups) and of a restore code. The key is a secret every replica shares.
pub fn keyed_hash(key: &str, purpose: &str, value: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(purpose.as_bytes());
    mac.update(b":");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The prefix of a creator's admin API token: a leaked one is recognisable (secret scanners,
/// logs), and it can never be mistaken for a reader's access token.
pub const CREATOR_TOKEN_PREFIX: &str = "plog_";

/// A fresh admin API token of a creator (shown to them once; only its hash is stored).
pub fn new_creator_token() -> String {
    format!("{CREATOR_TOKEN_PREFIX}{}", new_access_token())
}

/// True if the text could be a creator's API token we issued; anything else is not looked up.
pub fn looks_like_creator_token(token: &str) -> bool {
    token.strip_prefix(CREATOR_TOKEN_PREFIX).is_some_and(looks_like_token)
}

/// A fresh six-digit one-time code (restore), uniformly drawn.
pub fn new_restore_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000))
}

/// A fresh id of any kind (`PassId`, `GiftId`, `DiscountId`, `RestoreId`, `MailId`…).
pub fn new_id<T: Id>() -> T {
    T::from_random(&random_alphanumerics()).expect("generated ids have the right shape")
}

/// Compares two secrets without an early exit, so timing tells nothing about where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// True if the text could be a token we issued (URL-safe base64 of the right length); anything
/// else is refused before touching the database.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == URL_SAFE_NO_PAD.encode([0_u8; TOKEN_BYTES]).len()
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_url_safe_and_unique() {
        let a = new_access_token();
        let b = new_access_token();
        assert_ne!(a, b);
        assert!(looks_like_token(&a), "{a}");
        assert!(a.len() * 6 >= 128, "at least 128 bits");
        assert!(!looks_like_token("short"));
        assert!(!looks_like_token(&format!("{}=", &a[1..])));
    }

    #[test]
    fn hash_is_stable_hex_sha256() {
        assert_eq!(token_hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn constant_time_eq_compares_whole_strings() {
        assert!(constant_time_eq("secret", "secret"));
        assert!(!constant_time_eq("secret", "secreT"));
        assert!(!constant_time_eq("secret", "secret2"));
    }

    #[test]
    fn ids_parse_back() {
        assert!(PaywallId::parse(new_paywall_id().as_str()).is_ok());
        assert!(PurchaseId::parse(new_purchase_id().as_str()).is_ok());
    }
}
