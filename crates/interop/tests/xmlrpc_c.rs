//! xmlrpc-c (Debian's libxmlrpc-core-c3-dev and xmlrpc-api-utils), both directions: a C
//! client and a C Abyss server built here, and the `xmlrpc` command-line client.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use interop::{Direction, Expect, Ours, PeerServer, Recorder};
use std::process::Command;
use std::time::Duration;
use xmlrpc_kit::codec::Extensions;
use xmlrpc_kit::server::ServerConfig;
use xmlrpc_kit::Value;

const CLIENT_LIBS: &[&str] = &["-lxmlrpc_client", "-lxmlrpc", "-lxmlrpc_util"];
const SERVER_LIBS: &[&str] = &[
    "-lxmlrpc_server_abyss",
    "-lxmlrpc_server",
    "-lxmlrpc_abyss",
    "-lpthread",
    "-lxmlrpc",
    "-lxmlrpc_util",
];

/// What xmlrpc-c's library cannot do, whichever side it plays.
fn library_limits(rec: &mut Recorder) {
    let bmp = "xmlrpc-c refuses UTF-8 characters beyond the Basic Multilingual Plane \
               (\"not in the Basic Multilingual Plane\")";
    let cr = "xmlrpc-c writes CR unescaped, and an XML parser reads a raw CR or CRLF as LF";
    let digits = "xmlrpc-c writes doubles with 15 significant digits, so the last bits are lost";
    let zero = "xmlrpc-c writes -0.0 as 0";
    let subnormal = "xmlrpc-c reads 5e-324 written out in full (XML-RPC allows no exponent, \
                     so it has 324 decimals) as 0";
    let year = "xmlrpc-c writes year 1 as `10101T00:00:00` (the year is not padded to four \
                digits), which no reader can take apart";
    for d in [Direction::PeerCallsUs, Direction::WeCallPeer] {
        rec.limit(d, "string_beyond_bmp", bmp)
            .limit(d, "string_cr_lf", cr)
            .limit(d, "double_max", digits)
            .limit(d, "double_min_normal", digits)
            .limit(d, "double_neg_zero", zero)
            .limit(d, "double_subnormal", subnormal)
            .limit(d, "datetime_year_one", year);
    }
}

