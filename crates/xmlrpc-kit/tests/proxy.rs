//! Calls through a real forward proxy, tinyproxy: plain HTTP (requests in absolute form),
//! HTTPS through a `CONNECT` tunnel, proxy Basic auth, and `no_proxy` bypassing it. The
//! proxy's own log shows which requests went through it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;
use test_support::apps::{self, App};
use xmlrpc_kit::client::Error;
use xmlrpc_kit::server::{Server, ServerHandle, TlsConfig};
use xmlrpc_kit::Client;

fn methods() -> Server {
    Server::new().method("add", |x: i32, y: i32| x + y)
}

/// tinyproxy in `dir`, or `None` (skipped) where it is not installed off CI.
fn tinyproxy(dir: &std::path::Path, auth: Option<(&str, &str)>) -> Option<App> {
    if !test_support::peer::have("tinyproxy") {
        test_support::peer::skip("tinyproxy", "tinyproxy");
        return None;
    }
    Some(apps::tinyproxy(dir, auth).unwrap())
}

/// Waits until the proxy's log has `count` requests, and gives them.
fn logged(proxy: &App, count: usize) -> Vec<String> {
    test_support::wait::until(Duration::from_secs(5), || {
        apps::tinyproxy_log(proxy).len() >= count
    });
    apps::tinyproxy_log(proxy)
}

fn tls_server(dir: &std::path::Path) -> (ServerHandle, Vec<u8>) {
    let certs = test_support::tls::make_ca(dir);
    let tls = TlsConfig::from_pem_files(&certs.cert, &certs.key).unwrap();
    let server = methods().tls(tls).spawn("127.0.0.1:0").unwrap();
    (server, std::fs::read(&certs.ca).unwrap())
}

#[test]
fn plain_http_and_https_go_through_the_proxy_and_no_proxy_bypasses_it() {
    let dir = test_support::temp_dir("proxy-plain");
    let Some(proxy) = tinyproxy(dir.path(), None) else {
        return;
    };
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    let server = methods().spawn("127.0.0.1:0").unwrap();
    let url = server.url();

    let client = Client::builder(&url).proxy(&proxy_url).build().unwrap();
    for i in 0..3 {
        assert_eq!(client.call::<i32, _>("add", (i, 1)).unwrap(), i + 1);
    }
    let lines = logged(&proxy, 3);
    assert_eq!(lines.len(), 3, "{lines:?}");
    for line in &lines {
        assert!(line.ends_with(&format!("POST {url} HTTP/1.1")), "{line}");
    }

    // HTTPS: one CONNECT tunnel, the TLS handshake with the server inside it.
    let (tls, ca) = tls_server(&dir.path().join("ca"));
    let client = Client::builder(&tls.url())
        .root_certificates_pem(&ca)
        .proxy(&proxy_url)
        .build()
        .unwrap();
    assert_eq!(client.call::<i32, _>("add", (20, 22)).unwrap(), 42);
    assert_eq!(client.call::<i32, _>("add", (1, 1)).unwrap(), 2);
    let lines = logged(&proxy, 4);
    let port = tls.local_addr().port();
    assert_eq!(
        lines[3..],
        [format!("CONNECT 127.0.0.1:{port} HTTP/1.1")],
        "one tunnel, kept alive: {lines:?}"
    );

    // no_proxy: the server's address bypasses the proxy, which sees nothing more.
    for list in ["127.0.0.1", "localhost, 127.0.0.0/8", "*"] {
        let client = Client::builder(&url)
            .proxy(&proxy_url)
            .no_proxy_for(list)
            .build()
            .unwrap();
        assert_eq!(client.call::<i32, _>("add", (2, 2)).unwrap(), 4);
    }
    let client = Client::builder(&url)
        .proxy(&proxy_url)
        .no_proxy_for(&format!("127.0.0.1:{}", server.local_addr().port() + 1))
        .build()
        .unwrap();
    assert_eq!(client.call::<i32, _>("add", (3, 3)).unwrap(), 6);
    let lines = logged(&proxy, 5);
    assert_eq!(
        lines.len(),
        5,
        "only the port-mismatched no_proxy went through: {lines:?}"
    );
    // A Unix socket never goes through a proxy.
    let sock = dir.path().join("rpc.sock");
    let unix = methods()
        .spawn(xmlrpc_kit::server::Bind::unix(&sock))
        .unwrap();
    let client = Client::builder(&unix.url())
        .proxy(&proxy_url)
        .build()
        .unwrap();
    assert_eq!(client.call::<i32, _>("add", (4, 4)).unwrap(), 8);
    assert_eq!(apps::tinyproxy_log(&proxy).len(), 5);
}

#[test]
fn proxy_basic_auth_is_sent_for_http_and_with_connect_for_https() {
    let dir = test_support::temp_dir("proxy-auth");
    let Some(proxy) = tinyproxy(dir.path(), Some(("alice", "s3cret"))) else {
        return;
    };
    let server = methods().spawn("127.0.0.1:0").unwrap();
    let (tls, ca) = tls_server(&dir.path().join("ca"));
    let port = proxy.port();

    // Plain HTTP and HTTPS calls to the servers through the proxy at `proxy_url`.
    let http = |proxy_url: &str| {
        Client::builder(&server.url())
            .proxy(proxy_url)
            .build()
            .unwrap()
    };
    let https = |proxy_url: &str| {
        Client::builder(&tls.url())
            .root_certificates_pem(&ca)
            .proxy(proxy_url)
            .build()
            .unwrap()
    };
    let refused_tunnel = |err: Error| {
        assert!(
            err.chain().contains("the proxy wants authentication"),
            "{}",
            err.chain()
        );
    };

    // Without credentials: the proxy's 407, said as such.
    let bare = format!("http://127.0.0.1:{port}");
    let err = http(&bare).call::<i32, _>("add", (1, 1)).unwrap_err();
    assert!(matches!(err, Error::Status { status: 407, .. }), "{err:?}");
    refused_tunnel(https(&bare).call::<i32, _>("add", (1, 1)).unwrap_err());
    // Wrong ones: refused too (tinyproxy answers those with 401).
    let wrong = format!("http://alice:nope@127.0.0.1:{port}");
    let err = http(&wrong).call::<i32, _>("add", (1, 1)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Status {
                status: 401 | 407,
                ..
            }
        ),
        "{err:?}"
    );
    refused_tunnel(https(&wrong).call::<i32, _>("add", (1, 1)).unwrap_err());

    // With them (percent-encoding allowed), both ways.
    let good = format!("http://alice:s3%63ret@127.0.0.1:{port}");
    let client = http(&good);
    assert_eq!(client.call::<i32, _>("add", (5, 5)).unwrap(), 10);
    assert_eq!(https(&good).call::<i32, _>("add", (6, 6)).unwrap(), 12);
    let lines = apps::tinyproxy_log(&proxy);
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("POST {} ", server.url()))),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&format!("CONNECT 127.0.0.1:{}", tls.local_addr().port()))),
        "{lines:?}"
    );
}

#[test]
fn unusable_proxy_urls_are_refused_when_building() {
    let err = Client::builder("http://127.0.0.1:1/RPC2")
        .proxy("socks5://127.0.0.1:1080")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Proxy { .. }), "{err:?}");
    assert!(err.to_string().contains("socks5"), "{err}");
}
