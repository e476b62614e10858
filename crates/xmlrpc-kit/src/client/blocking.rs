//! The blocking `Client`: the async client driven by a private runtime on one background
//! thread. Callers block on a plain channel, so it works from any thread, including a
//! tokio blocking-pool thread, and one `Client` can be shared by many threads.

use super::exchange::ReplyBody;
use super::{AsyncClient, CallOptions, ClientBuilder, Error, Multicall, Reply};
use crate::codec::segments::Encoded;
use crate::value::Value;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;

/// A blocking XML-RPC client, as Python's `ServerProxy`: `Send + Sync`, cheap to clone.
///
/// ```no_run
/// use xmlrpc_kit::{Binary, Client};
///
/// let client = Client::new("http://localhost:8888")?;
/// let s: String = client.call("get_string", ("cloudox",))?;
/// let n: i32 = client.call("add", (8, 8))?;
/// let file: Binary = client.call("image_get", ())?;
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    client: AsyncClient,
    runtime: Arc<Background>,
}

/// The runtime thread; stopped when the last `Client` clone is dropped.
struct Background {
    handle: tokio::runtime::Handle,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            if thread.thread().id() != std::thread::current().id() {
                let _ = thread.join();
            }
        }
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.client.url())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Wraps an async client with a runtime of its own on a background thread.
    pub(crate) fn from_async(client: AsyncClient) -> Result<Client, Error> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Error::Runtime {
                what: "cannot start the client's runtime",
                source: Some(e),
            })?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("xmlrpc-client".into())
            .spawn(move || {
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })
            .map_err(|e| Error::Runtime {
                what: "cannot start the client's thread",
                source: Some(e),
            })?;
        Ok(Client {
            client,
            runtime: Arc::new(Background {
                handle,
                stop: Mutex::new(Some(stop)),
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    /// A blocking client for `url` with default settings.
    ///
    /// ```
    /// let client = xmlrpc_kit::Client::new("http://user:pw@localhost:8888")?;
    /// assert_eq!(client.url(), "http://localhost:8888/RPC2");
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn new(url: &str) -> Result<Self, Error> {
        Self::builder(url).build()
    }

    /// Settings for a blocking client of `url`; finish with
    /// [`build`](ClientBuilder::build).
    ///
    /// ```
    /// let client = xmlrpc_kit::Client::builder("localhost:8888")
    ///     .timeout(std::time::Duration::from_secs(5))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// The async client underneath, sharing this one's settings and connection pool, for
    /// code that has a runtime of its own.
    ///
    /// ```
    /// let client = xmlrpc_kit::Client::new("localhost:8888")?;
    /// assert_eq!(client.as_async().url(), client.url());
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn as_async(&self) -> &AsyncClient {
        &self.client
    }

    /// The server's URL (without credentials).
    ///
    /// ```
    /// let client = xmlrpc_kit::Client::new("localhost:8888")?;
    /// assert_eq!(client.url(), "http://localhost:8888/RPC2");
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn url(&self) -> String {
        self.client.url()
    }

    /// Calls `method` with `params` (a tuple; `()` for none) and decodes the result as `R`.
    ///
    /// ```no_run
    /// let client = xmlrpc_kit::Client::new("localhost:8888")?;
    /// let sum: i64 = client.call("add", (8, 8))?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn call<R: DeserializeOwned, P: Serialize>(
        &self,
        method: &str,
        params: P,
    ) -> Result<R, Error> {
        self.call_with(method, params, &CallOptions::default())
    }

    /// [`call`](Self::call) with extra headers or query parameters for this call only.
    ///
    /// ```no_run
    /// use xmlrpc_kit::client::{CallOptions, Client};
    /// let client = Client::new("localhost:8888")?;
    /// let options = CallOptions::new().header("X-CSRF-Token", "t0k3n").query("session", "42");
    /// let n: i32 = client.call_with("add", (8, 8), &options)?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn call_with<R: DeserializeOwned, P: Serialize>(
        &self,
        method: &str,
        params: P,
        options: &CallOptions,
    ) -> Result<R, Error> {
        self.call_reply(method, params, options)?.into_result()
    }

    /// [`call_with`](Self::call_with), giving the whole [`Reply`]: the result or the
    /// peer's fault (not an error here), and the deviations from the specification the
    /// reader tolerated.
    ///
    /// ```no_run
    /// let client = xmlrpc_kit::Client::new("localhost:8888")?;
    /// let reply = client.call_reply::<xmlrpc_kit::Value, _>("ping", (), &Default::default())?;
    /// for deviation in &reply.deviations {
    ///     eprintln!("the server deviates: {deviation}");
    /// }
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn call_reply<R: DeserializeOwned, P: Serialize>(
        &self,
        method: &str,
        params: P,
        options: &CallOptions,
    ) -> Result<Reply<R>, Error> {
        let body = self.client.encode(method, &params)?;
        self.round_trip(body, options)
    }

    /// The cookie jar, when the client keeps cookies
    /// ([`cookies`](ClientBuilder::cookies)).
    ///
    /// ```
    /// let client = xmlrpc_kit::Client::builder("localhost:8888").cookies(true).build()?;
    /// assert!(client.cookie_jar().is_some_and(|jar| jar.cookies().is_empty()));
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    #[cfg(feature = "cookies")]
    pub fn cookie_jar(&self) -> Option<&super::CookieJar> {
        self.client.cookie_jar()
    }

    /// Calls `method` with dynamic parameters and returns the dynamic result.
    ///
    /// ```no_run
    /// use xmlrpc_kit::{Client, Value};
    /// let client = Client::new("localhost:8888")?;
    /// let v = client.call_value("echo", &[Value::from("hi")])?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn call_value(&self, method: &str, params: &[Value]) -> Result<Value, Error> {
        self.call(method, params)
    }

    /// A batch of calls sent as one `system.multicall`; see [`Multicall`].
    ///
    /// ```no_run
    /// let client = xmlrpc_kit::Client::new("localhost:8888")?;
    /// let mut batch = client.multicall();
    /// batch.add("add", (1, 2))?;
    /// let results = batch.send()?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn multicall(&self) -> Multicall {
        Multicall::new(self.clone())
    }

    /// Sends a call and decodes its reply: the exchange runs on the background runtime,
    /// a streamed reply is read here, on the caller's thread.
    pub(crate) fn round_trip<R: DeserializeOwned>(
        &self,
        body: Encoded,
        options: &CallOptions,
    ) -> Result<Reply<R>, Error> {
        let reply = self.exchange(body, options)?;
        reply.decode_blocking(&self.client.inner.decoding())
    }

    /// Runs one exchange on the background runtime and waits for it.
    fn exchange(&self, body: Encoded, options: &CallOptions) -> Result<ReplyBody, Error> {
        let (tx, rx) = mpsc::sync_channel(1);
        let client = self.client.clone();
        let options = options.clone();
        self.runtime.handle.spawn(async move {
            let _ = tx.send(client.exchange(body, &options).await);
        });
        rx.recv().unwrap_or_else(|_| {
            Err(Error::Runtime {
                what: "the client's runtime stopped",
                source: None,
            })
        })
    }
}
