//! [`Proxy`]: a forwarding XML-RPC proxy. Every request goes to the upstream endpoint with
//! its bytes unchanged and streamed both ways (a 200 MB upload costs buffers, not its
//! size); a copy of each body up to the capture limit is decoded when the answer has
//! passed, shown to an observer and, with a [`Recorder`], written to a cassette.

use super::capture::{Capture, Decoded, Tee};
use crate::cassette::{Exchange, Recorder};
use crate::codec::Document;
use bytes::Bytes;
use http_body_util::{Either, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the observer is told of an exchange the proxy passed on.
///
/// ```
/// use xmlrpc_kit::debug::{Decoded, Exchanged};
/// let seen = Exchanged {
///     http_method: "GET".into(), status: 200, call: Decoded::Empty, answer: Decoded::Empty,
///     elapsed: std::time::Duration::ZERO, request_bytes: 0, response_bytes: 0, error: None,
/// };
/// assert!(seen.exchange().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct Exchanged {
    /// The request's HTTP method.
    pub http_method: String,
    /// The upstream's status (502 when it could not be reached).
    pub status: u16,
    /// The request body.
    pub call: Decoded,
    /// The response body.
    pub answer: Decoded,
    /// From the request's arrival to the response's last byte.
    pub elapsed: Duration,
    /// Request body bytes, as on the wire.
    pub request_bytes: u64,
    /// Response body bytes, as on the wire.
    pub response_bytes: u64,
    /// Why the upstream could not be reached, when it could not.
    pub error: Option<String>,
}

impl Exchanged {
    /// The exchange as a cassette records it: when the body was a call and the answer a
    /// response with one value or a fault.
    ///
    /// ```
    /// # use xmlrpc_kit::debug::{Decoded, Exchanged};
    /// use xmlrpc_kit::codec::{Document, MethodCall};
    /// let seen = Exchanged {
    ///     http_method: "POST".into(), status: 200,
    ///     call: Decoded::Document(Document::Call(MethodCall { method_name: "add".into(), params: vec![8.into(), 8.into()] })),
    ///     answer: Decoded::Document(Document::Response(vec![16.into()])),
    ///     elapsed: std::time::Duration::ZERO, request_bytes: 1, response_bytes: 1, error: None,
    /// };
    /// assert_eq!(seen.exchange().unwrap().answer, Ok(16.into()));
    /// ```
    pub fn exchange(&self) -> Option<Exchange> {
        let Decoded::Document(Document::Call(call)) = &self.call else {
            return None;
        };
        let answer = match &self.answer {
            Decoded::Document(Document::Response(params)) if params.len() == 1 => {
                Ok(params[0].clone())
            }
            Decoded::Document(Document::Fault(fault)) => Err(fault.clone()),
            _ => return None,
        };
        Some(Exchange {
            call: call.clone(),
            answer,
            elapsed: Some(self.elapsed),
        })
    }
}

/// Why a proxy could not be made.
///
/// ```
/// let err = xmlrpc_kit::debug::Proxy::new("ftp://h/").unwrap_err();
/// assert!(err.to_string().contains("http://"), "{err}");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyError {
    /// The upstream URL is not one the proxy forwards to.
    #[error("upstream `{0}`: expected http://HOST:PORT[/PATH] or unix:///SOCKET")]
    Url(String),
}

/// Where the upstream is.
#[derive(Debug, Clone)]
enum Place {
    Tcp(String),
    Unix(PathBuf),
}

type Observer = Arc<dyn Fn(&Exchanged) + Send + Sync>;

/// A forwarding proxy to one XML-RPC endpoint.
///
/// ```no_run
/// use xmlrpc_kit::{cassette::Recorder, debug::Proxy};
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let proxy = Proxy::new("http://127.0.0.1:8000/RPC2")?
///     .record(Recorder::create("calls.jsonl")?)
///     .on_exchange(|seen| eprintln!("{seen:?}"));
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:8001").await?;
/// proxy.serve(listener, std::future::pending()).await?;
/// # Ok(()) }
/// ```
pub struct Proxy {
    place: Place,
    /// The upstream's `Host` and request target.
    host: String,
    path: String,
    capture_limit: usize,
    recorder: Option<Arc<Recorder>>,
    observer: Option<Observer>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proxy")
            .field("place", &self.place)
            .field("path", &self.path)
            .field("capture_limit", &self.capture_limit)
            .finish_non_exhaustive()
    }
}

