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

/// The text of the README between `<!-- NAME -->` and `<!-- /NAME -->`: generated sections (the
/// sanitizer's allow-list, the purchase state table) that tests keep equal to the code.
#[cfg(test)]
pub(crate) fn readme_section(name: &str) -> String {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let open = format!("<!-- {name} -->\n");
    let start = readme.find(&open).unwrap_or_else(|| panic!("README marks {open:?}")) + open.len();
    let end =
        readme[start..].find(&format!("<!-- /{name} -->")).unwrap_or_else(|| panic!("README ends {name}")) + start;
    readme[start..end].to_owned()
}
