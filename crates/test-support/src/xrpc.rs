//! A running `xrpc serve` (the binary under test, whose path only its crate's tests know:
//! `env!("CARGO_BIN_EXE_xrpc")`), stopped with Ctrl-C (SIGINT) when dropped.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How long `xrpc serve` may take to log where it listens.
const START: Duration = Duration::from_secs(20);
/// How long it may take to stop after Ctrl-C before it is killed.
const STOP: Duration = Duration::from_secs(5);

/// A running `xrpc serve`: its process, its URL (`…/RPC2`) and its root folder.
#[derive(Debug)]
pub struct Serve {
    /// The process.
    pub child: Child,
    /// `http(s)://127.0.0.1:<port>/RPC2`, from the address it logs.
    pub url: String,
    /// The folder it serves.
    pub root: PathBuf,
    /// Every line it has logged on stderr or printed on stdout so far.
    pub log: Arc<Mutex<Vec<String>>>,
    remove_root: bool,
}

impl Serve {
    /// Starts `exe serve --bind 127.0.0.1:0 --root <tmp>/xrpc-serve-<name>-<pid>` (a fresh
    /// folder, removed when dropped) and waits until it logs its address.
    ///
    /// ```no_run
    /// let serve = test_support::xrpc::Serve::start("target/debug/xrpc", "doc");
    /// assert!(serve.url.ends_with("/RPC2"));
    /// ```
    pub fn start(exe: impl AsRef<OsStr>, name: &str) -> Serve {
        let root = std::env::temp_dir().join(format!("xrpc-serve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut serve = Self::start_in(exe, &root, [] as [&OsStr; 0]);
        serve.remove_root = true;
        serve
    }

    /// Starts `exe serve --bind 127.0.0.1:0 --root <root> <args…>` (TLS or auth options,
    /// say), and waits until it logs its address; `root` is left in place.
    ///
    /// ```no_run
    /// let dir = test_support::temp_dir("serve-doc");
    /// let serve = test_support::xrpc::Serve::start_in(
    ///     "target/debug/xrpc",
    ///     &dir.path().join("files"),
    ///     ["--auth-file", "users"],
    /// );
    /// ```
    pub fn start_in<A: AsRef<OsStr>>(
        exe: impl AsRef<OsStr>,
        root: &Path,
        args: impl IntoIterator<Item = A>,
    ) -> Serve {
        Self::start_at(exe, root, "--bind", "127.0.0.1:0", args)
    }

    /// Starts `exe serve <flag> <place> --root <root> <args…>`: `--bind unix:/path` for HTTP
    /// over a Unix socket, `--scgi 127.0.0.1:0` or `--scgi unix:/path` for SCGI. Its `url`
    /// is then the one it logs (`unix:///path`, `scgi://127.0.0.1:<port>`, …).
    ///
    /// ```no_run
    /// let dir = test_support::temp_dir("serve-doc");
    /// let sock = dir.path().join("rpc.sock");
    /// let serve = test_support::xrpc::Serve::start_at(
    ///     "target/debug/xrpc",
    ///     &dir.path().join("files"),
    ///     "--bind",
    ///     &format!("unix:{}", sock.display()),
    ///     [] as [&str; 0],
    /// );
    /// assert_eq!(serve.url, format!("unix://{}", sock.display()));
    /// ```
    pub fn start_at<A: AsRef<OsStr>>(
        exe: impl AsRef<OsStr>,
        root: &Path,
        flag: &str,
        place: &str,
        args: impl IntoIterator<Item = A>,
    ) -> Serve {
        let mut command = Command::new(exe);
        command
            .args(["serve", flag, place, "--root"])
            .arg(root)
            .args(args);
        Self::spawn(command, root)
    }

    /// Starts `command` (an `xrpc serve` command line, perhaps behind a launcher that
    /// passes it a socket) serving `root`, and waits until it logs its address.
    ///
    /// ```no_run
    /// let mut command = std::process::Command::new("target/debug/xrpc");
    /// command.args(["serve", "--bind", "127.0.0.1:0", "--root", "/tmp/files"]);
    /// let serve = test_support::xrpc::Serve::spawn(command, "/tmp/files".as_ref());
    /// ```
    pub fn spawn(mut command: Command, root: &Path) -> Serve {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start xrpc serve");
        let stderr = child.stderr.take().expect("its stderr");
        let stdout = child.stdout.take().expect("its stdout");
        let (send, lines) = mpsc::channel();
        // What it prints on stdout (`xrpc proxy` and `xrpc dump` show calls there) goes
        // into the same log.
        let out = send.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if out.send(line).is_err() {
                    break;
                }
            }
        });
        std::thread::spawn(move || {
            // Every line, then on draining, so the server never blocks on a full pipe.
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serve = Serve {
            child,
            url: String::new(),
            root: root.to_owned(),
            log: Arc::new(Mutex::new(Vec::new())),
            remove_root: false,
        };
        let deadline = Instant::now() + START;
        let mut seen = Vec::new();
        let url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    let url = listen_url(&line);
                    seen.push(line);
                    if let Some(url) = url {
                        break url;
                    }
                }
                Err(_) => panic!(
                    "xrpc serve did not log its address within {START:?}:\n{}",
                    seen.join("\n")
                ),
            }
        };
        // The rest of the log is kept, for tests that read it.
        let log = Arc::clone(&serve.log);
        if let Ok(mut kept) = log.lock() {
            kept.append(&mut seen);
        }
        std::thread::spawn(move || {
            for line in lines {
                if let Ok(mut kept) = log.lock() {
                    kept.push(line);
                }
            }
        });
        serve.url = url;
        serve
    }

    /// The port it listens on.
    ///
    /// ```no_run
    /// let serve = test_support::xrpc::Serve::start("target/debug/xrpc", "doc");
    /// assert!(serve.url.contains(&format!(":{}/", serve.port())));
    /// ```
    pub fn port(&self) -> u16 {
        self.url
            .rsplit_once(':')
            .and_then(|(_, rest)| rest.split('/').next()?.parse().ok())
            .expect("a port in the URL")
    }
}

