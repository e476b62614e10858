//! `xrpc serve` on every transport, with real front ends and clients: Python's `ServerProxy`
//! over a Unix socket; nginx with `scgi_pass` to `xrpc serve --scgi` and with `proxy_pass`
//! to `xrpc serve --bind unix:…` (Python, `xrpc call` and a large upload through each);
//! lighttpd running `xrpc cgi` under mod_cgi; and 1 GiB up and down over a Unix socket and
//! over SCGI with the server's and the client's peak memory measured.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Run;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use test_support::apps;
use test_support::peer;

fn xrpc(args: &[&str]) -> Run {
    common::xrpc_run(args, Duration::from_secs(120))
}
use test_support::xrpc::Serve;

const XRPC: &str = env!("CARGO_BIN_EXE_xrpc");

/// `xrpc serve <flag> <place>` in a fresh root inside `dir`.
fn serve(dir: &Path, flag: &str, place: &str) -> Serve {
    Serve::start_at(XRPC, &dir.join("files"), flag, place, [] as [&str; 0])
}

/// Python's `ServerProxy`, over TCP (`http://…`) or a Unix socket (`unix:PATH`), the way
/// supervisorctl reaches supervisord: an `HTTPConnection` whose socket is AF_UNIX.
const PYTHON_CLIENT: &str = r#"
import http.client, socket, sys, xmlrpc.client

class UnixConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.socket_path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.socket_path)

class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path):
        super().__init__()
        self.socket_path = path
    def make_connection(self, host):
        if self._connection and host == self._connection[0]:
            return self._connection[1]
        self._connection = host, UnixConnection(self.socket_path)
        return self._connection[1]

target = sys.argv[1]
if target.startswith("unix:"):
    server = xmlrpc.client.ServerProxy("http://localhost/RPC2", transport=UnixTransport(target[5:]))
else:
    server = xmlrpc.client.ServerProxy(target)
assert server.add(8, 8) == 16
assert server.get_string("cloudox") == "get string:cloudox"
assert "add" in server.system.listMethods()
picture = bytes(range(256)) * 4000
assert server.image_put(xmlrpc.client.Binary(picture)) is True
try:
    server.no_such_method()
    raise SystemExit("no fault")
except xmlrpc.client.Fault as fault:
    assert fault.faultCode == -32601, fault
print("ok")
"#;

fn python(target: &str) -> String {
    test_support::process::python(PYTHON_CLIENT, &[target])
}

#[test]
fn python_serverproxy_over_a_unix_socket_to_xrpc_serve() {
    let dir = test_support::temp_dir("serve-unix-python");
    let sock = dir.path().join("rpc.sock");
    let server = serve(dir.path(), "--bind", &format!("unix:{}", sock.display()));
    assert_eq!(server.url, format!("unix://{}", sock.display()));
    assert_eq!(python(&format!("unix:{}", sock.display())), "ok\n");
    assert_eq!(
        std::fs::read(server.root.join("get_girl.jpg"))
            .unwrap()
            .len(),
        256 * 4000
    );
    let Run {
        code,
        stdout: out,
        stderr: err,
    } = xrpc(&["call", &server.url, "add", "8", "8"]);
    assert_eq!((code, out.trim()), (Some(0), "16"), "{err}");
    drop(server);
    assert!(
        !sock.exists(),
        "the socket file is removed when xrpc serve stops"
    );
}

/// A file of `mib` MiB of pseudo-random bytes, and its SHA-256.
fn make_file(path: &Path, mib: u64) -> String {
    test_support::data::write_random_file(path, mib << 20, mib)
}

#[test]
fn nginx_in_front_with_scgi_pass_and_with_proxy_pass_to_a_unix_socket() {
    if !peer::have("nginx") {
        return peer::skip("nginx", "nginx");
    }
    let dir = test_support::temp_dir("serve-nginx");
    let scgi = serve(&dir.path().join("scgi"), "--scgi", "127.0.0.1:0");
    let scgi_addr = scgi.url.trim_start_matches("scgi://").to_owned();
    let sock = dir.path().join("http.sock");
    let unix = serve(
        &dir.path().join("unix"),
        "--bind",
        &format!("unix:{}", sock.display()),
    );
    let nginx_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    // client_max_body_size: nginx refuses bodies over 1 MiB by default (413), which would
    // stop every upload; the read timeouts let long calls finish.
    let nginx = apps::nginx(
        &nginx_dir,
        &format!(
            "client_max_body_size 512m;
        location = /RPC2 {{
            include /etc/nginx/scgi_params;
            scgi_pass {scgi_addr};
            scgi_read_timeout 300s;
        }}
        location = /unix/RPC2 {{
            proxy_pass http://unix:{sock}:/RPC2;
            proxy_http_version 1.1;
            proxy_read_timeout 300s;
        }}",
            sock = sock.display()
        ),
    )
    .unwrap();
    let port = nginx.port();
    let work = dir.path().join("work");
    std::fs::create_dir_all(&work).unwrap();
    let big = work.join("big.bin");
    let want = make_file(&big, 100);
    for (front, serve) in [
        (format!("http://127.0.0.1:{port}/RPC2"), &scgi),
        (format!("http://127.0.0.1:{port}/unix/RPC2"), &unix),
    ] {
        assert_eq!(python(&front), "ok\n", "{front}");
        let Run {
            code,
            stdout: out,
            stderr: err,
        } = xrpc(&["call", &front, "add", "20", "22"]);
        assert_eq!((code, out.trim()), (Some(0), "42"), "{front}: {err}");
        let Run {
            code, stderr: err, ..
        } = xrpc(&["call", &front, "no_such_method"]);
        assert_eq!(code, Some(3), "{front}: {err}");
        let Run {
            code,
            stdout: out,
            stderr: err,
        } = xrpc(&["upload", &front, big.to_str().unwrap(), "big.bin"]);
        assert_eq!(code, Some(0), "{front}: {err}");
        assert!(out.contains(&format!("sha256 {want} verified")), "{out}");
        assert_eq!(
            test_support::data::sha256_file(&serve.root.join("big.bin")),
            want
        );
    }
    // The calls went through nginx: its access log has them.
    let log = std::fs::read_to_string(nginx_dir.join("access.log")).unwrap();
    assert!(log.matches("POST /RPC2").count() >= 4, "{log}");
    assert!(log.matches("POST /unix/RPC2").count() >= 4, "{log}");
}

