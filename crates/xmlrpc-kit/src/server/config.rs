//! `ServerConfig`: every limit and timeout of the HTTP server, each with a named default.

use crate::codec::Limits;
use crate::http::Streaming;
use std::time::Duration;

/// Limits, timeouts and options of the HTTP server.
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_kit::server::ServerConfig;
///
/// let config = ServerConfig::default()
///     .max_body_size(1 << 20)
///     .max_connections(64)
///     .header_read_timeout(Duration::from_secs(5));
/// assert_eq!(config.endpoint_paths(), ["/", "/RPC2"]);
/// ```
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub(crate) max_body_size: u64,
    pub(crate) max_decompressed_size: u64,
    pub(crate) limits: Limits,
    pub(crate) max_connections: usize,
    pub(crate) header_read_timeout: Duration,
    pub(crate) max_header_size: usize,
    pub(crate) idle_timeout: Duration,
    pub(crate) body_read_timeout: Duration,
    pub(crate) shutdown_grace: Duration,
    pub(crate) gzip_above: Option<usize>,
    pub(crate) paths: Vec<String>,
    pub(crate) docs_page: bool,
    pub(crate) title: String,
    pub(crate) call_timeout: Option<Duration>,
    pub(crate) extensions: crate::codec::Extensions,
    pub(crate) fault_codes: crate::codec::FaultCodes,
    pub(crate) streaming: Streaming,
    pub(crate) metrics: bool,
    pub(crate) metrics_path: String,
    pub(crate) health_path: Option<String>,
    pub(crate) drain_delay: Duration,
    pub(crate) trusted_proxies: Vec<super::TrustedProxy>,
    // Limits against abuse (SECURITY.md, "Limits"): connections per address, the calls and
    // time one request may take, the blocking pool, replies spooled to disk, call rates
    // and failed logins.
    pub(crate) max_connections_per_address: usize,
    pub(crate) max_calls_per_request: usize,
    pub(crate) request_time_budget: Duration,
    pub(crate) max_blocking_calls: usize,
    pub(crate) max_queued_calls: usize,
    pub(crate) spool_replies_above: Option<u64>,
    pub(crate) rate_limit: Option<super::RateLimit>,
    pub(crate) login_lockout: Option<super::LoginLockout>,
    // The browser-facing settings (issue 18): the console and the cross-site policy.
    pub(crate) console: bool,
    pub(crate) cross_site: super::origin::Policy,
    /// Set by `Server::basic_auth` / `Server::authorize` when the server starts, never here,
    /// so that replacing the configuration cannot drop them.
    pub(crate) access: super::access::Access,
}

impl ServerConfig {
    /// Default for [`max_body_size`](Self::max_body_size): 64 MiB as sent on the wire.
    pub const DEFAULT_MAX_BODY_SIZE: u64 = 64 << 20;
    /// Default for [`max_decompressed_size`](Self::max_decompressed_size): 64 MiB.
    pub const DEFAULT_MAX_DECOMPRESSED_SIZE: u64 = 64 << 20;
    /// Default for [`max_connections`](Self::max_connections): 1024 open at once.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;
    /// Default for [`header_read_timeout`](Self::header_read_timeout): 10 seconds.
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default for [`max_header_size`](Self::max_header_size): 64 KiB.
    pub const DEFAULT_MAX_HEADER_SIZE: usize = 64 << 10;
    /// Default for [`idle_timeout`](Self::idle_timeout): 60 seconds.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default for [`body_read_timeout`](Self::body_read_timeout): 60 seconds.
    pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default for [`shutdown_grace`](Self::shutdown_grace): 10 seconds.
    pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
    /// Default for [`gzip_above`](Self::gzip_above): 1400 bytes, as Python's server.
    pub const DEFAULT_GZIP_ABOVE: usize = 1400;

    /// Default for [`call_timeout`](Self::call_timeout): none, a call may take as long as it
    /// needs (file transfers can be long); set one to bound handlers that may hang.
    pub const DEFAULT_CALL_TIMEOUT: Option<Duration> = None;

