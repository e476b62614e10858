// An API method that mutates its receiver.
#[xmlrpc_kit::api]
trait Counter: Send + Sync + 'static {
    fn bump(&mut self) -> u32;
}

fn main() {}
