//! Property tests for the codec: every `Value` tree, and every typed struct, comes back
//! unchanged from the writer through each way of reading (slice, stream with tiny buffers,
//! dynamic, typed); and no input, random or a damaged valid document, makes the reader panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use proptest::prelude::*;
use proptest::sample::Index;
use serde::{Deserialize, Serialize};
use std::io::BufReader;
use xmlrpc_kit::codec::{self, MethodCall, MethodResponse, Reader};
use xmlrpc_kit::{Binary, DateTime, Fault, Value};

// ----- strategies --------------------------------------------------------------------------

/// A character XML 1.0 allows, weighted toward the ones the codec must treat specially.
fn xml_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => proptest::char::range(' ', '~'),
        3 => prop::sample::select(vec!['<', '>', '&', '"', '\'', ']', ';', '#', '\t', '\n', '\r', ' ']),
        2 => proptest::char::range('\u{80}', '\u{D7FF}'),
        1 => proptest::char::range('\u{E000}', '\u{FFFD}'),
        1 => proptest::char::range('\u{10000}', char::MAX),
    ]
}

/// Any text XML can carry, plus a few that look like markup or need escaping.
fn xml_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(xml_char(), 0..24).prop_map(String::from_iter),
        1 => prop::sample::select(vec![
            "", " ", "\r\n", "\r", "\r\r\n\n", " padded\t", "]]>", "&amp;", "&#13;", "<![CDATA[x]]>",
            "<value><int>1</int></value>", "\u{FFFD}", "😀",
        ])
        .prop_map(String::from),
    ]
}

/// A finite double: any bit pattern, the awkward classics, and everyday magnitudes.
fn finite_double() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => any::<u64>().prop_map(f64::from_bits).prop_filter("finite", |d| d.is_finite()),
        1 => prop::sample::select(vec![
            0.0, -0.0, 0.1, 1.0 / 3.0, 1.5, -2.5e-10, 1e16, 1e21, 1e22, 1e300, 5e-324,
            f64::MAX, f64::MIN, f64::MIN_POSITIVE, f64::EPSILON, 9007199254740993.0,
        ]),
        1 => -1e6..1e6f64,
    ]
}

/// A valid `DateTime`, with and without a fraction and a zone.
fn datetime() -> impl Strategy<Value = DateTime> {
    let nanos = prop_oneof![
        3 => Just(0u32),
        1 => 1u32..=999_999_999,
        1 => (1u32..1000).prop_map(|ms| ms * 1_000_000),
    ];
    let offset = prop_oneof![
        2 => Just(None),
        1 => Just(Some(0i16)),
        2 => (-1439i16..=1439).prop_map(Some),
    ];
    (
        (0u16..=9999, 1u8..=12, 1u8..=31),
        (0u8..=23, 0u8..=59, 0u8..=60),
        nanos,
        offset,
    )
        .prop_filter_map(
            "the day exists in that month",
            |((year, month, day), (hour, minute, second), nanosecond, offset_minutes)| {
                let t = DateTime::new(year, month, day, hour, minute, second).ok()?;
                Some(DateTime {
                    nanosecond,
                    offset_minutes,
                    ..t
                })
            },
        )
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i32>().prop_map(Value::Int),
        any::<i64>().prop_map(Value::I8),
        any::<bool>().prop_map(Value::Bool),
        xml_string().prop_map(Value::String),
        finite_double().prop_map(Value::Double),
        datetime().prop_map(Value::DateTime),
        prop::collection::vec(any::<u8>(), 0..48).prop_map(|b| Value::Base64(Binary::from(b))),
        Just(Value::Nil),
    ]
}

/// Any value tree up to five levels of arrays and structs (struct names are unique, as
/// `Struct` guarantees by construction).
fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((xml_string(), inner), 0..6)
                .prop_map(|members| Value::Struct(members.into_iter().collect())),
        ]
    })
}

/// Method names as people write them (the reader trims a name, so no outer whitespace).
fn method_name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_.:/-]{0,24}"
}

