//! How a request reaches the server: pooled keep-alive HTTP/1.1 over TCP (TLS by rustls for
//! `https://`) or over a Unix socket, or SCGI over TCP or a Unix socket (one request per
//! connection, as its spec says). The exchange above sees one request in, one response
//! out, whatever the transport.

mod proxied;
mod reuse;
mod scgi;
#[cfg(unix)]
mod unix;

use super::error::Error;
use super::url::{Endpoint, Place, Wire};
use crate::http::OutgoingBody;
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::{Request, Response};
use hyper_util::client::legacy::connect::HttpConnector;
use reuse::Tracked;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The pooled HTTP client over TCP, speaking TLS for `https://` URLs.
#[cfg(feature = "tls")]
pub(crate) type Http = hyper_util::client::legacy::Client<
    Tracked<hyper_rustls::HttpsConnector<HttpConnector>>,
    OutgoingBody,
>;
/// The pooled HTTP client over TCP (plain HTTP only, without the `tls` feature).
#[cfg(not(feature = "tls"))]
pub(crate) type Http = hyper_util::client::legacy::Client<Tracked<HttpConnector>, OutgoingBody>;

/// The pooled HTTP client over one Unix socket.
#[cfg(unix)]
pub(crate) type UnixHttp =
    hyper_util::client::legacy::Client<Tracked<unix::UnixConnector>, OutgoingBody>;

/// The pooled HTTP client through a forward proxy (TLS inside a `CONNECT` tunnel for
/// `https://`).
pub(crate) type Proxied =
    hyper_util::client::legacy::Client<Tracked<proxied::ProxyConnector>, OutgoingBody>;

/// A client's way to its server.
pub(crate) enum Transport {
    Http(Http),
    Proxied(Proxied),
    #[cfg(unix)]
    UnixHttp(UnixHttp),
    Scgi(scgi::Scgi),
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Transport::Http(_) => "Transport::Http",
            Transport::Proxied(_) => "Transport::Proxied",
            #[cfg(unix)]
            Transport::UnixHttp(_) => "Transport::UnixHttp",
            Transport::Scgi(_) => "Transport::Scgi",
        })
    }
}

/// What the transport needs from the client's settings.
pub(crate) struct TransportSettings<'s> {
    pub(crate) connect_timeout: Duration,
    pub(crate) pool_idle_timeout: Duration,
    /// Roots for `https://` beyond (instead of) the system's, as PEM.
    pub(crate) root_certificates: Option<&'s [u8]>,
    /// The client certificate chain and key to present (PEM), for mutual TLS.
    #[cfg(feature = "tls")]
    pub(crate) identity: Option<(&'s [u8], &'s [u8])>,
    /// The forward proxy to go through, for HTTP over TCP.
    pub(crate) proxy: Option<super::proxy::Proxy>,
}

