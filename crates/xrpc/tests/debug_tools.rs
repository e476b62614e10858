//! `xrpc proxy`, `xrpc serve --replay` and `xrpc dump` against real peers: a client script
//! recorded through the proxy against supervisord (Debian's `supervisor`, on its Unix
//! socket), supervisord stopped, the cassette replayed, the same script getting the same
//! answers; Python's `ServerProxy` through the proxy to Python's server and to ours with
//! answers and bytes unchanged, and a 200 MB upload through it in bounded memory (VmHWM);
//! the dump server showing a call, its deviations, and answering with its fault.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use test_support::apps::{self, Place};
use test_support::http::{call_xml, Conn};
use test_support::peer::{self, PeerServer};
use test_support::xrpc::Serve;

const XRPC: &str = env!("CARGO_BIN_EXE_xrpc");

/// `xrpc proxy --listen 127.0.0.1:0 UPSTREAM [args]`, waited on until it listens.
fn proxy(upstream: &str, args: &[&str], dir: &Path) -> Serve {
    let mut command = Command::new(XRPC);
    command
        .args(["proxy", "--listen", "127.0.0.1:0"])
        .args(args)
        .arg(upstream);
    Serve::spawn(command, dir)
}

/// Every line the process logged or printed so far.
fn log(serve: &Serve) -> String {
    serve.log.lock().unwrap().join("\n")
}

/// Waits until the process's log holds `text`.
fn wait_log(serve: &Serve, text: &str) -> String {
    test_support::wait::until(Duration::from_secs(10), || log(serve).contains(text));
    log(serve)
}

/// The client script run against supervisord and against its replay: every answer, as JSON.
const SUPERVISOR_SCRIPT: &str = r#"
import sys, json, xmlrpc.client as x
s = x.ServerProxy(sys.argv[1])
out = []
out.append(s.supervisor.getState())
out.append(s.supervisor.getAPIVersion())
out.append(s.supervisor.getProcessInfo('sleeper'))
out.append(s.supervisor.getAllProcessInfo())
out.append(sorted(m for m in s.system.listMethods() if not m.startswith('system.')))
out.append(s.system.methodHelp('supervisor.getState'))
# supervisord answers a multicall with bare values (not the spec's [value]), which
# Python's MultiCall refuses: called as a method, with each [value] unwrapped (the
# replay answers in the spec's form).
calls = [{'methodName': 'supervisor.getState', 'params': []},
         {'methodName': 'supervisor.getPID', 'params': []}]
out.append([r[0] if isinstance(r, list) and len(r) == 1 else r for r in s.system.multicall(calls)])
try:
    s.supervisor.getProcessInfo('nosuch')
except x.Fault as f:
    out.append(['fault', f.faultCode, f.faultString])
print(json.dumps(out, sort_keys=True))
"#;

#[test]
fn a_supervisord_session_recorded_through_the_proxy_replays_the_same() {
    if !peer::have("supervisord") {
        return peer::skip("supervisord", "supervisor");
    }
    let dir = test_support::temp_dir("record-supervisord");
    let sock = dir.path().join("supervisor.sock");
    let cassette = dir.path().join("supervisord.jsonl");
    let app = apps::supervisord(dir.path(), Place::Socket(sock.clone()), None).unwrap();
    // The sleeper running, so that the answers do not change while recording.
    let client = xmlrpc_kit::Client::new(&format!("unix://{}", sock.display())).unwrap();
    assert!(test_support::wait::until(Duration::from_secs(10), || {
        client
            .call::<xmlrpc_kit::Value, _>("supervisor.getProcessInfo", ("sleeper",))
            .is_ok_and(|v| format!("{v:?}").contains("RUNNING"))
    }));
    let recorded = {
        let proxy = proxy(
            &format!("unix://{}", sock.display()),
            &["--record", cassette.to_str().unwrap()],
            dir.path(),
        );
        let out = common::python(SUPERVISOR_SCRIPT, &[&proxy.url], dir.path());
        let shown = wait_log(&proxy, "supervisor.getProcessInfo(\"nosuch\")");
        println!("{shown}");
        assert!(shown.contains("→ supervisor.getState()"), "{shown}");
        assert!(
            shown.contains("← {\"statecode\":1,\"statename\":\"RUNNING\"}"),
            "{shown}"
        );
        assert!(shown.contains("← fault 10: BAD_NAME: nosuch"), "{shown}");
        out
    };
    drop(app);
    assert!(!sock.exists() || std::os::unix::net::UnixStream::connect(&sock).is_err());
    let lines = std::fs::read_to_string(&cassette).unwrap();
    println!(
        "cassette: {} exchanges, {} bytes",
        lines.lines().count(),
        lines.len()
    );
    assert_eq!(lines.lines().count(), 8, "{lines}");

    // Replayed: the same script, the same answers.
    let replay = Serve::start_in(
        XRPC,
        &dir.path().join("root"),
        ["--replay", cassette.to_str().unwrap()],
    );
    let replayed = common::python(SUPERVISOR_SCRIPT, &[&replay.url], dir.path());
    assert_eq!(replayed, recorded);
    assert!(
        recorded.contains("RUNNING") && recorded.contains("BAD_NAME"),
        "{recorded}"
    );
    // A call that was not recorded: a fault that says what was.
    let err = xmlrpc_kit::Client::new(&replay.url)
        .unwrap()
        .call::<xmlrpc_kit::Value, _>("supervisor.getProcessInfo", ("other",))
        .unwrap_err();
    let fault = err.fault().unwrap();
    assert_eq!(fault.code, -32602);
    assert!(
        fault
            .string
            .contains("recorded: supervisor.getProcessInfo(\"sleeper\")"),
        "{fault:?}"
    );
}

