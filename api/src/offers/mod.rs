//! More ways to pay and share than one purchase of one article, for the admin API, the CLI and
//! the dashboard alike: [`passes`] (many paywalls for a time), [`gifts`] (links that open one
//! paywall for whoever holds them) and [`discounts`] (codes readers type for a lower price).
//! Each validates what the creator asks before anything is written, and what readers are
//! offered is read through [`cache`]; the readers' side (what a
//! purchase costs, what a token opens) is in `payments`.

pub mod cache;
pub mod discounts;
pub mod gifts;
pub mod passes;

/// Errors of the creator's operations on passes, gift links and codes.
#[derive(Debug, thiserror::Error)]
pub enum OfferError {
    /// The input is invalid; nothing was written.
    #[error("{0}")]
    Invalid(String),
    /// No such pass, link, code or paywall.
    #[error("{0}")]
    NotFound(&'static str),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] anyhow::Error),
}

impl From<crate::catalog::InvalidPaywall> for OfferError {
    fn from(invalid: crate::catalog::InvalidPaywall) -> Self {
        OfferError::Invalid(invalid.0)
    }
}

/// Longest label or title accepted, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

/// Most days a pass may last (ten years; longer is "for good").
pub const MAX_PASS_DAYS: i64 = 3_650;
