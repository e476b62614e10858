//! [`read_document`]: any XML-RPC document (a call, a response or a fault) read into one
//! [`Document`], built on the public [`Reader`] API only.

use super::{Envelope, MethodCall, Reader};
use crate::error::Error;
use crate::fault::Fault;
use crate::value::Value;

/// A whole XML-RPC document, whichever of the three kinds it is.
///
/// ```
/// use xmlrpc_kit::codec::{self, Document};
/// let doc = codec::read_document(b"<methodResponse><params><param><value><i4>16</i4></value></param></params></methodResponse>")?;
/// assert_eq!(doc, Document::Response(vec![16.into()]));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    /// A `<methodCall>`: the method's name and its parameters.
    Call(MethodCall),
    /// A successful `<methodResponse>`: its parameters, normally exactly one (an empty
    /// `<params/>`, which some peers send, gives none).
    Response(Vec<Value>),
    /// A `<methodResponse>` holding a `<fault>`.
    Fault(Fault),
}

/// Reads a whole document from memory: a call, a response or a fault, whichever it is.
///
/// Errors carry the line and column where the document is wrong (see
/// [`Error::line`](crate::Error::line)); the default [`Limits`](super::Limits) apply.
///
/// ```
/// use xmlrpc_kit::codec::{self, Document};
/// use xmlrpc_kit::Fault;
///
/// let call = codec::read_document(b"<methodCall><methodName>ping</methodName></methodCall>")?;
/// assert!(matches!(call, Document::Call(c) if c.method_name == "ping" && c.params.is_empty()));
///
/// let fault = codec::read_document(&codec::fault_to_vec(&Fault::new(4, "Too many"))?)?;
/// assert_eq!(fault, Document::Fault(Fault::new(4, "Too many")));
///
/// let err = codec::read_document(b"<methodResponse>\n<params>\n<param><value><int>x</int></value></param>\n</params></methodResponse>").unwrap_err();
/// assert_eq!(err.line(), Some(3));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn read_document(input: &[u8]) -> Result<Document, Error> {
    let mut reader = Reader::from_slice(input)?;
    match reader.read_envelope()? {
        Envelope::Call { method_name } => {
            let params = read_params(&mut reader)?;
            Ok(Document::Call(MethodCall {
                method_name,
                params,
            }))
        }
        Envelope::Response => Ok(Document::Response(read_params(&mut reader)?)),
        Envelope::Fault => Ok(Document::Fault(reader.read_fault()?)),
    }
}

/// The parameters after the envelope, then the end of the document.
fn read_params(reader: &mut Reader<'_>) -> Result<Vec<Value>, Error> {
    let mut params = Vec::new();
    while let Some(value) = reader.next_param()? {
        params.push(value);
    }
    reader.finish()?;
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_document_is_read() {
        let call = read_document(
            b"<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
              <param><value><int>8</int></value></param><param><value>x</value></param>\
              </params></methodCall>",
        )
        .unwrap();
        assert_eq!(
            call,
            Document::Call(MethodCall {
                method_name: "add".into(),
                params: vec![Value::Int(8), Value::from("x")],
            })
        );
        assert_eq!(
            read_document(b"<methodResponse><params/></methodResponse>").unwrap(),
            Document::Response(Vec::new())
        );
        let fault = read_document(
            b"<methodResponse><fault><value><struct>\
              <member><name>faultCode</name><value><int>-32601</int></value></member>\
              <member><name>faultString</name><value>no</value></member>\
              </struct></value></fault></methodResponse>",
        )
        .unwrap();
        assert_eq!(fault, Document::Fault(Fault::new(-32601, "no")));
    }

    #[test]
    fn trailing_content_is_refused_with_its_line() {
        let err = read_document(b"<methodResponse><params/></methodResponse>\n<x/>").unwrap_err();
        assert_eq!(err.line(), Some(2), "{err}");
        let err = read_document(
            b"<methodResponse><fault><value><struct/></value></fault></methodResponse>",
        )
        .unwrap_err();
        assert!(err.to_string().contains("faultCode"), "{err}");
    }
}
