//! The client: [`Client`] for ordinary code (blocking, like Python's `ServerProxy`) and
//! [`AsyncClient`] for tokio code, with the same API and the same [`ClientBuilder`]
//! settings, over one pooled keep-alive HTTP/1.1 client (TLS by rustls). Calls take typed
//! parameters and give a typed result; a fault is [`Error::Fault`], kept apart from
//! transport errors. [`Multicall`] and [`AsyncMulticall`] batch many calls into one request.
//!
//! ```no_run
//! use xmlrpc_kit::Client;
//!
//! let client = Client::new("http://localhost:8888")?;
//! let n: i32 = client.call("add", (8, 8))?;
//! # Ok::<(), xmlrpc_kit::client::Error>(())
//! ```
//!
//! Layout: `builder` (settings), `async_client` and `blocking` (the two kinds),
//! `multicall`, `exchange` (one HTTP round trip), `url`, `progress`, `error`.

mod async_client;
mod blocking;
mod builder;
mod error;
mod exchange;
mod multicall;
mod progress;
mod url;

pub use async_client::AsyncClient;
pub use blocking::Client;
pub use builder::{AsyncClientBuilder, ClientBuilder};
pub use error::{BoxError, Error};
pub use multicall::{AsyncMulticall, Multicall};
pub use progress::Progress;

use crate::codec::{Envelope, Limits, Reader};
use crate::error::Category;
use serde::de::DeserializeOwned;

/// Decodes a reply: the result as `R`, or the fault.
pub(crate) fn decode_reply<R: DeserializeOwned>(reply: &[u8], limits: &Limits) -> Result<R, Error> {
    let reader = Reader::from_slice(reply)
        .map_err(Error::Reply)?
        .with_limits(*limits);
    read_reply(reader)
}

/// Reads a reply document (in memory or streaming): the result as `R`, or the fault.
pub(crate) fn read_reply<R: DeserializeOwned>(mut reader: Reader<'_>) -> Result<R, Error> {
    let classify = |e: crate::Error| match e.category() {
        Category::Data => Error::Type(e),
        _ => Error::Reply(e),
    };
    match reader.read_envelope().map_err(Error::Reply)? {
        Envelope::Response => reader.read_result::<R>().map_err(classify),
        Envelope::Fault => Err(reader.read_fault().map_err(Error::Reply)?.into()),
        Envelope::Call { .. } => Err(Error::Reply(crate::Error::message(
            "expected a <methodResponse>, found a <methodCall>",
        ))),
    }
}