/// Headers that belong to one connection, not to the message: never forwarded.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
];

impl Proxy {
    /// Default for [`capture_limit`](Self::capture_limit): 16 MiB.
    pub const DEFAULT_CAPTURE_LIMIT: usize = 16 << 20;

    /// A proxy to `upstream`: `http://HOST:PORT[/PATH]` (path `/RPC2` when none) or
    /// `unix:///SOCKET` (supervisorctl's form; path `/RPC2`). Every request goes to that
    /// path, whatever path the client asked for.
    ///
    /// ```
    /// let proxy = xmlrpc_kit::debug::Proxy::new("unix:///run/supervisor.sock")?;
    /// # let _ = proxy;
    /// # Ok::<(), xmlrpc_kit::debug::ProxyError>(())
    /// ```
    pub fn new(upstream: &str) -> Result<Proxy, ProxyError> {
        let bad = || ProxyError::Url(upstream.to_owned());
        let (place, host, path) = if let Some(rest) = upstream.strip_prefix("http://") {
            let (authority, path) = match rest.find('/') {
                Some(at) => (&rest[..at], &rest[at..]),
                None => (rest, "/RPC2"),
            };
            if authority.is_empty() || authority.contains('@') {
                return Err(bad());
            }
            let addr = if authority
                .rsplit_once(':')
                .is_some_and(|(_, p)| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            {
                authority.to_owned()
            } else {
                format!("{authority}:80")
            };
            (Place::Tcp(addr), authority.to_owned(), path.to_owned())
        } else if let Some(socket) = upstream.strip_prefix("unix://") {
            if !socket.starts_with('/') {
                return Err(bad());
            }
            (
                Place::Unix(PathBuf::from(socket)),
                "localhost".to_owned(),
                "/RPC2".to_owned(),
            )
        } else {
            return Err(bad());
        };
        Ok(Proxy {
            place,
            host,
            path: if path == "/" { "/".to_owned() } else { path },
            capture_limit: Self::DEFAULT_CAPTURE_LIMIT,
            recorder: None,
            observer: None,
        })
    }

    /// Bodies up to this size are copied as they pass, to be decoded, shown and recorded;
    /// larger ones pass without a copy (shown by their size, not recorded).
    ///
    /// ```
    /// let proxy = xmlrpc_kit::debug::Proxy::new("http://127.0.0.1:8000")?.capture_limit(1 << 20);
    /// # let _ = proxy;
    /// # Ok::<(), xmlrpc_kit::debug::ProxyError>(())
    /// ```
    pub fn capture_limit(mut self, bytes: usize) -> Self {
        self.capture_limit = bytes;
        self
    }

    /// Writes every exchange that is a call and its answer to a cassette.
    ///
    /// ```no_run
    /// let proxy = xmlrpc_kit::debug::Proxy::new("http://127.0.0.1:8000")?
    ///     .record(xmlrpc_kit::cassette::Recorder::create("calls.jsonl")?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn record(mut self, recorder: Recorder) -> Self {
        self.recorder = Some(Arc::new(recorder));
        self
    }

    /// Called once per exchange, when the answer has passed (or the upstream failed).
    ///
    /// ```
    /// let proxy = xmlrpc_kit::debug::Proxy::new("http://127.0.0.1:8000")?
    ///     .on_exchange(|seen| println!("{} {}", seen.status, seen.response_bytes));
    /// # let _ = proxy;
    /// # Ok::<(), xmlrpc_kit::debug::ProxyError>(())
    /// ```
    pub fn on_exchange(mut self, observer: impl Fn(&Exchanged) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Serves on `listener` until `shutdown` completes (connections in progress finish).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let proxy = xmlrpc_kit::debug::Proxy::new("http://127.0.0.1:8000").unwrap();
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    /// proxy.serve(listener, tokio::time::sleep(std::time::Duration::from_secs(1))).await
    /// # }
    /// ```
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        let proxy = Arc::new(self);
        super::listen::serve_http1(listener, shutdown, move |request, _| {
            Arc::clone(&proxy).forward(request)
        })
        .await
    }

