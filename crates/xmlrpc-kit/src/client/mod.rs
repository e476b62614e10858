//! The client: [`AsyncClient`] for tokio code and [`Client`] for everything else, with the
//! same API, over one pooled keep-alive HTTP/1.1 client (TLS by rustls). Calls take typed
//! parameters and give a typed result; a fault is [`Error::Fault`], apart from transport
//! errors. [`Multicall`] batches many calls into one request.

mod blocking;
mod error;
mod multicall;
mod transport;
mod url;

pub use blocking::Client;
pub use error::Error;
pub use multicall::Multicall;

use crate::codec::segments::Encoded;
use crate::codec::{self, Envelope, Extensions, Limits, Reader};
use crate::error::Category;
use crate::transfer::OutgoingBody;
use crate::value::blob::SpoolSettings;
use crate::value::Value;
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use transport::{Http, ReplyBody, ReplySettings};
use url::Endpoint;

/// An async XML-RPC client: one line to connect, one line per call.
///
/// Cloning is cheap and clones share the connection pool.
///
/// ```no_run
/// # async fn example() -> Result<(), xmlrpc_kit::client::Error> {
/// use xmlrpc_kit::client::AsyncClient;
///
/// let client = AsyncClient::new("http://localhost:8888")?;   // path defaults to /RPC2
/// let s: String = client.call("get_string", ("cloudox",)).await?;
/// let n: i32 = client.call("add", (8, 8)).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncClient {
    inner: Arc<Inner>,
}

struct Inner {
    endpoint: Endpoint,
    http: Http,
    headers: HeaderMap,
    timeout: Option<Duration>,
    gzip_requests_above: Option<usize>,
    max_reply_size: u64,
    allow_nil: bool,
    extensions: Extensions,
    limits: Limits,
    stream_threshold: u64,
    spool: Arc<SpoolSettings>,
    on_progress: Option<ProgressFn>,
}

/// How far a call's transfer has come, for a progress bar; see
/// [`ClientBuilder::on_progress`].
///
/// ```
/// use xmlrpc_kit::client::Transfer;
/// let t = Transfer::Sent { bytes: 50, total: 200 };
/// assert_eq!(t, Transfer::Sent { bytes: 50, total: 200 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Transfer {
    /// Bytes of streamed files (file-backed [`Blob`](crate::Blob)s) sent so far, of `total`.
    Sent {
        /// Sent so far.
        bytes: u64,
        /// All the files' bytes.
        total: u64,
    },
    /// Bytes of the reply's body received so far, of `total` when the server said.
    Received {
        /// Received so far.
        bytes: u64,
        /// The reply's `Content-Length`.
        total: Option<u64>,
    },
}

/// A progress callback.
#[derive(Clone)]
struct ProgressFn(Arc<dyn Fn(Transfer) + Send + Sync>);

impl std::fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressFn")
    }
}

/// Settings for a client; start from [`AsyncClient::builder`] or [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// let client = xmlrpc_kit::client::AsyncClient::builder("http://user:secret@localhost:8888/RPC2")
///     .timeout(Duration::from_secs(30))
///     .connect_timeout(Duration::from_secs(5))
///     .header("X-Trace", "abc")
///     .user_agent("my-app/1.0")
///     .gzip_requests_above(Some(64 * 1024))
///     .max_reply_size(16 << 20)
///     .allow_nil(false)
///     .build()?;
/// # let _ = client;
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    url: String,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    headers: Vec<(String, String)>,
    user_agent: String,
    gzip_requests_above: Option<usize>,
    accept_gzip: bool,
    max_reply_size: u64,
    allow_nil: bool,
    extensions: Extensions,
    limits: Limits,
    root_certificates: Option<Vec<u8>>,
    pool_idle_timeout: Duration,
    stream_threshold: u64,
    spool_threshold: usize,
    spool_dir: std::path::PathBuf,
    on_progress: Option<ProgressFn>,
}

