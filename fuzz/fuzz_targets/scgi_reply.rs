//! Bytes as an SCGI server's reply to our client (`AsyncClient` on an `scgi://` URL): the
//! CGI-style head (`Status:` or an `HTTP/1.x` line, headers, the blank line), its
//! `Content-Length`, then the body through the reply reader. A loopback server reads the
//! call and answers with the input. The client must never panic or hang: any outcome, a
//! result, a fault or an error, is fine.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use xmlrpc_kit::{AsyncClient, Value};
use xmlrpc_kit_fuzz::runtime;

struct Peer {
    listener: tokio::net::TcpListener,
    client: AsyncClient,
}

fn peer() -> &'static Peer {
    static PEER: OnceLock<Peer> = OnceLock::new();
    PEER.get_or_init(|| {
        runtime().block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!("scgi://{}", listener.local_addr().unwrap());
            let client = AsyncClient::builder(&url)
                .timeout(Duration::from_secs(2))
                .max_body_size(1 << 20)
                .build()
                .unwrap();
            Peer { listener, client }
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let reply = data.to_vec();
    let peer = peer();
    runtime().block_on(async move {
        let server = async {
            let Ok((mut stream, _)) = peer.listener.accept().await else {
                return;
            };
            // Read the whole call first: closing with it unread would reset the connection.
            let mut call = Vec::new();
            let mut chunk = [0u8; 4096];
            while !call.ends_with(b"</methodCall>") {
                match tokio::time::timeout(Duration::from_secs(1), stream.read(&mut chunk)).await {
                    Ok(Ok(n)) if n > 0 => call.extend_from_slice(&chunk[..n]),
                    _ => break,
                }
            }
            let _ = stream.write_all(&reply).await;
            let _ = stream.shutdown().await;
        };
        let call = peer.client.call::<Value, _>("echo", ("fuzz",));
        let ((), _outcome) = tokio::join!(server, call);
    });
});
