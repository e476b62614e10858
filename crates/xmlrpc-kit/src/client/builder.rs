//! `ClientBuilder`: every setting of a client, each with a named default, and one `build`
//! per kind: `Client::builder(url).build()` gives a blocking [`Client`],
//! `AsyncClient::builder(url).build()` an [`AsyncClient`].

use super::async_client::{AsyncClient, Inner};
use super::blocking::Client;
use super::error::Error;
use super::progress::{Progress, ProgressFn};
use super::proxy::{self, ProxyChoice};
use super::transport::{Transport, TransportSettings};
use super::url;
use crate::codec::{Extensions, Limits};
use crate::http::Streaming;
use hyper::header::{
    HeaderMap, HeaderName, HeaderValue, ACCEPT_ENCODING, AUTHORIZATION, CONTENT_TYPE, USER_AGENT,
};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// Settings for a client of one URL; start from [`Client::builder`] (blocking) or
/// [`AsyncClient::builder`] (async), and finish with `build()`, which gives that kind.
///
/// ```
/// use std::time::Duration;
/// use xmlrpc_kit::Client;
///
/// let client: Client = Client::builder("http://user:secret@localhost:8888/RPC2")
///     .timeout(Duration::from_secs(30))
///     .connect_timeout(Duration::from_secs(5))
///     .header("X-Trace", "abc")
///     .user_agent("my-app/1.0")
///     .gzip_above(Some(64 * 1024))
///     .max_body_size(16 << 20)
///     .allow_nil(false)
///     .build()?;
/// # let _ = client;
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
///
/// The same settings, for async code:
///
/// ```
/// use xmlrpc_kit::AsyncClient;
/// let client: AsyncClient = AsyncClient::builder("http://localhost:8888").build()?;
/// # let _ = client;
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `build()` is called"]
pub struct ClientBuilder<C = Client> {
    settings: Settings,
    kind: PhantomData<fn() -> C>,
}

/// The builder of an [`AsyncClient`]: [`ClientBuilder`] with the same settings.
pub type AsyncClientBuilder = ClientBuilder<AsyncClient>;

/// What a builder collects.
#[derive(Debug, Clone)]
struct Settings {
    url: String,
    timeout: Option<Duration>,
    connect_timeout: Duration,
    headers: Vec<(String, String)>,
    user_agent: String,
    gzip_above: Option<usize>,
    accept_gzip: bool,
    max_body_size: u64,
    allow_nil: bool,
    extensions: Extensions,
    limits: Limits,
    #[cfg(feature = "tls")]
    root_certificates: Option<Vec<u8>>,
    #[cfg(feature = "tls")]
    identity: Option<(Vec<u8>, Vec<u8>)>,
    pool_idle_timeout: Duration,
    streaming: Streaming,
    on_progress: Option<ProgressFn>,
    strict: bool,
    query: Vec<(String, String)>,
    proxy: ProxyChoice,
    no_proxy: Option<String>,
    #[cfg(feature = "cookies")]
    cookies: Option<super::cookies::CookieJar>,
}

impl ClientBuilder {
    /// Default for [`timeout`](Self::timeout): a whole call may take 60 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default for [`connect_timeout`](Self::connect_timeout): 10 seconds.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Default for [`max_body_size`](Self::max_body_size): 64 MiB of reply held in memory.
    pub const DEFAULT_MAX_BODY_SIZE: u64 = 64 << 20;
    /// Default for [`pool_idle_timeout`](Self::pool_idle_timeout): 30 seconds.
    pub const DEFAULT_POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
}

