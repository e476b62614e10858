//! The server over real sockets: Python's client against it, many clients at once, slow
//! handlers, every refusal (and that the server still serves after each), timeouts,
//! connection limits, shutdown, and the documentation page.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call_xml, python, result, Conn};
use std::io::Write;
use std::time::{Duration, Instant};
use xmlrpc_kit::server::{Server, ServerConfig, ServerHandle};
use xmlrpc_kit::{Fault, Value};

fn methods() -> Server {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .help("Adds two integers.")
        .signature(["int", "int", "int"])
        .method("get_string", |s: String| format!("get string:{s}"))
        .method("echo", |v: Value| v)
        .method("boom", || -> i32 { panic!("kaboom") })
        .method("fail", |code: i32| {
            Err::<i32, _>(Fault::new(code, "failed as asked"))
        })
        .async_method("sleep_async", |ms: u64| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            ms
        })
        .blocking_method("sleep_blocking", |ms: u64| {
            std::thread::sleep(Duration::from_millis(ms));
            ms
        })
        .method("xss", || 1)
        .help("<script>document.title='pwned'</script><b>bold?</b>")
        .with_introspection()
        .with_multicall()
}

fn spawn(config: ServerConfig) -> ServerHandle {
    methods().config(config).spawn("127.0.0.1:0").unwrap()
}

fn assert_still_serves(server: &ServerHandle) {
    let mut conn = Conn::open(server.local_addr());
    let r = conn.post(&call_xml("add", &["<int>2</int>", "<int>3</int>"]));
    assert_eq!(r.status, 200);
    assert_eq!(result::<i32>(&r.body), Ok(5));
}

#[test]
fn python_client_proxy_multicall_and_introspection() {
    let server = spawn(ServerConfig::default());
    let script = r#"
import sys, json, xmlrpc.client, datetime
p = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True)
out = {}
out["get_string"] = p.get_string("cloudox")
out["add"] = p.add(8, 8)
values = [0, -2**31, 2**31 - 1, True, False, "", "héllo <&> 🦀\n\t", 1.5, -0.0, 1e300, None,
          [1, [2, "x"]], {"a": {"b": [None]}}]
out["echo"] = [p.echo(v) == v for v in values]
out["echo_binary"] = p.echo(xmlrpc.client.Binary(bytes(range(256)))).data == bytes(range(256))
dt = xmlrpc.client.DateTime("20261125T10:11:12")
out["echo_datetime"] = str(p.echo(dt))
try:
    p.fail(42)
except xmlrpc.client.Fault as f:
    out["fault"] = [f.faultCode, f.faultString]
try:
    p.add("x", 1)
except xmlrpc.client.Fault as f:
    out["bad_params"] = [f.faultCode, f.faultString]
try:
    p.nope()
except xmlrpc.client.Fault as f:
    out["missing"] = f.faultCode
try:
    p.boom()
except xmlrpc.client.Fault as f:
    out["panic"] = [f.faultCode, f.faultString]
m = xmlrpc.client.MultiCall(p)
m.add(1, 2)
m.get_string("m")
m.fail(7)
res = []
try:
    for r in m():
        res.append(r)
except xmlrpc.client.Fault as f:
    res.append(["fault", f.faultCode])
out["multicall"] = res
out["list"] = p.system.listMethods()
out["help"] = p.system.methodHelp("add")
out["sig"] = p.system.methodSignature("add")
print(json.dumps(out))
"#;
    let out: serde_json::Value = serde_json::from_str(&python(script, &[&server.url()])).unwrap();
    assert_eq!(out["get_string"], "get string:cloudox");
    assert_eq!(out["add"], 16);
    assert!(
        out["echo"].as_array().unwrap().iter().all(|b| b == true),
        "{}",
        out["echo"]
    );
    assert_eq!(out["echo_binary"], true);
    assert_eq!(out["echo_datetime"], "20261125T10:11:12");
    assert_eq!(out["fault"], serde_json::json!([42, "failed as asked"]));
    assert_eq!(out["bad_params"][0], Fault::INVALID_PARAMS);
    assert!(
        out["bad_params"][1].as_str().unwrap().contains("param 1"),
        "{}",
        out["bad_params"]
    );
    assert_eq!(out["missing"], Fault::METHOD_NOT_FOUND);
    assert_eq!(out["panic"][0], Fault::INTERNAL_ERROR);
    assert!(out["panic"][1].as_str().unwrap().contains("kaboom"));
    assert_eq!(
        out["multicall"],
        serde_json::json!([3, "get string:m", ["fault", 7]])
    );
    let list: Vec<&str> = out["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for name in [
        "add",
        "echo",
        "system.listMethods",
        "system.multicall",
        "system.methodHelp",
    ] {
        assert!(list.contains(&name), "{name} missing from {list:?}");
    }
    assert_eq!(out["help"], "Adds two integers.");
    assert_eq!(out["sig"], serde_json::json!([["int", "int", "int"]]));
}

