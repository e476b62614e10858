//! `xrpc describe`: a method's help text (`system.methodHelp`) and signatures
//! (`system.methodSignature`) as `METHOD(type, ...) -> type` lines.

use crate::connection::Connection;
use crate::error::Error;
use crate::methods::{a, text_of};
use std::io::{BufWriter, Write};
use xmlrpc_kit::Value;

/// The introspection method that gives a method's help text.
const METHOD_HELP: &str = "system.methodHelp";
/// The introspection method that gives a method's signatures.
const METHOD_SIGNATURE: &str = "system.methodSignature";

/// `xrpc describe`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct DescribeArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// The method's name.
    pub(crate) method: String,
}

/// `xrpc describe`: the help text, then one `method(type, ...) -> type` line per
/// signature, after a blank line.
///
/// A server that has no signatures answers `system.methodSignature` with a string
/// ("undef", or Python's "signatures not supported"), or with a fault if it lacks the
/// method: all of these print no signature lines.
pub(crate) fn run(args: &DescribeArgs, output: impl Write) -> Result<(), Error> {
    let client = args.connection.client()?;
    let method = args.method.as_str();
    let name = [Value::from(method)];
    let text = match client.call_value(METHOD_HELP, &name)? {
        Value::String(text) => text,
        Value::Nil => String::new(),
        other => {
            return Err(Error::Answer {
                method: METHOD_HELP.into(),
                problem: format!("{}, not a string", a(other.type_name())),
            })
        }
    };
    let signatures = match client.call_value(METHOD_SIGNATURE, &name) {
        Ok(answer) => signature_lines(method, &answer),
        Err(e) if e.fault().is_some() => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let mut output = BufWriter::new(output);
    let text = text.trim_end();
    if !text.is_empty() {
        writeln!(output, "{text}")?;
        if !signatures.is_empty() {
            writeln!(output)?;
        }
    }
    for line in signatures {
        writeln!(output, "{line}")?;
    }
    output.flush()?;
    Ok(())
}

/// `method(param, ...) -> result` for each signature in a `system.methodSignature`
/// answer: an array of arrays of type names, the result's type first. Anything else (the
/// string "undef", say) means no signatures; an entry that is not a non-empty array is
/// skipped.
fn signature_lines(method: &str, answer: &Value) -> Vec<String> {
    let Value::Array(signatures) = answer else {
        return Vec::new();
    };
    signatures
        .iter()
        .filter_map(|signature| {
            let (result, params) = signature.as_array()?.split_first()?;
            let params: Vec<String> = params.iter().map(text_of).collect();
            Some(format!(
                "{method}({}) -> {}",
                params.join(", "),
                text_of(result)
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_print_as_method_lines() {
        let sig = |types: &[&str]| Value::Array(types.iter().map(|&t| Value::from(t)).collect());
        let answer = Value::Array(vec![
            sig(&["int", "int", "int"]),
            sig(&["string"]),
            Value::Array(Vec::new()),
            Value::from("junk"),
            Value::Array(vec![Value::from("array"), Value::Int(3)]),
        ]);
        assert_eq!(
            signature_lines("add", &answer),
            ["add(int, int) -> int", "add() -> string", "add(3) -> array"]
        );
        assert!(signature_lines("add", &Value::from("undef")).is_empty());
        assert!(signature_lines("add", &Value::Nil).is_empty());
    }
}
