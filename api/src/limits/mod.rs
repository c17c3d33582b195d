//! Rate limits: on starting purchases ([`purchases`], the card-testing defence: in memory on
//! SQLite, shared by every replica through the database on PostgreSQL), on restore requests and
//! codes ([`restores`]), on the views beacon, codes typed by readers and the reads of Stripe a
//! content request may cause ([`addresses`]), and on wrong admin tokens — API, `/metrics`,
//! dashboard sign-in ([`admin_tokens`]); these last three in each process's memory. The request
//! limits every request meets (time, header size) are middleware: `http::middleware`; the time to
//! send headers is the connection loop's (`startup`).

pub mod addresses;
pub mod admin_tokens;
pub mod purchases;
pub mod restores;

pub use addresses::AddressLimits;
pub use admin_tokens::AdminTokenLimiter;
pub use purchases::PurchaseLimits;
pub use restores::RestoreLimits;
