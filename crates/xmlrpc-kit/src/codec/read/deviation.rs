//! Deviations: the ways a peer's document departs from the XML-RPC specification that the
//! reader tolerates (string fault codes, `<biginteger>`, a bare fault struct, `<params/>`
//! for a result, ...), each noted with where it was met; in strict mode each is an error.

use std::fmt;

/// What a peer got wrong, in a document the reader accepted anyway.
///
/// The specification's own latitude (an untyped `<value>`, whitespace, comments) and the
/// two common extensions, `<i8>` and `<nil/>` (with or without a namespace prefix), are not
/// deviations; everything else the reader tolerates is.
///
/// ```
/// use xmlrpc_kit::codec::{DeviationKind, Reader};
///
/// let xml = b"<methodResponse><params/></methodResponse>";
/// let mut reader = Reader::from_slice(xml)?;
/// reader.read_envelope()?;
/// let result: Option<i32> = reader.read_result()?;
/// assert_eq!(result, None);
/// assert_eq!(reader.deviations()[0].kind, DeviationKind::NoResult);
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Copy)]
#[non_exhaustive]
pub enum DeviationKind {
    /// `faultCode` is a string (XMLRPC::Lite's `Client`, Odoo's words), not an `<int>`.
    StringFaultCode,
    /// `faultCode` is an `<i8>` or another non-`<int>` number.
    WideFaultCode,
    /// The fault has no `faultString`, or a `faultString` that is not a string.
    FaultString,
    /// `<fault>` holds its `<struct>` without the `<value>` around it (old rTorrent builds).
    BareFault,
    /// A response with no result: `<params/>` or `<params></params>`.
    NoResult,
    /// `<biginteger>` (Apache XML-RPC's `ex:biginteger`): an integer beyond 64 bits.
    BigInteger,
    /// `<bigdecimal>` (Apache XML-RPC's `ex:bigdecimal`): an exact decimal.
    BigDecimal,
    /// `<float>` where XML-RPC has `<double>`.
    Float,
    /// `<i1>` or `<i2>` (Apache XML-RPC's byte and short) where XML-RPC has `<int>`.
    ShortInt,
    /// A `<boolean>` spelled `true` or `false` rather than `1` or `0`.
    WordBoolean,
    /// A struct member whose `<value>` comes before its `<name>`.
    ValueBeforeName,
}

impl DeviationKind {
    /// A short name for the kind, as `xrpc call -v` prints it.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::codec::DeviationKind::BareFault.name(), "bare-fault");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DeviationKind::StringFaultCode => "string-fault-code",
            DeviationKind::WideFaultCode => "wide-fault-code",
            DeviationKind::FaultString => "fault-string",
            DeviationKind::BareFault => "bare-fault",
            DeviationKind::NoResult => "no-result",
            DeviationKind::BigInteger => "biginteger",
            DeviationKind::BigDecimal => "bigdecimal",
            DeviationKind::Float => "float",
            DeviationKind::ShortInt => "short-int",
            DeviationKind::WordBoolean => "word-boolean",
            DeviationKind::ValueBeforeName => "value-before-name",
        }
    }
}

impl fmt::Display for DeviationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One deviation met while reading: its kind, the byte offset in the (UTF-8) document
/// where the reader noticed it, and what exactly it saw.
///
/// ```
/// use xmlrpc_kit::codec::{Deviation, DeviationKind};
/// let d = Deviation { kind: DeviationKind::Float, at: 57, detail: "<float>1.5</float>".into() };
/// assert_eq!(d.to_string(), "float at byte 57: <float>1.5</float>");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Deviation {
    /// What kind of deviation.
    pub kind: DeviationKind,
    /// The byte offset where it was noticed (just after the element that shows it).
    pub at: u64,
    /// What the reader saw, in a few words.
    pub detail: String,
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}: {}", self.kind, self.at, self.detail)
    }
}
