//! Hostile input against a real server over raw TCP: one test per attack, each asserting the
//! refusal (status or fault, with a message that says what was wrong) and that the server
//! still answers a normal call afterwards. SECURITY.md has the table these tests back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call_xml, result, Conn};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use test_support::memory::{peak_kib, reset_peak};
use xmlrpc_kit::codec;
use xmlrpc_kit::server::{Server, ServerConfig, ServerHandle};
use xmlrpc_kit::{Fault, Value};

fn methods() -> Server {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("echo", |v: Value| v)
        .method("count", |items: Vec<Value>| items.len())
        .method("flag", |b: bool| b)
        .method("int", |i: i32| i)
        .method("boom", || -> i32 { panic!("kaboom") })
        .async_method("hang", || async {
            std::future::pending::<()>().await;
            0
        })
        .blocking_method("hang_blocking", || {
            std::thread::sleep(Duration::from_secs(3));
            0
        })
        .with_multicall()
}

fn spawn(config: ServerConfig) -> ServerHandle {
    methods().config(config).spawn("127.0.0.1:0").unwrap()
}

/// POSTs `body` from a second thread while this one waits for the answer: a server may
/// answer a hostile request before reading all of it, and then stop reading.
fn post(server: &ServerHandle, body: &[u8]) -> common::Response {
    let mut conn = Conn::open(server.local_addr());
    let mut writer = conn.raw().try_clone().unwrap();
    let head = format!(
        "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let body = body.to_vec();
    let sender = std::thread::spawn(move || {
        let _ = writer.write_all(head.as_bytes());
        let _ = writer.write_all(&body);
    });
    conn.raw()
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    let response = conn.read_response();
    let _ = conn.raw().shutdown(std::net::Shutdown::Both);
    sender.join().unwrap();
    response
}

/// The fault a call answered with, asserting HTTP 200 and a fault (not a value).
fn fault_of(server: &ServerHandle, body: &[u8]) -> Fault {
    let r = post(server, body);
    assert_eq!(r.status, 200, "{}", r.text());
    result::<Value>(&r.body).expect_err("a fault")
}

fn assert_still_serves(server: &ServerHandle) {
    let started = Instant::now();
    let mut conn = Conn::open(server.local_addr());
    let r = conn.post(&call_xml("add", &["<int>2</int>", "<int>3</int>"]));
    assert_eq!(r.status, 200);
    assert_eq!(result::<i32>(&r.body), Ok(5));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a normal call took {:?}",
        started.elapsed()
    );
}

/// Held by the tests that measure memory and by those that use a lot of it, so that one's
/// peak is not charged to another running at the same time (the server is in this process).
static HEAVY: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn heavy() -> std::sync::MutexGuard<'static, ()> {
    HEAVY
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

const LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<methodCall><methodName>echo</methodName><params><param><value><string>&lol9;</string></value></param></params></methodCall>"#;

