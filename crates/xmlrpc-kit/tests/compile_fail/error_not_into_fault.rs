// A `Result` whose error cannot become a fault.
use xmlrpc_kit::server::Server;

#[derive(Debug)]
struct DbError;

fn load(id: i32) -> Result<String, DbError> {
    if id > 0 {
        Ok(format!("row {id}"))
    } else {
        Err(DbError)
    }
}

fn main() {
    let _server = Server::new().method("load", load);
}
