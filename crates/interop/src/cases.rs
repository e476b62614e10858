//! The values every peer is asked to carry: one table of cases, grouped by XML-RPC type,
//! and the comparison that decides whether a value came back unchanged.

use xmlrpc_kit::{Binary, DateTime, Struct, Value};

/// One value to carry across, with the type (row of the table) it belongs to.
///
/// ```
/// let cases = interop::cases();
/// assert!(cases.iter().any(|c| c.kind == "double" && c.name == "double_neg_zero"));
/// ```
#[derive(Debug, Clone)]
pub struct Case {
    /// A unique name, also the key the peers' scripts use.
    pub name: &'static str,
    /// The XML-RPC type it exercises (`int`, `string`, ...): the row of the table.
    pub kind: &'static str,
    /// The value itself.
    pub value: Value,
}

/// The types, in the order the table shows them; `fault`, `multicall`, `introspection`
/// and `validator1` are checked by the tests rather than carried as values.
pub const KINDS: &[&str] = &[
    "int",
    "i8",
    "boolean",
    "string",
    "double",
    "dateTime",
    "base64",
    "struct",
    "array",
    "nested",
    "nil",
    "fault",
    "multicall",
    "introspection",
    "validator1",
];

fn date(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> Value {
    DateTime::new(y, mo, d, h, mi, s).map_or(Value::Nil, Value::DateTime)
}

fn strukt<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Struct(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Struct>(),
    )
}

/// Bytes that look random (a fixed linear congruential sequence), so compression and
/// base64 line wrapping get no help.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x2545_f491;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

/// Every case, grouped by kind in [`KINDS`] order.
///
/// ```
/// let cases = interop::cases();
/// let names: std::collections::HashSet<_> = cases.iter().map(|c| c.name).collect();
/// assert_eq!(names.len(), cases.len(), "names are unique");
/// ```
pub fn cases() -> Vec<Case> {
    let mut deep = Value::from("bottom");
    for level in 0..24 {
        deep = if level % 2 == 0 {
            Value::Array(vec![deep])
        } else {
            strukt([("level", deep)])
        };
    }
    let mut out = Vec::new();
    let mut add = |kind: &'static str, name: &'static str, value: Value| {
        out.push(Case { name, kind, value });
    };
    add("int", "int_zero", Value::Int(0));
    add("int", "int_one", Value::Int(1));
    add("int", "int_negative", Value::Int(-42));
    add("int", "int_max", Value::Int(i32::MAX));
    add("int", "int_min", Value::Int(i32::MIN));
    add("i8", "i8_small", Value::I8(7));
    add("i8", "i8_above_32_bits", Value::I8(1 << 32));
    add("i8", "i8_max", Value::I8(i64::MAX));
    add("i8", "i8_min", Value::I8(i64::MIN));
    add("boolean", "boolean_true", Value::Bool(true));
    add("boolean", "boolean_false", Value::Bool(false));
    add("string", "string_empty", Value::from(""));
    add("string", "string_ascii", Value::from("cloudox"));
    add(
        "string",
        "string_non_ascii",
        Value::from("h\u{e9}llo w\u{f6}rld \u{20ac} \u{65e5}\u{672c}\u{8a9e}"),
    );
    add(
        "string",
        "string_beyond_bmp",
        Value::from("emoji \u{1f600} and \u{10348}"),
    );
    add(
        "string",
        "string_markup",
        Value::from("<b>&amp;</b> ]]> \"quoted\" 'single' <![CDATA[x]]>"),
    );
    add("string", "string_cr_lf", Value::from("one\r\ntwo\rthree\n"));
    add("string", "string_spaces", Value::from("  padded\t "));
    add("string", "string_numeric_text", Value::from("12345"));
    add("double", "double_zero", Value::Double(0.0));
    add("double", "double_neg_zero", Value::Double(-0.0));
    add("double", "double_half", Value::Double(-1.5));
    add("double", "double_tenth", Value::Double(0.1));
    add("double", "double_max", Value::Double(f64::MAX));
    add(
        "double",
        "double_min_normal",
        Value::Double(f64::MIN_POSITIVE),
    );
    add("double", "double_subnormal", Value::Double(5e-324));
    add("double", "double_whole", Value::Double(1e15));
    add(
        "dateTime",
        "datetime_spec_example",
        date(1998, 7, 17, 14, 8, 55),
    );
    add("dateTime", "datetime_epoch", date(1970, 1, 1, 0, 0, 0));
    add(
        "dateTime",
        "datetime_after_2038",
        date(2038, 1, 19, 3, 14, 8),
    );
    add("dateTime", "datetime_year_one", date(1, 1, 1, 0, 0, 0));
    add(
        "base64",
        "base64_empty",
        Value::Base64(Binary::from(vec![])),
    );
    add(
        "base64",
        "base64_all_bytes",
        Value::Base64(Binary::from((0..=255u8).collect::<Vec<_>>())),
    );
    add(
        "base64",
        "base64_large",
        Value::Base64(Binary::from(noise(1 << 20))),
    );
    add(
        "struct",
        "struct_simple",
        strukt([("name", Value::from("cloudox")), ("age", Value::Int(8))]),
    );
    add("struct", "struct_empty", Value::Struct(Struct::new()));
    add(
        "struct",
        "struct_odd_keys",
        strukt([
            ("cl\u{e9} \u{65e5}", Value::Int(1)),
            ("a&b<c>", Value::Int(2)),
            ("", Value::Int(3)),
        ]),
    );
    add("array", "array_empty", Value::Array(vec![]));
    add(
        "array",
        "array_mixed",
        Value::Array(vec![
            Value::Int(1),
            Value::from("two"),
            Value::Double(3.5),
            Value::Bool(true),
        ]),
    );
    add(
        "array",
        "array_thousand",
        Value::Array((0..1000).map(Value::Int).collect()),
    );
    add(
        "nested",
        "nested_records",
        strukt([
            (
                "rows",
                Value::Array(vec![
                    strukt([
                        ("id", Value::Int(1)),
                        (
                            "tags",
                            Value::Array(vec![Value::from("a"), Value::from("b")]),
                        ),
                    ]),
                    strukt([
                        ("id", Value::Int(2)),
                        ("tags", Value::Array(vec![])),
                        ("when", date(2026, 11, 25, 12, 0, 0)),
                        ("blob", Value::Base64(Binary::from(vec![0, 1, 2]))),
                    ]),
                ]),
            ),
            ("count", Value::Int(2)),
        ]),
    );
    add("nested", "nested_deep", deep);
    add("nil", "nil", Value::Nil);
    add(
        "nil",
        "nil_in_array",
        Value::Array(vec![Value::Nil, Value::Int(1), Value::Nil]),
    );
    add("nil", "nil_in_struct", strukt([("nothing", Value::Nil)]));
    out
}