/// A Python server with `add` and `echo`, as the peer behind the proxy.
const PYTHON_SERVER: &str = r#"
from xmlrpc.server import SimpleXMLRPCServer
s = SimpleXMLRPCServer(('127.0.0.1', 0), logRequests=False, allow_none=True)
s.register_function(lambda x, y: x + y, 'add')
s.register_function(lambda v: v, 'echo')
s.register_introspection_functions()
s.register_multicall_functions()
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

/// What Python's client gets from a server: the same through the proxy as direct.
const CLIENT_SCRIPT: &str = r#"
import sys, xmlrpc.client as x
s = x.ServerProxy(sys.argv[1], allow_none=True, use_builtin_types=True)
print(s.add(8, 8))
print(repr(s.echo({'a': [1, 2.5, 'three', None, True], 'b': b'\x00\x01bytes'})))
print(repr(s.echo('<markup> & "quotes"')))
try:
    s.add(1)
except x.Fault as f:
    print('fault', f.faultCode, f.faultString[:60])
"#;

#[test]
fn python_through_the_proxy_gets_the_answers_and_bytes_unchanged() {
    let dir = test_support::temp_dir("proxy-python");
    let python = PeerServer::python(PYTHON_SERVER, &[]).unwrap();
    let ours = Serve::start(XRPC, "proxy-ours");
    for (name, upstream) in [
        ("Python's", python.url("/RPC2")),
        ("ours", ours.url.clone()),
    ] {
        let through = proxy(&upstream, &[], dir.path());
        let direct = common::python(CLIENT_SCRIPT, &[&upstream], dir.path());
        let proxied = common::python(CLIENT_SCRIPT, &[&through.url], dir.path());
        assert_eq!(proxied, direct, "{name}");
        assert!(direct.starts_with("16\n"), "{direct}");
        // The bytes themselves: one call on the wire, direct and through the proxy.
        let body = call_xml("echo", &["<string>é &amp; ü</string>"]);
        let at = |url: &str| Conn::open_url(url).post(&body);
        let (a, b) = (at(&upstream), at(&through.url));
        assert_eq!((a.status, &a.body), (b.status, &b.body), "{name}");
        let shown = wait_log(&through, "← fault");
        assert!(
            shown.contains("→ add(8, 8)\n← 16  [200 in"),
            "{name}: {shown}"
        );
        println!("{name} through the proxy:\n{shown}");
    }
}

#[test]
fn a_200_mb_upload_passes_the_proxy_in_bounded_memory() {
    let dir = test_support::temp_dir("proxy-upload");
    let ours = Serve::start(XRPC, "proxy-upload");
    let through = proxy(&ours.url, &[], dir.path());
    let script = r#"
import sys, hashlib, xmlrpc.client as x
data = bytes(range(256)) * (200 * 1000 * 1000 // 256)
s = x.ServerProxy(sys.argv[1])
print(s.image_put(x.Binary(data)), hashlib.sha256(data).hexdigest())
"#;
    let out = common::python(script, &[&through.url], dir.path());
    let (ok, digest) = out.trim().split_once(' ').unwrap();
    assert_eq!(ok, "True");
    let stored = ours.root.join("get_girl.jpg");
    assert_eq!(test_support::data::sha256_file(&stored), digest);
    let shown = wait_log(&through, "image_put(…)");
    assert!(shown.contains("passed on without a copy"), "{shown}");
    let peak = test_support::memory::peak_kib_of(through.child.id()).unwrap();
    println!(
        "proxy peak RSS (VmHWM) after a 200 MB upload (a {} body): {} MiB",
        shown
            .lines()
            .find(|l| l.contains("image_put"))
            .unwrap_or_default(),
        peak >> 10
    );
    assert!(peak < 64 << 10, "the proxy held {} MiB", peak >> 10);
}

#[test]
fn the_dump_server_shows_each_request_and_answers_its_fault() {
    let dir = test_support::temp_dir("dump");
    let mut command = Command::new(XRPC);
    command.args([
        "dump",
        "--listen",
        "127.0.0.1:0",
        "--fault",
        "4:Too many parameters",
    ]);
    let dump = Serve::spawn(command, dir.path());
    let script = r#"
import sys, xmlrpc.client as x
s = x.ServerProxy(sys.argv[1], allow_none=True)
try:
    s.anything(1, 'two', None, [3.5])
except x.Fault as f:
    print('fault', f.faultCode, f.faultString)
"#;
    let out = common::python(script, &[&dump.url], dir.path());
    assert_eq!(out.trim(), "fault 4 Too many parameters");
    let shown = wait_log(&dump, "deviations from the spec:");
    assert!(
        shown.contains("== POST /RPC2 HTTP/1.1 from 127.0.0.1:"),
        "{shown}"
    );
    assert!(shown.contains("user-agent: Python-xmlrpc/"), "{shown}");
    assert!(shown.contains("call anything"), "{shown}");
    assert!(shown.contains("  param 2: \"two\""), "{shown}");
    assert!(shown.contains("  param 4: [3.5]"), "{shown}");
    // Python's None is <nil/>: an extension, noted.
    assert!(shown.contains("* <nil/> is an extension"), "{shown}");
    // A request as a careless script sends it.
    let reply = Conn::open_url(&dump.url).request(
        "POST",
        "/RPC2",
        &[("Content-Type", "text/plain")],
        b"<methodCall><methodName>x</methodName><params><param><value><double>1e5</double></value></param></params></methodCall>",
    );
    assert_eq!(reply.status, 200);
    let shown = wait_log(&dump, "double 1e5");
    assert!(
        shown.contains("* Content-Type is text/plain, the spec says text/xml"),
        "{shown}"
    );
    assert!(shown.contains("* no User-Agent header"), "{shown}");
    println!("{shown}");
}
