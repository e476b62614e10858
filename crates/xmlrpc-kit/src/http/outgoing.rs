//! Outgoing bodies: XML in memory, with file-backed blobs base64-encoded while the body is
//! sent; the length is known in advance, so it goes out with `Content-Length`.

use super::Meter;
use crate::codec::segments::{base64_len, encoded_len, Part};
use crate::value::Blob;
use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use std::collections::VecDeque;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// Raw bytes per base64 chunk sent: a multiple of 3, so chunks concatenate cleanly.
const ENCODE_CHUNK: usize = 3 << 16;
/// Chunks read ahead from a file while earlier ones are being sent.
const READ_AHEAD: usize = 4;

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
    progress: Option<Meter>,
    sent: u64,
}

enum Piece {
    Bytes(Bytes),
    Blob(Blob),
    /// Bytes sent as they are from a file (a reply spooled to disk).
    Raw(std::fs::File),
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

    /// A body of `len` bytes read from `file` (from its current position) as it is sent:
    /// a large reply spooled to disk, so that a slow reader holds a file, not memory.
    pub(crate) fn from_file(file: std::fs::File, len: u64) -> Self {
        OutgoingBody {
            pieces: VecDeque::from([Piece::Raw(file)]),
            current: None,
            remaining: len,
            progress: None,
            sent: 0,
        }
    }

    /// A body of XML pieces and blobs.
    pub(crate) fn from_parts(parts: Vec<Part>, progress: Option<Meter>) -> Self {
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

    /// A copy of a body not yet started whose pieces are all in memory (it can be sent
    /// again); `None` for one that reads a file or has begun.
    ///
    /// A file-backed blob is left out: sending it again would read the file again, which may
    /// have changed since.
    pub(crate) fn try_clone(&self) -> Option<Self> {
        if self.current.is_some() || self.sent > 0 {
            return None;
        }
        let pieces = self
            .pieces
            .iter()
            .map(|piece| match piece {
                Piece::Bytes(bytes) => Some(Piece::Bytes(bytes.clone())),
                Piece::Blob(blob) if blob.as_bytes().is_some() => Some(Piece::Blob(blob.clone())),
                Piece::Blob(_) | Piece::Raw(_) => None,
            })
            .collect::<Option<VecDeque<_>>>()?;
        Some(OutgoingBody {
            pieces,
            current: None,
            remaining: self.remaining,
            progress: self.progress.clone(),
            sent: 0,
        })
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
                    Some(Piece::Raw(file)) => {
                        match read_ahead(file, |chunk: &[u8]| Ok(chunk.to_vec())) {
                            Ok(rx) => this.current = Some(Current::File(rx)),
                            Err(e) => return Poll::Ready(Some(Err(e))),
                        }
                    }
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
    let reader = blob.open()?;
    read_ahead(reader, |chunk: &[u8]| {
        let mut text = Vec::with_capacity(base64_len(chunk.len() as u64) as usize);
        crate::codec::base64::encode_into_vec(chunk, &mut text);
        Ok(text)
    })
}

/// Reads `reader` on a blocking thread, a few chunks ahead of the sender, each chunk
/// turned into what is sent by `convert` (base64, or the bytes themselves).
fn read_ahead<R, C>(
    mut reader: R,
    convert: C,
) -> io::Result<mpsc::Receiver<io::Result<(Bytes, usize)>>>
where
    R: Read + Send + 'static,
    C: Fn(&[u8]) -> io::Result<Vec<u8>> + Send + 'static,
{
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|e| io::Error::other(format!("no runtime to read the file on: {e}")))?;
    let (tx, rx) = mpsc::channel(READ_AHEAD);
    runtime.spawn_blocking(move || {
        let mut chunk = vec![0; ENCODE_CHUNK];
        loop {
            let sent = match fill(&mut reader, &mut chunk) {
                Ok(0) => return,
                Ok(n) => convert(&chunk[..n]).map(|out| (Bytes::from(out), n)),
                Err(e) => Err(e),
            };
            let failed = sent.is_err();
            if tx.blocking_send(sent).is_err() || failed {
                return; // the body was dropped (the peer went away), or the read failed
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

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;
    use std::sync::Arc;

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
        let progress: Meter =
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
    async fn a_body_in_memory_is_copied_whole_and_a_file_body_is_not() {
        let parts = vec![
            Part::Xml(b"<a>".to_vec()),
            Part::Blob(Blob::from(vec![1u8, 2, 3])),
            Part::Xml(b"</a>".to_vec()),
        ];
        let body = OutgoingBody::from_parts(parts, None);
        let copy = body.try_clone().unwrap();
        let first = body.collect().await.unwrap().to_bytes();
        assert_eq!(first, copy.collect().await.unwrap().to_bytes());
        assert_eq!(&first[..], b"<a>AQID</a>");

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"abc").unwrap();
        let file =
            OutgoingBody::from_parts(vec![Part::Blob(Blob::from_file(&path).unwrap())], None);
        assert!(file.try_clone().is_none());
        let raw = OutgoingBody::from_file(std::fs::File::open(&path).unwrap(), 3);
        assert!(raw.try_clone().is_none());
    }
}
