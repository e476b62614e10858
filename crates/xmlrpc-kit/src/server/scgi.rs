//! SCGI framing (<https://python.ca/scgi/protocol.txt>): a netstring of NUL-separated
//! header pairs, `CONTENT_LENGTH` first and `SCGI` = `1` among them, then the body; the
//! answer is CGI-style (`Status:`, headers, body), and the connection closes after it.
//! The header block is read within the header size limit and timeout: a hostile length is
//! refused from its digits, before anything is buffered for it.

use super::gateway::{self, GatewayError, Head};
use super::service::{self, Shared};
use crate::http::stream_body::StreamBody;
use bytes::Bytes;
use hyper::{Response, StatusCode};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufRead, AsyncRead, AsyncReadExt, AsyncWrite, BufReader};

/// Why an SCGI request was refused before it reached the endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ScgiError {
    #[error("the SCGI header block does not start with a netstring length")]
    NoLength,
    #[error("the SCGI header block's length is over the limit of {0} bytes")]
    TooLarge(usize),
    #[error("the SCGI header block is not a netstring (no `,` after it)")]
    NoComma,
    #[error("the SCGI header block is cut short")]
    Truncated,
    #[error("the SCGI headers are not NUL-terminated name/value pairs")]
    Malformed,
    #[error("the first SCGI header must be CONTENT_LENGTH")]
    LengthNotFirst,
    #[error("the SCGI header `SCGI: 1` is missing")]
    NotScgi,
    #[error("the SCGI header `{0}` appears twice")]
    Duplicate(String),
    #[error("{0}")]
    Gateway(#[from] GatewayError),
    #[error("the SCGI headers did not arrive within {0:?}")]
    Timeout(Duration),
}

/// Reads a netstring's payload: `<digits>:<payload>,`, at most `max` bytes of payload.
pub(crate) async fn read_netstring<R: AsyncBufRead + Unpin>(
    input: &mut R,
    max: usize,
) -> Result<Vec<u8>, ScgiError> {
    let mut length: usize = 0;
    let mut digits = 0;
    loop {
        let byte = match input.read_u8().await {
            Ok(b) => b,
            Err(_) if digits == 0 => return Err(ScgiError::NoLength),
            Err(_) => return Err(ScgiError::Truncated),
        };
        match byte {
            b'0'..=b'9' => {
                digits += 1;
                length = length
                    .checked_mul(10)
                    .and_then(|l| l.checked_add(usize::from(byte - b'0')))
                    .filter(|&l| l <= max)
                    .ok_or(ScgiError::TooLarge(max))?;
            }
            b':' if digits > 0 => break,
            _ => return Err(ScgiError::NoLength),
        }
    }
    let mut block = vec![0; length];
    input
        .read_exact(&mut block)
        .await
        .map_err(|_| ScgiError::Truncated)?;
    match input.read_u8().await {
        Ok(b',') => Ok(block),
        Ok(_) => Err(ScgiError::NoComma),
        Err(_) => Err(ScgiError::Truncated),
    }
}

/// The header pairs of a block, checked as the spec asks: NUL-terminated pairs,
/// `CONTENT_LENGTH` first, `SCGI` = `1` present, no name twice.
#[allow(clippy::type_complexity)] // name and value pairs, borrowed from the block
pub(crate) fn parse_headers(block: &[u8]) -> Result<Vec<(&[u8], &[u8])>, ScgiError> {
    let Some(body) = block.strip_suffix(b"\0") else {
        return Err(ScgiError::Malformed);
    };
    let mut fields = body.split(|&b| b == 0);
    let mut pairs: Vec<(&[u8], &[u8])> = Vec::new();
    while let Some(name) = fields.next() {
        let value = fields.next().ok_or(ScgiError::Malformed)?;
        if name.is_empty() {
            return Err(ScgiError::Malformed);
        }
        if pairs.iter().any(|(n, _)| *n == name) {
            return Err(ScgiError::Duplicate(
                String::from_utf8_lossy(name).chars().take(40).collect(),
            ));
        }
        pairs.push((name, value));
    }
    if pairs.first().map(|(n, _)| *n) != Some(b"CONTENT_LENGTH".as_slice()) {
        return Err(ScgiError::LengthNotFirst);
    }
    if !pairs.iter().any(|(n, v)| *n == b"SCGI" && *v == b"1") {
        return Err(ScgiError::NotScgi);
    }
    Ok(pairs)
}

/// Reads one request's head: the netstring within `timeout`, then its headers.
pub(crate) async fn read_head<R: AsyncBufRead + Unpin>(
    input: &mut R,
    max: usize,
    timeout: Duration,
) -> Result<Head, ScgiError> {
    let block = tokio::time::timeout(timeout, read_netstring(input, max))
        .await
        .map_err(|_| ScgiError::Timeout(timeout))??;
    let pairs = parse_headers(&block)?;
    Ok(Head::from_vars(pairs)?)
}

