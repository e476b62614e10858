//! The crate's quick start as one program that runs by itself: a server with a serde
//! struct argument, an async handler and a fault, called by the blocking and the async
//! client. Written from the rustdoc front page alone; CI builds and runs it
//! (`cargo run -p xmlrpc-kit --example quickstart`).

use serde::{Deserialize, Serialize};
use xmlrpc_kit::client::Error;
use xmlrpc_kit::{AsyncClient, Client, Fault, Server};

#[derive(Debug, Serialize, Deserialize)]
struct Point {
    x: f64,
    y: f64,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let handle = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("norm", |p: Point| (p.x * p.x + p.y * p.y).sqrt())
        .method("div", |x: f64, y: f64| {
            if y == 0.0 {
                Err(Fault::new(1, "division by zero"))
            } else {
                Ok(x / y)
            }
        })
        .async_method("later", |ms: u64| async move {
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            format!("after {ms} ms")
        })
        .with_introspection()
        .spawn("127.0.0.1:0")?;
    let url = handle.url();

    // Blocking.
    let client = Client::new(&url)?;
    assert_eq!(client.call::<i32, _>("add", (8, 8))?, 16);
    assert_eq!(
        client.call::<f64, _>("norm", (Point { x: 3.0, y: 4.0 },))?,
        5.0
    );
    match client.call::<f64, _>("div", (1.0, 0.0)) {
        Err(Error::Fault(fault)) => {
            assert_eq!((fault.code, fault.string.as_str()), (1, "division by zero"))
        }
        other => return Err(format!("expected a fault, got {other:?}").into()),
    }

    // Async.
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let client = AsyncClient::new(&url)?;
        let answer: String = client.call("later", (10,)).await?;
        assert_eq!(answer, "after 10 ms");
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;

    println!("quickstart: all calls answered as expected by {url}");
    handle.shutdown()?;
    Ok(())
}
