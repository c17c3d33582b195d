//! Rate limits: on starting purchases ([`purchases`], the card-testing defence: in memory on
//! SQLite, shared by every replica through the database on PostgreSQL), on restore requests
//! ([`restores`]), on the views beacon and on codes typed by readers ([`addresses`]) and on wrong admin tokens — API, `/metrics`, dashboard sign-in ([`admin_tokens`]),
//! these three in each process's memory. The request limits every request meets (time, header
//! size) are middleware: `http::middleware`.

pub mod addresses;
pub mod admin_tokens;
pub mod purchases;
pub mod restores;

pub use addresses::AddressLimits;
pub use admin_tokens::AdminTokenLimiter;
pub use purchases::PurchaseLimits;
pub use restores::RestoreLimits;
