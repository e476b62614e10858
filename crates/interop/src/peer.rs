//! Running peers: finding their programs, starting their servers, running their clients
//! with a deadline, and the rule for a missing peer (skip with a note; fail on CI).

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The folder of the peers' programs (`crates/interop/peers`).
///
/// ```
/// assert!(interop::peers_dir().join("python_client.py").exists());
/// ```
pub fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers")
}

/// Whether `program` is on the `PATH`.
///
/// ```
/// assert!(!interop::have("surely-no-such-program-here"));
/// ```
pub fn have(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether a peer can be tested: `probe` succeeds when it is installed. When it is not,
/// the test is skipped with a note, except on CI (`CI` set), where a missing peer is a
/// failure, as `.ci/run` installs every peer.
///
/// # Errors
/// On CI, the message saying which peer is missing.
pub fn available(peer: &str, package: &str, probe: &mut Command) -> Result<bool, String> {
    let present = probe
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(true);
    }
    if std::env::var_os("CI").is_some() {
        return Err(format!(
            "{peer} is missing on CI (.ci/run installs {package})"
        ));
    }
    eprintln!("SKIPPED: {peer} is not installed (CI installs {package})");
    Ok(false)
}

/// The first line a command prints (a version, say), or `unknown`.
pub fn version_of(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .ok()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text)
                .lines()
                .next()
                .unwrap_or("")
                .trim()
                .to_owned()
        })
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Runs a command to its end, or kills it after `limit`.
///
/// # Errors
/// When it cannot start or runs past the deadline.
pub fn run(mut command: Command, limit: Duration) -> Result<Output, String> {
    let described = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {described}: {e}"))?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = std::time::Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if std::time::Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Ok(None) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{described} ran past {limit:?}"));
            }
            Err(e) => return Err(format!("waiting for {described}: {e}")),
        }
    };
    Ok(Output {
        status,
        stdout: stdout.recv_timeout(limit).unwrap_or_default(),
        stderr: stderr.recv_timeout(limit).unwrap_or_default(),
    })
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = send.send(bytes);
    });
    receive
}

/// A peer's server process, killed when dropped.
pub struct PeerServer {
    child: Child,
    /// The URL to call it at.
    pub url: String,
}

impl PeerServer {
    /// Starts a server that prints `PORT <n>` on its first line of output once it listens;
    /// the URL is `http://127.0.0.1:<n><path>`.
    ///
    /// # Errors
    /// When it does not start or says nothing within 20 seconds.
    pub fn start(mut command: Command, path: &str) -> Result<PeerServer, String> {
        let described = format!("{command:?}");
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {described}: {e}"))?;
        let stdout = child.stdout.take();
        let stderr = drain(child.stderr.take());
        let (send, receive) = mpsc::channel();
        std::thread::spawn(move || {
            if let Some(out) = stdout {
                let mut lines = BufReader::new(out).lines();
                if let Some(Ok(first)) = lines.next() {
                    let _ = send.send(first);
                }
                for _ in lines {}
            }
        });
        let mut server = PeerServer {
            child,
            url: String::new(),
        };
        match receive.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => match line.trim().strip_prefix("PORT ") {
                Some(port) => {
                    let port: u16 = port
                        .trim()
                        .parse()
                        .map_err(|_| format!("{described} said {line:?}, not PORT <n>"))?;
                    server.url = format!("http://127.0.0.1:{port}{path}");
                    server.wait_for(port, &described)?;
                    Ok(server)
                }
                None => Err(format!("{described} said {line:?}, not PORT <n>")),
            },
            Err(_) => {
                drop(server);
                let err = stderr
                    .recv_timeout(Duration::from_secs(2))
                    .unwrap_or_default();
                Err(format!(
                    "{described} did not start: {}",
                    String::from_utf8_lossy(&err)
                ))
            }
        }
    }

    /// Waits until the server accepts connections on `port` (up to 20 seconds).
    fn wait_for(&mut self, port: u16, described: &str) -> Result<(), String> {
        for _ in 0..400 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("{described} exited: {status}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!("{described} did not listen on port {port}"))
    }
}

impl Drop for PeerServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Compiles one of the C peers (`peers/<name>.c`) with `cc` against `libs`, into
/// `target/interop/bin/<name>-<pid>-<n>`; returns the program's path.
///
/// # Errors
/// The compiler's complaint.
pub fn build_c(name: &str, libs: &[&str]) -> Result<PathBuf, String> {
    let dir = crate::record::results_dir().join("bin");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    static BUILT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = BUILT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let exe = dir.join(format!("{name}-{}-{n}", std::process::id()));
    let mut cc = Command::new("cc");
    cc.arg("-O1")
        .arg("-o")
        .arg(&exe)
        .arg(peers_dir().join(format!("{name}.c")))
        .args(libs);
    let out = run(cc, Duration::from_secs(120))?;
    if out.status.success() {
        Ok(exe)
    } else {
        Err(format!(
            "cc {name}.c failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
