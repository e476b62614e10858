// An argument type without `Deserialize`.
use xmlrpc_kit::server::Server;

struct Point {
    x: i32,
    y: i32,
}

fn main() {
    let _server = Server::new().method("norm", |p: Point| p.x.abs() + p.y.abs());
}
