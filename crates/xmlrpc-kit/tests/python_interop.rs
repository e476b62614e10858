//! Interoperability with CPython's `xmlrpc.client`, the reference most peers are tested
//! against. Python writes a corpus of every type with `dumps` and we read it; we write a
//! corpus with our writer and Python reads it with `loads`. Both sides describe values in
//! one tagged JSON form (below), so every value is compared exactly: doubles by bit pattern,
//! bytes as hex, struct members in order.
//!
//! ```text
//! {"t": "int", "v": 5}          {"t": "i8", "v": 1099511627776}   {"t": "bool", "v": true}
//! {"t": "string", "v": "..."}   {"t": "double", "v": "<16 hex digits of the IEEE bits>"}
//! {"t": "dateTime", "v": "20261125T10:11:12"}                     {"t": "base64", "v": "<hex>"}
//! {"t": "struct", "v": [["name", <value>], ...]}   {"t": "array", "v": [...]}   {"t": "nil"}
//! ```
//!
//! `python3` must be on the PATH: these tests fail, rather than skip, without it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value as Json};
use std::io::BufReader;
use std::process::Command;
use std::time::Duration;
use xmlrpc_kit::codec::{self, MethodResponse, Reader};
use xmlrpc_kit::{Binary, DateTime, Fault, Struct, Value};

// ----- the tagged form, Python side --------------------------------------------------------

/// `tag(v)`: the tagged JSON form of a Python value, shared by both scripts.
const PY_TAG: &str = r#"
import datetime, json, struct, sys
import xmlrpc.client as x

def tag(v, text=lambda s: s):
    if v is None:
        return {"t": "nil"}
    if isinstance(v, bool):
        return {"t": "bool", "v": v}
    if isinstance(v, int):
        return {"t": "int", "v": v}
    if isinstance(v, float):
        return {"t": "double", "v": struct.pack(">d", v).hex()}
    if isinstance(v, str):
        return {"t": "string", "v": text(v)}
    if isinstance(v, x.DateTime):
        return {"t": "dateTime", "v": v.value}
    if isinstance(v, datetime.datetime):
        return {"t": "dateTime", "v": "%04d%02d%02dT%02d:%02d:%02d" % v.timetuple()[:6]}
    if isinstance(v, x.Binary):
        return {"t": "base64", "v": v.data.hex()}
    if isinstance(v, (bytes, bytearray)):
        return {"t": "base64", "v": bytes(v).hex()}
    if isinstance(v, dict):
        return {"t": "struct", "v": [[text(k), tag(w, text)] for k, w in v.items()]}
    if isinstance(v, (list, tuple)):
        return {"t": "array", "v": [tag(w, text) for w in v]}
    raise TypeError("no tag for %r" % type(v))
"#;

/// Python → us: builds documents with `xmlrpc.client.dumps` and prints them (hex, so any
/// encoding survives) with the values they must decode to.
const PY_WRITE: &str = r#"
def xml_eol(s):
    # XML end-of-line handling: Python writes CR literally, and every XML parser reads a
    # literal CR or CR LF as LF.
    return s.replace("\r\n", "\n").replace("\r", "\n")

ints = [0, 1, -1, 42, 2**31 - 1, -2**31]
bools = [True, False]
strings = [
    "", "hello", "  padded\t ", "caf\u00e9 \u00fc\u00df \u4e2d\u6587 \u0416",
    "\U0001F600\U0001F680 astral", "<tag attr=\"v\"> & 'quote' ]]> &amp;",
    "line1\nline2\r\nline3\rline4\ttab", "\u00a0nbsp \u0080\u0085\u009f C1", "\ufffd\ue000 private",
]
doubles = [0.0, -0.0, 1.5, 1e300, 5e-324, 1 / 3, -2.5e-10, 0.1, 2.0**53 + 2, 1e16, 1e22,
           -1.7976931348623157e308, 2.2250738585072014e-308]
