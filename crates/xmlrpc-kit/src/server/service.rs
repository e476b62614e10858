//! The endpoint: one HTTP request in, one HTTP response out. Routes by path and method,
//! reads the body within limits, runs the call through the registry, and answers with
//! XML (gzipped when asked), a documentation page, or a 4xx refusal. Also a tower
//! `Service`, so the endpoint can be mounted in an axum or hyper application.

use super::access::Verdict;
use super::budget::Budget;
use super::config::ServerConfig;
use super::conn::ConnState;
use super::docs;
use super::forwarded;
use super::metrics::{self, Metrics, Refusal};
use super::origin;
use super::throttle::{self, CallRate, ClientKey, Logins};
use crate::codec::{self, Envelope, Reader};
use crate::dispatch::{Gate, Invocation, Params, Registry};
use crate::fault::Fault;
use crate::http::body::{self, BodyError};
use crate::http::incoming::{self, CappedReader, PumpError};
use bytes::Bytes;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

/// The body type of every response: XML in memory, or XML with files streamed in it.
pub type ResponseBody = crate::http::OutgoingBody;

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) registry: Arc<Registry>,
    pub(crate) config: ServerConfig,
    docs_page: OnceLock<docs::Page>,
    /// Connections accepted since the server started.
    pub(crate) accepted: std::sync::atomic::AtomicU64,
    /// Prometheus metrics, when the configuration asks for them.
    pub(crate) metrics: Option<Metrics>,
    /// Set once the server is told to stop: the health check fails from then on.
    pub(crate) draining: std::sync::atomic::AtomicBool,
    /// Calls per client, when the configuration limits them.
    rate: Option<Arc<CallRate>>,
    /// Failed logins, when requests are authenticated and the lockout is on.
    logins: Option<Logins>,
}

