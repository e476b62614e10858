//! Python 3's standard library (`xmlrpc.client`, `xmlrpc.server`), both directions, in
//! four ways: as it comes, with `use_builtin_types`, gzip on every body, and ISO-8859-1
//! documents; its client also runs the validator1 suite against our server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use interop::{Direction, Expect, Ours, PeerServer, Recorder};
use std::process::Command;
use xmlrpc_kit::codec::{Extensions, FaultCodes};
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

/// How our side is set up for one Python run.
#[derive(Default)]
struct Setup {
    /// Our server's configuration.
    config: ServerConfig,
    /// How our clients are set up.
    ours: Ours,
    /// The fault code our server gives for a missing method.
    no_method_code: Option<i32>,
    /// What is set on our side, for the report.
    label: &'static str,
}

fn run(peer: &str, order: u32, flags: &[&str]) {
    run_with(peer, order, flags, Setup::default());
}

fn run_with(peer: &str, order: u32, flags: &[&str], setup: Setup) {
    let mut rec = Recorder::new(
        peer,
        &format!(
            "{} xmlrpc.client / xmlrpc.server{}{}",
            interop::version_of("python3", &["--version"]),
            if flags.is_empty() {
                String::new()
            } else {
                format!(" ({})", flags.join(" "))
            },
            setup.label
        ),
        order,
    );
    if !rec
        .require(
            "python3",
            "python3",
            Command::new("python3").args(["-c", "import xmlrpc.client, xmlrpc.server"]),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    {
        rec.finish();
        return;
    }
    python_limits(&mut rec);
    let dir = interop::peers_dir();
    let client = interop::run_peer_client(
        &mut rec,
        setup.config,
        Expect {
            validator1: true,
            no_method_code: setup
                .no_method_code
                .unwrap_or(Expect::default().no_method_code),
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
    let server = PeerServer::start(server).unwrap();
    let ours = Ours {
        gzip_requests: flags.contains(&"--gzip"),
        ..setup.ours
    };
    let called = interop::call_peer_server(&mut rec, &server.url("/RPC2"), ours);
    drop(server);
    rec.conclude([client, called])
        .unwrap_or_else(|e| panic!("{e}"));
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

/// The compatibility switches against a real peer: our server writes `ex:i8`/`ex:nil` and
/// gives Python's fault codes, our clients write `ex:i8`/`ex:nil`; Python reads the
/// prefixed names, and its client sees code 1 for a missing method, as from its own server.
#[test]
fn python_apache_extensions_and_python_fault_codes() {
    run_with(
        "python-ex-prefixes-python-faults",
        14,
        &[],
        Setup {
            config: ServerConfig::default()
                .extensions(Extensions::Apache)
                .fault_codes(FaultCodes::Python),
            ours: Ours {
                extensions: Extensions::Apache,
                ..Ours::default()
            },
            no_method_code: Some(1),
            label: "; ours: Extensions::Apache, FaultCodes::Python",
        },
    );
}

#[test]
fn python_latin1() {
    run("python-iso-8859-1", 13, &["--latin1"]);
}
