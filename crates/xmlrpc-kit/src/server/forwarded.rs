//! The client behind a reverse proxy: `Forwarded` / `X-Forwarded-For` are believed only
//! when the connection comes from a [`TrustedProxy`], and read from the right, past every
//! trusted hop, so a client cannot name itself by sending the header.

use hyper::header::HeaderMap;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// A peer whose `Forwarded` / `X-Forwarded-For` headers the server believes: an address,
/// a network in CIDR form, or `unix` for connections on a Unix socket (a web server on the
/// same machine).
///
/// ```
/// use xmlrpc_kit::server::TrustedProxy;
/// let lan: TrustedProxy = "10.0.0.0/8".parse()?;
/// assert!(lan.contains("10.1.2.3".parse().unwrap()));
/// assert!(!lan.contains("192.168.1.1".parse().unwrap()));
/// let local: TrustedProxy = "::1".parse()?;
/// assert!(local.contains("::1".parse().unwrap()));
/// assert_eq!("unix".parse::<TrustedProxy>()?, TrustedProxy::Unix);
/// # Ok::<(), xmlrpc_kit::server::TrustedProxyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedProxy {
    /// Addresses whose first `prefix` bits are those of `addr`.
    Net {
        /// The network's address.
        addr: IpAddr,
        /// How many leading bits must match (32 or 128 for one address).
        prefix: u8,
    },
    /// Connections on a Unix socket, whose peer has no address.
    Unix,
}

/// Text that is not an address, a CIDR network or `unix`.
///
/// ```
/// let err = "10.0.0.0/33".parse::<xmlrpc_kit::server::TrustedProxy>().unwrap_err();
/// assert!(err.to_string().contains("10.0.0.0/33"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a trusted proxy: use an address (127.0.0.1, ::1), a network (10.0.0.0/8) or `unix`")]
pub struct TrustedProxyError(String);

impl FromStr for TrustedProxy {
    type Err = TrustedProxyError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = || TrustedProxyError(text.to_owned());
        let text = text.trim();
        if text == "unix" {
            return Ok(TrustedProxy::Unix);
        }
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, bits)) => (addr, Some(bits)),
            None => (text, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| fail())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(bits) => bits
                .parse::<u8>()
                .ok()
                .filter(|&b| b <= max)
                .ok_or_else(fail)?,
            None => max,
        };
        Ok(TrustedProxy::Net { addr, prefix })
    }
}

impl TrustedProxy {
    /// Whether `ip` is in this network (never, for [`TrustedProxy::Unix`]). An IPv4 address
    /// mapped into IPv6 (`::ffff:10.0.0.1`) counts as its IPv4 form.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let TrustedProxy::Net { addr, prefix } = *self else {
            return false;
        };
        let ip = canonical(ip);
        match (canonical(addr), ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn trusted(list: &[TrustedProxy], peer: Option<SocketAddr>) -> bool {
    match peer {
        Some(addr) => list.iter().any(|t| t.contains(addr.ip())),
        None => list.contains(&TrustedProxy::Unix),
    }
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the last
/// untrusted hop its `Forwarded` (or else `X-Forwarded-For`) header names. A forwarded
/// address carries port 0 (the headers give none; the log shows the address alone).
pub(crate) fn client_addr(
    list: &[TrustedProxy],
    peer: Option<SocketAddr>,
    headers: &HeaderMap,
) -> Option<SocketAddr> {
    if list.is_empty() || !trusted(list, peer) {
        return peer;
    }
    let hops = forwarded_for(headers).or_else(|| x_forwarded_for(headers));
    let Some(hops) = hops else {
        return peer;
    };
    // From the nearest hop back: the first address not a trusted proxy is the client.
    // A hop that cannot be read ends the walk at the last one that could.
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = hop else { break };
        client = Some(SocketAddr::new(*ip, 0));
        if !list.iter().any(|t| t.contains(*ip)) {
            break;
        }
    }
    client
}

/// The `for=` addresses of every `Forwarded` header, in order (`None` for one that is not
/// an address: `unknown`, an obfuscated name).
fn forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all("forwarded") {
        let text = value.to_str().ok()?;
        for element in text.split(',') {
            let Some(for_) = element.split(';').find_map(|pair| {
                let (key, value) = pair.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("for")
                    .then(|| value.trim().trim_matches('"'))
            }) else {
                continue;
            };
            hops.push(parse_node(for_));
        }
    }
    (!hops.is_empty()).then_some(hops)
}

/// The addresses of every `X-Forwarded-For` header, in order.
fn x_forwarded_for(headers: &HeaderMap) -> Option<Vec<Option<IpAddr>>> {
    let mut hops = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let text = value.to_str().ok()?;
        hops.extend(text.split(',').map(|hop| parse_node(hop.trim())));
    }
    (!hops.is_empty()).then_some(hops)
}

/// `1.2.3.4`, `1.2.3.4:80`, `[::1]`, `[::1]:80` or `::1`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse() {
        return Some(ip);
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    text.strip_prefix('[')?.split(']').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, v.parse().unwrap());
        }
        map
    }

    fn list(items: &[&str]) -> Vec<TrustedProxy> {
        items.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_peer() {
        let peer: SocketAddr = "203.0.113.9:4000".parse().unwrap();
        let h = headers(&[("x-forwarded-for", "1.2.3.4")]);
        assert_eq!(
            client_addr(&list(&["127.0.0.1"]), Some(peer), &h),
            Some(peer)
        );
        assert_eq!(client_addr(&[], Some(peer), &h), Some(peer));
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        assert_eq!(
            client_addr(&list(&["127.0.0.0/8"]), Some(proxy), &h),
            Some("1.2.3.4:0".parse().unwrap())
        );
    }

    #[test]
    fn a_client_cannot_name_itself_by_sending_the_header() {
        // The client sent "6.6.6.6"; the trusted proxy appended the real address.
        let proxy: SocketAddr = "10.0.0.2:5000".parse().unwrap();
        let h = headers(&[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.3")]);
        assert_eq!(
            client_addr(&list(&["10.0.0.0/8"]), Some(proxy), &h),
            Some("198.51.100.7:0".parse().unwrap())
        );
    }

    #[test]
    fn forwarded_is_read_first_and_in_every_form() {
        let h = headers(&[
            (
                "forwarded",
                r#"for=192.0.2.60;proto=http, for="[2001:db8::1]:4711""#,
            ),
            ("x-forwarded-for", "9.9.9.9"),
        ]);
        assert_eq!(
            client_addr(&list(&["unix"]), None, &h),
            Some("[2001:db8::1]:0".parse().unwrap())
        );
        let h = headers(&[("forwarded", "for=unknown")]);
        assert_eq!(client_addr(&list(&["unix"]), None, &h), None);
    }

    #[test]
    fn networks_match_by_prefix() {
        let net: TrustedProxy = "192.168.0.0/16".parse().unwrap();
        assert!(net.contains("192.168.255.1".parse().unwrap()));
        assert!(net.contains("::ffff:192.168.1.1".parse().unwrap()));
        assert!(!net.contains("192.169.0.1".parse().unwrap()));
        let all: TrustedProxy = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        for bad in ["", "10.0.0.0/", "10/8", "::1/129", "host.example"] {
            assert!(bad.parse::<TrustedProxy>().is_err(), "{bad}");
        }
    }
}
