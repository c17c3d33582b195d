//! plog's server: an axum API that prices paywalls, creates Stripe PaymentIntents, records
//! purchases from Stripe's signed webhooks and serves paid content to paying readers.
//!
//! `main.rs` only parses the command line ([`cli`]) and runs it; tests build the same
//! [`startup::Application`] on port 0.

pub mod catalog;
pub mod cli;
pub mod config;
pub mod content;
pub mod context;
pub mod dashboard;
pub mod doctor;
pub mod error;
pub mod export;
pub mod guard;
pub mod http;
pub mod lifecycle;
pub mod payments;
pub mod reconcile;
pub mod report;
pub mod sandbox;
pub mod sites;
pub mod startup;
pub mod store;
pub mod stripe;
pub mod telemetry;
pub mod tokens;
