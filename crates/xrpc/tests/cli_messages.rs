//! The CLI's shape and the messages a person can act on (issue 12), as a user meets them:
//! the built binary against `xrpc serve`, checking stdout, stderr, exit codes and files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Serve;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
    took: Duration,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs `xrpc <args>` in `cwd` with `stdin`; kills it and fails after 60 seconds.
fn xrpc_in(cwd: &Path, args: &[&str], stdin: &str) -> Run {
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO_BIN_EXE_xrpc"));
    command.args(args).current_dir(cwd);
    let out =
        test_support::process::run_with_input(command, stdin.as_bytes(), Duration::from_secs(60))
            .unwrap_or_else(|e| panic!("xrpc {args:?}: {e}"));
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr: String::from_utf8(out.stderr).unwrap(),
        took: started.elapsed(),
    }
}

fn xrpc(args: &[&str]) -> Run {
    xrpc_in(&std::env::temp_dir(), args, "")
}

fn wait(child: &mut Child, limit: Duration, what: &[&str]) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("xrpc {what:?} did not finish within {limit:?}");
        }
        thread::sleep(Duration::from_millis(5));
    }
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("xrpc-msg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn help_call_shows_the_help_of_call_and_describe_shows_a_method() {
    let run = xrpc(&["help", "call"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout().contains("Usage: xrpc call"),
        "{}",
        run.stdout()
    );
    assert!(run.stdout().contains("--output <FILE>"), "{}", run.stdout());

    let serve = Serve::start("msg-describe");
    let run = xrpc(&["describe", &serve.url, "add"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout()
            .ends_with("add(int, int) -> int\nadd(double, double) -> double\n"),
        "{}",
        run.stdout()
    );
}

#[test]
fn an_argument_that_starts_like_json_but_does_not_parse_is_refused() {
    let serve = Serve::start("msg-json-arg");
    let run = xrpc(&["call", &serve.url, "add", "[1,2", "3"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr,
        "xrpc: argument 1 (`[1,2`): looks like JSON but is not: EOF while parsing a list \
         at column 4 (to send the text as a string, write s/[1,2)\n"
    );
    assert!(run.stdout.is_empty());
    // The escape it names works.
    let run = xrpc(&["call", &serve.url, "add", "s/[1,2", "s/x"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stdout(), "\"[1,2x\"\n");
}

#[test]
fn call_o_writes_a_base64_result_as_raw_bytes() {
    let serve = Serve::start("msg-output");
    let dir = temp_dir("output");
    let file = dir.join("out.bin");
    let run = xrpc(&[
        "call",
        &serve.url,
        "echo",
        "h/00ff41",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stdout.is_empty(), "{}", run.stdout());
    assert_eq!(std::fs::read(&file).unwrap(), [0x00, 0xff, 0x41]);
    // Any other result is written as it would be printed.
    let run = xrpc(&[
        "call",
        &serve.url,
        "add",
        "1",
        "2",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "3\n");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `xrpc serve` with a relative root in `cwd`, its stderr lines sent to a channel.
struct Logged {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Logged {
    fn start(cwd: &Path, extra: &[&str]) -> Logged {
        let mut child = Command::new(env!("CARGO_BIN_EXE_xrpc"))
            .args(["serve", "--bind", "127.0.0.1:0", "--root", "served"])
            .args(extra)
            .current_dir(cwd)
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (send, lines) = mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = send.send(line);
            }
        });
        Logged { child, lines }
    }

    /// The next log line, within 20 seconds.
    fn line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(20))
            .expect("a log line from xrpc serve")
    }

    /// Stops the server (SIGINT) and returns the lines it logged since.
    fn stop(mut self) -> Vec<String> {
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(self.child.id().to_string())
            .status();
        wait(&mut self.child, Duration::from_secs(20), &["serve"]);
        self.lines.try_iter().collect()
    }
}

fn url_in(line: &str) -> String {
    let at = line.find("http://").expect("a URL in the line");
    line[at..].split_whitespace().next().unwrap().to_owned()
}

#[test]
fn serve_logs_its_absolute_root_and_documentation_page_and_calls_only_when_asked() {
    let cwd = temp_dir("serve-log");
    let quiet = Logged::start(&cwd, &[]);
    let listening = quiet.line();
    assert!(
        listening.contains("listening on http://127.0.0.1:"),
        "{listening}"
    );
    let root = quiet.line();
    let absolute = std::fs::canonicalize(cwd.join("served")).unwrap();
    assert!(
        root.ends_with(&format!("serving files from {}", absolute.display())),
        "{root}"
    );
    let docs = quiet.line();
    assert!(
        docs.contains("documentation page: http://127.0.0.1:"),
        "{docs}"
    );
    let docs_url = url_in(&docs);
    // The listening line gives the endpoint's URL, `/RPC2` included.
    let url = url_in(&listening);
    assert_eq!(docs_url, url);
    assert_eq!(xrpc(&["call", &url, "add", "1", "2"]).stdout(), "3\n");
    let rest = quiet.stop();
    assert!(
        !rest.iter().any(|l| l.contains("method=\"add\"")),
        "access lines at info: {rest:?}"
    );

    let loud = Logged::start(&cwd, &["--access-log"]);
    let url = url_in(&loud.line());
    let _ = (loud.line(), loud.line());
    assert_eq!(xrpc(&["call", &url, "add", "1", "2"]).stdout(), "3\n");
    // Wait for the access line rather than sleeping.
    let line = loud.line();
    assert!(
        line.contains("ok") && line.contains("method=\"add\""),
        "{line}"
    );
    loud.stop();
    let _ = std::fs::remove_dir_all(&cwd);
}

#[test]
fn serve_binds_before_it_makes_its_root() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = busy.local_addr().unwrap().to_string();
    let cwd = temp_dir("serve-busy");
    let run = xrpc_in(
        &cwd,
        &["serve", "--bind", &address, "--root", "new-root"],
        "",
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.ends_with(&format!(
            "xrpc: cannot listen on {address}: Address already in use (os error 98)\n"
        )),
        "{}",
        run.stderr
    );
    assert!(!cwd.join("new-root").exists(), "the root was made anyway");
    let _ = std::fs::remove_dir_all(&cwd);
}

#[test]
fn method_instead_of_method_name_is_named() {
    let line = "{\"method\": \"add\", \"params\": [1, 2]}\n";
    let want = "found key \"method\": a call's method name goes in \"methodName\" \
                ({\"methodName\": \"add\", \"params\": [1, 2]})\n";
    let run = xrpc_in(&std::env::temp_dir(), &["encode"], line);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.stderr, format!("xrpc: {want}"));
    let serve = Serve::start("msg-multicall");
    let run = xrpc_in(&std::env::temp_dir(), &["multicall", &serve.url], line);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(run.stderr, format!("xrpc: line 1: {want}"));
}

#[test]
fn bench_stops_at_once_when_every_connection_is_refused() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("127.0.0.1:{port}");
    for extra in [&[][..], &["--blocking"][..]] {
        let mut args = vec!["bench", url.as_str(), "-d", "30", "-c", "4"];
        args.extend_from_slice(extra);
        let run = xrpc(&args);
        assert_eq!(run.code, Some(1), "{run:?}");
        assert!(run.took < Duration::from_secs(15), "took {:?}", run.took);
        assert!(
            run.stderr
                .contains("every connection failed before any answer")
                && run
                    .stderr
                    .contains(&format!("is a server listening at {url}?")),
            "{}",
            run.stderr
        );
        // The report still comes, with its zero calls.
        assert!(
            run.stdout().contains("calls:        0\n"),
            "{}",
            run.stdout()
        );
    }
}

