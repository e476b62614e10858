//! The wire rules of DESIGN.md, one test each: read leniently, write strictly, refuse DTDs,
//! and never panic or overflow on hostile input.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufReader;
use xmlrpc_kit::codec::{self, Limits, MethodResponse, Reader};
use xmlrpc_kit::error::Category;
use xmlrpc_kit::{Binary, DateTime, Fault, Struct, Value};

/// Wraps a value's XML in a one-param response and reads it, from a slice and from a
/// stream with a tiny buffer; both must agree.
fn read_value(value_xml: &str) -> Value {
    let doc = format!(
        "<?xml version=\"1.0\"?><methodResponse><params><param>{value_xml}</param></params></methodResponse>"
    );
    let from_slice = codec::decode_response::<Value>(doc.as_bytes())
        .unwrap()
        .unwrap();
    let mut reader = Reader::from_reader(BufReader::with_capacity(3, doc.as_bytes())).unwrap();
    reader.read_envelope().unwrap();
    let from_stream = reader.read_result::<Value>().unwrap();
    assert_eq!(
        from_slice, from_stream,
        "slice and stream disagree on {value_xml}"
    );
    from_slice
}

fn read_err(doc: &[u8]) -> xmlrpc_kit::Error {
    match codec::read_call(doc) {
        Ok(call) => panic!("accepted {:?}: {call:?}", String::from_utf8_lossy(doc)),
        Err(e) => e,
    }
}

fn members(pairs: &[(&str, Value)]) -> Value {
    Value::Struct(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect::<Struct>(),
    )
}

#[test]
fn untyped_value_is_an_untrimmed_string() {
    assert_eq!(
        read_value("<value>  two words \n</value>"),
        Value::from("  two words \n")
    );
    assert_eq!(read_value("<value></value>"), Value::from(""));
    assert_eq!(read_value("<value/>"), Value::from(""));
}

#[test]
fn whitespace_comments_and_pis_between_elements() {
    let v = read_value(
        "<value>\n  <!-- a comment --> <?pi data?>\n  <int> 42 </int>\n  <!-- after -->\n</value>",
    );
    assert_eq!(v, Value::Int(42));
}

#[test]
fn every_integer_spelling() {
    for tag in ["int", "i4", "i2", "i1", "ex:i4"] {
        assert_eq!(
            read_value(&format!("<value><{tag}>-7</{tag}></value>")),
            Value::Int(-7),
            "{tag}"
        );
    }
    assert_eq!(
        read_value("<value><i8>9007199254740993</i8></value>"),
        Value::I8(9007199254740993)
    );
    assert_eq!(
        read_value("<value><ex:i8>-5</ex:i8></value>"),
        Value::I8(-5)
    );
    assert_eq!(read_value("<value><int>+5</int></value>"), Value::Int(5));
}

#[test]
fn namespace_prefixed_nil_and_self_closed_elements() {
    assert_eq!(
        read_value(
            "<value><ex:nil xmlns:ex='http://ws.apache.org/xmlrpc/namespaces/extensions'/></value>"
        ),
        Value::Nil
    );
    assert_eq!(read_value("<value><nil></nil></value>"), Value::Nil);
    assert_eq!(read_value("<value><string/></value>"), Value::from(""));
    assert_eq!(
        read_value("<value><base64/></value>"),
        Value::Base64(Binary::default())
    );
    assert_eq!(read_value("<value><array/></value>"), Value::Array(vec![]));
    assert_eq!(
        read_value("<value><array><data/></array></value>"),
        Value::Array(vec![])
    );
    assert_eq!(
        read_value("<value><struct/></value>"),
        Value::Struct(Struct::new())
    );
}

#[test]
fn cdata_char_refs_and_astral_planes() {
    assert_eq!(
        read_value("<value><string>a<![CDATA[<b>&amp;</b>]]>c</string></value>"),
        Value::from("a<b>&amp;</b>c")
    );
    assert_eq!(
        read_value(
            "<value><string>&#x1F600;&#128512;&lt;&gt;&amp;&quot;&apos;&#13;</string></value>"
        ),
        Value::from("😀😀<>&\"'\r")
    );
    assert_eq!(
        read_value("<value>caf\u{e9} \u{1F980}</value>"),
        Value::from("café 🦀")
    );
}

