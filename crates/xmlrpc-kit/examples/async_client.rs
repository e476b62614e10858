//! An async client in tokio code: many calls in flight on one pooled client. Start a server
//! first (`cargo run -p xmlrpc-kit --example server`), then
//! `cargo run -p xmlrpc-kit --example async_client [URL]`.

use xmlrpc_kit::AsyncClient;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8888".into());
    let client = AsyncClient::new(&url)?;
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..10 {
        let client = client.clone();
        calls.spawn(async move { client.call::<i32, _>("add", (i, i)).await });
    }
    let mut sums = Vec::new();
    while let Some(joined) = calls.join_next().await {
        sums.push(joined??);
    }
    sums.sort_unstable();
    println!("{sums:?}");
    Ok(())
}