#[test]
fn two_hundred_clients_times_one_hundred_calls() {
    let server = spawn(ServerConfig::default());
    let addr = server.local_addr();
    let threads: Vec<_> = (0..200)
        .map(|t| {
            std::thread::spawn(move || {
                let mut conn = Conn::open(addr);
                for i in 0..100 {
                    let body = call_xml(
                        "add",
                        &[&format!("<int>{t}</int>"), &format!("<i4>{i}</i4>")],
                    );
                    let r = conn.post(&body);
                    assert_eq!(r.status, 200);
                    assert_eq!(result::<i32>(&r.body), Ok(t + i), "client {t} call {i}");
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

#[test]
fn slow_handlers_do_not_block_each_other() {
    let server = spawn(ServerConfig::default());
    for method in ["sleep_async", "sleep_blocking"] {
        let addr = server.local_addr();
        let started = Instant::now();
        let threads: Vec<_> = (0..16)
            .map(|_| {
                std::thread::spawn(move || {
                    let r = Conn::open(addr).post(&call_xml(method, &["<int>100</int>"]));
                    assert_eq!(result::<u64>(&r.body), Ok(100));
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let elapsed = started.elapsed();
        eprintln!("16 concurrent {method}(100 ms) calls took {elapsed:?}");
        // Run one after another they would take 1.6 s.
        assert!(
            elapsed < Duration::from_millis(800),
            "{method}: {elapsed:?}"
        );
    }
}

#[test]
fn faults_over_http_200() {
    let server = spawn(ServerConfig::default());
    let mut conn = Conn::open(server.local_addr());
    let cases: [(&[u8], i32, &str); 6] = [
        (b"<methodCall><methodName>add</methodName", Fault::NOT_WELL_FORMED, "malformed XML"),
        (b"<methodResponse><params/></methodResponse>", Fault::INVALID_XMLRPC, "methodCall"),
        (b"<methodCall><methodName>nope</methodName></methodCall>", Fault::METHOD_NOT_FOUND, "nope"),
        (
            b"<methodCall><methodName>add</methodName><params><param><value><int>1</int></value></param></params></methodCall>",
            Fault::INVALID_PARAMS,
            "invalid length 1",
        ),
        (b"<methodCall><methodName>boom</methodName></methodCall>", Fault::INTERNAL_ERROR, "kaboom"),
        (
            b"<!DOCTYPE x [<!ENTITY a 'b'>]><methodCall><methodName>add</methodName></methodCall>",
            Fault::NOT_WELL_FORMED,
            "DOCTYPE",
        ),
    ];
    for (body, code, needle) in cases {
        let r = conn.post(body);
        assert_eq!(r.status, 200, "{}", r.text());
        let fault = result::<Value>(&r.body).unwrap_err();
        assert_eq!(fault.code, code, "{fault}");
        assert!(fault.string.contains(needle), "{fault}");
    }
    assert_still_serves(&server);
}

#[test]
fn http_refusals_and_the_server_survives_each() {
    let server = spawn(
        ServerConfig::default()
            .max_body_size(1 << 20)
            .max_decompressed_size(1 << 20),
    );
    let addr = server.local_addr();

    let r = Conn::open(addr).request("POST", "/elsewhere", &[], &call_xml("add", &[]));
    assert_eq!(r.status, 404);
    let r = Conn::open(addr).request("PUT", "/RPC2", &[], b"");
    assert_eq!(r.status, 405);
    assert!(r.header("allow").unwrap().contains("POST"));
    assert_still_serves(&server);

    // A 50 GB Content-Length with no body: refused at once, nothing read.
    let started = Instant::now();
    let r = Conn::open(addr).request("POST", "/RPC2", &[("Content-Length", "50000000000")], b"");
    assert_eq!(r.status, 413);
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_still_serves(&server);

    // A chunked body that grows past the limit: cut off with 413 once it passes 1 MiB.
    // (The client stops sending there, so no unread bytes make the close a reset.)
    let mut conn = Conn::open(addr);
    let head = "POST /RPC2 HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n";
    conn.raw().write_all(head.as_bytes()).unwrap();
    let chunk = vec![b'a'; 64 * 1024];
    for _ in 0..17 {
        conn.raw()
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .unwrap();
        conn.raw().write_all(&chunk).unwrap();
        conn.raw().write_all(b"\r\n").unwrap();
    }
    assert_eq!(conn.read_response().status, 413);
    assert_still_serves(&server);

    // A gzip bomb: 100 MB of zeros in about 100 KB.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![0u8; 100 << 20]).unwrap();
    let bomb = encoder.finish().unwrap();
    let r = Conn::open(addr).request("POST", "/RPC2", &[("Content-Encoding", "gzip")], &bomb);
    assert_eq!(r.status, 413, "{}", r.text());
    assert_still_serves(&server);

    let r = Conn::open(addr).request("POST", "/RPC2", &[("Content-Encoding", "br")], b"x");
    assert_eq!(r.status, 415);
    assert_still_serves(&server);
}

#[test]
fn gzip_both_ways() {
    let server = spawn(ServerConfig::default());
    let big = "x".repeat(10_000);
    let call = call_xml("echo", &[&format!("<string>{big}</string>")]);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&call).unwrap();
    let packed = encoder.finish().unwrap();
    let r = Conn::open(server.local_addr()).request(
        "POST",
        "/RPC2",
        &[("Content-Encoding", "gzip"), ("Accept-Encoding", "gzip")],
        &packed,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.body.len() < 1000, "{} bytes", r.body.len());
    let mut xml = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&r.body[..]), &mut xml).unwrap();
    assert_eq!(result::<String>(&xml), Ok(big));
    // Small answers and clients that do not ask are not compressed.
    let r = Conn::open(server.local_addr()).request(
        "POST",
        "/RPC2",
        &[("Accept-Encoding", "gzip")],
        &call_xml("add", &["<int>1</int>", "<int>1</int>"]),
    );
    assert_eq!(r.header("content-encoding"), None);
}

#[test]
fn slow_header_clients_are_cut_off_while_others_are_served() {
    let server = spawn(ServerConfig::default().header_read_timeout(Duration::from_millis(500)));
    let addr = server.local_addr();
    let mut slow: Vec<Conn> = (0..100).map(|_| Conn::open(addr)).collect();
    for conn in &mut slow {
        conn.raw().write_all(b"POST /RPC2 HTTP/1.1\r\nHo").unwrap();
    }
    let started = Instant::now();
    assert_still_serves(&server);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    // Cut off at the 500 ms header timeout (the deadline leaves room for a busy machine).
    for conn in &mut slow {
        assert!(
            conn.closes_within(Duration::from_secs(5)),
            "a slow client is still connected"
        );
    }
}

#[test]
fn idle_connections_are_closed() {
    let server = spawn(ServerConfig::default().idle_timeout(Duration::from_millis(300)));
    let mut conn = Conn::open(server.local_addr());
    assert_eq!(
        result::<i32>(
            &conn
                .post(&call_xml("add", &["<int>1</int>", "<int>1</int>"]))
                .body
        ),
        Ok(2)
    );
    assert!(conn.closes_within(Duration::from_secs(5)));
}

#[test]
fn a_long_call_is_not_idle() {
    let server = spawn(ServerConfig::default().idle_timeout(Duration::from_millis(200)));
    let mut conn = Conn::open(server.local_addr());
    let r = conn.post(&call_xml("sleep_async", &["<int>600</int>"]));
    assert_eq!(result::<u64>(&r.body), Ok(600));
}

#[test]
fn a_new_client_takes_the_slot_of_an_idle_connection() {
    let server = spawn(ServerConfig::default().max_connections(2));
    let addr = server.local_addr();
    let mut first = Conn::open(addr);
    let mut second = Conn::open(addr);
    first.post(&call_xml("add", &["<int>1</int>", "<int>1</int>"]));
    std::thread::sleep(Duration::from_millis(20));
    second.post(&call_xml("add", &["<int>1</int>", "<int>1</int>"]));
    // Both slots are taken by idle connections: the one idle longest makes room at once.
    let started = Instant::now();
    let r = Conn::open(addr).post(&call_xml("add", &["<int>1</int>", "<int>2</int>"]));
    assert_eq!(result::<i32>(&r.body), Ok(3));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(
        first.closes_within(Duration::from_secs(2)),
        "the oldest idle connection stayed"
    );
    let r = second.post(&call_xml("add", &["<int>2</int>", "<int>2</int>"]));
    assert_eq!(result::<i32>(&r.body), Ok(4));
}

#[test]
fn connections_beyond_the_limit_wait_while_all_are_busy() {
    let server = spawn(ServerConfig::default().max_connections(2));
    let addr = server.local_addr();
    let busy: Vec<_> = (0..2)
        .map(|_| {
            std::thread::spawn(move || {
                Conn::open(addr).post(&call_xml("sleep_async", &["<int>700</int>"]))
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    let r = Conn::open(addr).post(&call_xml("add", &["<int>1</int>", "<int>2</int>"]));
    let waited = started.elapsed();
    assert_eq!(result::<i32>(&r.body), Ok(3));
    assert!(
        waited >= Duration::from_millis(300),
        "the third client did not wait for a busy slot: {waited:?}"
    );
    for call in busy {
        assert_eq!(result::<u64>(&call.join().unwrap().body), Ok(700));
    }
}

#[test]
fn shutdown_lets_calls_in_progress_finish() {
    let server = spawn(ServerConfig::default());
    let addr = server.local_addr();
    let call = std::thread::spawn(move || {
        Conn::open(addr).post(&call_xml("sleep_async", &["<int>300</int>"]))
    });
    std::thread::sleep(Duration::from_millis(100));
    server.shutdown().unwrap();
    assert_eq!(result::<u64>(&call.join().unwrap().body), Ok(300));
    assert!(
        std::net::TcpStream::connect(addr).is_err(),
        "still accepting after shutdown"
    );
}

#[test]
fn duplicate_names_fail_at_start() {
    let err = Server::new()
        .method("a", || 1)
        .method("a", || 2)
        .spawn("127.0.0.1:0")
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "cannot register a method: method `a` is already registered"
    );
}

#[test]
fn docs_page_lists_methods_and_escapes_help() {
    let server = spawn(ServerConfig::default().title("Test <server>"));
    let r = Conn::open(server.local_addr()).request("GET", "/", &[], b"");
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let page = r.text();
    assert!(
        page.contains("<title>Test &lt;server&gt;</title>"),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"),
        "{page}"
    );
    // The help text stays text; the page's one script is the console's own.
    assert!(!page.contains("<script>document"));
    assert_eq!(page.matches("<script>").count(), 1);
    for name in ["add", "echo", "system.multicall"] {
        assert!(page.contains(&format!("id=\"{name}\"")), "{name}");
    }
}

#[test]
fn tower_service_answers_in_process() {
    use http_body_util::{BodyExt, Full};
    use tower_service::Service;
    let mut service = methods().into_service().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let request = hyper::Request::post("/RPC2")
        .body(Full::new(bytes::Bytes::from(call_xml(
            "add",
            &["<int>20</int>", "<int>22</int>"],
        ))))
        .unwrap();
    let response = runtime.block_on(service.call(request)).unwrap();
    assert_eq!(response.status(), 200);
    let body = runtime
        .block_on(response.into_body().collect())
        .unwrap()
        .to_bytes();
    assert_eq!(result::<i32>(&body), Ok(42));
}

/// Chromium is installed by `.ci/run`; a developer without it sees the test skip with a note.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

#[test]
fn docs_page_in_headless_chromium() {
    let Some(browser) = chromium() else {
        test_support::peer::skip("chromium", "chromium");
        return;
    };
    let server = spawn(ServerConfig::default().title("Seed service"));
    let profile = std::env::temp_dir().join(format!("xrpc-chromium-{}", std::process::id()));
    let output = std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("http://{}/", server.local_addr()))
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The help text's script stayed text: it did not run (the title is unchanged) and it
    // shows as written.
    assert!(dom.contains("<title>Seed service</title>"), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;b&gt;bold?&lt;/b&gt;"),
        "{dom}"
    );
    assert!(!dom.contains("<b>bold?</b>"), "{dom}");
    for name in [
        "add",
        "echo",
        "get_string",
        "sleep_async",
        "system.listMethods",
        "system.multicall",
    ] {
        assert!(
            dom.contains(&format!("<section class=\"method\" id=\"{name}\">")),
            "{name} not listed"
        );
    }
    assert!(dom.contains("Adds two integers."), "{dom}");
    assert!(dom.contains("add(int, int) → int"), "{dom}");
}

#[test]
fn deep_nesting_is_refused_with_a_fault_and_the_server_survives() {
    let server = spawn(ServerConfig::default());
    let depth = 100_000;
    let value = format!(
        "{}{}",
        "<array><data><value>".repeat(depth),
        "</value></data></array>".repeat(depth)
    );
    let r = Conn::open(server.local_addr()).post(&call_xml("echo", &[&value]));
    assert_eq!(r.status, 200);
    let fault = result::<Value>(&r.body).unwrap_err();
    assert_eq!(fault.code, Fault::INVALID_XMLRPC, "{fault}");
    assert!(fault.string.contains("nesting depth"), "{fault}");
    assert_still_serves(&server);
}
