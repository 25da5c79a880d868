//! Which resolved addresses an outbound fetch may connect to outside development mode: only
//! globally routable ones. Loopback, private (RFC 1918), shared (RFC 6598), link-local,
//! unique-local (RFC 4193), multicast, documentation and reserved ranges are refused, and so
//! are IPv6 forms that embed such an IPv4 address (mapped, compatible, NAT64, 6to4).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is a globally routable address a server-side fetch may reach.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = a == 0 // "this network", including 0.0.0.0
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || (a == 100 && (b & 0xc0) == 64) // 100.64.0.0/10 shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // 192.0.0.0/24 IETF protocol assignments
        || (a == 198 && (b & 0xfe) == 18) // 198.18.0.0/15 benchmarking
        || ip.is_documentation()
        || ip.is_multicast()
        || a >= 240; // reserved and broadcast
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [s0, s1, s2, s3, ..] = ip.segments();
    let special = ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (s0 & 0xfe00) == 0xfc00 // fc00::/7 unique local
        || (s0 & 0xffc0) == 0xfe80 // fe80::/10 link-local
        || (s0 & 0xffc0) == 0xfec0 // fec0::/10 site-local (deprecated)
        || (s0 == 0x2001 && s1 == 0x0db8) // documentation
        || (s0 == 0x2001 && s1 == 0) // Teredo: tunnels to an address we cannot check
        || (s0 == 0x0100 && s1 == 0 && s2 == 0 && s3 == 0); // discard-only
    !special
}

/// The IPv4 address an IPv6 address carries and routes to, when it is of a form that does.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    let [s0, s1, s2, s3, s4, s5, s6, s7] = ip.segments();
    let tail = || Ipv4Addr::from((u32::from(s6) << 16) | u32::from(s7));
    match [s0, s1, s2, s3, s4, s5] {
        // ::a.b.c.d (IPv4-compatible, deprecated; also :: and ::1, which map to 0.0.0.x).
        [0, 0, 0, 0, 0, 0] => Some(tail()),
        // 64:ff9b::/96 NAT64.
        [0x64, 0xff9b, 0, 0, 0, 0] => Some(tail()),
        // 2002:AABB:CCDD::/48 6to4.
        [0x2002, ..] => Some(Ipv4Addr::from((u32::from(s1) << 16) | u32::from(s2))),
        _ => None,
    }
}

/// The error a lookup gives when a name resolves to an address [`is_public`] refuses; found
/// again in the request error's source chain to tell the caller why.
#[derive(Debug)]
pub struct NonPublicAddress;

impl std::fmt::Display for NonPublicAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the name resolves to a non-public address")
    }
}

impl std::error::Error for NonPublicAddress {}

/// A DNS resolver for reqwest that resolves with the system resolver, then refuses the name
/// when *any* of its addresses is not public. reqwest connects only to the addresses a
/// resolver returns, so the checked addresses are the ones connected to: a second lookup
/// (DNS rebinding) never happens.
#[derive(Debug, Clone, Copy, Default)]
pub struct PublicOnlyResolver;

impl PublicOnlyResolver {
    /// The resolver as reqwest's `dns_resolver` takes it.
    pub fn shared() -> Arc<Self> {
        Arc::new(Self)
    }
}

/// Every address of a lookup, or [`NonPublicAddress`] when one of them is not public.
pub fn only_public(addrs: Vec<SocketAddr>) -> Result<Vec<SocketAddr>, NonPublicAddress> {
    if addrs.iter().all(|a| is_public(a.ip())) {
        Ok(addrs)
    } else {
        Err(NonPublicAddress)
    }
}

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let addrs = only_public(addrs)?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_globally_routable_addresses_are_public() {
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700:4700::1111",
            "::ffff:93.184.216.34",
            "2002:5db8:d822::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for private in [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "192.0.2.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001:0:4136:e378::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::1",
            "2002:c0a8:0101::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
    }

    #[test]
    fn a_lookup_with_any_private_address_is_refused_whole() {
        let public: SocketAddr = "93.184.216.34:0".parse().unwrap();
        let private: SocketAddr = "10.0.0.1:0".parse().unwrap();
        assert_eq!(only_public(vec![public]).unwrap(), vec![public]);
        assert!(only_public(vec![public, private]).is_err());
        assert!(only_public(vec![private, public]).is_err());
    }

    #[tokio::test]
    async fn the_resolver_checks_what_a_name_resolves_to() {
        // `localhost` is an ordinary name here: it is refused for its address, 127.0.0.1.
        let name: Name = "localhost".parse().unwrap();
        let e = PublicOnlyResolver.resolve(name).await.err().unwrap();
        assert!(e.downcast_ref::<NonPublicAddress>().is_some(), "{e}");
    }
}
