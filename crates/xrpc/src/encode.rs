//! `xrpc encode`: the JSON form of a call, response or fault (see `json`) in, XML-RPC out.

use crate::error::Error;
use crate::json::{self, ShapeError};
use std::io::{Read, Write};
use xmlrpc_kit::codec;
use xmlrpc_kit::codec::Document;
use xmlrpc_kit::Value;

/// Reads one JSON document from `input` and writes the XML-RPC document it stands for,
/// followed by a newline, to `output`.
///
/// A response must hold exactly one value: XML-RPC responses carry one result.
pub(crate) fn run(input: impl Read, mut output: impl Write) -> Result<(), Error> {
    let json: serde_json::Value = serde_json::from_reader(std::io::BufReader::new(input))?;
    // Built whole before anything is written, so a value the writer refuses (a string
    // holding U+0000, say) leaves no half document on stdout.
    let mut xml = match json::document_from_json(json)? {
        Document::Call(call) => codec::call_to_vec(&call.method_name, &call.params)?,
        Document::Response(params) => codec::response_to_vec(&single_result(params)?)?,
        Document::Fault(fault) => codec::fault_to_vec(&fault)?,
    };
    xml.push(b'\n');
    output.write_all(&xml)?;
    output.flush()?;
    Ok(())
}

/// The one value of a response's `params`.
fn single_result(params: Vec<Value>) -> Result<Value, ShapeError> {
    let count = params.len();
    match <[Value; 1]>::try_from(params) {
        Ok([value]) => Ok(value),
        Err(_) => Err(ShapeError::new(format!(
            "a response holds exactly one value in \"params\", found {count} \
             (to send several, put them in an array)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(json: &str) -> Result<String, Error> {
        let mut out = Vec::new();
        run(json.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_call_is_written_strictly() {
        let out =
            encode(r#"{"methodName": "add", "params": [8, 2.5e1, {"base64": "AQID"}]}"#).unwrap();
        assert_eq!(
            out,
            "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
             <param><value><int>8</int></value></param>\
             <param><value><double>25.0</double></value></param>\
             <param><value><base64>AQID</base64></value></param>\
             </params></methodCall>\n"
        );
    }

    #[test]
    fn a_response_needs_exactly_one_value() {
        for json in [r#"{"params": []}"#, r#"{"params": [1, 2]}"#] {
            let err = encode(json).unwrap_err();
            assert!(matches!(err, Error::Shape(_)), "{err:?}");
            assert!(err.to_string().contains("exactly one value"), "{err}");
        }
    }

    #[test]
    fn a_value_the_writer_refuses_leaves_no_output() {
        let mut out = Vec::new();
        let err = run(&br#"{"params": ["a\u0000b"]}"#[..], &mut out).unwrap_err();
        assert!(err.to_string().contains("U+0000"), "{err}");
        assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
    }

    #[test]
    fn invalid_json_names_the_line() {
        let err = encode("{\n\"params\": [1,]\n}").unwrap_err();
        assert!(err.to_string().starts_with("invalid JSON: "), "{err}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}
