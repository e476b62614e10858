//! The CGI convention that SCGI and CGI share: a request described by CGI variables
//! (`REQUEST_METHOD`, `CONTENT_LENGTH`, `CONTENT_TYPE`, `REQUEST_URI`, `HTTP_*`, ...) becomes
//! an HTTP request for the endpoint, and its response goes back as a `Status:` line, the
//! headers and the body (RFC 3875, section 6).

use super::service::ResponseBody;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Method, Request, Response, Uri};
use std::io;
use std::net::{IpAddr, SocketAddr};
use tokio::io::{AsyncWrite, AsyncWriteExt};

/// A request as the gateway described it, before its body.
#[derive(Debug)]
pub(crate) struct Head {
    pub(crate) method: Method,
    pub(crate) uri: Uri,
    pub(crate) headers: HeaderMap,
    pub(crate) content_length: u64,
    /// The client's address, as the front server saw it (`REMOTE_ADDR`, `REMOTE_PORT`).
    pub(crate) remote: Option<SocketAddr>,
}

/// Marks a request routed by a gateway (SCGI, CGI): the front server chose the path, so
/// the endpoint answers whatever path it names.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Routed;

/// Why CGI variables do not describe a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[allow(clippy::enum_variant_names)] // each names what is bad
pub(crate) enum GatewayError {
    #[error("CONTENT_LENGTH `{0}` is not a length")]
    BadLength(String),
    #[error("REQUEST_METHOD `{0}` is not an HTTP method")]
    BadMethod(String),
    #[error("the request's path `{0}` is not a valid URI path")]
    BadPath(String),
}

impl Head {
    /// Reads CGI variables (name, value), as bytes. No `CONTENT_LENGTH` means no body (CGI's
    /// rule; SCGI's framing requires it, and checks it first); `REQUEST_METHOD` defaults
    /// to POST (SCGI clients of rTorrent send only the length); the path is `REQUEST_URI`,
    /// else `SCRIPT_NAME` + `PATH_INFO` (+ `?QUERY_STRING`), else `/RPC2`.
    pub(crate) fn from_vars<'v>(
        vars: impl IntoIterator<Item = (&'v [u8], &'v [u8])>,
    ) -> Result<Head, GatewayError> {
        let mut method = None;
        let mut length = None;
        let mut request_uri = None;
        let (mut script, mut path_info, mut query) = (None, None, None);
        let (mut remote_addr, mut remote_port) = (None, None);
        let mut headers = HeaderMap::new();
        for (name, value) in vars {
            match name {
                b"REQUEST_METHOD" => method = Some(value),
                b"CONTENT_LENGTH" => length = Some(value),
                b"REQUEST_URI" => request_uri = Some(value),
                b"SCRIPT_NAME" => script = Some(value),
                b"PATH_INFO" => path_info = Some(value),
                b"QUERY_STRING" => query = Some(value),
                b"REMOTE_ADDR" => remote_addr = Some(value),
                b"REMOTE_PORT" => remote_port = Some(value),
                b"CONTENT_TYPE" => {
                    if let Ok(value) = HeaderValue::from_bytes(value) {
                        headers.insert(CONTENT_TYPE, value);
                    }
                }
                _ => {
                    if let Some((name, value)) = http_header(name, value) {
                        headers.append(name, value);
                    }
                }
            }
        }
        let length = length.unwrap_or(b"0");
        let text = String::from_utf8_lossy(length).into_owned();
        // Digits only: "+5", " 5" and "5 " are not lengths.
        let content_length = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            text.parse::<u64>()
                .map_err(|_| GatewayError::BadLength(text.clone()))?
        } else {
            return Err(GatewayError::BadLength(text.chars().take(40).collect()));
        };
        headers.insert(CONTENT_LENGTH, HeaderValue::from(content_length));
        let method = match method {
            None | Some(b"") => Method::POST,
            Some(m) => Method::from_bytes(m).map_err(|_| {
                GatewayError::BadMethod(String::from_utf8_lossy(m).chars().take(40).collect())
            })?,
        };
        let target = match request_uri.filter(|u| !u.is_empty()) {
            Some(uri) => uri.to_vec(),
            None => {
                let mut target = script.unwrap_or_default().to_vec();
                target.extend_from_slice(path_info.unwrap_or_default());
                if target.is_empty() {
                    target.extend_from_slice(b"/RPC2");
                }
                if let Some(q) = query.filter(|q| !q.is_empty()) {
                    target.push(b'?');
                    target.extend_from_slice(q);
                }
                target
            }
        };
        let uri = Uri::try_from(target.as_slice())
            .ok()
            .filter(|u| u.scheme().is_none() && u.path().starts_with('/'))
            .ok_or_else(|| {
                GatewayError::BadPath(String::from_utf8_lossy(&target).chars().take(80).collect())
            })?;
        let remote = remote_addr
            .and_then(|a| std::str::from_utf8(a).ok()?.parse::<IpAddr>().ok())
            .map(|ip| {
                let port = remote_port
                    .and_then(|p| std::str::from_utf8(p).ok()?.parse::<u16>().ok())
                    .unwrap_or(0);
                SocketAddr::new(ip, port)
            });
        Ok(Head {
            method,
            uri,
            headers,
            content_length,
            remote,
        })
    }

    /// The request, with `body`, marked as routed by the gateway.
    pub(crate) fn into_request<B>(self, body: B) -> Request<B> {
        let mut request = Request::new(body);
        *request.method_mut() = self.method;
        *request.uri_mut() = self.uri;
        *request.headers_mut() = self.headers;
        request.extensions_mut().insert(Routed);
        request
    }
}