dates = [
    x.DateTime(datetime.datetime(2026, 11, 25, 10, 11, 12)),
    x.DateTime("19700101T00:00:00"),
    x.DateTime((1999, 12, 31, 23, 59, 59, 0, 0, 0)),
    datetime.datetime(1, 1, 1, 0, 0, 0),
    datetime.datetime(9999, 12, 31, 23, 59, 59),
]
big = bytes((i * 7919 + 13) % 256 for i in range(100_000))
binaries = [x.Binary(b""), x.Binary(b"hello"), x.Binary(bytes(range(256))), x.Binary(big), b"raw bytes\x00\xff"]
structs = [
    {},
    {"a": 1, "b": [1, 2, {"c": None}]},
    {"\u043a\u043b\u044e\u0447": "\u0437\u043d\u0430\u0447\u0435\u043d\u0438\u0435",
     "\U0001F511": {"nested": {"deeper": [[], {}]}}},
    {"<&>": "markup key", "": "empty key", " spaced ": 0},
]
lists = [[], [[]], [1, "two", 3.0, [4, [5, [6]]]], [None, None], [x.Binary(b"\x01"), x.DateTime("20000229T12:00:00")]]
everything = ints + bools + strings + doubles + dates + binaries + structs + lists + [None]

cases = []

def case(name, kind, doc, expect):
    cases.append({"name": name, "kind": kind, "doc": doc.hex(), "expect": expect})

def call(name, params, encoding="utf-8"):
    doc = x.dumps(tuple(params), methodname="sample.everything", encoding=encoding, allow_none=True)
    # What ServerProxy does before sending: encode, with references for what won't fit.
    doc = doc.encode(encoding, "xmlcharrefreplace")
    case(name, "call", doc, {"method": "sample.everything", "params": [tag(p, xml_eol) for p in params]})
    return doc

def response(name, value, encoding="utf-8"):
    doc = x.dumps((value,), methodresponse=True, encoding=encoding, allow_none=True)
    doc = doc.encode(encoding, "xmlcharrefreplace")
    case(name, "response", doc, {"params": [tag(value, xml_eol)]})
    return doc

def fault(name, code, string, encoding="utf-8"):
    doc = x.dumps(x.Fault(code, string), encoding=encoding).encode(encoding, "xmlcharrefreplace")
    case(name, "fault", doc, {"code": code, "string": xml_eol(string)})
    return doc

call("call: everything", everything)
call("call: no params", [])
for i, v in enumerate(everything):
    response("response %d: %s" % (i, type(v).__name__), v)
wrapped = response("response: 100 KB base64, wrapped in lines", x.Binary(big))
assert wrapped.count(b"\n") > len(big) * 4 // 3 // 76, "Python no longer wraps base64"
response("response: all in one struct", {"everything": everything, "again": list(everything)})
fault("fault: markup", 4, "Too many <params>")
fault("fault: interop code, non-ASCII", -32601, "no such method: \u00e9\U0001F600 \r\n")

# Latin-1 documents: Python declares the encoding, writes Latin-1 text as single bytes and
# everything beyond U+00FF as character references.
latin = call("call: everything, iso-8859-1", everything, "iso-8859-1")
assert latin.startswith(b"<?xml version='1.0' encoding='iso-8859-1'?>"), latin[:60]
assert b"caf\xe9" in latin and b"\x80\x85\x9f" in latin and b"&#128512;" in latin and b"&#20013;" in latin
response("response: struct, iso-8859-1", structs[2], "iso-8859-1")
fault("fault: iso-8859-1", 7, "\u00e9chec \u20ac", "iso-8859-1")

# UTF-16 (with a BOM, as Python's codec writes it).
utf16 = call("call: everything, utf-16", everything, "utf-16")
assert utf16.startswith(b"\xff\xfe<\x00?\x00"), utf16[:8]

json.dump(cases, sys.stdout)
"#;