    /// Default for [`metrics`](Self::metrics): off, no `/metrics` endpoint.
    pub const DEFAULT_METRICS: bool = false;
    /// Default for [`metrics_path`](Self::metrics_path): `/metrics`.
    pub const DEFAULT_METRICS_PATH: &'static str = "/metrics";
    /// Default for [`health_path`](Self::health_path): `/healthz`.
    pub const DEFAULT_HEALTH_PATH: &'static str = "/healthz";
    /// Default for [`drain_delay`](Self::drain_delay): none, stop accepting at once.
    pub const DEFAULT_DRAIN_DELAY: Duration = Duration::ZERO;

    /// Default for [`max_connections_per_address`](Self::max_connections_per_address): 256.
    pub const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS: usize = 256;
    /// Default for [`max_calls_per_request`](Self::max_calls_per_request): 1000.
    pub const DEFAULT_MAX_CALLS_PER_REQUEST: usize = 1000;
    /// Default for [`request_time_budget`](Self::request_time_budget): 10 seconds.
    pub const DEFAULT_REQUEST_TIME_BUDGET: Duration = Duration::from_secs(10);
    /// Default for [`max_blocking_calls`](Self::max_blocking_calls): 64 at once.
    pub const DEFAULT_MAX_BLOCKING_CALLS: usize = 64;
    /// Default for [`max_queued_calls`](Self::max_queued_calls): 256 waiting.
    pub const DEFAULT_MAX_QUEUED_CALLS: usize = 256;
    /// Default for [`spool_replies_above`](Self::spool_replies_above): replies over 1 MiB.
    pub const DEFAULT_SPOOL_REPLIES_ABOVE: u64 = 1 << 20;

    /// Connections one client address may hold open at once; a further one is closed as
    /// soon as it is accepted, so that one host cannot take every slot of
    /// [`max_connections`](Self::max_connections). Connections from
    /// [`trusted_proxies`](Self::trusted_proxies) and over Unix sockets are not counted
    /// (everything behind a proxy shares its address).
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().max_connections_per_address(32);
    /// # let _ = config;
    /// ```
    pub fn max_connections_per_address(mut self, count: usize) -> Self {
        self.max_connections_per_address = count.max(1);
        self
    }

    /// Calls one request may make: a `system.multicall` of more gets fault -32002 for each
    /// call past this many (the earlier ones run).
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().max_calls_per_request(100);
    /// # let _ = config;
    /// ```
    pub fn max_calls_per_request(mut self, count: usize) -> Self {
        self.max_calls_per_request = count.max(1);
        self
    }

    /// Time one request may spend starting calls: the calls of a `system.multicall` that
    /// would start after it get fault -32002 instead of running. (A single call is bounded
    /// by [`call_timeout`](Self::call_timeout).)
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = xmlrpc_kit::server::ServerConfig::default().request_time_budget(Duration::from_secs(5));
    /// # let _ = config;
    /// ```
    pub fn request_time_budget(mut self, budget: Duration) -> Self {
        self.request_time_budget = budget;
        self
    }

    /// Blocking methods (`blocking_method`, and every method while a
    /// [`call_timeout`](Self::call_timeout) is set) running at once, each on a thread of the
    /// blocking pool. Further calls wait, up to [`max_queued_calls`](Self::max_queued_calls)
    /// of them; past that a call gets fault -32002 at once. A call whose deadline passed
    /// keeps its slot until its thread returns, so runaway methods cannot multiply threads.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().max_blocking_calls(16).max_queued_calls(64);
    /// # let _ = config;
    /// ```
    pub fn max_blocking_calls(mut self, count: usize) -> Self {
        self.max_blocking_calls = count.max(1);
        self
    }

    /// Blocking calls that may wait for a thread (see
    /// [`max_blocking_calls`](Self::max_blocking_calls)).
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().max_queued_calls(0);
    /// # let _ = config;
    /// ```
    pub fn max_queued_calls(mut self, count: usize) -> Self {
        self.max_queued_calls = count;
        self
    }

    /// Replies larger than this are written to an unlinked temporary file in the
    /// streaming settings' spool folder and sent from there, so that a client that reads
    /// slowly (or never) holds a socket buffer and a file, not the reply in memory.
    /// `None` keeps every reply in memory until sent.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().spool_replies_above(Some(256 << 10));
    /// # let _ = config;
    /// ```
    pub fn spool_replies_above(mut self, bytes: Option<u64>) -> Self {
        self.spool_replies_above = bytes;
        self
    }

