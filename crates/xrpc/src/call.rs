//! `xrpc call`, `methods`, `help` and `multicall`: requests through the library's blocking
//! client, answers printed in the JSON form of `json` (or, for `call --xml`, as XML-RPC).

use crate::args::{self, Header};
use crate::error::Error;
use crate::json::{self, Document, ShapeError};
use serde_json::{json, Value as Json};
use std::io::{BufRead, BufWriter, Write};
use std::time::Duration;
use xmlrpc_kit::client::{self, Client};
use xmlrpc_kit::{codec, Value};

/// The introspection method that lists the server's methods.
const LIST_METHODS: &str = "system.listMethods";
/// The introspection method that gives a method's help text.
const METHOD_HELP: &str = "system.methodHelp";
/// The introspection method that gives a method's signatures.
const METHOD_SIGNATURE: &str = "system.methodSignature";

/// How `xrpc multicall` reads its input, for `--help`.
pub(crate) const MULTICALL_HELP: &str = "\
Input: one call per line, blank lines skipped, as
  {\"methodName\": \"add\", \"params\": [1, 2]}
or, shorter,
  [\"add\", 1, 2]
with values in the JSON form of `xrpc decode --help`.

Output: one line per call, in order:
  {\"result\": 3}
  {\"fault\": {\"faultCode\": 4, \"faultString\": \"Too many\"}}
A fault in one call does not stop the others, and the exit code stays 0.";

/// Where and how to reach the server: what every client subcommand shares.
#[derive(Debug, Clone)]
pub(crate) struct Connection {
    /// The server's URL as given (`host:port` alone is allowed).
    pub(crate) url: String,
    /// Time allowed for a whole call; `None` keeps the library's default.
    pub(crate) timeout: Option<Duration>,
    /// Extra request headers.
    pub(crate) headers: Vec<Header>,
    /// Whether to ask for gzip replies.
    pub(crate) gzip: bool,
}

impl Connection {
    /// A blocking client with these settings (building one sends nothing).
    fn client(&self) -> Result<Client, Error> {
        Ok(self.builder().build()?)
    }

    /// The client settings, to add to before building.
    pub(crate) fn builder(&self) -> xmlrpc_kit::client::ClientBuilder {
        let mut builder = Client::builder(&self.url).accept_gzip(self.gzip);
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        for header in &self.headers {
            builder = builder.header(&header.name, &header.value);
        }
        builder
    }
}

/// How `xrpc call` prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// The result's JSON form, pretty-printed.
    Json,
    /// A `<methodResponse>` holding the result, written anew from the decoded value.
    Xml,
}

/// `xrpc call`: calls `method` with `args` (see `args`) and prints the result.
///
/// The arguments are all read before the server is contacted, so a bad one costs no request.
pub(crate) fn call(
    connection: &Connection,
    method: &str,
    args: &[String],
    format: Format,
    output: impl Write,
) -> Result<(), Error> {
    let params = args::parse_args(args)?;
    let result = connection.client()?.call_value(method, &params)?;
    let mut output = BufWriter::new(output);
    match format {
        Format::Json => serde_json::to_writer_pretty(&mut output, &json::to_json(&result))?,
        Format::Xml => output.write_all(&codec::response_to_vec(&result)?)?,
    }
    output.write_all(b"\n")?;
    output.flush()?;
    Ok(())
}

/// `xrpc methods`: the server's `system.listMethods`, one name per line.
pub(crate) fn methods(connection: &Connection, output: impl Write) -> Result<(), Error> {
    let names = connection.client()?.call_value(LIST_METHODS, &[])?;
    let Value::Array(names) = names else {
        return Err(Error::Answer {
            method: LIST_METHODS.into(),
            problem: format!("{}, not an array of method names", a(names.type_name())),
        });
    };
    let mut output = BufWriter::new(output);
    for name in &names {
        writeln!(output, "{}", text_of(name))?;
    }
    output.flush()?;
    Ok(())
}

/// `xrpc help`: `method`'s help text, then one `method(type, ...) -> type` line per
/// signature, after a blank line.
///
/// A server that has no signatures answers `system.methodSignature` with a string
/// ("undef", or Python's "signatures not supported"), or with a fault if it lacks the
/// method: all of these print no signature lines.
pub(crate) fn help(connection: &Connection, method: &str, output: impl Write) -> Result<(), Error> {
    let client = connection.client()?;
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
        Err(client::Error::Fault(_)) => Vec::new(),
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

/// A string as it is; any other value in its compact JSON form.
fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => json::to_json(other).to_string(),
    }
}

/// `a struct`, `an int`: a type name with its article, for messages.
fn a(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}

/// `xrpc multicall`: reads calls from `input` (see [`MULTICALL_HELP`]), sends them as one
/// `system.multicall`, and prints one line per result. No calls, no request.
pub(crate) fn multicall(
    connection: &Connection,
    input: impl BufRead,
    output: impl Write,
) -> Result<(), Error> {
    let calls = read_calls(input)?;
    if calls.is_empty() {
        return Ok(());
    }
    let client = connection.client()?;
    let mut batch = client.multicall();
    for (method, params) in &calls {
        batch.add(method, params.as_slice())?;
    }
    let results = batch.send()?;
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

    #[test]
    fn bad_arguments_fail_before_any_request() {
        // Nothing listens there: had a request been tried, the error would be `Client`.
        let connection = Connection {
            url: "127.0.0.1:9".into(),
            timeout: Some(Duration::from_secs(5)),
            headers: Vec::new(),
            gzip: true,
        };
        let mut out = Vec::new();
        let err = call(&connection, "add", &["i/x".into()], Format::Json, &mut out).unwrap_err();
        assert!(matches!(err, Error::Arg(_)), "{err:?}");
        assert!(out.is_empty());
    }

    #[test]
    fn articles() {
        assert_eq!(a("struct"), "a struct");
        assert_eq!(a("int"), "an int");
        assert_eq!(a("array"), "an array");
    }
}
