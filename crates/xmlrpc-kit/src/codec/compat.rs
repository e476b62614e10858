//! Compatibility switches for peers that disagree with the usual spellings: `ex:`-prefixed
//! `i8`/`nil` for Apache XML-RPC, and Python-style fault codes for clients that expect them.

use crate::fault::Fault;

/// The namespace Apache XML-RPC puts its extension types (`ex:i8`, `ex:nil`, ...) in.
pub const APACHE_EXTENSIONS_NS: &str = "http://ws.apache.org/xmlrpc/namespaces/extensions";

/// How the writer spells the two common extension types, `i8` and `nil`.
///
/// The reader takes either spelling whatever this says (a namespace prefix is ignored);
/// this decides only what is written. Set it with
/// [`ServerConfig::extensions`](crate::server::ServerConfig::extensions) or
/// [`ClientBuilder::extensions`](crate::client::ClientBuilder::extensions).
///
/// ```
/// use xmlrpc_kit::codec::{self, Extensions};
/// use xmlrpc_kit::Value;
///
/// let body = codec::response_to_vec(&[Value::I8(1 << 40), Value::Nil])?;
/// let apache = Extensions::Apache.rewrite(body);
/// let text = String::from_utf8_lossy(&apache);
/// assert!(text.contains(r#"<methodResponse xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions">"#));
/// assert!(text.contains("<ex:i8>1099511627776</ex:i8>") && text.contains("<ex:nil/>"));
/// // Our reader takes it back as it was.
/// let back: Result<(i64, Option<i32>), _> = codec::decode_response(&apache)?;
/// assert_eq!(back, Ok((1 << 40, None)));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Extensions {
    /// `<i8>` and `<nil/>`, unprefixed: what Python, xmlrpc-c, Ruby and most peers write
    /// and read. The default.
    #[default]
    Plain,
    /// `<ex:i8>` and `<ex:nil/>`, with `xmlns:ex` declared as [`APACHE_EXTENSIONS_NS`] on
    /// the root element: what Apache XML-RPC (Java) writes, and requires when its
    /// extensions are on. xmlrpc-c's "apache" dialect writes the same.
    Apache,
}

impl Extensions {
    /// Respells a document written by this crate's writer (whose text never holds a raw
    /// `<`, so only real elements are touched). A document without `i8` or `nil` is
    /// returned as it is; so is any document with [`Extensions::Plain`].
    ///
    /// ```
    /// use xmlrpc_kit::codec::{self, Extensions};
    /// let body = codec::call_to_vec("echo", &("<i8> in text stays",))?;
    /// assert_eq!(Extensions::Apache.rewrite(body.clone()), body);
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn rewrite(self, document: Vec<u8>) -> Vec<u8> {
        match self {
            Extensions::Plain => document,
            Extensions::Apache => apache(document),
        }
    }
}

const ROOTS: [&[u8]; 2] = [b"<methodResponse>", b"<methodCall>"];
const RENAMES: [(&[u8], &[u8]); 3] = [
    (b"<i8>", b"<ex:i8>"),
    (b"</i8>", b"</ex:i8>"),
    (b"<nil/>", b"<ex:nil/>"),
];

fn apache(document: Vec<u8>) -> Vec<u8> {
    let uses = |tag: &[u8]| memchr::memmem::find(&document, tag).is_some();
    if !uses(b"<i8>") && !uses(b"<nil/>") {
        return document;
    }
    // Declared once on the root; a bare value (no root) declares it on each element.
    let has_root = ROOTS.iter().any(|root| uses(root));
    let declaration = format!(" xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"");
    let mut out = Vec::with_capacity(document.len() + document.len() / 8 + 96);
    let mut at = 0;
    while let Some(offset) = memchr::memchr(b'<', &document[at..]) {
        let start = at + offset;
        out.extend_from_slice(&document[at..start]);
        let rest = &document[start..];
        if let Some(root) = ROOTS.iter().find(|root| rest.starts_with(root)) {
            out.extend_from_slice(&root[..root.len() - 1]);
            out.extend_from_slice(declaration.as_bytes());
            out.push(b'>');
            at = start + root.len();
        } else if let Some((from, to)) = RENAMES.iter().find(|(from, _)| rest.starts_with(from)) {
            if has_root || from.starts_with(b"</") {
                out.extend_from_slice(to);
            } else {
                let close = if to.ends_with(b"/>") { 2 } else { 1 };
                out.extend_from_slice(&to[..to.len() - close]);
                out.extend_from_slice(declaration.as_bytes());
                out.extend_from_slice(&to[to.len() - close..]);
            }
            at = start + from.len();
        } else {
            out.push(b'<');
            at = start + 1;
        }
    }
    out.extend_from_slice(&document[at..]);
    out
}

/// Which fault codes a server gives for its own failures (no such method, bad parameters,
/// a request it cannot read, a handler that failed).
///
/// Faults a handler returns itself keep their code either way. Set it with
/// [`ServerConfig::fault_codes`](crate::server::ServerConfig::fault_codes).
///
/// ```
/// use xmlrpc_kit::codec::FaultCodes;
/// use xmlrpc_kit::Fault;
///
/// let missing = Fault::new(Fault::METHOD_NOT_FOUND, "method not found: frob");
/// assert_eq!(FaultCodes::Interop.apply(missing.clone(), "frob"), missing);
/// assert_eq!(
///     FaultCodes::Python.apply(missing, "frob"),
///     Fault::new(1, "<class 'Exception'>:method \"frob\" is not supported")
/// );
/// assert_eq!(FaultCodes::Python.apply(Fault::new(42, "mine"), "frob"), Fault::new(42, "mine"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FaultCodes {
    /// The XML-RPC interoperability codes (-32700, -32600, -32601, -32602, -32603). The
    /// default.
    #[default]
    Interop,
    /// What Python's `SimpleXMLRPCServer` answers: code 1 and
    /// `"<class 'ExceptionType'>:message"`, with Python's own wording for a missing method
    /// (`method "name" is not supported`), for clients written against a Python server.
    Python,
}

