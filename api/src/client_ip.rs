//! The client's IP address, as the rate limits see it: the TCP peer, unless the peer is one of
//! `PLOG_TRUSTED_PROXIES`; then the nearest address in `X-Forwarded-For` that is not a trusted
//! proxy itself. Without trusted proxies the header is ignored, so a client cannot choose the
//! address it is limited under.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::error::ApiError;
use crate::state::AppState;

/// The client address of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Resolves the client behind `peer`, reading `X-Forwarded-For` right to left (each proxy
/// appends the address it received from) only while the hops are trusted.
///
/// Addresses are compared in their canonical form: on a dual-stack listener an IPv4 proxy
/// connects as `::ffff:10.0.0.2`, which is the `10.0.0.0/8` an operator listed.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        match hop.parse::<IpAddr>().map(|ip| ip.to_canonical()) {
            // A hop added by a trusted proxy: keep walking towards the client.
            Ok(ip) if is_trusted(&ip) => client = ip,
            // The first untrusted address is the client; anything left of it is its own claim.
            Ok(ip) => return ip,
            // Garbage: nothing further left can be believed.
            Err(_) => return client,
        }
    }
    client
}

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, ctx: &AppState) -> Result<Self, Self::Rejection> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, ctx)
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("the server was started without connection info")))?;
        Ok(ClientIp(client_ip(peer.ip(), &parts.headers, &ctx.config.requests.trusted_proxies)))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in xff {
            map.append("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_trusted_proxies_the_header_is_ignored() {
        assert_eq!(client_ip(ip("198.51.100.9"), &headers(&["1.2.3.4"]), &[]), ip("198.51.100.9"));
    }

    #[test]
    fn an_ipv4_proxy_seen_through_a_dual_stack_listener_is_trusted() {
        let trusted = ["127.0.0.1/32".parse().unwrap()];
        assert_eq!(client_ip(ip("::ffff:127.0.0.1"), &headers(&["203.0.113.5"]), &trusted), ip("203.0.113.5"));
        assert_eq!(client_ip(ip("::ffff:198.51.100.7"), &headers(&[]), &[]), ip("198.51.100.7"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_ip(ip("10.0.0.2"), &headers(&["203.0.113.5"]), &trusted), ip("203.0.113.5"));
        // A client's forged entries sit left of the real one and are not believed.
        assert_eq!(client_ip(ip("10.0.0.2"), &headers(&["6.6.6.6, 203.0.113.5"]), &trusted), ip("203.0.113.5"));
        // Two proxies of ours in a row.
        assert_eq!(client_ip(ip("10.0.0.2"), &headers(&["203.0.113.5, 10.0.0.3"]), &trusted), ip("203.0.113.5"));
        assert_eq!(client_ip(ip("10.0.0.2"), &headers(&["203.0.113.5", "10.0.0.3"]), &trusted), ip("203.0.113.5"));
    }

    #[test]
    fn an_untrusted_peer_cannot_claim_another_address() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_ip(ip("198.51.100.9"), &headers(&["203.0.113.5"]), &trusted), ip("198.51.100.9"));
    }

    #[test]
    fn garbage_or_a_missing_header_falls_back_to_the_last_trusted_hop() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_ip(ip("10.0.0.2"), &headers(&[]), &trusted), ip("10.0.0.2"));
        assert_eq!(client_ip(ip("10.0.0.2"), &headers(&["nonsense"]), &trusted), ip("10.0.0.2"));
    }
}
