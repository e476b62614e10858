//! HTTPS with Basic authentication and a per-method rule, and a client that trusts the
//! server's certificate and logs in. Needs a certificate and key (PEM):
//! `cargo run -p xmlrpc-kit --example tls_auth -- server.pem server.key ca.pem`
//! (for example made with `openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost
//! -addext subjectAltName=IP:127.0.0.1 -keyout server.key -out server.pem`, then pass
//! `server.pem` as the CA too).

use xmlrpc_kit::server::{BasicAuth, TlsConfig};
use xmlrpc_kit::{Client, Server};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(cert), Some(key), Some(ca)) = (args.next(), args.next(), args.next()) else {
        eprintln!("usage: tls_auth CERT.pem KEY.pem CA.pem");
        std::process::exit(2);
    };
    let users = BasicAuth::new().user("alice", &BasicAuth::hash_password("secret")?)?;
    let handle = Server::new()
        .method("whoami", || "someone")
        .method("shutdown", || true)
        .tls(TlsConfig::from_pem_files(&cert, &key)?)
        .basic_auth(users)
        // Anyone who logs in may call whoami; only root may call shutdown.
        .authorize(|user, method| method != "shutdown" || user == Some("root"))
        .spawn("127.0.0.1:0")?;

    let url = handle.url().replace("https://", "https://alice:secret@");
    let client = Client::builder(&url)
        .root_certificates_pem(&std::fs::read(ca)?)
        .build()?;
    println!("whoami: {}", client.call::<String, _>("whoami", ())?);
    match client.call::<bool, _>("shutdown", ()) {
        Err(refused) => println!("shutdown: {refused}"),
        Ok(_) => println!("shutdown: allowed (it should not be)"),
    }
    Ok(())
}
