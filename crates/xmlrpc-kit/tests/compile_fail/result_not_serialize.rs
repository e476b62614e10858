// A result type without `Serialize`.
use xmlrpc_kit::server::Server;

struct Report {
    lines: Vec<String>,
}

fn main() {
    let _server = Server::new().method("report", |n: usize| Report {
        lines: vec![String::new(); n],
    });
}
