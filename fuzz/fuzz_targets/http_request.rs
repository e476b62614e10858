//! Bytes as an HTTP request to the server, over an in-memory pipe to hyper and the
//! endpoint (routing, Basic authentication, body limits, gzip, the reader, dispatch,
//! multicall). The server must never panic, and must answer every request it can parse
//! with a well-formed HTTP response; an XML-RPC answer must read back as a response.
//!
//! The first byte picks the shape:
//! - bit 0 clear: the rest is the whole request, raw (request line, headers, body);
//! - bit 0 set: the rest is the body of `POST /RPC2` with a correct Content-Length;
//!   bit 1 gzips that body, bit 2 sends it chunked instead, bit 3 adds good credentials,
//!   bit 4 bad ones.
//!
//! Bit 5 picks the server: an open one, or one behind Basic auth with an authorisation hook.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Write;
use std::sync::OnceLock;
use std::time::Duration;
use xmlrpc_kit::codec;
use xmlrpc_kit::server::{BasicAuth, Server, ServerConfig, XmlRpcService};
use xmlrpc_kit::Value;
use xmlrpc_kit_fuzz::runtime;

/// `openssl passwd -5 -salt 'rounds=1000$fuzz' secret`: few rounds, so a check is quick.
const HASH: &str = "$5$rounds=1000$fuzz$fjTKr0k.Bi4eU6o5QkRxG3CWf7yrVbycS7yPGz7Vua1";
/// `fuzzer:secret` in base64.
const GOOD: &str = "Basic ZnV6emVyOnNlY3JldA==";

fn config() -> ServerConfig {
    ServerConfig::default()
        .max_body_size(1 << 20)
        .max_decompressed_size(1 << 20)
        .body_read_timeout(Duration::from_secs(2))
}

fn methods() -> Server {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("echo", |v: Value| v)
        .method("concat", |a: String, b: Vec<String>| a + &b.concat())
        .async_method("later", |v: Value| async move { v })
        .with_introspection()
        .with_multicall()
        .config(config())
}

fn services() -> &'static (XmlRpcService, XmlRpcService) {
    static SERVICES: OnceLock<(XmlRpcService, XmlRpcService)> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let open = methods().into_service().unwrap();
        let users = BasicAuth::parse(&format!("fuzzer:{HASH}\n")).unwrap();
        let guarded = methods()
            .basic_auth(users)
            .authorize(|user, method| user == Some("fuzzer") && method != "echo")
            .into_service()
            .unwrap();
        (open, guarded)
    })
}

/// The request bytes for input `data`.
fn request(shape: u8, rest: &[u8]) -> Vec<u8> {
    if shape & 1 == 0 {
        return rest.to_vec();
    }
    let mut body = rest.to_vec();
    let mut head = String::from("POST /RPC2 HTTP/1.1\r\nHost: fuzz\r\nContent-Type: text/xml\r\n");
    if shape & 2 != 0 {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&body).unwrap();
        body = encoder.finish().unwrap();
        head.push_str("Content-Encoding: gzip\r\nAccept-Encoding: gzip\r\n");
    }
    if shape & 8 != 0 {
        head.push_str(&format!("Authorization: {GOOD}\r\n"));
    } else if shape & 16 != 0 {
        head.push_str("Authorization: Basic ZnV6emVyOndyb25n\r\n");
    }
    let mut out = head.into_bytes();
    if shape & 4 != 0 {
        out.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
        for chunk in body.chunks(7) {
            out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            out.extend_from_slice(chunk);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        out.extend_from_slice(&body);
    }
    out
}

/// Serves one connection carrying `input`, and returns what the server wrote.
async fn exchange(service: XmlRpcService, input: Vec<u8>) -> Vec<u8> {
    xmlrpc_kit_fuzz::exchange(input, |server| async move {
        let service = hyper::service::service_fn(move |request| {
            let mut service = service.clone();
            async move { tower_service::Service::call(&mut service, request).await }
        });
        let _ = hyper::server::conn::http1::Builder::new()
            .keep_alive(true)
            .serve_connection(hyper_util::rt::TokioIo::new(server), service)
            .await;
    })
    .await
}

/// The first response's body, by its Content-Length.
fn first_body(output: &[u8]) -> Option<&[u8]> {
    let end = output.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&output[..end]).ok()?;
    let length: usize = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())
            .flatten()
    })?;
    output.get(end + 4..end + 4 + length)
}

fuzz_target!(|data: &[u8]| {
    let Some((&shape, rest)) = data.split_first() else {
        return;
    };
    let (open, guarded) = services();
    let service = if shape & 32 != 0 { guarded } else { open }.clone();
    let input = request(shape, rest);
    let output = runtime().block_on(exchange(service, input));
    if output.is_empty() {
        return;
    }
    assert!(
        output.starts_with(b"HTTP/1.1 ") || output.starts_with(b"HTTP/1.0 "),
        "not an HTTP response: {:?}",
        String::from_utf8_lossy(&output[..output.len().min(200)])
    );
    // A 200 to a POST is XML-RPC (unless gzipped): its body must read as a response.
    let head = &output[..output.len().min(4096)];
    let gzipped = head
        .windows(16)
        .any(|w| w.eq_ignore_ascii_case(b"content-encoding"));
    if shape & 1 == 1 && output[8..].starts_with(b" 200") && !gzipped {
        if let Some(body) = first_body(&output) {
            assert!(
                codec::read_response(body).is_ok(),
                "the server wrote an unreadable response: {:?}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
    }
});