impl Transport {
    /// The transport for `endpoint`.
    pub(crate) fn new(endpoint: &Endpoint, s: &TransportSettings<'_>) -> Result<Self, Error> {
        let pooled = || {
            let mut builder =
                hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new());
            builder
                .pool_idle_timeout(s.pool_idle_timeout)
                .pool_timer(hyper_util::rt::TokioTimer::new());
            builder
        };
        match (&endpoint.place, endpoint.wire) {
            (Place::Tcp(_), Wire::Http | Wire::Https) if s.proxy.is_some() => {
                #[cfg(feature = "tls")]
                let tls = if endpoint.https() {
                    let mut config =
                        super::builder::tls_config(true, s.root_certificates, s.identity)?;
                    config.alpn_protocols = vec![b"http/1.1".to_vec()];
                    Some(std::sync::Arc::new(config))
                } else {
                    None
                };
                #[cfg(not(feature = "tls"))]
                if endpoint.https() {
                    return Err(Error::Url {
                        url: endpoint.uri(),
                        reason: "https:// needs xmlrpc-kit's `tls` feature".into(),
                    });
                }
                let proxy = s.proxy.clone().ok_or_else(|| Error::Url {
                    url: endpoint.uri(),
                    reason: "no proxy".into(),
                })?;
                let connector = proxied::ProxyConnector::new(
                    proxy,
                    s.connect_timeout,
                    #[cfg(feature = "tls")]
                    tls,
                );
                Ok(Transport::Proxied(pooled().build(Tracked(connector))))
            }
            (Place::Tcp(_), Wire::Http | Wire::Https) => {
                let mut connector = HttpConnector::new();
                connector.enforce_http(false);
                connector.set_nodelay(true);
                connector.set_connect_timeout(Some(s.connect_timeout));
                #[cfg(feature = "tls")]
                let connector = hyper_rustls::HttpsConnectorBuilder::new()
                    .with_tls_config(super::builder::tls_config(
                        endpoint.https(),
                        s.root_certificates,
                        s.identity,
                    )?)
                    .https_or_http()
                    .enable_http1()
                    .wrap_connector(connector);
                #[cfg(not(feature = "tls"))]
                if endpoint.https() {
                    return Err(Error::Url {
                        url: endpoint.uri(),
                        reason: "https:// needs xmlrpc-kit's `tls` feature".into(),
                    });
                }
                #[cfg(not(feature = "tls"))]
                let _ = s.root_certificates;
                Ok(Transport::Http(pooled().build(Tracked(connector))))
            }
            #[cfg(unix)]
            (Place::Unix(path), Wire::Http | Wire::Https) => Ok(Transport::UnixHttp(
                pooled().build(Tracked(unix::UnixConnector::new(path, s.connect_timeout))),
            )),
            #[cfg(not(unix))]
            (Place::Unix(_), _) => Err(Error::Url {
                url: endpoint.uri(),
                reason: "Unix sockets need a Unix system".into(),
            }),
            (place, Wire::Scgi) => Ok(Transport::Scgi(scgi::Scgi::new(
                place.clone(),
                s.connect_timeout,
            ))),
        }
    }

    /// Sends `request` and gives the response once its head has arrived. A request that
    /// meets a pooled connection's close before any answer is sent once more on a new
    /// connection when its body can be sent again (see [`reuse`]).
    pub(crate) async fn send(
        &self,
        endpoint: &Endpoint,
        request: Request<OutgoingBody>,
    ) -> Result<Response<ReplyStream>, Error> {
        let response = match self {
            Transport::Http(http) => pooled_send(http, request).await,
            Transport::Proxied(http) => pooled_send(http, request).await,
            #[cfg(unix)]
            Transport::UnixHttp(http) => pooled_send(http, request).await,
            Transport::Scgi(scgi) => {
                return scgi
                    .send(request)
                    .await
                    .map(|r| r.map(ReplyStream::Scgi))
                    .map_err(|source| Error::Connect {
                        endpoint: endpoint.uri(),
                        source: source.into(),
                    })
            }
        };
        response
            .map(|r| r.map(ReplyStream::Http))
            .map_err(|e| connect_error(endpoint, e))
    }
}

/// One request on a pooled client, sent again once if it met a stale connection.
async fn pooled_send<C>(
    http: &hyper_util::client::legacy::Client<C, OutgoingBody>,
    request: Request<OutgoingBody>,
) -> Result<Response<Incoming>, hyper_util::client::legacy::Error>
where
    C: hyper_util::client::legacy::connect::Connect + Clone + Send + Sync + 'static,
{
    let again = again(&request);
    let outcome = match http.request(request).await {
        Err(e) if reuse::met_a_stale_connection(&e) => match again {
            Some(request) => http.request(request).await,
            None => Err(e),
        },
        outcome => outcome,
    };
    if let Ok(response) = &outcome {
        reuse::Served::mark(response.extensions());
    }
    outcome
}

/// A copy of `request` to send again, when its body is in memory.
fn again(request: &Request<OutgoingBody>) -> Option<Request<OutgoingBody>> {
    let body = request.body().try_clone()?;
    let mut copy = Request::new(body);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    Some(copy)
}

/// A reply's body, whatever brought it.
pub(crate) enum ReplyStream {
    Http(Incoming),
    Scgi(scgi::ScgiReplyBody),
}

impl Body for ReplyStream {
    type Data = Bytes;
    type Error = super::error::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        match self.get_mut() {
            ReplyStream::Http(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
            ReplyStream::Scgi(body) => Pin::new(body).poll_frame(cx).map_err(Into::into),
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            ReplyStream::Http(body) => body.is_end_stream(),
            ReplyStream::Scgi(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReplyStream::Http(body) => body.size_hint(),
            ReplyStream::Scgi(body) => body.size_hint(),
        }
    }
}

/// A failed request, told apart: an `https://` URL whose server spoke plain HTTP gets an
/// error that says so.
fn connect_error(endpoint: &Endpoint, e: hyper_util::client::legacy::Error) -> Error {
    #[cfg(feature = "tls")]
    if endpoint.https() && answered_in_plain_http(&e) {
        return Error::PlainHttp {
            endpoint: endpoint.uri(),
            source: e.into(),
        };
    }
    Error::Connect {
        endpoint: endpoint.uri(),
        source: e.into(),
    }
}

/// Whether a TLS handshake failed because the peer's first bytes were not a TLS record
/// (an HTTP server answers a ClientHello with `HTTP/1.1 400`).
#[cfg(feature = "tls")]
fn answered_in_plain_http(e: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) =
        e.downcast_ref::<rustls::Error>()
    {
        return true;
    }
    // An io::Error's `source()` skips the error it wraps: look inside it first.
    if let Some(inner) = e
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        if answered_in_plain_http(inner) {
            return true;
        }
    }
    e.source().is_some_and(answered_in_plain_http)
}
