//! `Error`: what can go wrong reading or writing XML-RPC, with where and which kind.

use crate::fault::Fault;
use std::fmt;

/// An error from the codec: malformed or hostile input, a value that does not fit the
/// requested type, a limit reached, or an I/O failure.
///
/// It is opaque (one boxed pointer, so `Result<T, Error>` stays small), knows where in the
/// input it happened, and says which [`Category`] it belongs to, which is also how it maps
/// to a wire [`Fault`].
///
/// ```
/// use xmlrpc_kit::{codec, error::Category};
///
/// let err = codec::read_call(b"<methodCall>\n  <methodName>x</methodNam>").unwrap_err();
/// assert_eq!(err.category(), Category::Syntax);
/// assert_eq!(err.line(), Some(2));
/// assert!(err.to_string().contains("line 2"), "{err}");
/// ```
pub struct Error(Box<ErrorImpl>);

struct ErrorImpl {
    code: ErrorCode,
    position: Option<Position>,
}

/// Where an error happened in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Position {
    offset: u64,
    line_column: Option<(u64, u64)>,
}

/// The kind of an [`Error`], which decides the fault code a server answers with.
///
/// ```
/// use xmlrpc_kit::error::Category;
/// assert_eq!(Category::Syntax.fault_code(), -32700);
/// assert_eq!(Category::Data.fault_code(), -32602);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Category {
    /// The input is not well-formed XML (or uses a refused XML feature such as a DTD).
    Syntax,
    /// The input is XML but not valid XML-RPC: a wrong element, a bad scalar, misplaced text.
    Protocol,
    /// A valid XML-RPC value does not fit the Rust type asked for, or a Rust value cannot be
    /// written as XML-RPC.
    Data,
    /// A configured limit was exceeded.
    Limit,
    /// The input ended before the document did.
    Eof,
    /// Reading or writing the underlying stream failed.
    Io,
}

impl Category {
    /// The interop fault code for errors of this kind.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::error::Category::Protocol.fault_code(), -32600);
    /// ```
    pub fn fault_code(self) -> i32 {
        match self {
            Category::Syntax | Category::Eof => Fault::NOT_WELL_FORMED,
            Category::Protocol | Category::Limit => Fault::INVALID_XMLRPC,
            Category::Data => Fault::INVALID_PARAMS,
            Category::Io => Fault::INTERNAL_ERROR,
        }
    }
}

