//! Forward proxies: the proxy a client's calls go through, from
//! [`ClientBuilder::proxy`](super::ClientBuilder::proxy) or from the environment as curl
//! reads it (`http_proxy` in lower case only, `https_proxy`/`HTTPS_PROXY`,
//! `all_proxy`/`ALL_PROXY`), and `no_proxy` matching as curl does it (host names and their
//! subdomains, a leading dot, `*`, IP addresses and CIDR ranges, an optional `:port`).
//! A Unix-socket or SCGI URL never goes through a proxy.

use super::url::{Endpoint, Place, Wire};
use std::net::IpAddr;

/// A proxy to go through: its `host:port`, and the `Proxy-Authorization` value when its
/// URL held credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Proxy {
    pub(crate) authority: String,
    pub(crate) authorization: Option<String>,
    /// The proxy's URL without credentials, for messages.
    pub(crate) shown: String,
}

/// Where the proxy setting comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum ProxyChoice {
    /// The environment (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`): the default.
    #[default]
    Environment,
    /// This URL, whatever the environment says of proxies.
    Url(String),
    /// No proxy at all.
    Off,
}

/// Parses a proxy URL: `http://[user:password@]host[:port]` (the port defaults to 1080,
/// as curl's does; a missing scheme means `http://`).
pub(crate) fn parse_proxy(url: &str) -> Result<Proxy, String> {
    let url = url.trim();
    let rest = match url.find("://") {
        Some(at) => match url[..at].to_ascii_lowercase().as_str() {
            "http" => &url[at + 3..],
            other => {
                return Err(format!(
                    "`{other}://` proxies are not supported; use an http:// proxy (HTTPS goes through it by CONNECT)"
                ))
            }
        },
        None => url,
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let endpoint = super::url::parse(&format!("http://{authority}"))?;
    let Place::Tcp(host_port) = endpoint.place else {
        return Err("a proxy is reached over TCP".into());
    };
    // `url::parse` gave port 80 when none was written; a proxy's default is 1080.
    let written_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, h)| h)
        .rsplit_once(':')
        .is_some_and(|(_, port)| !port.contains(']'));
    let host_port = if written_port {
        host_port
    } else {
        match host_port.rsplit_once(':') {
            Some((host, _)) => format!("{host}:1080"),
            None => format!("{host_port}:1080"),
        }
    };
    Ok(Proxy {
        shown: format!("http://{host_port}"),
        authority: host_port,
        authorization: endpoint.basic_auth,
    })
}

/// The proxy for `endpoint`, if any: `choice`, then `no_proxy` (the builder's list, or the
/// environment's) decide.
pub(crate) fn proxy_for(
    endpoint: &Endpoint,
    choice: &ProxyChoice,
    no_proxy: Option<&str>,
) -> Result<Option<Proxy>, String> {
    let Place::Tcp(authority) = &endpoint.place else {
        return Ok(None);
    };
    if endpoint.wire == Wire::Scgi {
        return Ok(None);
    }
    let url = match choice {
        ProxyChoice::Off => return Ok(None),
        ProxyChoice::Url(url) => Some(url.clone()),
        ProxyChoice::Environment => from_environment(endpoint.https()),
    };
    let Some(url) = url.filter(|u| !u.trim().is_empty()) else {
        return Ok(None);
    };
    let no_proxy = no_proxy
        .map(str::to_owned)
        .or_else(|| env_either("no_proxy"));
    if no_proxy.is_some_and(|list| bypasses(&list, authority)) {
        return Ok(None);
    }
    parse_proxy(&url).map(Some)
}

/// The environment's proxy for an `http://` or `https://` URL, as curl reads it.
fn from_environment(https: bool) -> Option<String> {
    let scheme = if https {
        env_either("https_proxy")
    } else {
        // Lower case only: `HTTP_PROXY` may come from a CGI request's `Proxy:` header.
        std::env::var("http_proxy").ok()
    };
    scheme
        .filter(|v| !v.is_empty())
        .or_else(|| env_either("all_proxy"))
}

/// `name` in lower case, else in upper case.
fn env_either(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var(name.to_ascii_uppercase()).ok())
        .filter(|v| !v.is_empty())
}

