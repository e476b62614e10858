//! Bytes as an SCGI connection to the server (`XmlRpcService::serve_scgi`, what an
//! `scgi://` listener runs per connection): the netstring header block, its pairs, the CGI
//! variables they carry, the body against `CONTENT_LENGTH`, then the endpoint. The server
//! must never panic, and must answer with a `Status:` line or close without a word.
//!
//! The first byte picks the shape: bit 0 clear, the rest is the connection's bytes, raw;
//! bit 0 set, the rest is the body, sent after a well-formed header block whose
//! `CONTENT_LENGTH` is the body's length (bit 1: off by the second byte, plus or minus).

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::Duration;
use xmlrpc_kit::server::{Server, ServerConfig, XmlRpcService};
use xmlrpc_kit::Value;
use xmlrpc_kit_fuzz::runtime;

fn service() -> &'static XmlRpcService {
    static SERVICE: OnceLock<XmlRpcService> = OnceLock::new();
    SERVICE.get_or_init(|| {
        Server::new()
            .method("add", |x: i32, y: i32| x + y)
            .method("echo", |v: Value| v)
            .with_introspection()
            .with_multicall()
            .config(
                ServerConfig::default()
                    .max_body_size(1 << 20)
                    .max_header_size(4096)
                    .header_read_timeout(Duration::from_millis(200))
                    .body_read_timeout(Duration::from_millis(200)),
            )
            .into_service()
            .unwrap()
    })
}

fn connection(data: &[u8]) -> Vec<u8> {
    let Some((&shape, rest)) = data.split_first() else {
        return Vec::new();
    };
    if shape & 1 == 0 {
        return rest.to_vec();
    }
    let (skew, body) = match rest.split_first() {
        Some((&skew, body)) if shape & 2 != 0 => (i64::from(skew as i8), body),
        _ => (0, rest),
    };
    let length = (body.len() as i64 + skew).max(0);
    let block = format!(
        "CONTENT_LENGTH\0{length}\0SCGI\x001\0REQUEST_METHOD\0POST\0REQUEST_URI\0/RPC2\0CONTENT_TYPE\0text/xml\0"
    );
    let mut wire = format!("{}:{block},", block.len()).into_bytes();
    wire.extend_from_slice(body);
    wire
}

fuzz_target!(|data: &[u8]| {
    let input = connection(data);
    let output = runtime().block_on(xmlrpc_kit_fuzz::exchange(input, |server| async move {
        service().serve_scgi(server).await
    }));
    assert!(
        output.is_empty() || output.starts_with(b"Status: "),
        "not a CGI-style answer: {:?}",
        String::from_utf8_lossy(&output[..output.len().min(200)])
    );
});