#[test]
fn literal_line_ends_are_normalised_as_xml_says() {
    assert_eq!(
        read_value("<value><string>a\r\nb\rc\n</string></value>"),
        Value::from("a\nb\nc\n")
    );
}

#[test]
fn wrapped_base64_with_comment_and_references() {
    let data: Vec<u8> = (0..=255).collect();
    let text = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\n\
                OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3Bx\r\n\
                cnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmq\n\
                q6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj\n\
                5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==\n";
    assert_eq!(
        read_value(&format!("<value><base64>{text}</base64></value>")),
        Value::Base64(data.clone().into())
    );
    let (head, tail) = text.split_at(100);
    let split =
        format!("<value><base64>{head}<!-- cut -->&#10;<![CDATA[{tail}]]></base64></value>");
    assert_eq!(read_value(&split), Value::Base64(data.into()));
}

#[test]
fn datetimes_in_every_common_spelling() {
    let expected = Value::DateTime(DateTime::new(2026, 11, 25, 10, 0, 0).unwrap());
    for text in [
        "20261125T10:00:00",
        "2026-11-25T10:00:00",
        "20261125T100000",
        " 20261125T10:00:00 ",
    ] {
        assert_eq!(
            read_value(&format!(
                "<value><dateTime.iso8601>{text}</dateTime.iso8601></value>"
            )),
            expected
        );
    }
    let zoned =
        read_value("<value><dateTime.iso8601>2026-11-25T10:00:00.5Z</dateTime.iso8601></value>");
    assert_eq!(
        zoned
            .as_datetime()
            .map(|t| (t.nanosecond, t.offset_minutes)),
        Some((500_000_000, Some(0)))
    );
}

#[test]
fn struct_member_value_before_name() {
    let v = read_value(
        "<value><struct><member><value><int>1</int></value><name>a</name></member>\
         <member><name>b</name><value>x</value></member></struct></value>",
    );
    assert_eq!(v, members(&[("a", Value::Int(1)), ("b", Value::from("x"))]));
}

#[test]
fn struct_keeps_member_order_and_last_duplicate_wins() {
    let v = read_value(
        "<value><struct><member><name>z</name><value><int>1</int></value></member>\
         <member><name>a</name><value><int>2</int></value></member>\
         <member><name>z</name><value><int>3</int></value></member></struct></value>",
    );
    let s = v.as_struct().unwrap();
    assert_eq!(s.keys().collect::<Vec<_>>(), ["z", "a"]);
    assert_eq!(s["z"], Value::Int(3));
}

#[test]
fn bom_and_declared_latin1_and_utf16() {
    let mut doc = b"\xEF\xBB\xBF".to_vec();
    doc.extend_from_slice(b"<methodCall><methodName>m</methodName></methodCall>");
    assert_eq!(codec::read_call(&doc).unwrap().method_name, "m");

    let latin1 =
        b"<?xml version='1.0' encoding='ISO-8859-1'?><methodCall><methodName>m</methodName>\
        <params><param><value><string>caf\xe9 \x85</string></value></param></params></methodCall>";
    let call = codec::read_call(latin1).unwrap();
    assert_eq!(call.params, [Value::from("café \u{85}")]);
    let streamed = Reader::from_reader(BufReader::with_capacity(5, &latin1[..]))
        .unwrap()
        .read_call()
        .unwrap();
    assert_eq!(streamed, call);

    let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><methodCall><methodName>naïve</methodName></methodCall>";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    assert_eq!(codec::read_call(&utf16).unwrap().method_name, "naïve");

    let cp1251 = b"<?xml version='1.0' encoding='windows-1251'?><methodCall><methodName>\xcf\xf0\xe8\xe2\xe5\xf2</methodName></methodCall>";
    assert_eq!(codec::read_call(cp1251).unwrap().method_name, "Привет");
}

#[test]
fn unknown_encoding_is_refused() {
    let err = read_err(b"<?xml version='1.0' encoding='x-klingon'?><methodCall/>");
    assert_eq!(err.category(), Category::Syntax);
    assert!(err.to_string().contains("x-klingon"), "{err}");
}

