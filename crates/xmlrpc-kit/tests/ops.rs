//! Operations: `/metrics` read by Python's `prometheus_client` parser with per-method
//! figures matching the calls made, `/healthz` failing while the server drains (calls in
//! progress finishing, new connections served through the drain delay, then refused), and
//! the client behind a trusted proxy reaching the `authorize_call` hook and the page.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call_xml, python, Conn};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use xmlrpc_kit::server::{Server, ServerConfig};

/// Reads a Prometheus text with `prometheus_client.parser` and prints one
/// `name{labels} value` line per sample, labels sorted: a parse error fails the test.
const PARSE: &str = r#"
import sys
from prometheus_client.parser import text_string_to_metric_families
text = sys.stdin.read()
for family in text_string_to_metric_families(text):
    for s in family.samples:
        labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
        print(f"{family.type} {s.name}{{{labels}}} {s.value}")
"#;

fn parse_metrics(text: &str) -> Vec<String> {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .arg("-c")
        .arg(PARSE)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "prometheus_client could not parse the metrics (pip install prometheus-client):\n{}\n{text}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn sample(samples: &[String], series: &str) -> f64 {
    samples
        .iter()
        .find_map(|line| {
            let (_, rest) = line.split_once(' ')?;
            let (name, value) = rest.rsplit_once(' ')?;
            (name == series).then(|| value.parse().unwrap())
        })
        .unwrap_or_else(|| panic!("no {series} in\n{}", samples.join("\n")))
}

