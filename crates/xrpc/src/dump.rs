//! `xrpc dump`: a server that prints every request it receives (request line, headers, the
//! decoded call, deviations from the spec) and answers each call with a set value or
//! fault, as xmlrpc-c's dump server does (the library's `debug::Dump`).

use crate::error::Error;
use crate::show;
use std::io::Write;
use xmlrpc_kit::codec::Document;
use xmlrpc_kit::debug::{Decoded, Dump, Received};
use xmlrpc_kit::Fault;

/// `xrpc dump`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct DumpArgs {
    /// Where to listen: HOST:PORT (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8890", value_name = "ADDR")]
    pub(crate) listen: String,
    /// The value every call gets, in the JSON form (`true`, `16`, `{"ok": 1}`).
    #[arg(
        long,
        value_name = "JSON",
        default_value = "true",
        conflicts_with = "fault"
    )]
    pub(crate) answer: String,
    /// Answer every call with this fault instead: CODE:MESSAGE.
    #[arg(long, value_name = "CODE:MESSAGE", value_parser = parse_fault)]
    pub(crate) fault: Option<Fault>,
}

fn parse_fault(text: &str) -> Result<Fault, String> {
    let (code, message) = text
        .split_once(':')
        .ok_or_else(|| format!("`{text}`: expected CODE:MESSAGE, e.g. 4:Too many parameters"))?;
    let code = code
        .trim()
        .parse::<i32>()
        .map_err(|_| format!("`{code}` is not a fault code (an integer)"))?;
    Ok(Fault::new(code, message))
}

/// Runs the dump server until Ctrl-C or SIGTERM.
pub(crate) fn run(args: &DumpArgs) -> Result<(), Error> {
    crate::log::init(false, crate::log::LogFormat::Text);
    let answer = match &args.fault {
        Some(fault) => Err(fault.clone()),
        None => {
            let json: serde_json::Value = serde_json::from_str(&args.answer)?;
            Ok(xmlrpc_kit::json::from_json(json).map_err(Error::Shape)?)
        }
    };
    let shown = match &answer {
        Ok(value) => show::value(value),
        Err(fault) => show::fault(fault),
    };
    let dump = Dump::new(answer).on_request(print);
    crate::listen::until_signal(
        &args.listen,
        |local| format!("XML-RPC dump server listening on http://{local}/RPC2, answering {shown}"),
        |listener, stop| dump.serve(listener, stop),
    )
}

/// One request: its line, headers, the call with one parameter a line, deviations.
fn print(received: &Received) {
    let mut text = format!(
        "== {} from {}\n",
        received.request_line,
        received
            .peer
            .map_or_else(|| "-".to_owned(), |p| p.to_string())
    );
    for (name, value) in &received.headers {
        text.push_str(&format!("{name}: {value}\n"));
    }
    text.push_str(&format!("-- body: {}\n", show::size(received.body_bytes)));
    match &received.call {
        Decoded::Document(Document::Call(call)) => {
            text.push_str(&format!("call {}\n", call.method_name));
            for (i, param) in call.params.iter().enumerate() {
                text.push_str(&format!("  param {}: {}\n", i + 1, show::value(param)));
            }
        }
        other => text.push_str(&format!("{}\n", show::request(other))),
    }
    if received.deviations.is_empty() {
        text.push_str("-- no deviations from the spec\n");
    } else {
        text.push_str("-- deviations from the spec:\n");
        for d in &received.deviations {
            text.push_str(&format!("  * {d}\n"));
        }
    }
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::parse_fault;

    #[test]
    fn a_fault_is_code_colon_message() {
        let f = parse_fault("4:Too many: really").unwrap();
        assert_eq!((f.code, f.string.as_str()), (4, "Too many: really"));
        assert!(parse_fault("x:y").is_err());
        assert!(parse_fault("nocolon").is_err());
    }
}
