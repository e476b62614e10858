//! XML-RPC for Rust: the data model, a fast streaming codec, and the serde mapping.
//!
//! # From text to values
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
//! # From values to text
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
//! # Layout
//!
//! - [`value`]: [`Value`], [`Struct`], [`Binary`], [`DateTime`]: the XML-RPC data model.
//! - [`fault`]: [`Fault`] and the interop fault codes.
//! - [`error`]: [`Error`], with position and [`Category`](error::Category).
//! - [`codec`]: the reader (slice or stream, with [`Limits`](codec::Limits)) and the writer.
//! - `de`, `ser` (private): the serde mapping on top of the codec; see [`codec`] for the type table.

#![forbid(unsafe_code)]

#[cfg(feature = "client")]
pub mod client;
pub mod codec;
mod de;
#[cfg(feature = "server")]
pub mod dispatch;
pub mod error;
pub mod fault;
mod ser;
#[cfg(feature = "server")]
pub mod server;
#[cfg(any(feature = "server", feature = "client"))]
mod transfer;
pub mod value;

pub use error::Error;
pub use fault::Fault;
pub use value::{Binary, Blob, DateTime, Struct, Value};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
