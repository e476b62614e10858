//! Bodies too large to hold: an outgoing body that base64-encodes file-backed blobs while
//! it is sent (its length known in advance, so it goes out with `Content-Length`), and an
//! incoming body pumped through a bounded channel into a blocking `BufRead`, which the
//! streaming reader parses on a blocking thread while the body is still arriving.

use crate::codec::segments::{base64_len, encoded_len, Part};
use crate::value::Blob;
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::collections::VecDeque;
use std::io::{self, BufRead, Read};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::sync::mpsc;

/// Raw bytes per base64 chunk sent: a multiple of 3, so chunks concatenate cleanly.
const ENCODE_CHUNK: usize = 3 << 16;
/// Chunks read ahead from a file while earlier ones are being sent.
const READ_AHEAD: usize = 4;
/// Frames of an incoming body buffered ahead of the parser.
const INCOMING_FRAMES: usize = 16;

/// A callback told the number of bytes moved so far (payload bytes of outgoing blobs, or
/// body bytes of an incoming document).
pub(crate) type Progress = Arc<dyn Fn(u64) + Send + Sync>;

/// The body of a response (or request) this crate sends: XML in memory, with any
/// file-backed [`Blob`]s encoded as the body streams. Its exact length is known in
/// advance, so it is sent with `Content-Length`.
///
/// ```
/// use hyper::body::Body;
/// let body = xmlrpc_kit::server::ResponseBody::from("<methodResponse/>");
/// assert_eq!(body.size_hint().exact(), Some(17));
/// ```
pub struct OutgoingBody {
    pieces: VecDeque<Piece>,
    current: Option<Current>,
    remaining: u64,
    progress: Option<Progress>,
    sent: u64,
}

enum Piece {
    Bytes(Bytes),
    Blob(Blob),
}

enum Current {
    Memory { blob: Blob, at: usize },
    File(mpsc::Receiver<io::Result<(Bytes, usize)>>),
}

impl OutgoingBody {
    /// A body of bytes in memory.
    pub(crate) fn full(bytes: Bytes) -> Self {
        let remaining = bytes.len() as u64;
        OutgoingBody {
            pieces: VecDeque::from([Piece::Bytes(bytes)]),
            current: None,
            remaining,
            progress: None,
            sent: 0,
        }
    }

    /// A body of XML pieces and blobs.
    pub(crate) fn from_parts(parts: Vec<Part>, progress: Option<Progress>) -> Self {
        let remaining = encoded_len(&parts);
        let pieces = parts
            .into_iter()
            .map(|part| match part {
                Part::Xml(xml) => Piece::Bytes(Bytes::from(xml)),
                Part::Blob(blob) => Piece::Blob(blob),
            })
            .collect();
        OutgoingBody {
            pieces,
            current: None,
            remaining,
            progress,
            sent: 0,
        }
    }

    fn advance(&mut self, frame: Bytes, payload: usize) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        self.remaining = self.remaining.saturating_sub(frame.len() as u64);
        if payload > 0 {
            self.sent += payload as u64;
            if let Some(progress) = &self.progress {
                progress(self.sent);
            }
        }
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }
}

impl From<&'static str> for OutgoingBody {
    fn from(text: &'static str) -> Self {
        OutgoingBody::full(Bytes::from_static(text.as_bytes()))
    }
}

impl From<Vec<u8>> for OutgoingBody {
    fn from(bytes: Vec<u8>) -> Self {
        OutgoingBody::full(Bytes::from(bytes))
    }
}

impl From<Bytes> for OutgoingBody {
    fn from(bytes: Bytes) -> Self {
        OutgoingBody::full(bytes)
    }
}

impl std::fmt::Debug for OutgoingBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "OutgoingBody({} bytes left)", self.remaining)
    }
}

