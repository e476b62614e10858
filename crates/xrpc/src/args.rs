//! Command-line text to XML-RPC: `xrpc call`'s arguments (JSON, xmlrpc-c's typed forms,
//! `@PATH`) and the values of the client options (`--header`, `--timeout`).

use crate::json;
use serde_json::Value as Json;
use std::fmt;
use std::time::Duration;
use xmlrpc_kit::{Binary, DateTime, Value};

/// How `xrpc call` reads its arguments, for `--help`.
pub(crate) const ARGS_HELP: &str = "\
Argument forms (ARGS):
  JSON where it parses     8 int, 5000000000 i8, 1.5 double, true, null (nil),
                           [1, \"a\"] array, {\"k\": 1} struct, '\"8\"' the string 8,
                           {\"base64\": \"AAEC\"}, {\"dateTime\": \"20261125T10:00:00\"}
                           (see `xrpc decode --help` for the whole mapping)
  a string otherwise       hello, 'hello world' (text that starts like JSON, with [ { \"
                           or a number, must parse: write s/[1,2 to send it as text)
  xmlrpc-c's typed forms   i/5 int, I/5 i8, d/1.5 double, s/text string,
                           b/true boolean (true, false, t, f, 1, 0), n/ nil,
                           h/00ff base64 from hex bytes, t/20261125T10:00:00 dateTime
  @PATH                    the file's bytes, as base64
Negative numbers can be given as they are (-5); other text starting with `-` goes after
`--` or in a typed form (s/-v).";

/// An argument that cannot be turned into a value, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArgError {
    /// 1-based position among the method's arguments; 0 when not known.
    position: usize,
    /// The argument as given (shortened when long).
    arg: String,
    reason: String,
}

impl ArgError {
    fn new(arg: &str, reason: impl Into<String>) -> Self {
        const SHOWN: usize = 60;
        let arg = if arg.chars().count() > SHOWN {
            format!("{}...", arg.chars().take(SHOWN).collect::<String>())
        } else {
            arg.to_owned()
        };
        ArgError {
            position: 0,
            arg,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            0 => write!(f, "argument `{}`: {}", self.arg, self.reason),
            n => write!(f, "argument {n} (`{}`): {}", self.arg, self.reason),
        }
    }
}

impl std::error::Error for ArgError {}

/// The values of a method's arguments, in order; the error names the first bad one.
pub(crate) fn parse_args(args: &[String]) -> Result<Vec<Value>, ArgError> {
    args.iter()
        .enumerate()
        .map(|(i, arg)| {
            parse_arg(arg).map_err(|mut e| {
                e.position = i + 1;
                e
            })
        })
        .collect()
}

/// The value of one argument: a typed form (`i/5`), `@PATH`, JSON, or else the text itself.
pub(crate) fn parse_arg(arg: &str) -> Result<Value, ArgError> {
    if let Some((kind, body)) = typed_form(arg) {
        return typed_value(kind, body).map_err(|reason| {
            ArgError::new(
                arg,
                format!("{reason} (to send the text as a string, write s/{arg})"),
            )
        });
    }
    if let Some(path) = arg.strip_prefix('@') {
        if path.is_empty() {
            return Err(ArgError::new(
                arg,
                "expected a file's path after @ (to send `@` as a string, write s/@)",
            ));
        }
        return std::fs::read(path)
            .map(|bytes| Value::Base64(Binary::new(bytes)))
            .map_err(|e| ArgError::new(arg, format!("cannot read the file `{path}`: {e}")));
    }
    match serde_json::from_str::<Json>(arg) {
        Ok(value) => json::from_json(value).map_err(|e| {
            ArgError::new(
                arg,
                format!("{e} (to send the text as a string, write s/{arg})"),
            )
        }),
        Err(e) if looks_like_json(arg) => {
            // serde_json ends its message with "at line 1 column N": the column is enough.
            let message = e.to_string();
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m);
            Err(ArgError::new(
                arg,
                format!(
                    "looks like JSON but is not: {message} at column {} \
                     (to send the text as a string, write s/{arg})",
                    e.column()
                ),
            ))
        }
        Err(_) => Ok(Value::String(arg.to_owned())),
    }
}

/// Whether an argument is meant as JSON: it starts (after blanks) with `[`, `{`, `"`, a
/// digit, or a minus sign and a digit.
fn looks_like_json(arg: &str) -> bool {
    let text = arg.trim_start();
    let mut chars = text.chars();
    match chars.next() {
        Some('[' | '{' | '"') => true,
        Some(c) if c.is_ascii_digit() => true,
        Some('-') => chars.next().is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// The letters of xmlrpc-c's typed forms.
const KINDS: &[char] = &['i', 'I', 'd', 's', 'b', 'n', 'h', 't'];

/// The type letter and the text after the slash, when `arg` is a typed form.
fn typed_form(arg: &str) -> Option<(char, &str)> {
    let mut chars = arg.chars();
    let kind = chars.next()?;
    let body = chars.as_str().strip_prefix('/')?;
    KINDS.contains(&kind).then_some((kind, body))
}

/// The value of a typed form; the error says what the text after the slash should be.
fn typed_value(kind: char, body: &str) -> Result<Value, String> {
    match kind {
        'i' => body.parse::<i32>().map(Value::Int).map_err(|_| {
            if body.parse::<i64>().is_ok() {
                format!("`{body}` does not fit in 32 bits (I/ takes a 64-bit integer)")
            } else {
                format!("i/ takes an integer, and `{body}` is not one")
            }
        }),
        'I' => body
            .parse::<i64>()
            .map(Value::I8)
            .map_err(|_| format!("I/ takes a 64-bit integer, and `{body}` is not one")),
        'd' => body
            .parse::<f64>()
            .map(Value::Double)
            .map_err(|_| format!("d/ takes a number, and `{body}` is not one")),
        's' => Ok(Value::String(body.to_owned())),
        'b' => match body.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" => Ok(Value::Bool(true)),
            "false" | "f" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!(
                "b/ takes true, false, t, f, 1 or 0, and `{body}` is none of them"
            )),
        },
        'n' if body.is_empty() => Ok(Value::Nil),
        'n' => Err(format!(
            "n/ (nil) takes nothing after the slash, found `{body}`"
        )),
        'h' => hex(body).map(|bytes| Value::Base64(Binary::new(bytes))),
        't' => body
            .parse::<DateTime>()
            .map(Value::DateTime)
            .map_err(|e| format!("t/ takes a date and time such as 20261125T10:00:00: {e}")),
        _ => Err(format!("`{kind}/` is not a typed form")),
    }
}

/// Bytes from hex digits, two per byte.
fn hex(text: &str) -> Result<Vec<u8>, String> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "h/ takes two hex digits per byte, and `{text}` has an odd number of characters"
        ));
    }
    let digit = |at: usize| -> Result<u8, String> {
        let c = digits[at];
        (c as char).to_digit(16).map(|d| d as u8).ok_or_else(|| {
            format!(
                "h/ takes hex digits, and `{}` at offset {at} is not one",
                text[at..].chars().next().unwrap_or('?')
            )
        })
    };
    (0..digits.len())
        .step_by(2)
        .map(|at| Ok((digit(at)? << 4) | digit(at + 1)?))
        .collect()
}