    /// Calls per second each client may make, counting every call inside a multicall:
    /// the user when the request is authenticated, its address otherwise. Over it, a
    /// request is answered 429 with `Retry-After` before its body is read, and calls of a
    /// multicall past the limit get fault -32002. Off by default (a server behind a proxy
    /// that is not in [`trusted_proxies`](Self::trusted_proxies) sees one address).
    ///
    /// ```
    /// use xmlrpc_kit::server::{RateLimit, ServerConfig};
    /// let config = ServerConfig::default().rate_limit(Some(RateLimit::per_second(100).burst(200)));
    /// # let _ = config;
    /// ```
    pub fn rate_limit(mut self, limit: Option<super::RateLimit>) -> Self {
        self.rate_limit = limit;
        self
    }

    /// What repeated wrong passwords (with [`basic_auth`](super::Server::basic_auth)) cost:
    /// after [`LoginLockout::after`](super::LoginLockout::after) failures in a row for one
    /// user name from one address (or four times as many from one address, whatever the
    /// names), that pair is refused with 429 and `Retry-After`, without checking the
    /// password, for a delay that doubles with each further failure. On by default
    /// ([`LoginLockout::default`](super::LoginLockout::default)); `None` turns it off.
    ///
    /// ```
    /// use std::time::Duration;
    /// use xmlrpc_kit::server::{LoginLockout, ServerConfig};
    /// let config = ServerConfig::default()
    ///     .login_lockout(Some(LoginLockout::default().after(3).max_delay(Duration::from_secs(600))));
    /// # let _ = config;
    /// ```
    pub fn login_lockout(mut self, lockout: Option<super::LoginLockout>) -> Self {
        self.login_lockout = lockout;
        self
    }

    /// Serves Prometheus metrics (text format 0.0.4) on GET [`metrics_path`](Self::metrics_path):
    /// `xmlrpc_calls_total{method,outcome}`, `xmlrpc_faults_total{method,code}`,
    /// `xmlrpc_call_duration_seconds{method}` (a histogram), `xmlrpc_calls_in_flight`,
    /// `xmlrpc_connections_total`, `xmlrpc_connections_open`, `xmlrpc_received_bytes_total`,
    /// `xmlrpc_sent_bytes_total` and `xmlrpc_refusals_total{reason}`. Names of methods the
    /// server does not have count as `method="(unknown)"`. Behind
    /// [`basic_auth`](super::Server::basic_auth) when that is on. Off by default.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().metrics(true);
    /// # let _ = config;
    /// ```
    pub fn metrics(mut self, enabled: bool) -> Self {
        self.metrics = enabled;
        self
    }

    /// Where [`metrics`](Self::metrics) are served.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().metrics(true).metrics_path("/internal/metrics");
    /// # let _ = config;
    /// ```
    pub fn metrics_path(mut self, path: impl Into<String>) -> Self {
        self.metrics_path = path.into();
        self
    }

    /// Where a load balancer checks the server's health: GET (or HEAD) answers 200 `ok`
    /// while the server serves and 503 `draining` once it is stopping, without
    /// authentication; `None` serves no health check.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().health_path(Some("/health".to_owned()));
    /// # let _ = config;
    /// ```
    pub fn health_path(mut self, path: Option<String>) -> Self {
        self.health_path = path;
        self
    }

    /// How long the server goes on accepting and serving, its health check failing, after
    /// it is told to stop (Ctrl-C, SIGTERM, the shutdown future) and before it closes its
    /// listener: time for a load balancer to see it drain and send new calls elsewhere.
    /// Then calls in progress get [`shutdown_grace`](Self::shutdown_grace) to finish.
    /// Meanwhile replies carry `Connection: close`, so kept-alive connections move away.
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = xmlrpc_kit::server::ServerConfig::default().drain_delay(Duration::from_secs(2));
    /// # let _ = config;
    /// ```
    pub fn drain_delay(mut self, delay: Duration) -> Self {
        self.drain_delay = delay;
        self
    }

