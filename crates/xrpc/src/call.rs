//! `xrpc call`: one request through the library's blocking client, its result printed in
//! the JSON form of `json` (or, with `--xml`, as XML-RPC), or written to a file with `-o`.

use crate::args;
use crate::connection::Connection;
use crate::error::Error;
use crate::json;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use xmlrpc_kit::client::CallOptions;
use xmlrpc_kit::{codec, Value};

/// `xrpc call`'s arguments.
#[derive(Debug, clap::Args)]
#[command(after_long_help = args::ARGS_HELP)]
pub(crate) struct CallArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// The method's name.
    pub(crate) method: String,
    /// The method's arguments: JSON where it parses, a string otherwise, or a typed
    /// form (i/5, s/text, @PATH...; see --help).
    #[arg(allow_negative_numbers = true)]
    pub(crate) args: Vec<String>,
    /// Print the result as an XML-RPC <methodResponse> instead of JSON. It is written
    /// anew from the decoded result (same values, not the server's exact bytes).
    #[arg(long)]
    pub(crate) xml: bool,
    /// Write the result to FILE instead of stdout: a base64 result as its raw bytes,
    /// any other result as it would be printed.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Refuse a reply that deviates from the XML-RPC specification in any way (a string
    /// faultCode, <biginteger>, a fault without <value>, <params/>, ...): exit 1 naming
    /// the deviation, instead of reading it leniently.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Print on stderr each deviation from the specification the reply had (what, at
    /// which byte, what was seen), as `xrpc: deviation: ...` lines.
    #[arg(long, short = 'v')]
    pub(crate) verbose: bool,
}

/// `xrpc call`: calls the method with its arguments (see `args`) and prints the result.
///
/// The arguments are all read before the server is contacted, so a bad one costs no request.
pub(crate) fn run(call: &CallArgs, stdout: impl Write) -> Result<(), Error> {
    let params = args::parse_args(&call.args)?;
    let client = call.connection.builder()?.strict(call.strict).build()?;
    let reply = client
        .call_reply::<Value, _>(&call.method, &params, &CallOptions::new())
        .map_err(strict_refusal)?;
    call.connection.save_cookies(&client)?;
    if call.verbose {
        let mut stderr = std::io::stderr().lock();
        for deviation in &reply.deviations {
            writeln!(stderr, "xrpc: deviation: {deviation}")?;
        }
    }
    let result = reply.into_result()?;
    match &call.output {
        Some(path) => {
            let named = |e: std::io::Error| {
                Error::Io(std::io::Error::new(
                    e.kind(),
                    format!("-o {}: {e}", path.display()),
                ))
            };
            let file = std::fs::File::create(path).map_err(named)?;
            let mut file = BufWriter::new(file);
            match &result {
                Value::Base64(bytes) => file.write_all(bytes).map_err(named)?,
                other => print(other, call.xml, &mut file)?,
            }
            file.flush().map_err(named)?;
            Ok(())
        }
        None => {
            let mut stdout = BufWriter::new(stdout);
            print(&result, call.xml, &mut stdout)?;
            stdout.flush()?;
            Ok(())
        }
    }
}

/// A reply refused by `--strict` says which deviation; other errors stay as they are.
fn strict_refusal(e: xmlrpc_kit::client::Error) -> Error {
    use xmlrpc_kit::client::Error as ClientError;
    match &e {
        ClientError::Reply(cause) | ClientError::Type(cause) => match cause.deviation() {
            Some(deviation) => Error::Message(format!(
                "the reply deviates from XML-RPC (refused by --strict): {deviation}"
            )),
            None => Error::Client(e),
        },
        _ => Error::Client(e),
    }
}

/// The result as JSON (pretty) or as a `<methodResponse>`, and a newline.
fn print(result: &Value, xml: bool, mut output: impl Write) -> Result<(), Error> {
    if xml {
        output.write_all(&codec::response_to_vec(result)?)?;
    } else {
        serde_json::to_writer_pretty(&mut output, &json::to_json(result))?;
    }
    output.write_all(b"\n")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        call: CallArgs,
    }

    #[test]
    fn bad_arguments_fail_before_any_request() {
        // Nothing listens there: had a request been tried, the error would be `Client`.
        let cli =
            Cli::try_parse_from(["call", "--timeout", "5", "127.0.0.1:9", "add", "i/x"]).unwrap();
        let mut out = Vec::new();
        let err = run(&cli.call, &mut out).unwrap_err();
        assert!(matches!(err, Error::Arg(_)), "{err:?}");
        assert!(out.is_empty());
    }
}
