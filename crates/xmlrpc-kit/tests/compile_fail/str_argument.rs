// A borrowed argument: arguments are decoded from the request and owned by the handler.
use xmlrpc_kit::server::Server;

fn main() {
    let _server = Server::new().method("length", |s: &str| s.len());
}
