//! `Fault`: the error an XML-RPC peer sends back instead of a result, with the interop codes.

use std::fmt;

/// A fault: the `{faultCode, faultString}` pair that a server returns instead of a result.
///
/// Application faults keep their own codes; the constants on this type are the codes the
/// server itself answers with: the XML-RPC interoperability specification's, for
/// protocol-level failures, and [`NOT_AUTHORIZED`](Self::NOT_AUTHORIZED). They are the one
/// home of fault codes in this crate (the `files.*` service documents its own 1 to 4).
///
/// ```
/// use xmlrpc_kit::Fault;
///
/// let fault = Fault::new(Fault::METHOD_NOT_FOUND, "no such method: frobnicate");
/// assert_eq!(fault.code, -32601);
/// assert_eq!(fault.to_string(), "fault -32601: no such method: frobnicate");
/// ```
///
/// Some peers send `faultCode` as a string (Perl's XMLRPC::Lite says `Client` or `Server`,
/// Odoo and LiveJournal send words too). Such a fault is read, not refused: its text is kept
/// in [`code_text`](Self::code_text), and [`code`](Self::code) is the number in that text
/// when it holds one, else [`NON_NUMERIC_CODE`](Self::NON_NUMERIC_CODE). Two faults are
/// equal when their codes, code texts and strings are.
///
/// ```
/// use xmlrpc_kit::Fault;
///
/// let perl = Fault::with_code_text("Client", "Bad method call");
/// assert_eq!(perl.code, Fault::NON_NUMERIC_CODE);
/// assert_eq!(perl.code_text.as_deref(), Some("Client"));
/// assert_eq!(perl.to_string(), "fault Client: Bad method call");
/// assert_eq!(Fault::with_code_text(" 42 ", "x").code, 42);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Fault {
    /// The `faultCode` member as a number (see the type's documentation for a code sent
    /// as text).
    pub code: i32,
    /// The `faultString` member.
    pub string: String,
    /// The `faultCode` member's text, when the peer sent it as a string rather than an
    /// `<int>`; `None` for an ordinary fault.
    pub code_text: Option<String>,
}

impl Fault {
    /// -32700: the request is not well-formed XML.
    pub const NOT_WELL_FORMED: i32 = -32700;
    /// -32701: the request uses an encoding the server does not support.
    pub const UNSUPPORTED_ENCODING: i32 = -32701;
    /// -32600: the request is XML but not an XML-RPC call.
    pub const INVALID_XMLRPC: i32 = -32600;
    /// -32601: the requested method does not exist.
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// -32602: the method exists but the parameters are wrong in number or type.
    pub const INVALID_PARAMS: i32 = -32602;
    /// -32603: the server failed while handling the call.
    pub const INTERNAL_ERROR: i32 = -32603;
    /// -32001: the server's authorisation hook refused the call (an implementation-defined
    /// server error, in the range -32000..-32099 the interop spec leaves for them).
    pub const NOT_AUTHORIZED: i32 = -32001;
    /// -32002: a server limit refused the call: the client's call rate, the calls or time
    /// one request may take (multicall's calls count one by one), or a full pool of
    /// blocking calls. Trying again later may succeed.
    pub const OVER_LIMIT: i32 = -32002;
    /// -32500: the code given to a fault whose `faultCode` is text that holds no number
    /// (`Client`, `Server`); the interop specification's "application error". The text
    /// itself is in [`code_text`](Self::code_text).
    pub const NON_NUMERIC_CODE: i32 = -32500;

    /// A fault with the given code and message.
    ///
    /// ```
    /// let f = xmlrpc_kit::Fault::new(4, "Too many parameters.");
    /// assert_eq!((f.code, f.string.as_str()), (4, "Too many parameters."));
    /// ```
    pub fn new(code: i32, string: impl Into<String>) -> Self {
        Fault {
            code,
            string: string.into(),
            code_text: None,
        }
    }

    /// A fault whose `faultCode` came as text: the number in it (surrounding whitespace
    /// ignored) or [`NON_NUMERIC_CODE`](Self::NON_NUMERIC_CODE), and the text kept.
    ///
    /// ```
    /// let f = xmlrpc_kit::Fault::with_code_text("Server", "boom");
    /// assert_eq!((f.code, f.code_text.as_deref()), (-32500, Some("Server")));
    /// ```
    pub fn with_code_text(code_text: impl Into<String>, string: impl Into<String>) -> Self {
        let code_text = code_text.into();
        Fault {
            code: code_text.trim().parse().unwrap_or(Self::NON_NUMERIC_CODE),
            string: string.into(),
            code_text: Some(code_text),
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.code_text {
            Some(text) if text.trim().parse::<i32>().is_err() => {
                write!(f, "fault {}: {}", text.trim(), self.string)
            }
            _ => write!(f, "fault {}: {}", self.code, self.string),
        }
    }
}

impl std::error::Error for Fault {}

/// An I/O error in a handler becomes fault -32603 ([`Fault::INTERNAL_ERROR`]) with the
/// error's message, so handlers that touch files can use `?`.
///
/// ```
/// use xmlrpc_kit::Fault;
///
/// fn size(path: String) -> Result<u64, Fault> {
///     Ok(std::fs::metadata(path)?.len())
/// }
/// let fault = size("/no/such/file".into()).unwrap_err();
/// assert_eq!(fault.code, Fault::INTERNAL_ERROR);
/// ```
impl From<std::io::Error> for Fault {
    fn from(e: std::io::Error) -> Self {
        Fault::new(Fault::INTERNAL_ERROR, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_interop_specification() {
        assert_eq!(Fault::NOT_WELL_FORMED, -32700);
        assert_eq!(Fault::INVALID_XMLRPC, -32600);
        assert_eq!(Fault::METHOD_NOT_FOUND, -32601);
        assert_eq!(Fault::INVALID_PARAMS, -32602);
        assert_eq!(Fault::INTERNAL_ERROR, -32603);
    }
}
