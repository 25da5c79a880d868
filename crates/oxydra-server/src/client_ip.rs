//! The client's IP address, for per-address budgets: the peer address, or, when the peer is a
//! trusted TLS-terminating proxy (`HTTPS_ALLOW_TERMINATION_FROM`), the address that proxy
//! reports in `X-Forwarded-For`. Only trusted proxies are believed: anyone else could put any
//! address in that header and so escape their budget.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::state::AppState;

/// The client's address as [`client_ip`] decides it; `None` when the connection's peer is
/// unknown (in-process requests without connection info).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(Self(peer.map(|peer| {
            client_ip(
                peer,
                &parts.headers,
                &state.config.tls.allow_termination_from,
            )
        })))
    }
}

/// `peer`, unless it is one of the `trusted` proxies: then the right-most `X-Forwarded-For`
/// address that is not itself a trusted proxy (each proxy appends the address it saw, so the
/// entries left of the first untrusted one may be forged). Falls back to `peer` when the
/// header is missing or malformed.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut forwarded: Vec<&str> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return peer;
        };
        forwarded.extend(text.split(',').map(str::trim));
    }
    for entry in forwarded.iter().rev() {
        let Ok(ip) = entry.parse::<IpAddr>() else {
            return peer;
        };
        if !is_trusted(&ip) {
            return ip;
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append("x-forwarded-for", HeaderValue::from_str(v).unwrap());
        }
        map
    }

    #[test]
    fn only_trusted_proxies_are_believed() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = ip("10.0.0.5");
        let stranger = ip("198.51.100.7");
        // A stranger's header is ignored.
        assert_eq!(
            client_ip(stranger, &headers(&["192.0.2.1"]), &trusted),
            stranger
        );
        // Behind the proxy: the right-most untrusted entry; forged entries left of it are not used.
        assert_eq!(
            client_ip(proxy, &headers(&["1.2.3.4, 192.0.2.1"]), &trusted),
            ip("192.0.2.1")
        );
        assert_eq!(
            client_ip(proxy, &headers(&["192.0.2.1", "10.0.0.9"]), &trusted),
            ip("192.0.2.1")
        );
        // Missing, all-trusted or malformed: the proxy itself.
        assert_eq!(client_ip(proxy, &headers(&[]), &trusted), proxy);
        assert_eq!(client_ip(proxy, &headers(&["10.1.1.1"]), &trusted), proxy);
        assert_eq!(client_ip(proxy, &headers(&["not-an-ip"]), &trusted), proxy);
        // No trusted proxies configured: always the peer.
        assert_eq!(client_ip(proxy, &headers(&["192.0.2.1"]), &[]), proxy);
    }
}