impl Shared {
    pub(crate) fn new(mut registry: Registry, config: ServerConfig) -> Arc<Self> {
        let metrics = config
            .metrics
            .then(|| Metrics::new(registry.method_names()));
        registry.bound_blocking_calls(config.max_blocking_calls, config.max_queued_calls);
        let rate = config
            .rate_limit
            .map(|limit| Arc::new(CallRate::new(limit)));
        let logins = config
            .login_lockout
            .filter(|_| config.access.authenticates())
            .map(Logins::new);
        Arc::new(Shared {
            rate,
            logins,
            registry: Arc::new(registry),
            config,
            docs_page: OnceLock::new(),
            accepted: std::sync::atomic::AtomicU64::new(0),
            metrics,
            draining: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Whether the server is stopping (its health check fails).
    pub(crate) fn is_draining(&self) -> bool {
        self.draining.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub(crate) fn refused(&self, why: Refusal) {
        if let Some(m) = &self.metrics {
            m.refused(why);
        }
    }
}

/// The XML-RPC endpoint as a [`tower_service::Service`], to mount inside another server.
///
/// ```
/// use xmlrpc_kit::server::Server;
/// let service = Server::new().method("add", |x: i32, y: i32| x + y).into_service()?;
/// # let _ = service;
/// # Ok::<(), xmlrpc_kit::server::ServeError>(())
/// ```
#[derive(Clone)]
pub struct XmlRpcService {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for XmlRpcService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("XmlRpcService").finish_non_exhaustive()
    }
}

impl<B> tower_service::Service<Request<B>> for XmlRpcService
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: std::fmt::Display,
{
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        let peer = request.extensions().get::<SocketAddr>().copied();
        Box::pin(async move { Ok(handle(shared, request, peer, None).await) })
    }
}

/// Answers one request: the cross-site policy first (origin.rs), then `respond`.
pub(crate) async fn handle<B>(
    shared: Arc<Shared>,
    request: Request<B>,
    peer: Option<SocketAddr>,
    conn: Option<&Arc<ConnState>>,
) -> Response<ResponseBody>
where
    B: hyper::body::Body,
    B::Error: std::fmt::Display,
{
    let cors = match origin::screen(
        &shared.config,
        &request,
        is_trusted_peer(&shared.config, peer),
    ) {
        origin::Screen::Answer(response) => {
            if response.status().is_client_error() {
                shared.refused(Refusal::CrossSite);
            }
            return response;
        }
        origin::Screen::Pass(cors) => cors,
    };
    let mut response = respond(shared, request, peer, conn).await;
    origin::finish(response.headers_mut(), cors);
    response
}

/// Answers one request the policy let through.
async fn respond<B>(
    shared: Arc<Shared>,
    request: Request<B>,
    peer: Option<SocketAddr>,
    conn: Option<&Arc<ConnState>>,
) -> Response<ResponseBody>
where
    B: hyper::body::Body,
    B::Error: std::fmt::Display,
{
    let _in_flight = conn.map(ConnState::request_started);
    let config = &shared.config;
    let routed = request
        .extensions()
        .get::<super::gateway::Routed>()
        .is_some();
    let path = request.uri().path();
    let reads = matches!(*request.method(), Method::GET | Method::HEAD);
    if !routed && reads && config.health_path.as_deref() == Some(path) {
        // For load balancers: no authentication, nothing read.
        return if shared.is_draining() {
            plain(StatusCode::SERVICE_UNAVAILABLE, "draining\n")
        } else {
            plain(StatusCode::OK, "ok\n")
        };
    }
    let is_metrics = !routed && shared.metrics.is_some() && path == config.metrics_path;
    if !routed && !is_metrics && !config.paths.iter().any(|p| p == path) {
        shared.refused(Refusal::NotFound);
        return plain(StatusCode::NOT_FOUND, "no XML-RPC endpoint here\n");
    }
    // The client: the peer, or the one a trusted proxy forwards for.
    let trusted_peer = forwarded::client_addr(&config.trusted_proxies, peer, request.headers());
    let forwarded = trusted_peer != peer;
    let peer = trusted_peer;
    let client_ip = peer.map(|addr| addr.ip());
    // A user (or address) with too many wrong passwords is refused before its password is
    // checked: a brute force gets quick 429s, and costs no password hashing.
    let claimed = shared
        .logins
        .as_ref()
        .and_then(|_| config.access.claimed_user(request.headers()));
    if let (Some(logins), Some(claimed)) = (&shared.logins, &claimed) {
        if let Some(wait) = logins.locked(Some(claimed), client_ip) {
            shared.refused(Refusal::Throttled);
            return too_many(
                wait,
                "too many wrong passwords for this user from this address",
            );
        }
    }
    // Authentication comes before anything else is read (see auth.rs).
    let user = match config.access.authenticate(request.headers()).await {
        Verdict::Open => None,
        Verdict::User(user) => {
            if let Some(logins) = &shared.logins {
                logins.succeeded(Some(&user), client_ip);
            }
            Some(user)
        }
        Verdict::Refused(response) => {
            if let (Some(logins), Some(claimed)) = (&shared.logins, &claimed) {
                logins.failed(Some(claimed), client_ip);
            }
            shared.refused(Refusal::Unauthenticated);
            return response;
        }
    };
    if is_metrics {
        if let (true, Some(m)) = (reads, &shared.metrics) {
            let mut response = Response::new(ResponseBody::from(Bytes::from(m.render())));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(metrics::CONTENT_TYPE),
            );
            return response;
        }
        shared.refused(Refusal::MethodNotAllowed);
        let mut response = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "metrics are read with GET\n",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    match *request.method() {
        Method::POST => {}
        Method::GET | Method::HEAD if config.docs_page => {
            let page = shared.docs_page.get_or_init(|| {
                docs::Page::new(&config.title, &shared.registry.describe(), config.console)
            });
            let url = docs::request_url(
                request.uri(),
                request.headers(),
                request.extensions().get::<docs::Endpoint>(),
                forwarded || is_trusted_peer(config, peer),
            );
            let mut response = Response::new(ResponseBody::from(Bytes::from(page.render(&url))));
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            // The page shows the URL the visitor used: a cache must not hand it to another.
            headers.insert(
                header::VARY,
                HeaderValue::from_static("Host, X-Forwarded-Host, X-Forwarded-Proto"),
            );
            return response;
        }
        _ => {
            shared.refused(Refusal::MethodNotAllowed);
            let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "XML-RPC calls are POSTed\n");
            let allow = if config.docs_page {
                "POST, GET, HEAD"
            } else {
                "POST"
            };
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(allow));
            return response;
        }
    }

