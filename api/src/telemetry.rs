//! Logging: tracing to stderr, filtered by `RUST_LOG` (default `info`), as text for people or,
//! with `PLOG_LOG_FORMAT=json`, one JSON object per line for log collectors. Every request's
//! lines carry its request id through the span opened in the HTTP layer (in JSON: the `span`
//! object, `span.request_id`).

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, the event's fields
    /// (`message`, …) at the top level, and the request's span (`span.request_id`, `span.method`,
    /// `span.path`).
    Json,
}

/// Installs the global subscriber once; later calls do nothing (tests build many apps).
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(true).with_span_list(false).try_init(),
    };
}
