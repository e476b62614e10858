//! The test server every peer's client calls: the cases (`interop.get`, `interop.check`),
//! `echo`, faults on demand, introspection, multicall and the classic validator1 suite.

use crate::cases::{cases, describe, same, Case};
use std::sync::OnceLock;
use xmlrpc_kit::server::{Server, ServerConfig};
use xmlrpc_kit::{Fault, Struct, Value};

/// The cases, built once (one of them is a megabyte).
fn table() -> &'static [Case] {
    static TABLE: OnceLock<Vec<Case>> = OnceLock::new();
    TABLE.get_or_init(cases)
}

fn case(name: &str) -> Result<&'static Case, Fault> {
    table()
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| Fault::new(404, format!("no case named {name:?}")))
}

/// What `interop.check` answers: `ok`, or what differs.
///
/// ```
/// use xmlrpc_kit::Value;
/// assert_eq!(interop::check("int_one", &Value::Int(1)), "ok");
/// assert!(interop::check("int_one", &Value::from("1")).starts_with("differs"));
/// ```
pub fn check(name: &str, got: &Value) -> String {
    match case(name) {
        Ok(c) if same(&c.value, got) => "ok".to_owned(),
        Ok(c) => format!(
            "differs: sent {}, came back {}",
            describe(&c.value),
            describe(got)
        ),
        Err(fault) => fault.string,
    }
}

/// A number member of a struct, as validator1 sends them (`<int>` or `<i4>`).
fn member(value: &Value, name: &str) -> Result<i64, Fault> {
    value
        .get(name)
        .and_then(Value::as_i64)
        .ok_or_else(|| Fault::new(Fault::INVALID_PARAMS, format!("no integer member {name:?}")))
}

fn struct_of<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Struct(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Struct>(),
    )
}

fn sum3(value: &Value) -> Result<i64, Fault> {
    Ok(member(value, "moe")? + member(value, "larry")? + member(value, "curly")?)
}

/// Adds the validator1 methods (the classic XML-RPC interoperability suite).
///
/// ```
/// let server = interop::with_validator1(xmlrpc_kit::server::Server::new());
/// # let _ = server;
/// ```
pub fn with_validator1(server: Server) -> Server {
    server
        .method("validator1.arrayOfStructsTest", |items: Vec<Value>| {
            items.iter().map(|s| member(s, "curly")).sum::<Result<i64, Fault>>()
        })
        .help("Sums the curly members of an array of structs.")
        .signature(["int", "array"])
        .method("validator1.countTheEntities", |text: String| {
            let count = |c: char| Value::Int(text.matches(c).count() as i32);
            struct_of([
                ("ctLeftAngleBrackets", count('<')),
                ("ctRightAngleBrackets", count('>')),
                ("ctAmpersands", count('&')),
                ("ctApostrophes", count('\'')),
                ("ctQuotes", count('"')),
            ])
        })
        .help("Counts the characters XML escapes in a string.")
        .signature(["struct", "string"])
        .method("validator1.easyStructTest", |s: Value| sum3(&s))
        .help("Sums the moe, larry and curly members of a struct.")
        .signature(["int", "struct"])
        .method("validator1.echoStructTest", |s: Struct| s)
        .help("Returns the struct it is given.")
        .signature(["struct", "struct"])
        .method(
            "validator1.manyTypesTest",
            |n: Value, b: Value, s: Value, d: Value, t: Value, b64: Value| {
                Value::Array(vec![n, b, s, d, t, b64])
            },
        )
        .help("Returns its six parameters (int, boolean, string, double, dateTime, base64) as an array.")
        .signature(["array", "int", "boolean", "string", "double", "dateTime.iso8601", "base64"])
        .method("validator1.moderateSizeArrayCheck", |items: Vec<String>| {
            match (items.first(), items.last()) {
                (Some(first), Some(last)) => Ok(format!("{first}{last}")),
                _ => Err(Fault::new(Fault::INVALID_PARAMS, "the array is empty")),
            }
        })
        .help("Joins the first and last strings of an array.")
        .signature(["string", "array"])
        .method("validator1.nestedStructTest", |calendar: Value| {
            let day = calendar
                .get("2000")
                .and_then(|y| y.get("04"))
                .and_then(|m| m.get("01"))
                .ok_or_else(|| Fault::new(Fault::INVALID_PARAMS, "no member 2000/04/01"))?;
            sum3(day)
        })
        .help("Sums moe, larry and curly of the day 2000-04-01 in a calendar of structs.")
        .signature(["int", "struct"])
        .method("validator1.simpleStructReturnTest", |n: i32| {
            struct_of([
                ("times10", Value::I8(i64::from(n) * 10)),
                ("times100", Value::I8(i64::from(n) * 100)),
                ("times1000", Value::I8(i64::from(n) * 1000)),
            ])
        })
        .help("Returns a struct of the number times 10, 100 and 1000.")
        .signature(["struct", "int"])
}

/// The whole test server: cases, echo, faults, validator1, introspection and multicall,
/// with the given configuration.
///
/// ```
/// let handle = interop::test_server(Default::default()).spawn("127.0.0.1:0")?;
/// # drop(handle);
/// # Ok::<(), xmlrpc_kit::server::ServeError>(())
/// ```
pub fn test_server(config: ServerConfig) -> Server {
    let server = Server::new()
        .config(config)
        .method("interop.cases", || {
            table().iter().map(|c| c.name).collect::<Vec<_>>()
        })
        .help("The names of the test cases.")
        .signature(["array"])
        .method("interop.get", |name: String| {
            case(&name).map(|c| c.value.clone())
        })
        .help("The value of the named case.")
        .method("interop.check", |name: String, got: Value| {
            check(&name, &got)
        })
        .help("\"ok\" when the value is the named case's value, else what differs.")
        .method(
            "interop.fault",
            |code: i32, string: String| -> Result<(), Fault> { Err(Fault::new(code, string)) },
        )
        .help("Answers with the fault it is given.")
        .signature(["struct", "int", "string"])
        .method("echo", |v: Value| v)
        .help("Returns its argument.");
    with_validator1(server)
        .with_introspection()
        .with_multicall()
}
