//! One HTTP exchange: POST the call, then read the reply within the size limit (checked on
//! `Content-Length` first, then while reading), inflating a gzip reply up to the same cap.
//! A small reply is collected; a large one (or one of unknown length) is pumped into a
//! channel for the streaming reader, which spools large base64 values to files.

use super::error::Error;
use super::url::Endpoint;
use crate::codec::{Limits, Reader};
use crate::http::body::{self, BodyError};
use crate::http::incoming::{self, CappedReader, ChannelReader, PumpError};
use crate::http::{Meter, OutgoingBody, Streaming};
use crate::value::blob::SpoolSettings;
use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use hyper::{Method, Request, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// The pooled HTTP client underneath, speaking TLS for `https://` URLs.
#[cfg(feature = "tls")]
pub(crate) type Http =
    hyper_util::client::legacy::Client<hyper_rustls::HttpsConnector<HttpConnector>, OutgoingBody>;
/// The pooled HTTP client underneath (plain HTTP only, without the `tls` feature).
#[cfg(not(feature = "tls"))]
pub(crate) type Http = hyper_util::client::legacy::Client<HttpConnector, OutgoingBody>;

/// How a reply is read.
pub(crate) struct ReplySettings<'s> {
    /// The largest reply held in memory.
    pub(crate) max_body_size: u64,
    /// When a reply is streamed, and how many spooled bytes it may carry.
    pub(crate) streaming: &'s Streaming,
    /// For a streamed reply: the longest wait for more of it.
    pub(crate) idle: Duration,
    pub(crate) progress: Option<Meter>,
}

/// A reply's XML: whole, or still arriving.
pub(crate) enum ReplyBody {
    Whole(Bytes),
    Streamed(StreamedReply),
}

/// A reply being pumped into a channel by a task on the runtime.
pub(crate) struct StreamedReply {
    input: ChannelReader,
    gzip: bool,
    max_reply: u64,
    endpoint: String,
    pumped: tokio::sync::oneshot::Receiver<Result<u64, PumpError>>,
}

impl ReplyBody {
    /// Decodes the reply as `R`, or its fault. For a streamed reply this blocks: call it
    /// off the runtime.
    pub(crate) fn decode_blocking<R: DeserializeOwned>(
        self,
        limits: &Limits,
        spool: &Arc<SpoolSettings>,
    ) -> Result<R, Error> {
        match self {
            ReplyBody::Whole(bytes) => super::decode_reply(&bytes, limits),
            ReplyBody::Streamed(reply) => reply.decode(limits, spool),
        }
    }
}

impl StreamedReply {
    fn decode<R: DeserializeOwned>(
        self,
        limits: &Limits,
        spool: &Arc<SpoolSettings>,
    ) -> Result<R, Error> {
        let StreamedReply {
            input,
            gzip,
            max_reply,
            endpoint,
            pumped,
        } = self;
        let limits = limits.max_document_size(limits.max_document_size.max(max_reply));
        let decoded = {
            let input: Box<dyn std::io::BufRead> = if gzip {
                Box::new(std::io::BufReader::with_capacity(
                    64 << 10,
                    CappedReader::new(flate2::read::MultiGzDecoder::new(input), max_reply),
                ))
            } else {
                Box::new(input)
            };
            decode_stream::<R>(input, limits, spool)
            // The reader goes here, so a pump still sending stops.
        };
        match pumped.blocking_recv() {
            Ok(Err(PumpError::TooLarge(limit))) => Err(Error::BodyTooLarge { limit }),
            Ok(Err(e)) => Err(Error::CutOff {
                endpoint,
                source: e.into(),
            }),
            Ok(Ok(_)) | Err(_) => decoded,
        }
    }
}

