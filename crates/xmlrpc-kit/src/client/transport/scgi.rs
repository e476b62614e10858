//! SCGI from the client's side, as rTorrent speaks it: the call's headers as a netstring
//! (`CONTENT_LENGTH` first, `SCGI` = `1`, the HTTP headers as `HTTP_*`), the body, then a
//! CGI-style reply (`Status: 200 OK`, headers, a blank line, the body; an `HTTP/1.1 200 OK`
//! first line is taken too) read to its `Content-Length` or to the end. One request per
//! connection.

use super::super::url::Place;
use crate::http::stream_body::StreamBody;
use crate::http::OutgoingBody;
use hyper::body::Body;
use hyper::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use std::io;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

/// The most a reply's head may take; a server that sends more is not speaking SCGI.
const MAX_REPLY_HEAD: usize = 64 << 10;

/// A connection's byte stream: TCP or a Unix socket.
pub(crate) trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// A reply body, read off the connection.
pub(crate) type ScgiReplyBody = StreamBody<BufReader<Box<dyn Io>>>;

/// Where an SCGI server is, and how long connecting may take.
#[derive(Debug)]
pub(crate) struct Scgi {
    place: Place,
    timeout: Duration,
}

impl Scgi {
    pub(crate) fn new(place: Place, timeout: Duration) -> Self {
        Scgi { place, timeout }
    }

    async fn connect(&self) -> io::Result<Box<dyn Io>> {
        match &self.place {
            Place::Tcp(authority) => {
                let stream = tokio::time::timeout(
                    self.timeout,
                    tokio::net::TcpStream::connect(authority.as_str()),
                )
                .await
                .map_err(|_| {
                    io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no connection to {authority} within {:?}", self.timeout),
                    )
                })??;
                stream.set_nodelay(true)?;
                Ok(Box::new(stream))
            }
            #[cfg(unix)]
            Place::Unix(path) => Ok(Box::new(super::unix::connect(path, self.timeout).await?)),
            #[cfg(not(unix))]
            Place::Unix(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "Unix sockets need a Unix system",
            )),
        }
    }

    /// Sends `request` on a new connection and reads the reply's head.
    pub(crate) async fn send(
        &self,
        request: Request<OutgoingBody>,
    ) -> io::Result<Response<ScgiReplyBody>> {
        use http_body_util::BodyExt;
        let (parts, mut body) = request.into_parts();
        let length = body.size_hint().exact().ok_or_else(|| {
            io::Error::other("SCGI needs the body's length in advance, and it is not known")
        })?;
        let path = parts
            .uri
            .path_and_query()
            .map_or("/RPC2", |p| p.as_str())
            .to_owned();
        let head = request_head(&parts.headers, length, &path);
        let mut stream = self.connect().await?;
        stream.write_all(&head).await?;
        while let Some(frame) = body.frame().await {
            if let Ok(data) = frame?.into_data() {
                stream.write_all(&data).await?;
            }
        }
        stream.flush().await?;
        let mut input = BufReader::with_capacity(64 << 10, stream);
        let head = read_reply_head(&mut input).await?;
        let (status, headers) =
            parse_reply_head(&head).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        let length = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let mut response = Response::new(StreamBody::new(input, length));
        *response.status_mut() = status;
        *response.headers_mut() = headers;
        Ok(response)
    }
}

/// The netstring of CGI variables for a POST of `length` bytes to `path`.
fn request_head(headers: &HeaderMap, length: u64, path: &str) -> Vec<u8> {
    let mut block = Vec::with_capacity(256);
    let mut var = |name: &[u8], value: &[u8]| {
        block.extend_from_slice(name);
        block.push(0);
        block.extend_from_slice(value);
        block.push(0);
    };
    var(b"CONTENT_LENGTH", length.to_string().as_bytes());
    var(b"SCGI", b"1");
    var(b"REQUEST_METHOD", b"POST");
    var(b"REQUEST_URI", path.as_bytes());
    var(b"SERVER_PROTOCOL", b"HTTP/1.1");
    for (name, value) in headers {
        if name == CONTENT_LENGTH {
            continue;
        }
        if name == CONTENT_TYPE {
            var(b"CONTENT_TYPE", value.as_bytes());
            continue;
        }
        let mut cgi = b"HTTP_".to_vec();
        cgi.extend(name.as_str().bytes().map(|b| {
            if b == b'-' {
                b'_'
            } else {
                b.to_ascii_uppercase()
            }
        }));
        var(&cgi, value.as_bytes());
    }
    let mut wire = format!("{}:", block.len()).into_bytes();
    wire.extend_from_slice(&block);
    wire.push(b',');
    wire
}

