//! `xrpc multicall`: calls read from stdin, one JSON line each, sent as one
//! `system.multicall`, with one JSON line printed per result.

use crate::connection::Connection;
use crate::error::Error;
use crate::json::{self, ShapeError};
use serde_json::{json, Value as Json};
use std::io::{BufRead, BufWriter, Write};
use xmlrpc_kit::codec::Document;
use xmlrpc_kit::Value;

/// How `xrpc multicall` reads its input, for `--help`.
const MULTICALL_HELP: &str = "\
Input: one call per line, blank lines skipped, as
  {\"methodName\": \"add\", \"params\": [1, 2]}
or, shorter,
  [\"add\", 1, 2]
with values in the JSON form of `xrpc decode --help`.

Output: one line per call, in order:
  {\"result\": 3}
  {\"fault\": {\"faultCode\": 4, \"faultString\": \"Too many\"}}
A fault in one call does not stop the others, and the exit code stays 0.";

/// `xrpc multicall`'s arguments.
#[derive(Debug, clap::Args)]
#[command(after_long_help = MULTICALL_HELP)]
pub(crate) struct MulticallArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
}

/// `xrpc multicall`: reads calls from `input` (see [`MULTICALL_HELP`]), sends them as one
/// `system.multicall`, and prints one line per result. No calls, no request.
pub(crate) fn run(
    args: &MulticallArgs,
    input: impl BufRead,
    output: impl Write,
) -> Result<(), Error> {
    let calls = read_calls(input)?;
    if calls.is_empty() {
        return Ok(());
    }
    let client = args.connection.client()?;
    let mut batch = client.multicall();
    for (method, params) in &calls {
        batch.add(method, params.as_slice())?;
    }
    let results = batch.send()?;
    args.connection.save_cookies(&client)?;
    let mut output = BufWriter::new(output);
    for result in results {
        let line = match result {
            Ok(value) => json!({ "result": json::to_json(&value) }),
            Err(fault) => json!({
                "fault": { "faultCode": fault.code, "faultString": fault.string }
            }),
        };
        serde_json::to_writer(&mut output, &line)?;
        output.write_all(b"\n")?;
    }
    output.flush()?;
    Ok(())
}

/// The calls on `input`, one a line; an error names the line.
fn read_calls(input: impl BufRead) -> Result<Vec<(String, Vec<Value>)>, Error> {
    let mut calls = Vec::new();
    for (index, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let at_line = |message: String| ShapeError::new(format!("line {}: {message}", index + 1));
        let json: Json = serde_json::from_str(&line).map_err(|e| {
            // serde_json ends its message with "at line 1 column N": the line is ours to give.
            let message = e.to_string();
            let message = match message.rsplit_once(" at line ") {
                Some((message, _)) => message.to_owned(),
                None => message,
            };
            at_line(format!("invalid JSON at column {}: {message}", e.column()))
        })?;
        calls.push(call_from_json(json).map_err(|e| at_line(e.to_string()))?);
    }
    Ok(calls)
}

/// One call in either of its JSON forms.
fn call_from_json(json: Json) -> Result<(String, Vec<Value>), ShapeError> {
    const EXPECTED: &str =
        "expected {\"methodName\": \"name\", \"params\": [...]} or [\"name\", param, ...]";
    match json {
        Json::Object(_) => match json::document_from_json(json)? {
            Document::Call(call) => Ok((call.method_name, call.params)),
            Document::Response(_) => Err(ShapeError::new(format!("{EXPECTED}, found a response"))),
            Document::Fault(_) => Err(ShapeError::new(format!("{EXPECTED}, found a fault"))),
        },
        Json::Array(items) => {
            let mut items = items.into_iter();
            let method = match items.next() {
                Some(Json::String(name)) if !name.trim().is_empty() => name,
                Some(Json::String(_)) => {
                    return Err(ShapeError::new("a method name cannot be empty").in_index(0))
                }
                Some(other) => {
                    return Err(ShapeError::new(format!(
                        "{EXPECTED}: the first item is the method's name, found {}",
                        json::kind(&other)
                    ))
                    .in_index(0))
                }
                None => return Err(ShapeError::new(format!("{EXPECTED}, found []"))),
            };
            let params = items
                .enumerate()
                .map(|(i, item)| json::from_json(item).map_err(|e| e.in_index(i + 1)))
                .collect::<Result<_, _>>()?;
            Ok((method, params))
        }
        other => Err(ShapeError::new(format!(
            "{EXPECTED}, found {}",
            json::kind(&other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xmlrpc_kit::Binary;

    #[test]
    fn calls_are_read_in_both_forms() {
        let input = "{\"methodName\": \"add\", \"params\": [1, 2]}\n\
                     \n\
                     [\"echo\", \"x\", {\"base64\": \"AAE=\"}]\n\
                     {\"methodName\": \"ping\"}\n\
                     [\"ping\"]\n";
        let calls = read_calls(input.as_bytes()).unwrap();
        assert_eq!(
            calls,
            [
                ("add".to_owned(), vec![Value::Int(1), Value::Int(2)]),
                (
                    "echo".to_owned(),
                    vec![Value::from("x"), Value::Base64(Binary::new(vec![0, 1]))]
                ),
                ("ping".to_owned(), vec![]),
                ("ping".to_owned(), vec![]),
            ]
        );
        assert!(read_calls("\n \n".as_bytes()).unwrap().is_empty());
    }

    #[test]
    fn bad_calls_name_their_line() {
        for (input, message) in [
            ("[\"a\"]\n{\"methodName\": \"a\",", "line 2: invalid JSON at column"),
            ("\n5", "line 2: expected {\"methodName\""),
            ("[]", "line 1: expected {\"methodName\""),
            ("[3]", "line 1: at [0]: expected"),
            ("[\" \"]", "line 1: at [0]: a method name cannot be empty"),
            ("[\"a\", 1, {\"base64\": \"!\"}]", "line 1: at [2].base64: invalid base64"),
            ("{\"params\": [1]}", "line 1: expected {\"methodName\": \"name\", \"params\": [...]} or [\"name\", param, ...], found a response"),
            ("{\"methodName\": \"a\", \"params\": 1}", "line 1: at params: expected an array"),
        ] {
            let err = read_calls(input.as_bytes()).unwrap_err().to_string();
            assert!(err.starts_with(message), "{input:?}: {err}");
        }
        let err = read_calls("{\"methodName\": \"a\",".as_bytes())
            .unwrap_err()
            .to_string();
        assert!(!err.contains("at line 1"), "{err}");
    }
}