#[test]
fn writes_strictly() {
    let mut out = Vec::new();
    let value = vec![
        Value::Int(1),
        Value::from(1i64 << 40),
        Value::Double(1.0),
        Value::Double(0.1),
        Value::Double(-0.0),
        Value::Double(1e21),
        Value::from("a&b<c>d\re\n"),
        Value::DateTime(DateTime::new(2026, 1, 2, 3, 4, 5).unwrap()),
        Value::Nil,
    ];
    codec::write_value(&mut out, &value).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "<value><array><data><value><int>1</int></value><value><i8>1099511627776</i8></value>\
         <value><double>1.0</double></value><value><double>0.1</double></value>\
         <value><double>-0.0</double></value><value><double>1000000000000000000000.0</double></value>\
         <value><string>a&amp;b&lt;c&gt;d&#13;e\n</string></value>\
         <value><dateTime.iso8601>20260102T03:04:05</dateTime.iso8601></value>\
         <value><nil/></value></data></array></value>"
    );
}

#[test]
fn serde_i64_within_32_bits_is_written_as_int() {
    let body = codec::response_to_vec(&(5i64, 1u64 << 33)).unwrap();
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.contains("<int>5</int>") && text.contains("<i8>8589934592</i8>"),
        "{text}"
    );
}

#[test]
fn writer_refuses_characters_xml_cannot_hold() {
    let err = codec::response_to_vec(&"bell\u{7}").unwrap_err();
    assert_eq!(err.category(), Category::Data);
    assert!(err.to_string().contains("U+0007"), "{err}");
}

#[test]
fn doctype_and_entities_are_refused() {
    let laughs =
        b"<?xml version='1.0'?><!DOCTYPE lolz [<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;'>]>\
        <methodCall><methodName>&lol2;</methodName></methodCall>";
    let err = read_err(laughs);
    assert!(err.to_string().contains("DOCTYPE"), "{err}");
    let err = read_err(b"<methodCall><methodName>&xxe;</methodName></methodCall>");
    assert!(err.to_string().contains("unknown entity"), "{err}");
}

#[test]
fn control_characters_and_bad_char_refs_are_refused() {
    let err = read_err(b"<methodCall><methodName>m</methodName><params><param><value>a\x01b</value></param></params></methodCall>");
    assert!(err.to_string().contains("U+0001"), "{err}");
    let err = read_err(b"<methodCall><methodName>m</methodName><params><param><value>&#0;</value></param></params></methodCall>");
    assert_eq!(err.category(), Category::Syntax, "{err}");
    let err = read_err(b"<methodCall><methodName>m</methodName><params><param><value>&#xFFFE;</value></param></params></methodCall>");
    assert_eq!(err.category(), Category::Syntax, "{err}");
}

#[test]
fn bad_scalars_name_the_type_and_the_text() {
    for (xml, needle) in [
        ("<int>2147483648</int>", "<int> value `2147483648`"),
        ("<int>12abc</int>", "<int> value `12abc`"),
        ("<boolean>yes</boolean>", "<boolean> value `yes`"),
        ("<double>one</double>", "<double> value `one`"),
        (
            "<dateTime.iso8601>2026-02-30T00:00:00</dateTime.iso8601>",
            "dateTime",
        ),
        ("<base64>!!!!</base64>", "<base64>"),
        ("<frobnicate>1</frobnicate>", "<frobnicate>"),
    ] {
        let doc = format!("<methodCall><methodName>m</methodName><params><param><value>{xml}</value></param></params></methodCall>");
        let err = read_err(doc.as_bytes());
        assert_eq!(err.category(), Category::Protocol, "{xml}: {err}");
        assert!(err.to_string().contains(needle), "{xml}: {err}");
        assert!(err.line().is_some(), "{err}");
    }
}

#[test]
fn malformed_xml_says_where() {
    let err = read_err(b"<methodCall>\n<methodName>m</methodName>\n<params>\n</param>");
    assert_eq!(err.category(), Category::Syntax, "{err}");
    assert_eq!(err.line(), Some(4), "{err}");
    let err = read_err(b"<methodCall><methodName>m</methodName>");
    assert_eq!(err.category(), Category::Eof, "{err}");
}