    /// The reverse proxies whose `Forwarded` / `X-Forwarded-For` name the client: when a
    /// connection comes from one of them, the client is the last address in the header
    /// that is not itself a trusted proxy; from any other peer the headers are ignored.
    /// That address is the one the access log, the metrics, the
    /// [`authorize_call`](super::Server::authorize_call) hook and the documentation page's
    /// `X-Forwarded-Host` / `X-Forwarded-Proto` go by. None by default.
    ///
    /// ```
    /// use xmlrpc_kit::server::{ServerConfig, TrustedProxy};
    /// let config = ServerConfig::default()
    ///     .trusted_proxies(["127.0.0.1".parse::<TrustedProxy>()?, "unix".parse()?]);
    /// # let _ = config;
    /// # Ok::<(), xmlrpc_kit::server::TrustedProxyError>(())
    /// ```
    pub fn trusted_proxies(
        mut self,
        proxies: impl IntoIterator<Item = super::TrustedProxy>,
    ) -> Self {
        self.trusted_proxies = proxies.into_iter().collect();
        self
    }

    /// How large requests are read: a body above the streaming threshold (or of unknown
    /// length) is parsed while it arrives, on a blocking thread, and its `<base64>` values
    /// above the spool threshold are decoded into temporary files in the spool folder; a
    /// handler that takes a [`Blob`](crate::Blob) gets the file, one that takes bytes loads
    /// it (within the reader's base64 limit). For such a body
    /// [`body_read_timeout`](Self::body_read_timeout) bounds each wait for data rather than
    /// the whole transfer. The client takes the same [`Streaming`].
    ///
    /// The default is `Streaming::default()` with
    /// [`max_spooled_size`](Streaming::max_spooled_size) `0`, so spooled bytes count against
    /// [`max_body_size`](Self::max_body_size); raise it to take files larger than that
    /// while keeping what a request holds in memory bounded by `max_body_size`.
    ///
    /// ```
    /// use xmlrpc_kit::{http::Streaming, server::ServerConfig};
    /// let config = ServerConfig::default()
    ///     .streaming(Streaming::default().threshold(64 << 10).spool_dir("/srv/files/.spool"))
    ///     .max_body_size(16 << 20);    // 16 MiB held in memory, at most
    /// # let _ = config;
    /// let uploads = ServerConfig::default()
    ///     .streaming(Streaming::default().max_spooled_size(8 << 30)); // and 8 GiB of files
    /// # let _ = config;
    /// ```
    pub fn streaming(mut self, streaming: Streaming) -> Self {
        self.streaming = streaming;
        self
    }

    /// Largest request body accepted, as sent (compressed or not). A larger
    /// `Content-Length` is refused with 413 before the body is read; a body that grows past
    /// it while arriving is cut off with 413.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Largest part of a request body held in memory after gzip decompression: a gzip body
    /// is always inflated while it is parsed, its large `<base64>` values spooled as the
    /// [`streaming`](Self::streaming) settings say, and the rest refused with 413 once past
    /// this (a gzip bomb stops here, having cost about this much memory).
    pub fn max_decompressed_size(mut self, bytes: u64) -> Self {
        self.max_decompressed_size = bytes;
        self
    }

    /// The XML reader's limits (nesting depth, string and base64 length, element count).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Connections served at once. When all are taken, a new client is not kept waiting
    /// behind idle ones: the connection that has been waiting longest for its request's
    /// headers, or else idle longest between requests, is closed to make room. When every
    /// connection is busy with a call, new clients wait in the listen queue.
    pub fn max_connections(mut self, count: usize) -> Self {
        self.max_connections = count.max(1);
        self
    }

    /// Time a client has, from the first byte of a request, to send all of its headers.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Time a kept-alive connection may sit with no request before it is closed.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Time a client has to send a request body once its headers are in.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Time calls in progress are given to finish on shutdown before connections are cut.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// Responses at least this large are gzipped for clients that accept gzip; `None`
    /// never compresses. The client's setting of the same name gzips its requests.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().gzip_above(None);
    /// # let _ = config;
    /// ```
    pub fn gzip_above(mut self, bytes: Option<usize>) -> Self {
        self.gzip_above = bytes;
        self
    }

