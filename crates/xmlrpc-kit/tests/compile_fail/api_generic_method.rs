// A generic API method.
#[xmlrpc_kit::api]
trait Store: Send + Sync + 'static {
    fn put<T: serde::Serialize>(&self, value: T) -> bool;
}

fn main() {}
