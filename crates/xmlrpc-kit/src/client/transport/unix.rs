//! HTTP over a Unix socket: a connector for hyper's pooled client that dials one socket
//! file whatever the request's host, so keep-alive and pooling work as over TCP.

use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// Dials the socket at `path`, within the connect timeout.
#[derive(Debug, Clone)]
pub(crate) struct UnixConnector {
    path: Arc<PathBuf>,
    timeout: Duration,
}

impl UnixConnector {
    pub(crate) fn new(path: &Path, timeout: Duration) -> Self {
        UnixConnector {
            path: Arc::new(path.to_owned()),
            timeout,
        }
    }
}

impl tower_service::Service<hyper::Uri> for UnixConnector {
    type Response = UnixIo;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<UnixIo>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _uri: hyper::Uri) -> Self::Future {
        let path = Arc::clone(&self.path);
        let timeout = self.timeout;
        Box::pin(async move {
            connect(&path, timeout)
                .await
                .map(|s| UnixIo(TokioIo::new(s)))
        })
    }
}

/// Connects to the socket at `path`, saying which path when it fails.
pub(crate) async fn connect(path: &Path, timeout: Duration) -> io::Result<tokio::net::UnixStream> {
    let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    match tokio::time::timeout(timeout, tokio::net::UnixStream::connect(path)).await {
        Ok(connected) => connected.map_err(named),
        Err(_) => Err(named(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("no connection within {timeout:?}"),
        ))),
    }
}

/// A connected Unix socket, as hyper's client reads and writes it.
pub(crate) struct UnixIo(TokioIo<tokio::net::UnixStream>);

impl Connection for UnixIo {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

impl hyper::rt::Read for UnixIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for UnixIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write_vectored(cx, bufs)
    }
}
