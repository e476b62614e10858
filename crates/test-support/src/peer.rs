//! Peers: whether a program is installed, the rule for a missing peer, and peers' servers
//! started and waited on until they listen.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a peer's server may take to say where it listens, and then to accept.
pub const START: Duration = Duration::from_secs(20);

/// Whether the tests run on CI (`CI` is set, as `.ci/run` does), where every peer is
/// installed and a missing one is a failure.
///
/// ```
/// assert_eq!(test_support::peer::on_ci(), std::env::var_os("CI").is_some());
/// ```
pub fn on_ci() -> bool {
    std::env::var_os("CI").is_some()
}

/// Whether `program` is on the `PATH`.
///
/// ```
/// assert!(test_support::peer::have("sh"));
/// assert!(!test_support::peer::have("surely-no-such-program-here"));
/// ```
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The rule for a missing peer, in one place: on CI (`CI` set) a missing peer is a failure,
/// as `.ci/run` installs every one; elsewhere the test is skipped with a note on stderr
/// (`SKIPPED: …`). `package` names what installs it.
///
/// # Errors
/// On CI, the message saying which peer is missing and what installs it.
///
/// ```
/// let rule = test_support::peer::missing("a doc peer", "doc-peer");
/// assert_eq!(rule.is_err(), test_support::peer::on_ci());
/// ```
pub fn missing(peer: &str, package: &str) -> Result<(), String> {
    if on_ci() {
        return Err(format!(
            "{peer} is missing on CI (.ci/run installs {package})"
        ));
    }
    eprintln!("SKIPPED: {peer} is not installed (CI installs {package})");
    Ok(())
}

/// [`missing`] for a test: panics on CI, notes the skip elsewhere; the test then returns.
///
/// ```no_run
/// if !test_support::peer::have("chromium") {
///     test_support::peer::skip("chromium", "chromium");
///     return;
/// }
/// ```
pub fn skip(peer: &str, package: &str) {
    if let Err(e) = missing(peer, package) {
        panic!("{e}");
    }
}

/// Whether a peer can be tested: `probe` succeeds when it is installed. When it does not,
/// the rule of [`missing`] applies.
///
/// # Errors
/// On CI, the message saying which peer is missing.
///
/// ```
/// let mut probe = std::process::Command::new("true");
/// assert_eq!(test_support::peer::available("true", "coreutils", &mut probe), Ok(true));
/// ```
pub fn available(peer: &str, package: &str, probe: &mut Command) -> Result<bool, String> {
    let present = probe
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(true);
    }
    missing(peer, package).map(|()| false)
}

/// A peer's server process (Python's, PHP's, a C program…), killed when dropped. It says
/// where it listens on its first line of output, `PORT <n>` or just `<n>`, and is waited
/// on until it accepts connections on 127.0.0.1 there.
#[derive(Debug)]
pub struct PeerServer {
    child: Child,
    port: u16,
}