    /// Passes one request on and its answer back.
    async fn forward(
        self: Arc<Self>,
        request: Request<Incoming>,
    ) -> Response<Either<Tee, Full<Bytes>>> {
        let started = Instant::now();
        let (mut parts, body) = request.into_parts();
        let http_method = parts.method.to_string();
        let gzip_in = is_gzip(&parts.headers);
        strip_hop_by_hop(&mut parts.headers);
        if let Ok(host) = HeaderValue::from_str(&self.host) {
            parts.headers.insert(header::HOST, host);
        }
        let target = match parts.uri.query() {
            Some(query) => format!("{}?{query}", self.path),
            None => self.path.clone(),
        };
        if let Ok(uri) = target.parse() {
            parts.uri = uri;
        }
        let sent = Arc::new(Mutex::new(Capture::new(self.capture_limit)));
        let request = Request::from_parts(parts, Tee::new(body, Arc::clone(&sent), None));
        match self.send(request).await {
            Ok(response) => {
                let (mut parts, body) = response.into_parts();
                let status = parts.status.as_u16();
                let gzip_out = is_gzip(&parts.headers);
                strip_hop_by_hop(&mut parts.headers);
                let received = Arc::new(Mutex::new(Capture::new(self.capture_limit)));
                let proxy = Arc::clone(&self);
                let got = Arc::clone(&received);
                let on_end = Box::new(move || {
                    let (call, request_bytes) = read(&sent, gzip_in);
                    let (answer, response_bytes) = read(&got, gzip_out);
                    proxy.report(Exchanged {
                        http_method,
                        status,
                        call,
                        answer,
                        elapsed: started.elapsed(),
                        request_bytes,
                        response_bytes,
                        error: None,
                    });
                });
                Response::from_parts(parts, Either::Left(Tee::new(body, received, Some(on_end))))
            }
            Err(error) => {
                let (call, request_bytes) = read(&sent, gzip_in);
                self.report(Exchanged {
                    http_method,
                    status: 502,
                    call,
                    answer: Decoded::Empty,
                    elapsed: started.elapsed(),
                    request_bytes,
                    response_bytes: 0,
                    error: Some(error.clone()),
                });
                let mut response = Response::new(Either::Right(Full::new(Bytes::from(format!(
                    "xrpc proxy: the upstream failed: {error}\n"
                )))));
                *response.status_mut() = StatusCode::BAD_GATEWAY;
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/plain; charset=utf-8"),
                );
                response
            }
        }
    }

    /// Sends a request upstream on a connection of its own.
    async fn send(&self, request: Request<Tee>) -> Result<Response<Incoming>, String> {
        async fn over<S>(stream: S, request: Request<Tee>) -> Result<Response<Incoming>, String>
        where
            S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
        {
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream))
                    .await
                    .map_err(|e| e.to_string())?;
            tokio::spawn(connection);
            sender
                .send_request(request)
                .await
                .map_err(|e| e.to_string())
        }
        match &self.place {
            Place::Tcp(addr) => match tokio::net::TcpStream::connect(addr).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    over(stream, request).await
                }
                Err(e) => Err(format!("cannot connect to {addr}: {e}")),
            },
            Place::Unix(path) => match tokio::net::UnixStream::connect(path).await {
                Ok(stream) => over(stream, request).await,
                Err(e) => Err(format!("cannot connect to {}: {e}", path.display())),
            },
        }
    }

    fn report(&self, seen: Exchanged) {
        if let (Some(recorder), Some(exchange)) = (&self.recorder, seen.exchange()) {
            if let Err(e) = recorder.record(&exchange) {
                tracing::warn!("cannot record: {e}");
            }
        }
        if let Some(observer) = &self.observer {
            observer(&seen);
        }
    }
}

fn read(capture: &Mutex<Capture>, gzip: bool) -> (Decoded, u64) {
    match capture.lock() {
        Ok(c) => (c.decode(gzip), c.total()),
        Err(_) => (Decoded::NotXmlRpc("not captured".into()), 0),
    }
}

fn is_gzip(headers: &hyper::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("gzip"))
}

fn strip_hop_by_hop(headers: &mut hyper::HeaderMap) {
    // Headers the Connection header names are the connection's too.
    let named: Vec<String> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    for name in HOP_BY_HOP
        .iter()
        .copied()
        .chain(named.iter().map(String::as_str))
    {
        headers.remove(name);
    }
}
