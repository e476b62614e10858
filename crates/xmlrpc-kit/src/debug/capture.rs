//! A body's first bytes, kept while the body streams past (up to a limit), and what they
//! decode to: the copy the proxy and the dump server show and record.

use crate::codec::{self, Document};
use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use std::io::Read;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// What a body held, as far as it could be read.
///
/// ```
/// use xmlrpc_kit::debug::Decoded;
/// let d = Decoded::TooLarge { bytes: 300 << 20, method: Some("files.upload".into()) };
/// assert_eq!(d.document(), None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded {
    /// No body (a GET, or an empty POST).
    Empty,
    /// An XML-RPC document.
    Document(Document),
    /// Bytes that are not XML-RPC, and why.
    NotXmlRpc(String),
    /// A body larger than the capture limit: passed on, not decoded.
    TooLarge {
        /// Its size on the wire.
        bytes: u64,
        /// The method it calls, when its first bytes name it.
        method: Option<String>,
    },
}

impl Decoded {
    /// The document, when the body was one.
    ///
    /// ```
    /// assert!(xmlrpc_kit::debug::Decoded::Empty.document().is_none());
    /// ```
    pub fn document(&self) -> Option<&Document> {
        match self {
            Decoded::Document(d) => Some(d),
            _ => None,
        }
    }
}

/// The first bytes of a body and its whole length.
#[derive(Debug)]
pub(crate) struct Capture {
    /// The first bytes, always (the method's name is there).
    head: Vec<u8>,
    bytes: Vec<u8>,
    total: u64,
    limit: usize,
}

impl Capture {
    pub(crate) fn new(limit: usize) -> Self {
        Capture {
            head: Vec::new(),
            bytes: Vec::new(),
            total: 0,
            limit,
        }
    }

    pub(crate) fn push(&mut self, data: &[u8]) {
        self.total += data.len() as u64;
        let room = HEAD.saturating_sub(self.head.len()).min(data.len());
        self.head.extend_from_slice(&data[..room]);
        if self.bytes.len() + data.len() <= self.limit {
            self.bytes.extend_from_slice(data);
        } else {
            // Past the limit nothing more is kept (and what was kept is no use).
            self.bytes = Vec::new();
            self.limit = 0;
        }
    }

    /// The bytes on the wire.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// What the body decodes to (`gzip`: it is gzipped, inflated here within the limit).
    pub(crate) fn decode(&self, gzip: bool) -> Decoded {
        if self.total == 0 {
            return Decoded::Empty;
        }
        if self.total > self.bytes.len() as u64 {
            return Decoded::TooLarge {
                bytes: self.total,
                method: (!gzip).then(|| method_in(&self.head)).flatten(),
            };
        }
        decode_bytes(&self.bytes, gzip, self.limit)
    }
}

/// How many first bytes are always kept.
const HEAD: usize = 4096;

/// The `<methodName>` in a body's first bytes.
fn method_in(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    let start = text.find("<methodName>")? + "<methodName>".len();
    let end = text[start..].find("</methodName>")?;
    Some(text[start..start + end].trim().to_owned())
}

/// What `bytes` decode to; gzip inflated up to `limit` bytes.
pub(crate) fn decode_bytes(bytes: &[u8], gzip: bool, limit: usize) -> Decoded {
    if bytes.is_empty() {
        return Decoded::Empty;
    }
    let inflated;
    let xml = if gzip {
        let mut out = Vec::new();
        let reader = flate2::read::MultiGzDecoder::new(bytes);
        match reader.take(limit as u64 + 1).read_to_end(&mut out) {
            Ok(n) if n > limit => {
                return Decoded::TooLarge {
                    bytes: bytes.len() as u64,
                    method: None,
                }
            }
            Ok(_) => {}
            Err(e) => return Decoded::NotXmlRpc(format!("bad gzip: {e}")),
        }
        inflated = out;
        &inflated[..]
    } else {
        bytes
    };
    match codec::read_document(xml) {
        Ok(document) => Decoded::Document(document),
        Err(e) => Decoded::NotXmlRpc(e.to_string()),
    }
}

/// A body passed through unchanged while its bytes are copied into a [`Capture`]; `on_end`
/// runs once, when the body ends or is dropped.
pub(crate) struct Tee {
    inner: Incoming,
    capture: Arc<Mutex<Capture>>,
    on_end: Option<Box<dyn FnOnce() + Send>>,
}

impl Tee {
    pub(crate) fn new(
        inner: Incoming,
        capture: Arc<Mutex<Capture>>,
        on_end: Option<Box<dyn FnOnce() + Send>>,
    ) -> Self {
        Tee {
            inner,
            capture,
            on_end,
        }
    }

    fn end(&mut self) {
        if let Some(on_end) = self.on_end.take() {
            on_end();
        }
    }
}

impl Body for Tee {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some(data), Ok(mut capture)) = (frame.data_ref(), this.capture.lock()) {
                    capture.push(data);
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(None) => {
                this.end();
                Poll::Ready(None)
            }
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for Tee {
    fn drop(&mut self) {
        self.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_whole_body_within_the_limit_is_decoded() {
        let call = b"<methodCall><methodName>add</methodName><params><param><value><int>8</int></value></param></params></methodCall>";
        let mut c = Capture::new(1024);
        c.push(&call[..10]);
        c.push(&call[10..]);
        assert!(
            matches!(c.decode(false), Decoded::Document(Document::Call(ref m)) if m.method_name == "add")
        );
        let mut small = Capture::new(16);
        small.push(call);
        assert_eq!(
            small.decode(false),
            Decoded::TooLarge {
                bytes: call.len() as u64,
                method: Some("add".into())
            }
        );
        assert_eq!(Capture::new(4).decode(false), Decoded::Empty);
        let gz = crate::http::body::gzip(call).unwrap();
        assert!(matches!(
            decode_bytes(&gz, true, 1024),
            Decoded::Document(_)
        ));
        assert!(matches!(
            decode_bytes(b"<x/>", false, 1024),
            Decoded::NotXmlRpc(_)
        ));
    }
}