fn peer_available(rec: &mut Recorder) -> bool {
    rec.require(
        "xmlrpc-c",
        "libxmlrpc-core-c3-dev and xmlrpc-api-utils",
        Command::new("sh").args([
            "-c",
            "command -v xmlrpc-c-config && command -v xmlrpc && command -v cc",
        ]),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

fn version() -> String {
    format!(
        "xmlrpc-c {} (C client and Abyss server built here, the xmlrpc CLI)",
        interop::version_of("xmlrpc-c-config", &["--version"])
    )
}

/// The `xmlrpc` CLI's argument for a value, when it has one (scalars only).
fn cli_arg(value: &Value) -> Option<String> {
    Some(match value {
        Value::Int(i) => format!("i/{i}"),
        Value::I8(i) => format!("I/{i}"),
        Value::Bool(b) => format!("b/{}", if *b { "t" } else { "f" }),
        Value::String(s) => format!("s/{s}"),
        Value::Double(d) => format!("d/{d:?}"),
        Value::Nil => "n/".to_owned(),
        Value::Base64(b) if b.len() < 4096 => {
            let hex: String = b.iter().map(|byte| format!("{byte:02x}")).collect();
            format!("h/{hex}")
        }
        _ => return None,
    })
}

/// The `xmlrpc` CLI sends every scalar case it can spell to `interop.check`, and asks
/// for a fault.
fn cli_checks(rec: &mut Recorder, url: &str) {
    let d = Direction::PeerCallsUs;
    for case in interop::cases() {
        let Some(arg) = cli_arg(&case.value) else {
            eprintln!(
                "xmlrpc CLI: cannot express {} (only scalars, and base64 that fits a command line)",
                case.name
            );
            continue;
        };
        let mut cli = Command::new("xmlrpc");
        cli.args([url, "interop.check", &format!("s/{}", case.name), &arg]);
        let out = interop::run(cli, Duration::from_secs(30)).unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let passed = out.status.success() && text.contains("String: 'ok'");
        rec.check(
            d,
            case.kind,
            &format!("cli {}", case.name),
            passed,
            text.trim(),
        );
    }
    let mut cli = Command::new("xmlrpc");
    cli.args([
        url,
        "interop.fault",
        "i/4242",
        &format!("s/{}", interop::FAULT_STRING),
    ]);
    let out = interop::run(cli, Duration::from_secs(30)).unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let passed =
        !out.status.success() && text.contains(interop::FAULT_STRING) && text.contains("4242");
    rec.check(d, "fault", "cli fault_from_method", passed, text.trim());
}

fn cli_limits(rec: &mut Recorder) {
    let d = Direction::PeerCallsUs;
    rec.limit(
        d,
        "cli string_cr_lf",
        "xmlrpc-c writes CR unescaped, and an XML parser reads a raw CR or CRLF as LF",
    )
    .limit(
        d,
        "cli string_beyond_bmp",
        "xmlrpc-c refuses UTF-8 characters beyond the Basic Multilingual Plane",
    )
    .limit(
        d,
        "cli double_max",
        "xmlrpc-c writes doubles with 15 significant digits",
    )
    .limit(
        d,
        "cli double_min_normal",
        "xmlrpc-c writes doubles with 15 significant digits",
    )
    .limit(d, "cli double_neg_zero", "xmlrpc-c writes -0.0 as 0");
}

/// xmlrpc-c's "apache" dialect (`<ex:i8>`, `<ex:nil/>`) against ours set the same way.
#[test]
fn xmlrpc_c_apache_dialect() {
    let mut rec = Recorder::new(
        "xmlrpc-c-apache-dialect",
        &format!("{}, dialect apache (ex:i8, ex:nil)", version()),
        21,
    );
    if !peer_available(&mut rec) {
        rec.finish();
        return;
    }
    library_limits(&mut rec);
    let client = interop::build_c("xmlrpc_c_client", CLIENT_LIBS).unwrap();
    let server = interop::build_c("xmlrpc_c_server", SERVER_LIBS).unwrap();
    let config = ServerConfig::default().extensions(Extensions::Apache);
    let ran = interop::run_peer_client(&mut rec, config, Expect::default(), |url| {
        let mut c = Command::new(&client);
        c.args([url, interop::FAULT_STRING, "--apache"]);
        c
    });
    let mut command = Command::new(&server);
    command.arg("--apache");
    let peer = PeerServer::start(command).unwrap();
    let ours = Ours {
        extensions: Extensions::Apache,
        ..Ours::default()
    };
    let called = interop::call_peer_server(&mut rec, &peer.url("/RPC2"), ours);
    drop(peer);
    let _ = std::fs::remove_file(&client);
    let _ = std::fs::remove_file(&server);
    rec.conclude([ran, called])
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn xmlrpc_c() {
    let mut rec = Recorder::new("xmlrpc-c", &version(), 20);
    if !peer_available(&mut rec) {
        rec.finish();
        return;
    }
    library_limits(&mut rec);
    cli_limits(&mut rec);
    let client = interop::build_c("xmlrpc_c_client", CLIENT_LIBS).unwrap();
    let server = interop::build_c("xmlrpc_c_server", SERVER_LIBS).unwrap();

    let ran = interop::run_peer_client(
        &mut rec,
        ServerConfig::default(),
        Expect::default(),
        |url| {
            let mut c = Command::new(&client);
            c.args([url, interop::FAULT_STRING]);
            c
        },
    );
    let handle = interop::test_server(ServerConfig::default())
        .spawn("127.0.0.1:0")
        .unwrap();
    cli_checks(&mut rec, &handle.url());
    drop(handle);

    let peer = PeerServer::start(Command::new(&server)).unwrap();
    let called = interop::call_peer_server(&mut rec, &peer.url("/RPC2"), Ours::default());
    drop(peer);
    let _ = std::fs::remove_file(&client);
    let _ = std::fs::remove_file(&server);
    rec.conclude([ran, called])
        .unwrap_or_else(|e| panic!("{e}"));
}