impl ClientBuilder {
    /// Default for [`timeout`](Self::timeout): a whole call may take 60 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default for [`connect_timeout`](Self::connect_timeout): 10 seconds.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default for [`max_reply_size`](Self::max_reply_size): 64 MiB.
    pub const DEFAULT_MAX_REPLY_SIZE: u64 = 64 << 20;
    /// Default for [`pool_idle_timeout`](Self::pool_idle_timeout): 30 seconds.
    pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

    fn new(url: &str) -> Self {
        ClientBuilder {
            url: url.to_owned(),
            timeout: Some(Self::DEFAULT_TIMEOUT),
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            headers: Vec::new(),
            user_agent: concat!("xmlrpc-kit/", env!("CARGO_PKG_VERSION")).to_owned(),
            gzip_requests_above: None,
            accept_gzip: true,
            max_reply_size: Self::DEFAULT_MAX_REPLY_SIZE,
            allow_nil: true,
            extensions: Extensions::Plain,
            limits: Limits::default(),
            root_certificates: None,
            pool_idle_timeout: Self::DEFAULT_POOL_IDLE_TIMEOUT,
            stream_threshold: 1 << 20,
            spool_threshold: 1 << 20,
            spool_dir: std::env::temp_dir(),
            on_progress: None,
        }
    }

    /// Replies larger than this (or of unknown length) are read while they arrive, and
    /// their `<base64>` values larger than [`spool_threshold`](Self::spool_threshold) are
    /// decoded into temporary files: ask for a [`Blob`](crate::Blob) result to keep one as
    /// a file. For such a reply the [`timeout`](Self::timeout) bounds each wait for data,
    /// not the whole transfer. Default 1 MiB.
    ///
    /// ```
    /// let b = xmlrpc_kit::client::Client::builder("http://localhost:8888").stream_threshold(256 << 10);
    /// # let _ = b;
    /// ```
    pub fn stream_threshold(mut self, bytes: u64) -> Self {
        self.stream_threshold = bytes;
        self
    }

    /// In a streamed reply, `<base64>` values larger than this go to a temporary file.
    /// Default 1 MiB.
    ///
    /// ```
    /// let b = xmlrpc_kit::client::Client::builder("http://localhost:8888").spool_threshold(8 << 20);
    /// # let _ = b;
    /// ```
    pub fn spool_threshold(mut self, bytes: usize) -> Self {
        self.spool_threshold = bytes;
        self
    }

