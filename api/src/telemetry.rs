//! Logging: tracing to stderr, filtered by `RUST_LOG` (default `info`). Every request's lines
//! carry its request id through the span opened in the HTTP layer.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls do nothing (tests build many apps).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
