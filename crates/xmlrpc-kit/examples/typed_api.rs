//! A typed API: one trait gives the server's methods (with signatures and help), an async
//! and a blocking client. The program of issue 16, as it stands.
//!
//! Run with `cargo run -p xmlrpc-kit --example typed_api`.

use xmlrpc_kit::{AsyncClient, Client, Fault, Server};

/// A calculator.
#[xmlrpc_kit::api(namespace = "math")]
pub trait Calc: Send + Sync + 'static {
    /// Adds two integers.
    fn add(&self, x: i32, y: i32) -> i32;
    /// Divides x by y; faults when y is zero.
    fn div(&self, x: f64, y: f64) -> Result<f64, Fault>;
    /// Answers after `ms` milliseconds.
    async fn later(&self, ms: u64) -> String;
}

struct Calculator;

impl Calc for Calculator {
    fn add(&self, x: i32, y: i32) -> i32 {
        x + y
    }
    fn div(&self, x: f64, y: f64) -> Result<f64, Fault> {
        if y == 0.0 {
            Err(Fault::new(1, "division by zero"))
        } else {
            Ok(x / y)
        }
    }
    async fn later(&self, ms: u64) -> String {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        format!("after {ms} ms")
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // math.add, math.div, math.later, with signatures and help from the doc comments
    let handle = Server::new()
        .mount(Calculator.into_api())
        .with_introspection()
        .spawn("127.0.0.1:0")?;
    let url = handle.url();

    let calc = CalcBlockingClient::new(Client::new(&url)?);
    assert_eq!(calc.add(8, 8)?, 16);
    assert!(calc.div(1.0, 0.0).is_err());

    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let calc = CalcClient::new(AsyncClient::new(&url)?);
        assert_eq!(calc.later(10).await?, "after 10 ms");
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}
