//! Mutual TLS, both sides: our client presenting a certificate (and not) to Python's `ssl`
//! server that requires one, and our server requiring certificates from a CA
//! (`TlsConfig::client_ca`), called by Python's client and ours with and without one, the
//! certificate's subject reaching the `authorize_call` hook.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use test_support::process::python;
use test_support::tls::{client_cert, make_ca, ClientCert, TestCa};
use xmlrpc_kit::server::{Server, TlsConfig};
use xmlrpc_kit::{Client, Fault};

/// Our client for `url`, trusting `ca`, presenting `identity` when given.
fn client(url: &str, ca: &TestCa, identity: Option<&ClientCert>) -> Client {
    let mut builder = Client::builder(url).root_certificates_pem(&std::fs::read(&ca.ca).unwrap());
    if let Some(cert) = identity {
        builder = builder.identity(
            &std::fs::read(&cert.cert).unwrap(),
            &std::fs::read(&cert.key).unwrap(),
        );
    }
    builder.build().unwrap()
}

/// Asserts that a call failed at the TLS handshake.
fn assert_handshake_refused(err: xmlrpc_kit::client::Error) {
    assert!(
        matches!(err, xmlrpc_kit::client::Error::Connect { .. }),
        "{err:?}"
    );
}

#[test]
fn our_client_presents_its_certificate_to_a_python_server_that_requires_one() {
    let dir = test_support::temp_dir("mtls-python-server");
    let ca = make_ca(dir.path());
    let alice = client_cert(&ca, "alice");
    // The server answers with the subject of the certificate the client presented.
    let script = r#"
import ssl, sys
from xmlrpc.server import SimpleXMLRPCServer, SimpleXMLRPCRequestHandler
ca, cert, key = sys.argv[1:4]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
context.load_verify_locations(ca)
context.verify_mode = ssl.CERT_REQUIRED
class Handler(SimpleXMLRPCRequestHandler):
    def _dispatch(self, method, params):
        subject = dict(x[0] for x in self.request.getpeercert()["subject"])
        return "%s: %s" % (method, subject["commonName"])
server = SimpleXMLRPCServer(("127.0.0.1", 0), requestHandler=Handler, logRequests=False)
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;
    let peer = test_support::peer::PeerServer::python(
        script,
        &[
            ca.ca.to_str().unwrap(),
            ca.cert.to_str().unwrap(),
            ca.key.to_str().unwrap(),
        ],
    )
    .unwrap();
    let url = format!("https://127.0.0.1:{}/RPC2", peer.port());
    let alices = client(&url, &ca, Some(&alice));
    assert_eq!(alices.call::<String, _>("who", ()).unwrap(), "who: alice");
    // Without a certificate the handshake fails.
    assert_handshake_refused(
        client(&url, &ca, None)
            .call::<String, _>("who", ())
            .unwrap_err(),
    );
    // A key that is not the certificate's is refused when building.
    let err = Client::builder(&url)
        .identity(
            &std::fs::read(&alice.cert).unwrap(),
            &std::fs::read(&ca.key).unwrap(),
        )
        .build()
        .unwrap_err();
    assert!(
        matches!(err, xmlrpc_kit::client::Error::Identity { .. }),
        "{err:?}"
    );
}

#[test]
fn our_server_requires_certificates_from_its_ca_and_authorizes_by_subject() {
    let dir = test_support::temp_dir("mtls-our-server");
    let ca = make_ca(dir.path());
    let alice = client_cert(&ca, "alice");
    let bob = client_cert(&ca, "bob");
    // A certificate from another CA, with the same subject as alice's.
    let other = make_ca(&dir.path().join("other"));
    let mallory = client_cert(&other, "alice");

    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = Arc::clone(&seen);
    let tls = TlsConfig::from_pem_files(&ca.cert, &ca.key)
        .unwrap()
        .client_ca(&std::fs::read(&ca.ca).unwrap())
        .unwrap();
    let server = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .authorize_call(move |caller| {
            let subject = caller.certificate_subject().unwrap_or("-").to_owned();
            let allowed = subject.starts_with("CN=alice");
            log.lock().unwrap().push(subject);
            allowed
        })
        .tls(tls)
        .spawn("127.0.0.1:0")
        .unwrap();
    let url = server.url();

    let script = r#"
import ssl, sys, xmlrpc.client
url, ca = sys.argv[1:3]
for name, cert, key in zip(sys.argv[3::3], sys.argv[4::3], sys.argv[5::3]):
    context = ssl.create_default_context(cafile=ca)
    if cert != "-":
        context.load_cert_chain(cert, key)
    try:
        print(name, xmlrpc.client.ServerProxy(url, context=context).add(20, 22))
    except xmlrpc.client.Fault as f:
        print(name, "fault", f.faultCode)
    except (ssl.SSLError, ConnectionError, OSError) as e:
        print(name, "refused", type(e).__name__)
"#;
    let arg = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let out = python(
        script,
        &[
            &url,
            &arg(&ca.ca),
            "alice",
            &arg(&alice.cert),
            &arg(&alice.key),
            "bob",
            &arg(&bob.cert),
            &arg(&bob.key),
            "nobody",
            "-",
            "-",
            "mallory",
            &arg(&mallory.cert),
            &arg(&mallory.key),
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "alice 42", "{out}");
    assert_eq!(
        lines[1],
        format!("bob fault {}", Fault::NOT_AUTHORIZED),
        "{out}"
    );
    assert!(lines[2].starts_with("nobody refused"), "{out}");
    assert!(lines[3].starts_with("mallory refused"), "{out}");
    assert_eq!(
        *seen.lock().unwrap(),
        ["CN=alice, O=xmlrpc-kit tests", "CN=bob, O=xmlrpc-kit tests"],
        "the hook saw each presented subject, and no call without a certificate"
    );

    // Our own client, with and without its certificate.
    let alices = client(&url, &ca, Some(&alice));
    assert_eq!(alices.call::<i32, _>("add", (1, 2)).unwrap(), 3);
    assert_handshake_refused(
        client(&url, &ca, None)
            .call::<i32, _>("add", (1, 2))
            .unwrap_err(),
    );
}

#[test]
fn a_client_ca_without_certificates_is_refused() {
    let dir = test_support::temp_dir("mtls-bad-ca");
    let ca = make_ca(dir.path());
    let tls = TlsConfig::from_pem_files(&ca.cert, &ca.key).unwrap();
    let err = tls.client_ca(b"no PEM here").unwrap_err();
    assert!(err.to_string().contains("client CA"), "{err}");
}
