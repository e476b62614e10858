//! The compatibility switches over HTTP: a server and a client set to Apache's `ex:`
//! spelling of i8/nil, and a server giving Python-style fault codes, checked on the wire.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call_xml, Conn};
use std::io::{BufReader, Write};
use xmlrpc_kit::client::{Client, Error};
use xmlrpc_kit::codec::{Extensions, FaultCodes, APACHE_EXTENSIONS_NS};
use xmlrpc_kit::server::{Server, ServerConfig};
use xmlrpc_kit::Value;

fn server(config: ServerConfig) -> xmlrpc_kit::server::ServerHandle {
    Server::new()
        .config(config)
        .method("echo", |v: Value| v)
        .method("add", |x: i32, y: i32| x + y)
        .spawn("127.0.0.1:0")
        .unwrap()
}

#[test]
fn server_writes_apache_extensions_and_reads_them() {
    let handle = server(ServerConfig::default().extensions(Extensions::Apache));
    let mut conn = Conn::open(handle.local_addr());
    // The request itself uses the ex: spelling, declared on the root as Apache does.
    let body = format!(
        "<?xml version=\"1.0\"?><methodCall xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"><methodName>echo</methodName>\
         <params><param><value><array><data><value><ex:i8>4294967296</ex:i8></value>\
         <value><ex:nil/></value><value><string>&lt;nil/&gt;</string></value></data></array></value></param></params></methodCall>"
    );
    let reply = conn.post(body.as_bytes()).text();
    assert_eq!(
        reply,
        format!(
            "<?xml version=\"1.0\"?><methodResponse xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"><params><param><value><array><data>\
             <value><ex:i8>4294967296</ex:i8></value><value><ex:nil/></value>\
             <value><string>&lt;nil/&gt;</string></value></data></array></value></param></params></methodResponse>"
        )
    );
    // Without i8 or nil, the reply is as ever.
    let plain = conn
        .post(&call_xml("add", &["<int>1</int>", "<int>2</int>"]))
        .text();
    assert!(plain.contains("<methodResponse><params>"), "{plain}");
}

#[test]
fn server_gives_python_fault_codes() {
    let handle = server(ServerConfig::default().fault_codes(FaultCodes::Python));
    let client = Client::new(&handle.url()).unwrap();
    match client.call::<Value, _>("frobnicate", ()) {
        Err(Error::Fault(xmlrpc_kit::Fault { code, string, .. })) => {
            assert_eq!(code, 1);
            assert_eq!(
                string,
                "<class 'Exception'>:method \"frobnicate\" is not supported"
            );
        }
        other => panic!("{other:?}"),
    }
    match client.call::<i32, _>("add", ("x", 2)) {
        Err(Error::Fault(xmlrpc_kit::Fault { code, string, .. })) => {
            assert_eq!(code, 1);
            assert!(string.starts_with("<class 'TypeError'>:"), "{string}");
        }
        other => panic!("{other:?}"),
    }
    // The default stays the interop codes.
    let handle = server(ServerConfig::default());
    let client = Client::new(&handle.url()).unwrap();
    assert!(matches!(
        client.call::<Value, _>("frobnicate", ()),
        Err(Error::Fault(xmlrpc_kit::Fault { code: -32601, .. }))
    ));
}

/// A one-shot HTTP server that records the request body and answers `reply`.
fn record_one_request(reply: &'static str) -> (String, std::thread::JoinHandle<Vec<u8>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/RPC2", listener.local_addr().unwrap());
    let thread = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let (_, body) = test_support::http::read_request(&mut reader).unwrap();
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
            reply.len()
        )
        .unwrap();
        body
    });
    (url, thread)
}

#[test]
fn client_writes_apache_extensions_and_reads_them() {
    let (url, seen) = record_one_request(
        "<?xml version=\"1.0\"?><methodResponse xmlns:ex=\"http://ws.apache.org/xmlrpc/namespaces/extensions\">\
         <params><param><value><array><data><value><ex:i8>-5</ex:i8></value><value><ex:nil/></value>\
         </data></array></value></param></params></methodResponse>",
    );
    let client = Client::builder(&url)
        .extensions(Extensions::Apache)
        .build()
        .unwrap();
    let result: (i64, Option<String>) = client.call("f", (Value::Nil, 1i64 << 40)).unwrap();
    assert_eq!(result, (-5, None));
    let sent = String::from_utf8(seen.join().unwrap()).unwrap();
    assert_eq!(
        sent,
        format!(
            "<?xml version=\"1.0\"?><methodCall xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"><methodName>f</methodName><params>\
             <param><value><ex:nil/></value></param><param><value><ex:i8>1099511627776</ex:i8></value></param>\
             </params></methodCall>"
        )
    );
}
