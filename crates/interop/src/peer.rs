//! The peers' programs: where they are, what version runs, building the C ones. Starting
//! their servers, running their clients with a deadline and the rule for a missing peer
//! are the workspace's test support, shared with every crate's tests.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The folder of the peers' programs (`crates/interop/peers`).
///
/// ```
/// assert!(interop::peers_dir().join("python_client.py").exists());
/// ```
pub fn peers_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("peers")
}

/// The first line a command prints (a version, say), or `unknown` (also when it does not
/// answer within 30 seconds).
///
/// ```
/// assert_eq!(interop::version_of("echo", &["v1.2", "more"]), "v1.2 more");
/// assert_eq!(interop::version_of("surely-no-such-program-here", &[]), "unknown");
/// ```
pub fn version_of(program: &str, args: &[&str]) -> String {
    let mut command = Command::new(program);
    command.args(args);
    test_support::process::run(command, Duration::from_secs(30))
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
    let out = test_support::process::run(cc, Duration::from_secs(120))?;
    if out.status.success() {
        Ok(exe)
    } else {
        Err(format!(
            "cc {name}.c failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}
