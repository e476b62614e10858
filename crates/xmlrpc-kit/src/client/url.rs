//! Endpoint URLs: `http://` and `https://` as Python's `ServerProxy` takes them (optional
//! `user:password@` for Basic auth, `/RPC2` when the URL has no path; `host:port` alone too),
//! HTTP over a Unix socket (`unix:///run/app.sock`, supervisorctl's form, and
//! `http+unix://%2Frun%2Fapp.sock/RPC2`, requests-unixsocket's), and SCGI
//! (`scgi://host:port`, `scgi:///run/app.sock`, the forms rTorrent tools use).

use percent_encoding::percent_decode_str;
use std::path::PathBuf;

/// The URL forms the client takes, for error messages.
pub(crate) const FORMS: &str = "http://HOST[:PORT][/PATH], https://..., unix:///SOCKET, \
http+unix://%2FSOCKET/PATH, scgi://HOST:PORT or scgi:///SOCKET";

/// Where the server is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Place {
    /// `host:port` (port always present).
    Tcp(String),
    /// A Unix socket's path.
    Unix(PathBuf),
}

/// How requests are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wire {
    Http,
    Https,
    Scgi,
}

/// A parsed server URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoint {
    pub(crate) place: Place,
    pub(crate) wire: Wire,
    /// The request target: path and query.
    pub(crate) path: String,
    /// The `Authorization` header value for Basic auth, when the URL held credentials.
    pub(crate) basic_auth: Option<String>,
}

impl Endpoint {
    /// Whether the server is reached over TLS.
    pub(crate) fn https(&self) -> bool {
        self.wire == Wire::Https
    }

    /// The URL without credentials, for messages, in the form it was given.
    pub(crate) fn uri(&self) -> String {
        match (&self.place, self.wire) {
            (Place::Tcp(authority), Wire::Scgi) if self.path == "/RPC2" => {
                format!("scgi://{authority}")
            }
            (Place::Tcp(authority), Wire::Scgi) => format!("scgi://{authority}{}", self.path),
            (Place::Tcp(authority), wire) => format!(
                "{}://{authority}{}",
                if wire == Wire::Https { "https" } else { "http" },
                self.path
            ),
            (Place::Unix(socket), Wire::Scgi) => format!("scgi://{}", socket.display()),
            (Place::Unix(socket), _) if self.path == "/RPC2" => {
                format!("unix://{}", socket.display())
            }
            (Place::Unix(socket), _) => format!(
                "http+unix://{}{}",
                percent_encoding::utf8_percent_encode(
                    &socket.to_string_lossy(),
                    percent_encoding::NON_ALPHANUMERIC
                ),
                self.path
            ),
        }
    }

    /// The request line's absolute URI for HTTP: a Unix socket is `localhost` to the
    /// server, as supervisorctl and requests-unixsocket send it.
    pub(crate) fn request_uri(&self) -> String {
        match &self.place {
            Place::Tcp(authority) => format!(
                "{}://{authority}{}",
                if self.https() { "https" } else { "http" },
                self.path
            ),
            Place::Unix(_) => format!("http://localhost{}", self.path),
        }
    }
}

/// Parses `url`; the error says what is wrong with it.
pub(crate) fn parse(url: &str) -> Result<Endpoint, String> {
    let url = url.trim();
    let scheme_end = url.find("://");
    let scheme = scheme_end.map(|at| url[..at].to_ascii_lowercase());
    match scheme.as_deref() {
        None if strip_prefix_ignore_case(url, "unix:").is_some() => {
            // `unix:/path` as well as `unix:///path`.
            let rest = &url[5..];
            unix_socket(rest, Wire::Http)
        }
        None => tcp(url, Wire::Http),
        Some("http") => tcp(&url[7..], Wire::Http),
        Some("https") => tcp(&url[8..], Wire::Https),
        Some("unix") => unix_socket(&url[7..], Wire::Http),
        Some("scgi") if url[7..].starts_with('/') => unix_socket(&url[7..], Wire::Scgi),
        Some("scgi") => tcp(&url[7..], Wire::Scgi),
        Some("http+unix") => http_unix(&url[12..]),
        Some(other) => Err(format!("`{other}://` URLs are not supported; use {FORMS}")),
    }
}

/// `unix:///run/app.sock`: the whole path is the socket's; requests go to `/RPC2`.
fn unix_socket(rest: &str, wire: Wire) -> Result<Endpoint, String> {
    let path = rest.trim_start_matches('/');
    if path.is_empty() {
        return Err("the URL has no socket path".into());
    }
    Ok(Endpoint {
        place: Place::Unix(PathBuf::from(format!("/{path}"))),
        wire,
        path: "/RPC2".into(),
        basic_auth: None,
    })
}

