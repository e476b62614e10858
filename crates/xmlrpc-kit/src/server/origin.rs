//! The cross-site policy: which browser requests may reach the endpoint. A request that a
//! page on another origin made (its `Origin` names another origin, or `Sec-Fetch-Site`
//! says `cross-site` / `same-site`) is refused with 403 before anything else is read,
//! unless that origin is configured; a browser's POST must carry an XML content type
//! (which no page on another origin can send without a CORS preflight); CORS headers and
//! preflight answers go only to configured origins. Clients that send neither `Origin` nor
//! `Sec-Fetch-*` (every XML-RPC library, curl, scripts) are not affected. See SECURITY.md,
//! "Cross-site requests".

use super::config::ServerConfig;
use super::docs;
use super::service::{plain, ResponseBody};
use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

/// The cross-site settings, kept in [`ServerConfig`](super::ServerConfig).
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// Whether the check runs at all ([`ServerConfig::cross_site_check`](super::ServerConfig::cross_site_check)).
    pub(crate) check: bool,
    /// Origins besides the server's own whose pages may call it (normalised).
    pub(crate) origins: Vec<String>,
    /// Content types a browser's POST may carry besides `text/xml` and `application/xml`.
    pub(crate) content_types: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            check: super::ServerConfig::DEFAULT_CROSS_SITE_CHECK,
            origins: Vec::new(),
            content_types: Vec::new(),
        }
    }
}

/// The content types every call may have (`; charset=...` and the like allowed after).
pub(crate) const XML_CONTENT_TYPES: &[&str] = &["text/xml", "application/xml"];

/// What the policy decided about a request.
#[derive(Debug)]
pub(crate) enum Screen {
    /// Serve it; the response gets these CORS headers when the origin is a configured one.
    Pass(Option<Cors>),
    /// Answer with this and run nothing (a refusal, or a preflight's answer).
    Answer(Response<ResponseBody>),
}

/// The CORS headers of a response to a configured origin.
#[derive(Debug)]
pub(crate) struct Cors(HeaderValue);

impl Cors {
    /// Adds the headers to a response.
    pub(crate) fn apply(self, headers: &mut HeaderMap) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, self.0);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// `scheme://host[:port]`, lower case, without the scheme's default port; `None` when the
/// text is not such an origin (`null`, a path, a user part, a bad host).
///
/// ```ignore
/// assert_eq!(normalise("HTTP://Example.org:80").as_deref(), Some("http://example.org"));
/// ```
pub(crate) fn normalise(origin: &str) -> Option<String> {
    let origin = origin.trim().to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    if !matches!(scheme, "http" | "https") || !docs::is_authority(authority) {
        return None;
    }
    let default = if scheme == "http" { ":80" } else { ":443" };
    let authority = authority.strip_suffix(default).unwrap_or(authority);
    Some(format!("{scheme}://{authority}"))
}

impl Policy {
    /// Whether a configured origin (already normalised) may call.
    fn allows(&self, origin: &str) -> bool {
        self.origins.iter().any(|o| o == "*" || o == origin)
    }

    /// Whether a browser's POST may carry this content type.
    fn xml_type(&self, content_type: Option<&str>) -> bool {
        let Some(essence) = content_type
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
        else {
            return false;
        };
        XML_CONTENT_TYPES.contains(&essence.as_str())
            || self
                .content_types
                .iter()
                .any(|t| t.eq_ignore_ascii_case(&essence))
    }

