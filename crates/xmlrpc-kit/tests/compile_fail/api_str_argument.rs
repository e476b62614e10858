// An API method that borrows its argument.
#[xmlrpc_kit::api]
trait Text: Send + Sync + 'static {
    fn upper(&self, s: &str) -> String;
}

fn main() {}
