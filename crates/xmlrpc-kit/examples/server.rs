//! The seed's server in a few lines: methods by name, introspection, multicall, serve until
//! Ctrl-C. Run it with `cargo run -p xmlrpc-kit --example server`, then call it from any
//! XML-RPC client, for example `xrpc call http://127.0.0.1:8888 add 8 8` or Python's
//! `xmlrpc.client.ServerProxy("http://127.0.0.1:8888").add(8, 8)`.

use xmlrpc_kit::{Binary, Fault, Server};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8888".into());
    Server::new()
        .method("get_string", |s: String| format!("get string:{s}"))
        .method("add", |x: i32, y: i32| x + y)
        .help("Adds two integers.")
        .signature(["int", "int", "int"])
        .blocking_method("image_get", |path: String| -> Result<Binary, Fault> {
            Ok(Binary::from(std::fs::read(path)?))
        })
        .with_introspection()
        .with_multicall()
        .serve(addr.as_str())?;
    Ok(())
}
