//! Running programs with a deadline: to their end (with input, as text), Python scripts,
//! and stopping a child that serves.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long a helper here lets a program run before it kills it and fails: far beyond what
/// any test's program needs, so only a hang reaches it.
pub const DEADLINE: Duration = Duration::from_secs(180);

/// How long the output of a program that has ended may take to arrive (a grandchild that
/// keeps the pipes open is not waited for beyond this).
const DRAIN: Duration = Duration::from_secs(10);

/// Runs `command` to its end with nothing on stdin, or kills it after `limit`.
///
/// # Errors
/// When it cannot start or runs past the deadline.
///
/// ```
/// use std::process::Command;
/// use std::time::Duration;
/// let mut echo = Command::new("echo");
/// echo.arg("hello");
/// let out = test_support::process::run(echo, Duration::from_secs(5)).unwrap();
/// assert_eq!(out.stdout, b"hello\n");
/// let mut slow = Command::new("sleep");
/// slow.arg("10");
/// let err = test_support::process::run(slow, Duration::from_millis(100)).unwrap_err();
/// assert!(err.contains("ran past"), "{err}");
/// ```
pub fn run(command: Command, limit: Duration) -> Result<Output, String> {
    run_with(command, None, limit)
}

/// Runs `command` to its end with `input` on stdin (fed from a thread, so neither side can
/// block on a full pipe; a program that does not read it all is fine), or kills it after
/// `limit`.
///
/// # Errors
/// When it cannot start or runs past the deadline.
///
/// ```
/// use std::process::Command;
/// use std::time::Duration;
/// let out = test_support::process::run_with_input(Command::new("cat"), b"abc", Duration::from_secs(5))
///     .unwrap();
/// assert_eq!(out.stdout, b"abc");
/// ```
pub fn run_with_input(command: Command, input: &[u8], limit: Duration) -> Result<Output, String> {
    run_with(command, Some(input.to_vec()), limit)
}

fn run_with(
    mut command: Command,
    input: Option<Vec<u8>>,
    limit: Duration,
) -> Result<Output, String> {
    let described = describe(&command);
    let mut child = command
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {described}: {e}"))?;
    let feeder = child.stdin.take().zip(input).map(|(mut stdin, input)| {
        // The program may stop reading early (on an error, or not at all): a broken pipe
        // here is fine.
        std::thread::spawn(move || drop(stdin.write_all(&input)))
    });
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let Some(status) = wait_exit(&mut child, limit) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("{described} ran past {limit:?}"));
    };
    if let Some(feeder) = feeder {
        let _ = feeder.join();
    }
    Ok(Output {
        status,
        stdout: stdout.recv_timeout(DRAIN).unwrap_or_default(),
        stderr: stderr.recv_timeout(DRAIN).unwrap_or_default(),
    })
}

/// Reads a pipe to its end on a thread; the bytes arrive on the channel.
pub(crate) fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
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

pub(crate) fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        let arg = arg.to_string_lossy();
        // A script given with -c is long: its first line says enough.
        let shown = match arg.trim_start().lines().next() {
            Some(first) if arg.contains('\n') => format!("{first}…"),
            _ => arg.into_owned(),
        };
        text.push(' ');
        text.push_str(&shown);
    }
    text
}

/// What a run produced, as text: the exit code (none when a signal ended it), stdout and
/// stderr.
#[derive(Debug)]
pub struct Run {
    /// The exit code; `None` when a signal ended the program.
    pub code: Option<i32>,
    /// Everything it wrote to stdout.
    pub stdout: String,
    /// Everything it wrote to stderr.
    pub stderr: String,
}

/// Runs `command` with `input` on stdin, within `limit`, and gives its output as text.
/// Panics when it cannot run, runs past the deadline, or writes something that is not
/// UTF-8.
///
/// ```
/// use std::process::Command;
/// let mut sh = Command::new("sh");
/// sh.args(["-c", "cat; echo oops >&2; exit 3"]);
/// let run = test_support::process::run_text(sh, b"in\n", std::time::Duration::from_secs(5));
/// assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (Some(3), "in\n", "oops\n"));
/// ```
pub fn run_text(command: Command, input: &[u8], limit: Duration) -> Run {
    let out = run_with_input(command, input, limit).unwrap_or_else(|e| panic!("{e}"));
    let text = |bytes: Vec<u8>, what: &str| {
        String::from_utf8(bytes).unwrap_or_else(|e| panic!("{what} is not UTF-8: {e}"))
    };
    Run {
        code: out.status.code(),
        stdout: text(out.stdout, "stdout"),
        stderr: text(out.stderr, "stderr"),
    }
}

