//! Mounting the XML-RPC endpoint inside an axum application, beside ordinary routes: the
//! server as a tower `Service`. `cargo run -p xmlrpc-kit --example axum`, then
//! `xrpc call http://127.0.0.1:3000/RPC2 add 8 8` and `curl http://127.0.0.1:3000/health`.

use xmlrpc_kit::Server;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rpc = Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .with_introspection()
        .into_service()?;
    let app = axum::Router::new()
        .route("/health", axum::routing::get(|| async { "ok" }))
        .route_service("/RPC2", rpc);
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}/RPC2", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
