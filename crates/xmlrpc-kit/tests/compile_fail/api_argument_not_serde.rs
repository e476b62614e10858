// An API method whose argument type has no serde impls.
struct Point {
    x: i32,
}

#[xmlrpc_kit::api]
trait Geometry: Send + Sync + 'static {
    fn norm(&self, p: Point) -> i32;
}

fn main() {}
