//! One method set on three transports — HTTP over TCP, HTTP over a Unix socket, SCGI — and
//! a client for each, from the same URLs `xrpc call` takes.
//!
//! ```sh
//! cargo run -p xmlrpc-kit --example transports
//! ```

use xmlrpc_kit::server::Bind;
use xmlrpc_kit::{Client, Server};

fn methods() -> Server {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .with_introspection()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let servers = [
        methods().spawn("127.0.0.1:0")?,
        methods().spawn(Bind::unix(dir.path().join("http.sock")).mode(0o600))?,
        methods().spawn("scgi://127.0.0.1:0")?,
        methods().spawn(Bind::unix(dir.path().join("scgi.sock")).scgi())?,
    ];
    for server in &servers {
        let client = Client::new(&server.url())?;
        let sum: i32 = client.call("add", (8, 8))?;
        println!("{:<40} add(8, 8) = {sum}", server.url());
    }
    Ok(())
}