/// Whether `got` is `want` carried unchanged: integers compare by number (`<int>` and
/// `<i8>` are widths, not different values), doubles by bits (so `-0.0` is not `0.0`),
/// struct members by name in any order.
///
/// ```
/// use xmlrpc_kit::Value;
/// assert!(interop::same(&Value::I8(5), &Value::Int(5)));
/// assert!(!interop::same(&Value::Double(-0.0), &Value::Double(0.0)));
/// ```
pub fn same(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Int(_) | Value::I8(_), Value::Int(_) | Value::I8(_)) => {
            want.as_i64() == got.as_i64()
        }
        (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Struct(a), Value::Struct(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|other| same(v, other)))
        }
        _ => want == got,
    }
}

/// A short description of a value for the report: its type and a clipped rendering.
///
/// ```
/// use xmlrpc_kit::Value;
/// assert_eq!(interop::describe(&Value::Int(5)), "int 5");
/// assert_eq!(interop::describe(&Value::from("a\r\n")), "string \"a\\r\\n\"");
/// ```
pub fn describe(value: &Value) -> String {
    let text = match value {
        Value::Int(i) => format!("int {i}"),
        Value::I8(i) => format!("i8 {i}"),
        Value::Bool(b) => format!("boolean {b}"),
        Value::String(s) => format!("string {s:?}"),
        Value::Double(d) => format!("double {d:?}"),
        Value::DateTime(t) => format!("dateTime {t}"),
        Value::Base64(b) => format!("base64 of {} bytes", b.len()),
        Value::Struct(s) => {
            let members: Vec<String> = s
                .iter()
                .map(|(k, v)| format!("{k:?}: {}", describe(v)))
                .collect();
            format!("struct {{{}}}", members.join(", "))
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().take(4).map(describe).collect();
            let more = if a.len() > 4 { ", ..." } else { "" };
            format!("array of {} [{}{more}]", a.len(), items.join(", "))
        }
        Value::Nil => "nil".to_owned(),
        Value::BigInteger(n) => format!("biginteger {n}"),
        Value::BigDecimal(n) => format!("bigdecimal {n}"),
    };
    clip(&text, 160)
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}...", &text[..at]),
        None => text.to_owned(),
    }
}
