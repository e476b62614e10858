//! `xrpc serve --tls-cert --tls-key --auth-file`: Python's `ServerProxy` over https with the
//! test's own CA and `user:password@` in the URL; bad files stop the server before it listens.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::OsStr;
use std::process::{Command, Stdio};
use test_support::process::python_in;
use test_support::tls::{make_ca, openssl};
use test_support::xrpc::Serve;
use test_support::TempDir;

/// A CA and a certificate for 127.0.0.1 it signed, and a user file with alice's hash.
fn setup(name: &str) -> TempDir {
    let dir = test_support::temp_dir(&format!("xrpc-secure-{name}"));
    make_ca(dir.path());
    let hash = openssl(dir.path(), &["passwd", "-6", "s3cret"]);
    std::fs::write(dir.path().join("users"), format!("alice:{}", hash.trim())).unwrap();
    dir
}

#[test]
fn serve_over_https_with_basic_auth_for_python() {
    let dir = setup("ok");
    let d = dir.path();
    let (cert, key, users) = (d.join("server.pem"), d.join("server.key"), d.join("users"));
    let serve = Serve::start_in(
        env!("CARGO_BIN_EXE_xrpc"),
        &d.join("files"),
        [
            OsStr::new("--tls-cert"),
            cert.as_os_str(),
            OsStr::new("--tls-key"),
            key.as_os_str(),
            OsStr::new("--auth-file"),
            users.as_os_str(),
        ],
    );
    assert!(serve.url.starts_with("https://127.0.0.1:"), "{}", serve.url);
    let port = serve.port().to_string();

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
    let out = python_in(script, &[d.join("ca.pem").to_str().unwrap(), &port], d);
    assert_eq!(out, "get string:cloudox\n401\n401\n");
    drop(serve);
}

#[test]
fn bad_tls_or_auth_files_stop_serve_with_a_message() {
    let dir = setup("bad");
    let d = dir.path();
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