/// Whether `no_proxy` (comma- or space-separated) exempts `host:port`, as curl decides:
/// `*` exempts all; an entry exempts its host and the host's subdomains (a leading dot is
/// the same); an IP entry exempts that address, a CIDR entry its range; an entry with
/// `:port` only that port.
///
/// This reads text from the environment or the command line: it never panics, whatever
/// it is given.
///
/// ```
/// use xmlrpc_kit::client::no_proxy_matches;
/// assert!(no_proxy_matches("localhost,.example.com", "www.example.com:443"));
/// assert!(no_proxy_matches("10.0.0.0/8", "10.1.2.3:80"));
/// assert!(!no_proxy_matches("example.com:8080", "example.com:80"));
/// ```
pub fn bypasses(no_proxy: &str, authority: &str) -> bool {
    let (host, port) = split_host_port(authority);
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host_ip = host.parse::<IpAddr>().ok();
    no_proxy
        .split([',', ' ', '\t', '\n'])
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let (pattern, want_port) = split_entry(entry);
            if want_port.is_some_and(|p| Some(p) != port) {
                return false;
            }
            if let (Some(ip), Some((net, bits))) = (host_ip, cidr(pattern)) {
                return in_range(ip, net, bits);
            }
            let pattern = pattern
                .trim_start_matches('.')
                .trim_end_matches('.')
                .to_ascii_lowercase();
            if pattern.is_empty() {
                return false;
            }
            host == pattern
                || (host_ip.is_none()
                    && host.len() > pattern.len()
                    && host.ends_with(&pattern)
                    && host.as_bytes()[host.len() - pattern.len() - 1] == b'.')
        })
}

/// `host:port`, `[v6]:port` or a bare host: the host without brackets and the port.
fn split_host_port(authority: &str) -> (&str, Option<u16>) {
    if let Some(rest) = authority.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (rest, None),
        };
    }
    match authority.rsplit_once(':') {
        // A bare IPv6 address has several colons and no port.
        Some((host, port)) if !host.contains(':') => (host, port.parse().ok()),
        _ => (authority, None),
    }
}

/// An entry's pattern and port: `host:port`, `[v6]:port`, `v6`, `v4/bits`.
fn split_entry(entry: &str) -> (&str, Option<u16>) {
    if entry.starts_with('[') {
        return split_host_port(entry);
    }
    match entry.matches(':').count() {
        1 => {
            let (host, port) = split_host_port(entry);
            match port {
                Some(port) => (host, Some(port)),
                None => (entry, None),
            }
        }
        _ => (entry, None),
    }
}

/// `addr` or `addr/bits` as an address and a prefix length.
fn cidr(pattern: &str) -> Option<(IpAddr, u8)> {
    let (addr, bits) = match pattern.split_once('/') {
        Some((addr, bits)) => (addr, Some(bits.parse::<u8>().ok()?)),
        None => (pattern, None),
    };
    let addr = addr.parse::<IpAddr>().ok()?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((addr, bits))
}

fn in_range(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_matches_as_curl_does() {
        let yes = [
            ("*", "example.com:80"),
            ("example.com", "example.com:443"),
            ("example.com", "www.example.com:80"),
            (".example.com", "www.example.com:80"),
            (".example.com", "example.com:80"),
            ("EXAMPLE.com", "Example.COM.:80"),
            ("localhost, 127.0.0.1", "127.0.0.1:8080"),
            ("10.0.0.0/8", "10.1.2.3:80"),
            ("::1", "[::1]:80"),
            ("[::1]:80", "[::1]:80"),
            ("fe80::/10", "[fe80::1]:80"),
            ("example.com:8080", "example.com:8080"),
            ("a.org b.org", "b.org:1"),
        ];
        for (list, authority) in yes {
            assert!(
                bypasses(list, authority),
                "{list:?} should exempt {authority}"
            );
        }
        let no = [
            ("", "example.com:80"),
            ("example.com", "badexample.com:80"),
            ("www.example.com", "example.com:80"),
            ("example.com:8080", "example.com:80"),
            ("10.0.0.0/8", "11.0.0.1:80"),
            ("127.0.0.1", "127.0.0.2:80"),
            ("1.0.0.0/33", "1.0.0.1:80"),
            ("*.example.com", "example.com:80"),
            (".", "example.com:80"),
            ("0.0.0.1", "1:80"),
        ];
        for (list, authority) in no {
            assert!(
                !bypasses(list, authority),
                "{list:?} should not exempt {authority}"
            );
        }
    }

    #[test]
    fn proxy_urls() {
        let p = parse_proxy("http://user:p%40ss@127.0.0.1:3128/").ok();
        assert_eq!(
            p.as_ref().map(|p| p.authority.as_str()),
            Some("127.0.0.1:3128")
        );
        assert!(p.and_then(|p| p.authorization).is_some());
        let p = parse_proxy("proxy.example").ok();
        assert_eq!(
            p.map(|p| p.authority),
            Some("proxy.example:1080".to_owned())
        );
        assert!(parse_proxy("socks5://h:1").is_err());
        assert!(parse_proxy("http://").is_err());
    }
}
