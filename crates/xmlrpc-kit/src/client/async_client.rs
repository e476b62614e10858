//! `AsyncClient`: calls from tokio code over one pooled keep-alive HTTP/1.1 client (TLS by
//! rustls); the blocking `Client` drives this same client from its own runtime.

use super::builder::AsyncClientBuilder;
use super::error::Error;
use super::exchange::{self, ReplyBody, ReplySettings};
use super::multicall::AsyncMulticall;
use super::options::CallOptions;
use super::progress::{Progress, ProgressFn};
use super::reply::{Decoding, Reply};
use super::transport::Transport;
use super::url::Endpoint;
use crate::codec::segments::Encoded;
use crate::codec::{self, Extensions, Limits};
use crate::http::{Meter, OutgoingBody, Streaming};
use crate::value::Value;
use hyper::header::HeaderMap;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;

/// An async XML-RPC client: one line to connect, one line per call.
///
/// Cloning is cheap and clones share the connection pool.
///
/// ```no_run
/// # async fn example() -> Result<(), xmlrpc_kit::client::Error> {
/// use xmlrpc_kit::AsyncClient;
///
/// let client = AsyncClient::new("http://localhost:8888")?;   // path defaults to /RPC2
/// let s: String = client.call("get_string", ("cloudox",)).await?;
/// let n: i32 = client.call("add", (8, 8)).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AsyncClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for AsyncClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncClient")
            .field("url", &self.inner.endpoint.uri())
            .finish_non_exhaustive()
    }
}

/// A client's settings and connection pool, shared by its clones.
pub(crate) struct Inner {
    pub(crate) endpoint: Endpoint,
    pub(crate) transport: Transport,
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    pub(crate) gzip_above: Option<usize>,
    pub(crate) max_body_size: u64,
    pub(crate) allow_nil: bool,
    pub(crate) extensions: Extensions,
    pub(crate) limits: Limits,
    pub(crate) streaming: Streaming,
    pub(crate) on_progress: Option<ProgressFn>,
    pub(crate) strict: bool,
    pub(crate) query: Vec<(String, String)>,
    #[cfg(feature = "cookies")]
    pub(crate) cookies: Option<super::cookies::CookieJar>,
}

impl Inner {
    /// How replies are read.
    pub(crate) fn decoding(&self) -> Decoding {
        Decoding {
            limits: self.limits,
            strict: self.strict,
        }
    }
}

impl AsyncClient {
    /// A client for `url` with default settings.
    ///
    /// ```
    /// let client = xmlrpc_kit::AsyncClient::new("localhost:8888")?;
    /// assert_eq!(client.url(), "http://localhost:8888/RPC2");
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn new(url: &str) -> Result<Self, Error> {
        AsyncClientBuilder::new(url).build()
    }