/// Runs `command` within [`DEADLINE`], insists that it succeeded, and returns its stdout.
/// The panic shows both outputs.
///
/// ```
/// use std::process::Command;
/// let mut echo = Command::new("echo");
/// echo.arg("hi");
/// assert_eq!(test_support::process::stdout_of(echo), "hi\n");
/// ```
pub fn stdout_of(command: Command) -> String {
    let described = describe(&command);
    let out = run(command, DEADLINE).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{described} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap_or_else(|e| panic!("{described} wrote non-UTF-8: {e}"))
}

/// Runs a python3 script (given as source) with arguments; returns stdout, panics with
/// stderr on failure. python3 must be installed.
///
/// ```no_run
/// assert_eq!(test_support::process::python("import sys; print(sys.argv[1])", &["x"]), "x\n");
/// ```
pub fn python(script: &str, args: &[&str]) -> String {
    stdout_of(python_command(script, args))
}

/// [`python`] run in the folder `dir`.
///
/// ```no_run
/// let dir = std::env::temp_dir();
/// let out = test_support::process::python_in("import os; print(os.getcwd())", &[], &dir);
/// assert_eq!(out.trim(), dir.canonicalize().unwrap().to_str().unwrap());
/// ```
pub fn python_in(script: &str, args: &[&str], dir: &Path) -> String {
    let mut command = python_command(script, args);
    command.current_dir(dir);
    stdout_of(command)
}

/// `python3 -c script args…`.
pub(crate) fn python_command(script: &str, args: &[impl AsRef<OsStr>]) -> Command {
    let mut command = Command::new("python3");
    command.arg("-c").arg(script).args(args);
    command
}

/// Waits up to `limit` for `child` to exit; its status, or `None` if it still runs.
///
/// ```
/// use std::time::Duration;
/// let mut child = std::process::Command::new("true").spawn().unwrap();
/// let status = test_support::process::wait_exit(&mut child, Duration::from_secs(5));
/// assert!(status.unwrap().success());
/// ```
pub fn wait_exit(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    crate::wait::for_value(limit, || child.try_wait().ok().flatten())
}

/// Sends `child` SIGINT, as Ctrl-C does (with `kill -INT`); whether it was sent.
///
/// ```
/// use std::time::Duration;
/// let mut child = std::process::Command::new("sleep").arg("10").spawn().unwrap();
/// assert!(test_support::process::interrupt(&child));
/// let status = test_support::process::wait_exit(&mut child, Duration::from_secs(5)).unwrap();
/// assert!(!status.success());
/// ```
pub fn interrupt(child: &Child) -> bool {
    Command::new("kill")
        .arg("-INT")
        .arg(child.id().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Sends SIGTERM to `child`, as systemd, Kubernetes and supervisord stop a service;
/// whether `kill` could.
///
/// ```
/// use std::time::Duration;
/// let mut child = std::process::Command::new("sleep").arg("10").spawn().unwrap();
/// assert!(test_support::process::terminate(&child));
/// let status = test_support::process::wait_exit(&mut child, Duration::from_secs(5)).unwrap();
/// assert!(!status.success());
/// ```
pub fn terminate(child: &Child) -> bool {
    Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Stops `child` as a user would: SIGINT, then up to `grace` for it to exit, then SIGKILL.
/// Its status when it exited on SIGINT within `grace`.
///
/// ```
/// use std::time::Duration;
/// let mut child = std::process::Command::new("sleep").arg("10").spawn().unwrap();
/// test_support::process::stop(&mut child, Duration::from_secs(5));
/// assert!(child.try_wait().unwrap().is_some());
/// ```
pub fn stop(child: &mut Child, grace: Duration) -> Option<ExitStatus> {
    if interrupt(child) {
        if let Some(status) = wait_exit(child, grace) {
            return Some(status);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}
