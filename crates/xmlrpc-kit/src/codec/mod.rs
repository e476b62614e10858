//! The XML codec: [`Reader`] turns XML-RPC documents into values (dynamic or typed), the
//! `write_*` functions turn values into documents. One codec serves server, client and CLI.
//!
//! Reading is lenient (whitespace, comments, CDATA, untyped values, `ex:` prefixes,
//! `i1/i2/i4/int/i8`, wrapped base64, any date spelling, declared encodings, a BOM);
//! writing is strict (`<int>` within 32 bits, `<i8>` beyond, `YYYYMMDDTHH:MM:SS`,
//! shortest round-trip doubles, `& < > \r` escaped). DTDs and entity declarations are
//! refused outright, and every input is bounded by [`Limits`].

pub(crate) mod base64;
mod compat;
mod document;
mod encoding;
#[cfg(any(feature = "server", feature = "client"))]
pub(crate) use encoding::read_buffered;
mod lexer;
mod limits;
#[cfg_attr(not(any(feature = "server", feature = "client")), allow(dead_code))]
pub(crate) mod read;
// Segmented bodies (blobs streamed out) are for the HTTP sides only.
#[cfg_attr(not(all(feature = "server", feature = "client")), allow(dead_code))]
pub(crate) mod segments;
mod source;
mod tag;
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) mod write;

pub use compat::{Extensions, FaultCodes, APACHE_EXTENSIONS_NS};
pub use document::{read_document, Document};
pub use limits::Limits;
pub use read::{Envelope, MethodCall, MethodResponse, Reader};
pub use write::{write_call, write_fault, write_response, write_value};

use crate::error::Error;
use crate::fault::Fault;
use serde::de::DeserializeOwned;
use serde::Serialize;

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

/// Reads a `<methodCall>` with its parameters decoded into `P` (a tuple, usually).
///
/// ```
/// let (name, (s,)): (String, (String,)) = xmlrpc_kit::codec::decode_call(
///     b"<methodCall><methodName>get_string</methodName><params><param><value>cloudox</value></param></params></methodCall>")?;
/// assert_eq!((name.as_str(), s.as_str()), ("get_string", "cloudox"));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn decode_call<P: DeserializeOwned>(input: &[u8]) -> Result<(String, P), Error> {
    let mut reader = Reader::from_slice(input)?;
    match reader.read_envelope()? {
        Envelope::Call { method_name } => Ok((method_name, reader.read_params()?)),
        _ => Err(Error::message(
            "expected a <methodCall>, found a <methodResponse>",
        )),
    }
}

/// Reads a `<methodResponse>` with its result decoded into `T`; a fault is `Ok(Err(fault))`.
///
/// ```
/// let result: Result<i32, _> = xmlrpc_kit::codec::decode_response(
///     b"<methodResponse><params><param><value><int>16</int></value></param></params></methodResponse>")?;
/// assert_eq!(result, Ok(16));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn decode_response<T: DeserializeOwned>(input: &[u8]) -> Result<Result<T, Fault>, Error> {
    let mut reader = Reader::from_slice(input)?;
    match reader.read_envelope()? {
        Envelope::Response => Ok(Ok(reader.read_result()?)),
        Envelope::Fault => Ok(Err(reader.read_fault()?)),
        Envelope::Call { .. } => Err(Error::message(
            "expected a <methodResponse>, found a <methodCall>",
        )),
    }
}

/// A `<methodCall>` as bytes.
///
/// ```
/// let body = xmlrpc_kit::codec::call_to_vec("ping", &())?;
/// assert!(body.ends_with(b"<methodName>ping</methodName><params></params></methodCall>"));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn call_to_vec<P: Serialize + ?Sized>(method: &str, params: &P) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256);
    write_call(&mut out, method, params)?;
    Ok(out)
}

/// A successful `<methodResponse>` as bytes.
///
/// ```
/// let body = xmlrpc_kit::codec::response_to_vec(&16)?;
/// assert_eq!(xmlrpc_kit::codec::decode_response::<i32>(&body)?, Ok(16));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn response_to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256);
    write_response(&mut out, value)?;
    Ok(out)
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
