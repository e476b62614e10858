//! An accepted connection's byte stream: plain TCP, a Unix socket, or TLS over TCP (feature
//! `tls`) once its handshake is done. Each handshake runs on the connection's own task, within the
//! header-read timeout, so a client that stalls it holds up no one else.

use super::listen::Accepted;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
#[cfg(feature = "tls")]
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;

/// What a listener serves TLS with: a [`TlsConfig`](super::TlsConfig), or nothing.
#[cfg(feature = "tls")]
pub(crate) type Acceptor = Option<super::tls::TlsConfig>;
/// What a listener serves TLS with: nothing, without the `tls` feature.
#[cfg(not(feature = "tls"))]
pub(crate) type Acceptor = Option<std::convert::Infallible>;

/// An accepted connection: plain TCP, a Unix socket, or TLS over TCP once the handshake is
/// done.
pub(crate) enum Stream {
    Plain(tokio::net::TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::server::TlsStream<TcpStream>>),
}

/// Does the TLS handshake when `tls` is set, giving up after `timeout` (TLS is served over
/// TCP only: the server refuses to start TLS on a Unix socket).
pub(crate) async fn accept(
    tls: &Acceptor,
    accepted: Accepted,
    timeout: Duration,
) -> io::Result<Stream> {
    let stream = match accepted {
        Accepted::Tcp(stream, _) => stream,
        #[cfg(unix)]
        Accepted::Unix(stream) => return Ok(Stream::Unix(stream)),
    };
    let Some(tls) = tls else {
        return Ok(Stream::Plain(stream));
    };
    #[cfg(not(feature = "tls"))]
    let _ = timeout;
    #[cfg(not(feature = "tls"))]
    match *tls {}
    #[cfg(feature = "tls")]
    match tokio::time::timeout(timeout, tls.acceptor.accept(stream)).await {
        Ok(Ok(stream)) => Ok(Stream::Tls(Box::new(stream))),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            "the TLS handshake did not finish in time",
        )),
    }
}

impl Stream {
    /// The subject of the client's certificate, on a TLS connection whose client sent one.
    pub(crate) fn client_subject(&self) -> Option<std::sync::Arc<str>> {
        match self {
            #[cfg(feature = "tls")]
            Stream::Tls(s) => super::tls::client_subject(s.get_ref().1),
            _ => None,
        }
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_read(cx, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_write(cx, buf),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_write_vectored(cx, bufs),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Plain(s) => s.is_write_vectored(),
            #[cfg(unix)]
            Stream::Unix(s) => s.is_write_vectored(),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => s.is_write_vectored(),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_flush(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_flush(cx),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Plain(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(unix)]
            Stream::Unix(s) => Pin::new(s).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Stream::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
