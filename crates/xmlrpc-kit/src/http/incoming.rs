//! Incoming bodies too large to hold: pumped frame by frame through a bounded channel into
//! a blocking `BufRead`, which the streaming reader parses on a blocking thread while the
//! body is still arriving; with a reader that fails past a byte cap (inflated gzip).

use super::Meter;
use bytes::Bytes;
use hyper::body::Body;
use std::io::{self, BufRead, Read};
use std::time::Duration;
use tokio::sync::mpsc;

/// Frames of an incoming body buffered ahead of the parser.
const INCOMING_FRAMES: usize = 16;

/// Why pumping an incoming body stopped early.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PumpError {
    #[error("the body exceeds the limit of {0} bytes")]
    TooLarge(u64),
    #[error("no data arrived for {0:?}")]
    Idle(Duration),
    #[error("the body could not be read: {0}")]
    Read(String),
}

/// The sending half: feed it with [`pump`].
pub(crate) type BodySender = mpsc::Sender<io::Result<Bytes>>;

/// A bounded channel of body frames and the blocking reader over its other end.
pub(crate) fn channel() -> (BodySender, ChannelReader) {
    let (tx, rx) = mpsc::channel(INCOMING_FRAMES);
    (
        tx,
        ChannelReader {
            rx,
            current: Bytes::new(),
        },
    )
}

/// Moves `body` into `tx` frame by frame: refusing it past `limit` bytes, or when no data
/// comes for `idle`. The reader sees an error in either case. Returns the bytes moved.
/// If the reader hangs up (it has what it needs, or gave up), the rest of the body is read
/// and dropped when `drain` (within the same limits: so a server can still answer on a
/// connection whose client sends everything before it reads), else left unread.
pub(crate) async fn pump<B>(
    body: B,
    tx: BodySender,
    limit: u64,
    idle: Duration,
    progress: Option<Meter>,
    drain: bool,
) -> Result<u64, PumpError>
where
    B: Body,
    B::Error: std::fmt::Display,
{
    use http_body_util::BodyExt;
    let mut body = std::pin::pin!(body);
    let mut total: u64 = 0;
    let mut reader_gone = false;
    loop {
        let next = match tokio::time::timeout(idle, body.frame()).await {
            Err(_) => Err(PumpError::Idle(idle)),
            Ok(None) => return Ok(total),
            Ok(Some(Err(e))) => Err(PumpError::Read(e.to_string())),
            Ok(Some(Ok(frame))) => Ok(frame),
        };
        let frame = match next {
            Ok(frame) => frame,
            Err(e) => return Err(fail(&tx, e).await),
        };
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        use bytes::Buf;
        let data = data.copy_to_bytes(data.remaining());
        total += data.len() as u64;
        if total > limit {
            return Err(fail(&tx, PumpError::TooLarge(limit)).await);
        }
        if let Some(progress) = &progress {
            progress(total);
        }
        if !reader_gone && tx.send(Ok(data)).await.is_err() {
            if !drain {
                return Ok(total);
            }
            reader_gone = true;
        }
    }
}

async fn fail(tx: &BodySender, error: PumpError) -> PumpError {
    let kind = match error {
        PumpError::Idle(_) => io::ErrorKind::TimedOut,
        PumpError::TooLarge(_) => io::ErrorKind::InvalidData,
        PumpError::Read(_) => io::ErrorKind::UnexpectedEof,
    };
    let _ = tx.send(Err(io::Error::new(kind, error.to_string()))).await;
    error
}

/// A blocking `BufRead` over the frames a [`pump`] sends; call it only off the runtime
/// (on a blocking thread).
pub(crate) struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        crate::codec::read_buffered(self, buf)
    }
}

impl BufRead for ChannelReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(bytes)) => self.current = bytes,
                Some(Err(e)) => return Err(e),
                None => return Ok(&[]),
            }
        }
        Ok(&self.current)
    }

    fn consume(&mut self, amt: usize) {
        use bytes::Buf;
        self.current.advance(amt.min(self.current.len()));
    }
}

/// Fails with `InvalidData` once more than `limit` bytes have been read (a gzip body that
/// inflates past its cap), where `Take` would end quietly.
pub(crate) struct CappedReader<R> {
    inner: R,
    left: u64,
    limit: u64,
    over: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl<R> CappedReader<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        CappedReader {
            inner,
            left: limit,
            limit,
            over: None,
        }
    }

    /// Also sets `over` when the cap is passed (so the caller can tell that refusal from
    /// a parse error).
    pub(crate) fn flagging(mut self, over: std::sync::Arc<std::sync::atomic::AtomicBool>) -> Self {
        self.over = Some(over);
        self
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            if let Some(over) = &self.over {
                over.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the body exceeds the limit of {} bytes once decompressed",
                    self.limit
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_pumped_body_reads_back_and_a_large_one_is_refused() {
        let (tx, mut reader) = channel();
        let body = http_body_util::Full::new(Bytes::from(vec![b'x'; 100]));
        let pumped = pump(body, tx, 1000, Duration::from_secs(5), None, false);
        let (pumped, read) = tokio::join!(
            pumped,
            tokio::task::spawn_blocking(move || {
                let mut out = Vec::new();
                reader.read_to_end(&mut out).map(|_| out)
            })
        );
        assert_eq!(pumped.unwrap(), 100);
        assert_eq!(read.unwrap().unwrap().len(), 100);

        let (tx, mut reader) = channel();
        let body = http_body_util::Full::new(Bytes::from(vec![b'x'; 100]));
        let pumped = pump(body, tx, 10, Duration::from_secs(5), None, false);
        let (pumped, read) = tokio::join!(
            pumped,
            tokio::task::spawn_blocking(move || {
                let mut out = Vec::new();
                reader.read_to_end(&mut out)
            })
        );
        assert!(matches!(pumped, Err(PumpError::TooLarge(10))));
        assert_eq!(
            read.unwrap().unwrap_err().kind(),
            io::ErrorKind::InvalidData
        );
    }

    #[test]
    fn a_capped_reader_fails_past_its_limit() {
        let mut out = Vec::new();
        let err = CappedReader::new(&[0u8; 10][..], 9)
            .read_to_end(&mut out)
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        let mut out = Vec::new();
        CappedReader::new(&[0u8; 10][..], 10)
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out.len(), 10);
    }
}