    /// Decides about a request to the endpoint. `own` is the server's own origin as the
    /// visitor reached it (scheme and `Host`, see `docs::request_url`).
    pub(crate) fn screen<B>(&self, request: &Request<B>, own: &str) -> Screen {
        if !self.check {
            return Screen::Pass(None);
        }
        let headers = request.headers();
        let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let origin = headers
            .get(header::ORIGIN)
            .map(|v| v.to_str().unwrap_or("?"));
        let site = text("sec-fetch-site").map(str::to_ascii_lowercase);
        let browser =
            origin.is_some() || headers.keys().any(|k| k.as_str().starts_with("sec-fetch-"));
        let own = normalise(own);
        let origin_n = origin.and_then(normalise);
        let same_origin = origin_n.is_some() && origin_n == own;
        let configured = origin_n.as_deref().is_some_and(|o| self.allows(o));

        // A CORS preflight: answered for configured origins only.
        if request.method() == Method::OPTIONS
            && headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
        {
            return match (configured, origin) {
                (true, Some(origin)) => Screen::Answer(preflight(origin)),
                _ => Screen::Answer(refuse(&format!(
                    "cross-site request refused: preflight from origin {} (not configured: \
                     ServerConfig::allowed_origins, xrpc serve --allow-origin)",
                    origin.unwrap_or("(none)")
                ))),
            };
        }
        if let Some(origin) = origin {
            if !same_origin && !configured {
                return Screen::Answer(refuse(&format!(
                    "cross-site request refused: origin {origin} is not this server's ({}) \
                     and not configured (ServerConfig::allowed_origins, xrpc serve --allow-origin)",
                    own.as_deref().unwrap_or("unknown")
                )));
            }
        } else if matches!(site.as_deref(), Some("cross-site" | "same-site")) {
            // No Origin: a navigation (a link to the page) reads, never calls.
            let navigation = matches!(*request.method(), Method::GET | Method::HEAD)
                && text("sec-fetch-mode") == Some("navigate");
            if !navigation {
                return Screen::Answer(refuse(&format!(
                    "cross-site request refused: Sec-Fetch-Site: {}",
                    site.as_deref().unwrap_or_default()
                )));
            }
        }
        if browser
            && request.method() == Method::POST
            && !self.xml_type(text(header::CONTENT_TYPE.as_str()))
        {
            let mut response = plain(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                &format!(
                    "a call from a browser must be POSTed as text/xml (or application/xml), \
                     not {}\n",
                    text(header::CONTENT_TYPE.as_str()).unwrap_or("without a Content-Type")
                ),
            );
            response
                .headers_mut()
                .insert(header::ACCEPT, HeaderValue::from_static("text/xml"));
            return Screen::Answer(response);
        }
        let cors = match (configured && !same_origin, origin) {
            (true, Some(origin)) => HeaderValue::from_str(origin).ok().map(Cors),
            _ => None,
        };
        Screen::Pass(cors)
    }
}

/// Screens a request to the server (only its endpoint paths: the health check and metrics
/// are for machines). `trusted` says whether the peer is a trusted proxy, whose
/// `X-Forwarded-Host` / `-Proto` then name the server's own origin.
pub(crate) fn screen<B>(config: &ServerConfig, request: &Request<B>, trusted: bool) -> Screen {
    let routed = request
        .extensions()
        .get::<super::gateway::Routed>()
        .is_some();
    // Library clients send neither header: for them the check is one look at the headers.
    let browser = request.headers().contains_key(header::ORIGIN)
        || request
            .headers()
            .keys()
            .any(|k| k.as_str().starts_with("sec-fetch-"));
    if !browser
        || !config.cross_site.check
        || !(routed || config.paths.iter().any(|p| p == request.uri().path()))
    {
        return Screen::Pass(None);
    }
    let url = docs::request_url(
        request.uri(),
        request.headers(),
        request.extensions().get::<docs::Endpoint>(),
        trusted,
    );
    let own = url
        .find("://")
        .and_then(|at| url[at + 3..].find('/').map(|slash| &url[..at + 3 + slash]))
        .unwrap_or(&url);
    config.cross_site.screen(request, own)
}

/// Finishes a response the policy let through: the CORS headers for a configured origin,
/// and the documentation page's content security policy (its script, nothing else, runs).
pub(crate) fn finish(headers: &mut HeaderMap, cors: Option<Cors>) {
    if let Some(cors) = cors {
        cors.apply(headers);
    }
    let html = headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if html {
        if let Ok(value) = HeaderValue::from_str(docs::content_security_policy()) {
            headers.insert(header::CONTENT_SECURITY_POLICY, value);
        }
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }
}

/// The answer to a configured origin's preflight: POST, with the headers a call needs.
fn preflight(origin: &str) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::from(Bytes::new()));
    *response.status_mut() = StatusCode::NO_CONTENT;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(origin) {
        Cors(value).apply(headers);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, HEAD"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Authorization, Content-Encoding, Accept-Encoding"),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}

