//! Helpers the `xrpc serve` tests share: the server binary as a child process, and Python.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `xrpc serve`, stopped (with SIGINT, as Ctrl-C) when dropped.
pub(crate) struct Serve {
    pub(crate) child: Child,
    pub(crate) url: String,
    pub(crate) root: PathBuf,
}

impl Serve {
    pub(crate) fn start(name: &str) -> Serve {
        let root = std::env::temp_dir().join(format!("xrpc-serve-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let mut child = Command::new(env!("CARGO_BIN_EXE_xrpc"))
            .args(["serve", "--bind", "127.0.0.1:0", "--root"])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut url = None;
        for _ in 0..50 {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(at) = line.find("http://") {
                url = Some(
                    line[at..]
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .trim_end_matches('/')
                        .to_owned(),
                );
                break;
            }
        }
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in stderr.lines() {});
        let url = format!(
            "{}/RPC2",
            url.expect("xrpc serve did not print its address")
        );
        Serve { child, url, root }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

pub(crate) fn python(script: &str, args: &[&str], cwd: &Path) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
