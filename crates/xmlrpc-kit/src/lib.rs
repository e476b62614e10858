//! XML-RPC for Rust: a server that serves plain functions by name, a client (blocking and
//! async) that calls them with typed arguments, files of any size as `<base64>`, and the
//! codec and serde mapping underneath.
//!
//! # Quick start
//!
//! A server, as Python's `SimpleXMLRPCServer` gives one: register functions, serve.
//! Arguments are decoded by serde straight from the XML; a handler returns a value or a
//! `Result<T, Fault>`.
//!
//! ```no_run
//! use serde::Deserialize;
//! use xmlrpc_kit::{Fault, Server};
//!
//! #[derive(Deserialize)]
//! struct Point { x: f64, y: f64 }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     Server::new()
//!         .method("add", |x: i32, y: i32| x + y)
//!         .method("norm", |p: Point| (p.x * p.x + p.y * p.y).sqrt())
//!         .method("div", |x: f64, y: f64| {
//!             if y == 0.0 { Err(Fault::new(1, "division by zero")) } else { Ok(x / y) }
//!         })
//!         .async_method("later", |ms: u64| async move {
//!             tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
//!             ms
//!         })
//!         .with_introspection()
//!         .serve("127.0.0.1:8888")?; // blocks until Ctrl-C
//!     Ok(())
//! }
//! ```
//!
//! A blocking client, as Python's `ServerProxy`:
//!
//! ```no_run
//! use xmlrpc_kit::Client;
//!
//! fn main() -> Result<(), xmlrpc_kit::client::Error> {
//!     let client = Client::new("http://localhost:8888")?;   // path defaults to /RPC2
//!     let n: i32 = client.call("add", (8, 8))?;
//!     match client.call::<f64, _>("div", (1.0, 0.0)) {
//!         Err(xmlrpc_kit::client::Error::Fault(fault)) => println!("fault {}: {}", fault.code, fault.string),
//!         other => println!("{other:?}"),
//!     }
//!     println!("{n}");
//!     Ok(())
//! }
//! ```
//!
//! An async client, for tokio code (add `tokio` with the `macros` and `rt-multi-thread`
//! features to your `Cargo.toml`):
//!
//! ```no_run
//! use xmlrpc_kit::AsyncClient;
//!
//! #[tokio::main]
//! async fn main() -> Result<(), xmlrpc_kit::client::Error> {
//!     let client = AsyncClient::new("http://localhost:8888")?;
//!     let ms: u64 = client.call("later", (10,)).await?;
//!     println!("{ms}");
//!     Ok(())
//! }
//! ```
//!
//! Values need not be typed: [`Value`] holds any XML-RPC value, `call_value` and
//! `dynamic_method` take and give them.
//!
//! # From text to values, without a network
//!
//! ```
//! use xmlrpc_kit::{codec, Value};
//!
//! let body = br#"<?xml version="1.0"?>
//! <methodCall>
//!   <methodName>add</methodName>
//!   <params>
//!     <param><value><int>8</int></value></param>
//!     <param><value><i4>8</i4></value></param>
//!   </params>
//! </methodCall>"#;
//!
//! // Dynamic: any document, any values.
//! let call = codec::read_call(body)?;
//! assert_eq!(call.method_name, "add");
//! assert_eq!(call.params, [Value::Int(8), Value::Int(8)]);
//!
//! // Typed: straight into Rust types, no Value tree in between.
//! let (method, (x, y)): (String, (i32, i32)) = codec::decode_call(body)?;
//! assert_eq!(x + y, 16);
//! # let _ = method;
//! # Ok::<(), xmlrpc_kit::Error>(())
//! ```
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use xmlrpc_kit::{codec, Binary};
//!
//! #[derive(Serialize, Deserialize, Debug, PartialEq)]
//! struct Image { name: String, data: Binary, tags: Vec<String>, rating: Option<f64> }
//!
//! let image = Image { name: "boy.jpg".into(), data: Binary::from(vec![0xff, 0xd8]), tags: vec![], rating: None };
//! let body = codec::response_to_vec(&image)?;
//! let back: Result<Image, _> = codec::decode_response(&body)?;
//! assert_eq!(back, Ok(image));
//! # Ok::<(), xmlrpc_kit::Error>(())
//! ```
//!
//! # Rust and XML-RPC types
//!
//! The serde mapping, both ways (the reader also takes every lenient spelling listed in
//! [`codec`]):
//!
//! | Rust | XML-RPC |
//! |---|---|
//! | `bool` | `<boolean>` |
//! | `i8 i16 i32 u8 u16`, and `i64 u32 u64` within 32 bits | `<int>` |
//! | `i64 u32 u64` beyond 32 bits | `<i8>` |
//! | `f32 f64` (finite) | `<double>` |
//! | `char`, `String`, unit enum variants | `<string>` |
//! | [`Binary`], `serde_bytes`, [`Blob`] (a file) | `<base64>` |
//! | [`DateTime`] (and chrono's / time's, with those features) | `<dateTime.iso8601>` |
//! | `Option::None`, `()` | `<nil/>` |
//! | sequences and tuples | `<array>` |
//! | structs, maps, [`Struct`] | `<struct>` |
//! | other enum variants | a one-member `<struct>` named after the variant |
//! | [`Value`] | whatever it holds |
//!
//! A `Vec<u8>` is told from other sequences by its items, so an *empty* one has none to
//! show and is written as an empty `<array>`; use [`Binary`] (or `serde_bytes`) for byte
//! fields that must always be `<base64>`. Handler arguments are owned types (`String`, not
//! `&str`).
//!
//! # Faults
//!
//! [`Fault`] is the one wire error: a handler returns `Err(fault)` (or any error that is
//! `Into<Fault>`), a client gets [`client::Error::Fault`]. The interoperability codes the
//! server uses itself are constants on [`Fault`] (`Fault::METHOD_NOT_FOUND`, ...): their one
//! home.
//!
//! # Layout
//!
//! - [`value`]: [`Value`], [`Struct`], [`Binary`], [`Blob`], [`DateTime`]: the data model.
//! - [`fault`]: [`Fault`] and the interop fault codes.
//! - [`error`]: [`Error`], the codec's error, with position and [`Category`](error::Category).
//! - [`codec`]: the reader (slice or stream, with [`Limits`](codec::Limits)) and the writer.
//! - [`dispatch`] (feature `server`): the [`Registry`](dispatch::Registry) of methods, the
//!   handler traits, introspection and multicall; it knows no HTTP.
//! - [`http`] (`server` or `client`): body plumbing both sides share, and the
//!   [`Streaming`](http::Streaming) settings.
//! - [`server`] (`server`): [`Server`], its [`ServerConfig`](server::ServerConfig), where it
//!   listens ([`Bind`](server::Bind): HTTP over TCP, TLS or a Unix socket, SCGI over TCP or a
//!   Unix socket, or a socket systemd passed) and CGI ([`Server::serve_cgi`]), Basic auth,
//!   the documentation page, the tower service; for operations `/metrics` (Prometheus),
//!   `/healthz`, the drain on SIGTERM or Ctrl-C ([`shutdown_signal`](server::shutdown_signal))
//!   and trusted proxies ([`TrustedProxy`](server::TrustedProxy)).
//! - [`client`] (`client`): [`Client`], [`AsyncClient`], their builder, multicall; URLs
//!   `http://`, `https://`, `unix:///socket`, `http+unix://%2Fsocket/path`, `scgi://host:port`
//!   and `scgi:///socket`.
//! - `files` (`files`): the `files.*` service and its client (upload, download, resume,
//!   SHA-256).
//!
//! # Features
//!
//! | feature | default | what it adds | what it pulls in |
//! |---|---|---|---|
//! | *(none)* | | the codec, the data model and the serde mapping | quick-xml, serde, base64-simd, memchr, encoding_rs, tempfile |
//! | `server` | yes | [`Server`], [`dispatch`] | tokio, hyper, hyper-util, tower-service, flate2, tracing, prometheus-client, listenfd |
//! | `client` | yes | [`Client`], [`AsyncClient`] | tokio, hyper, hyper-util, tower-service, flate2 |
//! | `tls` | yes | `https://` for the client, [`Server::tls`] | rustls (ring), hyper-rustls, tokio-rustls, rustls-native-certs |
//! | `auth` | yes | [`Server::basic_auth`] with hashed passwords | argon2, sha-crypt, subtle |
//! | `files` | yes | the `files.*` service and its client | `server`, `client`, sha2 |
//! | `chrono` | no | [`DateTime`] ⇄ `chrono::NaiveDateTime` | chrono |
//! | `time` | no | [`DateTime`] ⇄ `time::PrimitiveDateTime` | time |
//!
//! `cargo build -p xmlrpc-kit --no-default-features` builds the codec alone, with no tokio.
//!
//! # Logging
//!
//! The server logs through `tracing`: start, stop and refusals at `info`, one line per call
//! at `debug` on the target `xmlrpc_kit::access`. With `tracing-subscriber`'s env filter,
//! `RUST_LOG=xmlrpc_kit=debug` shows every call.

#![forbid(unsafe_code)]
#![warn(missing_debug_implementations)]

#[cfg(feature = "client")]
pub mod client;
pub mod codec;
#[cfg(feature = "server")]
pub mod dispatch;
pub mod error;
pub mod fault;
#[cfg(feature = "files")]
pub mod files;
#[cfg(any(feature = "server", feature = "client"))]
pub mod http;
mod serde;
#[cfg(feature = "server")]
pub mod server;
pub mod value;

#[cfg(feature = "client")]
pub use client::{AsyncClient, Client};
pub use error::Error;
pub use fault::Fault;
#[cfg(feature = "server")]
pub use server::Server;
pub use value::{Binary, Blob, DateTime, Struct, Value};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