fn refuse(why: &str) -> Response<ResponseBody> {
    tracing::debug!(target: "xmlrpc_kit::access", outcome = "refused", status = 403, "{why}");
    plain(StatusCode::FORBIDDEN, &format!("{why}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut builder = Request::builder().method(method).uri("/RPC2");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(()).unwrap()
    }

    fn status(policy: &Policy, method: &str, headers: &[(&str, &str)]) -> Option<u16> {
        match policy.screen(&request(method, headers), "http://127.0.0.1:8000") {
            Screen::Pass(_) => None,
            Screen::Answer(r) => Some(r.status().as_u16()),
        }
    }

    #[test]
    fn library_clients_are_not_affected() {
        let p = Policy::default();
        for content_type in [
            "text/xml",
            "text/plain",
            "application/x-www-form-urlencoded",
        ] {
            assert_eq!(status(&p, "POST", &[("content-type", content_type)]), None);
        }
        assert_eq!(status(&p, "POST", &[]), None);
    }

    #[test]
    fn other_origins_are_refused_unless_configured() {
        let p = Policy::default();
        let xml = ("content-type", "text/xml");
        let other = ("origin", "http://127.0.0.1:9000");
        assert_eq!(status(&p, "POST", &[other, xml]), Some(403));
        assert_eq!(status(&p, "POST", &[("origin", "null"), xml]), Some(403));
        assert_eq!(status(&p, "GET", &[other]), Some(403));
        assert_eq!(
            status(&p, "POST", &[("origin", "HTTP://127.0.0.1:8000"), xml]),
            None
        );
        assert_eq!(
            status(&p, "POST", &[("sec-fetch-site", "cross-site"), xml]),
            Some(403)
        );
        assert_eq!(
            status(&p, "POST", &[("sec-fetch-site", "same-site"), xml]),
            Some(403)
        );
        assert_eq!(
            status(&p, "POST", &[("sec-fetch-site", "same-origin"), xml]),
            None
        );
        // A link to the page from elsewhere opens it.
        let link = [
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-mode", "navigate"),
        ];
        assert_eq!(status(&p, "GET", &link), None);
        assert_eq!(status(&p, "POST", &link), Some(403));

        let p = Policy {
            origins: vec![normalise("http://127.0.0.1:9000").unwrap()],
            ..Policy::default()
        };
        assert_eq!(status(&p, "POST", &[other, xml]), None);
        match p.screen(&request("POST", &[other, xml]), "http://127.0.0.1:8000") {
            Screen::Pass(Some(cors)) => {
                let mut headers = HeaderMap::new();
                cors.apply(&mut headers);
                assert_eq!(
                    headers["access-control-allow-origin"],
                    "http://127.0.0.1:9000"
                );
            }
            other => panic!("{other:?}"),
        }
        let preflight = [other, ("access-control-request-method", "POST")];
        assert_eq!(status(&p, "OPTIONS", &preflight), Some(204));
        assert_eq!(status(&Policy::default(), "OPTIONS", &preflight), Some(403));
    }

    #[test]
    fn a_browsers_call_must_be_xml() {
        let p = Policy::default();
        let own = ("origin", "http://127.0.0.1:8000");
        assert_eq!(
            status(&p, "POST", &[own, ("content-type", "text/plain")]),
            Some(415)
        );
        assert_eq!(status(&p, "POST", &[own]), Some(415));
        assert_eq!(
            status(
                &p,
                "POST",
                &[own, ("content-type", "text/xml; charset=utf-8")]
            ),
            None
        );
        assert_eq!(
            status(&p, "POST", &[own, ("content-type", "application/xml")]),
            None
        );
        let p = Policy {
            content_types: vec!["application/x-xmlrpc".into()],
            ..Policy::default()
        };
        assert_eq!(
            status(&p, "POST", &[own, ("content-type", "application/x-xmlrpc")]),
            None
        );
        let off = Policy {
            check: false,
            ..Policy::default()
        };
        assert_eq!(
            status(
                &off,
                "POST",
                &[("origin", "http://evil"), ("content-type", "text/plain")]
            ),
            None
        );
    }

    #[test]
    fn origins_are_compared_normalised() {
        assert_eq!(
            normalise("HTTP://Example.org:80").as_deref(),
            Some("http://example.org")
        );
        assert_eq!(normalise("https://h:443").as_deref(), Some("https://h"));
        assert_eq!(
            normalise("https://h:8443").as_deref(),
            Some("https://h:8443")
        );
        for bad in ["null", "h:1", "ftp://h", "http://u@h", "http://h/x", ""] {
            assert_eq!(normalise(bad), None, "{bad}");
        }
    }
}