impl Body for OutgoingBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        let this = &mut *self;
        loop {
            match &mut this.current {
                Some(Current::Memory { blob, at }) => {
                    let bytes = blob.as_bytes().unwrap_or_default();
                    if *at >= bytes.len() {
                        this.current = None;
                        continue;
                    }
                    let end = (*at + ENCODE_CHUNK).min(bytes.len());
                    let chunk = &bytes[*at..end];
                    let mut text = Vec::with_capacity(base64_len(chunk.len() as u64) as usize);
                    crate::codec::base64::encode_into_vec(chunk, &mut text);
                    let n = chunk.len();
                    *at = end;
                    return this.advance(Bytes::from(text), n);
                }
                Some(Current::File(rx)) => match rx.poll_recv(cx) {
                    Poll::Ready(Some(Ok((text, n)))) => return this.advance(text, n),
                    Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                    Poll::Ready(None) => this.current = None,
                    Poll::Pending => return Poll::Pending,
                },
                None => match this.pieces.pop_front() {
                    None => return Poll::Ready(None),
                    Some(Piece::Bytes(bytes)) if bytes.is_empty() => continue,
                    Some(Piece::Bytes(bytes)) => return this.advance(bytes, 0),
                    Some(Piece::Blob(blob)) if blob.as_bytes().is_some() => {
                        this.current = Some(Current::Memory { blob, at: 0 });
                    }
                    Some(Piece::Blob(blob)) => match encode_file(blob) {
                        Ok(rx) => this.current = Some(Current::File(rx)),
                        Err(e) => return Poll::Ready(Some(Err(e))),
                    },
                },
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0 && self.current.is_none() && self.pieces.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}

/// Reads and encodes a file-backed blob on a blocking thread, a few chunks ahead.
fn encode_file(blob: Blob) -> io::Result<mpsc::Receiver<io::Result<(Bytes, usize)>>> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|e| io::Error::other(format!("no runtime to read the file on: {e}")))?;
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    runtime.spawn_blocking(move || {
        let mut reader = match blob.open() {
            Ok(reader) => reader,
            Err(e) => {
                let _ = tx.blocking_send(Err(e));
                return;
            }
        };
        let mut chunk = vec![0; ENCODE_CHUNK];
        loop {
            let n = match fill(&mut reader, &mut chunk) {
                Ok(0) => return,
                Ok(n) => n,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e));
                    return;
                }
            };
            let mut text = Vec::with_capacity(base64_len(n as u64) as usize);
            crate::codec::base64::encode_into_vec(&chunk[..n], &mut text);
            if tx.blocking_send(Ok((Bytes::from(text), n))).is_err() {
                return; // the body was dropped: the peer went away
            }
        }
    });
    Ok(rx)
}

/// Reads until `buf` is full or the input ends.
fn fill(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

// ----- incoming ----------------------------------------------------------------------------

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
    progress: Option<Progress>,
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
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
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
}

impl<R> CappedReader<R> {
    pub(crate) fn new(inner: R, limit: u64) -> Self {
        CappedReader {
            inner,
            left: limit,
            limit,
        }
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
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
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_file_blob_streams_as_its_base64_with_the_length_known_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..1_000_003u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let parts = vec![
            Part::Xml(b"<a>".to_vec()),
            Part::Blob(Blob::from_file(&path).unwrap()),
            Part::Xml(b"</a>".to_vec()),
        ];
        let seen = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = Arc::clone(&seen);
        let progress: Progress =
            Arc::new(move |n| counter.store(n, std::sync::atomic::Ordering::Relaxed));
        let body = OutgoingBody::from_parts(parts, Some(progress));
        let expected_len = body.size_hint().exact().unwrap();
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes.len() as u64, expected_len);
        let mut plain = b"<a>".to_vec();
        crate::codec::base64::encode_into_vec(&data, &mut plain);
        plain.extend_from_slice(b"</a>");
        assert!(bytes[..] == plain[..]);
        assert_eq!(seen.load(std::sync::atomic::Ordering::Relaxed), 1_000_003);
    }

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