#[test]
fn metrics_match_the_calls_made_and_parse_with_prometheus_client() {
    let _ = python("import prometheus_client", &[]);
    let server = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("echo", |s: String| s)
        .config(ServerConfig::default().metrics(true).max_body_size(4096))
        .spawn("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr();
    let mut conn = Conn::open(addr);
    // The bodies of the calls, all read by the server (the 413's below may not be).
    let mut bodies = 0;
    let mut post = |body: Vec<u8>| {
        bodies += body.len();
        conn.post(&body)
    };
    for i in 0..7 {
        let r = post(call_xml(
            "add",
            &[&format!("<int>{i}</int>"), &format!("<int>{}</int>", i + 1)],
        ));
        assert_eq!(r.status, 200);
    }
    for _ in 0..3 {
        post(call_xml("add", &["<string>x</string>"])); // -32602
    }
    post(call_xml("echo", &["<string>hi</string>"]));
    post(call_xml("no.such.method", &[])); // -32601, counted as (unknown)
    let big = vec![b'x'; 8192];
    assert_eq!(Conn::open(addr).post(&big).status, 413);
    assert_eq!(
        Conn::open(addr).request("GET", "/nowhere", &[], b"").status,
        404
    );

    let reply = Conn::open(addr).request("GET", "/metrics", &[], b"");
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = reply.text();
    let samples = parse_metrics(&text);
    let s = |series: &str| sample(&samples, series);
    assert_eq!(s(r#"xmlrpc_calls_total{method="add",outcome="ok"}"#), 7.0);
    assert_eq!(
        s(r#"xmlrpc_calls_total{method="add",outcome="fault"}"#),
        3.0
    );
    assert_eq!(s(r#"xmlrpc_calls_total{method="echo",outcome="ok"}"#), 1.0);
    assert_eq!(
        s(r#"xmlrpc_calls_total{method="(unknown)",outcome="fault"}"#),
        1.0
    );
    assert_eq!(s(r#"xmlrpc_faults_total{code="-32602",method="add"}"#), 3.0);
    assert_eq!(
        s(r#"xmlrpc_faults_total{code="-32601",method="(unknown)"}"#),
        1.0
    );
    assert_eq!(
        s(r#"xmlrpc_call_duration_seconds_count{method="add"}"#),
        10.0
    );
    assert_eq!(
        s(r#"xmlrpc_call_duration_seconds_bucket{le="+Inf",method="add"}"#),
        10.0
    );
    assert!(s(r#"xmlrpc_call_duration_seconds_sum{method="add"}"#) > 0.0);
    assert_eq!(s(r#"xmlrpc_refusals_total{reason="too_large"}"#), 1.0);
    assert_eq!(s(r#"xmlrpc_refusals_total{reason="not_found"}"#), 1.0);
    // This scrape's own connection is open and counted; the calls' connection too.
    assert!(s("xmlrpc_connections_total{}") >= 4.0);
    assert!(s("xmlrpc_connections_open{}") >= 1.0);
    assert_eq!(s("xmlrpc_calls_in_flight{}"), 0.0);
    assert!(s("xmlrpc_received_bytes_total{}") > (bodies as f64));
    assert!(s("xmlrpc_sent_bytes_total{}") > 1000.0);
    assert!(!text.contains("no.such.method"), "{text}");
}

#[test]
fn metrics_are_off_by_default_and_the_health_check_is_on() {
    let server = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .spawn("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr();
    assert_eq!(
        Conn::open(addr).request("GET", "/metrics", &[], b"").status,
        404
    );
    let health = Conn::open(addr).request("GET", "/healthz", &[], b"");
    assert_eq!((health.status, health.text().as_str()), (200, "ok\n"));
}

#[test]
fn a_stopping_server_fails_its_health_check_serves_through_the_delay_and_finishes_calls() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .async_method("slow", |ms: u64| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            ms
        })
        .config(
            ServerConfig::default()
                .drain_delay(Duration::from_millis(800))
                .shutdown_grace(Duration::from_secs(5)),
        );
    let served = runtime.spawn(server.serve_with_shutdown(listener, async {
        stopped.await.ok();
    }));
    assert_eq!(
        Conn::open(addr).request("GET", "/healthz", &[], b"").status,
        200
    );
    // A long call starts before the stop and must finish after the listener is closed.
    let slow =
        std::thread::spawn(move || Conn::open(addr).post(&call_xml("slow", &["<i8>1500</i8>"])));
    std::thread::sleep(Duration::from_millis(200));
    let stopped_at = Instant::now();
    stop.send(()).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    // Draining: the health check fails, new connections are still served, and replies
    // tell keep-alive clients to go.
    let health = Conn::open(addr).request("GET", "/healthz", &[], b"");
    assert_eq!((health.status, health.text().as_str()), (503, "draining\n"));
    let call = Conn::open(addr).post(&call_xml("add", &["<int>2</int>", "<int>3</int>"]));
    assert_eq!(call.status, 200);
    assert_eq!(call.header("connection"), Some("close"));
    // After the delay the listener is gone.
    assert!(test_support::wait::until(Duration::from_secs(3), || {
        TcpStream::connect(addr).is_err()
    }));
    assert!(stopped_at.elapsed() >= Duration::from_millis(800));
    let reply = slow.join().unwrap();
    assert_eq!(reply.status, 200);
    assert_eq!(common::result::<u64>(&reply.body).unwrap(), 1500);
    runtime.block_on(served).unwrap().unwrap();
}

fn whoami_server(config: ServerConfig) -> xmlrpc_kit::server::ServerHandle {
    Server::new()
        .method("ping", || true)
        .authorize_call(|caller| caller.client_ip() == Some("198.51.100.7".parse().unwrap()))
        .config(config)
        .spawn("127.0.0.1:0")
        .unwrap()
}

fn ping_from(addr: SocketAddr, forwarded: &[(&str, &str)]) -> Result<bool, i32> {
    let mut headers = vec![("Content-Type", "text/xml")];
    headers.extend_from_slice(forwarded);
    let reply = Conn::open(addr).request("POST", "/RPC2", &headers, &call_xml("ping", &[]));
    common::result::<bool>(&reply.body).map_err(|f| f.code)
}

#[test]
fn the_forwarded_client_reaches_the_hook_only_through_a_trusted_proxy() {
    let trusting =
        whoami_server(ServerConfig::default().trusted_proxies(["127.0.0.0/8".parse().unwrap()]));
    let addr = trusting.local_addr();
    assert_eq!(
        ping_from(addr, &[("X-Forwarded-For", "198.51.100.7")]),
        Ok(true)
    );
    assert_eq!(
        ping_from(addr, &[("Forwarded", "for=198.51.100.7;proto=https")]),
        Ok(true)
    );
    // Another client, and one that named itself before the proxy's own entry.
    assert_eq!(
        ping_from(addr, &[("X-Forwarded-For", "203.0.113.1")]),
        Err(-32001)
    );
    assert_eq!(
        ping_from(addr, &[("X-Forwarded-For", "198.51.100.7, 203.0.113.1")]),
        Err(-32001)
    );
    assert_eq!(ping_from(addr, &[]), Err(-32001));

    // Without trusted proxies the header is anybody's word, and ignored.
    let plain = whoami_server(ServerConfig::default());
    let addr = plain.local_addr();
    assert_eq!(
        ping_from(addr, &[("X-Forwarded-For", "198.51.100.7")]),
        Err(-32001)
    );
    let page = Conn::open(addr)
        .request("GET", "/RPC2", &[("X-Forwarded-Host", "evil.example")], b"")
        .text();
    assert!(!page.contains("evil.example"), "{page}");
}
