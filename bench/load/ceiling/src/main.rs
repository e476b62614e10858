//! The ceiling of the load benchmark: hyper 1 on a multi-threaded tokio runtime, HTTP/1.1
//! keep-alive, TCP_NODELAY, reading each request body in full and answering with the same
//! fixed bytes. Everything an XML-RPC server over hyper must do, minus XML-RPC: no parsing,
//! no dispatch, no encoding. Our server's rate over this one's is the share XML-RPC costs.
//!
//! Usage: hyper-ceiling ADDRESS:PORT REPLY_FILE

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;

async fn answer(request: Request<Incoming>, reply: Bytes) -> Result<Response<Full<Bytes>>, Infallible> {
    // Read the whole call, as an XML-RPC server must before it can answer.
    let _ = request.into_body().collect().await;
    let mut response = Response::new(Full::new(reply));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, reply_file] = args.as_slice() else {
        return Err("usage: hyper-ceiling ADDRESS:PORT REPLY_FILE".into());
    };
    let reply = Bytes::from(std::fs::read(reply_file)?);
    let listener = tokio::net::TcpListener::bind(addr.as_str()).await?;
    eprintln!(
        "bare hyper ceiling listening on http://{}/RPC2 ({} byte reply)",
        listener.local_addr()?,
        reply.len()
    );
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let reply = reply.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| answer(request, reply.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