    /// Settings for an async client of `url`; finish with
    /// [`build`](AsyncClientBuilder::build).
    ///
    /// ```
    /// let client = xmlrpc_kit::AsyncClient::builder("localhost:8888")
    ///     .timeout(std::time::Duration::from_secs(5))
    ///     .build()?;
    /// # let _ = client;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn builder(url: &str) -> AsyncClientBuilder {
        AsyncClientBuilder::new(url)
    }

    /// The server's URL (without credentials).
    ///
    /// ```
    /// let client = xmlrpc_kit::AsyncClient::new("http://me:pw@localhost:8888")?;
    /// assert_eq!(client.url(), "http://localhost:8888/RPC2");
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn url(&self) -> String {
        self.inner.endpoint.uri()
    }

    /// Calls `method` with `params` (a tuple; `()` for none) and decodes the result as `R`.
    ///
    /// ```no_run
    /// # async fn example(client: xmlrpc_kit::AsyncClient) -> Result<(), xmlrpc_kit::client::Error> {
    /// let sum: i64 = client.call("add", (8, 8)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call<R: DeserializeOwned + Send + 'static, P: Serialize>(
        &self,
        method: &str,
        params: P,
    ) -> Result<R, Error> {
        self.call_with(method, params, &CallOptions::default())
            .await
    }

    /// [`call`](Self::call) with extra headers or query parameters for this call only.
    ///
    /// ```no_run
    /// # async fn example(client: xmlrpc_kit::AsyncClient) -> Result<(), xmlrpc_kit::client::Error> {
    /// use xmlrpc_kit::client::CallOptions;
    /// let options = CallOptions::new().header("X-Requested-With", "xmlrpc");
    /// let id: String = client.call_with("create", ("issue", "title=x"), &options).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call_with<R: DeserializeOwned + Send + 'static, P: Serialize>(
        &self,
        method: &str,
        params: P,
        options: &CallOptions,
    ) -> Result<R, Error> {
        self.call_reply(method, params, options)
            .await?
            .into_result()
    }

    /// [`call_with`](Self::call_with), giving the whole [`Reply`]: the result or the
    /// peer's fault (not an error here), and the deviations from the specification the
    /// reader tolerated.
    ///
    /// ```no_run
    /// # async fn example(client: xmlrpc_kit::AsyncClient) -> Result<(), xmlrpc_kit::client::Error> {
    /// let reply = client.call_reply::<xmlrpc_kit::Value, _>("ping", (), &Default::default()).await?;
    /// for deviation in &reply.deviations {
    ///     eprintln!("the server deviates: {deviation}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn call_reply<R: DeserializeOwned + Send + 'static, P: Serialize>(
        &self,
        method: &str,
        params: P,
        options: &CallOptions,
    ) -> Result<Reply<R>, Error> {
        let body = self.encode(method, &params)?;
        let reply = self.exchange(body, options).await?;
        self.decode(reply).await
    }

    /// The cookie jar, when the client keeps cookies
    /// ([`cookies`](super::ClientBuilder::cookies)).
    ///
    /// ```
    /// let client = xmlrpc_kit::AsyncClient::new("localhost:8888")?;
    /// assert!(client.cookie_jar().is_none());
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    #[cfg(feature = "cookies")]
    pub fn cookie_jar(&self) -> Option<&super::cookies::CookieJar> {
        self.inner.cookies.as_ref()
    }

    /// Decodes a reply; a streamed one on a blocking thread.
    pub(crate) async fn decode<R: DeserializeOwned + Send + 'static>(
        &self,
        reply: ReplyBody,
    ) -> Result<Reply<R>, Error> {
        let decoding = self.inner.decoding();
        match reply {
            ReplyBody::Whole(bytes) => super::reply::decode_reply(&bytes, &decoding),
            streamed => tokio::task::spawn_blocking(move || streamed.decode_blocking(&decoding))
                .await
                .map_err(|e| Error::CutOff {
                    endpoint: self.url(),
                    source: e.into(),
                })?,
        }
    }

    /// Calls `method` with dynamic parameters and returns the dynamic result.
    ///
    /// ```no_run
    /// # async fn example(client: xmlrpc_kit::AsyncClient) -> Result<(), xmlrpc_kit::client::Error> {
    /// use xmlrpc_kit::Value;
    /// let v = client.call_value("echo", &[Value::from("hi")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn call_value(&self, method: &str, params: &[Value]) -> Result<Value, Error> {
        self.call(method, params).await
    }

    /// A batch of calls sent as one `system.multicall`; see [`AsyncMulticall`].
    ///
    /// ```no_run
    /// # async fn example(client: xmlrpc_kit::AsyncClient) -> Result<(), xmlrpc_kit::client::Error> {
    /// let mut batch = client.multicall();
    /// batch.add("add", (1, 2))?;
    /// batch.add("get_string", ("x",))?;
    /// let results = batch.send().await?;
    /// # Ok(()) }
    /// ```
    pub fn multicall(&self) -> AsyncMulticall {
        AsyncMulticall::new(self.clone())
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
    pub(crate) async fn exchange(
        &self,
        body: Encoded,
        options: &CallOptions,
    ) -> Result<ReplyBody, Error> {
        let inner = &self.inner;
        let target = super::options::with_query(
            &inner.endpoint.request_uri(),
            inner.query.iter().chain(&options.query),
        );
        let mut headers = inner.headers.clone();
        for (name, value) in &options.headers {
            let (name, value) = super::builder::header(name, value)?;
            headers.append(name, value);
        }
        let body = Encoded {
            xml: inner.extensions.rewrite(body.xml),
            ..body
        };
        let progress = inner.on_progress.clone();
        let (body, gzipped) = if body.is_plain() {
            let xml = body.xml;
            match inner.gzip_above {
                Some(threshold) if xml.len() >= threshold => match crate::http::body::gzip(&xml) {
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
            let sent = progress.clone().map(|ProgressFn(f)| -> Meter {
                Arc::new(move |bytes| f(Progress::Sent { bytes, total }))
            });
            (OutgoingBody::from_parts(parts, sent), false)
        };
        let settings = ReplySettings {
            max_body_size: inner.max_body_size,
            streaming: &inner.streaming,
            idle: inner.timeout.unwrap_or(Duration::from_secs(24 * 3600)),
            progress: progress.map(|ProgressFn(f)| -> Meter {
                Arc::new(move |bytes| f(Progress::Received { bytes, total: None }))
            }),
        };
        let exchange = exchange::exchange(
            &inner.transport,
            &inner.endpoint,
            exchange::Outgoing {
                target,
                headers,
                #[cfg(feature = "cookies")]
                cookies: inner.cookies.as_ref(),
                #[cfg(not(feature = "cookies"))]
                _cookies: std::marker::PhantomData,
            },
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
