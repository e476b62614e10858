//! Ruby's xmlrpc gem, both directions: its client against our test server, our clients against
//! its server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use interop::{Direction, Recorder};
use std::process::Command;

/// What Ruby's xmlrpc gem cannot do (each limit is checked: one that does not show fails).
fn limits(rec: &mut Recorder) {
    let cr = "the gem writes CR unescaped, and an XML parser reads a raw CR or CRLF as LF";
    let base64 = "the gem reads <base64> into a plain String, so the value goes back as a \
                  <string> (raw bytes: not UTF-8, or U+0000, which XML cannot carry)";
    for d in [Direction::PeerCallsUs, Direction::WeCallPeer] {
        rec.limit(d, "string_cr_lf", cr)
            .limit(d, "base64_empty", base64)
            .limit(d, "base64_all_bytes", base64)
            .limit(d, "base64_large", base64)
            .limit(d, "nested_records", base64);
    }
    let big = "the gem reads <i8> but refuses to write an Integer beyond 32 bits \
               (\"Integer is too big! Must be signed 32-bit integer!\")";
    for name in ["i8_above_32_bits", "i8_max", "i8_min"] {
        rec.limit(Direction::PeerCallsUs, name, big).limit(
            Direction::WeCallPeer,
            name,
            "the servlet reads <i8> but cannot write an Integer beyond 32 bits: HTTP 500",
        );
    }
}

#[test]
fn ruby() {
    let mut rec = Recorder::new(
        "ruby",
        &format!(
            "{} xmlrpc gem (XMLRPC::Client, XMLRPC::WEBrickServlet)",
            interop::version_of("ruby", &["--version"])
        ),
        30,
    );
    if !rec
        .require(
            "Ruby's xmlrpc gem",
            "ruby and ruby-xmlrpc",
            Command::new("ruby").args([
                "-e",
                "require \"xmlrpc/client\"; require \"xmlrpc/server\"; require \"webrick\"",
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    {
        rec.finish();
        return;
    }
    limits(&mut rec);
    let mut server = Command::new("ruby");
    server.arg(interop::peers_dir().join("ruby_server.rb"));
    let ran = interop::run_scripts(&mut rec, "ruby", "ruby_client.rb", server);
    rec.conclude([ran]).unwrap_or_else(|e| panic!("{e}"));
}
