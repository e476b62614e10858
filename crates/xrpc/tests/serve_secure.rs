//! `xrpc serve --tls-cert --tls-key --auth-file`: Python's `ServerProxy` over https with the
//! test's own CA and `user:password@` in the URL; bad files stop the server before it listens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(program: &str, args: &[&str], cwd: &Path) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A CA and a certificate for 127.0.0.1 it signed, and a user file with alice's hash.
fn setup(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("xrpc-secure-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    for args in [
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=test-CA",
        "req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf",
    ] {
        run("openssl", &args.split(' ').collect::<Vec<_>>(), &dir);
    }
    let hash = run("openssl", &["passwd", "-6", "s3cret"], &dir);
    std::fs::write(dir.join("users"), format!("alice:{}", hash.trim())).unwrap();
    TempDir(dir)
}

/// A running `xrpc serve`, stopped when dropped.
struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-INT")
            .arg(self.0.id().to_string())
            .status();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.0.kill();
    }
}

#[test]
fn serve_over_https_with_basic_auth_for_python() {
    let dir = setup("ok");
    let d = &dir.0;
    let mut child = Command::new(env!("CARGO_BIN_EXE_xrpc"))
        .args(["serve", "--bind", "127.0.0.1:0", "--root"])
        .arg(d.join("files"))
        .arg("--tls-cert")
        .arg(d.join("server.pem"))
        .arg("--tls-key")
        .arg(d.join("server.key"))
        .arg("--auth-file")
        .arg(d.join("users"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let serve = Serve(child);
    let mut port = None;
    for _ in 0..50 {
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break;
        }
        if let Some(at) = line.find("https://127.0.0.1:") {
            let rest = &line[at + "https://127.0.0.1:".len()..];
            port = rest.split('/').next().map(str::to_owned);
            break;
        }
    }
    std::thread::spawn(move || for _ in stderr.lines() {});
    let port = port.expect("xrpc serve did not print an https:// address");

    let script = r#"
import ssl, sys, xmlrpc.client
context = ssl.create_default_context(cafile=sys.argv[1])
good = xmlrpc.client.ServerProxy("https://alice:s3cret@127.0.0.1:%s/RPC2" % sys.argv[2], context=context)
print(good.get_string("cloudox"))
for url in ("https://alice:wrong@127.0.0.1:%s/RPC2", "https://127.0.0.1:%s/RPC2"):
    try:
        xmlrpc.client.ServerProxy(url % sys.argv[2], context=context).add(1, 2)
        print("accepted")
    except xmlrpc.client.ProtocolError as e:
        print(e.errcode)
"#;
    let out = run(
        "python3",
        &["-c", script, d.join("ca.pem").to_str().unwrap(), &port],
        d,
    );
    assert_eq!(out, "get string:cloudox\n401\n401\n");
    drop(serve);
}

#[test]
fn bad_tls_or_auth_files_stop_serve_with_a_message() {
    let dir = setup("bad");
    let d = &dir.0;
    std::fs::write(d.join("plain-users"), "alice:s3cret\n").unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["--auth-file", "plain-users"], "plain-users"),
        (&["--auth-file", "missing"], "missing"),
        (
            &["--tls-cert", "ca.key", "--tls-key", "server.key"],
            "no certificate",
        ),
    ];
    for (args, expected) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_xrpc"))
            .args(["serve", "--bind", "127.0.0.1:0", "--root", "files"])
            .args(args)
            .current_dir(d)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("listening"), "{args:?}: {stderr}");
    }
    // --tls-cert without --tls-key is a usage error.
    let out = Command::new(env!("CARGO_BIN_EXE_xrpc"))
        .args(["serve", "--tls-cert", "server.pem"])
        .current_dir(d)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
