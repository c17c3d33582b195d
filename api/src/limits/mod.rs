//! Rate limits kept in memory by each process: on starting purchases ([`purchases`], the
//! card-testing defence), on restore requests ([`restores`]) and on dashboard sign-ins
//! ([`sign_ins`]). The request limits every
//! request meets (time, header size) are middleware: `http::middleware`.

pub mod purchases;
pub mod restores;
pub mod sign_ins;

pub use purchases::PurchaseLimits;
pub use restores::RestoreLimits;
pub use sign_ins::SignInLimiter;