impl<C> ClientBuilder<C> {
    /// Default settings for a client of `url`, of the kind `C` ([`Client`] or
    /// [`AsyncClient`]); [`Client::builder`] and [`AsyncClient::builder`] say the same more
    /// briefly. Generic code that builds either kind starts here.
    ///
    /// ```
    /// use xmlrpc_kit::{client::ClientBuilder, AsyncClient, Client};
    /// fn configured<C>(url: &str) -> ClientBuilder<C> {
    ///     ClientBuilder::new(url).timeout(std::time::Duration::from_secs(5))
    /// }
    /// let blocking: Client = configured::<Client>(url()).build()?;
    /// let async_client: AsyncClient = configured::<AsyncClient>(url()).build()?;
    /// # fn url() -> &'static str { "localhost:8888" }
    /// # let _ = (blocking, async_client);
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn new(url: &str) -> Self {
        ClientBuilder {
            settings: Settings {
                url: url.to_owned(),
                timeout: Some(ClientBuilder::DEFAULT_TIMEOUT),
                connect_timeout: ClientBuilder::DEFAULT_CONNECT_TIMEOUT,
                headers: Vec::new(),
                user_agent: concat!("xmlrpc-kit/", env!("CARGO_PKG_VERSION")).to_owned(),
                gzip_above: None,
                accept_gzip: true,
                max_body_size: ClientBuilder::DEFAULT_MAX_BODY_SIZE,
                allow_nil: true,
                extensions: Extensions::Plain,
                limits: Limits::default(),
                #[cfg(feature = "tls")]
                root_certificates: None,
                #[cfg(feature = "tls")]
                identity: None,
                pool_idle_timeout: ClientBuilder::DEFAULT_POOL_IDLE_TIMEOUT,
                streaming: Streaming::default(),
                on_progress: None,
                strict: false,
                query: Vec::new(),
                proxy: ProxyChoice::Environment,
                no_proxy: None,
                #[cfg(feature = "cookies")]
                cookies: None,
            },
            kind: PhantomData,
        }
    }

    /// How large replies are read: a reply above the streaming threshold (or of unknown
    /// length) is parsed while it arrives, and its `<base64>` values above the spool
    /// threshold are decoded into temporary files; ask for a [`Blob`](crate::Blob) result
    /// to keep one as a file. For such a reply the [`timeout`](Self::timeout) bounds each
    /// wait for data, not the whole transfer. The server takes the same [`Streaming`].
    ///
    /// ```
    /// use xmlrpc_kit::{http::Streaming, Client};
    /// let b = Client::builder("http://localhost:8888")
    ///     .streaming(Streaming::default().spool_dir("downloads").spool_threshold(8 << 20));
    /// # let _ = b;
    /// ```
    pub fn streaming(mut self, streaming: Streaming) -> Self {
        self.settings.streaming = streaming;
        self
    }

