//! A reader's address: checked as people type it, normalised, and hashed with a key so plog
//! can find an address's purchases again without keeping the address.

use secrecy::{ExposeSecret, SecretString};

use crate::tokens::keyed_hash;

/// Longest address accepted (RFC 5321's path limit).
const MAX_LEN: usize = 254;

/// Why an address is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidAddress(pub &'static str);

/// The address as plog keeps and hashes it: trimmed and lowercased, if it looks deliverable
/// (one `@`, a local part, a domain with a dot, no spaces or control characters).
pub fn normalize(text: &str) -> Result<String, InvalidAddress> {
    let address = text.trim().to_lowercase();
    let refuse = Err(InvalidAddress("email must be an address like reader@example.com"));
    if address.is_empty() || address.len() > MAX_LEN || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse;
    }
    let Some((local, domain)) = address.rsplit_once('@') else { return refuse };
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain.split('.').all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
        && !domain.contains(['@', '<', '>', '"', ',', ';', '(', ')', '[', ']', '\\']);
    if local.is_empty()
        || local.len() > 64
        || local.contains(['<', '>', '"', ',', ';', '(', ')', '[', ']', '\\'])
        || !domain_ok
    {
        return refuse;
    }
    // What the mail library sends to must be the same address.
    if address.parse::<lettre::Address>().is_err() {
        return refuse;
    }
    Ok(address)
}

/// The keyed hash plog keeps of an address (`key`: a secret every replica shares).
pub fn hash(key: &SecretString, normalized: &str) -> String {
    keyed_hash(key.expose_secret(), "plog email v1", normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_lowercased_and_checked() {
        assert_eq!(normalize("  Reader@Example.COM ").unwrap(), "reader@example.com");
        assert_eq!(normalize("読者@example.jp").unwrap(), "読者@example.jp");
        for bad in [
            "",
            "reader",
            "reader@",
            "@example.com",
            "reader@example",
            "a b@example.com",
            "reader@.com",
            "reader@example.com.",
            "<reader@example.com>",
            "reader@exa mple.com",
            "reader@-x.com",
        ] {
            assert!(normalize(bad).is_err(), "{bad:?}");
        }
        assert!(normalize(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn the_hash_is_keyed_and_hides_the_address() {
        let key = SecretString::from("whsec_a");
        let other = SecretString::from("whsec_b");
        let a = hash(&key, "reader@example.com");
        assert_eq!(a, hash(&key, "reader@example.com"));
        assert_ne!(a, hash(&other, "reader@example.com"));
        assert!(!a.contains("reader") && a.len() == 64);
    }
}
