//! HTTP and HTTPS through a forward proxy: a connector for hyper's pooled client that dials
//! the proxy whatever the request's host. Plain HTTP requests go to the proxy in absolute
//! form (`POST http://host/RPC2`); HTTPS opens a tunnel with `CONNECT host:port` and does
//! the TLS handshake with the server through it, so the proxy sees only ciphertext.

use super::super::proxy::Proxy;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The longest proxy answer to `CONNECT` read before giving up on it.
const MAX_CONNECT_REPLY: usize = 16 << 10;

/// Dials the proxy; tunnels to `https://` servers.
#[derive(Clone)]
pub(crate) struct ProxyConnector {
    proxy: Arc<Proxy>,
    timeout: Duration,
    #[cfg(feature = "tls")]
    tls: Option<tokio_rustls::TlsConnector>,
}

impl ProxyConnector {
    pub(crate) fn new(
        proxy: Proxy,
        timeout: Duration,
        #[cfg(feature = "tls")] tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Self {
        ProxyConnector {
            proxy: Arc::new(proxy),
            timeout,
            #[cfg(feature = "tls")]
            tls: tls.map(tokio_rustls::TlsConnector::from),
        }
    }
}

impl tower_service::Service<hyper::Uri> for ProxyConnector {
    type Response = ProxiedIo;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<ProxiedIo>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: hyper::Uri) -> Self::Future {
        let this = self.clone();
        Box::pin(async move {
            let limit = this.timeout;
            tokio::time::timeout(limit, this.connect(uri))
                .await
                .unwrap_or_else(|_| {
                    Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("no connection through the proxy within {limit:?}"),
                    ))
                })
        })
    }
}

impl ProxyConnector {
    async fn connect(self, uri: hyper::Uri) -> io::Result<ProxiedIo> {
        let proxy = &self.proxy;
        let named =
            |e: io::Error| io::Error::new(e.kind(), format!("the proxy {}: {e}", proxy.shown));
        let mut stream = TcpStream::connect(proxy.authority.as_str())
            .await
            .map_err(named)?;
        let _ = stream.set_nodelay(true);
        if uri.scheme_str() != Some("https") {
            return Ok(ProxiedIo::Plain(Box::new(TokioIo::new(stream))));
        }
        let host = uri.host().unwrap_or_default();
        let port = uri.port_u16().unwrap_or(443);
        let target = format!("{host}:{port}");
        tunnel(&mut stream, &target, proxy).await.map_err(named)?;
        #[cfg(feature = "tls")]
        {
            let Some(tls) = &self.tls else {
                return Err(io::Error::other("https:// needs a TLS configuration"));
            };
            let name = host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned();
            let name = rustls::pki_types::ServerName::try_from(name)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            let tls = tls.connect(name, stream).await?;
            Ok(ProxiedIo::Tls(Box::new(TokioIo::new(tls))))
        }
        #[cfg(not(feature = "tls"))]
        Err(io::Error::other(
            "https:// needs xmlrpc-kit's `tls` feature",
        ))
    }
}

/// Asks the proxy for a tunnel to `target` and reads its answer (a 2xx opens it).
async fn tunnel(stream: &mut TcpStream, target: &str, proxy: &Proxy) -> io::Result<()> {
    let mut request = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some(auth) = &proxy.authorization {
        request.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await?;
    // The proxy says nothing more until the client speaks TLS, so reading past the head
    // cannot swallow the server's bytes.
    let mut head = Vec::with_capacity(256);
    let mut chunk = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the proxy closed the connection before answering CONNECT",
            ));
        }
        head.extend_from_slice(&chunk[..n]);
        if head.len() > MAX_CONNECT_REPLY {
            return Err(io::Error::other(
                "the proxy's answer to CONNECT is too long",
            ));
        }
    }
    let status_line =
        String::from_utf8_lossy(head.split(|&b| b == b'\r').next().unwrap_or(&[])).into_owned();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse::<u16>().ok());
    match status {
        Some(200..=299) => Ok(()),
        Some(401 | 407) => Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "the proxy wants authentication ({}): put the right user:password@ in the proxy URL",
                status_line.chars().take(100).collect::<String>()
            ),
        )),
        _ => Err(io::Error::other(format!(
            "the proxy refused CONNECT {target}: {}",
            status_line.chars().take(200).collect::<String>()
        ))),
    }
}

/// A connection through the proxy: to the proxy itself (plain HTTP, requests in absolute
/// form), or TLS to the server inside a tunnel.
pub(crate) enum ProxiedIo {
    Plain(Box<TokioIo<TcpStream>>),
    #[cfg(feature = "tls")]
    Tls(Box<TokioIo<tokio_rustls::client::TlsStream<TcpStream>>>),
}

impl Connection for ProxiedIo {
    fn connected(&self) -> Connected {
        match self {
            // Requests to the proxy itself name the whole URL.
            ProxiedIo::Plain(_) => Connected::new().proxy(true),
            #[cfg(feature = "tls")]
            ProxiedIo::Tls(_) => Connected::new(),
        }
    }
}

macro_rules! both {
    ($self:ident, $io:ident => $e:expr) => {
        match $self.get_mut() {
            ProxiedIo::Plain($io) => $e,
            #[cfg(feature = "tls")]
            ProxiedIo::Tls($io) => $e,
        }
    };
}

impl hyper::rt::Read for ProxiedIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        both!(self, io => Pin::new(&mut **io).poll_read(cx, buf))
    }
}

impl hyper::rt::Write for ProxiedIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        both!(self, io => Pin::new(&mut **io).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self, io => Pin::new(&mut **io).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        both!(self, io => Pin::new(&mut **io).poll_shutdown(cx))
    }
}
