//! The client against Python's `SimpleXMLRPCServer` (the reference peer) and against our
//! own server and hostile fake servers: every type through `echo`, faults, multicall,
//! introspection, a shared blocking client reusing connections, timeouts, reply limits, and
//! a request sent once more when it meets a reused connection's close.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_support::peer::PeerServer;
use xmlrpc_kit::client::{AsyncClient, Client, Error};
use xmlrpc_kit::server::Server;
use xmlrpc_kit::{Binary, DateTime, Fault, Struct, Value};

/// Python's threaded SimpleXMLRPCServer, as the seed runs it, with allow_none.
const PYTHON_SERVER: &str = r#"
import sys, xmlrpc.client
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCServer

class Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), allow_none=True, logRequests=False)
server.register_introspection_functions()
server.register_multicall_functions()

def add(x, y):
    "Adds two numbers."
    return x + y

def echo(v):
    return v

def fail(code):
    raise xmlrpc.client.Fault(code, "failed as asked <&>")

server.register_function(add)
server.register_function(echo)
server.register_function(fail)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// Python's server, listening; its URL (`http://127.0.0.1:<port>`) and the process, which
/// is killed when dropped.
fn python_server() -> (PeerServer, String) {
    let server = PeerServer::python(PYTHON_SERVER, &[]).unwrap();
    let url = server.url("");
    (server, url)
}

fn corpus() -> Vec<Value> {
    let mut members = Struct::new();
    members.insert("name".into(), Value::from("crab 🦀 <&>"));
    members.insert(
        "nested".into(),
        Value::Array(vec![
            Value::Nil,
            Value::Bool(false),
            Value::Struct(Struct::new()),
        ]),
    );
    vec![
        Value::Int(0),
        Value::Int(i32::MIN),
        Value::Int(i32::MAX),
        Value::Bool(true),
        Value::from(""),
        Value::from("héllo\n\tworld & <markup> \u{10FFFF}"),
        Value::Double(0.1),
        Value::Double(-0.0),
        Value::Double(1e300),
        Value::Double(5e-324),
        Value::Double(-2.5e-10),
        Value::DateTime(DateTime::new(2026, 11, 25, 10, 0, 0).unwrap()),
        Value::Base64(Binary::from((0..=255).collect::<Vec<u8>>())),
        Value::Base64(Binary::default()),
        Value::Base64(Binary::from(vec![7u8; 300_000])),
        Value::Struct(members),
        Value::Array(vec![]),
        Value::Array(vec![Value::Int(1), Value::Array(vec![Value::from("deep")])]),
        Value::Nil,
    ]
}

#[test]
fn every_type_round_trips_through_python_echo() {
    let python = python_server();
    let client = Client::new(&python.1).unwrap();
    for value in corpus() {
        let back = client
            .call_value("echo", std::slice::from_ref(&value))
            .unwrap();
        assert_eq!(back, value);
        // The typed path agrees.
        let typed: Value = client.call("echo", &(value.clone(),)).unwrap();
        assert_eq!(typed, value);
    }
    // Python reads <i8> but cannot write an integer beyond 32 bits: it answers with a fault.
    assert_eq!(
        client.call_value("echo", &[Value::I8(5)]).unwrap(),
        Value::Int(5)
    );
    let fault = client
        .call_value("echo", &[Value::I8(1 << 40)])
        .unwrap_err()
        .into_fault()
        .unwrap();
    assert!(fault.string.contains("OverflowError"), "{fault}");
    let sum: f64 = client.call("add", (1.5, 2)).unwrap();
    assert_eq!(sum, 3.5);
}

#[test]
fn faults_are_faults_and_transport_errors_are_not() {
    let python = python_server();
    let client = Client::new(&python.1).unwrap();
    match client.call::<i32, _>("fail", &(42,)) {
        Err(Error::Fault(xmlrpc_kit::Fault { code, string, .. })) => {
            assert_eq!((code, string.as_str()), (42, "failed as asked <&>"))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        client.call::<i32, _>("nope", &()),
        Err(Error::Fault(_))
    ));
    // A wrong result type is not a transport error either.
    assert!(matches!(
        client.call::<i32, _>("echo", &("x",)),
        Err(Error::Type(_))
    ));
    // Nothing listens on this port any more.
    let closed = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = Client::new(&format!("http://{closed}"))
        .unwrap()
        .call::<i32, _>("add", &(1, 2))
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.to_string().contains(&closed.to_string()), "{err}");
}

