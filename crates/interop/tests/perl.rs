//! Perl's XMLRPC::Lite, both directions: its client against our test server, our clients against
//! its server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use interop::{Direction, Recorder};
use std::process::Command;

/// What Perl's XMLRPC::Lite cannot do (each limit is checked: one that does not show fails).
fn limits(rec: &mut Recorder) {
    let guess = "XMLRPC::Lite keeps no XML-RPC types: it guesses each Perl scalar's type \
                 when writing";
    let wide = "XMLRPC::Lite takes non-ASCII text for base64, and MIME::Base64 dies on \
                characters beyond Latin-1 (\"Wide character\")";
    let i8 = "XMLRPC::Lite does not know <i8> (\"wrong element 'i8'\")";
    for d in [Direction::PeerCallsUs, Direction::WeCallPeer] {
        for name in [
            "boolean_true",
            "boolean_false",
            "string_numeric_text",
            "array_mixed",
        ] {
            rec.limit(d, name, guess);
        }
        rec.limit(
            d,
            "base64_empty",
            "XMLRPC::Lite reads an empty <base64> as an empty string and writes it back as one",
        )
        .limit(d, "nil", "XMLRPC::Lite reads <nil/> as an empty string")
        .limit(
            d,
            "nil_in_array",
            "XMLRPC::Lite reads <nil/> as an empty string",
        )
        .limit(
            d,
            "nil_in_struct",
            "XMLRPC::Lite reads <nil/> as an empty string",
        );
    }
    rec.limit(Direction::PeerCallsUs, "i8", i8);
    // XMLRPC::Lite's own faults carry faultCode as a string ("Client", "Server"): our
    // reader takes them (a deviation it notes), so what is left below is XMLRPC::Lite's.
    rec.limit(
        Direction::WeCallPeer,
        "i8",
        &format!("{i8}: the server answers with a fault"),
    );
    rec.limit(Direction::PeerCallsUs, "string_non_ascii", wide)
        .limit(Direction::PeerCallsUs, "string_beyond_bmp", wide)
        .limit(
            Direction::WeCallPeer,
            "string_non_ascii",
            &format!("{wide}: the server answers with a fault"),
        )
        .limit(
            Direction::WeCallPeer,
            "string_beyond_bmp",
            &format!("{wide}: the server answers with a fault"),
        )
        .limit(
            Direction::WeCallPeer,
            "fault_from_method",
            &format!("{wide}: writing a fault string with non-ASCII text kills the request"),
        )
        .limit(
            Direction::WeCallPeer,
            "multicall",
            "XMLRPC::Lite has no system.multicall (its fault says so)",
        )
        .limit(
            Direction::WeCallPeer,
            "introspection",
            "XMLRPC::Lite has no system.* methods (its fault says so)",
        );
}

#[test]
fn perl() {
    let mut rec = Recorder::new(
        "perl",
        &format!(
            "XMLRPC::Lite {} on perl {}",
            interop::version_of(
                "perl",
                &["-MXMLRPC::Lite", "-e", "print $XMLRPC::Lite::VERSION"]
            ),
            interop::version_of("perl", &["-e", "print $^V"])
        ),
        40,
    );
    if !rec
        .require(
            "Perl's XMLRPC::Lite",
            "libxmlrpc-lite-perl",
            Command::new("perl").args(["-MXMLRPC::Lite", "-MXMLRPC::Transport::HTTP", "-e", "1"]),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    {
        rec.finish();
        return;
    }
    limits(&mut rec);
    let mut server = Command::new("perl");
    server.arg(interop::peers_dir().join("perl_server.pl"));
    let ran = interop::run_scripts(&mut rec, "perl", "perl_client.pl", server);
    rec.conclude([ran]).unwrap_or_else(|e| panic!("{e}"));
}