/// One `--header` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    /// The header's name, as given.
    pub(crate) name: String,
    /// The header's value, without the blanks after the colon.
    pub(crate) value: String,
}

/// `--query NAME=VALUE`: a query parameter for the request URL.
pub(crate) fn parse_query(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_owned(), value.to_owned())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

/// Reads `Name: value` (clap's parser for `--header`).
pub(crate) fn parse_header(text: &str) -> Result<Header, String> {
    let Some((name, value)) = text.split_once(':') else {
        return Err(format!("expected `Name: value`, found `{text}` (no colon)"));
    };
    let name = name.trim();
    if name.is_empty() || name.contains(char::is_whitespace) {
        return Err(format!(
            "expected `Name: value`, and `{name}` is not a header name"
        ));
    }
    Ok(Header {
        name: name.to_owned(),
        value: value.trim().to_owned(),
    })
}

/// Reads a number of seconds, fractions allowed (clap's parser for `--timeout`).
pub(crate) fn parse_timeout(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("expected a number of seconds, found `{text}`"))?;
    if seconds.is_nan() || seconds <= 0.0 {
        return Err(format!(
            "the timeout must be more than 0 seconds, found `{text}`"
        ));
    }
    Duration::try_from_secs_f64(seconds).map_err(|e| format!("`{text}`: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(arg: &str) -> Value {
        match parse_arg(arg) {
            Ok(value) => value,
            Err(e) => panic!("{arg}: {e}"),
        }
    }

    fn err(arg: &str) -> String {
        match parse_arg(arg) {
            Ok(value) => panic!("{arg} gave {value:?}, expected an error"),
            Err(e) => e.to_string(),
        }
    }

    fn string(s: &str) -> Value {
        Value::String(s.to_owned())
    }

    #[test]
    fn json_arguments() {
        assert_eq!(ok("8"), Value::Int(8));
        assert_eq!(ok("-8"), Value::Int(-8));
        assert_eq!(ok("5000000000"), Value::I8(5_000_000_000));
        assert_eq!(ok("1.5"), Value::Double(1.5));
        assert_eq!(ok("1e3"), Value::Double(1000.0));
        assert_eq!(ok("true"), Value::Bool(true));
        assert_eq!(ok("false"), Value::Bool(false));
        assert_eq!(ok("null"), Value::Nil);
        assert_eq!(ok("\"8\""), string("8"));
        assert_eq!(
            ok("[1, \"a\", null]"),
            Value::Array(vec![Value::Int(1), string("a"), Value::Nil])
        );
        let Value::Struct(members) = ok(r#"{"z": 1, "a": [true]}"#) else {
            panic!("not a struct");
        };
        assert_eq!(members.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(members["a"], Value::Array(vec![Value::Bool(true)]));
    }

    #[test]
    fn json_tags() {
        assert_eq!(
            ok(r#"{"base64": "AAEC"}"#),
            Value::Base64(Binary::new(vec![0, 1, 2]))
        );
        assert_eq!(
            ok(r#"{"dateTime": "20261125T10:00:00"}"#),
            Value::DateTime(DateTime::new(2026, 11, 25, 10, 0, 0).unwrap())
        );
        assert!(matches!(ok(r#"{"double": "nan"}"#), Value::Double(d) if d.is_nan()));
    }

    #[test]
    fn json_that_is_not_a_value_is_an_error_not_a_string() {
        let e = err(r#"{"base64": "!!"}"#);
        assert!(e.contains("invalid base64"), "{e}");
        assert!(e.contains("s/{\"base64\""), "{e}");
        let e = err("18446744073709551615");
        assert!(e.contains("does not fit in 64 bits"), "{e}");
    }

    #[test]
    fn anything_else_is_a_string() {
        for text in [
            "hello",
            "hello world",
            "",
            " ",
            "x/y",
            "i",
            "ii/5",
            "/i/5",
            "http://example.com/x",
            "S/5",
            "B/true",
            "nan",
            "True",
            "-v",
            "- 5",
            "user@example.com",
            "é/5",
        ] {
            assert_eq!(ok(text), string(text), "{text:?}");
        }
    }

    #[test]
    fn text_that_starts_like_json_must_be_json() {
        for (arg, column) in [
            ("[1,2", 4),
            ("{\"a\"}", 5),
            ("\"open", 5),
            ("1.2.3", 4),
            ("-5x", 3),
            (" [", 2),
        ] {
            let e = err(arg);
            assert!(e.contains("looks like JSON but is not"), "{arg}: {e}");
            assert!(e.contains(&format!("at column {column} ")), "{arg}: {e}");
            assert!(e.contains(&format!("write s/{arg})")), "{arg}: {e}");
        }
        assert_eq!(ok("s/[1,2"), string("[1,2"));
    }

    #[test]
    fn typed_integers() {
        assert_eq!(ok("i/5"), Value::Int(5));
        assert_eq!(ok("i/-2147483648"), Value::Int(i32::MIN));
        assert_eq!(ok("I/5"), Value::I8(5));
        assert_eq!(ok("I/-9223372036854775808"), Value::I8(i64::MIN));
        let e = err("i/abc");
        assert!(
            e.contains("i/ takes an integer, and `abc` is not one"),
            "{e}"
        );
        assert!(e.contains("write s/i/abc"), "{e}");
        let e = err("i/2147483648");
        assert!(e.contains("does not fit in 32 bits (I/"), "{e}");
        assert!(err("i/").contains("i/ takes an integer"));
        assert!(err("i/1.5").contains("is not one"));
        assert!(err("I/9223372036854775808").contains("I/ takes a 64-bit integer"));
    }

    #[test]
    fn typed_doubles_strings_and_nil() {
        assert_eq!(ok("d/1.5"), Value::Double(1.5));
        assert_eq!(ok("d/8"), Value::Double(8.0));
        assert_eq!(ok("d/-inf"), Value::Double(f64::NEG_INFINITY));
        assert!(err("d/one").contains("d/ takes a number"));
        assert_eq!(ok("s/text"), string("text"));
        assert_eq!(ok("s/"), string(""));
        assert_eq!(ok("s/8"), string("8"));
        assert_eq!(ok("s/i/5"), string("i/5"));
        assert_eq!(ok("s/@file"), string("@file"));
        assert_eq!(ok("n/"), Value::Nil);
        assert!(err("n/x").contains("n/ (nil) takes nothing"));
    }

    #[test]
    fn typed_booleans() {
        for (text, want) in [
            ("b/true", true),
            ("b/t", true),
            ("b/1", true),
            ("b/TRUE", true),
            ("b/false", false),
            ("b/f", false),
            ("b/0", false),
        ] {
            assert_eq!(ok(text), Value::Bool(want), "{text}");
        }
        for text in ["b/yes", "b/", "b/2"] {
            assert!(err(text).contains("b/ takes true, false"), "{text}");
        }
    }

    #[test]
    fn typed_hex_bytes() {
        assert_eq!(
            ok("h/00ff7Fa0"),
            Value::Base64(Binary::new(vec![0, 0xff, 0x7f, 0xa0]))
        );
        assert_eq!(ok("h/"), Value::Base64(Binary::new(Vec::new())));
        assert!(err("h/abc").contains("odd number"));
        let e = err("h/0g");
        assert!(e.contains("`g` at offset 1 is not one"), "{e}");
        assert!(err("h/é12").contains("`é` at offset 0"));
    }

    #[test]
    fn typed_datetimes() {
        assert_eq!(
            ok("t/20261125T10:00:00"),
            Value::DateTime(DateTime::new(2026, 11, 25, 10, 0, 0).unwrap())
        );
        assert_eq!(
            ok("t/2026-11-25T10:11:12"),
            Value::DateTime(DateTime::new(2026, 11, 25, 10, 11, 12).unwrap())
        );
        let e = err("t/2026-13-01T00:00:00");
        assert!(e.contains("t/ takes a date and time"), "{e}");
        assert!(e.contains("month"), "{e}");
    }

    #[test]
    fn files_become_base64() {
        let path = std::env::temp_dir().join(format!("xrpc-args-{}.bin", std::process::id()));
        std::fs::write(&path, [0u8, 1, 2, 255]).unwrap();
        let arg = format!("@{}", path.display());
        let value = parse_arg(&arg);
        let _ = std::fs::remove_file(&path);
        assert_eq!(value, Ok(Value::Base64(Binary::new(vec![0, 1, 2, 255]))));

        let e = err("@/no/such/file/here");
        assert!(
            e.contains("cannot read the file `/no/such/file/here`"),
            "{e}"
        );
        assert!(err("@").contains("expected a file's path after @"));
    }

    #[test]
    fn errors_name_the_argument_and_its_position() {
        let args = ["8", "x", "i/abc"].map(String::from);
        let e = parse_args(&args).unwrap_err().to_string();
        assert!(e.starts_with("argument 3 (`i/abc`): "), "{e}");
        let long = format!("i/{}", "x".repeat(200));
        let e = parse_args(&[long]).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("argument 1 (`i/{}...`)", "x".repeat(58))),
            "{e}"
        );
        assert_eq!(
            parse_args(&["8".into(), "s/8".into()]),
            Ok(vec![Value::Int(8), string("8")])
        );
    }

    #[test]
    fn headers() {
        assert_eq!(
            parse_header("X-Trace:  abc def "),
            Ok(Header {
                name: "X-Trace".into(),
                value: "abc def".into()
            })
        );
        assert_eq!(
            parse_header("Authorization: Basic a:b").map(|h| h.value),
            Ok("Basic a:b".into())
        );
        assert!(parse_header("X-Trace abc")
            .unwrap_err()
            .contains("no colon"));
        assert!(parse_header(": abc").is_err());
        assert!(parse_header("X Trace: abc").is_err());
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("2"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_timeout("0.25"), Ok(Duration::from_millis(250)));
        for bad in ["0", "-1", "nan", "inf", "soon", ""] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
