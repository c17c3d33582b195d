//! Every error code the API answers with, in `{"error":{"code","message"}}`: one enum that the
//! server writes and the widget reads, serialised as the snake_case strings clients have always
//! seen. A code the reader does not know (a newer server) reads as [`ErrorCode::Unknown`].
//! Each wire name is written out beside its variant (for `as_str` without serde, which the
//! widget does not carry); a test checks it equals serde's snake_case name.

use serde::{Deserialize, Serialize};

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A stable, machine-readable error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
            /// A code this build does not know (sent by a newer server); never sent by this one.
            #[serde(other)]
            Unknown,
        }

        impl ErrorCode {
            /// Every code the server may send.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it is on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                    ErrorCode::Unknown => "unknown",
                }
            }

            /// The code of its wire name; [`ErrorCode::Unknown`] for a name this build lacks.
            pub fn from_name(name: &str) -> ErrorCode {
                match name {
                    $($name => ErrorCode::$variant,)*
                    _ => ErrorCode::Unknown,
                }
            }
        }
    };
}

error_codes! {
    /// 400: the request is malformed or a value is invalid.
    BadRequest = "bad_request",
    /// 401: the admin token is missing or wrong.
    Unauthorized = "unauthorized",
    /// 402: the token does not (or not yet) unlock this paywall; it may later or elsewhere.
    PaymentRequired = "payment_required",
    /// 402: the token's purchase was refunded, canceled or disputed, or its gift link revoked:
    /// it will never open anything again.
    AccessEnded = "access_ended",
    /// 402: the token's pass has ended.
    PassExpired = "pass_expired",
    /// 422: no such discount code.
    DiscountUnknown = "discount_unknown",
    /// 422: the discount code is not valid now.
    DiscountExpired = "discount_expired",
    /// 422: the discount code has been used as often as it may.
    DiscountUsedUp = "discount_used_up",
    /// 422: the discount code is not for this paywall or pass.
    DiscountNotApplicable = "discount_not_applicable",
    /// 404: no such gift link.
    GiftUnknown = "gift_unknown",
    /// 410: the creator revoked the gift link.
    GiftRevoked = "gift_revoked",
    /// 410: the gift link has expired.
    GiftExpired = "gift_expired",
    /// 410: the gift link has been opened as often as it may.
    GiftUsedUp = "gift_used_up",
    /// 403: the paywall does not sell on the requesting page's site.
    OriginNotAllowed = "origin_not_allowed",
    /// 404: no such thing (or route).
    NotFound = "not_found",
    /// 410: the paywall is archived and sells no more.
    PaywallArchived = "paywall_archived",
    /// 409: the paywall's creator cannot sell right now (a plog for many creators: suspended,
    /// or their Stripe account does not take card payments); readers who paid keep reading.
    NotForSale = "not_for_sale",
    /// 413: the body is too large.
    PayloadTooLarge = "payload_too_large",
    /// 431: the headers are too large.
    HeadersTooLarge = "headers_too_large",
    /// 429: too many requests; `Retry-After` says when to try again.
    RateLimited = "rate_limited",
    /// 415: the body is not JSON.
    UnsupportedMediaType = "unsupported_media_type",
    /// 422: the JSON is well formed but a field is missing, unknown or of the wrong type.
    InvalidBody = "invalid_body",
    /// 422: the reader's amount does not fit the paywall's mode.
    InvalidAmount = "invalid_amount",
    /// 422: the reader's email address cannot be mailed to.
    InvalidEmail = "invalid_email",
    /// 400: a restore code is wrong, expired, used or out of tries.
    InvalidCode = "invalid_code",
    /// 404: this server sends no mail: no receipts, no restore.
    MailDisabled = "mail_disabled",
    /// 502: Stripe could not be reached or refused the request.
    PaymentProviderUnavailable = "payment_provider_unavailable",
    /// 503: the admin API is off (no admin token configured).
    AdminDisabled = "admin_disabled",
    /// 503: no database connection became free in time.
    DatabaseBusy = "database_busy",
    /// 503: the request took too long and was stopped.
    Timeout = "timeout",
    /// 500: something unexpected (logged, not described).
    Internal = "internal",
    /// 503 from `/readyz`: the database is not reachable.
    NotReady = "not_ready",
    /// 503: the widget's files were not built into this binary.
    WidgetNotBuilt = "widget_not_built",
    /// 400: a webhook's body is not an event plog can read.
    MalformedEvent = "malformed_event",
    /// 400: a webhook's signature is older than Stripe's tolerance.
    StaleSignature = "stale_signature",
    /// 400: a webhook's signature header is malformed or does not match.
    InvalidSignature = "invalid_signature",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_its_wire_name_both_ways() {
        for &code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), code);
            assert_eq!(ErrorCode::from_name(code.as_str()), code);
            assert!(code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
        }
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len(), "two codes share a name");
    }

    #[test]
    fn a_code_of_a_newer_server_reads_as_unknown() {
        assert_eq!(serde_json::from_str::<ErrorCode>("\"quota_exceeded\"").unwrap(), ErrorCode::Unknown);
        assert_eq!(ErrorCode::from_name("quota_exceeded"), ErrorCode::Unknown);
        assert!(!ErrorCode::ALL.contains(&ErrorCode::Unknown));
    }
}