impl PeerServer {
    /// Starts `command` (stdin empty, stdout and stderr piped and drained) and waits up to
    /// [`START`] for its port and then for it to accept there.
    ///
    /// # Errors
    /// When it does not start, says something else first, exits, or does not listen in
    /// time; the message has what it wrote on stderr.
    ///
    /// ```no_run
    /// let mut command = std::process::Command::new("python3");
    /// command.arg("crates/interop/peers/python_server.py");
    /// let server = test_support::peer::PeerServer::start(command).unwrap();
    /// println!("{}", server.url("/RPC2"));
    /// ```
    pub fn start(mut command: Command) -> Result<PeerServer, String> {
        let described = crate::process::describe(&command);
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {described}: {e}"))?;
        let stdout = child.stdout.take();
        let stderr = crate::process::drain(child.stderr.take());
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            if let Some(out) = stdout {
                let mut lines = BufReader::new(out).lines();
                let _ = send.send(lines.next());
                // Keep draining, so the server never blocks on a full pipe.
                for _ in lines {}
            }
        });
        let mut server = PeerServer { child, port: 0 };
        let said = |server: PeerServer, what: String| {
            drop(server); // killed: its stderr ends
            let err = stderr
                .recv_timeout(Duration::from_secs(5))
                .unwrap_or_default();
            Err(format!(
                "{described} {what}; its stderr:\n{}",
                String::from_utf8_lossy(&err)
            ))
        };
        let line = match receive.recv_timeout(START) {
            Ok(Some(Ok(line))) => line,
            Ok(_) => return said(server, "ended its output before saying its port".into()),
            Err(_) => return said(server, format!("said nothing within {START:?}")),
        };
        let port = line.trim();
        let Ok(port) = port.strip_prefix("PORT ").unwrap_or(port).trim().parse() else {
            return said(server, format!("said {line:?}, not PORT <n>"));
        };
        server.port = port;
        let addr = server.addr();
        let listening = crate::wait::until(START, || {
            std::net::TcpStream::connect(addr).is_ok()
                || server.child.try_wait().ok().flatten().is_some()
        });
        match server.child.try_wait() {
            Ok(Some(status)) => said(server, format!("exited: {status}")),
            _ if !listening => said(server, format!("did not listen on port {port}")),
            _ => Ok(server),
        }
    }

    /// `python3 -c script args…` as a peer's server: the script prints its port first.
    ///
    /// # Errors
    /// As [`PeerServer::start`].
    ///
    /// ```no_run
    /// let server = test_support::peer::PeerServer::python(
    ///     "from xmlrpc.server import SimpleXMLRPCServer as S\n\
    ///      s = S(('127.0.0.1', 0), logRequests=False)\n\
    ///      print(s.server_address[1], flush=True)\ns.serve_forever()",
    ///     &[],
    /// )
    /// .unwrap();
    /// assert!(server.url("/RPC2").ends_with("/RPC2"));
    /// ```
    pub fn python(script: &str, args: &[&str]) -> Result<PeerServer, String> {
        Self::start(crate::process::python_command(script, args))
    }

    /// Python's `http.server` answering each XML-RPC call with a document from `dir`: the
    /// file `METHOD.xml` for a call of `METHOD`, sent as it is (HTTP 404 when there is
    /// none). For replies that real peers send and no well-behaved server would (string
    /// fault codes, `<biginteger>`, bare faults), read by the client under test.
    ///
    /// # Errors
    /// As [`PeerServer::start`].
    ///
    /// ```no_run
    /// let dir = test_support::temp_dir("documents-doc");
    /// std::fs::write(dir.path().join("ping.xml"), "<methodResponse><params/></methodResponse>").unwrap();
    /// let server = test_support::peer::PeerServer::documents(dir.path()).unwrap();
    /// println!("{}", server.url("/RPC2"));
    /// ```
    pub fn documents(dir: &std::path::Path) -> Result<PeerServer, String> {
        const ANSWER: &str = r#"
import os, re
def answer(handler, body):
    name = re.search(rb"<methodName>\s*([^<\s]+)\s*</methodName>", body)
    path = os.path.join(sys.argv[1], (name.group(1).decode() if name else "") + ".xml")
    if not name or not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return f.read()
"#;
        let dir = dir.to_string_lossy().into_owned();
        Self::answering(ANSWER, &[dir.as_str()])
    }

    /// A Python server that answers every call with the request target it saw (path and
    /// query), then, when the request has `X-Token` headers, a space and their values
    /// joined by commas: `/kojihub?session-id=42 all,one`.
    ///
    /// ```no_run
    /// let server = test_support::peer::PeerServer::request_target().unwrap();
    /// println!("{}", server.url("/kojihub?api=1"));
    /// ```
    pub fn request_target() -> Result<PeerServer, String> {
        const ANSWER: &str = r#"
from xmlrpc.client import dumps
def answer(handler, body):
    tokens = handler.headers.get_all("X-Token") or []
    seen = handler.path + (" " + ",".join(tokens) if tokens else "")
    return dumps((seen,), methodresponse=True).encode()
"#;
        Self::answering(ANSWER, &[])
    }

    /// A threaded Python HTTP server whose POSTs are answered by `answer`, Python source
    /// that defines `answer(handler, body)`: the reply's bytes, or `None` for a 404.
    fn answering(answer: &str, args: &[&str]) -> Result<PeerServer, String> {
        let script = format!(
            r#"
import http.server, sys
{answer}
class Answering(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        reply = answer(self, body)
        if reply is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)
    def log_message(self, *args):
        pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answering)
print(server.server_address[1], flush=True)
server.serve_forever()
"#
        );
        Self::python(&script, args)
    }

    /// The port it listens on.
    ///
    /// ```no_run
    /// # let server = test_support::peer::PeerServer::python("print(1)", &[]).unwrap();
    /// assert!(server.port() > 0);
    /// ```
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where it listens: 127.0.0.1 and its port.
    ///
    /// ```no_run
    /// # let server = test_support::peer::PeerServer::python("print(1)", &[]).unwrap();
    /// assert_eq!(server.addr().port(), server.port());
    /// ```
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `http://127.0.0.1:<port><path>`.
    ///
    /// ```no_run
    /// # let server = test_support::peer::PeerServer::python("print(1)", &[]).unwrap();
    /// assert_eq!(server.url("/RPC2"), format!("http://127.0.0.1:{}/RPC2", server.port()));
    /// ```
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// The process's id (to read its memory, say).
    ///
    /// ```no_run
    /// # let server = test_support::peer::PeerServer::python("print(1)", &[]).unwrap();
    /// assert!(test_support::memory::peak_kib_of(server.id()).is_some());
    /// ```
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for PeerServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