#[test]
fn trailing_garbage_and_text_in_wrong_places_are_refused() {
    read_err(b"<methodCall><methodName>m</methodName></methodCall><x/>");
    read_err(b"<methodCall><methodName>m</methodName></methodCall>junk");
    read_err(b"junk<methodCall><methodName>m</methodName></methodCall>");
    read_err(b"<methodCall><methodName>m</methodName><params>text<param/></params></methodCall>");
    read_err(b"<methodCall><methodName>m</methodName><params><param><value>x<int>1</int></value></param></params></methodCall>");
    read_err(b"<methodCall><methodName></methodName></methodCall>");
}

#[test]
fn deep_nesting_is_a_limit_error_not_a_stack_overflow() {
    let depth = 100_000;
    let mut doc = String::from("<methodCall><methodName>m</methodName><params><param>");
    doc.push_str(&"<value><array><data>".repeat(depth));
    doc.push_str(&"</data></array></value>".repeat(depth));
    doc.push_str("</param></params></methodCall>");
    let err = read_err(doc.as_bytes());
    assert_eq!(err.category(), Category::Limit, "{err}");
    // The typed path is bounded by the same limit.
    let err = codec::decode_call::<(Value,)>(doc.as_bytes()).unwrap_err();
    assert_eq!(err.category(), Category::Limit, "{err}");
    let err = codec::decode_call::<(serde_json::Value,)>(doc.as_bytes()).unwrap_err();
    assert_eq!(err.category(), Category::Limit, "{err}");
}

#[test]
fn every_limit_is_enforced_with_its_name() {
    let doc = b"<methodCall><methodName>method</methodName><params>\
        <param><value><string>0123456789</string></value></param>\
        <param><value><base64>AAAAAAAA</base64></value></param></params></methodCall>";
    let cases: [(Limits, &str); 5] = [
        (Limits::default().max_document_size(50), "document size"),
        (Limits::default().max_string_len(5), "string length"),
        (Limits::default().max_base64_len(4), "base64"),
        (Limits::default().max_elements(5), "number of elements"),
        (Limits::default().max_name_len(3), "text length"),
    ];
    for (limits, needle) in cases {
        let slice = Reader::from_slice(doc)
            .unwrap()
            .with_limits(limits)
            .read_call()
            .unwrap_err();
        assert_eq!(slice.category(), Category::Limit, "{slice}");
        assert!(slice.to_string().contains(needle), "{needle}: {slice}");
        let stream = Reader::from_reader(BufReader::with_capacity(4, &doc[..]))
            .unwrap()
            .with_limits(limits)
            .read_call()
            .unwrap_err();
        assert_eq!(stream.category(), Category::Limit, "{stream}");
    }
}

#[test]
fn a_stream_never_buffers_a_text_run_past_the_limit() {
    // 10 MB of string text through a reader limited to 1 MB strings: refused on the way,
    // with the token guard, rather than after collecting it.
    let mut doc = b"<methodCall><methodName>m</methodName><params><param><value><string>".to_vec();
    doc.extend(std::iter::repeat_n(b'x', 10 << 20));
    doc.extend_from_slice(b"</string></value></param></params></methodCall>");
    let err = Reader::from_reader(BufReader::new(&doc[..]))
        .unwrap()
        .with_limits(Limits::default().max_string_len(1 << 20))
        .read_call()
        .unwrap_err();
    assert_eq!(err.category(), Category::Limit, "{err}");
    assert!(err.offset().unwrap() < 2 << 20, "{err}");
}

#[test]
fn faults_read_with_lenient_codes() {
    let doc = b"<methodResponse><fault><value><struct>\
        <member><name>faultString</name><value>nope</value></member>\
        <member><name>faultCode</name><value><string> 42 </string></value></member>\
        </struct></value></fault></methodResponse>";
    // A code sent as text keeps its text (a deviation the reader notes), and its number.
    let MethodResponse::Fault(fault) = codec::read_response(doc).unwrap() else {
        panic!("not a fault")
    };
    assert_eq!(fault, Fault::with_code_text(" 42 ", "nope"));
    assert_eq!((fault.code, fault.code_text.as_deref()), (42, Some(" 42 ")));
    let err = codec::read_response(
        b"<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
    )
    .unwrap_err();
    assert!(err.to_string().contains("faultCode"), "{err}");
}

