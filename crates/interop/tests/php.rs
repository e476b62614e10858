//! PHP's xmlrpc extension, both directions: its client against our test server, our clients against
//! its server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use interop::{Direction, Recorder};
use std::process::Command;

/// What PHP's xmlrpc extension cannot do (each limit is checked: one that does not show fails).
fn limits(rec: &mut Recorder) {
    let cr = "the extension writes CR unescaped, and an XML parser reads a raw CR or CRLF as LF";
    let digits = "the extension writes doubles in fixed point with few decimals, so tiny \
                  numbers become 0";
    let empty = "the extension turns an empty struct into a PHP array, written back as an \
                 empty <array>";
    let key = "the extension turns the member name \"\" into the PHP array key 0";
    let nil = "the extension reads <nil/> as null but writes null as an empty <string/>";
    for d in [Direction::PeerCallsUs, Direction::WeCallPeer] {
        rec.limit(d, "string_cr_lf", cr)
            .limit(d, "double_min_normal", digits)
            .limit(d, "double_subnormal", digits)
            .limit(d, "struct_empty", empty)
            .limit(d, "struct_odd_keys", key)
            .limit(d, "nil", nil);
    }
    rec.limit(
        Direction::PeerCallsUs,
        "i8",
        "the extension (xmlrpc-epi) does not know <i8>: the whole reply decodes to null",
    )
    .limit(
        Direction::WeCallPeer,
        "i8",
        "the extension (xmlrpc-epi) does not know <i8>: it reads the value as an empty string",
    )
    .limit(
        Direction::WeCallPeer,
        "multicall",
        "the extension names it system.multiCall; it has no system.multicall",
    );
}

#[test]
fn php() {
    let mut rec = Recorder::new(
        "php",
        &format!(
            "{} with the xmlrpc extension {}",
            interop::version_of("php", &["-r", "echo \"PHP \", PHP_VERSION;"]),
            interop::version_of("php", &["-r", "echo phpversion(\"xmlrpc\");"])
        ),
        50,
    );
    if !rec
        .require(
            "PHP's xmlrpc extension",
            "php-cli and php-xmlrpc",
            Command::new("php").args([
                "-r",
                "exit(function_exists(\"xmlrpc_encode_request\") ? 0 : 1);",
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    {
        rec.finish();
        return;
    }
    limits(&mut rec);
    let mut server = Command::new("sh");
    server
        .args(["-c", PHP_SERVER])
        .arg(interop::peers_dir().join("php_server.php"));
    let ran = interop::run_scripts(&mut rec, "php", "php_client.php", server);
    rec.conclude([ran]).unwrap_or_else(|e| panic!("{e}"));
}

/// PHP's built-in web server on a free port, running the script; says `PORT <n>` first
/// (PHP's server cannot report a port it picked itself).
const PHP_SERVER: &str = r#"port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "PORT $port"
exec php -S "127.0.0.1:$port" "$0" 2>/dev/null"#;