/// Entity attacks: each document declares a DTD, which XML-RPC never needs. The server
/// refuses the DOCTYPE outright (no entity is expanded, nothing is fetched), in well under
/// a millisecond of parsing, with no memory growth.
#[test]
fn entity_attacks_are_refused_at_the_doctype() {
    let _heavy = heavy();
    let server = spawn(ServerConfig::default());
    let big = "x".repeat(100_000);
    let quadratic = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"{big}\">]><methodCall><methodName>echo</methodName><params><param><value><string>{}</string></value></param></params></methodCall>",
        "&a;".repeat(50_000)
    );
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>echo</methodName><params><param><value><string>&xxe;</string></value></param></params></methodCall>"#;
    // DTD retrieval: an external subset on a port where a listener would see the fetch.
    let spy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    spy.set_nonblocking(true).unwrap();
    let dtd = format!(
        r#"<?xml version="1.0"?><!DOCTYPE methodCall SYSTEM "http://{}/evil.dtd"><methodCall><methodName>echo</methodName><params><param><value><string>x</string></value></param></params></methodCall>"#,
        spy.local_addr().unwrap()
    );
    // Parameter entities and a DOCTYPE after the declaration with odd spacing.
    let parameter = r#"<!DoCtYpE  m [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x"> %p;]><methodCall><methodName>echo</methodName></methodCall>"#;

    reset_peak();
    let before = peak_kib().unwrap_or(0);
    for (name, doc) in [
        ("billion laughs", LAUGHS.to_owned()),
        ("quadratic blowup", quadratic),
        ("XXE", xxe.to_owned()),
        ("DTD retrieval", dtd),
        ("parameter entity", parameter.to_owned()),
    ] {
        let started = Instant::now();
        let fault = fault_of(&server, doc.as_bytes());
        let took = started.elapsed();
        assert_eq!(fault.code, Fault::NOT_WELL_FORMED, "{name}: {fault}");
        assert!(
            fault.string.to_lowercase().contains("doctype"),
            "{name}: the fault should name the DOCTYPE: {fault}"
        );
        assert!(!fault.string.contains("root:"), "{name}: leaked a file");
        // The whole exchange, socket to socket (the 5 MB quadratic body included).
        assert!(took < Duration::from_millis(500), "{name} took {took:?}");
        assert_still_serves(&server);
    }
    // Nothing expanded: 1e9 "lol"s (3 GB) or 5 GB of "x" would show here.
    let growth = peak_kib().unwrap_or(0).saturating_sub(before);
    assert!(growth < 200 << 10, "peak RSS grew by {growth} KiB");
    assert!(spy.accept().is_err(), "the DTD was fetched");

    // Parsing alone (no network) takes microseconds.
    let started = Instant::now();
    for _ in 0..1000 {
        assert!(codec::read_call(LAUGHS.as_bytes()).is_err());
    }
    let each = started.elapsed() / 1000;
    assert!(each < Duration::from_micros(200), "{each:?} per refusal");
}

/// A body over the limit is refused with 413 on its Content-Length alone: the client sends
/// no body at all and still gets its answer, so nothing was waited for or read.
#[test]
fn a_body_over_the_limit_is_refused_before_it_is_read() {
    let server = spawn(ServerConfig::default().max_body_size(1 << 20));
    for length in ["1048577", "50000000000"] {
        let started = Instant::now();
        let mut conn = Conn::open(server.local_addr());
        let head = format!(
            "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml\r\nContent-Length: {length}\r\n\r\n"
        );
        conn.raw().write_all(head.as_bytes()).unwrap();
        let r = conn.read_response();
        assert_eq!(r.status, 413, "Content-Length {length}: {}", r.text());
        assert!(r.text().contains("limit"), "{}", r.text());
        assert!(started.elapsed() < Duration::from_secs(1));
        assert_still_serves(&server);
    }
    // Lengths at and past what HTTP's parser takes are 4xx refusals too, never a crash.
    for length in [
        "18446744073709551615",
        "99999999999999999999999",
        "-1",
        "1, 2",
    ] {
        let mut conn = Conn::open(server.local_addr());
        let head = format!("POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n\r\n");
        conn.raw().write_all(head.as_bytes()).unwrap();
        let r = conn.read_response();
        assert!(
            (400..500).contains(&r.status),
            "Content-Length {length}: {}",
            r.status
        );
        assert_still_serves(&server);
    }
}

/// A gzip bomb: 1 GiB of zeros in about 1 MB. Decompression stops at the cap (413), the
/// server's memory does not grow by anything like a gigabyte, and it keeps serving.
#[test]
fn a_gzip_bomb_stops_at_the_decompression_cap() {
    let _heavy = heavy();
    let server = spawn(
        ServerConfig::default()
            .max_body_size(4 << 20)
            .max_decompressed_size(8 << 20),
    );
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    assert!(bomb.len() < 2 << 20, "{} bytes", bomb.len());
    reset_peak();
    let before = peak_kib().unwrap_or(0);
    let started = Instant::now();
    let r = Conn::open(server.local_addr()).request(
        "POST",
        "/RPC2",
        &[("Content-Encoding", "gzip")],
        &bomb,
    );
    assert_eq!(r.status, 413, "{}", r.text());
    assert!(r.text().contains("decompressed"), "{}", r.text());
    assert!(started.elapsed() < Duration::from_secs(5));
    let growth = peak_kib().unwrap_or(0).saturating_sub(before);
    assert!(growth < 100 << 10, "peak RSS grew by {growth} KiB");
    assert_still_serves(&server);
}

