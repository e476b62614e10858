// An async method whose future holds a `std::sync::MutexGuard` across an `.await`, so it
// cannot move between the server's threads.
use std::sync::Mutex;
use xmlrpc_kit::server::Server;

static COUNTER: Mutex<u64> = Mutex::new(0);

fn main() {
    let _server = Server::new().async_method("bump", |by: u64| async move {
        let mut counter = COUNTER.lock().unwrap_or_else(|e| e.into_inner());
        std::future::ready(()).await;
        *counter += by;
        *counter
    });
}