// ----- helpers -----------------------------------------------------------------------------

/// Exact equality: doubles by bit pattern (so `-0.0 != 0.0`), struct members in order
/// (`IndexMap`'s own `==` ignores order).
fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => x.to_bits() == y.to_bits(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| identical(x, y))
        }
        (Value::Struct(x), Value::Struct(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((kx, vx), (ky, vy))| kx == ky && identical(vx, vy))
        }
        _ => a == b,
    }
}

fn all_identical(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(a, b)| identical(a, b))
}

/// A streaming reader whose `BufRead` hands out at most `capacity` bytes at a time.
fn stream(bytes: &[u8], capacity: usize) -> Reader<'_> {
    Reader::from_reader(BufReader::with_capacity(capacity, bytes)).unwrap()
}

fn text(xml: &[u8]) -> String {
    String::from_utf8_lossy(xml).into_owned()
}

/// Every way of reading a document, run for their outcomes; none may panic, and the slice
/// and stream readers must agree on whether the document is acceptable and on its values.
fn read_every_way(xml: &[u8], capacity: usize) -> Result<(), TestCaseError> {
    let call = codec::read_call(xml);
    let response = codec::read_response(xml);
    let _ = codec::decode_response::<Value>(xml);
    let _ = codec::decode_call::<Vec<Value>>(xml);
    let _ = codec::decode_response::<(i32, String)>(xml);
    let stream_call =
        Reader::from_reader(BufReader::with_capacity(capacity, xml)).and_then(Reader::read_call);
    let stream_response = Reader::from_reader(BufReader::with_capacity(capacity, xml))
        .and_then(Reader::read_response);
    prop_assert!(
        agree_call(&call, &stream_call),
        "slice and stream disagree on {:?}:\n{call:?}\n{stream_call:?}",
        text(xml)
    );
    prop_assert!(
        agree_response(&response, &stream_response),
        "slice and stream disagree on {:?}:\n{response:?}\n{stream_response:?}",
        text(xml)
    );
    Ok(())
}

