// An async closure registered with `method` instead of `async_method`.
use xmlrpc_kit::server::Server;

fn main() {
    let _server = Server::new().method("later", |s: String| async move { s.len() });
}
