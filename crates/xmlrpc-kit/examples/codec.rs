//! The codec alone, with no server, client or runtime: read a call as values or as Rust
//! types, write a response. Builds with `--no-default-features`:
//! `cargo run -p xmlrpc-kit --no-default-features --example codec`.

use serde::{Deserialize, Serialize};
use xmlrpc_kit::{codec, Value};

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

fn main() -> Result<(), xmlrpc_kit::Error> {
    let call = codec::call_to_vec("move", &(Point { x: 1, y: 2 }, 3))?;
    println!("{}", String::from_utf8_lossy(&call));

    let dynamic = codec::read_call(&call)?;
    println!("{} {:?}", dynamic.method_name, dynamic.params);
    assert_eq!(dynamic.params[1], Value::Int(3));

    let (method, (point, by)): (String, (Point, i32)) = codec::decode_call(&call)?;
    assert_eq!((method.as_str(), point.x + by), ("move", 4));

    let reply = codec::response_to_vec(&Point { x: 4, y: 2 })?;
    let back: Result<Point, xmlrpc_kit::Fault> = codec::decode_response(&reply)?;
    println!("{back:?}");
    Ok(())
}
