//! Python 3's standard library (`xmlrpc.client`, `xmlrpc.server`), both directions, in
//! four ways: as it comes, with `use_builtin_types`, gzip on every body, and ISO-8859-1
//! documents; its client also runs the validator1 suite against our server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use interop::{Direction, Expect, PeerServer, Recorder};
use std::process::Command;
use xmlrpc_kit::server::ServerConfig;

/// What Python cannot do, in every variant.
fn python_limits(rec: &mut Recorder) {
    let cr = "xmlrpc.client writes CR unescaped, and an XML parser reads a raw CR or CRLF as LF \
              (XML 1.0, 2.11): a CR cannot survive Python's writer";
    rec.limit(Direction::PeerCallsUs, "string_cr_lf", cr).limit(
        Direction::WeCallPeer,
        "string_cr_lf",
        cr,
    );
    rec.limit(
        Direction::PeerCallsUs,
        "i8_above_32_bits",
        "xmlrpc.client reads <i8> but refuses to send an int beyond 32 bits (OverflowError)",
    )
    .limit(
        Direction::PeerCallsUs,
        "i8_max",
        "xmlrpc.client reads <i8> but refuses to send an int beyond 32 bits (OverflowError)",
    )
    .limit(
        Direction::PeerCallsUs,
        "i8_min",
        "xmlrpc.client reads <i8> but refuses to send an int beyond 32 bits (OverflowError)",
    )
    .limit(
        Direction::WeCallPeer,
        "i8_above_32_bits",
        "xmlrpc.server reads <i8> but cannot send an int beyond 32 bits back (OverflowError, a fault)",
    )
    .limit(
        Direction::WeCallPeer,
        "i8_max",
        "xmlrpc.server reads <i8> but cannot send an int beyond 32 bits back (OverflowError, a fault)",
    )
    .limit(
        Direction::WeCallPeer,
        "i8_min",
        "xmlrpc.server reads <i8> but cannot send an int beyond 32 bits back (OverflowError, a fault)",
    );
}

fn run(peer: &str, order: u32, flags: &[&str]) {
    let mut rec = Recorder::new(
        peer,
        &format!(
            "{} xmlrpc.client / xmlrpc.server{}",
            interop::version_of("python3", &["--version"]),
            if flags.is_empty() {
                String::new()
            } else {
                format!(" ({})", flags.join(" "))
            }
        ),
        order,
    );
    match interop::available(
        "python3",
        "python3",
        Command::new("python3").args(["-c", "import xmlrpc.client, xmlrpc.server"]),
    ) {
        Ok(true) => {}
        Ok(false) => {
            rec.skip("python3 is not installed");
            rec.finish();
            return;
        }
        Err(e) => panic!("{e}"),
    }
    python_limits(&mut rec);
    let dir = interop::peers_dir();
    let client = interop::run_peer_client(
        &mut rec,
        ServerConfig::default(),
        Expect {
            validator1: true,
            ..Expect::default()
        },
        |url| {
            let mut c = Command::new("python3");
            c.env("PYTHONIOENCODING", "utf-8")
                .arg(dir.join("python_client.py"))
                .args([url, interop::FAULT_STRING])
                .args(flags);
            c
        },
    );
    let mut server = Command::new("python3");
    server.arg(dir.join("python_server.py")).args(flags);
    let server = PeerServer::start(server, "/RPC2").unwrap();
    let called = interop::call_peer_server(&mut rec, &server.url, flags.contains(&"--gzip"));
    drop(server);
    let failures = rec.finish();
    client.unwrap();
    called.unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn python() {
    run("python", 10, &[]);
}

#[test]
fn python_builtin_types() {
    run("python-builtin-types", 11, &["--builtin"]);
}

#[test]
fn python_gzip() {
    run("python-gzip", 12, &["--gzip"]);
}

#[test]
fn python_latin1() {
    run("python-iso-8859-1", 13, &["--latin1"]);
}
