//! The tests' own certificate authority, made with the openssl command: a CA and a
//! certificate for 127.0.0.1 that it signed, for the https tests, and client certificates
//! it signs, for the mutual-TLS tests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `openssl args…` in `dir`, insists that it succeeded, and returns its stdout
/// (`openssl passwd -6 …` prints a SHA-512-crypt hash, say).
///
/// ```no_run
/// let hash = test_support::tls::openssl(&std::env::temp_dir(), &["passwd", "-6", "secret"]);
/// assert!(hash.starts_with("$6$"));
/// ```
pub fn openssl(dir: &Path, args: &[&str]) -> String {
    let mut command = Command::new("openssl");
    command.args(args).current_dir(dir);
    crate::process::stdout_of(command)
}

/// The files [`make_ca`] writes.
#[derive(Debug, Clone)]
pub struct TestCa {
    /// The CA's certificate (`ca.pem`): the root a client trusts.
    pub ca: PathBuf,
    /// The CA's private key (`ca.key`): a key that is not the server certificate's.
    pub ca_key: PathBuf,
    /// The certificate for `IP:127.0.0.1` the CA signed (`server.pem`).
    pub cert: PathBuf,
    /// Its private key (`server.key`).
    pub key: PathBuf,
}

/// Makes, in `dir` (created if missing), a CA (`ca.pem`, `ca.key`) and a certificate for
/// 127.0.0.1 it signed (`server.pem`, `server.key`), valid for two days.
///
/// ```no_run
/// let dir = test_support::temp_dir("tls-doc");
/// let ca = test_support::tls::make_ca(dir.path());
/// assert!(ca.cert.exists() && ca.key.exists() && ca.ca.exists());
/// ```
pub fn make_ca(dir: &Path) -> TestCa {
    std::fs::create_dir_all(dir).expect("the certificates' folder");
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    )
    .expect("ext.cnf");
    for args in [
        "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=xmlrpc-kit-test-CA",
        "req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1",
        "x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf",
    ] {
        openssl(dir, &args.split(' ').collect::<Vec<_>>());
    }
    TestCa {
        ca: dir.join("ca.pem"),
        ca_key: dir.join("ca.key"),
        cert: dir.join("server.pem"),
        key: dir.join("server.key"),
    }
}

/// A client certificate [`client_cert`] made: the certificate and its key (PEM files).
#[derive(Debug, Clone)]
pub struct ClientCert {
    /// The certificate (`NAME.pem`), signed by the CA, for TLS client authentication.
    pub cert: PathBuf,
    /// Its private key (`NAME.key`).
    pub key: PathBuf,
}

/// Makes, in the CA's folder, a client certificate with subject `/CN=name/O=xmlrpc-kit
/// tests`, signed by `ca` (extended key usage `clientAuth`), valid for two days.
///
/// ```no_run
/// let dir = test_support::temp_dir("client-cert-doc");
/// let ca = test_support::tls::make_ca(dir.path());
/// let alice = test_support::tls::client_cert(&ca, "alice");
/// assert!(alice.cert.exists() && alice.key.exists());
/// ```
pub fn client_cert(ca: &TestCa, name: &str) -> ClientCert {
    let dir = ca.ca.parent().expect("the CA's folder");
    std::fs::write(
        dir.join("client-ext.cnf"),
        "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\nkeyUsage=digitalSignature\n",
    )
    .expect("client-ext.cnf");
    let subject = format!("/CN={name}/O=xmlrpc-kit tests");
    let (key, csr, cert) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.pem"),
    );
    openssl(
        dir,
        &[
            "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
            &subject,
        ],
    );
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &cert,
            "-days",
            "2",
            "-extfile",
            "client-ext.cnf",
        ],
    );
    ClientCert {
        cert: dir.join(cert),
        key: dir.join(key),
    }
}