fn agree_call(
    a: &Result<MethodCall, xmlrpc_kit::Error>,
    b: &Result<MethodCall, xmlrpc_kit::Error>,
) -> bool {
    match (a, b) {
        (Ok(a), Ok(b)) => a.method_name == b.method_name && all_identical(&a.params, &b.params),
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

fn agree_response(
    a: &Result<MethodResponse, xmlrpc_kit::Error>,
    b: &Result<MethodResponse, xmlrpc_kit::Error>,
) -> bool {
    match (a, b) {
        (Ok(MethodResponse::Params(a)), Ok(MethodResponse::Params(b))) => all_identical(a, b),
        (Ok(MethodResponse::Fault(a)), Ok(MethodResponse::Fault(b))) => a == b,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

// ----- a typed record ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    id: i32,
    big: i64,
    name: String,
    ratio: f64,
    active: bool,
    note: Option<String>,
    blob: Vec<u8>,
    scores: Vec<i32>,
    inner: Inner,
    children: Vec<Inner>,
    when: DateTime,
    raw: Binary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    label: String,
    count: Option<i64>,
    flags: Vec<bool>,
}

fn inner() -> impl Strategy<Value = Inner> {
    (
        xml_string(),
        prop::option::of(any::<i64>()),
        prop::collection::vec(any::<bool>(), 0..4),
    )
        .prop_map(|(label, count, flags)| Inner {
            label,
            count,
            flags,
        })
}

fn record() -> impl Strategy<Value = Record> {
    (
        (
            any::<i32>(),
            any::<i64>(),
            xml_string(),
            finite_double(),
            any::<bool>(),
        ),
        (
            prop::option::of(xml_string()),
            prop::collection::vec(any::<u8>(), 0..32),
            prop::collection::vec(any::<i32>(), 0..6),
        ),
        (inner(), prop::collection::vec(inner(), 0..3), datetime()),
        prop::collection::vec(any::<u8>(), 0..32),
    )
        .prop_map(
            |(
                (id, big, name, ratio, active),
                (note, blob, scores),
                (inner, children, when),
                raw,
            )| {
                Record {
                    id,
                    big,
                    name,
                    ratio,
                    active,
                    note,
                    blob,
                    scores,
                    inner,
                    children,
                    when,
                    raw: Binary::from(raw),
                }
            },
        )
}

/// Damage to apply to a valid document.
#[derive(Debug, Clone)]
enum Damage {
    Flip(Index, u8),
    Set(Index, u8),
    Insert(Index, u8),
    Remove(Index, usize),
    Truncate(Index),
}

fn damage() -> impl Strategy<Value = Damage> {
    let interesting = prop_oneof![
        any::<u8>(),
        prop::sample::select(vec![
            b'<', b'>', b'&', b'/', b';', b'#', b'"', 0, b'\r', 0x80, 0xC3, 0xFF
        ]),
    ];
    prop_oneof![
        (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Damage::Flip(at, 1 << bit)),
        (any::<Index>(), interesting.clone()).prop_map(|(at, b)| Damage::Set(at, b)),
        (any::<Index>(), interesting).prop_map(|(at, b)| Damage::Insert(at, b)),
        (any::<Index>(), 1usize..16).prop_map(|(at, n)| Damage::Remove(at, n)),
        any::<Index>().prop_map(Damage::Truncate),
    ]
}

fn apply(xml: &mut Vec<u8>, damage: &Damage) {
    if xml.is_empty() {
        return;
    }
    match damage {
        Damage::Flip(at, mask) => {
            let i = at.index(xml.len());
            xml[i] ^= mask;
        }
        Damage::Set(at, b) => {
            let i = at.index(xml.len());
            xml[i] = *b;
        }
        Damage::Insert(at, b) => xml.insert(at.index(xml.len() + 1), *b),
        Damage::Remove(at, n) => {
            let i = at.index(xml.len());
            xml.drain(i..(i + n).min(xml.len()));
        }
        Damage::Truncate(at) => xml.truncate(at.index(xml.len())),
    }
}

// ----- properties --------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// `call_to_vec` then `read_call`: the name and every parameter come back exactly.
    #[test]
    fn call_round_trips(method in method_name(), params in prop::collection::vec(value(), 0..4)) {
        let xml = codec::call_to_vec(&method, &params).unwrap();
        let call = codec::read_call(&xml).unwrap();
        prop_assert_eq!(&call.method_name, &method);
        prop_assert!(all_identical(&call.params, &params), "wrote {:?}\nread {:?}\nxml {}", params, call.params, text(&xml));
    }

    /// A document framed by hand around `write_value` reads back the same values.
    #[test]
    fn write_value_documents_round_trip(params in prop::collection::vec(value(), 0..4)) {
        let mut xml = b"<?xml version=\"1.0\"?><methodCall><methodName>m</methodName><params>".to_vec();
        for p in &params {
            xml.extend_from_slice(b"<param>");
            codec::write_value(&mut xml, p).unwrap();
            xml.extend_from_slice(b"</param>");
        }
        xml.extend_from_slice(b"</params></methodCall>");
        let call = codec::read_call(&xml).unwrap();
        prop_assert!(all_identical(&call.params, &params), "wrote {:?}\nread {:?}\nxml {}", params, call.params, text(&xml));
    }

    /// `response_to_vec` then `decode_response::<Value>` (and `read_response`).
    #[test]
    fn response_round_trips(value in value()) {
        let xml = codec::response_to_vec(&value).unwrap();
        let back = codec::decode_response::<Value>(&xml).unwrap().unwrap();
        prop_assert!(identical(&back, &value), "wrote {:?}\nread {:?}\nxml {}", value, back, text(&xml));
        match codec::read_response(&xml).unwrap() {
            MethodResponse::Params(params) => prop_assert!(all_identical(&params, std::slice::from_ref(&value))),
            MethodResponse::Fault(f) => prop_assert!(false, "read a fault {f:?}"),
        }
    }

    /// The same documents through the streaming reader, with buffers so small that events,
    /// references and base64 text are split across refills.
    #[test]
    fn streaming_round_trips(
        method in method_name(),
        params in prop::collection::vec(value(), 0..4),
        capacity in 1usize..64,
    ) {
        let xml = codec::call_to_vec(&method, &params).unwrap();
        let call = stream(&xml, capacity).read_call().unwrap();
        prop_assert_eq!(&call.method_name, &method);
        prop_assert!(all_identical(&call.params, &params), "wrote {:?}\nread {:?}\nxml {}", params, call.params, text(&xml));

        let value = Value::Array(params);
        let xml = codec::response_to_vec(&value).unwrap();
        match stream(&xml, capacity).read_response().unwrap() {
            MethodResponse::Params(back) => prop_assert!(all_identical(&back, std::slice::from_ref(&value))),
            MethodResponse::Fault(f) => prop_assert!(false, "read a fault {f:?}"),
        }
        let mut reader = stream(&xml, capacity);
        reader.read_envelope().unwrap();
        let back: Value = reader.read_result().unwrap();
        prop_assert!(identical(&back, &value), "typed stream read {:?}", back);
    }

    /// A derived struct through `response_to_vec` and `decode_response`, slice and stream.
    #[test]
    fn typed_struct_round_trips(record in record(), capacity in 1usize..64) {
        let xml = codec::response_to_vec(&record).unwrap();
        let back: Record = codec::decode_response(&xml).unwrap().unwrap();
        prop_assert_eq!(&back, &record, "xml {}", text(&xml));
        prop_assert_eq!(back.ratio.to_bits(), record.ratio.to_bits());

        let mut reader = stream(&xml, capacity);
        reader.read_envelope().unwrap();
        let back: Record = reader.read_result().unwrap();
        prop_assert_eq!(&back, &record);

        // Also as a call's single parameter, typed and dynamic.
        let xml = codec::call_to_vec("put", &(&record,)).unwrap();
        let (name, (back,)): (String, (Record,)) = codec::decode_call(&xml).unwrap();
        prop_assert_eq!(name, "put");
        prop_assert_eq!(&back, &record);
    }

    /// Faults with any code and text come back exactly.
    #[test]
    fn fault_round_trips(code in any::<i32>(), string in xml_string(), capacity in 1usize..64) {
        let fault = Fault::new(code, string);
        let xml = codec::fault_to_vec(&fault).unwrap();
        prop_assert_eq!(codec::decode_response::<Value>(&xml).unwrap(), Err(fault.clone()));
        prop_assert_eq!(stream(&xml, capacity).read_response().unwrap(), MethodResponse::Fault(fault));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random bytes, sometimes behind a declaration that sends them through a transcoder.
    #[test]
    fn reader_survives_arbitrary_bytes(
        prefix in prop::sample::select(vec![
            "",
            "<?xml version=\"1.0\"?>",
            "<?xml version='1.0' encoding='iso-8859-1'?>",
            "<?xml version='1.0' encoding='utf-16'?>",
            "<?xml version='1.0' encoding='shift_jis'?>",
            "<?xml version='1.0' encoding='no-such-encoding'?>",
            "\u{FEFF}",
            "<methodResponse><params><param><value>",
            "<methodCall><methodName>m</methodName><params><param><value><base64>",
        ]),
        body in prop::collection::vec(any::<u8>(), 0..256),
        capacity in 1usize..64,
    ) {
        let mut xml = prefix.as_bytes().to_vec();
        xml.extend_from_slice(&body);
        read_every_way(&xml, capacity)?;
    }

    /// Valid documents with a few bytes flipped, set, inserted, removed or cut off.
    #[test]
    fn reader_survives_damaged_documents(
        value in value(),
        as_call in any::<bool>(),
        damages in prop::collection::vec(damage(), 1..4),
        capacity in 1usize..64,
    ) {
        let mut xml = if as_call {
            codec::call_to_vec("m", &[&value]).unwrap()
        } else {
            codec::response_to_vec(&value).unwrap()
        };
        for d in &damages {
            apply(&mut xml, d);
        }
        read_every_way(&xml, capacity)?;
    }

    /// Every proper prefix of a valid document is refused, from a slice and from a stream.
    #[test]
    fn truncated_documents_are_refused(value in value(), cut in any::<Index>(), capacity in 1usize..64) {
        let xml = codec::response_to_vec(&value).unwrap();
        let prefix = &xml[..cut.index(xml.len())];
        prop_assert!(codec::read_response(prefix).is_err(), "accepted {}", text(prefix));
        prop_assert!(codec::decode_response::<Value>(prefix).is_err(), "accepted {}", text(prefix));
        let streamed = Reader::from_reader(BufReader::with_capacity(capacity, prefix)).and_then(Reader::read_response);
        prop_assert!(streamed.is_err(), "stream accepted {}", text(prefix));
    }
}

// ----- regressions -------------------------------------------------------------------------

/// Found by the properties above: `response_to_vec(&Value::Double(1e300))` wrote
/// `<double>1000…000.0</double>` (301 digits; `f64::MAX` takes 311 bytes, `5e-324` 326), and
/// the reader refused its own output: "Limit: text length (bytes) exceeds the limit of 256".
/// Every finite double must survive a round trip.
#[test]
fn extreme_doubles_written_in_full_are_read_back() {
    let mut failures = Vec::new();
    for d in [
        1e300,
        -1e300,
        f64::MAX,
        f64::MIN,
        5e-324,
        f64::MIN_POSITIVE,
        1e-300,
    ] {
        let xml = codec::response_to_vec(&Value::Double(d)).unwrap();
        match codec::decode_response::<Value>(&xml) {
            Ok(Ok(Value::Double(back))) if back.to_bits() == d.to_bits() => {}
            other => failures.push(format!("{d:e} ({} bytes written): {other:?}", xml.len())),
        }
        match stream(&xml, 5).read_response() {
            Ok(MethodResponse::Params(back)) if all_identical(&back, &[Value::Double(d)]) => {}
            other => failures.push(format!("{d:e} (streamed): {other:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "doubles that do not round-trip:\n{}",
        failures.join("\n")
    );
}

// ----- values that cannot compare equal ----------------------------------------------------

/// NaN and the infinities are not XML-RPC: they are never written (the encoder says which
/// value), and `nan`, `inf` or an exponent too large for a double are refused on reading.
#[test]
fn nan_and_infinities_are_neither_written_nor_read() {
    for value in [f64::NAN, -f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let err = codec::response_to_vec(&Value::Double(value)).unwrap_err();
        assert!(
            err.to_string().contains("no NaN or infinite"),
            "{value}: {err}"
        );
        assert!(codec::call_to_vec("m", &(value,)).is_err(), "{value}");
    }
    for text in [
        "nan", "NaN", "inf", "-inf", "infinity", "1e999999", "-1e400",
    ] {
        let xml = format!(
            "<methodResponse><params><param><value><double>{text}</double></value></param></params></methodResponse>"
        );
        let err = codec::decode_response::<Value>(xml.as_bytes()).unwrap_err();
        assert!(
            err.to_string().contains("not a finite number"),
            "{text}: {err}"
        );
        let call = format!(
            "<methodCall><methodName>m</methodName><params><param><value><double>{text}</double></value></param></params></methodCall>"
        );
        assert!(stream(call.as_bytes(), 3).read_call().is_err(), "{text}");
    }
    // The largest finite doubles still read.
    let xml = b"<methodResponse><params><param><value><double>1.7976931348623157e308</double></value></param></params></methodResponse>";
    let back = codec::decode_response::<f64>(xml).unwrap().unwrap();
    assert_eq!(back, f64::MAX);
}
