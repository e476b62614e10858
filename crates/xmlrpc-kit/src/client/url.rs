//! Endpoint URLs as Python's `ServerProxy` takes them: `http://` or `https://`, optional
//! `user:password@` for Basic auth, `/RPC2` when the URL has no path; `host:port` alone too.

use percent_encoding::percent_decode_str;

/// A parsed server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    /// `http` or `https`.
    pub(crate) https: bool,
    /// `host:port` (port always present).
    pub(crate) authority: String,
    /// The request target: path and query.
    pub(crate) path: String,
    /// The `Authorization` header value for Basic auth, when the URL held credentials.
    pub(crate) basic_auth: Option<String>,
}

impl Endpoint {
    /// The URL without credentials, for messages and the request line.
    pub(crate) fn uri(&self) -> String {
        format!(
            "{}://{}{}",
            if self.https { "https" } else { "http" },
            self.authority,
            self.path
        )
    }
}

/// Parses `url`; the error says what is wrong with it.
pub(crate) fn parse(url: &str) -> Result<Endpoint, String> {
    let url = url.trim();
    let (https, rest) = if let Some(rest) = strip_prefix_ignore_case(url, "http://") {
        (false, rest)
    } else if let Some(rest) = strip_prefix_ignore_case(url, "https://") {
        (true, rest)
    } else if url.contains("://") {
        return Err("only http:// and https:// URLs are supported".into());
    } else {
        (false, url)
    };
    let (authority, path) = match rest.find(['/', '?']) {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let (userinfo, host_port) = match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    };
    if host_port.is_empty() {
        return Err("the URL has no host".into());
    }
    let has_port = match host_port.rfind(':') {
        Some(at) => !host_port[at..].contains(']'),
        None => false,
    };
    let host = if has_port {
        &host_port[..host_port.rfind(':').unwrap_or(0)]
    } else {
        host_port
    };
    if host.is_empty() || host == "[]" {
        return Err("the URL has no host".into());
    }
    let authority = if has_port {
        let port = &host_port[host_port.rfind(':').unwrap_or(0) + 1..];
        if port.parse::<u16>().is_err() {
            return Err(format!("`{port}` is not a port number"));
        }
        host_port.to_owned()
    } else {
        format!("{host_port}:{}", if https { 443 } else { 80 })
    };
    let path = match path {
        "" => "/RPC2".to_owned(),
        p if p.starts_with('?') => format!("/RPC2{p}"),
        p => p.to_owned(),
    };
    let basic_auth = userinfo.map(|info| {
        let (user, password) = info.split_once(':').unwrap_or((info, ""));
        let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
        let credentials = format!("{}:{}", decode(user), decode(password));
        use base64::Engine;
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(credentials)
        )
    });
    Ok(Endpoint {
        https,
        authority,
        path,
        basic_auth,
    })
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_like_python() {
        let e = parse("http://localhost:8888").unwrap();
        assert_eq!(e.uri(), "http://localhost:8888/RPC2");
        assert_eq!(
            parse("localhost:8888").unwrap().uri(),
            "http://localhost:8888/RPC2"
        );
        assert_eq!(
            parse("https://example.org").unwrap().uri(),
            "https://example.org:443/RPC2"
        );
        assert_eq!(
            parse("http://h/").unwrap().path,
            "/",
            "an explicit / is kept"
        );
        assert_eq!(parse("http://h:1/xmlrpc?x=1").unwrap().path, "/xmlrpc?x=1");
        assert_eq!(parse("http://[::1]:8080").unwrap().authority, "[::1]:8080");
        assert_eq!(parse("http://[::1]").unwrap().authority, "[::1]:80");
    }

    #[test]
    fn credentials_become_basic_auth() {
        let e = parse("http://user:p%40ss@host:1/").unwrap();
        assert_eq!(e.basic_auth.as_deref(), Some("Basic dXNlcjpwQHNz"));
        assert_eq!(e.uri(), "http://host:1/");
    }

    #[test]
    fn bad_urls_say_why() {
        assert!(parse("ftp://x").unwrap_err().contains("http://"));
        assert!(parse("http://:80").unwrap_err().contains("no host"));
        assert!(parse("http://h:99999").unwrap_err().contains("port"));
    }
}