    /// Where spooled reply values are written; the system's temporary directory by default.
    /// Put it on the file system of the final destination to make
    /// [`Blob::persist`](crate::Blob::persist) a rename.
    ///
    /// ```
    /// let b = xmlrpc_kit::client::Client::builder("http://localhost:8888").spool_dir("downloads");
    /// # let _ = b;
    /// ```
    pub fn spool_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.spool_dir = dir.into();
        self
    }

    /// Calls `f` as a call's files go out and as its reply comes in.
    ///
    /// ```
    /// use xmlrpc_kit::client::{Client, Transfer};
    /// let b = Client::builder("http://localhost:8888").on_progress(|t| {
    ///     if let Transfer::Sent { bytes, total } = t {
    ///         eprint!("\r{bytes}/{total}");
    ///     }
    /// });
    /// # let _ = b;
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Transfer) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(ProgressFn(Arc::new(f)));
        self
    }

    /// Time allowed for a whole call, from sending to the last byte of the reply; `None`
    /// waits forever.
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// Time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Adds a header to every request; it replaces a default header of the same name
    /// (`User-Agent`, `Content-Type`), and repeating a name sends it repeatedly.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, agent: &str) -> Self {
        self.user_agent = agent.to_owned();
        self
    }

    /// Gzip request bodies at least this large (`None`, the default, never: not every
    /// server understands a gzip request; Python's does).
    pub fn gzip_requests_above(mut self, bytes: Option<usize>) -> Self {
        self.gzip_requests_above = bytes;
        self
    }

    /// Whether to ask for gzip replies (default yes).
    pub fn accept_gzip(mut self, accept: bool) -> Self {
        self.accept_gzip = accept;
        self
    }

    /// Largest reply accepted (after decompression); a larger one is refused as soon as
    /// its size shows, without reading the rest.
    pub fn max_reply_size(mut self, bytes: u64) -> Self {
        self.max_reply_size = bytes;
        self
    }

    /// Whether parameters may be nil (`None`, `()`); Python's `allow_none`. Default yes.
    pub fn allow_nil(mut self, allow: bool) -> Self {
        self.allow_nil = allow;
        self
    }

    /// How calls spell `i8` and `nil`: plain (the default), or Apache XML-RPC's
    /// `ex:`-prefixed form for Java servers that require it. Replies are read in either
    /// spelling regardless.
    ///
    /// ```
    /// use xmlrpc_kit::codec::Extensions;
    /// let client = xmlrpc_kit::client::Client::builder("http://localhost:8080/xmlrpc")
    ///     .extensions(Extensions::Apache)
    ///     .build_blocking()?;
    /// # let _ = client;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn extensions(mut self, extensions: Extensions) -> Self {
        self.extensions = extensions;
        self
    }

    /// The reader's limits for replies.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Trust these PEM certificates (instead of the system's roots) for `https://`.
    pub fn root_certificates_pem(mut self, pem: &[u8]) -> Self {
        self.root_certificates = Some(pem.to_vec());
        self
    }

    /// How long an unused kept-alive connection stays in the pool.
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.pool_idle_timeout = timeout;
        self
    }

    /// Builds an async client. Must be called inside a tokio runtime only when used there;
    /// building itself needs none.
    pub fn build(self) -> Result<AsyncClient, Error> {
        let endpoint = url::parse(&self.url).map_err(|reason| Error::Url {
            url: self.url.clone(),
            reason,
        })?;
        let tls = tls_config(endpoint.https, self.root_certificates.as_deref())?;
        let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
        connector.enforce_http(false);
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(self.connect_timeout));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .pool_idle_timeout(self.pool_idle_timeout)
                .pool_timer(hyper_util::rt::TokioTimer::new())
                .build(https);

        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
        let header = |name: &str, value: &str| -> Result<(HeaderName, HeaderValue), Error> {
            let bad = |reason: String| Error::Url {
                url: self.url.clone(),
                reason: format!("header `{name}`: {reason}"),
            };
            Ok((
                HeaderName::from_bytes(name.as_bytes()).map_err(|e| bad(e.to_string()))?,
                HeaderValue::from_str(value).map_err(|e| bad(e.to_string()))?,
            ))
        };
        let (_, agent) = header("User-Agent", &self.user_agent)?;
        headers.insert(USER_AGENT, agent);
        if self.accept_gzip {
            headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        }
        if let Some(auth) = &endpoint.basic_auth {
            let (_, mut value) = header("Authorization", auth)?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        // A custom header replaces a default of the same name; repeated custom headers add up.
        let mut custom = std::collections::HashSet::new();
        for (name, value) in &self.headers {
            let (name, value) = header(name, value)?;
            if custom.insert(name.clone()) {
                headers.insert(name, value);
            } else {
                headers.append(name, value);
            }
        }
        Ok(AsyncClient {
            inner: Arc::new(Inner {
                endpoint,
                http,
                headers,
                timeout: self.timeout,
                gzip_requests_above: self.gzip_requests_above,
                max_reply_size: self.max_reply_size,
                allow_nil: self.allow_nil,
                extensions: self.extensions,
                limits: self.limits,
                stream_threshold: self.stream_threshold,
                spool: Arc::new(SpoolSettings {
                    dir: self.spool_dir,
                    threshold: self.spool_threshold,
                }),
                on_progress: self.on_progress,
            }),
        })
    }
}

