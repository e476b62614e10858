//! `AsyncClient`: calls from tokio code over one pooled keep-alive HTTP/1.1 client (TLS by
//! rustls); the blocking `Client` drives this same client from its own runtime.

use super::builder::AsyncClientBuilder;
use super::error::Error;
use super::exchange::{self, Http, ReplyBody, ReplySettings};
use super::multicall::AsyncMulticall;
use super::progress::{Progress, ProgressFn};
use super::url::Endpoint;
use crate::codec::segments::Encoded;
use crate::codec::{self, Extensions, Limits};
use crate::http::{Meter, OutgoingBody, Streaming};
use crate::value::blob::SpoolSettings;
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
    pub(crate) http: Http,
    pub(crate) headers: HeaderMap,
    pub(crate) timeout: Option<Duration>,
    pub(crate) gzip_above: Option<usize>,
    pub(crate) max_body_size: u64,
    pub(crate) allow_nil: bool,
    pub(crate) extensions: Extensions,
    pub(crate) limits: Limits,
    pub(crate) streaming: Streaming,
    pub(crate) spool: Arc<SpoolSettings>,
    pub(crate) on_progress: Option<ProgressFn>,
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
            ReplyBody::Whole(bytes) => super::decode_reply(&bytes, &limits),
            streamed => {
                let spool = Arc::clone(&self.inner.spool);
                tokio::task::spawn_blocking(move || streamed.decode_blocking(&limits, &spool))
                    .await
                    .map_err(|e| Error::CutOff {
                        endpoint: self.url(),
                        source: e.into(),
                    })?
            }
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
    pub(crate) async fn exchange(&self, body: Encoded) -> Result<ReplyBody, Error> {
        let inner = &self.inner;
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