#[test]
fn multicall_and_introspection_against_python() {
    let python = python_server();
    let client = Client::new(&python.1).unwrap();
    let mut batch = client.multicall();
    batch.add("add", (1, 2)).unwrap();
    batch.add("fail", (7,)).unwrap();
    batch.add("echo", ("x",)).unwrap();
    let results = batch.send().unwrap();
    assert_eq!(results[0], Ok(Value::Int(3)));
    assert_eq!(results[1].as_ref().unwrap_err().code, 7);
    assert_eq!(results[2], Ok(Value::from("x")));
    let methods: Vec<String> = client.call("system.listMethods", ()).unwrap();
    assert!(
        methods.contains(&"add".to_string()) && methods.contains(&"system.multicall".to_string())
    );
    let help: String = client.call("system.methodHelp", ("add",)).unwrap();
    assert_eq!(help, "Adds two numbers.");
}

#[test]
fn async_client_against_our_server() {
    let server = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .with_multicall()
        .spawn("127.0.0.1:0")
        .unwrap();
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = AsyncClient::new(&url).unwrap();
        let calls = (0..100).map(|i| {
            let client = client.clone();
            async move { client.call::<i32, _>("add", &(i, i)).await }
        });
        let results = futures_util::future::join_all(calls).await;
        for (i, r) in results.into_iter().enumerate() {
            assert_eq!(r.unwrap(), 2 * i as i32);
        }
        let mut batch = client.multicall();
        batch.add("add", (2, 2)).unwrap();
        assert_eq!(batch.send().await.unwrap(), [Ok(Value::Int(4))]);
    });
}

#[test]
fn one_blocking_client_shared_by_32_threads_reuses_connections() {
    let server = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .spawn("127.0.0.1:0")
        .unwrap();
    let client = Client::new(&server.url()).unwrap();
    let started = Instant::now();
    let threads: Vec<_> = (0..32)
        .map(|t| {
            let client = client.clone();
            std::thread::spawn(move || {
                for i in 0..1000 {
                    assert_eq!(client.call::<i32, _>("add", &(t, i)).unwrap(), t + i);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let accepted = server.connections_accepted();
    eprintln!(
        "32,000 calls from 32 threads in {:?} over {accepted} connections",
        started.elapsed()
    );
    // Connections are pooled: about one per concurrent caller (the pool may race to open a
    // few extra while another is being returned), not one per call.
    assert!(
        (1..=64).contains(&accepted),
        "{accepted} connections for 32,000 calls"
    );
}

#[test]
fn the_blocking_client_works_inside_a_runtime_blocking_thread() {
    let server = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .spawn("127.0.0.1:0")
        .unwrap();
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let sum = runtime
        .block_on(async {
            tokio::task::spawn_blocking(move || {
                Client::new(&url).unwrap().call::<i32, _>("add", &(20, 22))
            })
            .await
        })
        .unwrap()
        .unwrap();
    assert_eq!(sum, 42);
}

/// A fake server: accepts, reads the request head, then runs `answer` with the socket,
/// the head, and a reader holding whatever of the body already arrived.
fn fake_server(
    answer: impl Fn(std::net::TcpStream, String, BufReader<std::net::TcpStream>) + Send + Sync + 'static,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let answer = Arc::clone(&answer);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut head = String::new();
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    head.push_str(&line);
                }
                answer(stream, head, reader);
            });
        }
    });
    format!("http://{addr}/RPC2")
}

