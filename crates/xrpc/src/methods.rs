//! `xrpc methods`: the server's `system.listMethods`, one name per line.

use crate::connection::Connection;
use crate::error::Error;
use crate::json;
use std::io::{BufWriter, Write};
use xmlrpc_kit::Value;

/// The introspection method that lists the server's methods.
const LIST_METHODS: &str = "system.listMethods";

/// `xrpc methods`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct MethodsArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
}

/// `xrpc methods`: prints the names.
pub(crate) fn run(args: &MethodsArgs, output: impl Write) -> Result<(), Error> {
    let names = args.connection.client()?.call_value(LIST_METHODS, &[])?;
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

/// A string as it is; any other value in its compact JSON form.
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => json::to_json(other).to_string(),
    }
}

/// `a struct`, `an int`: a type name with its article, for messages.
pub(crate) fn a(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles() {
        assert_eq!(a("struct"), "a struct");
        assert_eq!(a("int"), "an int");
        assert_eq!(a("array"), "an array");
    }
}
