//! One HTTP exchange: POST the call, then read the reply within the size limit (checked on
//! `Content-Length` first, then while reading), inflating a gzip reply up to the same cap.
//! A small reply is collected; a large one (or one of unknown length) is pumped into a
//! channel for the streaming reader, which spools large base64 values to files.

use super::error::Error;
use super::url::Endpoint;
use crate::codec::{Limits, Reader};
use crate::transfer::{self, CappedReader, ChannelReader, OutgoingBody, Progress, PumpError};
use crate::value::blob::SpoolSettings;
use bytes::{Buf, Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use hyper::{Method, Request, StatusCode};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

/// The pooled HTTP client underneath.
pub(crate) type Http =
    hyper_util::client::legacy::Client<HttpsConnector<HttpConnector>, OutgoingBody>;

/// How a reply is read.
pub(crate) struct ReplySettings {
    pub(crate) max_reply: u64,
    /// Replies larger than this, or of unknown length, are streamed.
    pub(crate) stream_threshold: u64,
    /// For a streamed reply: the longest wait for more of it.
    pub(crate) idle: Duration,
    pub(crate) progress: Option<Progress>,
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
            Ok(Err(PumpError::TooLarge(limit))) => Err(Error::ReplyTooLarge { limit }),
            Ok(Err(e)) => Err(Error::Connect {
                endpoint,
                reason: format!("the reply was cut off: {e}"),
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
    settings: &ReplySettings,
) -> Result<ReplyBody, Error> {
    let max_reply = settings.max_reply;
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
    let encoding = parts
        .headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok());
    if declared.is_none_or(|n| n > settings.stream_threshold) {
        let gzip = match encoding.map(str::trim) {
            None | Some("") | Some("identity") => false,
            Some(e) if e.eq_ignore_ascii_case("gzip") || e.eq_ignore_ascii_case("x-gzip") => true,
            Some(other) => {
                return Err(Error::Connect {
                    endpoint: endpoint.uri(),
                    reason: format!("the reply uses an unknown Content-Encoding `{other}`"),
                })
            }
        };
        let (tx, input) = transfer::channel();
        let (done, pumped) = tokio::sync::oneshot::channel();
        let pump = transfer::pump(
            body,
            tx,
            max_reply,
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
            max_reply,
            endpoint: endpoint.uri(),
            pumped,
        }));
    }
    let raw = read_limited(body, max_reply).await.map_err(|e| match e {
        ReadError::TooLarge => Error::ReplyTooLarge { limit: max_reply },
        ReadError::Body(reason) => Error::Connect {
            endpoint: endpoint.uri(),
            reason: format!("the reply was cut off: {reason}"),
        },
    })?;
    if let Some(progress) = &settings.progress {
        progress(raw.len() as u64);
    }
    match encoding.map(str::trim) {
        None | Some("") | Some("identity") => Ok(ReplyBody::Whole(raw)),
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
            Ok(ReplyBody::Whole(Bytes::from(out)))
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
