//! Per-connection timeouts: a wrapper around the socket that closes it when a client is
//! too slow to send its headers, or a kept-alive connection sits idle too long. The service
//! marks when a request is in progress, so a slow method never counts as an idle client.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// What the connection's timers need to know, shared by the socket wrapper and the service.
#[derive(Debug)]
pub(crate) struct ConnState {
    timing: Mutex<Timing>,
    header_read_timeout: Duration,
    idle_timeout: Duration,
}

#[derive(Debug)]
struct Timing {
    in_flight: usize,
    idle_since: Instant,
    head_started: Option<Instant>,
}

impl ConnState {
    pub(crate) fn new(header_read_timeout: Duration, idle_timeout: Duration) -> Arc<Self> {
        Arc::new(ConnState {
            timing: Mutex::new(Timing {
                in_flight: 0,
                idle_since: Instant::now(),
                // A new connection is expected to send its first request at once.
                head_started: Some(Instant::now()),
            }),
            header_read_timeout,
            idle_timeout,
        })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Timing) -> T) -> T {
        let mut timing = self
            .timing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut timing)
    }

    /// Marks a request as in progress until the returned guard is dropped.
    pub(crate) fn request_started(self: &Arc<Self>) -> InFlight {
        self.with(|t| {
            t.in_flight += 1;
            t.head_started = None;
        });
        InFlight(Arc::clone(self))
    }

    fn bytes_arrived(&self) {
        self.with(|t| {
            if t.in_flight == 0 && t.head_started.is_none() {
                t.head_started = Some(Instant::now());
            }
        });
    }

    /// When the connection must next show progress, if it must.
    fn deadline(&self) -> Option<Instant> {
        self.with(|t| match (t.in_flight, t.head_started) {
            (0, Some(started)) => Some(started + self.header_read_timeout),
            (0, None) => Some(t.idle_since + self.idle_timeout),
            _ => None,
        })
    }
}

/// Keeps a request counted as in progress; dropping it (even when the client went away
/// mid-call) starts the idle clock.
pub(crate) struct InFlight(Arc<ConnState>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.with(|t| {
            t.in_flight = t.in_flight.saturating_sub(1);
            if t.in_flight == 0 {
                t.idle_since = Instant::now();
            }
        });
    }
}

/// A socket whose reads fail with `TimedOut` when the connection's deadline passes.
pub(crate) struct ConnIo<T> {
    inner: T,
    state: Arc<ConnState>,
    timer: Pin<Box<Sleep>>,
    armed_for: Option<Instant>,
    traffic: Option<super::metrics::Traffic>,
}

impl<T> ConnIo<T> {
    pub(crate) fn new(
        inner: T,
        state: Arc<ConnState>,
        traffic: Option<super::metrics::Traffic>,
    ) -> Self {
        ConnIo {
            inner,
            state,
            timer: Box::pin(tokio::time::sleep(Duration::ZERO)),
            armed_for: None,
            traffic,
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for ConnIo<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                let read = buf.filled().len() - before;
                if read > 0 {
                    self.state.bytes_arrived();
                    if let Some(t) = &self.traffic {
                        t.received(read);
                    }
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                let Some(deadline) = self.state.deadline() else {
                    return Poll::Pending;
                };
                if self.armed_for != Some(deadline) {
                    self.timer.as_mut().reset(deadline);
                    self.armed_for = Some(deadline);
                }
                match self.timer.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client was too slow or idle too long",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<T> ConnIo<T> {
    fn count_sent(&self, written: &Poll<io::Result<usize>>) {
        if let (Some(t), Poll::Ready(Ok(n))) = (&self.traffic, written) {
            t.sent(*n);
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for ConnIo<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        self.count_sent(&written);
        written
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        self.count_sent(&written);
        written
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
