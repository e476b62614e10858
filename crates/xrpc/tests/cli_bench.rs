//! `xrpc bench` as a user runs it: the built binary loading a server of our library spawned
//! in the test, checking the shape of the report, that calls were made, and how faults and
//! errors are counted. Nothing here is timed: the figures are only read, never compared.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value as Json;
use std::process::{Command, Output};
use std::time::Duration;
use xmlrpc_kit::server::{Server, ServerHandle};
use xmlrpc_kit::{Fault, Value};

fn server() -> ServerHandle {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("echo", |v: Value| v)
        .method("refuse", || -> Result<i32, Fault> {
            Err(Fault::new(4, "Too many"))
        })
        .spawn("127.0.0.1:0")
        .unwrap()
}

fn xrpc(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xrpc"));
    command.arg("bench").args(args);
    // The whole run is bounded by --duration; the timeout only guards a hung server, and
    // the deadline a hung xrpc.
    command.args(["--timeout", "30"]);
    test_support::process::run(command, Duration::from_secs(120)).unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `name: value` lines of the text report, in order.
fn fields(stdout: &str) -> Vec<(String, String)> {
    stdout
        .lines()
        .map(|line| {
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("not a `name: value` line: {line:?}"));
            (name.to_owned(), value.trim().to_owned())
        })
        .collect()
}

fn number(fields: &[(String, String)], name: &str) -> f64 {
    let (_, value) = fields
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no `{name}` in {fields:?}"));
    value
        .trim_end_matches(" ms")
        .trim_end_matches(" s")
        .parse()
        .unwrap_or_else(|_| panic!("`{name}` is not a number: {value}"))
}

#[test]
fn the_text_report_has_every_field_and_counts_calls() {
    let handle = server();
    let out = xrpc(&[&handle.url(), "-c", "4", "-d", "0.5"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    let fields = fields(&stdout);
    let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "url",
            "method",
            "client",
            "duration",
            "calls",
            "calls/s",
            "faults",
            "errors",
            "latency p50",
            "latency p90",
            "latency p99",
            "latency max",
        ]
    );
    assert_eq!(fields[1].1, "add");
    assert_eq!(fields[2].1, "async, 4 connections");
    assert!(number(&fields, "calls") > 0.0, "{stdout}");
    assert!(number(&fields, "calls/s") > 0.0, "{stdout}");
    assert_eq!(number(&fields, "faults"), 0.0, "{stdout}");
    assert_eq!(number(&fields, "errors"), 0.0, "{stdout}");
    let p50 = number(&fields, "latency p50");
    let p99 = number(&fields, "latency p99");
    let max = number(&fields, "latency max");
    assert!(0.0 < p50 && p50 <= p99 && p99 <= max, "{stdout}");
    // Each task kept its one connection alive.
    assert_eq!(handle.connections_accepted(), 4);
}

#[test]
fn the_json_report_reads_params_from_a_file() {
    let handle = server();
    let path = std::env::temp_dir().join(format!("xrpc-cli-bench-{}.json", std::process::id()));
    std::fs::write(
        &path,
        r#"[[{"id": 1, "name": "Zoë", "when": {"dateTime": "20261125T10:00:00"}}]]"#,
    )
    .unwrap();
    let params = format!("@{}", path.display());
    let out = xrpc(&[
        &handle.url(),
        "--method",
        "echo",
        "--params",
        &params,
        "-c",
        "2",
        "-d",
        "0.3",
        "--json",
    ]);
    let _ = std::fs::remove_file(&path);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["method"], "echo");
    assert_eq!(report["client"], "async");
    assert_eq!(report["connections"], 2);
    assert!(report["calls"].as_u64().unwrap() > 0, "{report}");
    assert!(report["calls_per_second"].as_f64().unwrap() > 0.0);
    assert_eq!(report["errors"], 0);
    assert_eq!(report["faults"], 0);
    for p in ["p50", "p90", "p99", "max"] {
        assert!(report["latency_ms"][p].as_f64().unwrap() > 0.0, "{report}");
    }
    assert!(report["first_error"].is_null());
}

#[test]
fn the_blocking_client_counts_faults_as_answers() {
    let handle = server();
    let out = xrpc(&[
        &handle.url(),
        "--method",
        "refuse",
        "--params",
        "[]",
        "--blocking",
        "-c",
        "1",
        "-d",
        "0.3",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report: Json = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["client"], "blocking");
    let calls = report["calls"].as_u64().unwrap();
    assert!(calls > 0);
    assert_eq!(report["faults"].as_u64(), Some(calls));
    assert_eq!(report["errors"], 0);
    assert_eq!(report["first_fault"], "fault 4: Too many");
}

#[test]
fn no_answer_at_all_is_an_error() {
    // Bind a port, then free it: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/RPC2");
    let out = xrpc(&[&url, "-c", "1", "-d", "0.2"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    let fields = fields(&stdout);
    assert_eq!(number(&fields, "calls"), 0.0);
    assert!(number(&fields, "errors") > 0.0);
    assert!(stdout.contains("first error:  cannot reach"), "{stdout}");
    assert!(text(&out.stderr).starts_with("xrpc: stopped after "));
    assert!(text(&out.stderr).contains("every connection failed before any answer (cannot reach"));
}

#[test]
fn bad_params_fail_before_any_call() {
    let out = xrpc(&["127.0.0.1:9", "--params", "{\"a\": 1}"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("--params takes a JSON array"));
}
