//! The HTTP server: [`Server`] registers methods and serves them over HTTP/1.1 with
//! keep-alive on a multi-threaded tokio runtime. `serve_with_shutdown(listener, shutdown)`
//! is the core; `serve(addr)` (blocking, until Ctrl-C), `run(addr)` and `spawn(addr)` wrap it,
//! and [`Server::into_service`] gives a tower `Service` to mount elsewhere.

mod access;
#[cfg(feature = "auth")]
mod auth;
mod config;
mod conn;
mod docs;
#[cfg(feature = "files")]
pub mod files;
mod service;
mod stream;
#[cfg(feature = "tls")]
mod tls;

pub use crate::http::OutgoingBody;
pub use access::NOT_AUTHORIZED;
#[cfg(feature = "auth")]
pub use auth::{AuthError, BasicAuth};
pub use config::ServerConfig;
pub use service::{ResponseBody, XmlRpcService};
#[cfg(feature = "tls")]
pub use tls::{TlsConfig, TlsError};

use crate::dispatch::{AsyncHandler, BlockingHandler, Handler, RegistrationError, Registry};
use crate::fault::Fault;
use crate::value::Value;
use conn::{ConnIo, ConnState};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use service::Shared;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
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
    /// [`NOT_AUTHORIZED`] (-32001). Each call inside a `system.multicall` is checked too.
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
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send,
    ) -> Result<(), ServeError> {
        let (shared, tls) = self.into_parts()?;
        accept_loop(shared, tls, listener, shutdown).await;
        Ok(())
    }

    /// Binds `addr` and serves until Ctrl-C, inside an existing tokio runtime.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), xmlrpc_kit::server::ServeError> {
    /// xmlrpc_kit::server::Server::new().method("ping", || true).run("127.0.0.1:8888").await
    /// # }
    /// ```
    pub async fn run(
        self,
        addr: impl tokio::net::ToSocketAddrs + std::fmt::Display,
    ) -> Result<(), ServeError> {
        let listener = TcpListener::bind(&addr)
            .await
            .map_err(io_error(format!("cannot listen on {addr}")))?;
        // Catch Ctrl-C before saying we listen: `ctrl_c()` registers only when first polled,
        // and a SIGINT before that would kill the process instead of stopping it cleanly.
        #[cfg(unix)]
        let mut interrupt =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
                .map_err(io_error("cannot listen for Ctrl-C"))?;
        if let Ok(local) = listener.local_addr() {
            let scheme = if self.tls.is_some() { "https" } else { "http" };
            tracing::info!("XML-RPC server listening on {scheme}://{local}/ (Ctrl-C stops it)");
        }
        self.serve_with_shutdown(listener, async move {
            #[cfg(unix)]
            let interrupted = interrupt.recv().await.is_some();
            #[cfg(not(unix))]
            let interrupted = tokio::signal::ctrl_c().await.is_ok();
            if interrupted {
                tracing::info!("Ctrl-C: finishing calls in progress, then stopping");
            }
        })
        .await
    }

    /// Binds `addr` and serves until Ctrl-C on a new multi-threaded runtime: the seed's
    /// `serve_forever`. Blocks the calling thread.
    ///
    /// ```no_run
    /// xmlrpc_kit::server::Server::new().method("add", |x: i32, y: i32| x + y).serve("127.0.0.1:8888")?;
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn serve(
        self,
        addr: impl tokio::net::ToSocketAddrs + std::fmt::Display,
    ) -> Result<(), ServeError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(ServeError::InsideRuntime);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(io_error("cannot start the tokio runtime"))?;
        runtime.block_on(self.run(addr))
    }

    /// Starts serving on `addr` in a background thread with its own runtime, and returns
    /// at once with a handle that knows the bound address (use port 0 for any free port).
    /// Dropping the handle stops the server.
    ///
    /// ```
    /// let handle = xmlrpc_kit::server::Server::new().method("ping", || true).spawn("127.0.0.1:0")?;
    /// assert_ne!(handle.local_addr().port(), 0);
    /// handle.shutdown()?;
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn spawn(self, addr: impl std::net::ToSocketAddrs) -> Result<ServerHandle, ServeError> {
        let (shared, tls) = self.into_parts()?;
        let https = tls.is_some();
        let listener = std::net::TcpListener::bind(addr)
            .map_err(io_error("cannot bind the listening socket"))?;
        let local_addr = listener
            .local_addr()
            .map_err(io_error("cannot read the bound address"))?;
        listener
            .set_nonblocking(true)
            .map_err(io_error("cannot make the socket non-blocking"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(io_error("cannot start the tokio runtime"))?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let stats = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("xmlrpc-server".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = TcpListener::from_std(listener)
                        .map_err(io_error("cannot register the socket"))?;
                    accept_loop(shared, tls, listener, async {
                        stopped.await.ok();
                    })
                    .await;
                    Ok(())
                })
            })
            .map_err(io_error("cannot start the server thread"))?;
        Ok(ServerHandle {
            local_addr,
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
    local_addr: SocketAddr,
    https: bool,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<Result<(), ServeError>>>,
}

impl ServerHandle {
    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The server's URL, `http://ADDR/RPC2` (`https://` when it serves TLS).
    ///
    /// ```
    /// let handle = xmlrpc_kit::server::Server::new().spawn("127.0.0.1:0")?;
    /// assert!(handle.url().starts_with("http://127.0.0.1:") && handle.url().ends_with("/RPC2"));
    /// # Ok::<(), xmlrpc_kit::server::ServeError>(())
    /// ```
    pub fn url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}/RPC2", self.local_addr)
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

/// Accepts connections until `shutdown`, each on its own task, at most
/// `max_connections` at once; then drains them.
async fn accept_loop(
    shared: Arc<Shared>,
    tls: stream::Acceptor,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(shared.config.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
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
        shared
            .accepted
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY for {peer}: {e}");
        }
        let conn = ConnState::new(
            shared.config.header_read_timeout,
            shared.config.idle_timeout,
        );
        let service = ConnService {
            shared: Arc::clone(&shared),
            peer,
            conn: Arc::clone(&conn),
        };
        let watcher = graceful.watcher();
        let tls = tls.clone();
        let handshake_timeout = shared.config.header_read_timeout;
        tokio::spawn(async move {
            // The TLS handshake (if any) runs here, off the accept loop, within its timeout.
            match stream::accept(&tls, stream, handshake_timeout).await {
                Ok(stream) => {
                    let io = TokioIo::new(ConnIo::new(stream, conn));
                    let connection = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        // No `pipeline_flush`: with it hyper buffers a streamed body
                        // without limit (a 1 GB download would sit in memory).
                        .header_read_timeout(None)
                        .serve_connection(io, service);
                    if let Err(e) = watcher.watch(connection).await {
                        tracing::debug!("connection from {peer} ended: {e}");
                    }
                }
                Err(e) => tracing::debug!("TLS handshake with {peer} failed: {e}"),
            }
            drop(permit);
        });
    }
    drop(listener);
    let grace = shared.config.shutdown_grace;
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("server stopped"),
        () = tokio::time::sleep(grace) => tracing::warn!("server stopped; calls still running after {grace:?} were cut off"),
    }
}

/// The per-connection service: knows the peer and the connection's timers.
struct ConnService {
    shared: Arc<Shared>,
    peer: SocketAddr,
    conn: Arc<ConnState>,
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response<ResponseBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let shared = Arc::clone(&self.shared);
        let conn = Arc::clone(&self.conn);
        let peer = self.peer;
        Box::pin(async move { Ok(service::handle(shared, request, Some(peer), Some(&conn)).await) })
    }
}