/// Us → Python: reads `name<TAB>hex` lines from stdin, `loads` each document, and prints
/// one JSON line per document describing what Python made of it.
const PY_READ: &str = r#"
for line in sys.stdin:
    name, doc = line.rstrip("\n").split("\t")
    try:
        params, method = x.loads(bytes.fromhex(doc), use_builtin_types=False)
        out = {"name": name, "method": method, "params": [tag(p) for p in params]}
    except x.Fault as f:
        out = {"name": name, "fault": {"code": f.faultCode, "string": f.faultString}}
    except Exception as e:
        out = {"name": name, "error": "%s: %s" % (type(e).__name__, e)}
    print(json.dumps(out))
"#;

// ----- the tagged form, Rust side ----------------------------------------------------------

/// How integers are named: exactly, or as Python sees them (`<int>` and `<i8>` both `int`).
#[derive(Clone, Copy)]
enum Ints {
    Exact,
    AsPython,
}

fn tagged(v: &Value, ints: Ints) -> Json {
    match v {
        Value::Int(i) => json!({"t": "int", "v": i}),
        Value::I8(i) => match ints {
            Ints::Exact => json!({"t": "i8", "v": i}),
            Ints::AsPython => json!({"t": "int", "v": i}),
        },
        Value::Bool(b) => json!({"t": "bool", "v": b}),
        Value::String(s) => json!({"t": "string", "v": s}),
        Value::Double(d) => json!({"t": "double", "v": format!("{:016x}", d.to_bits())}),
        Value::DateTime(t) => json!({"t": "dateTime", "v": t.to_string()}),
        Value::Base64(b) => json!({"t": "base64", "v": hex(b)}),
        Value::Struct(members) => {
            let members: Vec<Json> = members
                .iter()
                .map(|(k, v)| json!([k, tagged(v, ints)]))
                .collect();
            json!({"t": "struct", "v": members})
        }
        Value::Array(items) => json!({"t": "array", "v": tagged_all(items, ints)}),
        Value::Nil => json!({"t": "nil"}),
        Value::BigInteger(n) => json!({"t": "biginteger", "v": n.as_str()}),
        Value::BigDecimal(n) => json!({"t": "bigdecimal", "v": n.as_str()}),
    }
}

fn tagged_all(values: &[Value], ints: Ints) -> Vec<Json> {
    values.iter().map(|v| tagged(v, ints)).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// Where two JSON trees first differ, as `path: expected … found …`, or `None` when equal.
/// (A whole-tree `assert_eq!` would print hundreds of kilobytes of hex for one bad byte.)
fn first_difference(expected: &Json, found: &Json, path: &str) -> Option<String> {
    match (expected, found) {
        (Json::Array(a), Json::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (a, b))| first_difference(a, b, &format!("{path}[{i}]"))),
        (Json::Object(a), Json::Object(b))
            if a.len() == b.len() && a.keys().all(|k| b.contains_key(k)) =>
        {
            a.iter()
                .find_map(|(k, a)| first_difference(a, &b[k], &format!("{path}.{k}")))
        }
        _ if expected == found => None,
        _ => Some(format!(
            "{path}: expected {}\n    found {}",
            shorten(expected),
            shorten(found)
        )),
    }
}

fn shorten(v: &Json) -> String {
    let text = v.to_string();
    match text.char_indices().nth(300) {
        Some((at, _)) => format!("{}… ({} chars)", &text[..at], text.chars().count()),
        None => text,
    }
}

// ----- running Python ----------------------------------------------------------------------

