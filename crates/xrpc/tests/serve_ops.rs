//! `xrpc serve` in operation: SIGTERM drains it (the health check fails through the drain
//! delay, then it exits 0), it serves a socket passed the way systemd passes one
//! (`LISTEN_FDS`, `LISTEN_PID`, fd 3: by a small launcher, and by
//! `systemd-socket-activate`), and `--log-format json` writes one object per line whose
//! access lines name the client a trusted proxy forwards for.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use test_support::http::{call_xml, Conn};
use test_support::process::{terminate, wait_exit};
use test_support::xrpc::Serve;
use xmlrpc_kit::client::Client;

/// Binds a socket (TCP on 127.0.0.1:PORT, or a Unix socket at PATH), puts it at fd 3, sets
/// LISTEN_FDS=1 and LISTEN_PID to its own pid, and execs the rest of its arguments: what
/// systemd does for a socket-activated service.
const LAUNCHER: &str = r#"
import os, socket, sys
kind, place, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
if kind == "tcp":
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(place)))
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(place)
s.listen(128)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
os.execve(argv[0], argv, env)
"#;

fn xrpc() -> &'static str {
    env!("CARGO_BIN_EXE_xrpc")
}

fn activated(kind: &str, place: &str, root: &Path, extra: &[&str]) -> Serve {
    let mut command = Command::new("python3");
    command
        .args(["-c", LAUNCHER, kind, place, xrpc(), "serve"])
        .args(extra)
        .arg("--root")
        .arg(root);
    Serve::spawn(command, root)
}

fn addr_of(serve: &Serve) -> SocketAddr {
    ([127, 0, 0, 1], serve.port()).into()
}

#[test]
fn sigterm_fails_the_health_check_through_the_drain_delay_then_exits_0() {
    let dir = test_support::temp_dir("sigterm");
    let mut serve = Serve::start_in(
        xrpc(),
        &dir.path().join("files"),
        ["--drain-delay", "1", "--shutdown-grace", "5"],
    );
    let addr = addr_of(&serve);
    assert_eq!(
        Conn::open(addr).request("GET", "/healthz", &[], b"").status,
        200
    );
    let sent = Instant::now();
    assert!(terminate(&serve.child));
    assert!(test_support::wait::until(Duration::from_secs(1), || {
        Conn::open(addr).request("GET", "/healthz", &[], b"").status == 503
    }));
    // Still serving calls while draining.
    let reply = Conn::open(addr).post(&call_xml("add", &["<int>2</int>", "<int>3</int>"]));
    assert_eq!(reply.status, 200);
    let status = wait_exit(&mut serve.child, Duration::from_secs(10)).expect("it exits");
    assert_eq!(status.code(), Some(0), "{status:?}");
    assert!(sent.elapsed() >= Duration::from_secs(1));
    let log = serve.log.lock().unwrap().join("\n");
    assert!(log.contains("SIGTERM: draining"), "{log}");
}