/// 100,000 nested arrays: a fault naming the depth limit, no stack overflow (the test
/// process would abort), and the server serves on.
#[test]
fn deep_nesting_is_a_fault_not_a_stack_overflow() {
    let _heavy = heavy();
    let server = spawn(ServerConfig::default());
    let depth = 100_000;
    for (open, close) in [
        ("<value><array><data>", "</data></array></value>"),
        (
            "<value><struct><member><name>a</name>",
            "</member></struct></value>",
        ),
    ] {
        let mut doc = String::from("<methodCall><methodName>echo</methodName><params><param>");
        doc.push_str(&open.repeat(depth));
        doc.push_str(&close.repeat(depth));
        doc.push_str("</param></params></methodCall>");
        let fault = fault_of(&server, doc.as_bytes());
        assert!(
            fault.string.contains("nesting depth"),
            "the fault should name the limit: {fault}"
        );
        assert_still_serves(&server);
    }
    // Deep but unclosed, and deep inside a multicall's parameters.
    let doc = format!(
        "<methodCall><methodName>system.multicall</methodName><params><param>{}",
        "<value><array><data>".repeat(depth)
    );
    let fault = fault_of(&server, doc.as_bytes());
    assert!(fault.string.contains("nesting depth"), "{fault}");
    assert_still_serves(&server);
}

