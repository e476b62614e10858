//! A pooled connection that its peer closed while it sat idle. The next request sent on it
//! meets the close (an empty read or a reset) though the peer never read it: a proxy such as
//! tinyproxy answers in HTTP/1.1 without `Connection: close` and then closes, and any server
//! closes idle connections on its own clock. Such a request is sent once more on a new
//! connection, as Python's `xmlrpc.client` does, but only when the connection had already
//! carried a whole exchange (a first request on a fresh connection may have been run, so
//! it is never repeated) and only when its body is in memory (a file's is not read twice).

use hyper::http::Extensions;
use hyper_util::client::legacy::connect::{Connected, Connection};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// Whether a connection has carried an exchange: shared by every response on it (hyper
/// copies a connection's extras into each response's extensions) and by its errors.
#[derive(Clone, Default)]
pub(crate) struct Served(Arc<AtomicBool>);

impl Served {
    /// Notes that a response arrived on the connection that carries `extensions`.
    pub(crate) fn mark(extensions: &Extensions) {
        if let Some(served) = extensions.get::<Served>() {
            served.0.store(true, Ordering::Relaxed);
        }
    }
}

/// Whether `error` is a request that met a reused connection's close before any answer,
/// and so was not read by the peer: the case that is sent again.
pub(crate) fn met_a_stale_connection(error: &hyper_util::client::legacy::Error) -> bool {
    let reused = error.connect_info().is_some_and(|info| {
        let mut extensions = Extensions::new();
        info.get_extras(&mut extensions);
        extensions
            .get::<Served>()
            .is_some_and(|served| served.0.load(Ordering::Relaxed))
    });
    reused && closed_by_peer(error)
}

/// Whether an error, or one of its causes, is the peer closing: the connection ended
/// before a response, or was reset, or the write found it gone.
fn closed_by_peer(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if e.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_incomplete_message)
        {
            return true;
        }
        if let Some(io) = e.downcast_ref::<io::Error>() {
            if matches!(
                io.kind(),
                io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::BrokenPipe
            ) {
                return true;
            }
        }
        cause = e.source();
    }
    false
}

/// A connector whose connections each carry a [`Served`] flag.
#[derive(Clone)]
pub(crate) struct Tracked<C>(pub(crate) C);

impl<C> tower_service::Service<hyper::Uri> for Tracked<C>
where
    C: tower_service::Service<hyper::Uri>,
    C::Future: Send + 'static,
{
    type Response = TrackedIo<C::Response>;
    type Error = C::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, C::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), C::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, uri: hyper::Uri) -> Self::Future {
        let connecting = self.0.call(uri);
        Box::pin(async move {
            Ok(TrackedIo {
                io: connecting.await?,
                served: Served::default(),
            })
        })
    }
}

/// A connection and its [`Served`] flag.
pub(crate) struct TrackedIo<T> {
    io: T,
    served: Served,
}

impl<T: Connection> Connection for TrackedIo<T> {
    fn connected(&self) -> Connected {
        self.io.connected().extra(self.served.clone())
    }
}

impl<T: hyper::rt::Read + Unpin> hyper::rt::Read for TrackedIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl<T: hyper::rt::Write + Unpin> hyper::rt::Write for TrackedIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_close_or_a_reset_counts_as_the_peer_closing() {
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert!(closed_by_peer(&reset));
        let pipe = io::Error::from(io::ErrorKind::BrokenPipe);
        assert!(closed_by_peer(&pipe));
        let aborted = io::Error::from(io::ErrorKind::ConnectionAborted);
        assert!(closed_by_peer(&aborted));
        assert!(!closed_by_peer(&io::Error::from(io::ErrorKind::TimedOut)));
        assert!(!closed_by_peer(&io::Error::from(
            io::ErrorKind::ConnectionRefused
        )));
    }

    #[test]
    fn a_mark_reaches_every_copy_of_the_flag() {
        let served = Served::default();
        let mut extensions = Extensions::new();
        extensions.insert(served.clone());
        assert!(!served.0.load(Ordering::Relaxed));
        Served::mark(&extensions);
        assert!(served.0.load(Ordering::Relaxed));
    }
}
