//! One HTTP exchange: POST the call, then read the reply within the size limit (checked on
//! `Content-Length` first, then while reading), inflating a gzip reply up to the same cap.

use super::error::Error;
use super::url::Endpoint;
use bytes::{Buf, Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderMap, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use hyper::{Method, Request, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use std::io::Read;

/// The pooled HTTP client underneath.
pub(crate) type Http =
    hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Sends `body` and returns the reply's XML.
pub(crate) async fn exchange(
    http: &Http,
    endpoint: &Endpoint,
    headers: &HeaderMap,
    body: Bytes,
    gzipped: bool,
    max_reply: u64,
) -> Result<Bytes, Error> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(endpoint.uri())
        .body(Full::new(body))
        .map_err(|e| Error::Url {
            url: endpoint.uri(),
            reason: e.to_string(),
        })?;
    request.headers_mut().extend(headers.clone());
    if gzipped {
        request
            .headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    let response = http.request(request).await.map_err(|e| Error::Connect {
        endpoint: endpoint.uri(),
        reason: describe(&e),
    })?;
    let (parts, body) = response.into_parts();
    if parts.status != StatusCode::OK {
        let start = read_limited(body, 512).await.unwrap_or_default();
        return Err(Error::Status {
            endpoint: endpoint.uri(),
            status: parts.status.as_u16(),
            body: String::from_utf8_lossy(&start)
                .trim()
                .chars()
                .take(300)
                .collect(),
        });
    }
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max_reply) {
        return Err(Error::ReplyTooLarge { limit: max_reply });
    }
    let raw = read_limited(body, max_reply).await.map_err(|e| match e {
        ReadError::TooLarge => Error::ReplyTooLarge { limit: max_reply },
        ReadError::Body(reason) => Error::Connect {
            endpoint: endpoint.uri(),
            reason: format!("the reply was cut off: {reason}"),
        },
    })?;
    let encoding = parts
        .headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    match encoding.map(str::trim) {
        None | Some("") | Some("identity") => Ok(raw),
        Some(e) if e.eq_ignore_ascii_case("gzip") || e.eq_ignore_ascii_case("x-gzip") => {
            let mut out = Vec::with_capacity((raw.len() * 4).min(1 << 20));
            flate2::read::MultiGzDecoder::new(&raw[..])
                .take(max_reply.saturating_add(1))
                .read_to_end(&mut out)
                .map_err(|e| Error::Connect {
                    endpoint: endpoint.uri(),
                    reason: format!("the gzip reply is corrupt: {e}"),
                })?;
            if out.len() as u64 > max_reply {
                return Err(Error::ReplyTooLarge { limit: max_reply });
            }
            Ok(Bytes::from(out))
        }
        Some(other) => Err(Error::Connect {
            endpoint: endpoint.uri(),
            reason: format!("the reply uses an unknown Content-Encoding `{other}`"),
        }),
    }
}

enum ReadError {
    TooLarge,
    Body(String),
}

/// Reads a body, stopping with `TooLarge` as soon as it passes `limit`.
async fn read_limited(body: hyper::body::Incoming, limit: u64) -> Result<Bytes, ReadError> {
    let mut body = std::pin::pin!(body);
    let mut out = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ReadError::Body(e.to_string()))?;
        if let Ok(mut data) = frame.into_data() {
            if (out.len() + data.remaining()) as u64 > limit {
                return Err(ReadError::TooLarge);
            }
            while data.has_remaining() {
                let chunk = data.chunk();
                out.extend_from_slice(chunk);
                let n = chunk.len();
                data.advance(n);
            }
        }
    }
    Ok(out.freeze())
}

/// A hyper client error with its causes, which say what actually failed.
fn describe(e: &hyper_util::client::legacy::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