/// A million-element array under the size limit (about 25 MB) is read in bounded time and
/// answered; with a lower element limit it is refused with a fault that names the limit.
#[test]
fn a_million_element_array_takes_bounded_time() {
    let _heavy = heavy();
    let mut doc = String::from(
        "<methodCall><methodName>count</methodName><params><param><value><array><data>",
    );
    doc.push_str(&"<value><int>1</int></value>".repeat(1_000_000));
    doc.push_str("</data></array></value></param></params></methodCall>");

    let server = spawn(ServerConfig::default());
    let started = Instant::now();
    let r = post(&server, doc.as_bytes());
    assert_eq!(result::<u64>(&r.body), Ok(1_000_000));
    let took = started.elapsed();
    // Linear work on 25 MB: a second or two unoptimised, when the machine is not busy.
    let bound = Duration::from_secs(if cfg!(debug_assertions) { 30 } else { 5 });
    assert!(took < bound, "took {took:?}");
    assert_still_serves(&server);

    let limited = spawn(
        ServerConfig::default().limits(xmlrpc_kit::codec::Limits::default().max_elements(100_000)),
    );
    let started = Instant::now();
    let fault = fault_of(&limited, doc.as_bytes());
    assert!(fault.string.contains("element"), "{fault}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_still_serves(&limited);
}

/// A 1 MB method name: refused by the name limit, and the fault does not echo a megabyte.
#[test]
fn a_one_megabyte_method_name_is_refused() {
    let server = spawn(ServerConfig::default());
    let name = "a".repeat(1 << 20);
    let r = post(&server, &call_xml(&name, &[]));
    assert_eq!(r.status, 200);
    let fault = result::<Value>(&r.body).unwrap_err();
    assert!(
        fault.code == Fault::NOT_WELL_FORMED
            || fault.code == Fault::INVALID_XMLRPC
            || fault.code == Fault::METHOD_NOT_FOUND,
        "{fault}"
    );
    assert!(r.body.len() < 8192, "a {}-byte answer", r.body.len());
    assert_still_serves(&server);
}

/// Slowloris: 300 connections each sending its headers one byte a second. Others are
/// answered in under a second all the while; the slow ones are cut off at the header-read
/// timeout, and idle keep-alive connections are closed at the idle timeout.
#[test]
fn slowloris_does_not_stop_others_and_slow_clients_are_cut_off() {
    let server = spawn(
        ServerConfig::default()
            .header_read_timeout(Duration::from_secs(2))
            .idle_timeout(Duration::from_secs(1)),
    );
    let addr = server.local_addr();
    let head = b"POST /RPC2 HTTP/1.1\r\nHost: slow\r\nContent-Type: text/xml\r\n";
    // 250: under the per-address cap (256), past which one address gets no more slots.
    let mut slow: Vec<TcpStream> = (0..250)
        .map(|_| {
            let s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    let mut cut_off = vec![false; slow.len()];
    let mut worst = Duration::ZERO;
    // One byte a second from every slow client for 4 seconds, with normal calls between.
    for byte in head.iter().take(4) {
        for (i, s) in slow.iter_mut().enumerate() {
            if !cut_off[i] && s.write_all(&[*byte]).is_err() {
                cut_off[i] = true;
            }
        }
        let call = Instant::now();
        assert_still_serves(&server);
        worst = worst.max(call.elapsed());
        std::thread::sleep(Duration::from_secs(1).saturating_sub(call.elapsed()));
    }
    assert!(
        worst < Duration::from_secs(1),
        "worst normal call {worst:?}"
    );
    assert!(started.elapsed() >= Duration::from_secs(3));
    // Past the 2 s header timeout every slow client has been closed.
    for s in &mut slow {
        let mut byte = [0u8; 1];
        let closed = matches!(s.read(&mut byte), Ok(0) | Err(_));
        assert!(closed, "a slow client is still connected");
    }

    // An idle keep-alive connection is closed after the idle timeout.
    let mut idle = Conn::open(addr);
    let r = idle.post(&call_xml("add", &["<int>1</int>", "<int>1</int>"]));
    assert_eq!(result::<i32>(&r.body), Ok(2));
    // Closed at the 1 s idle timeout (the deadline leaves room for a busy machine).
    assert!(
        idle.closes_within(Duration::from_secs(5)),
        "an idle connection was kept open"
    );
    assert_still_serves(&server);
}

/// Bad values: each is a fault with an interop code and a message that says what was wrong.
#[test]
fn bad_values_are_faults_that_say_what_was_wrong() {
    let server = spawn(ServerConfig::default());
    let call = |method: &str, value: &str| {
        format!("<methodCall><methodName>{method}</methodName><params><param><value>{value}</value></param></params></methodCall>").into_bytes()
    };
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        (
            "int over 32 bits",
            call("int", "<int>2147483648</int>"),
            &["2147483648"],
        ),
        ("i4 not a number", call("int", "<i4>12x</i4>"), &["int"]),
        (
            "i8 over 64 bits",
            call("echo", "<i8>9223372036854775808</i8>"),
            &["9223372036854775808"],
        ),
        (
            "i8 into an i32",
            call("int", "<i8>4294967296</i8>"),
            &["i32"],
        ),
        (
            "boolean 2",
            call("flag", "<boolean>2</boolean>"),
            &["boolean"],
        ),
        (
            "boolean yes",
            call("flag", "<boolean>yes</boolean>"),
            &["boolean"],
        ),
        (
            "bad base64",
            call("echo", "<base64>!!!notbase64</base64>"),
            &["base64"],
        ),
        (
            "bad date",
            call(
                "echo",
                "<dateTime.iso8601>20241345T99:00:00</dateTime.iso8601>",
            ),
            &["date"],
        ),
        (
            "bad double",
            call("echo", "<double>1.2.3</double>"),
            &["double"],
        ),
        (
            "wrong type",
            call("flag", "<string>true</string>"),
            &["param 1", "bool"],
        ),
        (
            "too few params",
            call_xml("add", &["<int>1</int>"]),
            &["param"],
        ),
        (
            "unknown type",
            call("echo", "<decimal>1</decimal>"),
            &["decimal"],
        ),
        (
            "invalid UTF-8",
            [
                &call("echo", "<string>")[..],
                b"\xff\xfe\xc3(",
                b"</string></value></param></params></methodCall>",
            ]
            .concat(),
            &["utf-8"],
        ),
        (
            "raw control character",
            call("echo", "<string>a\u{1}b</string>"),
            &["character"],
        ),
        (
            "control character by reference",
            call("echo", "<string>a&#1;b</string>"),
            &["character"],
        ),
        (
            "unknown entity",
            call("echo", "<string>&nbsp;</string>"),
            &["nbsp"],
        ),
        (
            "mismatched tags",
            b"<methodCall><methodName>echo</methodName><params></param></methodCall>".to_vec(),
            &["param"],
        ),
        (
            "a response instead of a call",
            b"<methodResponse><params/></methodResponse>".to_vec(),
            &["methodresponse"],
        ),
        ("not XML", b"hello".to_vec(), &[]),
        ("empty body", Vec::new(), &[]),
    ];
    for (name, body, words) in cases {
        let fault = fault_of(&server, &body);
        assert!(
            [
                Fault::NOT_WELL_FORMED,
                Fault::INVALID_XMLRPC,
                Fault::INVALID_PARAMS
            ]
            .contains(&fault.code),
            "{name}: {fault}"
        );
        let message = fault.string.to_lowercase();
        for word in words {
            assert!(
                message.contains(&word.to_lowercase()),
                "{name}: the fault should mention `{word}`: {fault}"
            );
        }
    }
    assert_still_serves(&server);
}

/// A handler that panics answers -32603 with the panic's message; the server serves on.
#[test]
fn a_panicking_handler_is_an_internal_error_fault() {
    let server = spawn(ServerConfig::default());
    for _ in 0..3 {
        let fault = fault_of(&server, &call_xml("boom", &[]));
        assert_eq!(fault.code, Fault::INTERNAL_ERROR);
        assert!(fault.string.contains("kaboom"), "{fault}");
    }
    assert_still_serves(&server);
}

/// With a call timeout, a handler that never finishes (async) or sleeps past it (blocking)
/// becomes fault -32603 at the timeout; inside a multicall too. Without one, the call runs
/// to its end.
#[test]
fn a_call_timeout_turns_a_hang_into_a_fault() {
    let server = spawn(ServerConfig::default().call_timeout(Duration::from_millis(300)));
    for method in ["hang", "hang_blocking"] {
        let started = Instant::now();
        let fault = fault_of(&server, &call_xml(method, &[]));
        let took = started.elapsed();
        assert_eq!(fault.code, Fault::INTERNAL_ERROR, "{method}: {fault}");
        assert!(
            fault.string.contains("did not finish within 300ms"),
            "{fault}"
        );
        assert!(
            took >= Duration::from_millis(300) && took < Duration::from_secs(2),
            "{method}: {took:?}"
        );
        assert_still_serves(&server);
    }
    let multicall = call_xml(
        "system.multicall",
        &["<array><data><value><struct><member><name>methodName</name><value>hang</value></member></struct></value></data></array>"],
    );
    let fault = fault_of(&server, &multicall);
    assert!(fault.string.contains("did not finish"), "{fault}");
    assert_still_serves(&server);

    // Many hanging calls at once do not hold up a normal one.
    let addr = server.local_addr();
    let hangers: Vec<_> = (0..50)
        .map(|_| std::thread::spawn(move || Conn::open(addr).post(&call_xml("hang", &[])).status))
        .collect();
    assert_still_serves(&server);
    for h in hangers {
        assert_eq!(h.join().unwrap(), 200);
    }

    let patient = spawn(ServerConfig::default());
    let r = Conn::open(patient.local_addr()).post(&call_xml("hang_blocking", &[]));
    assert_eq!(result::<i32>(&r.body), Ok(0));
}