    /// Calls `f` as a call's files go out and as its reply comes in.
    ///
    /// ```
    /// use xmlrpc_kit::{client::Progress, Client};
    /// let b = Client::builder("http://localhost:8888").on_progress(|p| {
    ///     if let Progress::Sent { bytes, total } = p {
    ///         eprint!("\r{bytes}/{total}");
    ///     }
    /// });
    /// # let _ = b;
    /// ```
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.settings.on_progress = Some(ProgressFn(Arc::new(f)));
        self
    }

    /// Time allowed for a whole call, from sending to the last byte of the reply; `None`
    /// waits forever. Default [`DEFAULT_TIMEOUT`](ClientBuilder::DEFAULT_TIMEOUT).
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").timeout(None);
    /// # let _ = b;
    /// ```
    pub fn timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.settings.timeout = timeout.into();
        self
    }

    /// Time allowed to open a connection. Default
    /// [`DEFAULT_CONNECT_TIMEOUT`](ClientBuilder::DEFAULT_CONNECT_TIMEOUT).
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").connect_timeout(std::time::Duration::from_secs(2));
    /// # let _ = b;
    /// ```
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// Adds a header to every request; it replaces a default header of the same name
    /// (`User-Agent`, `Content-Type`), and repeating a name sends it repeatedly.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").header("X-Trace", "abc");
    /// # let _ = b;
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.settings
            .headers
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// The `User-Agent` header; `xmlrpc-kit/VERSION` by default.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").user_agent("my-app/1.0");
    /// # let _ = b;
    /// ```
    pub fn user_agent(mut self, agent: &str) -> Self {
        self.settings.user_agent = agent.to_owned();
        self
    }

    /// Gzip request bodies at least this large (`None`, the default, never: not every
    /// server understands a gzip request; Python's does). The server's setting of the same
    /// name gzips its replies.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").gzip_above(Some(1400));
    /// # let _ = b;
    /// ```
    pub fn gzip_above(mut self, bytes: Option<usize>) -> Self {
        self.settings.gzip_above = bytes;
        self
    }

    /// Whether to ask for gzip replies (default yes).
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").accept_gzip(false);
    /// # let _ = b;
    /// ```
    pub fn accept_gzip(mut self, accept: bool) -> Self {
        self.settings.accept_gzip = accept;
        self
    }

    /// Largest reply held in memory (after decompression); a larger one is refused as soon
    /// as its size shows, without reading the rest. Default
    /// [`DEFAULT_MAX_BODY_SIZE`](ClientBuilder::DEFAULT_MAX_BODY_SIZE). Base64 values
    /// spooled to files (see [`streaming`](Self::streaming)) do not count here: they have
    /// their own, larger limit, [`Streaming::max_spooled_size`].
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").max_body_size(1 << 20);
    /// # let _ = b;
    /// ```
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.settings.max_body_size = bytes;
        self
    }

    /// Whether parameters may be nil (`None`, `()`); Python's `allow_none`. Default yes.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").allow_nil(false);
    /// # let _ = b;
    /// ```
    pub fn allow_nil(mut self, allow: bool) -> Self {
        self.settings.allow_nil = allow;
        self
    }

    /// How calls spell `i8` and `nil`: plain (the default), or Apache XML-RPC's
    /// `ex:`-prefixed form for Java servers that require it. Replies are read in either
    /// spelling regardless.
    ///
    /// ```
    /// use xmlrpc_kit::codec::Extensions;
    /// let client = xmlrpc_kit::Client::builder("http://localhost:8080/xmlrpc")
    ///     .extensions(Extensions::Apache)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn extensions(mut self, extensions: Extensions) -> Self {
        self.settings.extensions = extensions;
        self
    }

    /// The reader's limits for replies (nesting, string lengths, element counts).
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888")
    ///     .limits(xmlrpc_kit::codec::Limits::default().max_depth(16));
    /// # let _ = b;
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    #[cfg(feature = "tls")]
    /// Trust these PEM certificates (instead of the system's roots) for `https://`.
    ///
    /// ```no_run
    /// let pem = std::fs::read("ca.pem")?;
    /// let b = xmlrpc_kit::Client::builder("https://localhost:8443").root_certificates_pem(&pem);
    /// # let _ = b;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn root_certificates_pem(mut self, pem: &[u8]) -> Self {
        self.settings.root_certificates = Some(pem.to_vec());
        self
    }

    #[cfg(feature = "tls")]
    /// Presents this client certificate (a PEM chain, leaf first) and its private key (PEM:
    /// PKCS#8, PKCS#1 or SEC1) to `https://` servers that ask for one (mutual TLS).
    ///
    /// ```no_run
    /// let client = xmlrpc_kit::Client::builder("https://localhost:8443")
    ///     .identity(&std::fs::read("client.pem")?, &std::fs::read("client.key")?)
    ///     .root_certificates_pem(&std::fs::read("ca.pem")?)
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn identity(mut self, cert_chain_pem: &[u8], key_pem: &[u8]) -> Self {
        self.settings.identity = Some((cert_chain_pem.to_vec(), key_pem.to_vec()));
        self
    }

    /// Strict mode: a reply that deviates from the specification in any way the reader
    /// would otherwise tolerate (see [`Deviation`](crate::codec::Deviation)) fails with
    /// [`Error::Reply`] naming the deviation. Off by default.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").strict(true);
    /// # let _ = b;
    /// ```
    pub fn strict(mut self, strict: bool) -> Self {
        self.settings.strict = strict;
        self
    }

    /// Adds a query parameter to every call's URL (percent-encoded here), after any query
    /// the URL has; [`CallOptions::query`](super::CallOptions::query) adds one to one call.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("https://koji.example.org/kojihub")
    ///     .query("session-id", "1234")
    ///     .query("session-key", "abcd");
    /// # let _ = b;
    /// ```
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.settings
            .query
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sends calls through this forward proxy, `http://[user:password@]host[:port]`
    /// (port 1080 when none is given, as curl): plain HTTP calls as absolute-URL requests,
    /// HTTPS through a `CONNECT` tunnel; credentials are sent as `Proxy-Authorization:
    /// Basic`. `no_proxy` (the environment's, or [`no_proxy_for`](Self::no_proxy_for))
    /// still exempts hosts. Without this, the environment decides (`http_proxy`,
    /// `https_proxy`, `all_proxy`, `no_proxy`, as curl reads them). Unix-socket and SCGI
    /// URLs never use a proxy.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("https://example.org/RPC2")
    ///     .proxy("http://me:secret@proxy.internal:3128");
    /// # let _ = b;
    /// ```
    pub fn proxy(mut self, url: &str) -> Self {
        self.settings.proxy = ProxyChoice::Url(url.to_owned());
        self
    }

    /// No proxy, whatever the environment says.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("http://localhost:8888").no_proxy();
    /// # let _ = b;
    /// ```
    pub fn no_proxy(mut self) -> Self {
        self.settings.proxy = ProxyChoice::Off;
        self
    }

    /// The hosts that bypass the proxy, in `no_proxy`'s syntax (`*`, `example.com`,
    /// `.example.com`, `10.0.0.0/8`, `host:port`; comma-separated), instead of the
    /// environment's `no_proxy`: curl's `--noproxy`.
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("http://intranet:8888")
    ///     .proxy("http://proxy:3128")
    ///     .no_proxy_for("localhost,127.0.0.1,.intranet,intranet");
    /// # let _ = b;
    /// ```
    pub fn no_proxy_for(mut self, hosts: &str) -> Self {
        self.settings.no_proxy = Some(hosts.to_owned());
        self
    }

    #[cfg(feature = "cookies")]
    /// Keeps cookies: a fresh [`CookieJar`](super::CookieJar) for this client (and its
    /// clones) when `true`, none when `false` (the default). A login's session cookie is
    /// then sent with the calls that follow, by the jar's domain, path and expiry rules.
    ///
    /// ```
    /// let client = xmlrpc_kit::Client::builder("http://localhost/lib/exe/xmlrpc.php").cookies(true).build()?;
    /// assert!(client.cookie_jar().is_some());
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn cookies(mut self, keep: bool) -> Self {
        self.settings.cookies = keep.then(super::cookies::CookieJar::new);
        self
    }

    #[cfg(feature = "cookies")]
    /// Keeps cookies in `jar`, which may be shared with other clients, loaded from a file
    /// beforehand and saved after.
    ///
    /// ```
    /// use xmlrpc_kit::client::CookieJar;
    /// let jar = CookieJar::new();
    /// let client = xmlrpc_kit::Client::builder("localhost:8888").cookie_jar(jar.clone()).build()?;
    /// # let _ = client;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn cookie_jar(mut self, jar: super::cookies::CookieJar) -> Self {
        self.settings.cookies = Some(jar);
        self
    }

    /// How long an unused kept-alive connection stays in the pool. Default
    /// [`DEFAULT_POOL_IDLE_TIMEOUT`](ClientBuilder::DEFAULT_POOL_IDLE_TIMEOUT).
    ///
    /// ```
    /// let b = xmlrpc_kit::Client::builder("localhost:8888").pool_idle_timeout(std::time::Duration::from_secs(5));
    /// # let _ = b;
    /// ```
    pub fn pool_idle_timeout(mut self, timeout: Duration) -> Self {
        self.settings.pool_idle_timeout = timeout;
        self
    }

    /// Builds the async client underneath either kind. Needs no runtime.
    pub(crate) fn build_async(self) -> Result<AsyncClient, Error> {
        let s = self.settings;
        let endpoint = url::parse(&s.url).map_err(|reason| Error::Url {
            url: s.url.clone(),
            reason,
        })?;
        let proxy =
            proxy::proxy_for(&endpoint, &s.proxy, s.no_proxy.as_deref()).map_err(|reason| {
                Error::Proxy {
                    proxy: match &s.proxy {
                        ProxyChoice::Url(url) => url.clone(),
                        _ => "from the environment".into(),
                    },
                    reason,
                }
            })?;
        let proxy_authorization = match &proxy {
            // Plain HTTP: each request to the proxy carries the credentials (HTTPS sends
            // them once, with CONNECT).
            Some(p) if !endpoint.https() => match &p.authorization {
                Some(auth) => {
                    let (_, mut value) = header("Proxy-Authorization", auth)?;
                    value.set_sensitive(true);
                    Some(value)
                }
                None => None,
            },
            _ => None,
        };
        let transport = Transport::new(
            &endpoint,
            &TransportSettings {
                connect_timeout: s.connect_timeout,
                pool_idle_timeout: s.pool_idle_timeout,
                #[cfg(feature = "tls")]
                root_certificates: s.root_certificates.as_deref(),
                #[cfg(not(feature = "tls"))]
                root_certificates: None,
                #[cfg(feature = "tls")]
                identity: s
                    .identity
                    .as_ref()
                    .map(|(c, k)| (c.as_slice(), k.as_slice())),
                proxy,
            },
        )?;

        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
        headers.insert(USER_AGENT, header("User-Agent", &s.user_agent)?.1);
        if s.accept_gzip {
            headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        }
        if let Some(value) = proxy_authorization {
            headers.insert(hyper::header::PROXY_AUTHORIZATION, value);
        }
        if let Some(auth) = &endpoint.basic_auth {
            let (_, mut value) = header("Authorization", auth)?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        // A custom header replaces a default of the same name; repeated custom headers add up.
        let mut custom = std::collections::HashSet::new();
        for (name, value) in &s.headers {
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
                transport,
                headers,
                timeout: s.timeout,
                gzip_above: s.gzip_above,
                max_body_size: s.max_body_size,
                allow_nil: s.allow_nil,
                extensions: s.extensions,
                limits: s.limits,
                streaming: s.streaming,
                on_progress: s.on_progress,
                strict: s.strict,
                query: s.query,
                #[cfg(feature = "cookies")]
                cookies: s.cookies,
            }),
        })
    }
}

