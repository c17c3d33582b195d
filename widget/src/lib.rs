//! The plog paywall widget: a Leptos (CSR) component compiled to WebAssembly, mounted by the
//! `plog.js` loader into a Shadow DOM right where each `<script data-paywall>` tag stands.
//!
//! The server links this crate too: [`painted`] renders the locked view to HTML, which the loader
//! paints before the widget's code is fetched.
//!
//! This file only assembles the modules; [`mount::mount`] is the one function the loader calls.

pub mod api;
pub mod chunks;
pub mod format;
pub mod i18n;
pub mod json;
pub mod mount;
pub mod painted;
pub mod paywall;
pub mod restored;
pub mod storage;
pub mod stripe_js;
pub mod theme;
pub mod wire;

pub use mount::mount;
