//! One exchange (over any transport): POST the call, then read the reply within the size limit (checked on
//! `Content-Length` first, then while reading), inflating a gzip reply up to the same cap.
//! A small reply is collected; a large one (or one of unknown length) is pumped into a
//! channel for the streaming reader, which spools large base64 values to files.

use super::error::Error;
use super::reply::{Decoding, Reply};
use super::transport::Transport;
use super::url::Endpoint;
use crate::codec::Reader;
use crate::http::body::{self, BodyError};
use crate::http::incoming::{self, CappedReader, ChannelReader, PumpError};
use crate::http::streaming::BodyBudget;
use crate::http::{Meter, OutgoingBody, Streaming};
use crate::value::blob::SpoolSettings;
use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_ENCODING, CONTENT_LENGTH};
use hyper::{Method, Request, StatusCode};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

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
    budget: BodyBudget,
    endpoint: String,
    pumped: tokio::sync::oneshot::Receiver<Result<u64, PumpError>>,
}

impl ReplyBody {
    /// Decodes the reply as `R`, or its fault. For a streamed reply this blocks: call it
    /// off the runtime.
    pub(crate) fn decode_blocking<R: DeserializeOwned>(
        self,
        decoding: &Decoding,
    ) -> Result<Reply<R>, Error> {
        match self {
            ReplyBody::Whole(bytes) => super::reply::decode_reply(&bytes, decoding),
            ReplyBody::Streamed(reply) => reply.decode(decoding),
        }
    }
}

impl StreamedReply {
    fn decode<R: DeserializeOwned>(self, decoding: &Decoding) -> Result<Reply<R>, Error> {
        let limits = &decoding.limits;
        let StreamedReply {
            input,
            gzip,
            budget,
            endpoint,
            pumped,
        } = self;
        let wire_cap = budget.wire_cap();
        let limits = limits.max_document_size(limits.max_document_size.max(wire_cap));
        let decoded = {
            let input: Box<dyn std::io::BufRead> = if gzip {
                Box::new(budget.meter(std::io::BufReader::with_capacity(
                    64 << 10,
                    CappedReader::new(flate2::read::MultiGzDecoder::new(input), wire_cap),
                )))
            } else {
                Box::new(budget.meter(input))
            };
            decode_stream::<R>(input, limits, decoding.strict, &budget.spool)
            // The reader goes here, so a pump still sending stops.
        };
        let limit = budget.max_in_memory();
        match pumped.blocking_recv() {
            Ok(Err(PumpError::TooLarge(_))) => Err(Error::BodyTooLarge { limit }),
            Ok(Err(e)) => Err(Error::CutOff {
                endpoint,
                source: e.into(),
            }),
            Ok(Ok(_)) | Err(_) if budget.exceeded() => Err(Error::BodyTooLarge { limit }),
            Ok(Ok(_)) | Err(_) => decoded,
        }
    }
}

fn decode_stream<R: DeserializeOwned>(
    input: Box<dyn std::io::BufRead + '_>,
    limits: crate::codec::Limits,
    strict: bool,
    spool: &Arc<SpoolSettings>,
) -> Result<Reply<R>, Error> {
    let reader = Reader::from_reader(input)
        .map_err(Error::Reply)?
        .with_limits(limits)
        .with_spool(Some(Arc::clone(spool)));
    super::reply::read_reply(reader, strict)
}

/// What one request carries beyond its body: its target (path and query; the absolute
/// URL), its headers, and the cookie jar it takes cookies from and files them in.
pub(crate) struct Outgoing<'c> {
    pub(crate) target: String,
    pub(crate) headers: HeaderMap,
    #[cfg(feature = "cookies")]
    pub(crate) cookies: Option<&'c super::cookies::CookieJar>,
    #[cfg(not(feature = "cookies"))]
    pub(crate) _cookies: std::marker::PhantomData<&'c ()>,
}

/// Sends `body` and returns the reply's XML, whole or streaming.
pub(crate) async fn exchange(
    transport: &Transport,
    endpoint: &Endpoint,
    outgoing: Outgoing<'_>,
    body: OutgoingBody,
    gzipped: bool,
    settings: &ReplySettings<'_>,
) -> Result<ReplyBody, Error> {
    let max_reply = settings.max_body_size;
    let mut request = Request::builder()
        .method(Method::POST)
        .uri(outgoing.target.as_str())
        .body(body)
        .map_err(|e| Error::Url {
            url: endpoint.uri(),
            reason: e.to_string(),
        })?;
    request.headers_mut().extend(outgoing.headers);
    #[cfg(feature = "cookies")]
    if let Some(value) = outgoing
        .cookies
        .and_then(|jar| jar.header_for(&outgoing.target))
    {
        request.headers_mut().insert(hyper::header::COOKIE, value);
    }
    if gzipped {
        request
            .headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    let response = transport.send(endpoint, request).await?;
    let (parts, body) = response.into_parts();
    #[cfg(feature = "cookies")]
    if let Some(jar) = outgoing.cookies {
        jar.store_from(&outgoing.target, &parts.headers);
    }
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
    let budget = settings.streaming.budget(max_reply);
    let cap = if streamed {
        budget.wire_cap()
    } else {
        max_reply
    };
    if declared.is_some_and(|n| n > cap) {
        return Err(Error::BodyTooLarge { limit: max_reply });
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
            budget,
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