impl FaultCodes {
    /// The fault to send for `fault`, raised while calling `method` (empty when the call
    /// could not be read).
    pub fn apply(self, fault: Fault, method: &str) -> Fault {
        match self {
            FaultCodes::Interop => fault,
            FaultCodes::Python => python(fault, method),
        }
    }
}

fn python(fault: Fault, method: &str) -> Fault {
    let class = match fault.code {
        Fault::METHOD_NOT_FOUND => {
            return Fault::new(
                1,
                format!("<class 'Exception'>:method \"{method}\" is not supported"),
            )
        }
        Fault::INVALID_PARAMS => "TypeError",
        Fault::NOT_WELL_FORMED | Fault::INVALID_XMLRPC | Fault::UNSUPPORTED_ENCODING => {
            "xml.parsers.expat.ExpatError"
        }
        -32768..=-32000 => "Exception",
        _ => return fault,
    };
    Fault::new(1, format!("<class '{class}'>:{}", fault.string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;
    use crate::value::Value;

    #[test]
    fn apache_spelling_of_calls_responses_and_bare_values() {
        let call = codec::call_to_vec("f", &(Value::Nil, Value::I8(5), "x")).unwrap_or_default();
        let text = String::from_utf8(Extensions::Apache.rewrite(call)).unwrap_or_default();
        assert_eq!(
            text,
            format!(
                "<?xml version=\"1.0\"?><methodCall xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"><methodName>f</methodName><params>\
                 <param><value><ex:nil/></value></param><param><value><ex:i8>5</ex:i8></value></param>\
                 <param><value><string>x</string></value></param></params></methodCall>"
            )
        );
        let mut bare = Vec::new();
        codec::write_value(&mut bare, &[Value::Nil, Value::I8(-1)]).unwrap_or_default();
        let text = String::from_utf8(Extensions::Apache.rewrite(bare)).unwrap_or_default();
        assert_eq!(
            text,
            format!(
                "<value><array><data><value><ex:nil xmlns:ex=\"{APACHE_EXTENSIONS_NS}\"/></value>\
                 <value><ex:i8 xmlns:ex=\"{APACHE_EXTENSIONS_NS}\">-1</ex:i8></value></data></array></value>"
            )
        );
    }

    #[test]
    fn markup_in_text_and_documents_without_extensions_are_left_alone() {
        let call = codec::call_to_vec("<nil/>", &("<i8></i8>", 5)).unwrap_or_default();
        assert_eq!(Extensions::Apache.rewrite(call.clone()), call);
        let fault = codec::fault_to_vec(&Fault::new(1, "<nil/>")).unwrap_or_default();
        assert_eq!(Extensions::Apache.rewrite(fault.clone()), fault);
    }

    #[test]
    fn apache_documents_read_back_the_same() {
        let values = vec![
            Value::I8(i64::MIN),
            Value::Nil,
            Value::Array(vec![Value::Nil, Value::I8(7), Value::from("<nil/>")]),
        ];
        let body = codec::response_to_vec(&values).unwrap_or_default();
        let apache = Extensions::Apache.rewrite(body);
        assert_eq!(
            codec::read_response(&apache).ok(),
            Some(codec::MethodResponse::Params(vec![Value::Array(values)]))
        );
    }

    #[test]
    fn python_fault_codes() {
        let p = |code, text: &str| FaultCodes::Python.apply(Fault::new(code, text), "m");
        assert_eq!(p(-32602, "bad"), Fault::new(1, "<class 'TypeError'>:bad"));
        assert_eq!(
            p(-32700, "not xml"),
            Fault::new(1, "<class 'xml.parsers.expat.ExpatError'>:not xml")
        );
        assert_eq!(p(-32603, "boom"), Fault::new(1, "<class 'Exception'>:boom"));
        assert_eq!(p(-32000, "x"), Fault::new(1, "<class 'Exception'>:x"));
        assert_eq!(p(-31999, "x"), Fault::new(-31999, "x"));
        assert_eq!(p(0, "x"), Fault::new(0, "x"));
    }
}