/// What exactly went wrong; private so variants can be added freely.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ErrorCode {
    #[error("malformed XML: {0}")]
    Xml(#[from] quick_xml::Error),
    #[error("malformed XML: {0}")]
    XmlText(String),
    #[error("a DOCTYPE is not allowed in XML-RPC (DTDs and entity declarations are refused)")]
    Doctype,
    #[error("unknown entity `&{0};` (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)")]
    UnknownEntity(String),
    #[error("character U+{0:04X} is not allowed in XML")]
    ForbiddenChar(u32),
    #[error("invalid character reference `&{0};`")]
    InvalidCharRef(String),
    #[error("expected {expected}, found {found}")]
    Unexpected {
        expected: &'static str,
        found: String,
    },
    #[error("the input ended inside the document; expected {0}")]
    UnexpectedEof(&'static str),
    #[error("invalid <{ty}> value `{text}`: {reason}")]
    InvalidScalar {
        ty: &'static str,
        text: String,
        reason: String,
    },
    #[error("{what} exceeds the limit of {limit}")]
    Limit { what: &'static str, limit: u64 },
    #[error("unsupported encoding `{0}`")]
    UnsupportedEncoding(String),
    #[error("the document is not valid in its declared encoding {0}")]
    BadEncoding(&'static str),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Message(String),
    #[error("the peer deviates from XML-RPC, refused in strict mode: {0}")]
    Deviation(crate::codec::Deviation),
}

impl ErrorCode {
    fn category(&self) -> Category {
        match self {
            ErrorCode::Xml(quick_xml::Error::Io(_)) | ErrorCode::Io(_) => Category::Io,
            ErrorCode::Xml(quick_xml::Error::Syntax(_)) => Category::Eof,
            ErrorCode::Xml(_)
            | ErrorCode::XmlText(_)
            | ErrorCode::Doctype
            | ErrorCode::UnknownEntity(_)
            | ErrorCode::ForbiddenChar(_)
            | ErrorCode::InvalidCharRef(_)
            | ErrorCode::UnsupportedEncoding(_)
            | ErrorCode::BadEncoding(_) => Category::Syntax,
            ErrorCode::Unexpected { .. }
            | ErrorCode::InvalidScalar { .. }
            | ErrorCode::Deviation(_) => Category::Protocol,
            ErrorCode::UnexpectedEof(_) => Category::Eof,
            ErrorCode::Limit { .. } => Category::Limit,
            ErrorCode::Message(_) => Category::Data,
        }
    }
}

impl Error {
    /// The deviation a strict reader refused, when that is what this error is.
    ///
    /// ```
    /// use xmlrpc_kit::codec::{DeviationKind, Reader};
    /// let xml = b"<methodResponse><params><param><value><float>1.5</float></value></param></params></methodResponse>";
    /// let mut reader = Reader::from_slice(xml)?.with_strict(true);
    /// reader.read_envelope()?;
    /// let err = reader.read_result::<f64>().unwrap_err();
    /// assert_eq!(err.deviation().map(|d| d.kind), Some(DeviationKind::Float));
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn deviation(&self) -> Option<&crate::codec::Deviation> {
        match &self.0.code {
            ErrorCode::Deviation(d) => Some(d),
            _ => None,
        }
    }

    pub(crate) fn new(code: ErrorCode) -> Self {
        Error(Box::new(ErrorImpl {
            code,
            position: None,
        }))
    }

    /// Attaches a byte offset, and the line and column when the whole input is known.
    pub(crate) fn at(mut self, offset: u64, input: Option<&[u8]>) -> Self {
        if self.0.position.is_none() {
            let line_column = input.map(|bytes| line_column(bytes, offset));
            self.0.position = Some(Position {
                offset,
                line_column,
            });
        }
        self
    }

    /// Moves the error to another byte offset (a finer one than where it was made).
    pub(crate) fn relocate(mut self, offset: u64, input: Option<&[u8]>) -> Self {
        self.0.position = None;
        self.at(offset, input)
    }

    pub(crate) fn message(text: impl fmt::Display) -> Self {
        Error::new(ErrorCode::Message(text.to_string()))
    }

    /// Prefixes a data error's message with where in the value it happened (`param 2`).
    /// Errors of other kinds already carry a position and are left as they are.
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Self {
        if let ErrorCode::Message(text) = &mut self.0.code {
            *text = format!("{context}: {text}");
        }
        self
    }

    /// Which kind of error this is.
    ///
    /// ```
    /// use xmlrpc_kit::{codec, error::Category};
    /// let err = codec::read_call(b"<!DOCTYPE x><methodCall/>").unwrap_err();
    /// assert_eq!(err.category(), Category::Syntax);
    /// ```
    pub fn category(&self) -> Category {
        self.0.code.category()
    }

    /// The byte offset in the input where the error was found, when it came from input.
    ///
    /// ```
    /// let err = xmlrpc_kit::codec::read_call(b"<methodCall><oops/>").unwrap_err();
    /// assert_eq!(err.offset(), Some(19));
    /// ```
    pub fn offset(&self) -> Option<u64> {
        self.0.position.map(|p| p.offset)
    }

    /// The 1-based line of the error, when the whole input was in memory.
    ///
    /// ```
    /// let err = xmlrpc_kit::codec::read_call(b"\n\n<x/>").unwrap_err();
    /// assert_eq!(err.line(), Some(3));
    /// ```
    pub fn line(&self) -> Option<u64> {
        self.0.position.and_then(|p| p.line_column).map(|(l, _)| l)
    }

    /// The 1-based column (in bytes) of the error, when the whole input was in memory.
    ///
    /// ```
    /// let err = xmlrpc_kit::codec::read_call(b"  <x/>").unwrap_err();
    /// assert_eq!(err.column(), Some(7));
    /// ```
    pub fn column(&self) -> Option<u64> {
        self.0.position.and_then(|p| p.line_column).map(|(_, c)| c)
    }

    /// The wire fault for this error: its category's code and its message.
    ///
    /// ```
    /// let err = xmlrpc_kit::codec::read_call(b"<methodCall>").unwrap_err();
    /// assert_eq!(err.to_fault().code, -32700);
    /// ```
    pub fn to_fault(&self) -> Fault {
        Fault::new(self.category().fault_code(), self.to_string())
    }
}

fn line_column(input: &[u8], offset: u64) -> (u64, u64) {
    let end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(input.len());
    let before = &input[..end];
    let line = memchr::memchr_iter(b'\n', before).count() as u64 + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, (end - line_start) as u64 + 1)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0.code, f)?;
        match self.0.position {
            Some(Position {
                line_column: Some((line, column)),
                ..
            }) => write!(f, " at line {line}, column {column}"),
            Some(Position { offset, .. }) => write!(f, " at byte {offset}"),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({:?}: {self})", self.category())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.0.code {
            ErrorCode::Xml(e) => Some(e),
            ErrorCode::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Self {
        Error::new(code)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::new(ErrorCode::Io(e))
    }
}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::message(msg)
    }
}

impl serde::ser::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error::message(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_is_one_pointer() {
        assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn line_and_column_count_from_one() {
        assert_eq!(line_column(b"ab\ncd", 0), (1, 1));
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_column(b"ab", 99), (1, 3));
    }
}
