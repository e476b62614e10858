//! A body read straight off a byte stream, for the framings that are not HTTP/1.1 (SCGI and
//! CGI requests, SCGI replies): exactly `length` bytes when the length is known (a stream
//! that ends sooner is an error, not a short body), or everything up to the end.

use bytes::{Bytes, BytesMut};
use hyper::body::{Body, Frame, SizeHint};
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, ReadBuf};

/// How much is asked of the stream at a time.
const CHUNK: usize = 64 << 10;

/// The body of a request or reply on a raw stream.
pub(crate) struct StreamBody<R> {
    stream: R,
    /// Bytes still expected, when the length is known.
    left: Option<u64>,
    /// Bytes read so far.
    read: u64,
    done: bool,
}

impl<R> StreamBody<R> {
    /// `length` bytes of `stream` (`None`: up to the end of it).
    pub(crate) fn new(stream: R, length: Option<u64>) -> Self {
        StreamBody {
            stream,
            left: length,
            read: 0,
            done: length == Some(0),
        }
    }
}

impl<R: AsyncRead + Unpin> Body for StreamBody<R> {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<io::Result<Frame<Bytes>>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        let want = match this.left {
            Some(left) => usize::try_from(left).unwrap_or(usize::MAX).min(CHUNK),
            None => CHUNK,
        };
        let mut chunk = BytesMut::zeroed(want);
        let mut buf = ReadBuf::new(&mut chunk);
        match Pin::new(&mut this.stream).poll_read(cx, &mut buf) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => {
                this.done = true;
                Poll::Ready(Some(Err(e)))
            }
            Poll::Ready(Ok(())) => {
                let n = buf.filled().len();
                if n == 0 {
                    this.done = true;
                    return match this.left {
                        None => Poll::Ready(None),
                        Some(left) => Poll::Ready(Some(Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            format!(
                                "the body ended after {} bytes, {left} short of its declared length",
                                this.read
                            ),
                        )))),
                    };
                }
                this.read += n as u64;
                if let Some(left) = &mut this.left {
                    *left -= n as u64;
                    this.done = *left == 0;
                }
                chunk.truncate(n);
                Poll::Ready(Some(Ok(Frame::data(chunk.freeze()))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }

    fn size_hint(&self) -> SizeHint {
        match self.left {
            Some(left) => SizeHint::with_exact(left),
            None => SizeHint::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn a_known_length_is_read_exactly_and_a_short_stream_is_an_error() {
        let body = StreamBody::new(&b"hello, world"[..], Some(5));
        assert_eq!(&body.collect().await.unwrap().to_bytes()[..], b"hello");
        let short = StreamBody::new(&b"abc"[..], Some(10));
        let err = short.collect().await.unwrap_err();
        assert!(err.to_string().contains("7 short"), "{err}");
        let open = StreamBody::new(&b"to the end"[..], None);
        assert_eq!(&open.collect().await.unwrap().to_bytes()[..], b"to the end");
    }
}