/// The rustls configuration: the given roots, or the system's for an `https://` URL.
fn tls_config(https: bool, pem: Option<&[u8]>) -> Result<rustls::ClientConfig, Error> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    match pem {
        Some(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert =
                    cert.map_err(|e| Error::Tls(format!("cannot read the PEM certificates: {e}")))?;
                roots.add(cert).map_err(|e| Error::Tls(e.to_string()))?;
            }
            if roots.is_empty() {
                return Err(Error::Tls("the PEM text holds no certificate".into()));
            }
        }
        None if https => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                // A certificate the system keeps but rustls cannot use is skipped, as browsers do.
                let _ = roots.add(cert);
            }
        }
        None => {}
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

impl AsyncClient {
    /// A client for `url` with default settings.
    ///
    /// ```
    /// let client = xmlrpc_kit::client::AsyncClient::new("localhost:8888")?;
    /// assert_eq!(client.url(), "http://localhost:8888/RPC2");
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn new(url: &str) -> Result<Self, Error> {
        Self::builder(url).build()
    }

    /// Settings for a client of `url`.
    pub fn builder(url: &str) -> ClientBuilder {
        ClientBuilder::new(url)
    }

    /// The server's URL (without credentials).
    pub fn url(&self) -> String {
        self.inner.endpoint.uri()
    }

