//! Identifiers of paywalls, purchases, passes, gift links, discount codes, restore requests and
//! outbox mails: a fixed prefix and 20 URL-safe alphanumerics.
//!
//! Ids are parsed once at the edge ([`PaywallId::parse`]); past it, a value of the type is valid.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Number of random characters after the prefix (20 × log2(62) ≈ 119 bits).
pub const ID_RANDOM_LEN: usize = 20;

/// Why a string is not a valid id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidId {
    /// What kind of id was expected, e.g. "paywall".
    pub kind: &'static str,
}

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a valid {} id", self.kind)
    }
}

impl std::error::Error for InvalidId {}

/// An id type: a fixed prefix and [`ID_RANDOM_LEN`] alphanumerics.
pub trait Id: Sized {
    /// Builds an id from random alphanumerics produced by the caller's generator.
    fn from_random(random: &str) -> Result<Self, InvalidId>;
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// Parses an id, checking prefix, length and alphabet.
            pub fn parse(raw: &str) -> Result<Self, InvalidId> {
                let rest = raw.strip_prefix($prefix).ok_or(InvalidId { kind: $kind })?;
                if rest.len() == ID_RANDOM_LEN && rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    Ok(Self(raw.to_owned()))
                } else {
                    Err(InvalidId { kind: $kind })
                }
            }

            /// Builds an id from random alphanumerics produced by the caller's generator.
            pub fn from_random(random: &str) -> Result<Self, InvalidId> {
                Self::parse(&format!("{}{}", $prefix, random))
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Id for $name {
            fn from_random(random: &str) -> Result<Self, InvalidId> {
                $name::from_random(random)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }
    };
}

id_type!(
    /// The id of a paywall, e.g. `pw_4f9XkQ2mZ8aB1cD3eF5g`.
    PaywallId, "pw_", "paywall"
);
id_type!(
    /// The id of a purchase, e.g. `pur_4f9XkQ2mZ8aB1cD3eF5g`.
    PurchaseId, "pur_", "purchase"
);
id_type!(
    /// The id of a pass, e.g. `pass_4f9XkQ2mZ8aB1cD3eF5g`.
    PassId, "pass_", "pass"
);
id_type!(
    /// The id of a gift link, e.g. `gift_4f9XkQ2mZ8aB1cD3eF5g`.
    GiftId, "gift_", "gift link"
);
id_type!(
    /// The id of a discount code, e.g. `disc_4f9XkQ2mZ8aB1cD3eF5g`.
    DiscountId, "disc_", "discount code"
);
id_type!(
    /// The id of a restore request, e.g. `rst_4f9XkQ2mZ8aB1cD3eF5g`.
    RestoreId, "rst_", "restore request"
);
id_type!(
    /// The id of a mail in the outbox (also its `Message-ID`'s left part), e.g.
    /// `mail_4f9XkQ2mZ8aB1cD3eF5g`.
    MailId, "mail_", "mail"
);
id_type!(
    /// The id of a creator's sign-in code (the code itself is mailed, its keyed hash kept), e.g.
    /// `sgn_4f9XkQ2mZ8aB1cD3eF5g`.
    SignInId, "sgn_", "sign-in code"
);
id_type!(
    /// The id of a creator's admin API token (what lists show and revoking names; the token
    /// itself is shown once), e.g. `tok_4f9XkQ2mZ8aB1cD3eF5g`.
    TokenId, "tok_", "API token"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_only_the_exact_shape() {
        assert!(PaywallId::parse("pw_abcdefghij0123456789").is_ok());
        assert!(PaywallId::parse("pw_abcdefghij012345678").is_err(), "too short");
        assert!(PaywallId::parse("pw_abcdefghij0123456789x").is_err(), "too long");
        assert!(PaywallId::parse("pw_abcdefghij012345678-").is_err(), "bad alphabet");
        assert!(PaywallId::parse("pur_abcdefghij0123456789").is_err(), "wrong prefix");
        assert!(PurchaseId::parse("pur_abcdefghij0123456789").is_ok());
    }

    #[test]
    fn serde_rejects_invalid_ids() {
        let ok: Result<PaywallId, _> = serde_json::from_str("\"pw_abcdefghij0123456789\"");
        assert!(ok.is_ok());
        let bad: Result<PaywallId, _> = serde_json::from_str("\"../etc/passwd\"");
        assert!(bad.is_err());
    }
}
