// A blocking method that owns a value it cannot copy for each call.
use xmlrpc_kit::server::Server;

struct Journal {
    path: String,
}

impl Journal {
    fn append(&self, line: &str) -> String {
        format!("{}: {line}", self.path)
    }
}

fn main() {
    let journal = Journal {
        path: "/var/log/app.log".to_owned(),
    };
    let _server =
        Server::new().blocking_method("append", move |line: String| journal.append(&line));
}