impl super::XmlRpcService {
    /// Serves one SCGI request on `stream` (an accepted connection from a web server's
    /// `scgi_pass`, say), answers it, and closes it: for running the endpoint under an
    /// accept loop of your own. [`Server::spawn`](super::Server::spawn) with an `scgi://`
    /// address does this for each connection.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use tokio::io::{AsyncReadExt, AsyncWriteExt};
    /// let service = xmlrpc_kit::Server::new().method("ping", || true).into_service()?;
    /// let (mut front, back) = tokio::io::duplex(4096);
    /// let serving = tokio::spawn(async move { service.serve_scgi(back).await });
    /// let call = b"<?xml version=\"1.0\"?><methodCall><methodName>ping</methodName></methodCall>";
    /// let head = format!("CONTENT_LENGTH\0{}\0SCGI\x001\0", call.len());
    /// front.write_all(format!("{}:{head},", head.len()).as_bytes()).await?;
    /// front.write_all(call).await?;
    /// let mut reply = String::new();
    /// front.read_to_string(&mut reply).await?;
    /// assert!(reply.starts_with("Status: 200 OK\r\n") && reply.contains("<boolean>1</boolean>"));
    /// serving.await?;
    /// # Ok(()) }
    /// ```
    pub async fn serve_scgi<S>(&self, stream: S)
    where
        S: AsyncRead + AsyncWrite + Unpin,
    {
        serve_connection(std::sync::Arc::clone(&self.shared), stream, None).await;
    }
}

/// Serves one SCGI request on `stream`, then closes it.
pub(crate) async fn serve_connection<S>(shared: Arc<Shared>, stream: S, peer: Option<SocketAddr>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut input = BufReader::with_capacity(16 << 10, read);
    let config = &shared.config;
    let response = match read_head(
        &mut input,
        config.max_header_size,
        config.header_read_timeout,
    )
    .await
    {
        Ok(head) => {
            let peer = head.remote.or(peer);
            let length = head.content_length;
            let request = head.into_request(StreamBody::new(&mut input, Some(length)));
            service::handle(Arc::clone(&shared), request, peer, None).await
        }
        Err(e) => {
            tracing::debug!(target: "xmlrpc_kit::access", peer = %service::Peer(peer), error = %e, "SCGI request refused");
            let status = match e {
                ScgiError::TooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                ScgiError::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
                _ => StatusCode::BAD_REQUEST,
            };
            let mut response =
                Response::new(service::ResponseBody::from(Bytes::from(format!("{e}\n"))));
            *response.status_mut() = status;
            response
        }
    };
    if let Err(e) = gateway::write_response(&mut write, response).await {
        tracing::debug!("SCGI reply to {} not sent whole: {e}", service::Peer(peer));
        return;
    }
    // Half-close, then drop what the client may still send (a body longer than it said),
    // briefly: closing with unread data would reset the connection and could lose the reply.
    let _ = tokio::io::AsyncWriteExt::shutdown(&mut write).await;
    let mut sink = [0u8; 8192];
    let mut dropped = 0usize;
    let _ = tokio::time::timeout(Duration::from_millis(500), async {
        while dropped < (256 << 10) {
            match input.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(n) => dropped += n,
            }
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn netstring(input: &[u8], max: usize) -> Result<Vec<u8>, ScgiError> {
        read_netstring(&mut &input[..], max).await
    }

    #[tokio::test]
    async fn the_spec_example_reads() {
        let block = b"CONTENT_LENGTH\x0027\x00SCGI\x001\x00REQUEST_METHOD\x00POST\x00REQUEST_URI\x00/deepthought\x00";
        let mut wire = format!("{}:", block.len()).into_bytes();
        wire.extend_from_slice(block);
        wire.extend_from_slice(b",What is the answer to life?");
        let mut input = &wire[..];
        let head = read_head(&mut input, 1024, Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(head.content_length, 27);
        assert_eq!(head.uri, "/deepthought");
        assert_eq!(input, b"What is the answer to life?");
    }

    #[tokio::test]
    async fn hostile_lengths_are_refused_from_their_digits() {
        assert_eq!(
            netstring(b"9223372036854775808:", 65536).await,
            Err(ScgiError::TooLarge(65536))
        );
        assert_eq!(
            netstring(b"65537:", 65536).await,
            Err(ScgiError::TooLarge(65536))
        );
        assert_eq!(netstring(b":x,", 10).await, Err(ScgiError::NoLength));
        assert_eq!(
            netstring(b"POST / HTTP/1.1", 10).await,
            Err(ScgiError::NoLength)
        );
        assert_eq!(netstring(b"3:abc;", 10).await, Err(ScgiError::NoComma));
        assert_eq!(netstring(b"5:ab", 10).await, Err(ScgiError::Truncated));
        assert_eq!(netstring(b"3:abc,", 10).await.unwrap(), b"abc");
    }

    #[test]
    fn headers_follow_the_spec() {
        let ok = parse_headers(b"CONTENT_LENGTH\x000\x00SCGI\x001\x00").unwrap();
        assert_eq!(ok.len(), 2);
        for (block, err) in [
            (
                &b"SCGI\x001\x00CONTENT_LENGTH\x000\x00"[..],
                ScgiError::LengthNotFirst,
            ),
            (b"CONTENT_LENGTH\x000\x00", ScgiError::NotScgi),
            (b"CONTENT_LENGTH\x000\x00SCGI\x001", ScgiError::Malformed),
            (b"CONTENT_LENGTH\x000\x00SCGI\x00", ScgiError::Malformed),
            (
                b"CONTENT_LENGTH\x000\x00SCGI\x001\x00SCGI\x001\x00",
                ScgiError::Duplicate("SCGI".into()),
            ),
            (b"", ScgiError::Malformed),
        ] {
            assert_eq!(parse_headers(block).unwrap_err(), err, "{block:?}");
        }
    }
}