    /// Calls `method` with `params` (a tuple; `()` for none) and decodes the result as `R`.
    ///
    /// ```no_run
    /// # async fn example(client: xmlrpc_kit::client::AsyncClient) -> Result<(), xmlrpc_kit::client::Error> {
    /// let sum: i64 = client.call("add", (8, 8)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call<R: DeserializeOwned + Send + 'static, P: Serialize>(
        &self,
        method: &str,
        params: P,
    ) -> Result<R, Error> {
        let body = self.encode(method, &params)?;
        let reply = self.exchange(body).await?;
        self.decode(reply).await
    }

    /// Decodes a reply; a streamed one on a blocking thread.
    pub(crate) async fn decode<R: DeserializeOwned + Send + 'static>(
        &self,
        reply: ReplyBody,
    ) -> Result<R, Error> {
        let limits = self.inner.limits;
        match reply {
            ReplyBody::Whole(bytes) => decode_reply(&bytes, &limits),
            streamed => {
                let spool = Arc::clone(&self.inner.spool);
                tokio::task::spawn_blocking(move || streamed.decode_blocking(&limits, &spool))
                    .await
                    .map_err(|e| Error::Connect {
                        endpoint: self.url(),
                        reason: format!("the reply could not be read: {e}"),
                    })?
            }
        }
    }

    /// Calls `method` with dynamic parameters and returns the dynamic result.
    ///
    /// ```no_run
    /// # async fn example(client: xmlrpc_kit::client::AsyncClient) -> Result<(), xmlrpc_kit::client::Error> {
    /// use xmlrpc_kit::Value;
    /// let v = client.call_value("echo", &[Value::from("hi")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call_value(&self, method: &str, params: &[Value]) -> Result<Value, Error> {
        self.call(method, params).await
    }

    /// A batch of calls sent as one `system.multicall`.
    ///
    /// ```no_run
    /// # async fn example(client: xmlrpc_kit::client::AsyncClient) -> Result<(), xmlrpc_kit::client::Error> {
    /// let mut batch = client.multicall();
    /// batch.add("add", (1, 2))?;
    /// batch.add("get_string", ("x",))?;
    /// let results = batch.send_async().await?;
    /// # Ok(()) }
    /// ```
    pub fn multicall(&self) -> Multicall {
        Multicall::new(self.clone(), None)
    }

    /// Encodes a call, checking the nil setting.
    pub(crate) fn encode<P: Serialize + ?Sized>(
        &self,
        method: &str,
        params: &P,
    ) -> Result<Encoded, Error> {
        let body = Encoded::capture(256, |out| codec::write_call(out, method, params))
            .map_err(Error::Encode)?;
        self.check_nil(&body.xml)?;
        Ok(body)
    }

    pub(crate) fn check_nil(&self, body: &[u8]) -> Result<(), Error> {
        // Markup cannot appear inside text (it is escaped), so this finds only real nils.
        if !self.inner.allow_nil && memchr::memmem::find(body, b"<nil/>").is_some() {
            return Err(Error::NilNotAllowed);
        }
        Ok(())
    }

    /// Sends an encoded call and returns the reply's XML (whole, or arriving).
    pub(crate) async fn exchange(&self, body: Encoded) -> Result<ReplyBody, Error> {
        let inner = &self.inner;
        let body = Encoded {
            xml: inner.extensions.rewrite(body.xml),
            ..body
        };
        let progress = inner.on_progress.clone();
        let (body, gzipped) = if body.is_plain() {
            let xml = body.xml;
            match inner.gzip_requests_above {
                Some(threshold) if xml.len() >= threshold => match gzip(&xml) {
                    Ok(packed) => (OutgoingBody::from(packed), true),
                    Err(_) => (OutgoingBody::from(xml), false),
                },
                _ => (OutgoingBody::from(xml), false),
            }
        } else {
            let parts = body.into_parts().map_err(Error::Encode)?;
            let total: u64 = parts
                .iter()
                .map(|part| match part {
                    crate::codec::segments::Part::Blob(blob) => blob.len(),
                    crate::codec::segments::Part::Xml(_) => 0,
                })
                .sum();
            let sent = progress
                .clone()
                .map(|ProgressFn(f)| -> crate::transfer::Progress {
                    Arc::new(move |bytes| f(Transfer::Sent { bytes, total }))
                });
            (OutgoingBody::from_parts(parts, sent), false)
        };
        let settings = ReplySettings {
            max_reply: inner.max_reply_size,
            stream_threshold: inner.stream_threshold,
            idle: inner.timeout.unwrap_or(Duration::from_secs(24 * 3600)),
            progress: progress.map(|ProgressFn(f)| -> crate::transfer::Progress {
                Arc::new(move |bytes| f(Transfer::Received { bytes, total: None }))
            }),
        };
        let exchange = transport::exchange(
            &inner.http,
            &inner.endpoint,
            &inner.headers,
            body,
            gzipped,
            &settings,
        );
        match inner.timeout {
            None => exchange.await,
            Some(limit) => {
                tokio::time::timeout(limit, exchange)
                    .await
                    .map_err(|_| Error::Timeout {
                        endpoint: inner.endpoint.uri(),
                        timeout: limit,
                    })?
            }
        }
    }
}

fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    encoder.write_all(body)?;
    encoder.finish()
}

/// Decodes a reply: the result as `R`, or the fault.
pub(crate) fn decode_reply<R: DeserializeOwned>(reply: &[u8], limits: &Limits) -> Result<R, Error> {
    let reader = Reader::from_slice(reply)
        .map_err(Error::Reply)?
        .with_limits(*limits);
    read_reply(reader)
}

/// Reads a reply document (in memory or streaming): the result as `R`, or the fault.
pub(crate) fn read_reply<R: DeserializeOwned>(mut reader: Reader<'_>) -> Result<R, Error> {
    let classify = |e: crate::Error| match e.category() {
        Category::Data => Error::Type(e),
        _ => Error::Reply(e),
    };
    match reader.read_envelope().map_err(Error::Reply)? {
        Envelope::Response => reader.read_result::<R>().map_err(classify),
        Envelope::Fault => Err(reader.read_fault().map_err(Error::Reply)?.into()),
        Envelope::Call { .. } => Err(Error::Reply(crate::Error::message(
            "expected a <methodResponse>, found a <methodCall>",
        ))),
    }
}