    // The client's call rate: the request's first call is counted now, before its body is
    // read, so that a client over its rate costs nothing more than this answer.
    let rate = shared.rate.as_ref().and_then(|rate| {
        ClientKey::of(user.as_deref(), client_ip).map(|key| (Arc::clone(rate), key))
    });
    if let Some((rate, key)) = &rate {
        if let Err(wait) = rate.take(key) {
            shared.refused(Refusal::Throttled);
            return too_many(
                wait,
                "too many calls: this client is over the server's call rate",
            );
        }
    }

    let started = Instant::now();
    let _call = shared.metrics.as_ref().map(Metrics::call_started);
    let headers = request.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let accepts_gzip = headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.split(',')
                .any(|coding| coding.trim().split(';').next() == Some("gzip"))
        });

    let gate = Budget {
        authorize: config
            .access
            .gate(user.as_deref(), client_ip, request.extensions().get()),
        max_calls: config.max_calls_per_request,
        time: config.request_time_budget,
        started,
        rate,
    }
    .into_gate();
    // A gzip body is always inflated while it is parsed, never whole in memory first.
    let streamed = declared.is_none_or(|n| n > config.streaming.threshold)
        || body::is_gzip(encoding.as_deref()).unwrap_or(false);
    let started_call = if streamed {
        start_streamed_call(&shared, request.into_body(), declared, encoding, Some(gate))
            .await
            .map(|(name, invocation)| Call::Started(name, invocation))
    } else {
        body::read_limited(
            request.into_body(),
            declared,
            config.max_body_size,
            config.body_read_timeout,
        )
        .await
        .and_then(|raw| {
            body::decode_content(raw, encoding.as_deref(), config.max_decompressed_size)
        })
        .map(|body| match config.call_timeout {
            // With a deadline, even a plain sync method runs on the blocking pool, so that
            // the caller gets its fault at the deadline whatever the method does.
            Some(_) => {
                let task_shared = Arc::clone(&shared);
                let pooled = shared
                    .registry
                    .blocking_pool()
                    .spawn(move || start_call(&task_shared, &body, Some(&gate)));
                match pooled {
                    Ok(future) => Call::Pooled(Box::pin(future)),
                    Err(fault) => Call::Started(String::new(), Invocation::Ready(Err(fault))),
                }
            }
            None => {
                let (name, invocation) = start_call(&shared, &body, Some(&gate));
                Call::Started(name, invocation)
            }
        })
    };
    let call = match started_call {
        Ok(call) => call,
        Err(e) => {
            shared.refused(refusal_for(&e));
            tracing::debug!(target: "xmlrpc_kit::access", peer = %Peer(peer), user = user.as_deref().unwrap_or("-"), outcome = "refused", status = status_for(&e).as_u16(), error = %e, "refused");
            return plain(status_for(&e), &format!("{e}\n"));
        }
    };
    let (method_name, reply) = match config.call_timeout {
        None => call.finish().await,
        Some(limit) => tokio::time::timeout(limit, call.finish())
            .await
            .unwrap_or_else(|_| {
                (
                    String::new(),
                    Err(Fault::new(
                        Fault::INTERNAL_ERROR,
                        format!("internal error: the method did not finish within {limit:?}"),
                    )),
                )
            }),
    };
    let done = Done {
        shared: &shared,
        peer,
        user: user.as_deref(),
        started,
    };
    let xml = match reply {
        Ok(value) if !value.is_plain() => {
            // Files in the reply: streamed, with the length known in advance (not gzipped).
            let parts = value.wrap(RESPONSE_HEAD, RESPONSE_TAIL).into_parts();
            match parts {
                Ok(parts) => {
                    done.call(&method_name, None);
                    return xml_stream_response(parts);
                }
                Err(e) => {
                    let fault = Fault::new(Fault::INTERNAL_ERROR, e.to_string());
                    done.call(&method_name, Some(&fault));
                    fault_body(&fault)
                }
            }
        }
        Ok(value) => {
            let mut out = Vec::with_capacity(value.xml.len() + 96);
            out.extend_from_slice(RESPONSE_HEAD);
            out.extend_from_slice(&value.xml);
            out.extend_from_slice(RESPONSE_TAIL);
            done.call(&method_name, None);
            out
        }
        Err(fault) => {
            done.call(&method_name, Some(&fault));
            fault_body(&config.fault_codes.apply(fault, &method_name))
        }
    };
    let xml = config.extensions.rewrite(xml);
    let gzip = accepts_gzip
        && config
            .gzip_above
            .is_some_and(|threshold| xml.len() >= threshold);
    let (bytes, gzipped) = packed(xml, gzip);
    let body = match config.spool_replies_above {
        Some(above) if bytes.len() as u64 > above => {
            spooled(bytes, config.streaming.spool_dir.clone()).await
        }
        _ => ResponseBody::from(bytes),
    };
    xml_response(body, gzipped)
}