impl ClientBuilder<Client> {
    /// Builds a blocking client: its calls block the calling thread, from any thread.
    ///
    /// ```
    /// let client = xmlrpc_kit::Client::builder("http://localhost:8888").build()?;
    /// # let _ = client;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn build(self) -> Result<Client, Error> {
        Client::from_async(self.build_async()?)
    }
}

impl ClientBuilder<AsyncClient> {
    /// Builds an async client, for tokio code. Building needs no runtime; calls run on the
    /// caller's.
    ///
    /// ```
    /// let client = xmlrpc_kit::AsyncClient::builder("http://localhost:8888").build()?;
    /// # let _ = client;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn build(self) -> Result<AsyncClient, Error> {
        self.build_async()
    }
}

/// A header given by name and value, checked.
pub(super) fn header(name: &str, value: &str) -> Result<(HeaderName, HeaderValue), Error> {
    let bad = |source: super::error::BoxError| Error::Header {
        name: name.to_owned(),
        source,
    };
    Ok((
        HeaderName::from_bytes(name.as_bytes()).map_err(|e| bad(e.into()))?,
        HeaderValue::from_str(value).map_err(|e| bad(e.into()))?,
    ))
}

/// The rustls configuration: the given roots, or the system's for an `https://` URL.
#[cfg(feature = "tls")]
pub(super) fn tls_config(
    https: bool,
    pem: Option<&[u8]>,
    identity: Option<(&[u8], &[u8])>,
) -> Result<rustls::ClientConfig, Error> {
    use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
    let mut roots = rustls::RootCertStore::empty();
    match pem {
        Some(pem) => {
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|e| Error::Tls {
                    what: "reading the PEM certificates",
                    source: e.into(),
                })?;
                roots.add(cert).map_err(|e| Error::Tls {
                    what: "adding a root certificate",
                    source: e.into(),
                })?;
            }
            if roots.is_empty() {
                return Err(Error::Tls {
                    what: "reading the PEM certificates",
                    source: "the PEM text holds no certificate".into(),
                });
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
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Tls {
            what: "choosing the protocol versions",
            source: e.into(),
        })?
        .with_root_certificates(roots);
    let Some((cert_pem, key_pem)) = identity else {
        return Ok(config.with_no_client_auth());
    };
    let bad = |what: &'static str| {
        move |e: rustls::pki_types::pem::Error| Error::Identity {
            what,
            source: e.into(),
        }
    };
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(bad("reading the certificate PEM"))?;
    if chain.is_empty() {
        return Err(Error::Identity {
            what: "reading the certificate PEM",
            source: "the PEM text holds no certificate".into(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(bad("reading the private key PEM"))?;
    config
        .with_client_auth_cert(chain, key)
        .map_err(|e| Error::Identity {
            what: "the certificate and key do not fit together",
            source: e.into(),
        })
}