#[test]
fn a_tcp_socket_passed_at_fd_3_is_served() {
    let dir = test_support::temp_dir("activate-tcp");
    let port = test_support::apps::free_port();
    let mut serve = activated(
        "tcp",
        &port.to_string(),
        &dir.path().join("files"),
        &["--bind", "systemd"],
    );
    assert_eq!(serve.url, format!("http://127.0.0.1:{port}/RPC2"));
    let sum: i64 = Client::builder(&serve.url)
        .build()
        .unwrap()
        .call("add", (40, 2))
        .unwrap();
    assert_eq!(sum, 42);
    assert!(terminate(&serve.child));
    let status = wait_exit(&mut serve.child, Duration::from_secs(10)).expect("it exits");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn a_unix_socket_passed_at_fd_3_is_served_with_scgi_too() {
    let dir = test_support::temp_dir("activate-unix");
    let sock = dir.path().join("rpc.sock");
    let serve = activated(
        "unix",
        sock.to_str().unwrap(),
        &dir.path().join("files"),
        &["--bind", "systemd"],
    );
    assert_eq!(serve.url, format!("unix://{}", sock.display()));
    let sum: i64 = Client::builder(&serve.url)
        .build()
        .unwrap()
        .call("add", (40, 2))
        .unwrap();
    assert_eq!(sum, 42);
    drop(serve);

    let sock = dir.path().join("scgi.sock");
    let serve = activated(
        "unix",
        sock.to_str().unwrap(),
        &dir.path().join("files"),
        &["--scgi", "systemd"],
    );
    assert_eq!(serve.url, format!("scgi://{}", sock.display()));
    let sum: i64 = Client::builder(&serve.url)
        .build()
        .unwrap()
        .call("add", (1, 2))
        .unwrap();
    assert_eq!(sum, 3);
}

#[test]
fn without_a_passed_socket_bind_systemd_says_so() {
    let dir = test_support::temp_dir("activate-none");
    let mut command = Command::new(xrpc());
    command
        .args(["serve", "--bind", "systemd", "--root"])
        .arg(dir.path().join("files"))
        // Another process's sockets: not ours to take.
        .env("LISTEN_FDS", "1")
        .env("LISTEN_PID", "1");
    let out = test_support::process::run(command, Duration::from_secs(20)).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no socket was passed"), "{err}");
}

#[test]
fn systemd_socket_activate_starts_it_on_the_first_connection() {
    if !test_support::peer::have("systemd-socket-activate") {
        test_support::peer::skip("systemd-socket-activate", "systemd");
        return;
    }
    let dir = test_support::temp_dir("activate-systemd");
    let port = test_support::apps::free_port();
    let root = dir.path().join("files");
    let mut command = Command::new("systemd-socket-activate");
    command
        .args(["-l", &format!("127.0.0.1:{port}"), xrpc()])
        .args(["serve", "--bind", "systemd", "--root"])
        .arg(&root);
    // It execs xrpc serve when the first connection arrives, which waits in the backlog
    // meanwhile and is then answered.
    let first = std::thread::spawn(move || {
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        assert!(test_support::wait::accepts(addr, Duration::from_secs(10)));
        Conn::open(addr).request("GET", "/healthz", &[], b"").status
    });
    let mut serve = Serve::spawn(command, &root);
    assert_eq!(first.join().unwrap(), 200);
    assert_eq!(serve.url, format!("http://127.0.0.1:{port}/RPC2"));
    assert!(terminate(&serve.child));
    let status = wait_exit(&mut serve.child, Duration::from_secs(10)).expect("it exits");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn json_logs_are_one_object_per_line_with_the_forwarded_client() {
    let dir = test_support::temp_dir("json-log");
    let mut serve = Serve::start_in(
        xrpc(),
        &dir.path().join("files"),
        [
            "--log-format",
            "json",
            "--access-log",
            "--trusted-proxy",
            "127.0.0.1",
        ],
    );
    let addr = addr_of(&serve);
    let headers = [
        ("Content-Type", "text/xml"),
        ("X-Forwarded-For", "198.51.100.7"),
    ];
    let call = call_xml("add", &["<int>2</int>", "<int>3</int>"]);
    assert_eq!(
        Conn::open(addr)
            .request("POST", "/RPC2", &headers, &call)
            .status,
        200
    );
    let fault = call_xml("add", &["<string>x</string>"]);
    Conn::open(addr).request("POST", "/RPC2", &headers, &fault);
    assert!(terminate(&serve.child));
    wait_exit(&mut serve.child, Duration::from_secs(10)).expect("it exits");
    std::thread::sleep(Duration::from_millis(100));
    let lines = serve.log.lock().unwrap().clone();
    let objects: Vec<serde_json::Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(objects
        .iter()
        .all(|o| o["time"].is_string() && o["level"].is_string()));
    let calls: Vec<&serde_json::Value> = objects.iter().filter(|o| o["method"] == "add").collect();
    assert_eq!(calls.len(), 2, "{lines:#?}");
    for (o, outcome) in calls.iter().zip(["ok", "fault"]) {
        assert_eq!(o["peer"], "198.51.100.7", "{o}");
        assert_eq!(o["user"], "-", "{o}");
        assert_eq!(o["outcome"], outcome, "{o}");
        assert!(o["micros"].is_u64(), "{o}");
        assert_eq!(o["level"], "debug");
    }
    assert_eq!(calls[1]["fault"], -32602);
    assert!(objects
        .iter()
        .any(|o| o["message"].as_str().unwrap_or("").contains("listening on")));
}
