//! Real applications where they listen by default, through the library and `xrpc call`:
//! supervisord on a Unix socket (with and without a username and password) and rTorrent
//! over SCGI (a TCP port and a Unix socket). Both come from Debian's packages, installed by
//! `.ci/run`, started here in a temp folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Run;
use serde::Deserialize;
use std::time::Duration;
use test_support::apps::{self, Place};
use test_support::peer;

fn xrpc(args: &[&str]) -> Run {
    common::xrpc_run(args, Duration::from_secs(30))
}
use xmlrpc_kit::{Client, Value};

#[derive(Debug, Deserialize)]
struct State {
    statecode: i32,
    statename: String,
}

#[derive(Debug, Deserialize)]
struct ProcessInfo {
    name: String,
    statename: String,
    pid: i32,
}

fn check_supervisord(url: &str, cli_url: &str) {
    let client = Client::new(url).unwrap();
    let state: State = client.call("supervisor.getState", ()).unwrap();
    assert_eq!((state.statecode, state.statename.as_str()), (1, "RUNNING"));
    let processes: Vec<ProcessInfo> =
        test_support::wait::for_value(Duration::from_secs(10), || {
            let all: Vec<ProcessInfo> = client.call("supervisor.getAllProcessInfo", ()).ok()?;
            all.iter().all(|p| p.statename == "RUNNING").then_some(all)
        })
        .expect("the sleeper running");
    assert_eq!(processes.len(), 1);
    assert_eq!(processes[0].name, "sleeper");
    assert!(processes[0].pid > 0);
    // supervisord's own fault: BAD_NAME (10) for a process it does not know.
    let err = client
        .call::<bool, _>("supervisor.startProcess", ("nosuch",))
        .unwrap_err();
    let fault = err.fault().expect("a fault");
    assert_eq!(fault.code, 10, "{fault:?}");
    assert!(fault.string.contains("BAD_NAME"), "{fault:?}");

    let Run {
        code,
        stdout: out,
        stderr: err,
    } = xrpc(&["call", cli_url, "supervisor.getState"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("\"statename\": \"RUNNING\""), "{out}");
    let Run {
        code, stderr: err, ..
    } = xrpc(&["call", cli_url, "supervisor.startProcess", "nosuch"]);
    assert_eq!(code, Some(3), "a fault exits 3: {err}");
    assert!(err.contains("BAD_NAME"), "{err}");
}

#[test]
fn supervisord_on_its_unix_socket_with_and_without_a_password() {
    if !peer::have("supervisord") {
        return peer::skip("supervisord", "supervisor");
    }
    let open_dir = test_support::temp_dir("supervisord-open");
    let open_sock = open_dir.path().join("supervisor.sock");
    let _open = apps::supervisord(open_dir.path(), Place::Socket(open_sock.clone()), None).unwrap();
    let url = format!("unix://{}", open_sock.display());
    check_supervisord(&url, &url);

    let auth_dir = test_support::temp_dir("supervisord-auth");
    let auth_sock = auth_dir.path().join("supervisor.sock");
    let _auth = apps::supervisord(
        auth_dir.path(),
        Place::Socket(auth_sock.clone()),
        Some(("user", "123")),
    )
    .unwrap();
    let encoded = auth_sock.display().to_string().replace('/', "%2F");
    let url = format!("http+unix://user:123@{encoded}/RPC2");
    check_supervisord(&url, &url);
    // Without the password: supervisord's 401, said as such.
    let anonymous = Client::new(&format!("unix://{}", auth_sock.display())).unwrap();
    let err = anonymous
        .call::<Value, _>("supervisor.getState", ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("401"), "{err}");
    let Run {
        code, stderr: err, ..
    } = xrpc(&[
        "call",
        &format!("unix://{}", auth_sock.display()),
        "supervisor.getState",
    ]);
    assert_ne!(code, Some(0));
    assert!(err.contains("401"), "{err}");
}

fn check_rtorrent(url: &str) {
    let client = Client::new(url).unwrap();
    let version: String = client.call("system.client_version", ()).unwrap();
    assert!(version.starts_with("0."), "{version}");
    let methods: Vec<String> = client.call("system.listMethods", ()).unwrap();
    assert!(methods.len() > 100, "{}", methods.len());
    assert!(methods.iter().any(|m| m == "d.multicall2"));
    // An i8: microseconds since 1970 are past 32 bits.
    let now: i64 = client.call("system.time_usec", ()).unwrap();
    assert!(now > 1_700_000_000_000_000, "{now}");
    let mut batch = client.multicall();
    batch.add("system.client_version", ()).unwrap();
    batch.add("system.hostname", ()).unwrap();
    batch.add("system.no_such_method", ()).unwrap();
    let results = batch.send().unwrap();
    assert_eq!(results[0].as_ref().unwrap(), &Value::from(version.as_str()));
    assert!(
        matches!(results[1], Ok(Value::String(_))),
        "{:?}",
        results[1]
    );
    assert!(results[2].is_err(), "{:?}", results[2]);
    let err = client
        .call::<Value, _>("system.no_such_method", ())
        .unwrap_err();
    let fault = err.fault().expect("a fault");
    assert_eq!(fault.code, -506, "{fault:?}");

    let Run {
        code,
        stdout: out,
        stderr: err,
    } = xrpc(&["call", url, "system.client_version"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.trim(), format!("\"{version}\""));
    let Run {
        code, stdout: out, ..
    } = xrpc(&["call", url, "system.time_usec"]);
    assert_eq!(code, Some(0));
    assert!(
        out.trim().parse::<i64>().unwrap() > 1_700_000_000_000_000,
        "{out}"
    );
    let Run {
        code, stderr: err, ..
    } = xrpc(&["call", url, "system.no_such_method"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("-506"), "{err}");
}

#[test]
fn rtorrent_over_scgi_on_a_port_and_on_a_unix_socket() {
    if !peer::have("rtorrent") {
        return peer::skip("rtorrent", "rtorrent");
    }
    let tcp_dir = test_support::temp_dir("rtorrent-tcp");
    let port = apps::free_port();
    let _tcp = apps::rtorrent(tcp_dir.path(), Place::Port(port)).unwrap();
    check_rtorrent(&format!("scgi://127.0.0.1:{port}"));

    let unix_dir = test_support::temp_dir("rtorrent-unix");
    let sock = unix_dir.path().join("rpc.sock");
    let _unix = apps::rtorrent(unix_dir.path(), Place::Socket(sock.clone())).unwrap();
    check_rtorrent(&format!("scgi://{}", sock.display()));
}
