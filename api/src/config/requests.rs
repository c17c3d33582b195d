//! What every request meets: where a client's address comes from (trusted proxies), the time
//! a request may take and the size of its headers.

use clap::Args;

/// Parses a network (`10.0.0.0/8`) or a single address (`127.0.0.1`).
fn parse_network(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw:?} is neither an IP address nor a network like 10.0.0.0/8"))
}

/// Client addresses and the limits every request meets.
#[derive(Debug, Clone, Args)]
pub struct RequestConfig {
    /// Addresses or networks of reverse proxies in front of plog (comma-separated, e.g.
    /// `127.0.0.1,10.0.0.0/8`). Only a request from one of them has its `X-Forwarded-For`
    /// believed; without this setting the header is ignored.
    #[arg(long = "trusted-proxies", env = "PLOG_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Seconds one request may take before it is answered 503 `timeout`.
    #[arg(long = "request-timeout-secs", env = "PLOG_REQUEST_TIMEOUT_SECS", default_value_t = 45, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub request_timeout_secs: u64,
    /// Largest total size of a request's headers, bytes; beyond it: 431 `headers_too_large`.
    #[arg(long = "max-header-bytes", env = "PLOG_MAX_HEADER_BYTES", default_value_t = 16 * 1024, value_parser = clap::value_parser!(u64).range(1024..=256 * 1024))]
    pub max_header_bytes: u64,
    /// Seconds a client has to send a request's headers, and that an idle kept-alive connection
    /// stays open; then the connection is closed (half-sent requests cannot hold sockets).
    #[arg(long = "header-timeout-secs", env = "PLOG_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub header_timeout_secs: u64,
}
