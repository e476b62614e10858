//! `xrpc decode`: an XML-RPC call, response or fault in, its JSON form (see `json`) out.

use crate::error::Error;
use crate::json::DocumentForm;
use std::io::{Read, Write};
use xmlrpc_kit::codec::{self, Limits};

/// Reads one XML-RPC document from `input` and writes its JSON form, pretty-printed and
/// ending in a newline, to `output`.
///
/// The document is read into memory first: the library reports line and column in errors
/// only for a document in memory (a stream gets a byte offset), and a person reading
/// `xrpc: ... at line 3, column 9` wants the line. The read stops one byte past the
/// library's document-size limit, so an endless input is refused, not buffered.
pub(crate) fn run(input: impl Read, output: impl Write) -> Result<(), Error> {
    let mut xml = Vec::new();
    input
        .take(Limits::DEFAULT_MAX_DOCUMENT_SIZE.saturating_add(1))
        .read_to_end(&mut xml)?;
    let document = codec::read_document(&xml)?;
    let mut output = std::io::BufWriter::new(output);
    serde_json::to_writer_pretty(&mut output, &DocumentForm(&document))?;
    output.write_all(b"\n")?;
    output.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(xml: &str) -> Result<String, Error> {
        let mut out = Vec::new();
        run(xml.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_response_prints_as_pretty_json() {
        let out = decode(
            "<methodResponse><params><param><value><struct>\
             <member><name>n</name><value><double>1</double></value></member>\
             </struct></value></param></params></methodResponse>",
        )
        .unwrap();
        assert_eq!(
            out,
            "{\n  \"params\": [\n    {\n      \"n\": 1.0\n    }\n  ]\n}\n"
        );
    }

    #[test]
    fn trailing_garbage_is_an_error() {
        let err = decode("<methodResponse><params/></methodResponse>\n<x/>").unwrap_err();
        assert!(matches!(err, Error::Xml(_)), "{err:?}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
