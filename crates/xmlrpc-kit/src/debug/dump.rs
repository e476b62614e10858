//! [`Dump`]: a server that shows every request it receives — its request line, headers,
//! the decoded call and where the request departs from the XML-RPC specification — and
//! answers every call with one set value or fault, as xmlrpc-c's dump server does.

use super::capture::{decode_bytes, Decoded};
use super::check::deviations;
use crate::codec;
use crate::fault::Fault;
use crate::value::Value;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

/// A request the dump server received.
///
/// ```
/// use xmlrpc_kit::debug::{Decoded, Received};
/// let r = Received { peer: None, request_line: "GET / HTTP/1.1".into(), headers: vec![], body_bytes: 0, call: Decoded::Empty, deviations: vec![] };
/// assert!(r.call.document().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Received {
    /// Who sent it.
    pub peer: Option<SocketAddr>,
    /// `POST /RPC2 HTTP/1.1`.
    pub request_line: String,
    /// Its headers in order, values as text (bytes that are not UTF-8 replaced).
    pub headers: Vec<(String, String)>,
    /// Its body's size on the wire.
    pub body_bytes: u64,
    /// Its body, decoded.
    pub call: Decoded,
    /// Where it departs from the specification (see [`deviations`](super::deviations)).
    pub deviations: Vec<String>,
}

type Observer = Arc<dyn Fn(&Received) + Send + Sync>;

/// The dump server.
///
/// ```no_run
/// use xmlrpc_kit::{debug::Dump, Value};
/// # async fn run() -> std::io::Result<()> {
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
/// Dump::new(Ok(Value::from(true)))
///     .on_request(|r| println!("{} {:?}", r.request_line, r.call))
///     .serve(listener, std::future::pending())
///     .await
/// # }
/// ```
pub struct Dump {
    answer: Result<Value, Fault>,
    max_body_size: usize,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Dump {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dump")
            .field("answer", &self.answer)
            .field("max_body_size", &self.max_body_size)
            .finish_non_exhaustive()
    }
}

impl Dump {
    /// Default for [`max_body_size`](Self::max_body_size): 64 MiB.
    pub const DEFAULT_MAX_BODY_SIZE: usize = 64 << 20;

    /// A dump server answering every call with `answer`.
    ///
    /// ```
    /// let dump = xmlrpc_kit::debug::Dump::new(Err(xmlrpc_kit::Fault::new(4, "Too many parameters")));
    /// # let _ = dump;
    /// ```
    pub fn new(answer: Result<Value, Fault>) -> Dump {
        Dump {
            answer,
            max_body_size: Self::DEFAULT_MAX_BODY_SIZE,
            observer: None,
        }
    }

    /// The largest body read (a larger one gets 413).
    ///
    /// ```
    /// let dump = xmlrpc_kit::debug::Dump::new(Ok(1.into())).max_body_size(1 << 20);
    /// # let _ = dump;
    /// ```
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Called with every request, before it is answered.
    ///
    /// ```
    /// let dump = xmlrpc_kit::debug::Dump::new(Ok(1.into())).on_request(|r| eprintln!("{}", r.request_line));
    /// # let _ = dump;
    /// ```
    pub fn on_request(mut self, observer: impl Fn(&Received) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Serves on `listener` until `shutdown` completes.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// xmlrpc_kit::debug::Dump::new(Ok(1.into())).serve(listener, std::future::pending()).await
    /// # }
    /// ```
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let dump = Arc::new(self);
        super::listen::serve_http1(listener, shutdown, move |request, peer| {
            let dump = Arc::clone(&dump);
            async move { dump.answer(request, Some(peer)).await }
        })
        .await
    }

    async fn answer(
        &self,
        request: Request<Incoming>,
        peer: Option<SocketAddr>,
    ) -> Response<Full<Bytes>> {
        let request_line = format!(
            "{} {} {:?}",
            request.method(),
            request.uri(),
            request.version()
        );
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let gzip = request
            .headers()
            .get(header::CONTENT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"));
        let is_post = request.method() == hyper::Method::POST;
        let (parts, body) = request.into_parts();
        let body = match Limited::new(body, self.max_body_size).collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(e) => {
                return plain(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    &format!("xrpc dump: the body could not be read: {e}\n"),
                )
            }
        };
        let call = decode_bytes(&body, gzip, self.max_body_size);
        let xml = if gzip {
            match &call {
                Decoded::Document(_) | Decoded::NotXmlRpc(_) => {
                    use std::io::Read;
                    let mut out = Vec::new();
                    let _ = flate2::read::MultiGzDecoder::new(&body[..])
                        .take(self.max_body_size as u64)
                        .read_to_end(&mut out);
                    out
                }
                _ => Vec::new(),
            }
        } else {
            body.to_vec()
        };
        let received = Received {
            peer,
            request_line,
            headers,
            body_bytes: body.len() as u64,
            deviations: deviations(parts.method.as_str(), &parts.headers, &xml, &call),
            call,
        };
        if let Some(observer) = &self.observer {
            observer(&received);
        }
        if !is_post {
            return plain(
                StatusCode::METHOD_NOT_ALLOWED,
                "xrpc dump: XML-RPC calls are POSTed\n",
            );
        }
        let xml = match &self.answer {
            Ok(value) => codec::response_to_vec(value),
            Err(fault) => codec::fault_to_vec(fault),
        };
        match xml {
            Ok(xml) => {
                let mut response = Response::new(Full::new(Bytes::from(xml)));
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/xml; charset=utf-8"),
                );
                response
            }
            Err(e) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("xrpc dump: the answer cannot be written: {e}\n"),
            ),
        }
    }
}

fn plain(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::copy_from_slice(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