#[test]
fn typed_params_name_the_bad_argument() {
    let doc = b"<methodCall><methodName>add</methodName><params>\
        <param><value><int>1</int></value></param>\
        <param><value><string>two</string></value></param></params></methodCall>";
    let err = codec::decode_call::<(i32, i32)>(doc).unwrap_err();
    assert_eq!(err.category(), Category::Data);
    assert!(
        err.to_string()
            .starts_with("param 2: invalid type: string \"two\", expected i32"),
        "{err}"
    );
    let err = codec::decode_call::<(i32,)>(doc).unwrap_err();
    assert!(err.to_string().contains("too many params"), "{err}");
    let err = codec::decode_call::<(i32, String, i32)>(doc).unwrap_err();
    assert!(err.to_string().contains("invalid length 2"), "{err}");
}

#[test]
fn typed_structs_options_enums_and_bytes() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    enum Shape {
        Point,
        Circle(f64),
        Rect { w: i32, h: i32 },
    }
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Record {
        id: u32,
        big: i64,
        name: String,
        maybe: Option<String>,
        missing: Option<i32>,
        bytes: Vec<u8>,
        list: Vec<i16>,
        shapes: Vec<Shape>,
        when: DateTime,
        raw: Binary,
        dynamic: Value,
    }
    let record = Record {
        id: 7,
        big: -(1 << 50),
        name: "crab 🦀 & co".into(),
        maybe: None,
        missing: Some(3),
        bytes: vec![0, 1, 254, 255],
        list: vec![-1, 2],
        shapes: vec![Shape::Point, Shape::Circle(0.5), Shape::Rect { w: 2, h: 3 }],
        when: DateTime::new(1999, 12, 31, 23, 59, 59).unwrap(),
        raw: Binary::from(vec![9; 10]),
        dynamic: members(&[("k", Value::I8(5))]),
    };
    let body = codec::response_to_vec(&record).unwrap();
    let text = String::from_utf8_lossy(&body).into_owned();
    assert!(
        text.contains("<name>bytes</name><value><base64>AAH+/w==</base64>"),
        "{text}"
    );
    assert!(
        text.contains("<name>maybe</name><value><nil/></value>"),
        "{text}"
    );
    assert!(
        text.contains("<value><string>Point</string></value>"),
        "{text}"
    );
    assert_eq!(codec::decode_response::<Record>(&body).unwrap(), Ok(record));
    // The same document read dynamically, then converted.
    let MethodResponse::Params(mut params) = codec::read_response(&body).unwrap() else {
        panic!()
    };
    let again: Record = params.remove(0).deserialize_into().unwrap();
    assert_eq!(again.name, "crab 🦀 & co");
}

#[test]
fn value_deserializes_through_other_formats() {
    let v: Value = serde_json::from_str(r#"{"a": [1, 2.5, "x", null, true]}"#).unwrap();
    assert_eq!(
        v,
        members(&[(
            "a",
            Value::Array(vec![
                Value::I8(1),
                Value::Double(2.5),
                Value::from("x"),
                Value::Nil,
                Value::Bool(true)
            ])
        )])
    );
    let json = serde_json::to_string(&Value::DateTime(
        DateTime::new(2026, 11, 25, 0, 0, 0).unwrap(),
    ))
    .unwrap();
    assert_eq!(json, "\"20261125T00:00:00\"");
}

/// Regression: the reader once capped `<double>` text at 256 bytes, below the 326
/// characters the writer needs for 5e-324 without an exponent.
#[test]
fn the_longest_doubles_the_writer_writes_read_back() {
    for d in [1e300, 5e-324, f64::MAX, f64::MIN, -f64::MIN_POSITIVE] {
        let body = codec::response_to_vec(&d).unwrap();
        assert_eq!(
            codec::decode_response::<f64>(&body).unwrap(),
            Ok(d),
            "{d:e}"
        );
    }
}