/// A call on its way: started where its body was read, or waiting for a thread of the
/// blocking pool to be parsed and started there.
enum Call {
    Started(String, Invocation),
    Pooled(PooledStart),
}

/// A call parsed and started on the blocking pool: its method's name and invocation.
type PooledStart = Pin<Box<dyn Future<Output = Result<(String, Invocation), Fault>> + Send>>;

impl Call {
    /// The method's name and its reply, once it has one.
    async fn finish(self) -> (String, crate::dispatch::Reply) {
        let (name, invocation) = match self {
            Call::Started(name, invocation) => (name, invocation),
            Call::Pooled(future) => match future.await {
                Ok(started) => started,
                Err(fault) => return (String::new(), Err(fault)),
            },
        };
        (name, invocation.reply().await)
    }
}

/// A large reply's body, moved from memory to an unlinked temporary file and sent from
/// there: a client that reads slowly (or never) then holds a file and a socket buffer, not
/// the reply. If the file cannot be written, the reply is sent from memory.
async fn spooled(bytes: Vec<u8>, dir: std::path::PathBuf) -> ResponseBody {
    let bytes = Bytes::from(bytes);
    let len = bytes.len() as u64;
    let to_write = bytes.clone();
    let written = tokio::task::spawn_blocking(move || -> std::io::Result<std::fs::File> {
        use std::io::{Seek, Write};
        let mut file = tempfile::tempfile_in(&dir)?;
        file.write_all(&to_write)?;
        file.rewind()?;
        Ok(file)
    })
    .await;
    match written {
        Ok(Ok(file)) => ResponseBody::from_file(file, len),
        Ok(Err(e)) => {
            tracing::warn!("cannot spool a {len}-byte reply to disk, sending it from memory: {e}");
            ResponseBody::from(bytes)
        }
        Err(_) => ResponseBody::from(bytes),
    }
}