/// Runs `python3 -c script` with `input` on stdin and returns its stdout. Fails when python3
/// is missing or exits with an error, and kills it after a minute so a test never hangs.
fn run_python(script: &str, input: &[u8]) -> String {
    let mut python = Command::new("python3");
    python.args(["-X", "utf8", "-c", script]);
    let out = test_support::process::run_with_input(python, input, Duration::from_secs(60))
        .unwrap_or_else(|e| {
            panic!("python3 must be on the PATH for the interoperability tests: {e}")
        });
    assert!(
        out.status.success(),
        "python3 failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

// ----- Python → us -------------------------------------------------------------------------

/// Reads one of Python's documents, from a slice (as `codec::read_call` and
/// `codec::read_response` do) or from a stream handed out 7 bytes at a time, and describes
/// it in the shape of the script's `expect`.
fn read_as_json(kind: &str, doc: &[u8], streaming: bool) -> Result<Json, xmlrpc_kit::Error> {
    let reader = if streaming {
        Reader::from_reader(BufReader::with_capacity(7, doc))?
    } else {
        Reader::from_slice(doc)?
    };
    Ok(if kind == "call" {
        let call = reader.read_call()?;
        json!({"method": call.method_name, "params": tagged_all(&call.params, Ints::Exact)})
    } else {
        match reader.read_response()? {
            MethodResponse::Params(params) => json!({"params": tagged_all(&params, Ints::Exact)}),
            MethodResponse::Fault(f) => json!({"code": f.code, "string": f.string}),
        }
    })
}

#[test]
fn we_read_what_python_writes() {
    let out = run_python(&format!("{PY_TAG}{PY_WRITE}"), b"");
    let cases: Vec<Json> = serde_json::from_str(&out).unwrap();
    assert!(cases.len() > 50, "only {} cases from Python", cases.len());
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let kind = case["kind"].as_str().unwrap();
        *kinds.entry(kind.to_owned()).or_default() += 1;
        let doc = unhex(case["doc"].as_str().unwrap());
        for (how, streaming) in [("slice", false), ("stream", true)] {
            let found = read_as_json(kind, &doc, streaming)
                .unwrap_or_else(|e| json!({"error": e.to_string()}));
            if let Some(diff) = first_difference(&case["expect"], &found, "") {
                failures.push(format!("{name} ({how}): {diff}"));
            }
        }
        // Typed decoding agrees with the dynamic reading.
        if kind == "response" {
            let typed =
                codec::decode_response::<Value>(&doc).map(|r| r.map(|v| tagged(&v, Ints::Exact)));
            match typed {
                Ok(Ok(v)) if v == case["expect"]["params"][0] => {}
                other => failures.push(format!(
                    "{name} (decode_response): {:?}",
                    other.map(|r| r.map(|v| shorten(&v)))
                )),
            }
        }
    }
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(
        failures.is_empty(),
        "{} of {} documents read wrongly:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

// ----- us → Python -------------------------------------------------------------------------

fn datetime(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> DateTime {
    DateTime::new(y, mo, d, h, mi, s).unwrap()
}

fn members(pairs: Vec<(&str, Value)>) -> Value {
    Value::Struct(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Struct>(),
    )
}

/// Every type, and the values of each that peers most often get wrong.
fn rust_corpus() -> Vec<Value> {
    let mut values = vec![
        Value::Int(0),
        Value::Int(i32::MAX),
        Value::Int(i32::MIN),
        Value::I8(1 << 40),
        Value::I8(-(1 << 40)),
        Value::I8(i64::MAX),
        Value::I8(i64::MIN),
        Value::I8(5),
        Value::Bool(true),
        Value::Bool(false),
        Value::Nil,
    ];
    values.extend(
        [
            0.0,
            -0.0,
            0.1,
            1.0 / 3.0,
            1.5,
            -2.5e-10,
            1e16,
            1e22,
            2f64.powi(53) + 2.0,
            1e300,
            5e-324,
            f64::MAX,
        ]
        .map(Value::Double),
    );
    values.extend(
        [
            "",
            "hello",
            "a\r\nb\rc\nd",
            "\r",
            "<tag attr=\"v\"> & 'quote' ]]> &amp;",
            "\u{1F600} emoji \u{1F680}",
            "  padded\t",
            "café ß 中文",
            "\u{80}\u{85}\u{9f}",
            "\u{FFFD}\u{E000}",
        ]
        .map(Value::from),
    );
    values.extend([
        Value::Base64(Binary::from((0..=255u8).collect::<Vec<u8>>())),
        Value::Base64(Binary::default()),
        Value::Base64(Binary::from(
            (0..70_000u32)
                .map(|i| (i * 7919 % 256) as u8)
                .collect::<Vec<u8>>(),
        )),
        Value::DateTime(datetime(2026, 11, 25, 10, 11, 12)),
        Value::DateTime(datetime(1, 1, 1, 0, 0, 0)),
        Value::DateTime(DateTime {
            nanosecond: 250_000_000,
            offset_minutes: Some(120),
            ..datetime(2024, 2, 29, 23, 59, 59)
        }),
        Value::Array(vec![]),
        Value::Struct(Struct::new()),
        members(vec![
            ("name", Value::from("x")),
            (
                "ключ",
                Value::from(vec![Value::Int(1), Value::Nil, Value::Double(-0.0)]),
            ),
            (
                "nested",
                members(vec![(
                    "deeper",
                    Value::from(vec![Value::Array(vec![]), Value::Struct(Struct::new())]),
                )]),
            ),
            ("<&>\r\n", Value::Nil),
            ("", Value::Base64(Binary::from(vec![0u8, 255]))),
        ]),
        Value::Array(vec![
            Value::Int(1),
            Value::from("two"),
            Value::Array(vec![
                Value::I8(1 << 40),
                Value::Array(vec![Value::Bool(true)]),
            ]),
        ]),
    ]);
    values
}

#[test]
fn python_reads_what_we_write() {
    let corpus = rust_corpus();
    let fault = Fault::new(-32601, "no <such> method: é\u{1F600}\r\n");
    let odd_name = "ns.méthode<&>";

    // (name, document, what Python must report)
    let mut docs: Vec<(String, Vec<u8>, Json)> = vec![
        (
            "call: everything".into(),
            codec::call_to_vec("sample.everything", &corpus).unwrap(),
            json!({"method": "sample.everything", "params": tagged_all(&corpus, Ints::AsPython)}),
        ),
        (
            "call: no params, escaped name".into(),
            codec::call_to_vec(odd_name, &()).unwrap(),
            json!({"method": odd_name, "params": []}),
        ),
        (
            "call: a tuple".into(),
            codec::call_to_vec("add", &(8, 1i64 << 40, "x", 0.5)).unwrap(),
            json!({"method": "add", "params": [
                {"t": "int", "v": 8}, {"t": "int", "v": 1i64 << 40}, {"t": "string", "v": "x"},
                {"t": "double", "v": format!("{:016x}", 0.5f64.to_bits())},
            ]}),
        ),
        (
            "fault".into(),
            codec::fault_to_vec(&fault).unwrap(),
            json!({"fault": {"code": fault.code, "string": fault.string}}),
        ),
    ];
    for (i, v) in corpus.iter().enumerate() {
        docs.push((
            format!("response {i}: {}", v.type_name()),
            codec::response_to_vec(v).unwrap(),
            json!({"method": null, "params": [tagged(v, Ints::AsPython)]}),
        ));
    }
    let whole = Value::Array(corpus.clone());
    docs.push((
        "response: all in one array".into(),
        codec::response_to_vec(&whole).unwrap(),
        json!({"method": null, "params": [tagged(&whole, Ints::AsPython)]}),
    ));

    let input: String = docs
        .iter()
        .map(|(name, doc, _)| format!("{name}\t{}\n", hex(doc)))
        .collect();
    let out = run_python(&format!("{PY_TAG}{PY_READ}"), input.as_bytes());
    let lines: Vec<Json> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        lines.len(),
        docs.len(),
        "Python answered {} of {} documents",
        lines.len(),
        docs.len()
    );

    let mut failures = Vec::new();
    for ((name, _, expect), found) in docs.iter().zip(&lines) {
        let mut expect = expect.clone();
        expect["name"] = json!(name);
        if let Some(diff) = first_difference(&expect, found, "") {
            failures.push(format!("{name}: {diff}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} documents read wrongly by Python:\n{}",
        failures.len(),
        docs.len(),
        failures.join("\n")
    );
}
