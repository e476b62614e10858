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
//! # Typed APIs
//!
//! A method set written once, as a trait: [`#[xmlrpc_kit::api]`](api) gives the server's
//! registration (`value.into_api()`, for [`Server::mount`]), signatures from the Rust types
//! (the table is [`XmlRpcType`]'s), help from the doc comments with the parameter names, and
//! two typed clients, `<Trait>Client` over [`AsyncClient`] and `<Trait>BlockingClient` over
//! [`Client`]. A fault reaches a typed client as [`client::Error::Fault`].
//!
//! ```no_run
//! use xmlrpc_kit::{Client, Fault, Server};
//!
//! /// A calculator.
//! #[xmlrpc_kit::api(namespace = "math")]
//! pub trait Calc: Send + Sync + 'static {
//!     /// Adds two integers.
//!     fn add(&self, x: i32, y: i32) -> i32;
//!     /// Answers after `ms` milliseconds.
//!     async fn later(&self, ms: u64) -> String;
//! }
//!
//! struct Calculator;
//!
//! impl Calc for Calculator {
//!     fn add(&self, x: i32, y: i32) -> i32 { x + y }
//!     async fn later(&self, ms: u64) -> String {
//!         tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
//!         format!("after {ms} ms")
//!     }
//! }
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let handle = Server::new().mount(Calculator.into_api()).with_introspection().spawn("127.0.0.1:0")?;
//! let calc = CalcBlockingClient::new(Client::new(&handle.url())?);
//! assert_eq!(calc.add(8, 8)?, 16);                   // math.add
//! # Ok(()) }
//! ```
//!
//! [`Server::mount`] (and [`Registry::mount`](dispatch::Registry::mount)) takes one API or
//! several, and plain method groups ([`dispatch::Api::with_prefix`]); a name clash is a
//! registration error. `xrpc gen rust URL` writes such a trait from a live server's
//! introspection.
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
//! - `de`, `ser` (private): the serde mapping on top of the codec (typed reading and
//!   writing); see [`codec`] for the type table.
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
//! - [`api`] (`macros`): typed APIs from a trait; [`XmlRpcType`], the Rust-to-XML-RPC
//!   type names of signatures.
//! - `files` (`files`): the `files.*` service and its client (upload, download, resume,
//!   SHA-256).
//! - [`json`] (`json`): the JSON form of values and documents, as `xrpc decode` prints them.
//! - [`cassette`] (`cassette`): recorded calls as JSON lines, and a server replaying them.
//! - [`debug`] (`debug`): a forwarding proxy that shows and records every call, and a dump
//!   server that shows every request and notes where it departs from the spec.
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
//! | `macros` | yes | [`api`]: a trait as a server's methods and typed clients | `server`, `client`, xmlrpc-kit-macros (syn, quote) |
//! | `json` | no | [`json`]: the JSON form | serde_json |
//! | `cassette` | no | [`cassette`]: record and replay | `json`, `server` |
//! | `debug` | no | [`debug`]: the recording proxy, the dump server | `cassette`, `client` |
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

#[cfg(feature = "macros")]
#[doc(hidden)]
pub mod api_support;
#[cfg(feature = "cassette")]
pub mod cassette;
#[cfg(feature = "client")]
pub mod client;
pub mod codec;
mod de;
#[cfg(feature = "debug")]
pub mod debug;
#[cfg(feature = "server")]
pub mod dispatch;
pub mod error;
pub mod fault;
#[cfg(feature = "files")]
pub mod files;
#[cfg(any(feature = "server", feature = "client"))]
pub mod http;
#[cfg(feature = "json")]
pub mod json;
mod ser;
#[cfg(feature = "server")]
pub mod server;
pub mod value;

#[cfg(feature = "client")]
pub use client::{AsyncClient, Client};
pub use error::Error;
pub use fault::Fault;
#[cfg(feature = "server")]
pub use server::Server;
pub use value::{BigDecimal, BigInteger, Binary, Blob, DateTime, Struct, Value, XmlRpcType};
/// Turns a trait into an XML-RPC API: the server side, typed clients, signatures and help.
///
/// On `trait Calc` (with `#[xmlrpc_kit::api(namespace = "math")]`, or no namespace for no
/// prefix) the macro keeps the trait and adds:
///
/// - the provided method `fn into_api(self) -> dispatch::Api`, for [`Server::mount`]: one
///   method per trait method, named `math.<name>`, with the signature from the Rust types
///   ([`XmlRpcType`]; a [`Value`], or an enum that may be a string or a struct, gives none:
///   `undef`) and the help from the doc comment followed by `Parameters: x, y.`;
/// - `CalcClient` (async, over [`AsyncClient`]) and `CalcBlockingClient` (over [`Client`]),
///   with `new(client)`, `client()` and one method per trait method, taking the same
///   arguments and returning `Result<T, client::Error>` (`T` of a `Result<T, E>`).
///
/// The methods take `&self` and owned arguments that are serde types both ways (structs,
/// `Option`, `Vec`, maps, [`Binary`], [`Blob`], [`Value`], [`DateTime`], ...); they return
/// such a type or a `Result<T, E>` with `E: Into<Fault>`. A sync method runs inline on the
/// server's threads; `#[xmlrpc(blocking)]` runs it on the blocking pool. An `async fn`
/// becomes `fn .. -> impl Future<Output = T> + Send`, so the server may run it on any
/// thread, and an impl still writes `async fn`. `#[xmlrpc(name = "getState")]` gives a
/// method its own XML-RPC name (inside the namespace); `#[xmlrpc(dynamic)]` marks a method
/// of one `Vec<Value>` argument that is the whole parameter list (what `xrpc gen rust`
/// writes for a method with no signature). A generic method, `&mut self`, a borrowed
/// argument (`&str`) or a non-serde type is a compile error that says what to take instead.
///
/// A type that implements two API traits names the one it gives: `Calc::into_api(value)`.
/// To share state with other code, implement the trait on a type holding an `Arc` of it.
///
/// ```
/// use xmlrpc_kit::{dispatch::Registry, Value};
///
/// #[xmlrpc_kit::api]
/// trait Text: Send + Sync + 'static {
///     /// Upper case.
///     fn upper(&self, s: String) -> String;
///     /// The number of parameters.
///     #[xmlrpc(name = "count", dynamic)]
///     fn count_params(&self, params: Vec<Value>) -> Result<Value, xmlrpc_kit::Fault>;
/// }
///
/// struct Impl;
/// impl Text for Impl {
///     fn upper(&self, s: String) -> String { s.to_uppercase() }
///     fn count_params(&self, params: Vec<Value>) -> Result<Value, xmlrpc_kit::Fault> {
///         Ok(Value::from(params.len() as i32))
///     }
/// }
///
/// let mut registry = Registry::new();
/// registry.mount(Impl.into_api())?;
/// let docs = registry.describe();
/// assert_eq!((docs[0].name.as_str(), docs[0].signatures.len()), ("count", 0));
/// assert_eq!(docs[1].help, "Upper case.\n\nParameters: s.");
/// assert_eq!(docs[1].signatures, [["string", "string"]]);
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
#[cfg(feature = "macros")]
pub use xmlrpc_kit_macros::api;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
