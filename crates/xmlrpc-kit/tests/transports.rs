//! The transports through the library, both sides: HTTP over a Unix socket (keep-alive,
//! Basic auth from the URL, the socket file's life), SCGI over TCP and a Unix socket (calls,
//! faults, a large body streamed), and hostile SCGI: each attack gets a quick refusal or a
//! close, nothing is buffered past the limits, and the server goes on serving.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};
use xmlrpc_kit::server::{BasicAuth, Bind, ServeError, ServerConfig};
use xmlrpc_kit::{Binary, Client, Fault, Server};

fn methods() -> Server {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("echo", |b: Binary| b)
        .method("fail", || -> Result<i32, Fault> {
            Err(Fault::new(7, "as asked"))
        })
        .with_introspection()
        .with_multicall()
}

#[test]
fn http_over_a_unix_socket_keeps_connections_alive_and_removes_its_file() {
    let dir = test_support::temp_dir("unix-keepalive");
    let sock = dir.path().join("rpc.sock");
    let handle = methods().spawn(Bind::unix(&sock).mode(0o600)).unwrap();
    assert_eq!(handle.url(), format!("unix://{}", sock.display()));
    let client = Client::new(&handle.url()).unwrap();
    for i in 0..5 {
        assert_eq!(client.call::<i32, _>("add", (i, i)).unwrap(), 2 * i);
    }
    assert_eq!(
        handle.connections_accepted(),
        1,
        "one kept-alive connection"
    );
    let fault = client.call::<i32, _>("fail", ()).unwrap_err();
    assert_eq!(fault.fault().map(|f| f.code), Some(7));
    // The requests-unixsocket form reaches the same server.
    let encoded = sock.display().to_string().replace('/', "%2F");
    let other = Client::new(&format!("http+unix://{encoded}/RPC2")).unwrap();
    assert_eq!(other.call::<i32, _>("add", (2, 3)).unwrap(), 5);
    handle.shutdown().unwrap();
    assert!(!sock.exists(), "the socket file is removed on shutdown");
}

#[test]
fn basic_auth_over_a_unix_socket_comes_from_the_url() {
    let dir = test_support::temp_dir("unix-auth");
    let sock = dir.path().join("rpc.sock");
    let hash = BasicAuth::hash_password("pw").unwrap();
    let users = BasicAuth::parse(&format!("me:{hash}\n")).unwrap();
    let handle = methods()
        .basic_auth(users)
        .spawn(Bind::unix(&sock))
        .unwrap();
    let encoded = sock.display().to_string().replace('/', "%2F");
    let good = Client::new(&format!("http+unix://me:pw@{encoded}/RPC2")).unwrap();
    assert_eq!(good.call::<i32, _>("add", (1, 1)).unwrap(), 2);
    let bad = Client::new(&format!("http+unix://me:nope@{encoded}/RPC2")).unwrap();
    let err = bad.call::<i32, _>("add", (1, 1)).unwrap_err().to_string();
    assert!(err.contains("401"), "{err}");
    let anonymous = Client::new(&handle.url()).unwrap();
    assert!(anonymous.call::<i32, _>("add", (1, 1)).is_err());
}

#[test]
fn tls_is_refused_on_a_unix_socket_before_anything_listens() {
    let dir = test_support::temp_dir("unix-tls");
    let ca = test_support::tls::make_ca(dir.path());
    let tls = xmlrpc_kit::server::TlsConfig::from_pem_files(&ca.cert, &ca.key).unwrap();
    let sock = dir.path().join("rpc.sock");
    let err = methods().tls(tls).spawn(Bind::unix(&sock)).unwrap_err();
    assert!(matches!(err, ServeError::TlsOverTcpOnly(_)), "{err}");
    assert!(!sock.exists());
}

#[test]
fn scgi_over_tcp_and_a_unix_socket_answers_calls_faults_and_multicall() {
    let dir = test_support::temp_dir("scgi-both");
    let tcp = methods().spawn("scgi://127.0.0.1:0").unwrap();
    let sock = dir.path().join("scgi.sock");
    let unix = methods().spawn(Bind::unix(&sock).scgi()).unwrap();
    assert!(tcp.url().starts_with("scgi://127.0.0.1:"), "{}", tcp.url());
    assert_eq!(unix.url(), format!("scgi://{}", sock.display()));
    for url in [tcp.url(), unix.url()] {
        let client = Client::new(&url).unwrap();
        assert_eq!(client.call::<i32, _>("add", (20, 22)).unwrap(), 42, "{url}");
        let err = client.call::<i32, _>("fail", ()).unwrap_err();
        assert_eq!(err.fault().map(|f| f.code), Some(7), "{url}");
        let mut batch = client.multicall();
        batch.add("add", (1, 2)).unwrap();
        batch.add("fail", ()).unwrap();
        let results = batch.send().unwrap();
        assert_eq!(results.len(), 2);
        // 3 MB of base64 each way, over the streaming paths.
        let data = test_support::data::random_bytes(3 << 20, 5);
        let back: Binary = client.call("echo", (Binary::from(data.clone()),)).unwrap();
        assert!(back.as_slice() == data.as_slice(), "{url}");
    }
    // One request per connection, as SCGI says.
    assert!(tcp.connections_accepted() >= 4);
}

/// An SCGI server with small limits and short timeouts, for the attacks.
fn guarded() -> xmlrpc_kit::server::ServerHandle {
    methods()
        .config(
            ServerConfig::default()
                .max_header_size(4096)
                .max_body_size(1 << 20)
                .header_read_timeout(Duration::from_millis(500))
                .body_read_timeout(Duration::from_millis(500)),
        )
        .spawn("scgi://127.0.0.1:0")
        .unwrap()
}