/// The URL a `listening on URL` log line gives: an http(s) one as `scheme://host:port/RPC2`,
/// any other (`unix://`, `scgi://`) as it stands.
fn listen_url(line: &str) -> Option<String> {
    let (_, rest) = line.split_once("listening on ")?;
    let url = rest.split_whitespace().next()?;
    if url.starts_with("http") {
        return base_url(url).map(|base| format!("{base}/RPC2"));
    }
    (url.starts_with("unix://") || url.starts_with("scgi://")).then(|| url.to_owned())
}

/// `scheme://host:port` of the first http(s) URL in a log line.
fn base_url(line: &str) -> Option<String> {
    let at = line.find("http://").or_else(|| line.find("https://"))?;
    let (scheme, rest) = line[at..].split_once("://")?;
    let host: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || ".-[]".contains(*c))
        .collect();
    let port: String = rest[host.len()..]
        .strip_prefix(':')?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!host.is_empty() && !port.is_empty()).then(|| format!("{scheme}://{host}:{port}"))
}

impl Drop for Serve {
    fn drop(&mut self) {
        crate::process::stop(&mut self.child, STOP);
        if self.remove_root {
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{base_url, listen_url};

    #[test]
    fn every_kind_of_listen_line_gives_its_url() {
        for (line, url) in [
            (
                "INFO XML-RPC server listening on http://127.0.0.1:4000/RPC2 (Ctrl-C stops it)",
                "http://127.0.0.1:4000/RPC2",
            ),
            (
                "INFO XML-RPC server listening on unix:///tmp/x/s.sock (Ctrl-C stops it)",
                "unix:///tmp/x/s.sock",
            ),
            ("listening on scgi://127.0.0.1:5/ x", "scgi://127.0.0.1:5/"),
        ] {
            assert_eq!(listen_url(line).as_deref(), Some(url), "{line}");
        }
        assert_eq!(listen_url("serving files from /tmp"), None);
    }

    #[test]
    fn the_address_is_found_in_the_log_line_whatever_follows_it() {
        for (line, base) in [
            (
                "INFO listening on http://127.0.0.1:4000/",
                "http://127.0.0.1:4000",
            ),
            (
                "listening on http://127.0.0.1:4000/RPC2 (docs)",
                "http://127.0.0.1:4000",
            ),
            ("serving https://127.0.0.1:8443,", "https://127.0.0.1:8443"),
            (
                "\x1b[32mINFO\x1b[0m on http://127.0.0.1:80\x1b[0m",
                "http://127.0.0.1:80",
            ),
        ] {
            assert_eq!(base_url(line).as_deref(), Some(base), "{line}");
        }
        assert_eq!(base_url("root /tmp/x"), None);
    }
}
