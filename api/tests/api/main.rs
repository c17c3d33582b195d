//! plog's API integration tests: one binary, real SQLite files, a real localstripe.

mod admin;
mod cli;
mod dashboard;
mod doctor;
mod fuzz;
mod helpers;
mod limits;
mod modes;
mod offers;
mod operations;
mod painted;
mod payments;
mod processes;
mod public_routes;
mod receipts;
mod reconcile;
mod refunds;
mod reports;
mod scale;
mod secrets;
mod sites;
mod stripe_artifacts;
mod stripe_failures;
mod tokens;
mod wallets;
mod webhooks;
