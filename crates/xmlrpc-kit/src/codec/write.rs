//! The XML-RPC writer's primitives, knowing nothing of serde: the document framing, text
//! escaped as XML needs, doubles as XML-RPC allows, and whole fault documents. The serde
//! serializer (`crate::ser`) writes values with them.

use crate::error::Error;
use crate::fault::Fault;
use std::io::Write;

/// The XML declaration every document starts with.
pub(crate) const DECL: &[u8] = b"<?xml version=\"1.0\"?>";

/// Writes a fault `<methodResponse>`.
///
/// ```
/// let mut out = Vec::new();
/// xmlrpc_kit::codec::write_fault(&mut out, &xmlrpc_kit::Fault::new(-32601, "no <such> method"))?;
/// let text = String::from_utf8_lossy(&out);
/// assert!(text.contains("<name>faultCode</name><value><int>-32601</int></value>"));
/// assert!(text.contains("no &lt;such&gt; method"));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn write_fault<W: Write + ?Sized>(out: &mut W, fault: &Fault) -> Result<(), Error> {
    out.write_all(DECL)?;
    out.write_all(
        b"<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>",
    )?;
    out.write_all(itoa::Buffer::new().format(fault.code).as_bytes())?;
    out.write_all(b"</int></value></member><member><name>faultString</name><value><string>")?;
    write_escaped(out, &fault.string)?;
    out.write_all(b"</string></value></member></struct></value></fault></methodResponse>")?;
    Ok(())
}

/// Writes `text` with the characters XML needs escaped; refuses characters XML cannot hold.
pub(crate) fn write_escaped<W: Write + ?Sized>(out: &mut W, text: &str) -> Result<(), Error> {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'\r' => b"&#13;",
            b'\t' | b'\n' => continue,
            0..=0x1F => {
                return Err(Error::message(format!(
                    "character U+{b:04X} cannot be written in XML (a string may not hold control characters other than tab, CR and LF)"
                )))
            }
            0xEF if matches!(bytes.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                return Err(Error::message("characters U+FFFE and U+FFFF cannot be written in XML"))
            }
            _ => continue,
        };
        out.write_all(&bytes[start..i]).map_err(Error::from)?;
        out.write_all(escape).map_err(Error::from)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..]).map_err(Error::from)
}

/// Writes a finite double as its shortest round-trip decimal, never with an exponent (the
/// specification allows none), with `.0` on whole numbers as Python writes them. NaN and
/// the infinities, which XML-RPC cannot express, are refused: the caller gets an error
/// naming the value, and nothing is written.
pub(crate) fn format_double(v: f64, out: &mut String) -> Result<(), Error> {
    use std::fmt::Write as _;
    if !v.is_finite() {
        return Err(Error::message(format!(
            "the double {v} cannot be sent: XML-RPC has no NaN or infinite doubles"
        )));
    }
    let _ = write!(out, "{v}");
    if v.fract() == 0.0 {
        out.push_str(".0");
    }
    Ok(())
}