/// `http+unix://[user:pass@]%2Frun%2Fapp.sock/RPC2`: the host is the socket's path,
/// percent-encoded.
fn http_unix(rest: &str) -> Result<Endpoint, String> {
    let (authority, path) = split_path(rest);
    let (userinfo, socket) = split_userinfo(authority);
    let socket = percent_decode_str(socket).decode_utf8_lossy().into_owned();
    if socket.is_empty() {
        return Err("the URL has no socket path (write it as %2Fpath%2Fto.sock)".into());
    }
    Ok(Endpoint {
        place: Place::Unix(PathBuf::from(socket)),
        wire: Wire::Http,
        path: default_path(path),
        basic_auth: userinfo.map(basic_auth),
    })
}

fn split_path(rest: &str) -> (&str, &str) {
    match rest.find(['/', '?']) {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    }
}

fn split_userinfo(authority: &str) -> (Option<&str>, &str) {
    match authority.rfind('@') {
        Some(at) => (Some(&authority[..at]), &authority[at + 1..]),
        None => (None, authority),
    }
}

fn default_path(path: &str) -> String {
    match path {
        "" => "/RPC2".to_owned(),
        p if p.starts_with('?') => format!("/RPC2{p}"),
        p => p.to_owned(),
    }
}

fn basic_auth(info: &str) -> String {
    let (user, password) = info.split_once(':').unwrap_or((info, ""));
    let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
    let credentials = format!("{}:{}", decode(user), decode(password));
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    )
}

/// `[user:pass@]host[:port][/path]` over TCP.
fn tcp(rest: &str, wire: Wire) -> Result<Endpoint, String> {
    let (authority, path) = split_path(rest);
    let (userinfo, host_port) = split_userinfo(authority);
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
    } else if wire == Wire::Scgi {
        return Err("an scgi:// URL needs a port (scgi://HOST:PORT)".into());
    } else {
        format!("{host_port}:{}", if wire == Wire::Https { 443 } else { 80 })
    };
    Ok(Endpoint {
        place: Place::Tcp(authority),
        wire,
        path: default_path(path),
        basic_auth: userinfo.map(basic_auth),
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
        assert_eq!(
            parse("http://[::1]:8080").unwrap().place,
            Place::Tcp("[::1]:8080".into())
        );
        assert_eq!(
            parse("http://[::1]").unwrap().place,
            Place::Tcp("[::1]:80".into())
        );
    }

    #[test]
    fn credentials_become_basic_auth() {
        let e = parse("http://user:p%40ss@host:1/").unwrap();
        assert_eq!(e.basic_auth.as_deref(), Some("Basic dXNlcjpwQHNz"));
        assert_eq!(e.uri(), "http://host:1/");
    }

    #[test]
    fn unix_socket_and_scgi_urls() {
        for (url, place, wire, path, shown) in [
            (
                "unix:///run/s.sock",
                "/run/s.sock",
                Wire::Http,
                "/RPC2",
                "unix:///run/s.sock",
            ),
            (
                "unix:/run/s.sock",
                "/run/s.sock",
                Wire::Http,
                "/RPC2",
                "unix:///run/s.sock",
            ),
            (
                "http+unix://%2Frun%2Fs.sock/RPC2",
                "/run/s.sock",
                Wire::Http,
                "/RPC2",
                "unix:///run/s.sock",
            ),
            (
                "http+unix://%2Frun%2Fs.sock/api",
                "/run/s.sock",
                Wire::Http,
                "/api",
                "http+unix://%2Frun%2Fs%2Esock/api",
            ),
            (
                "scgi:///run/rt.sock",
                "/run/rt.sock",
                Wire::Scgi,
                "/RPC2",
                "scgi:///run/rt.sock",
            ),
        ] {
            let e = parse(url).unwrap();
            assert_eq!(e.place, Place::Unix(place.into()), "{url}");
            assert_eq!((e.wire, e.path.as_str()), (wire, path), "{url}");
            assert_eq!(e.uri(), shown, "{url}");
            assert_eq!(e.request_uri(), format!("http://localhost{path}"));
        }
        let scgi = parse("scgi://127.0.0.1:5000").unwrap();
        assert_eq!(
            (scgi.place, scgi.wire),
            (Place::Tcp("127.0.0.1:5000".into()), Wire::Scgi)
        );
        let creds = parse("http+unix://me:pw@%2Ftmp%2Fs.sock").unwrap();
        assert_eq!(creds.basic_auth.as_deref(), Some("Basic bWU6cHc="));
    }

    #[test]
    fn bad_urls_say_why() {
        let err = parse("ftp://x").unwrap_err();
        assert!(
            err.contains("unix:///SOCKET") && err.contains("scgi://HOST:PORT"),
            "{err}"
        );
        assert!(parse("scgi://host").unwrap_err().contains("needs a port"));
        assert!(parse("unix://").unwrap_err().contains("socket path"));
        assert!(parse("http://:80").unwrap_err().contains("no host"));
        assert!(parse("http://h:99999").unwrap_err().contains("port"));
    }
}
