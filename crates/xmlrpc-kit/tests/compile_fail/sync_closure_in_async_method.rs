// A closure that returns a value, not a future, registered with `async_method`.
use xmlrpc_kit::server::Server;

fn main() {
    let _server = Server::new().async_method("add", |x: i32, y: i32| x + y);
}
