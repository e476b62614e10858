//! Per-connection timeouts: a wrapper around the socket that closes it when a client is
//! too slow to send its headers, or a kept-alive connection sits idle too long, or when the
//! server sheds it (idle or still waiting for headers) to make room for a new client. The
//! service marks when a request is in progress, so a slow method never counts as idle.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::{Instant, Sleep};

/// What the connection's timers need to know, shared by the socket wrapper and the service.
#[derive(Debug)]
pub(crate) struct ConnState {
    timing: Mutex<Timing>,
    header_read_timeout: Duration,
    idle_timeout: Duration,
    /// Set when the server sheds the connection; it closes at its next read while no
    /// request is in progress.
    shed: AtomicBool,
    /// Wakes a TLS handshake in progress when the connection is shed.
    pub(crate) shed_notify: tokio::sync::Notify,
}

/// Where a connection is, for choosing which to shed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stage {
    /// A request is in progress: never shed.
    Busy,
    /// Waiting for a request's headers since then (a new connection, or one part-sent).
    Head(Instant),
    /// Kept alive between requests since then.
    Idle(Instant),
}

#[derive(Debug)]
struct Timing {
    in_flight: usize,
    idle_since: Instant,
    head_started: Option<Instant>,
    /// The task to wake when the connection is shed while its read waits.
    reader: Option<Waker>,
}

impl ConnState {
    pub(crate) fn new(header_read_timeout: Duration, idle_timeout: Duration) -> Arc<Self> {
        Arc::new(ConnState {
            timing: Mutex::new(Timing {
                in_flight: 0,
                idle_since: Instant::now(),
                // A new connection is expected to send its first request at once.
                head_started: Some(Instant::now()),
                reader: None,
            }),
            header_read_timeout,
            idle_timeout,
            shed: AtomicBool::new(false),
            shed_notify: tokio::sync::Notify::new(),
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

    /// Where the connection is now.
    pub(crate) fn stage(&self) -> Stage {
        self.with(|t| match (t.in_flight, t.head_started) {
            (0, Some(started)) => Stage::Head(started),
            (0, None) => Stage::Idle(t.idle_since),
            _ => Stage::Busy,
        })
    }

    /// Closes the connection at its next read unless a request is then in progress.
    pub(crate) fn shed(&self) {
        self.shed.store(true, Ordering::Relaxed);
        self.shed_notify.notify_one();
        if let Some(waker) = self.with(|t| t.reader.take()) {
            waker.wake();
        }
    }

    /// Whether the server has shed the connection.
    pub(crate) fn is_shed(&self) -> bool {
        self.shed.load(Ordering::Relaxed)
    }

    /// Whether the connection was shed and may close now (no request in progress).
    fn closes_now(&self) -> bool {
        self.shed.load(Ordering::Relaxed) && self.with(|t| t.in_flight == 0)
    }

    fn wait_for_data(&self, waker: &Waker) {
        self.with(|t| match &t.reader {
            Some(known) if known.will_wake(waker) => {}
            _ => t.reader = Some(waker.clone()),
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
        if self.state.closes_now() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "closed to make room for a new client (the server is at its connection limit)",
            )));
        }
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
                self.state.wait_for_data(cx.waker());
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
