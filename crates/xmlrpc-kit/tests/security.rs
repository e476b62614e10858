//! TLS and authentication on the server: our client and Python's `ServerProxy` over https
//! with the test's own CA (made with openssl), HTTP Basic authentication against argon2 and
//! SHA-crypt hashes (401 with `WWW-Authenticate` before the body is read), credentials in
//! `http://user:pass@host/` URLs, and the per-method authorisation hook, multicall included.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{call_xml, python, Conn};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use xmlrpc_kit::client::{Client, Error};
use xmlrpc_kit::codec;
use xmlrpc_kit::server::{BasicAuth, Server, ServerConfig, ServerHandle, TlsConfig};
use xmlrpc_kit::{Fault, Value};

/// A temporary folder, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("xmlrpc-security-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl must be installed");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A CA (ca.pem) and a certificate for 127.0.0.1 it signed (server.pem, server.key).
fn test_certificates(dir: &Path) {
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=xmlrpc-kit test CA",
        ],
    );
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
}

fn methods() -> Server {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("admin.reset", || "reset")
        .with_multicall()
        .with_introspection()
}

/// alice's hash is argon2id (made by the library), bob's SHA-512-crypt (made by openssl).
fn users(dir: &Path) -> BasicAuth {
    let bob = openssl(dir, &["passwd", "-6", "bob's secret"]);
    let file = dir.join("users");
    std::fs::write(
        &file,
        format!(
            "# test users\nalice:{}\nbob:{}\n",
            BasicAuth::hash_password("alice's secret").unwrap(),
            bob.trim()
        ),
    )
    .unwrap();
    BasicAuth::from_file(&file).unwrap().realm("tests")
}

