//! Reading a whole body within limits (client replies and server requests alike): the
//! declared length is checked before reading, the running total while reading, and a gzip
//! body is inflated only up to its cap.

use bytes::{Buf, Bytes, BytesMut};
use http_body_util::BodyExt;
use std::io::Read;
use std::time::Duration;

/// Why a body was refused; on the server each maps to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BodyError {
    #[error("the body exceeds the limit of {0} bytes")]
    TooLarge(u64),
    #[error("the body exceeds the limit of {0} bytes once decompressed")]
    InflatesTooLarge(u64),
    #[error("the body did not arrive within {0:?}")]
    Timeout(Duration),
    #[error("the body could not be read: {0}")]
    Read(String),
    #[error("unsupported Content-Encoding `{0}` (gzip and identity are understood)")]
    UnsupportedEncoding(String),
    #[error("the gzip body is corrupt: {0}")]
    BadGzip(String),
}

/// Reads a whole body, refusing it as soon as it passes `limit` bytes.
pub(crate) async fn read_limited<B>(
    body: B,
    declared: Option<u64>,
    limit: u64,
    timeout: Duration,
) -> Result<Bytes, BodyError>
where
    B: hyper::body::Body,
    B::Error: std::fmt::Display,
{
    if declared.is_some_and(|n| n > limit) {
        return Err(BodyError::TooLarge(limit));
    }
    tokio::time::timeout(timeout, collect(body, declared, limit))
        .await
        .map_err(|_| BodyError::Timeout(timeout))?
}

async fn collect<B>(body: B, declared: Option<u64>, limit: u64) -> Result<Bytes, BodyError>
where
    B: hyper::body::Body,
    B::Error: std::fmt::Display,
{
    /// The first buffer is sized from the declared length only up to this much.
    const FIRST_BUFFER_MAX: u64 = 1 << 20;
    let mut body = std::pin::pin!(body);
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    let mut total: u64 = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Read(e.to_string()))?;
        let Ok(mut data) = frame.into_data() else {
            continue;
        };
        let data = data.copy_to_bytes(data.remaining());
        total += data.len() as u64;
        if total > limit {
            return Err(BodyError::TooLarge(limit));
        }
        match (&mut first, &mut joined) {
            (None, None) => first = Some(data),
            (Some(head), None) => {
                let capacity = declared.unwrap_or(0).min(FIRST_BUFFER_MAX).max(total) as usize;
                let mut buf = BytesMut::with_capacity(capacity);
                buf.extend_from_slice(head);
                buf.extend_from_slice(&data);
                first = None;
                joined = Some(buf);
            }
            (_, Some(buf)) => buf.extend_from_slice(&data),
        }
    }
    Ok(match (first, joined) {
        (_, Some(buf)) => buf.freeze(),
        (Some(only), None) => only,
        (None, None) => Bytes::new(),
    })
}

/// Undoes a body's `Content-Encoding`, inflating at most `limit` bytes.
pub(crate) fn decode_content(
    body: Bytes,
    encoding: Option<&str>,
    limit: u64,
) -> Result<Bytes, BodyError> {
    if !is_gzip(encoding)? {
        return Ok(body);
    }
    let mut out = Vec::with_capacity((body.len() * 4).min(1 << 20));
    flate2::read::MultiGzDecoder::new(&body[..])
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| BodyError::BadGzip(e.to_string()))?;
    if out.len() as u64 > limit {
        return Err(BodyError::InflatesTooLarge(limit));
    }
    Ok(Bytes::from(out))
}

/// Whether a body's `Content-Encoding` is gzip (`false` for identity or none); any
/// other coding is refused.
pub(crate) fn is_gzip(encoding: Option<&str>) -> Result<bool, BodyError> {
    let encoding = encoding.map(str::trim).unwrap_or("identity");
    if encoding.eq_ignore_ascii_case("identity") || encoding.is_empty() {
        return Ok(false);
    }
    if encoding.eq_ignore_ascii_case("gzip") || encoding.eq_ignore_ascii_case("x-gzip") {
        return Ok(true);
    }
    Err(BodyError::UnsupportedEncoding(
        encoding.chars().take(40).collect(),
    ))
}

/// Gzips a body.
pub(crate) fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    encoder.write_all(body)?;
    encoder.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gzip_bomb_stops_at_the_cap() {
        let bomb = gzip(&vec![b'a'; 10 << 20]).unwrap();
        assert!(bomb.len() < 100_000);
        let err = decode_content(Bytes::from(bomb), Some("gzip"), 1 << 20).unwrap_err();
        assert!(matches!(err, BodyError::InflatesTooLarge(_)), "{err}");
    }

    #[test]
    fn gzip_round_trips_and_unknown_encodings_are_refused() {
        let packed = gzip(b"hello").unwrap();
        assert_eq!(
            &decode_content(Bytes::from(packed), Some("gzip"), 10).unwrap()[..],
            b"hello"
        );
        assert!(matches!(
            decode_content(Bytes::from_static(b"x"), Some("br"), 10),
            Err(BodyError::UnsupportedEncoding(_))
        ));
        assert!(matches!(
            decode_content(Bytes::from_static(b"not gzip"), Some("gzip"), 10),
            Err(BodyError::BadGzip(_))
        ));
    }
}