    /// The largest SCGI header block (the netstring's length) the server reads; a longer
    /// one is refused from its length's digits, before anything is buffered. HTTP headers
    /// are bounded by hyper's own buffer limit (about 400 KiB).
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().max_header_size(16 << 10);
    /// # let _ = config;
    /// ```
    pub fn max_header_size(mut self, bytes: usize) -> Self {
        self.max_header_size = bytes;
        self
    }

    /// The URL paths that answer XML-RPC (others get 404). SCGI and CGI requests are routed
    /// by the web server in front, and answered whatever path they name.
    pub fn paths<S: Into<String>>(mut self, paths: impl IntoIterator<Item = S>) -> Self {
        self.paths = paths.into_iter().map(Into::into).collect();
        self
    }

    /// The URL paths that answer XML-RPC.
    pub fn endpoint_paths(&self) -> &[String] {
        &self.paths
    }

    /// Whether GET on an endpoint serves an HTML page documenting the methods.
    pub fn docs_page(mut self, enabled: bool) -> Self {
        self.docs_page = enabled;
        self
    }

    /// Time a call may run, from its parameters being read to its reply; past it the client
    /// gets fault -32603 ("did not finish within ...") at the deadline, and the server goes
    /// on. It bounds every kind of method: while it is set, plain sync methods run on the
    /// blocking pool (see [`max_blocking_calls`](Self::max_blocking_calls)) rather than on
    /// the server's own threads, so that a method that hangs cannot hold up the answer. A
    /// thread past its deadline runs on to its end, keeping its slot in the pool. The hop to
    /// the pool has a price for small calls: `add` at about 0.55x the calls per second
    /// without a deadline (`bench/abuse.sh` with `AFTER_FLAGS="--call-timeout 30"`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = xmlrpc_kit::server::ServerConfig::default().call_timeout(Duration::from_secs(30));
    /// # let _ = config;
    /// ```
    pub fn call_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.call_timeout = timeout.into();
        self
    }

    /// How replies spell `i8` and `nil`: plain (the default) or Apache XML-RPC's
    /// `ex:`-prefixed form, for Java clients that require it. Requests are read in either
    /// spelling regardless.
    ///
    /// ```
    /// use xmlrpc_kit::codec::Extensions;
    /// let config = xmlrpc_kit::server::ServerConfig::default().extensions(Extensions::Apache);
    /// # let _ = config;
    /// ```
    pub fn extensions(mut self, extensions: crate::codec::Extensions) -> Self {
        self.extensions = extensions;
        self
    }

    /// Which codes the server's own faults carry: the interop codes (the default), or
    /// Python's `SimpleXMLRPCServer` style (code 1, `"<class '...'>:message"`) for clients
    /// written against a Python server. Faults from handlers keep their codes.
    ///
    /// ```
    /// use xmlrpc_kit::codec::FaultCodes;
    /// let config = xmlrpc_kit::server::ServerConfig::default().fault_codes(FaultCodes::Python);
    /// # let _ = config;
    /// ```
    pub fn fault_codes(mut self, codes: crate::codec::FaultCodes) -> Self {
        self.fault_codes = codes;
        self
    }

    /// Default for [`console`](Self::console): on, the page's forms call the methods.
    pub const DEFAULT_CONSOLE: bool = true;
    /// Default for [`cross_site_check`](Self::cross_site_check): on.
    pub const DEFAULT_CROSS_SITE_CHECK: bool = true;

    /// Whether the documentation page is a console: per method a form (parameters typed
    /// from its signature, or JSON) whose Call button POSTs the call from the page and shows
    /// the result as a tree, faults as faults, and the raw request and response. Off, the
    /// page is plain HTML without a script; [`docs_page`](Self::docs_page) turns the whole
    /// page off. The console calls the server from its own origin only (see
    /// [`allowed_origins`](Self::allowed_origins)).
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().console(false);
    /// # let _ = config;
    /// ```
    pub fn console(mut self, enabled: bool) -> Self {
        self.console = enabled;
        self
    }

    /// Origins (`scheme://host[:port]`) besides the server's own whose pages may call it
    /// from a browser: their requests pass the cross-site check and get CORS headers
    /// (`Access-Control-Allow-Origin` with credentials), their preflights an answer. `*`
    /// allows any origin (then any website a user visits can call the server with the
    /// user's credentials: only for servers that hold nothing worth protecting). None by
    /// default: a request whose `Origin` or `Sec-Fetch-Site` names another site gets 403
    /// and runs nothing. Clients that send no `Origin` (XML-RPC libraries) are unaffected.
    /// A text that is not an origin is ignored.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default()
    ///     .allowed_origins(["https://dashboard.example.org", "http://localhost:3000"]);
    /// # let _ = config;
    /// ```
    pub fn allowed_origins<S: AsRef<str>>(mut self, origins: impl IntoIterator<Item = S>) -> Self {
        self.cross_site.origins = origins
            .into_iter()
            .filter_map(|o| match o.as_ref().trim() {
                "*" => Some("*".to_owned()),
                o => super::origin::normalise(o),
            })
            .collect();
        self
    }

    /// Content types a browser's call may carry besides `text/xml` and `application/xml`
    /// (a browser's POST with any other type, or none, gets 415). Requests without
    /// `Origin` or `Sec-Fetch-*` headers are not checked: library clients keep working
    /// whatever type they send.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().call_content_types(["application/x-xmlrpc"]);
    /// # let _ = config;
    /// ```
    pub fn call_content_types<S: Into<String>>(
        mut self,
        types: impl IntoIterator<Item = S>,
    ) -> Self {
        self.cross_site.content_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Whether the cross-site check runs (see [`allowed_origins`](Self::allowed_origins)).
    /// Turn it off only behind something that does the same check.
    ///
    /// ```
    /// let config = xmlrpc_kit::server::ServerConfig::default().cross_site_check(false);
    /// # let _ = config;
    /// ```
    pub fn cross_site_check(mut self, enabled: bool) -> Self {
        self.cross_site.check = enabled;
        self
    }

    /// The documentation page's title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_size: Self::DEFAULT_MAX_BODY_SIZE,
            max_decompressed_size: Self::DEFAULT_MAX_DECOMPRESSED_SIZE,
            limits: Limits::default().max_document_size(Self::DEFAULT_MAX_DECOMPRESSED_SIZE),
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: Self::DEFAULT_HEADER_READ_TIMEOUT,
            max_header_size: Self::DEFAULT_MAX_HEADER_SIZE,
            idle_timeout: Self::DEFAULT_IDLE_TIMEOUT,
            body_read_timeout: Self::DEFAULT_BODY_READ_TIMEOUT,
            shutdown_grace: Self::DEFAULT_SHUTDOWN_GRACE,
            gzip_above: Some(Self::DEFAULT_GZIP_ABOVE),
            paths: vec!["/".to_owned(), "/RPC2".to_owned()],
            docs_page: true,
            title: "XML-RPC server".to_owned(),
            call_timeout: Self::DEFAULT_CALL_TIMEOUT,
            extensions: crate::codec::Extensions::Plain,
            fault_codes: crate::codec::FaultCodes::Interop,
            // No files beyond the body limit unless asked for (see `streaming`).
            streaming: Streaming::default().max_spooled_size(0),
            metrics: Self::DEFAULT_METRICS,
            metrics_path: Self::DEFAULT_METRICS_PATH.to_owned(),
            health_path: Some(Self::DEFAULT_HEALTH_PATH.to_owned()),
            drain_delay: Self::DEFAULT_DRAIN_DELAY,
            trusted_proxies: Vec::new(),
            max_connections_per_address: Self::DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
            max_calls_per_request: Self::DEFAULT_MAX_CALLS_PER_REQUEST,
            request_time_budget: Self::DEFAULT_REQUEST_TIME_BUDGET,
            max_blocking_calls: Self::DEFAULT_MAX_BLOCKING_CALLS,
            max_queued_calls: Self::DEFAULT_MAX_QUEUED_CALLS,
            spool_replies_above: Some(Self::DEFAULT_SPOOL_REPLIES_ABOVE),
            rate_limit: None,
            login_lockout: Some(super::LoginLockout::default()),
            console: Self::DEFAULT_CONSOLE,
            cross_site: super::origin::Policy::default(),
            access: super::access::Access::default(),
        }
    }
}