fn result<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Fault> {
    codec::decode_response::<T>(body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}

fn basic(user: &str, password: &str) -> String {
    // base64 by hand, so the test does not trust the code under test to encode it.
    let raw = format!("{user}:{password}");
    let out = python(
        "import base64,sys; print(base64.b64encode(sys.argv[1].encode()).decode())",
        &[&raw],
    );
    format!("Basic {}", out.trim())
}

fn authed_post(server: &ServerHandle, auth: Option<&str>, body: &[u8]) -> common::Response {
    let mut headers = vec![("Content-Type", "text/xml")];
    if let Some(auth) = auth {
        headers.push(("Authorization", auth));
    }
    Conn::open(server.local_addr()).request("POST", "/RPC2", &headers, body)
}

#[test]
fn tls_with_our_client_and_python_and_the_tests_own_ca() {
    let dir = TempDir::new("tls");
    test_certificates(&dir.0);
    let tls =
        TlsConfig::from_pem_files(dir.0.join("server.pem"), dir.0.join("server.key")).unwrap();
    let server = methods()
        .config(ServerConfig::default().header_read_timeout(Duration::from_secs(1)))
        .tls(tls)
        .spawn("127.0.0.1:0")
        .unwrap();
    let url = server.url();
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    let ca = std::fs::read(dir.0.join("ca.pem")).unwrap();
    let client = Client::builder(&url)
        .root_certificates_pem(&ca)
        .build()
        .unwrap();
    assert_eq!(client.call::<i32, _>("add", (8, 8)).unwrap(), 16);
    // Without the CA the server's certificate is not trusted.
    let err = Client::new(&url)
        .unwrap()
        .call::<i32, _>("add", (1, 1))
        .unwrap_err();
    assert!(err.chain().to_lowercase().contains("certificate"), "{err}");

    let script = r#"
import ssl, sys, xmlrpc.client
context = ssl.create_default_context(cafile=sys.argv[2])
proxy = xmlrpc.client.ServerProxy(sys.argv[1], context=context)
print(proxy.add(20, 22), proxy.system.listMethods()[0])
try:
    xmlrpc.client.ServerProxy(sys.argv[1]).add(1, 1)
    print("untrusted accepted")
except ssl.SSLError as e:
    print("refused", type(e).__name__)
"#;
    let out = python(script, &[&url, dir.0.join("ca.pem").to_str().unwrap()]);
    assert!(out.starts_with("42 add\n"), "{out}");
    assert!(out.contains("refused SSLCertVerificationError"), "{out}");

    // Plain HTTP on the TLS port is no request: the connection just ends.
    let mut plain = TcpStream::connect(server.local_addr()).unwrap();
    plain
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    plain
        .write_all(&call_xml("add", &["<int>1</int>", "<int>1</int>"]))
        .unwrap();
    let mut buf = Vec::new();
    let _ = plain.read_to_end(&mut buf);
    assert!(!String::from_utf8_lossy(&buf).contains("methodResponse"));

    // A client that opens a connection and never says hello is dropped at the header
    // timeout, and holds up no one meanwhile.
    let stalled: Vec<TcpStream> = (0..50)
        .map(|_| TcpStream::connect(server.local_addr()).unwrap())
        .collect();
    let started = Instant::now();
    assert_eq!(client.call::<i32, _>("add", (2, 3)).unwrap(), 5);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    std::thread::sleep(Duration::from_millis(1500));
    for mut s in stalled {
        s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let mut byte = [0u8; 1];
        assert!(
            matches!(s.read(&mut byte), Ok(0) | Err(_)),
            "a stalled handshake lives on"
        );
    }
    assert_eq!(client.call::<i32, _>("add", (3, 3)).unwrap(), 6);
}

#[test]
fn tls_config_errors_say_what_is_wrong() {
    let dir = TempDir::new("tls-errors");
    test_certificates(&dir.0);
    let cert = std::fs::read(dir.0.join("server.pem")).unwrap();
    let key = std::fs::read(dir.0.join("server.key")).unwrap();
    let ca_key = std::fs::read(dir.0.join("ca.key")).unwrap();
    assert!(TlsConfig::from_pem(&cert, &key).is_ok());
    let err = TlsConfig::from_pem(&key, &key).unwrap_err();
    assert!(err.to_string().contains("no certificate"), "{err}");
    let err = TlsConfig::from_pem(&cert, &cert).unwrap_err();
    assert!(err.to_string().contains("no private key"), "{err}");
    // A key that is not the certificate's.
    let err = TlsConfig::from_pem(&cert, &ca_key).unwrap_err();
    assert!(err.to_string().contains("cannot use"), "{err}");
    let err =
        TlsConfig::from_pem_files(dir.0.join("missing.pem"), dir.0.join("server.key")).unwrap_err();
    assert!(err.to_string().contains("missing.pem"), "{err}");
}

#[test]
fn basic_auth_refuses_with_401_before_reading_and_admits_with_hashed_passwords() {
    let dir = TempDir::new("auth");
    let server = methods()
        .basic_auth(users(&dir.0))
        .spawn("127.0.0.1:0")
        .unwrap();
    let add = call_xml("add", &["<int>2</int>", "<int>3</int>"]);

    let r = authed_post(&server, None, &add);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("www-authenticate"),
        Some("Basic realm=\"tests\", charset=\"UTF-8\"")
    );
    for (user, password) in [
        ("alice", "wrong"),
        ("alice", "bob's secret"),
        ("bob", "alice's secret"),
        ("mallory", "alice's secret"),
        ("", ""),
    ] {
        let r = authed_post(&server, Some(&basic(user, password)), &add);
        assert_eq!(r.status, 401, "{user}:{password}");
    }
    for bad in ["Bearer abc", "Basic", "Basic !!!!", "Basic YWxpY2U="] {
        assert_eq!(authed_post(&server, Some(bad), &add).status, 401, "{bad}");
    }
    // The documentation page is behind the same door.
    let r = Conn::open(server.local_addr()).request("GET", "/RPC2", &[], b"");
    assert_eq!(r.status, 401);

    // Refused before the body is read: a huge declared body that never comes.
    let started = Instant::now();
    let mut conn = Conn::open(server.local_addr());
    conn.raw()
        .write_all(b"POST /RPC2 HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000\r\n\r\n")
        .unwrap();
    assert_eq!(conn.read_response().status, 401);
    assert!(started.elapsed() < Duration::from_secs(1));

    for (user, password) in [("alice", "alice's secret"), ("bob", "bob's secret")] {
        let auth = basic(user, password);
        // The first check runs the slow hash; the next ones hit the cache.
        for _ in 0..3 {
            let r = authed_post(&server, Some(&auth), &add);
            assert_eq!(r.status, 200, "{user}: {}", r.text());
            assert_eq!(result::<i32>(&r.body), Ok(5));
        }
        let started = Instant::now();
        let mut conn = Conn::open(server.local_addr());
        for _ in 0..100 {
            let r = conn.request("POST", "/RPC2", &[("Authorization", &auth)], &add);
            assert_eq!(r.status, 200);
        }
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "100 cached checks took {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn credentials_in_the_url_with_python_and_our_client() {
    let dir = TempDir::new("auth-url");
    let server = methods()
        .basic_auth(users(&dir.0))
        .spawn("127.0.0.1:0")
        .unwrap();
    let port = server.local_addr().port();

    let script = r#"
import sys, xmlrpc.client
good = xmlrpc.client.ServerProxy(sys.argv[1])
print(good.add(40, 2))
try:
    xmlrpc.client.ServerProxy(sys.argv[2]).add(1, 1)
    print("wrong password accepted")
except xmlrpc.client.ProtocolError as e:
    print("refused", e.errcode)
try:
    xmlrpc.client.ServerProxy(sys.argv[3]).add(1, 1)
    print("no password accepted")
except xmlrpc.client.ProtocolError as e:
    print("refused", e.errcode, {k.lower(): v for k, v in e.headers.items()}.get("www-authenticate"))
"#;
    let out = python(
        script,
        &[
            // Python percent-decodes user and password: ' and space are fine either way.
            &format!("http://alice:alice%27s%20secret@127.0.0.1:{port}/RPC2"),
            &format!("http://alice:nope@127.0.0.1:{port}/RPC2"),
            &format!("http://127.0.0.1:{port}/RPC2"),
        ],
    );
    assert_eq!(
        out,
        "42\nrefused 401\nrefused 401 Basic realm=\"tests\", charset=\"UTF-8\"\n"
    );

    let good = Client::new(&format!("http://bob:bob%27s%20secret@127.0.0.1:{port}/")).unwrap();
    assert_eq!(good.call::<i32, _>("add", (4, 4)).unwrap(), 8);
    let err = Client::new(&format!("http://bob:nope@127.0.0.1:{port}/"))
        .unwrap()
        .call::<i32, _>("add", (4, 4))
        .unwrap_err();
    assert!(matches!(err, Error::Status { status: 401, .. }), "{err:?}");
}

#[test]
fn tls_and_basic_auth_together_with_python() {
    let dir = TempDir::new("tls-auth");
    test_certificates(&dir.0);
    let tls =
        TlsConfig::from_pem_files(dir.0.join("server.pem"), dir.0.join("server.key")).unwrap();
    let server = methods()
        .basic_auth(users(&dir.0))
        .tls(tls)
        .spawn("127.0.0.1:0")
        .unwrap();
    let port = server.local_addr().port();
    let script = r#"
import ssl, sys, xmlrpc.client
context = ssl.create_default_context(cafile=sys.argv[2])
print(xmlrpc.client.ServerProxy(sys.argv[1], context=context).add(1, 2))
"#;
    let out = python(
        script,
        &[
            &format!("https://bob:bob%27s%20secret@127.0.0.1:{port}/RPC2"),
            dir.0.join("ca.pem").to_str().unwrap(),
        ],
    );
    assert_eq!(out, "3\n");
}

#[test]
fn the_authorisation_hook_decides_per_user_and_method_in_multicall_too() {
    let dir = TempDir::new("authorize");
    let server = methods()
        .basic_auth(users(&dir.0))
        .authorize(|user, method| !method.starts_with("admin.") || user == Some("bob"))
        .spawn("127.0.0.1:0")
        .unwrap();
    let alice = basic("alice", "alice's secret");
    let bob = basic("bob", "bob's secret");
    let reset = call_xml("admin.reset", &[]);

    let r = authed_post(&server, Some(&alice), &reset);
    assert_eq!(r.status, 200);
    let fault = result::<String>(&r.body).unwrap_err();
    assert_eq!(fault.code, xmlrpc_kit::server::NOT_AUTHORIZED);
    assert_eq!(fault.string, "not authorised to call admin.reset");
    let r = authed_post(&server, Some(&bob), &reset);
    assert_eq!(result::<String>(&r.body), Ok("reset".to_owned()));

    // Inside a multicall each call is checked on its own.
    let entry = |name: &str| {
        format!("<value><struct><member><name>methodName</name><value>{name}</value></member><member><name>params</name><value><array><data/></array></value></member></struct></value>")
    };
    let multicall = call_xml(
        "system.multicall",
        &[&format!(
            "<array><data>{}{}</data></array>",
            entry("admin.reset"),
            entry("system.listMethods")
        )],
    );
    let r = authed_post(&server, Some(&alice), &multicall);
    let answers = result::<Vec<Value>>(&r.body).unwrap();
    let Value::Struct(refused) = &answers[0] else {
        panic!("{answers:?}");
    };
    assert_eq!(
        refused.get("faultCode"),
        Some(&Value::Int(xmlrpc_kit::server::NOT_AUTHORIZED))
    );
    assert!(matches!(&answers[1], Value::Array(_)), "{answers:?}");
    let r = authed_post(&server, Some(&bob), &multicall);
    let answers = result::<Vec<Value>>(&r.body).unwrap();
    assert_eq!(answers[0], Value::Array(vec![Value::from("reset")]));

    // Without authentication the hook sees no user.
    let open = methods()
        .authorize(|user, method| user.is_none() && method != "admin.reset")
        .spawn("127.0.0.1:0")
        .unwrap();
    let r = Conn::open(open.local_addr()).post(&reset);
    assert_eq!(result::<String>(&r.body).unwrap_err().code, -32001);
    let r = Conn::open(open.local_addr()).post(&call_xml("add", &["<int>1</int>", "<int>2</int>"]));
    assert_eq!(result::<i32>(&r.body), Ok(3));
}
