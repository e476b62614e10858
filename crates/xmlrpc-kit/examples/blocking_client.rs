//! A blocking client, as Python's `ServerProxy`: typed calls, a fault told apart from a
//! transport error, dynamic values, and a multicall. Start a server first
//! (`cargo run -p xmlrpc-kit --example server`), then
//! `cargo run -p xmlrpc-kit --example blocking_client [URL]`.

use xmlrpc_kit::client::Error;
use xmlrpc_kit::{Client, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8888".into());
    let client = Client::new(&url)?;

    let s: String = client.call("get_string", ("cloudox",))?;
    let n: i32 = client.call("add", (8, 8))?;
    println!("{s} {n}");

    match client.call::<i32, _>("no_such_method", ()) {
        Err(Error::Fault(fault)) => println!("fault {}: {}", fault.code, fault.string),
        Err(other) => return Err(other.into()),
        Ok(v) => println!("unexpected {v}"),
    }

    let v = client.call_value("add", &[Value::Int(1), Value::Int(2)])?;
    println!("dynamic: {v:?}");

    let mut batch = client.multicall();
    batch.add("add", (1, 2))?.add("get_string", ("x",))?;
    for result in batch.send()? {
        println!("multicall: {result:?}");
    }
    Ok(())
}