/// `HTTP_ACCEPT_ENCODING` → `accept-encoding`; other variables are not headers.
fn http_header(name: &[u8], value: &[u8]) -> Option<(HeaderName, HeaderValue)> {
    let rest = name.strip_prefix(b"HTTP_")?;
    // The lengths come from CONTENT_LENGTH, and hop-by-hop headers are the front's.
    if matches!(
        rest,
        b"CONTENT_LENGTH" | b"CONTENT_TYPE" | b"CONNECTION" | b"TRANSFER_ENCODING"
    ) {
        return None;
    }
    let header: Vec<u8> = rest
        .iter()
        .map(|&b| {
            if b == b'_' {
                b'-'
            } else {
                b.to_ascii_lowercase()
            }
        })
        .collect();
    Some((
        HeaderName::from_bytes(&header).ok()?,
        HeaderValue::from_bytes(value).ok()?,
    ))
}

/// Writes `response` the CGI way: `Status: 200 OK`, its headers (with `Content-Length`
/// when the body's length is known), a blank line, the body.
pub(crate) async fn write_response<W: AsyncWrite + Unpin>(
    out: &mut W,
    response: Response<ResponseBody>,
) -> io::Result<u64> {
    use http_body_util::BodyExt;
    use hyper::body::Body;
    let (parts, mut body) = response.into_parts();
    let mut head = format!(
        "Status: {} {}\r\n",
        parts.status.as_u16(),
        parts.status.canonical_reason().unwrap_or("")
    )
    .into_bytes();
    for (name, value) in &parts.headers {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    if !parts.headers.contains_key(CONTENT_LENGTH) {
        if let Some(length) = body.size_hint().exact() {
            head.extend_from_slice(format!("content-length: {length}\r\n").as_bytes());
        }
    }
    head.extend_from_slice(b"\r\n");
    out.write_all(&head).await?;
    let mut written = 0;
    while let Some(frame) = body.frame().await {
        if let Ok(data) = frame?.into_data() {
            out.write_all(&data).await?;
            written += data.len() as u64;
        }
    }
    out.flush().await?;
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(vars: &[(&str, &str)]) -> Result<Head, GatewayError> {
        Head::from_vars(vars.iter().map(|(n, v)| (n.as_bytes(), v.as_bytes())))
    }

    #[test]
    fn nginx_scgi_params_make_a_request() {
        let h = head(&[
            ("CONTENT_LENGTH", "120"),
            ("SCGI", "1"),
            ("REQUEST_METHOD", "POST"),
            ("REQUEST_URI", "/RPC2?x=1"),
            ("CONTENT_TYPE", "text/xml"),
            ("REMOTE_ADDR", "10.0.0.7"),
            ("REMOTE_PORT", "4711"),
            ("HTTP_ACCEPT_ENCODING", "gzip"),
            ("HTTP_AUTHORIZATION", "Basic dTpw"),
            ("HTTP_CONTENT_LENGTH", "999"),
        ])
        .unwrap();
        assert_eq!(h.method, Method::POST);
        assert_eq!(h.uri, "/RPC2?x=1");
        assert_eq!(h.content_length, 120);
        assert_eq!(h.headers["content-length"], "120");
        assert_eq!(h.headers["accept-encoding"], "gzip");
        assert_eq!(h.headers["authorization"], "Basic dTpw");
        assert_eq!(h.remote, Some("10.0.0.7:4711".parse().unwrap()));
    }

    #[test]
    fn a_bare_rtorrent_style_request_defaults_to_post_on_rpc2() {
        let h = head(&[("CONTENT_LENGTH", "5"), ("SCGI", "1")]).unwrap();
        assert_eq!((h.method, h.uri.path()), (Method::POST, "/RPC2"));
        let cgi = head(&[
            ("CONTENT_LENGTH", "5"),
            ("SCRIPT_NAME", "/cgi-bin/x.cgi"),
            ("PATH_INFO", "/more"),
            ("QUERY_STRING", "a=b"),
        ])
        .unwrap();
        assert_eq!(cgi.uri, "/cgi-bin/x.cgi/more?a=b");
    }

    #[test]
    fn bad_variables_are_refused_with_the_reason() {
        assert_eq!(
            head(&[("REQUEST_METHOD", "GET")]).unwrap().content_length,
            0
        );
        for bad in ["", "-1", "+5", "5 ", "0x10", "99999999999999999999999"] {
            assert!(
                matches!(
                    head(&[("CONTENT_LENGTH", bad)]),
                    Err(GatewayError::BadLength(_))
                ),
                "{bad:?}"
            );
        }
        assert!(matches!(
            head(&[("CONTENT_LENGTH", "1"), ("REQUEST_METHOD", "PO ST")]),
            Err(GatewayError::BadMethod(_))
        ));
        assert!(matches!(
            head(&[("CONTENT_LENGTH", "1"), ("REQUEST_URI", "http://evil/")]),
            Err(GatewayError::BadPath(_))
        ));
    }

    #[tokio::test]
    async fn a_response_is_written_with_a_status_line_and_its_length() {
        let mut response = Response::new(ResponseBody::from(bytes::Bytes::from_static(b"<x/>")));
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
        let mut out = Vec::new();
        write_response(&mut out, response).await.unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Status: 200 OK\r\ncontent-type: text/xml\r\ncontent-length: 4\r\n\r\n<x/>"
        );
    }
}
