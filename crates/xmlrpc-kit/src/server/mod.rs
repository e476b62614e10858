//! The server: [`Server`] registers methods and serves them on a multi-threaded tokio
//! runtime, over HTTP/1.1 with keep-alive (TCP, TLS, Unix sockets), SCGI (TCP, Unix sockets)
//! or CGI (one call per process). `serve_with_shutdown(listener, shutdown)` is the core;
//! `serve(addr)` (blocking, until Ctrl-C or SIGTERM: [`shutdown_signal`]), `run(addr)` and
//! `spawn(addr)` wrap it, taking any [`Bind`] form (`127.0.0.1:8888`, `unix:/run/app.sock`,
//! `scgi://127.0.0.1:5000`, `systemd`); a stop drains: the health check (`/healthz`) fails,
//! the listener closes after [`ServerConfig::drain_delay`], calls finish within the grace;
//! [`Server::serve_cgi`] answers one CGI request; [`Server::into_service`] gives a tower
//! `Service` to mount elsewhere.

mod access;
#[cfg(feature = "auth")]
mod auth;
mod budget;
mod cgi;
mod config;
mod conn;
mod docs;
mod forwarded;
mod gateway;
mod listen;
mod metrics;
mod origin;
mod scgi;
mod service;
mod slots;
mod stream;
mod throttle;
#[cfg(feature = "tls")]
mod tls;

pub use crate::http::OutgoingBody;
pub use access::Caller;
#[cfg(feature = "auth")]
pub use auth::{AuthError, BasicAuth};
pub use config::ServerConfig;
pub use forwarded::{TrustedProxy, TrustedProxyError};
pub use listen::{Bind, BindError, Framing, IntoBind, Listener, LocalAddr};
pub use service::{ResponseBody, XmlRpcService};
pub use throttle::{LoginLockout, RateLimit};
#[cfg(feature = "tls")]
pub use tls::{TlsConfig, TlsError};

use crate::dispatch::{AsyncHandler, BlockingHandler, Handler, RegistrationError, Registry};
use crate::fault::Fault;
use crate::value::Value;
use conn::{ConnIo, ConnState};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use listen::Accepted;
use service::Shared;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// An XML-RPC server: methods by name, served over HTTP.
///
/// ```no_run
/// use xmlrpc_kit::server::Server;
///
/// Server::new()
///     .method("get_string", |s: String| format!("get string:{s}"))
///     .method("add", |x: i32, y: i32| x + y)
///     .with_introspection()
///     .with_multicall()
///     .serve("127.0.0.1:8888")?; // blocks until Ctrl-C
/// # Ok::<(), xmlrpc_kit::server::ServeError>(())
/// ```
pub struct Server {
    registry: Registry,
    config: ServerConfig,
    last: Option<String>,
    error: Option<RegistrationError>,
    tls: stream::Acceptor,
    access: access::Access,
}