/// 429 Too Many Requests, with when to try again.
fn too_many(wait: std::time::Duration, why: &str) -> Response<ResponseBody> {
    let secs = throttle::retry_after_secs(wait);
    let mut response = plain(
        StatusCode::TOO_MANY_REQUESTS,
        &format!("{why}; retry in {secs} s\n"),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    response
}

const RESPONSE_HEAD: &[u8] = b"<?xml version=\"1.0\"?><methodResponse><params><param>";
const RESPONSE_TAIL: &[u8] = b"</param></params></methodResponse>";

/// Parses the envelope and starts the method; the reader is gone before any await.
fn start_call(shared: &Arc<Shared>, body: &[u8], gate: Option<&Gate>) -> (String, Invocation) {
    match Reader::from_slice(body) {
        Ok(reader) => invoke(shared, reader.with_limits(shared.config.limits), gate),
        Err(e) => (String::new(), Invocation::Ready(Err(e.to_fault()))),
    }
}

/// Parses a body while it arrives: the frames are pumped here into a channel, and read on
/// a blocking thread, where the method also starts (a synchronous handler runs there).
/// Large base64 values are spooled to files. Memory stays bounded whatever the size.
async fn start_streamed_call<B>(
    shared: &Arc<Shared>,
    body: B,
    declared: Option<u64>,
    encoding: Option<String>,
    gate: Option<Gate>,
) -> Result<(String, Invocation), BodyError>
where
    B: hyper::body::Body,
    B::Error: std::fmt::Display,
{
    let config = &shared.config;
    let gzip = body::is_gzip(encoding.as_deref())?;
    // What the body holds in memory is bounded by the body limit (once inflated, for
    // gzip); its base64 values spooled to files, by the streaming settings' own limit.
    let in_memory = if gzip {
        config.max_decompressed_size
    } else {
        config.max_body_size
    };
    let budget = Arc::new(config.streaming.budget(in_memory));
    let wire_cap = budget.wire_cap();
    if declared.is_some_and(|n| n > wire_cap) {
        return Err(BodyError::TooLarge(config.max_body_size));
    }
    let (tx, input) = incoming::channel();
    let limits = config
        .limits
        .max_document_size(config.limits.max_document_size.max(wire_cap));
    let task_shared = Arc::clone(shared);
    let task_budget = Arc::clone(&budget);
    let inflated_over = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let task_inflated_over = Arc::clone(&inflated_over);
    let parse = tokio::task::spawn_blocking(move || {
        let input: Box<dyn std::io::BufRead> = if gzip {
            Box::new(
                task_budget.meter(std::io::BufReader::with_capacity(
                    64 << 10,
                    CappedReader::new(flate2::read::MultiGzDecoder::new(input), wire_cap)
                        .flagging(task_inflated_over),
                )),
            )
        } else {
            Box::new(task_budget.meter(input))
        };
        match Reader::from_reader(input) {
            Ok(reader) => {
                let reader = reader
                    .with_limits(limits)
                    .with_spool(Some(Arc::clone(&task_budget.spool)));
                invoke(&task_shared, reader, gate.as_ref())
            }
            Err(e) => (String::new(), Invocation::Ready(Err(e.to_fault()))),
        }
    });
    let pump = incoming::pump(body, tx, wire_cap, config.body_read_timeout, None, true);
    let (pumped, parsed) = tokio::join!(pump, parse);
    match pumped {
        Err(PumpError::TooLarge(_)) => return Err(BodyError::TooLarge(config.max_body_size)),
        Err(PumpError::Idle(wait)) => return Err(BodyError::Timeout(wait)),
        Err(PumpError::Read(reason)) => return Err(BodyError::Read(reason)),
        Ok(_) => {}
    }
    if inflated_over.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(BodyError::InflatesTooLarge(wire_cap));
    }
    if budget.exceeded() {
        return Err(if gzip {
            BodyError::InflatesTooLarge(budget.max_in_memory())
        } else {
            BodyError::TooLarge(budget.max_in_memory())
        });
    }
    Ok(parsed.unwrap_or_else(|e| {
        (
            String::new(),
            Invocation::Ready(Err(Fault::new(
                Fault::INTERNAL_ERROR,
                format!("internal error: the request could not be read: {e}"),
            ))),
        )
    }))
}

/// Reads the envelope and starts the method it names.
fn invoke(
    shared: &Arc<Shared>,
    mut reader: Reader<'_>,
    gate: Option<&Gate>,
) -> (String, Invocation) {
    match reader.read_envelope() {
        Ok(Envelope::Call { method_name }) => {
            let invocation =
                shared
                    .registry
                    .invoke_gated(&method_name, Params::Xml(&mut reader), gate);
            (method_name, invocation)
        }
        Ok(_) => (
            String::new(),
            Invocation::Ready(Err(Fault::new(
                Fault::INVALID_XMLRPC,
                "expected a <methodCall>, found a <methodResponse>",
            ))),
        ),
        Err(e) => (String::new(), Invocation::Ready(Err(e.to_fault()))),
    }
}

