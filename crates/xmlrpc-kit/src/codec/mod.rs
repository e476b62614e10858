//! The XML codec: [`Reader`] turns XML-RPC documents into values (dynamic or typed), the
//! `write_*` functions turn values into documents. One codec serves server, client and CLI.
//!
//! Reading is lenient (whitespace, comments, CDATA, untyped values, `ex:` prefixes,
//! `i1/i2/i4/int/i8`, wrapped base64, any date spelling, declared encodings, a BOM);
//! writing is strict (`<int>` within 32 bits, `<i8>` beyond, `YYYYMMDDTHH:MM:SS`,
//! shortest round-trip doubles, `& < > \r` escaped). DTDs and entity declarations are
//! refused outright, and every input is bounded by [`Limits`].
//!
//! # Layout
//!
//! The codec is two layers, one way: `read` (a pull reader over a slice or a stream) and
//! `write` (the writer's primitives) know nothing of serde; the serde mapping sits on top of
//! them (`crate::de`, `crate::ser`, private), and this module re-exports its entry points
//! ([`decode_call`], [`decode_response`], [`write_call`], [`call_to_vec`], ...) beside the
//! dynamic ones ([`read_call`], [`read_response`]).
//!
//! How Rust types map to XML-RPC types is tabled on the [crate page](crate).

pub(crate) mod base64;
mod compat;
mod document;
#[cfg(any(feature = "server", feature = "client"))]
pub(crate) use read::read_buffered;
pub(crate) mod limits;
#[cfg_attr(not(any(feature = "server", feature = "client")), allow(dead_code))]
pub(crate) mod read;
// Segmented bodies (blobs streamed out) are for the HTTP sides only.
#[cfg_attr(not(all(feature = "server", feature = "client")), allow(dead_code))]
pub(crate) mod segments;
pub(crate) mod write;

pub use self::compat::{Extensions, FaultCodes, APACHE_EXTENSIONS_NS};
pub use self::document::{read_document, Document};
pub use self::limits::Limits;
pub use self::read::{Deviation, DeviationKind, Envelope, MethodCall, MethodResponse, Reader};
pub use self::write::write_fault;
pub use crate::de::{decode_call, decode_response};
pub use crate::ser::{call_to_vec, response_to_vec, write_call, write_response, write_value};

use crate::error::Error;
use crate::fault::Fault;

/// Reads a whole `<methodCall>` from memory, with dynamic parameters.
///
/// ```
/// use xmlrpc_kit::{codec, Value};
/// let call = codec::read_call(b"<methodCall><methodName>add</methodName><params>\
///     <param><value><int>8</int></value></param><param><value><i4>8</i4></value></param>\
///     </params></methodCall>")?;
/// assert_eq!(call.params, [Value::Int(8), Value::Int(8)]);
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn read_call(input: &[u8]) -> Result<MethodCall, Error> {
    Reader::from_slice(input)?.read_call()
}

/// Reads a whole `<methodResponse>` from memory, with dynamic parameters or a fault.
///
/// ```
/// use xmlrpc_kit::codec::{self, MethodResponse};
/// let r = codec::read_response(b"<methodResponse><params><param><value><boolean>1</boolean></value></param></params></methodResponse>")?;
/// assert_eq!(r, MethodResponse::Params(vec![true.into()]));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn read_response(input: &[u8]) -> Result<MethodResponse, Error> {
    Reader::from_slice(input)?.read_response()
}

/// A fault `<methodResponse>` as bytes.
///
/// ```
/// let body = xmlrpc_kit::codec::fault_to_vec(&xmlrpc_kit::Fault::new(1, "no"))?;
/// assert_eq!(xmlrpc_kit::codec::decode_response::<i32>(&body)?, Err(xmlrpc_kit::Fault::new(1, "no")));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn fault_to_vec(fault: &Fault) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256);
    write_fault(&mut out, fault)?;
    Ok(out)
}