/// Sends `wire` (then keeps the connection open, or half-closes it when `close`), and
/// returns what came back before the server closed, and how long that took.
fn attack(addr: std::net::SocketAddr, wire: &[u8], close: bool) -> (String, Duration) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    // The server may close as soon as it has seen enough: a failed write is fine.
    let _ = stream.write_all(wire);
    if close {
        let _ = stream.shutdown(std::net::Shutdown::Write);
    }
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    (
        String::from_utf8_lossy(&reply).into_owned(),
        started.elapsed(),
    )
}

fn netstring(vars: &[(&str, &str)]) -> Vec<u8> {
    let mut block = Vec::new();
    for (n, v) in vars {
        block.extend_from_slice(n.as_bytes());
        block.push(0);
        block.extend_from_slice(v.as_bytes());
        block.push(0);
    }
    let mut wire = format!("{}:", block.len()).into_bytes();
    wire.extend_from_slice(&block);
    wire.push(b',');
    wire
}

#[test]
fn hostile_scgi_gets_a_quick_refusal_and_the_server_goes_on() {
    let handle = guarded();
    let addr = handle.local_addr();
    let call = test_support::http::call_xml("add", &["<int>1</int>", "<int>2</int>"]);
    let huge_block = {
        let mut wire = b"4000:".to_vec();
        wire.extend(std::iter::repeat_n(b'A', 4000));
        wire.extend_from_slice(b",");
        wire
    };
    let short = {
        let mut wire = netstring(&[("CONTENT_LENGTH", "500"), ("SCGI", "1")]);
        wire.extend_from_slice(&call[..100]);
        wire
    };
    let long = {
        let mut wire = netstring(&[("CONTENT_LENGTH", &call.len().to_string()), ("SCGI", "1")]);
        wire.extend_from_slice(&call);
        wire.extend(std::iter::repeat_n(b'x', 100_000));
        wire
    };
    let cases: Vec<(&str, Vec<u8>, bool, &str)> = vec![
        (
            "a netstring length of 2^63",
            b"9223372036854775808:".to_vec(),
            false,
            "Status: 431",
        ),
        (
            "a header block over the limit",
            b"4097:".to_vec(),
            false,
            "Status: 431",
        ),
        (
            "a header block of 4000 bytes of junk",
            huge_block,
            true,
            "Status: 400",
        ),
        (
            "no CONTENT_LENGTH",
            netstring(&[("SCGI", "1"), ("REQUEST_METHOD", "POST")]),
            true,
            "Status: 400",
        ),
        (
            "a non-numeric CONTENT_LENGTH",
            netstring(&[("CONTENT_LENGTH", "twelve"), ("SCGI", "1")]),
            true,
            "Status: 400",
        ),
        (
            "no SCGI: 1",
            netstring(&[("CONTENT_LENGTH", "0")]),
            true,
            "Status: 400",
        ),
        (
            "a body over the body limit",
            netstring(&[("CONTENT_LENGTH", "2000000"), ("SCGI", "1")]),
            false,
            "Status: 413",
        ),
        (
            "a body shorter than it says (then EOF)",
            short.clone(),
            true,
            "Status: 400",
        ),
        (
            "a body shorter than it says (then silence)",
            short,
            false,
            "Status: 408",
        ),
        ("a body longer than it says", long, false, "<int>3</int>"),
        (
            "HTTP instead of SCGI",
            b"POST /RPC2 HTTP/1.1\r\n\r\n".to_vec(),
            false,
            "Status: 400",
        ),
        (
            "a slow sender of headers",
            b"12:CONTENT".to_vec(),
            false,
            "Status: 408",
        ),
    ];
    for (what, wire, close, expect) in cases {
        let (reply, took) = attack(addr, &wire, close);
        println!(
            "{what}: {} in {} ms",
            reply.lines().next().unwrap_or("(closed)"),
            took.as_millis()
        );
        assert!(reply.contains(expect), "{what}: {reply:?}");
        assert!(took < Duration::from_secs(3), "{what}: {took:?}");
        // Still serving.
        let client = Client::new(&handle.url()).unwrap();
        assert_eq!(
            client.call::<i32, _>("add", (1, 1)).unwrap(),
            2,
            "after {what}"
        );
    }
    // A stale-socket server and a regular file at the path: neither is taken over wrongly.
    let dir = test_support::temp_dir("scgi-path");
    let file = dir.path().join("not-a-socket");
    std::fs::write(&file, b"keep me").unwrap();
    let err = methods().spawn(Bind::unix(&file).scgi()).unwrap_err();
    assert!(err.to_string().contains("not a socket"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    let stale = dir.path().join("stale.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let revived = methods().spawn(Bind::unix(&stale).scgi()).unwrap();
    drop(UnixStream::connect(&stale).unwrap());
    drop(revived);
}

#[test]
fn a_url_the_client_cannot_use_lists_the_forms_it_can() {
    let err = Client::new("ftp://example.org/x").unwrap_err().to_string();
    for form in [
        "http://",
        "unix:///SOCKET",
        "http+unix://",
        "scgi://HOST:PORT",
        "scgi:///SOCKET",
    ] {
        assert!(err.contains(form), "{err}");
    }
    let err = "tcp://x".parse::<Bind>().unwrap_err().to_string();
    assert!(err.contains("unix:/PATH"), "{err}");
}
