//! `xrpc call`, `methods`, `help` and `multicall` as a user runs them: the built binary
//! against Python's own `SimpleXMLRPCServer`, checking stdout, stderr and the exit code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value as Json};
use std::process::Command;
use std::time::{Duration, Instant};
use test_support::peer::PeerServer;
use test_support::process::{run_text, Run};

/// Python's server: threaded, `allow_none`, introspection and multicall, with a few
/// methods to call. `header` answers a header of the request that called it (kept per
/// thread, and each request is handled on its own thread), and `system.methodSignature` is
/// replaced so that `add` has signatures and the rest answer "undef", as xmlrpc-c does.
const PYTHON_SERVER: &str = r#"
import threading, time, xmlrpc.client
from socketserver import ThreadingMixIn
from xmlrpc.server import SimpleXMLRPCServer, SimpleXMLRPCRequestHandler

seen = threading.local()

class Handler(SimpleXMLRPCRequestHandler):
    def do_POST(self):
        seen.headers = self.headers
        super().do_POST()

class Server(ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True

server = Server(("127.0.0.1", 0), requestHandler=Handler, allow_none=True, logRequests=False)
server.register_introspection_functions()
server.register_multicall_functions()

def add(a, b):
    """Add two numbers."""
    return a + b

def echo(*args):
    """Return the arguments, as a list."""
    return list(args)

def too_many(*args):
    raise xmlrpc.client.Fault(4, 'Too many')

def header(name):
    return seen.headers.get(name, '')

def sleep(seconds):
    time.sleep(seconds)
    return True

def signature(name):
    if name == 'add':
        return [['int', 'int', 'int'], ['double', 'double', 'double']]
    return 'undef'

for f in (add, echo, too_many, header, sleep):
    server.register_function(f)
server.register_function(signature, 'system.methodSignature')

print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// A running Python server, killed when dropped.
struct Python {
    _server: PeerServer,
    port: u16,
}

impl Python {
    fn start() -> Python {
        let server = PeerServer::python(PYTHON_SERVER, &[]).unwrap();
        Python {
            port: server.port(),
            _server: server,
        }
    }

    /// `localhost:PORT`: no scheme, no path, as the issue's example gives it.
    fn url(&self) -> String {
        format!("localhost:{}", self.port)
    }
}

/// Runs `xrpc <args>` with `stdin`; kills it and fails after 30 seconds.
fn xrpc(args: &[&str], stdin: &str) -> Run {
    let mut xrpc = Command::new(env!("CARGO_BIN_EXE_xrpc"));
    xrpc.args(args);
    run_text(xrpc, stdin.as_bytes(), Duration::from_secs(30))
}

/// Runs `xrpc <args>`, insists that it succeeded quietly, and returns its output.
fn ok(args: &[&str], stdin: &str) -> String {
    let run = xrpc(args, stdin);
    assert_eq!(run.code, Some(0), "xrpc {args:?}: {run:?}");
    assert_eq!(run.stderr, "", "xrpc {args:?} wrote to stderr");
    run.stdout
}

#[test]
fn call_prints_the_result() {
    let server = Python::start();
    let url = server.url();
    assert_eq!(ok(&["call", &url, "add", "8", "8"], ""), "16\n");
    // Negative numbers are arguments, not options; a double stays a double.
    assert_eq!(ok(&["call", &url, "add", "-5", "-1.5"], ""), "-6.5\n");
    assert_eq!(ok(&["call", &url, "add", "d/8", "8"], ""), "16.0\n");
    // Full URLs, with and without a path.
    let full = format!("http://127.0.0.1:{}/RPC2", server.port);
    assert_eq!(ok(&["call", &full, "add", "1", "2"], ""), "3\n");
    let no_path = format!("http://localhost:{}", server.port);
    assert_eq!(ok(&["call", &no_path, "add", "1", "2"], ""), "3\n");
    // A struct result prints as pretty JSON.
    assert_eq!(
        ok(&["call", &url, "echo", r#"{"a": [1]}"#], ""),
        "[\n  {\n    \"a\": [\n      1\n    ]\n  }\n]\n"
    );
}

#[test]
fn echo_round_trips_every_argument_form() {
    let server = Python::start();
    let file = std::env::temp_dir().join(format!("xrpc-cli-call-{}.bin", std::process::id()));
    std::fs::write(&file, [0u8, 1, 2, 255]).unwrap();
    let at_file = format!("@{}", file.display());
    let args = [
        "8",
        "-3",
        "1.5",
        "true",
        "null",
        r#"[1, "a"]"#,
        r#"{"k": {"n": 1}, "z": null}"#,
        r#""8""#,
        "héllo wörld",
        "x/y",
        "i/5",
        "I/7",
        "s/text",
        "s/i/5",
        "d/2.5",
        "d/8",
        "b/t",
        "b/0",
        "n/",
        "h/00ff",
        &at_file,
        "t/20261125T10:00:00",
        r#"{"base64": "AAEC"}"#,
        r#"{"dateTime": "2026-11-25T10:11:12"}"#,
    ];
    let mut command = vec!["call", "--timeout", "20"];
    let url = server.url();
    command.extend([url.as_str(), "echo"]);
    command.extend(args);
    let out = ok(&command, "");
    let _ = std::fs::remove_file(&file);
    let printed: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(
        printed,
        json!([
            8,
            -3,
            1.5,
            true,
            null,
            [1, "a"],
            {"k": {"n": 1}, "z": null},
            "8",
            "héllo wörld",
            "x/y",
            5,
            7,
            "text",
            "i/5",
            2.5,
            8.0,
            true,
            false,
            null,
            {"base64": "AP8="},
            {"base64": "AAEC/w=="},
            {"dateTime": "20261125T10:00:00"},
            {"base64": "AAEC"},
            {"dateTime": "20261125T10:11:12"}
        ])
    );
    // JSON equality tells 8 from 8.0; check the text too, to be sure.
    assert!(out.contains("\n  8.0,\n"), "{out}");
}

#[test]
fn xml_prints_a_method_response() {
    let server = Python::start();
    let out = ok(&["call", "--xml", &server.url(), "add", "8", "8"], "");
    assert!(out.contains("<methodResponse>"), "{out}");
    assert!(out.contains("<int>16</int>"), "{out}");
    assert!(out.ends_with("</methodResponse>\n"), "{out}");
}

#[test]
fn a_fault_exits_3_with_its_code_and_string() {
    let server = Python::start();
    let run = xrpc(&["call", &server.url(), "too_many", "1"], "");
    assert_eq!(run.code, Some(3), "{run:?}");
    assert_eq!(run.stderr, "fault 4: Too many\n");
    assert_eq!(run.stdout, "");
}

#[test]
fn a_bad_argument_exits_1_and_says_why() {
    let server = Python::start();
    let run = xrpc(&["call", &server.url(), "add", "1", "i/abc"], "");
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .starts_with("xrpc: argument 2 (`i/abc`): i/ takes an integer"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn methods_lists_the_servers_methods() {
    let server = Python::start();
    let out = ok(&["methods", &server.url()], "");
    let names: Vec<&str> = out.lines().collect();
    for name in [
        "add",
        "echo",
        "too_many",
        "system.listMethods",
        "system.multicall",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
}

#[test]
fn help_shows_the_docstring_and_signatures() {
    let server = Python::start();
    assert_eq!(
        ok(&["describe", &server.url(), "add"], ""),
        "Add two numbers.\n\nadd(int, int) -> int\nadd(double, double) -> double\n"
    );
    // "undef": no signatures, and no blank line.
    assert_eq!(
        ok(&["describe", &server.url(), "echo"], ""),
        "Return the arguments, as a list.\n"
    );
}

#[test]
fn multicall_prints_one_line_per_call() {
    let server = Python::start();
    let input = "{\"methodName\": \"add\", \"params\": [1, 2]}\n\
                 \n\
                 [\"echo\", \"x\", {\"base64\": \"AAE=\"}, null]\n\
                 [\"too_many\"]\n\
                 {\"methodName\": \"add\", \"params\": [\"a\", \"b\"]}\n";
    let out = ok(&["multicall", &server.url()], input);
    let lines: Vec<Json> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        lines,
        [
            json!({"result": 3}),
            json!({"result": ["x", {"base64": "AAE="}, null]}),
            json!({"fault": {"faultCode": 4, "faultString": "Too many"}}),
            json!({"result": "ab"}),
        ]
    );
    // Lines are compact, one JSON value each.
    assert_eq!(out.lines().next(), Some(r#"{"result":3}"#));
}

#[test]
fn multicall_input_errors_name_the_line() {
    let server = Python::start();
    let run = xrpc(&["multicall", &server.url()], "[\"add\", 1, 2]\n[3]\n");
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.starts_with("xrpc: line 2: at [0]: "),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn headers_are_sent() {
    let server = Python::start();
    let url = server.url();
    let out = ok(
        &[
            "call",
            "--header",
            "X-Trace: abc 123",
            "--header",
            "X-Other:2",
            &url,
            "header",
            "X-Trace",
        ],
        "",
    );
    assert_eq!(out, "\"abc 123\"\n");
    assert_eq!(
        ok(
            &["call", "--header", "X-Other:2", &url, "header", "X-Other"],
            ""
        ),
        "\"2\"\n"
    );
    // gzip replies are asked for unless --no-gzip.
    assert_eq!(
        ok(&["call", &url, "header", "Accept-Encoding"], ""),
        "\"gzip\"\n"
    );
    assert_eq!(
        ok(
            &["call", "--no-gzip", &url, "header", "Accept-Encoding"],
            ""
        ),
        "\"\"\n"
    );
}

#[test]
fn large_replies_arrive_with_and_without_gzip() {
    // Python gzips replies above 1400 bytes when asked.
    let server = Python::start();
    let url = server.url();
    let text = "abcdefghij".repeat(5000);
    let want = format!("[\n  \"{text}\"\n]\n");
    assert_eq!(ok(&["call", &url, "echo", &text], ""), want);
    assert_eq!(ok(&["call", "--no-gzip", &url, "echo", &text], ""), want);
}

#[test]
fn the_timeout_covers_the_whole_call() {
    let server = Python::start();
    let started = Instant::now();
    let run = xrpc(
        &["call", "--timeout", "0.5", &server.url(), "sleep", "5"],
        "",
    );
    let took = started.elapsed();
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.contains("no answer from http://localhost:"),
        "{}",
        run.stderr
    );
    assert!(took < Duration::from_secs(4), "took {took:?}");
}

#[test]
fn a_refused_connection_exits_1_naming_the_url() {
    // A port that was free a moment ago and is closed now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = xrpc(&["call", &format!("127.0.0.1:{port}"), "add", "8", "8"], "");
    assert_eq!(run.code, Some(1), "{run:?}");
    let url = format!("http://127.0.0.1:{port}/RPC2");
    assert!(
        run.stderr.starts_with("xrpc: ") && run.stderr.contains(&url),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
}