/// Why a server could not start or stopped with an error.
///
/// ```
/// use xmlrpc_kit::server::{ServeError, Server};
/// let err = Server::new().method("a", || 1).method("a", || 2).into_service().err();
/// assert!(matches!(err, Some(ServeError::Registration(_))));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A method could not be registered (a duplicate name, say).
    #[error("cannot register a method: {0}")]
    Registration(#[from] RegistrationError),
    /// [`Server::serve`] was called on a thread that is already running a tokio runtime,
    /// where it cannot start one of its own.
    #[error("Server::serve() was called inside a tokio runtime; there, use `server.run(addr).await` (or `spawn(addr)`)")]
    InsideRuntime,
    /// The address to listen on is not one the server knows how to use.
    #[error(transparent)]
    Bind(#[from] BindError),
    /// TLS was asked for on a listener that is not HTTP over TCP.
    #[error("TLS is served over TCP only, not on {0} (put a Unix socket or SCGI listener behind a web server that does TLS)")]
    TlsOverTcpOnly(String),
    /// Binding the address, or running the runtime, failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn io_error(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ServeError {
    let context = context.into();
    move |source| ServeError::Io { context, source }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("methods", &self.registry.method_names())
            .field("config", &self.config)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

impl Server {
    /// A server with no methods and the default [`ServerConfig`].
    ///
    /// ```
    /// let server = xmlrpc_kit::server::Server::new();
    /// # let _ = server;
    /// ```
    pub fn new() -> Self {
        Server {
            registry: Registry::new(),
            config: ServerConfig::default(),
            last: None,
            error: None,
            tls: None,
            access: access::Access::default(),
        }
    }

    #[cfg(feature = "tls")]
    /// Serves HTTPS: every connection does a TLS handshake first (within the header-read
    /// timeout). The tower service from [`into_service`](Self::into_service) is not affected.
    ///
    /// ```no_run
    /// use xmlrpc_kit::server::{Server, TlsConfig};
    /// let tls = TlsConfig::from_pem_files("server.pem", "server.key")?;
    /// let handle = Server::new().method("ping", || true).tls(tls).spawn("127.0.0.1:0")?;
    /// assert!(handle.url().starts_with("https://"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tls(mut self, tls: TlsConfig) -> Self {
        self.tls = Some(tls);
        self
    }

    #[cfg(feature = "auth")]
    /// Requires HTTP Basic authentication on every request (calls and the documentation
    /// page): a request without valid credentials gets 401 with `WWW-Authenticate`, before
    /// its body is read. Serve it over [`tls`](Self::tls): Basic sends the password in clear.
    ///
    /// ```
    /// use xmlrpc_kit::server::{BasicAuth, Server};
    /// let users = BasicAuth::new().user("alice", &BasicAuth::hash_password("secret")?)?;
    /// let server = Server::new().method("ping", || true).basic_auth(users);
    /// # let _ = server;
    /// # Ok::<(), xmlrpc_kit::server::AuthError>(())
    /// ```
    pub fn basic_auth(mut self, users: BasicAuth) -> Self {
        self.access.basic = Some(users);
        self
    }

    /// Decides per call whether the caller may call a method: `allow(user, method)` gets the
    /// authenticated user name (`None` without [`basic_auth`](Self::basic_auth)) and the
    /// method's name, before the parameters are read; a refusal is fault
    /// [`Fault::NOT_AUTHORIZED`] (-32001). Each call inside a `system.multicall` is checked too.
    ///
    /// ```
    /// let server = xmlrpc_kit::server::Server::new()
    ///     .method("read", || 1)
    ///     .method("admin.reset", || true)
    ///     .authorize(|user, method| !method.starts_with("admin.") || user == Some("root"));
    /// # let _ = server;
    /// ```
    pub fn authorize<F>(mut self, allow: F) -> Self
    where
        F: Fn(Option<&str>, &str) -> bool + Send + Sync + 'static,
    {
        self.access.authorize = Some(Arc::new(move |caller: &Caller<'_>| {
            allow(caller.user(), caller.method())
        }));
        self
    }

    /// Decides per call whether the caller may call a method, as
    /// [`authorize`](Self::authorize) does, from a [`Caller`]: the user, the method, and the
    /// client's address (behind a [trusted proxy](ServerConfig::trusted_proxies), the
    /// forwarded one). The last of `authorize` and `authorize_call` set is the one used.
    ///
    /// ```
    /// let server = xmlrpc_kit::server::Server::new()
    ///     .method("read", || 1)
    ///     .authorize_call(|caller| caller.client_ip().is_some_and(|ip| ip.is_loopback()));
    /// # let _ = server;
    /// ```
    pub fn authorize_call<F>(mut self, allow: F) -> Self
    where
        F: Fn(&Caller<'_>) -> bool + Send + Sync + 'static,
    {
        self.access.authorize = Some(Arc::new(allow));
        self
    }

    /// Replaces the configuration (limits, timeouts, paths, gzip, documentation page).
    ///
    /// ```
    /// use xmlrpc_kit::server::{Server, ServerConfig};
    /// let server = Server::new().config(ServerConfig::default().max_connections(16));
    /// # let _ = server;
    /// ```
    pub fn config(mut self, config: ServerConfig) -> Self {
        self.config = config;
        self
    }

    fn record(mut self, name: &str, result: Result<(), RegistrationError>) -> Self {
        match result {
            Ok(()) => self.last = Some(name.to_owned()),
            Err(e) => {
                self.last = None;
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Adds a method: a function or closure of typed arguments returning a value or a
    /// `Result<T, Fault>`. It runs on the server's threads, so keep it quick; use
    /// [`blocking_method`](Self::blocking_method) for slow or blocking work.
    ///
    /// ```
    /// let server = xmlrpc_kit::server::Server::new().method("add", |x: i32, y: i32| x + y);
    /// # let _ = server;
    /// ```
    pub fn method<Args: 'static, M: 'static>(
        mut self,
        name: &str,
        handler: impl Handler<Args, M>,
    ) -> Self {
        let result = self.registry.method(name, handler).map(drop);
        self.record(name, result)
    }

    /// Adds an async method.
    ///
    /// ```
    /// let server = xmlrpc_kit::server::Server::new()
    ///     .async_method("slow_echo", |s: String| async move {
    ///         tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    ///         s
    ///     });
    /// # let _ = server;
    /// ```
    pub fn async_method<Args: 'static, M: 'static>(
        mut self,
        name: &str,
        handler: impl AsyncHandler<Args, M>,
    ) -> Self {
        let result = self.registry.async_method(name, handler).map(drop);
        self.record(name, result)
    }

    /// Adds a method that may block; it runs on tokio's blocking thread pool.
    ///
    /// ```
    /// let server = xmlrpc_kit::server::Server::new()
    ///     .blocking_method("nap", |ms: u64| std::thread::sleep(std::time::Duration::from_millis(ms)));
    /// # let _ = server;
    /// ```
    pub fn blocking_method<Args: 'static, M: 'static>(
        mut self,
        name: &str,
        handler: impl BlockingHandler<Args, M>,
    ) -> Self {
        let result = self.registry.blocking_method(name, handler).map(drop);
        self.record(name, result)
    }

    /// Adds a dynamic method: all parameters as values in, a value or fault out.
    ///
    /// ```
    /// use xmlrpc_kit::{Fault, Value};
    /// let server = xmlrpc_kit::server::Server::new()
    ///     .dynamic_method("first", |params: Vec<Value>| params.into_iter().next().ok_or(Fault::new(1, "no params")));
    /// # let _ = server;
    /// ```
    pub fn dynamic_method<F>(mut self, name: &str, handler: F) -> Self
    where
        F: Fn(Vec<Value>) -> Result<Value, Fault> + Send + Sync + 'static,
    {
        let result = self.registry.dynamic_method(name, handler).map(drop);
        self.record(name, result)
    }

    /// Mounts one API or several ([`Apis`](crate::dispatch::Apis)): the server side of a
    /// `#[xmlrpc_kit::api]` trait (`value.into_api()`), or a method group under a prefix
    /// ([`Api`](crate::dispatch::Api)). A name that clashes with any other method is a
    /// registration error, reported when the server starts, like a duplicate `method`.
    ///
    /// ```
    /// use xmlrpc_kit::{dispatch::Api, server::{ServeError, Server}};
    /// let math = Api::with_prefix("math").method("add", |x: i32, y: i32| x + y);
    /// let text = Api::with_prefix("text").method("upper", |s: String| s.to_uppercase());
    /// let server = Server::new().mount((math, text)).with_introspection();
    /// # let _ = server;
    /// let clash = Server::new().method("math.add", || 0).mount(Api::with_prefix("math").method("add", || 1));
    /// assert!(matches!(clash.into_service(), Err(ServeError::Registration(_))));
    /// ```
    pub fn mount(mut self, apis: impl crate::dispatch::Apis) -> Self {
        if let Err(e) = self.registry.mount(apis) {
            self.error.get_or_insert(e);
        }
        // `help` and `signature` after a mount have no one method to describe.
        self.last = None;
        self
    }

    /// Sets the help text of the method added last.
    ///
    /// ```
    /// let server = xmlrpc_kit::server::Server::new()
    ///     .method("add", |x: i32, y: i32| x + y)
    ///     .help("Adds two integers.")
    ///     .signature(["int", "int", "int"]);
    /// # let _ = server;
    /// ```
    pub fn help(mut self, text: impl Into<String>) -> Self {
        if let Some(info) = self
            .last
            .as_deref()
            .and_then(|name| self.registry.method_info(name))
        {
            info.help(text);
        }
        self
    }

    /// Adds a signature (result type first, then the parameters') to the method added last.
    pub fn signature<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        if let Some(info) = self
            .last
            .as_deref()
            .and_then(|name| self.registry.method_info(name))
        {
            info.signature(types);
        }
        self
    }

    /// Adds the introspection methods (`system.listMethods`, `methodHelp`,
    /// `methodSignature`, `getCapabilities`).
    pub fn with_introspection(mut self) -> Self {
        self.registry = self.registry.with_introspection();
        self
    }

    /// Adds `system.multicall`.
    pub fn with_multicall(mut self) -> Self {
        self.registry = self.registry.with_multicall();
        self
    }

    fn into_shared(self) -> Result<Arc<Shared>, ServeError> {
        Ok(self.into_parts()?.0)
    }

    /// The shared state, with the access rules moved into the configuration, and the TLS
    /// settings.
    fn into_parts(self) -> Result<(Arc<Shared>, stream::Acceptor), ServeError> {
        if let Some(e) = self.error {
            return Err(e.into());
        }
        let mut config = self.config;
        config.access = self.access;
        Ok((Shared::new(self.registry, config), self.tls))
    }

    /// The endpoint as a tower `Service`, to mount inside an axum or hyper application.
    ///
    /// ```
    /// let service = xmlrpc_kit::server::Server::new().method("ping", || true).into_service()?;
    /// # let _ = service;
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn into_service(self) -> Result<XmlRpcService, ServeError> {
        Ok(XmlRpcService {
            shared: self.into_shared()?,
        })
    }

    /// Serves on an already-bound listener until `shutdown` completes, then stops
    /// accepting, lets calls in progress finish (up to the configured grace), and returns.
    /// The listener is a tokio `TcpListener` or `UnixListener`, or a [`Listener`] (from
    /// [`Bind::listen`], or made to speak SCGI with [`Listener::scgi`]).
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), xmlrpc_kit::server::ServeError> {
    /// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    /// let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    /// let server = xmlrpc_kit::server::Server::new().method("ping", || true);
    /// tokio::spawn(server.serve_with_shutdown(listener, async { stopped.await.ok(); }));
    /// // ... later
    /// stop.send(()).ok();
    /// # Ok(()) }
    /// ```
    pub async fn serve_with_shutdown(
        self,
        listener: impl Into<Listener>,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError> {
        let listener = listener.into();
        let (shared, tls) = self.into_parts()?;
        check_tls(&tls, &listener)?;
        accept_loop(shared, tls, listener, shutdown).await;
        Ok(())
    }

    /// Binds `addr` (any [`Bind`] form: `127.0.0.1:8888`, `unix:/run/app.sock`,
    /// `scgi://127.0.0.1:5000`, ...) and serves until Ctrl-C, inside an existing tokio runtime.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), xmlrpc_kit::server::ServeError> {
    /// xmlrpc_kit::server::Server::new().method("ping", || true).run("127.0.0.1:8888").await
    /// # }
    /// ```
    pub async fn run(self, addr: impl IntoBind) -> Result<(), ServeError> {
        let bind = addr.into_bind()?;
        let listener = bind
            .listen()
            .await
            .map_err(io_error(format!("cannot listen on {bind}")))?;
        // Catch the signals before saying we listen: a SIGINT or SIGTERM before the handlers
        // are registered would kill the process instead of stopping it cleanly.
        let stop = shutdown_signal()?;
        if let Ok(local) = listener.local_addr() {
            let url = local.url(listener.framing(), self.tls.is_some());
            tracing::info!("XML-RPC server listening on {url} (Ctrl-C or SIGTERM stops it)");
        }
        self.serve_with_shutdown(listener, stop).await
    }

    /// Binds `addr` and serves until Ctrl-C or SIGTERM on a new multi-threaded runtime: the seed's
    /// `serve_forever`. Blocks the calling thread.
    ///
    /// ```no_run
    /// xmlrpc_kit::server::Server::new().method("add", |x: i32, y: i32| x + y).serve("127.0.0.1:8888")?;
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn serve(self, addr: impl IntoBind) -> Result<(), ServeError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(ServeError::InsideRuntime);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(io_error("cannot start the tokio runtime"))?;
        runtime.block_on(self.run(addr))
    }

    /// Starts serving on `addr` (any [`Bind`] form) in a background thread with its own
    /// runtime, and returns at once with a handle that knows the bound address (use port 0
    /// for any free port). Dropping the handle stops the server.
    ///
    /// ```
    /// let handle = xmlrpc_kit::server::Server::new().method("ping", || true).spawn("127.0.0.1:0")?;
    /// assert_ne!(handle.local_addr().port(), 0);
    /// handle.shutdown()?;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let path = dir.path().join("rpc.sock");
    /// let handle = xmlrpc_kit::server::Server::new().spawn(format!("unix:{}", path.display()))?;
    /// assert_eq!(handle.url(), format!("unix://{}", path.display()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spawn(self, addr: impl IntoBind) -> Result<ServerHandle, ServeError> {
        let bind = addr.into_bind()?;
        let (shared, tls) = self.into_parts()?;
        let https = tls.is_some();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(io_error("cannot start the tokio runtime"))?;
        let listener = runtime
            .block_on(bind.listen())
            .map_err(io_error(format!("cannot listen on {bind}")))?;
        check_tls(&tls, &listener)?;
        let local = listener
            .local_addr()
            .map_err(io_error("cannot read the bound address"))?;
        let framing = listener.framing();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let stats = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("xmlrpc-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    accept_loop(shared, tls, listener, async {
                        stopped.await.ok();
                    })
                    .await;
                    Ok(())
                })
            })
            .map_err(io_error("cannot start the server thread"))?;
        Ok(ServerHandle {
            local,
            framing,
            https,
            shared: stats,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

/// A server running in the background (from [`Server::spawn`]). Dropping it stops the
/// server, so keep it for as long as the server should run.
#[must_use = "dropping the handle stops the server at once"]
pub struct ServerHandle {
    local: LocalAddr,
    framing: Framing,
    https: bool,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl ServerHandle {
    /// The TCP address the server listens on; for a server on a Unix socket, the
    /// unspecified address `0.0.0.0:0` (its path is in [`listening_on`](Self::listening_on)).
    ///
    /// ```
    /// let handle = xmlrpc_kit::server::Server::new().spawn("127.0.0.1:0")?;
    /// assert!(handle.local_addr().ip().is_loopback());
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn local_addr(&self) -> SocketAddr {
        match &self.local {
            LocalAddr::Tcp(addr) => *addr,
            LocalAddr::Unix(_) => SocketAddr::from(([0, 0, 0, 0], 0)),
        }
    }

    /// Where the server listens: a TCP address or a Unix socket's path.
    ///
    /// ```
    /// use xmlrpc_kit::server::LocalAddr;
    /// let handle = xmlrpc_kit::server::Server::new().spawn("127.0.0.1:0")?;
    /// assert!(matches!(handle.listening_on(), LocalAddr::Tcp(_)));
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn listening_on(&self) -> &LocalAddr {
        &self.local
    }

    /// The server's URL as the client takes it: `http://ADDR/RPC2` (`https://` when it
    /// serves TLS), `unix:///PATH`, `scgi://ADDR` or `scgi:///PATH`.
    ///
    /// ```
    /// let handle = xmlrpc_kit::server::Server::new().spawn("127.0.0.1:0")?;
    /// assert!(handle.url().starts_with("http://127.0.0.1:") && handle.url().ends_with("/RPC2"));
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn url(&self) -> String {
        self.local.url(self.framing, self.https)
    }

    /// How many connections the server has accepted so far (keep-alive reuse shows here).
    ///
    /// ```
    /// let handle = xmlrpc_kit::server::Server::new().spawn("127.0.0.1:0")?;
    /// assert_eq!(handle.connections_accepted(), 0);
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn connections_accepted(&self) -> u64 {
        self.shared
            .accepted
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Stops accepting, lets calls in progress finish, and waits for the server to end.
    pub fn shutdown(mut self) -> Result<(), ServeError> {
        self.stop_and_join()
    }

    fn stop_and_join(&mut self) -> Result<(), ServeError> {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        match self.thread.take().map(std::thread::JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(ServeError::Io {
                context: "the server thread".into(),
                source: std::io::Error::other("it panicked"),
            }),
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("url", &self.url())
            .finish_non_exhaustive()
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        if let Err(e) = self.stop_and_join() {
            tracing::warn!("server stopped with an error: {e}");
        }
    }
}

/// The signals that stop a server the way a service manager asks: Ctrl-C (SIGINT) and
/// SIGTERM (systemd, Kubernetes, supervisord), registered now, so that one arriving
/// before the future is first polled still drains the server rather than killing the
/// process. The future completes on the first of them, having logged which; pass it to
/// [`Server::serve_with_shutdown`] ([`Server::run`] and [`Server::serve`] do).
///
/// # Errors
/// The signal handlers cannot be installed.
///
/// ```no_run
/// # async fn example() -> Result<(), xmlrpc_kit::server::ServeError> {
/// use xmlrpc_kit::server::{shutdown_signal, Bind, Server};
/// let listener = Bind::tcp("127.0.0.1:8888").listen().await.unwrap();
/// let stop = shutdown_signal()?;
/// Server::new().method("ping", || true).serve_with_shutdown(listener, stop).await
/// # }
/// ```
pub fn shutdown_signal() -> Result<impl Future<Output = ()> + Send + 'static, ServeError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt =
            signal(SignalKind::interrupt()).map_err(io_error("cannot listen for Ctrl-C"))?;
        let mut terminate =
            signal(SignalKind::terminate()).map_err(io_error("cannot listen for SIGTERM"))?;
        Ok(async move {
            let name = tokio::select! {
                _ = interrupt.recv() => "Ctrl-C",
                _ = terminate.recv() => "SIGTERM",
            };
            tracing::info!("{name}: draining (finishing calls in progress), then stopping");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            if tokio::signal::ctrl_c().await.is_ok() {
                tracing::info!("Ctrl-C: draining (finishing calls in progress), then stopping");
            }
        })
    }
}

/// TLS is served over TCP with HTTP only.
fn check_tls(tls: &stream::Acceptor, listener: &Listener) -> Result<(), ServeError> {
    if tls.is_some() && !(listener.is_tcp() && listener.framing() == Framing::Http) {
        let place = listener
            .local_addr()
            .map(|a| a.url(listener.framing(), false))
            .unwrap_or_else(|_| "this listener".into());
        return Err(ServeError::TlsOverTcpOnly(place));
    }
    Ok(())
}

/// Accepts connections until `shutdown`, each on its own task, at most
/// `max_connections` at once; then drains them.
async fn accept_loop(
    shared: Arc<Shared>,
    tls: stream::Acceptor,
    listener: Listener,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(shared.config.max_connections));
    let slots = slots::Slots::new(shared.config.max_connections_per_address);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    // SCGI connections (one request each) hold a clone; all gone means all done.
    let (scgi_running, mut scgi_done) = tokio::sync::mpsc::channel::<()>(1);
    let framing = listener.framing();
    // Told to stop: fail the health check at once, go on serving for the drain delay (a load
    // balancer sees the check fail and sends new calls elsewhere), then stop accepting.
    let drain_delay = shared.config.drain_delay;
    let draining = Arc::clone(&shared);
    let shutdown = async move {
        shutdown.await;
        draining
            .draining
            .store(true, std::sync::atomic::Ordering::Relaxed);
        if !drain_delay.is_zero() {
            tracing::info!("health check failing; accepting for {drain_delay:?} more");
            tokio::time::sleep(drain_delay).await;
        }
    };
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: log, pause, go on.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let (peer, local) = match &accepted {
            Accepted::Tcp(stream, peer) => (Some(*peer), stream.local_addr().ok()),
            #[cfg(unix)]
            Accepted::Unix(_) => (None, None),
        };
        let conn = ConnState::new(
            shared.config.header_read_timeout,
            shared.config.idle_timeout,
        );
        // One address holds at most its share of the slots (a trusted proxy speaks for
        // many clients, and a Unix socket's peers have no address: neither is counted).
        // SCGI's peer is the web server in front, which speaks for every client.
        let counted = peer
            .filter(|_| framing == Framing::Http)
            .map(|addr| addr.ip())
            .filter(|ip| {
                !shared
                    .config
                    .trusted_proxies
                    .iter()
                    .any(|t| t.contains(*ip))
            });
        let Some(slot) = slots.enter(counted, &conn) else {
            shared.refused(metrics::Refusal::TooManyConnections);
            tracing::debug!(
                "closed a connection from {}: its address has {} open",
                service::Peer(peer),
                shared.config.max_connections_per_address
            );
            continue;
        };
        // Every slot taken: a client waiting for its headers too long, or idle, makes room
        // (at once, rather than at its timeout); with every connection busy, wait.
        let permit = match Arc::clone(&permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if framing == Framing::Http && slots.shed_one(&conn) {
                    shared.refused(metrics::Refusal::Shed);
                }
                tokio::select! {
                    permit = Arc::clone(&permits).acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        shared
            .accepted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let open = shared
            .metrics
            .as_ref()
            .map(metrics::Metrics::connection_opened);
        let handshake_timeout = shared.config.header_read_timeout;
        if framing == Framing::Scgi {
            let shared = Arc::clone(&shared);
            let running = scgi_running.clone();
            tokio::spawn(async move {
                match stream::accept(&None, accepted, handshake_timeout).await {
                    Ok(stream) => scgi::serve_connection(shared, stream, peer).await,
                    Err(e) => tracing::debug!("SCGI connection lost at once: {e}"),
                }
                drop((permit, running, open, slot));
            });
            continue;
        }
        let mut service = ConnService {
            shared: Arc::clone(&shared),
            subject: None,
            peer,
            conn: Arc::clone(&conn),
            endpoint: docs::Endpoint {
                https: tls.is_some(),
                local,
            },
        };
        let watcher = graceful.watcher();
        let tls = tls.clone();
        let traffic = shared.metrics.as_ref().map(metrics::Metrics::traffic);
        tokio::spawn(async move {
            // The TLS handshake (if any) runs here, off the accept loop, within its timeout,
            // unless the connection is shed meanwhile.
            let handshake = tokio::select! {
                handshake = stream::accept(&tls, accepted, handshake_timeout) => handshake,
                () = conn.shed_notify.notified() => Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "closed during its handshake to make room for a new client",
                )),
            };
            match handshake {
                Ok(stream) => {
                    service.subject = stream.client_subject();
                    let io = TokioIo::new(ConnIo::new(stream, conn, traffic));
                    let connection = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        // No `pipeline_flush`: with it hyper buffers a streamed body
                        // without limit (a 1 GB download would sit in memory).
                        .header_read_timeout(None)
                        .serve_connection(io, service);
                    if let Err(e) = watcher.watch(connection).await {
                        tracing::debug!("connection from {} ended: {e}", service::Peer(peer));
                    }
                }
                Err(e) => tracing::debug!("TLS handshake with {} failed: {e}", service::Peer(peer)),
            }
            drop((permit, open, slot));
        });
    }
    drop(listener);
    drop(scgi_running);
    let grace = shared.config.shutdown_grace;
    let drained = async {
        tokio::join!(graceful.shutdown(), scgi_done.recv());
    };
    tokio::select! {
        () = drained => tracing::info!("server stopped"),
        () = tokio::time::sleep(grace) => tracing::warn!("server stopped; calls still running after {grace:?} were cut off"),
    }
}

/// The per-connection service: knows the peer, the connection's timers, and (for the
/// documentation page's URL) whether it is TLS and the address it reached.
struct ConnService {
    shared: Arc<Shared>,
    peer: Option<SocketAddr>,
    /// The subject of the client's TLS certificate, when it presented one.
    subject: Option<Arc<str>>,
    conn: Arc<ConnState>,
    endpoint: docs::Endpoint,
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, Infallible>> + Send>>;

    fn call(&self, mut request: Request<Incoming>) -> Self::Future {
        request.extensions_mut().insert(self.endpoint);
        if let Some(subject) = &self.subject {
            request
                .extensions_mut()
                .insert(access::ClientSubject(Arc::clone(subject)));
        }
        let shared = Arc::clone(&self.shared);
        let conn = Arc::clone(&self.conn);
        let peer = self.peer;
        Box::pin(async move {
            let mut response =
                service::handle(Arc::clone(&shared), request, peer, Some(&conn)).await;
            if shared.is_draining() {
                // Stopping: the client (or proxy) should take its next call elsewhere.
                response.headers_mut().insert(
                    hyper::header::CONNECTION,
                    hyper::header::HeaderValue::from_static("close"),
                );
            }
            Ok(response)
        })
    }
}
