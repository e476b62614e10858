// More arguments than a handler may take (16).
use xmlrpc_kit::server::Server;

#[rustfmt::skip]
fn main() {
    let _server = Server::new().method(
        "sum17",
        |a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32, h: i32, i: i32,
         j: i32, k: i32, l: i32, m: i32, n: i32, o: i32, p: i32, q: i32| {
            a + b + c + d + e + f + g + h + i + j + k + l + m + n + o + p + q
        },
    );
}