fn decode_stream<R: DeserializeOwned>(
    input: Box<dyn std::io::BufRead + '_>,
    limits: Limits,
    spool: &Arc<SpoolSettings>,
) -> Result<R, Error> {
    let reader = Reader::from_reader(input)
        .map_err(Error::Reply)?
        .with_limits(limits)
        .with_spool(Some(Arc::clone(spool)));
    super::read_reply(reader)
}

/// Sends `body` and returns the reply's XML, whole or streaming.
pub(crate) async fn exchange(
    http: &Http,
    endpoint: &Endpoint,
    headers: &HeaderMap,
    body: OutgoingBody,
    gzipped: bool,
    settings: &ReplySettings<'_>,
) -> Result<ReplyBody, Error> {
    let max_reply = settings.max_body_size;
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(endpoint.uri())
        .body(body)
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
    let response = http
        .request(request)
        .await
        .map_err(|e| connect_error(endpoint, e))?;
    let (parts, body) = response.into_parts();
    if parts.status != StatusCode::OK {
        let start = body::read_limited(body, None, 512, settings.idle)
            .await
            .unwrap_or_default();
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
    let streamed = declared.is_none_or(|n| n > settings.streaming.threshold);
    // A streamed reply may carry spooled files beyond the in-memory limit.
    let cap = if streamed {
        max_reply.saturating_add(settings.streaming.max_spooled_size)
    } else {
        max_reply
    };
    if declared.is_some_and(|n| n > cap) {
        return Err(Error::BodyTooLarge { limit: cap });
    }
    let encoding = parts
        .headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let gzip = body::is_gzip(encoding).map_err(|_| Error::Encoding {
        endpoint: endpoint.uri(),
        encoding: encoding.unwrap_or_default().chars().take(40).collect(),
    })?;
    if streamed {
        let (tx, input) = incoming::channel();
        let (done, pumped) = tokio::sync::oneshot::channel();
        let pump = incoming::pump(
            body,
            tx,
            cap,
            settings.idle,
            settings.progress.clone(),
            false,
        );
        tokio::spawn(async move {
            let _ = done.send(pump.await);
        });
        return Ok(ReplyBody::Streamed(StreamedReply {
            input,
            gzip,
            max_reply: cap,
            endpoint: endpoint.uri(),
            pumped,
        }));
    }
    let raw = body::read_limited(body, declared, max_reply, settings.idle)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge(limit) => Error::BodyTooLarge { limit },
            other => Error::CutOff {
                endpoint: endpoint.uri(),
                source: other.into(),
            },
        })?;
    if let Some(progress) = &settings.progress {
        progress(raw.len() as u64);
    }
    if !gzip {
        return Ok(ReplyBody::Whole(raw));
    }
    body::decode_content(raw, Some("gzip"), max_reply)
        .map(ReplyBody::Whole)
        .map_err(|e| match e {
            BodyError::InflatesTooLarge(limit) => Error::BodyTooLarge { limit },
            other => Error::CutOff {
                endpoint: endpoint.uri(),
                source: other.into(),
            },
        })
}

/// A failed request, told apart: an `https://` URL whose server spoke plain HTTP gets an
/// error that says so.
fn connect_error(endpoint: &Endpoint, e: hyper_util::client::legacy::Error) -> Error {
    #[cfg(feature = "tls")]
    if endpoint.https && answered_in_plain_http(&e) {
        return Error::PlainHttp {
            endpoint: endpoint.uri(),
            source: e.into(),
        };
    }
    Error::Connect {
        endpoint: endpoint.uri(),
        source: e.into(),
    }
}

/// Whether a TLS handshake failed because the peer's first bytes were not a TLS record
/// (an HTTP server answers a ClientHello with `HTTP/1.1 400`).
#[cfg(feature = "tls")]
fn answered_in_plain_http(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = Some(e);
    while let Some(cause) = source {
        let tls = cause.downcast_ref::<rustls::Error>().or_else(|| {
            cause
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        });
        if let Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) = tls
        {
            return true;
        }
        source = cause.source();
    }
    false
}
