//! Bytes as a CGI request (`XmlRpcService::answer_cgi`, what `Server::serve_cgi` runs): the
//! input is `NAME=VALUE` lines (the environment a web server sets) up to a blank line, then
//! the body on stdin. The answer must always be a `Status:` line, headers and a body, and
//! the server must never panic, whatever the variables say.

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
            .config(
                ServerConfig::default()
                    .max_body_size(1 << 20)
                    .body_read_timeout(Duration::from_millis(200)),
            )
            .into_service()
            .unwrap()
    })
}

/// The variables and the body of `data`.
fn split(data: &[u8]) -> (Vec<(Vec<u8>, Vec<u8>)>, &[u8]) {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let vars = head
        .split(|&b| b == b'\n')
        .filter_map(|line| {
            let at = line.iter().position(|&b| b == b'=')?;
            Some((line[..at].to_vec(), line[at + 1..].to_vec()))
        })
        .collect();
    (vars, body)
}

fuzz_target!(|data: &[u8]| {
    let (vars, body) = split(data);
    let mut output = Vec::new();
    let written = runtime().block_on(async {
        tokio::time::timeout(
            Duration::from_secs(5),
            service().answer_cgi(&vars, body, &mut output),
        )
        .await
    });
    assert!(
        matches!(written, Ok(Ok(()))),
        "the answer was not written: {written:?}"
    );
    assert!(
        output.starts_with(b"Status: "),
        "not a CGI answer: {:?}",
        String::from_utf8_lossy(&output[..output.len().min(200)])
    );
});