#[test]
fn bench_warns_when_every_call_faults() {
    let serve = Serve::start("msg-bench-faults");
    let run = xrpc(&[
        "bench", &serve.url, "--method", "nosuch", "-d", "0.3", "-c", "1",
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(
        run.stdout().contains("first fault:  fault -32601"),
        "{}",
        run.stdout()
    );
    assert!(
        run.stderr.starts_with(
            "xrpc: warning: every call answered with a fault (fault -32601: method not found: nosuch)"
        ),
        "{}",
        run.stderr
    );
    let run = xrpc(&["bench", &serve.url, "-d", "0.3", "-c", "1"]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(run.stderr, "", "no warning when calls succeed");
}

#[test]
fn download_refuses_a_missing_folder_unless_asked_to_make_it() {
    let serve = Serve::start("msg-download");
    let dir = temp_dir("download");
    std::fs::write(dir.join("a.bin"), b"some bytes").unwrap();
    let up = xrpc_in(&dir, &["upload", &serve.url, "a.bin"], "");
    assert_eq!(up.code, Some(0), "{up:?}");
    // Sizes in one unit family: binary, as the progress bar's.
    assert!(up.stdout().contains(" MiB/s)"), "{}", up.stdout());
    assert!(!up.stdout().contains("MB/s"), "{}", up.stdout());

    let target = dir.join("no/such/a.bin");
    let run = xrpc(&["download", &serve.url, "a.bin", target.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stderr,
        format!(
            "xrpc: the folder {} does not exist (create it, or add --parents)\n",
            dir.join("no/such").display()
        )
    );
    assert!(!dir.join("no").exists());
    let run = xrpc(&[
        "download",
        "--parents",
        &serve.url,
        "a.bin",
        target.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(std::fs::read(&target).unwrap(), b"some bytes");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn transfer_help_states_the_real_default_timeout() {
    for command in ["upload", "download"] {
        let help = xrpc(&[command, "--help"]).stdout();
        assert!(
            help.contains("Time allowed for the whole transfer")
                && help.contains("default: no limit"),
            "{command}: {help}"
        );
        assert!(!help.contains("default 60"), "{command}: {help}");
    }
    let help = xrpc(&["call", "--help"]).stdout();
    assert!(help.contains("default 60"), "{help}");
}

#[test]
fn uploads_and_downloads_resume() {
    let serve = Serve::start("msg-resume");
    let dir = temp_dir("resume");
    let data: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(dir.join("whole.bin"), &data).unwrap();
    std::fs::write(dir.join("part.bin"), &data[..1_000_000]).unwrap();
    let run = xrpc_in(&dir, &["upload", &serve.url, "part.bin", "r.bin"], "");
    assert_eq!(run.code, Some(0), "{run:?}");
    let run = xrpc_in(
        &dir,
        &["upload", "--resume", &serve.url, "whole.bin", "r.bin"],
        "",
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(std::fs::read(serve.root.join("r.bin")).unwrap() == data);

    std::fs::write(dir.join("down.bin"), &data[..1_234_567]).unwrap();
    let run = xrpc_in(
        &dir,
        &["download", "--resume", &serve.url, "r.bin", "down.bin"],
        "",
    );
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(std::fs::read(dir.join("down.bin")).unwrap() == data);

    // A local file that is not the start of the server's is refused, and left alone.
    std::fs::write(dir.join("other.bin"), b"not the same start").unwrap();
    let run = xrpc_in(
        &dir,
        &["upload", "--resume", &serve.url, "other.bin", "r.bin"],
        "",
    );
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr
            .contains("has 3000000 bytes, more than the 18 of other.bin"),
        "{}",
        run.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}