#[test]
fn the_timeout_fires_on_a_server_that_never_answers() {
    let url = fake_server(|stream, _, _| {
        std::thread::sleep(Duration::from_secs(10));
        drop(stream);
    });
    let client = Client::builder(&url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.call::<i32, _>("add", &(1, 2)).unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn an_oversized_reply_is_refused_without_reading_it_all() {
    let sent = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&sent);
    let done = Arc::new(AtomicBool::new(false));
    let finished = Arc::clone(&done);
    let url = fake_server(move |mut stream, _, _| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..1600 {
            // 100 MB if the client kept reading.
            let ok = stream
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .and_then(|()| stream.write_all(&chunk))
                .and_then(|()| stream.write_all(b"\r\n"));
            if ok.is_err() {
                break;
            }
            counter.fetch_add(chunk.len() as u64, Ordering::Relaxed);
        }
        finished.store(true, Ordering::Release);
    });
    let client = Client::builder(&url)
        .max_body_size(1 << 20)
        .build()
        .unwrap();
    let err = client.call::<i32, _>("add", &(1, 2)).unwrap_err();
    assert!(
        matches!(err, Error::BodyTooLarge { limit: 1048576 }),
        "{err:?}"
    );
    // Once the server has stopped writing (the client closed the connection), or after a
    // deadline, what got out is counted: waiting longer could only count more.
    test_support::wait::until(Duration::from_secs(5), || done.load(Ordering::Acquire));
    let total = sent.load(Ordering::Relaxed);
    assert!(
        total < 20 << 20,
        "the server got {total} bytes out before the client gave up"
    );

    // A declared length over the limits (the body's, plus what may be spooled to files)
    // is refused before any of the body is read.
    let url = fake_server(|mut stream, _, _| {
        let _ = stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10000000000\r\n\r\n<methodResponse>");
        std::thread::sleep(Duration::from_secs(5));
    });
    let started = Instant::now();
    let err = Client::builder(&url)
        .max_body_size(1 << 20)
        .streaming(xmlrpc_kit::http::Streaming::default().max_spooled_size(1 << 30))
        .build()
        .unwrap()
        .call::<i32, _>("x", &())
        .unwrap_err();
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn url_credentials_headers_and_gzip_go_on_the_wire() {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let url = fake_server(move |mut stream, head, mut reader| {
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        record.lock().unwrap().push((head, body));
        let reply = b"<?xml version='1.0'?><methodResponse><params><param><value><int>7</int></value></param></params></methodResponse>";
        let _ = stream.write_all(
            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", reply.len()).as_bytes(),
        );
        let _ = stream.write_all(reply);
    });
    let url = url.replace("http://", "http://alice:s%3Acret@");
    let client = Client::builder(&url)
        .header("X-Trace", "t-1")
        .user_agent("test-agent/9")
        .gzip_above(Some(100))
        .build()
        .unwrap();
    assert_eq!(
        client.call::<i32, _>("echo", &("y".repeat(1000),)).unwrap(),
        7
    );
    let (head, body) = seen.lock().unwrap().remove(0);
    let head = head.to_ascii_lowercase();
    assert!(head.starts_with("post /rpc2 http/1.1"), "{head}");
    assert!(
        head.contains(
            "authorization: basic YWxpY2U6czpjcmV0"
                .to_ascii_lowercase()
                .as_str()
        ),
        "{head}"
    );
    assert!(
        head.contains("x-trace: t-1") && head.contains("user-agent: test-agent/9"),
        "{head}"
    );
    assert!(
        head.contains("content-encoding: gzip") && head.contains("accept-encoding: gzip"),
        "{head}"
    );
    let mut xml = String::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_string(&mut xml)
        .unwrap();
    assert!(xml.contains("<methodName>echo</methodName>"), "{xml}");
}

#[test]
fn nil_can_be_refused_before_sending() {
    let client = Client::builder("http://127.0.0.1:9")
        .allow_nil(false)
        .build()
        .unwrap();
    assert!(matches!(
        client.call::<i32, _>("m", &(None::<i32>,)),
        Err(Error::NilNotAllowed)
    ));
    // A string that spells nil is not nil.
    let err = client.call::<i32, _>("m", &("<nil/>",)).unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
}

#[test]
fn faults_from_our_server_keep_their_codes() {
    let server = Server::new()
        .method("fail", || Err::<i32, _>(Fault::new(3, "no")))
        .spawn("127.0.0.1:0")
        .unwrap();
    let err = Client::new(&server.url())
        .unwrap()
        .call::<i32, _>("fail", &())
        .unwrap_err();
    assert_eq!(err.fault(), Some(&Fault::new(3, "no")));
}

#[test]
fn https_with_the_tests_own_certificate_authority() {
    let dir = test_support::temp_dir("client-tls");
    test_support::tls::make_ca(dir.path());
    let script = r#"
import ssl, sys
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCServer
class Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
server = Server(("127.0.0.1", 0), logRequests=False)
server.register_function(lambda x, y: x + y, "add")
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1] + "/server.pem", sys.argv[1] + "/server.key")
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;
    let server = PeerServer::python(script, &[dir.path().to_str().unwrap()]).unwrap();
    let url = format!("https://127.0.0.1:{}", server.port());

    let ca = std::fs::read(dir.path().join("ca.pem")).unwrap();
    let client = Client::builder(&url)
        .root_certificates_pem(&ca)
        .build()
        .unwrap();
    assert_eq!(client.call::<i32, _>("add", (8, 8)).unwrap(), 16);
    // Without the test's CA the certificate is not trusted, and no call is made.
    let err = Client::new(&url)
        .unwrap()
        .call::<i32, _>("add", (8, 8))
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert!(err.chain().to_lowercase().contains("certificate"), "{err}");
}