/// The reply's head, up to and without the blank line.
async fn read_reply_head<R: tokio::io::AsyncBufRead + Unpin>(input: &mut R) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    loop {
        let start = head.len();
        let n = input.read_until(b'\n', &mut head).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                if head.is_empty() {
                    "the SCGI server closed the connection without answering"
                } else {
                    "the SCGI server's reply ended inside its headers"
                },
            ));
        }
        if matches!(&head[start..], b"\r\n" | b"\n") {
            head.truncate(start);
            return Ok(head);
        }
        if head.len() > MAX_REPLY_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("the SCGI reply's headers run past {MAX_REPLY_HEAD} bytes"),
            ));
        }
    }
}

/// A CGI-style reply head: `Status: NNN reason` (200 when absent) or an `HTTP/1.x NNN`
/// first line, then `Name: value` lines.
fn parse_reply_head(head: &[u8]) -> Result<(StatusCode, HeaderMap), String> {
    let mut status = StatusCode::OK;
    let mut headers = HeaderMap::new();
    let code = |text: &[u8]| {
        let digits = text
            .trim_ascii()
            .split(|&b| b == b' ')
            .next()
            .unwrap_or_default();
        StatusCode::from_bytes(digits)
            .map_err(|_| format!("`{}` is not a status", String::from_utf8_lossy(text).trim()))
    };
    for (i, line) in head.split(|&b| b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        if i == 0 && line.starts_with(b"HTTP/") {
            let rest = line.splitn(2, |&b| b == b' ').nth(1).unwrap_or_default();
            status = code(rest)?;
            continue;
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(format!(
                "the SCGI reply's header line `{}` has no colon",
                String::from_utf8_lossy(line)
                    .chars()
                    .take(60)
                    .collect::<String>()
            ));
        };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"status") {
            status = code(value)?;
            continue;
        }
        let name = HeaderName::from_bytes(name.trim_ascii())
            .map_err(|_| format!("`{}` is not a header name", String::from_utf8_lossy(name)))?;
        let value = HeaderValue::from_bytes(value)
            .map_err(|_| format!("the value of header `{name}` is not valid"))?;
        headers.append(name, value);
    }
    Ok((status, headers))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtorrent_and_http_style_heads_parse() {
        let (status, headers) =
            parse_reply_head(b"Status: 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 152")
                .unwrap();
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-length"], "152");
        let (status, _) = parse_reply_head(b"HTTP/1.1 404 Not Found\r\nX: y").unwrap();
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = parse_reply_head(b"Content-Type: text/xml").unwrap();
        assert_eq!(status, StatusCode::OK, "no Status: is 200, as CGI says");
        assert!(parse_reply_head(b"Status: OK").is_err());
        assert!(parse_reply_head(b"garbage line")
            .unwrap_err()
            .contains("no colon"));
    }

    #[test]
    fn the_request_head_is_a_netstring_with_content_length_first() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
        headers.insert("user-agent", HeaderValue::from_static("xmlrpc-kit"));
        let wire = request_head(&headers, 42, "/RPC2");
        let text = String::from_utf8(wire).unwrap();
        let (len, rest) = text.split_once(':').unwrap();
        assert_eq!(len.parse::<usize>().unwrap() + 1, rest.len());
        assert!(
            rest.starts_with("CONTENT_LENGTH\x0042\x00SCGI\x001\x00"),
            "{rest:?}"
        );
        assert!(rest.contains("HTTP_USER_AGENT\x00xmlrpc-kit\x00"));
        assert!(rest.contains("CONTENT_TYPE\x00text/xml\x00"));
        assert!(rest.ends_with("\x00,"));
    }
}