#[test]
fn lighttpd_runs_xrpc_cgi_for_python() {
    if !peer::have("lighttpd") {
        return peer::skip("lighttpd", "lighttpd");
    }
    let dir = test_support::temp_dir("serve-cgi");
    let docroot = dir.path().join("www");
    let root = dir.path().join("files");
    std::fs::create_dir_all(&docroot).unwrap();
    let script = docroot.join("rpc.cgi");
    std::fs::write(
        &script,
        format!("#!/bin/sh\nexec {XRPC} cgi --root {}\n", root.display()),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let lighttpd = apps::lighttpd_cgi(dir.path(), &docroot).unwrap();
    let url = format!("http://127.0.0.1:{}/rpc.cgi", lighttpd.port());
    assert_eq!(python(&url), "ok\n");
    assert_eq!(
        std::fs::read(root.join("get_girl.jpg")).unwrap().len(),
        256 * 4000
    );
    let Run {
        code,
        stdout: out,
        stderr: err,
    } = xrpc(&["call", &url, "add", "1", "2"]);
    assert_eq!((code, out.trim()), (Some(0), "3"), "{err}");
    // The documentation page, by GET, through CGI too.
    let page = test_support::process::python(
        "import sys, urllib.request\nprint(urllib.request.urlopen(sys.argv[1]).read().decode())",
        &[&url],
    );
    assert!(page.contains("get_string"), "{page}");
}

#[test]
fn a_gigabyte_up_and_down_over_a_unix_socket_and_over_scgi_in_bounded_memory() {
    let dir = test_support::temp_dir("serve-gigabyte");
    let local = dir.path().join("big.bin");
    let want = make_file(&local, 1024);
    let sock = dir.path().join("http.sock");
    let scgi_sock = dir.path().join("scgi.sock");
    for (flag, place, name) in [
        ("--bind", format!("unix:{}", sock.display()), "unix socket"),
        (
            "--scgi",
            format!("unix:{}", scgi_sock.display()),
            "SCGI (unix)",
        ),
        ("--scgi", "127.0.0.1:0".to_owned(), "SCGI (tcp)"),
    ] {
        let server = serve(&dir.path().join(name.replace(' ', "_")), flag, &place);
        let started = Instant::now();
        let up = measured(&["upload", &server.url, local.to_str().unwrap(), "big.bin"]);
        let up_secs = started.elapsed().as_secs_f64();
        assert!(
            up.1.contains(&format!("sha256 {want} verified")),
            "{name}: {}",
            up.1
        );
        let back = dir.path().join("back.bin");
        let started = Instant::now();
        let down = measured(&["download", &server.url, "big.bin", back.to_str().unwrap()]);
        let down_secs = started.elapsed().as_secs_f64();
        assert!(
            down.1.contains(&format!("sha256 {want} verified")),
            "{name}: {}",
            down.1
        );
        let peak = test_support::memory::peak_kib_of(server.child.id()).unwrap();
        println!(
            "1 GiB over {name}: up {up_secs:.1} s, down {down_secs:.1} s; peak RSS: server {} MiB, \
             uploading client {} MiB, downloading client {} MiB",
            peak >> 10,
            up.0 >> 10,
            down.0 >> 10
        );
        assert!(peak < 96 << 10, "{name}: server peak {} MiB", peak >> 10);
        assert!(
            up.0 < 96 << 10 && down.0 < 96 << 10,
            "{name}: clients {} / {} KiB",
            up.0,
            down.0
        );
        let _ = std::fs::remove_file(&back);
        let _ = std::fs::remove_file(server.root.join("big.bin"));
    }
}

/// `xrpc ARGS…` run by a small Python wrapper that reports the child's peak RSS (the
/// kernel's `ru_maxrss` for children, KiB): that peak, and its stdout; panics when it fails.
fn measured(args: &[&str]) -> (u64, String) {
    let mut command = Command::new("/usr/bin/env");
    command
        .args(["python3", "-c", MEASURE])
        .arg(XRPC)
        .args(args);
    let out = test_support::process::run(command, Duration::from_secs(300)).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (text, peak) = stdout.rsplit_once("PEAK_KIB ").expect("the peak line");
    (peak.trim().parse().unwrap(), text.to_owned())
}

/// Runs the command in argv and prints its stdout, then `PEAK_KIB n` (ru_maxrss of children).
const MEASURE: &str = r#"
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
sys.stdout.write(done.stdout.decode())
print("PEAK_KIB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(done.returncode)
"#;