/// What a [`closing_server`] saw: connections accepted, requests read whole.
#[derive(Default)]
struct Seen {
    connections: AtomicU64,
    requests: AtomicU64,
}

/// A server that answers `answered` requests on each connection (HTTP/1.1, without
/// `Connection: close`, as tinyproxy does) and then reads the next request and closes
/// without answering it: the client meets the close only after it has sent.
fn closing_server(answered: u64) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Seen::default());
    let counts = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counts.connections.fetch_add(1, Ordering::SeqCst);
            let counts = Arc::clone(&counts);
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut stream = stream;
                for exchange in 0.. {
                    if test_support::http::read_request(&mut reader).is_none() {
                        return;
                    }
                    counts.requests.fetch_add(1, Ordering::SeqCst);
                    if exchange == answered {
                        return; // closed, unanswered
                    }
                    let reply = "<?xml version=\"1.0\"?><methodResponse><params><param>\
                                 <value><int>7</int></value></param></params></methodResponse>";
                    write!(
                        stream,
                        "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{reply}",
                        reply.len()
                    )
                    .unwrap();
                }
            });
        }
    });
    (format!("http://{addr}/RPC2"), seen)
}

#[test]
fn a_request_that_meets_a_reused_connections_close_is_sent_once_more_on_a_new_one() {
    let (url, seen) = closing_server(1);
    let client = Client::new(&url).unwrap();
    for _ in 0..3 {
        assert_eq!(client.call::<i32, _>("add", (3, 4)).unwrap(), 7);
    }
    // Calls 2 and 3 each met the close of the connection before theirs and went again.
    assert_eq!(seen.connections.load(Ordering::SeqCst), 3);
    assert_eq!(seen.requests.load(Ordering::SeqCst), 5);

    // The async client does the same.
    let (url, seen) = closing_server(1);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let client = AsyncClient::new(&url).unwrap();
        for _ in 0..2 {
            assert_eq!(client.call::<i32, _>("add", (3, 4)).await.unwrap(), 7);
        }
    });
    assert_eq!(seen.connections.load(Ordering::SeqCst), 2);
    assert_eq!(seen.requests.load(Ordering::SeqCst), 3);
}

#[test]
fn a_first_request_on_a_new_connection_and_a_file_body_are_never_sent_twice() {
    // The close met a fresh connection: the server may have run the call.
    let (url, seen) = closing_server(0);
    let err = Client::new(&url)
        .unwrap()
        .call::<i32, _>("add", (3, 4))
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(seen.connections.load(Ordering::SeqCst), 1);
    assert_eq!(seen.requests.load(Ordering::SeqCst), 1);

    // A body that reads a file is not read and sent again.
    let dir = test_support::temp_dir("client-stale-file");
    let path = dir.path().join("upload");
    std::fs::write(&path, vec![9u8; 100_000]).unwrap();
    let (url, seen) = closing_server(1);
    let client = Client::new(&url).unwrap();
    assert_eq!(client.call::<i32, _>("add", (3, 4)).unwrap(), 7);
    let blob = xmlrpc_kit::Blob::from_file(&path).unwrap();
    let err = client.call::<i32, _>("size_of", (blob,)).unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(seen.connections.load(Ordering::SeqCst), 1);
    assert_eq!(seen.requests.load(Ordering::SeqCst), 2);
}