fn fault_body(fault: &Fault) -> Vec<u8> {
    codec::fault_to_vec(fault).unwrap_or_else(|_| {
        // The fault string held something XML cannot carry: answer without it.
        let plain = Fault::new(fault.code, "the fault message cannot be written as XML");
        codec::fault_to_vec(&plain).unwrap_or_default()
    })
}

/// An XML answer whose files stream out as base64.
fn xml_stream_response(parts: Vec<crate::codec::segments::Part>) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::from_parts(parts, None));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    response
}

/// The answer's bytes, gzipped when `gzip` (and compression works, which it always should),
/// and whether they are.
fn packed(xml: Vec<u8>, gzip: bool) -> (Vec<u8>, bool) {
    match gzip.then(|| body::gzip(&xml).ok()).flatten() {
        Some(packed) => (packed, true),
        None => (xml, false),
    }
}

/// An XML answer with `body`, marked gzipped when `is_gzip`.
fn xml_response(body: ResponseBody, is_gzip: bool) -> Response<ResponseBody> {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    if is_gzip {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    response
}

/// A `text/plain` response with `status`: the server's refusals outside XML-RPC.
pub(super) fn plain(status: StatusCode, text: &str) -> Response<ResponseBody> {
    let mut response = Response::new(ResponseBody::from(Bytes::copy_from_slice(text.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn status_for(e: &BodyError) -> StatusCode {
    match e {
        BodyError::TooLarge(_) | BodyError::InflatesTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        BodyError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
        BodyError::UnsupportedEncoding(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        BodyError::Read(_) | BodyError::BadGzip(_) => StatusCode::BAD_REQUEST,
    }
}

/// A peer address for the log, or `-` when unknown.
pub(crate) struct Peer(pub(crate) Option<SocketAddr>);

impl std::fmt::Display for Peer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            // A forwarded address has no port (see forwarded.rs).
            Some(addr) if addr.port() == 0 => write!(f, "{}", addr.ip()),
            Some(addr) => write!(f, "{addr}"),
            None => f.write_str("-"),
        }
    }
}

fn refusal_for(e: &BodyError) -> Refusal {
    match e {
        BodyError::TooLarge(_) | BodyError::InflatesTooLarge(_) => Refusal::TooLarge,
        BodyError::Timeout(_) => Refusal::Timeout,
        BodyError::UnsupportedEncoding(_) => Refusal::Encoding,
        BodyError::Read(_) | BodyError::BadGzip(_) => Refusal::BadBody,
    }
}

/// Whether the connection's peer is a trusted proxy (whose `X-Forwarded-*` count).
fn is_trusted_peer(config: &ServerConfig, peer: Option<SocketAddr>) -> bool {
    match peer {
        Some(addr) => config.trusted_proxies.iter().any(|t| t.contains(addr.ip())),
        None => config.trusted_proxies.contains(&super::TrustedProxy::Unix),
    }
}

/// What a finished call is recorded with: the access log line and the metrics.
struct Done<'a> {
    shared: &'a Shared,
    peer: Option<SocketAddr>,
    user: Option<&'a str>,
    started: Instant,
}

impl Done<'_> {
    fn call(&self, method: &str, fault: Option<&Fault>) {
        let elapsed = self.started.elapsed();
        if let Some(m) = &self.shared.metrics {
            m.call(method, elapsed, fault.map(|f| f.code));
            if fault.is_some_and(|f| f.code == Fault::NOT_AUTHORIZED) {
                m.refused(Refusal::NotAuthorized);
            }
        }
        let micros = elapsed.as_micros() as u64;
        let method = if method.is_empty() { "-" } else { method };
        let (peer, user) = (Peer(self.peer), self.user.unwrap_or("-"));
        match fault {
            None => {
                tracing::debug!(target: "xmlrpc_kit::access", peer = %peer, user, method, micros, outcome = "ok", "ok")
            }
            Some(f) => {
                tracing::debug!(target: "xmlrpc_kit::access", peer = %peer, user, method, micros, outcome = "fault", fault = f.code, "fault: {}", f.string)
            }
        }
    }
}
