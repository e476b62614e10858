//! The server's limits against abuse (issue 17), through the library: handler deadlines
//! that hold even for a plain sync method, a bounded blocking pool that refuses at once
//! when full, per-client call rates counted inside multicall (429 with `Retry-After`), the
//! calls one request may make, and large replies sent from disk. `serve_abuse.rs` in the
//! CLI's tests sends the attacks to `xrpc serve` itself.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call_xml, result, Conn};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use xmlrpc_kit::server::{RateLimit, Server, ServerConfig};
use xmlrpc_kit::{Fault, Value};

fn multicall_of(method: &str, count: usize) -> Vec<u8> {
    let one = format!(
        "<value><struct><member><name>methodName</name><value>{method}</value></member>\
         <member><name>params</name><value><array><data/></array></value></member></struct></value>"
    );
    call_xml(
        "system.multicall",
        &[&format!(
            "<array><data>{}</data></array>",
            one.repeat(count)
        )],
    )
}

#[test]
fn a_sync_method_that_hangs_gets_its_caller_a_fault_at_the_deadline() {
    let server = Server::new()
        .config(ServerConfig::default().call_timeout(Duration::from_millis(300)))
        .method("hang", || {
            std::thread::sleep(Duration::from_secs(3));
            1
        })
        .method("ping", || "pong")
        .spawn("127.0.0.1:0")
        .unwrap();
    let started = Instant::now();
    let response = Conn::open(server.local_addr()).post(&call_xml("hang", &[]));
    let waited = started.elapsed();
    let fault = result::<i32>(&response.body).unwrap_err();
    assert_eq!(fault.code, Fault::INTERNAL_ERROR);
    assert!(
        fault.string.contains("did not finish within 300ms"),
        "{fault}"
    );
    assert!(waited < Duration::from_secs(2), "answered after {waited:?}");
    // The server's own threads were never held: another call is answered at once.
    let started = Instant::now();
    let pong = Conn::open(server.local_addr()).post(&call_xml("ping", &[]));
    assert_eq!(result::<String>(&pong.body), Ok("pong".into()));
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn a_full_blocking_pool_refuses_new_calls_at_once() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let running = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = std::sync::Arc::clone(&running);
    let server = Server::new()
        .config(
            ServerConfig::default()
                .max_blocking_calls(2)
                .max_queued_calls(1),
        )
        .blocking_method("slow", move || {
            counter.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(1500));
            true
        })
        .method("ping", || "pong")
        .spawn("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr();
    let send_slow = || {
        let mut conn = Conn::open(addr);
        let body = call_xml("slow", &[]);
        let head = format!(
            "POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        use std::io::Write;
        conn.raw().write_all(head.as_bytes()).unwrap();
        conn.raw().write_all(&body).unwrap();
        conn
    };
    // Two run (the test waits until both have started), one waits: their connections are
    // held open while they do.
    let mut held = vec![send_slow(), send_slow()];
    assert!(
        test_support::wait::until(Duration::from_secs(5), || running.load(Ordering::SeqCst)
            == 2),
        "the two slow calls never started"
    );
    held.push(send_slow());
    let full = test_support::wait::for_value(Duration::from_secs(5), || {
        let started = Instant::now();
        let response = Conn::open(addr).post(&call_xml("slow", &[]));
        let fault = result::<bool>(&response.body).err()?;
        Some((fault, started.elapsed()))
    });
    let (fault, took) = full.expect("the fourth call was never refused");
    assert_eq!(fault.code, Fault::OVER_LIMIT, "{fault}");
    assert!(fault.string.contains("server busy"), "{fault}");
    assert!(took < Duration::from_millis(500), "refused after {took:?}");
    // Sync methods do not need the pool.
    let pong = Conn::open(addr).post(&call_xml("ping", &[]));
    assert_eq!(result::<String>(&pong.body), Ok("pong".into()));
    for mut conn in held {
        assert_eq!(result::<bool>(&conn.read_response().body), Ok(true));
    }
}

#[test]
fn the_call_rate_counts_each_call_of_a_multicall_and_answers_429() {
    let server = Server::new()
        .config(ServerConfig::default().rate_limit(Some(RateLimit::per_second(1).burst(10))))
        .method("ping", || "pong")
        .with_multicall()
        .spawn("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr();
    let response = Conn::open(addr).post(&multicall_of("ping", 15));
    let results = result::<Vec<Value>>(&response.body).unwrap();
    let refused = results
        .iter()
        .filter(|r| r.get("faultCode") == Some(&Value::Int(Fault::OVER_LIMIT)))
        .count();
    assert_eq!((results.len(), refused), (15, 5), "{results:?}");
    // Over the rate: the next request is answered 429 before its body is read.
    let response = Conn::open(addr).post(&call_xml("ping", &[]));
    assert_eq!(response.status, 429, "{}", response.text());
    let retry: u64 = response.header("Retry-After").unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    // As the rate refills, the client is served again.
    let served = test_support::wait::until(Duration::from_secs(3), || {
        Conn::open(addr).post(&call_xml("ping", &[])).status == 200
    });
    assert!(served, "never served again");
}

#[test]
fn one_request_makes_at_most_its_share_of_calls() {
    let server = Server::new()
        .config(ServerConfig::default().max_calls_per_request(100))
        .method("ping", || "pong")
        .with_multicall()
        .spawn("127.0.0.1:0")
        .unwrap();
    let response = Conn::open(server.local_addr()).post(&multicall_of("ping", 250));
    let results = result::<Vec<Value>>(&response.body).unwrap();
    assert_eq!(results.len(), 250);
    assert_eq!(results[99], Value::Array(vec![Value::from("pong")]));
    assert_eq!(results[100]["faultCode"], Value::Int(Fault::OVER_LIMIT));
    assert!(results[249]["faultString"]
        .as_str()
        .unwrap()
        .contains("at most 100 calls"));
}

#[test]
fn a_large_reply_is_sent_from_disk_with_its_exact_length() {
    let spool = test_support::temp_dir("abuse-spool");
    let server = Server::new()
        .config(
            ServerConfig::default()
                .spool_replies_above(Some(64 << 10))
                .streaming(xmlrpc_kit::http::Streaming::default().spool_dir(spool.path())),
        )
        .method("big", || "x".repeat(300_000))
        .method("small", || "y")
        .spawn("127.0.0.1:0")
        .unwrap();
    let addr: SocketAddr = server.local_addr();
    let mut conn = Conn::open(addr);
    let big = conn.post(&call_xml("big", &[]));
    assert_eq!(
        big.header("Content-Length")
            .unwrap()
            .parse::<usize>()
            .unwrap(),
        big.body.len()
    );
    assert_eq!(result::<String>(&big.body).unwrap().len(), 300_000);
    // The same connection goes on, and the spool file is already gone (unlinked).
    let small = conn.post(&call_xml("small", &[]));
    assert_eq!(result::<String>(&small.body), Ok("y".into()));
    assert_eq!(std::fs::read_dir(spool.path()).unwrap().count(), 0);
}
