//! `xrpc decode` and `xrpc encode` run as a user runs them: the built binary, stdin in,
//! stdout, stderr and the exit code out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{json, Value as Json};
use std::process::Command;
use std::time::Duration;
use test_support::process::{run_text, Run};

/// Runs `xrpc <args>` with `stdin` as its input; kills it and fails after 30 seconds.
fn xrpc(args: &[&str], stdin: &[u8]) -> Run {
    let mut xrpc = Command::new(env!("CARGO_BIN_EXE_xrpc"));
    xrpc.args(args);
    run_text(xrpc, stdin, Duration::from_secs(30))
}

/// Runs `xrpc <args>`, insists that it succeeded quietly, and returns its output.
fn ok(args: &[&str], stdin: &[u8]) -> String {
    let run = xrpc(args, stdin);
    assert_eq!(run.code, Some(0), "xrpc {args:?} failed: {}", run.stderr);
    assert_eq!(run.stderr, "", "xrpc {args:?} wrote to stderr");
    run.stdout
}

/// `xmlrpc.client.dumps(..., methodname="image.put", allow_none=True)` from CPython 3.11,
/// captured verbatim, with one change: CPython refuses ints beyond 32 bits, so its
/// marshaller was taught to write `<i8>` for `size` (the form Apache XML-RPC sends).
const PYTHON_CALL: &str = "<?xml version='1.0'?>
<methodCall>
<methodName>image.put</methodName>
<params>
<param>
<value><struct>
<member>
<name>name</name>
<value><string>café ☕ &lt;&amp;&gt;</string></value>
</member>
<member>
<name>size</name>
<value><i8>1099511627776</i8></value>
</member>
<member>
<name>tags</name>
<value><array><data>
<value><string>a</string></value>
<value><int>-7</int></value>
<value><double>2.5</double></value>
<value><boolean>1</boolean></value>
<value><nil/></value><value><double>1.0</double></value>
</data></array></value>
</member>
<member>
<name>when</name>
<value><dateTime.iso8601>20261125T10:00:00</dateTime.iso8601></value>
</member>
<member>
<name>data</name>
<value><base64>
AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4
OTo7PD0+Pw==
</base64></value>
</member>
</struct></value>
</param>
<param>
<value><array><data>
</data></array></value>
</param>
<param>
<value><struct>
</struct></value>
</param>
</params>
</methodCall>
";

#[test]
fn decode_a_call() {
    let out = ok(
        &["decode"],
        b"<?xml version=\"1.0\"?>\n<methodCall><methodName>add</methodName><params>\
          <param><value><int>8</int></value></param><param><value><i4>-8</i4></value></param>\
          </params></methodCall>",
    );
    assert_eq!(
        out,
        "{\n  \"methodName\": \"add\",\n  \"params\": [\n    8,\n    -8\n  ]\n}\n"
    );
}

#[test]
fn decode_a_response() {
    let out = ok(
        &["decode"],
        b"<methodResponse><params><param><value><struct>\
          <member><name>ratio</name><value><double>1</double></value></member>\
          <member><name>big</name><value><i8>9223372036854775807</i8></value></member>\
          <member><name>ok</name><value><boolean>0</boolean></value></member>\
          <member><name>untyped</name><value> text </value></member>\
          </struct></value></param></params></methodResponse>",
    );
    // The double keeps its point, so it reads back as a double.
    assert!(out.contains("\"ratio\": 1.0,"), "{out}");
    let json: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json,
        json!({"params": [{"ratio": 1.0, "big": 9223372036854775807_i64, "ok": false, "untyped": " text "}]})
    );
}

#[test]
fn decode_a_fault() {
    let out = ok(
        &["decode"],
        b"<methodResponse><fault><value><struct>\
          <member><name>faultCode</name><value><int>-32601</int></value></member>\
          <member><name>faultString</name><value><string>no such method</string></value></member>\
          </struct></value></fault></methodResponse>",
    );
    assert_eq!(
        out,
        "{\n  \"fault\": {\n    \"faultCode\": -32601,\n    \"faultString\": \"no such method\"\n  }\n}\n"
    );
}

#[test]
fn decode_what_python_sends() {
    let out = ok(&["decode"], PYTHON_CALL.as_bytes());
    let expected = json!({
        "methodName": "image.put",
        "params": [
            {
                "name": "café ☕ <&>",
                "size": 1099511627776_i64,
                "tags": ["a", -7, 2.5, true, null, 1.0],
                "when": {"dateTime": "20261125T10:00:00"},
                "data": {"base64": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="}
            },
            [],
            {}
        ]
    });
    let json: Json = serde_json::from_str(&out).unwrap();
    assert_eq!(json, expected);
    // Member order is kept as sent, not sorted.
    let keys: Vec<&str> = json["params"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["name", "size", "tags", "when", "data"]);
    assert!(out.contains("        null,\n        1.0\n"), "{out}");
}

#[test]
fn encode_then_decode_gives_back_the_same_json() {
    let documents = [
        json!({
            "methodName": "everything",
            "params": [
                0, 2147483647, -2147483648, 2147483648_i64, -9223372036854775808_i64,
                true, false, "", "tab\tnewline\ncr\r<&>\"'", "ünïcødé 𝄞",
                1.0, -0.0, 0.1, 1e200, 2.5e-30, 1e-7,
                {"base64": ""}, {"base64": "AAECAwQF/w=="},
                {"dateTime": "20261125T10:11:12"},
                {"z": 1, "a": [null, []], "m": {}},
                {"struct": {"base64": "not a tag"}},
                null
            ]
        }),
        json!({"params": [{"total": 16, "items": [1.5, "x"]}]}),
        json!({"fault": {"faultCode": 4, "faultString": "Too many parameters."}}),
    ];
    for document in documents {
        let text = serde_json::to_string_pretty(&document).unwrap() + "\n";
        let xml = ok(&["encode"], text.as_bytes());
        assert!(
            xml.starts_with("<?xml version=\"1.0\"?><methodResponse>")
                || xml.contains("<methodCall>"),
            "{xml}"
        );
        let back = ok(&["decode"], xml.as_bytes());
        assert_eq!(back, text, "through {xml}");
    }
}

/// The library writes doubles without an exponent (1e300 is 302 characters, 5e-324 is
/// 327); its reader must read them back. Regression test for a 256-byte cap it once had.
#[test]
fn extreme_doubles_survive_encode_and_decode() {
    let text = "{\n  \"params\": [\n    [\n      1e+300,\n      5e-324,\n      1.7976931348623157e+308\n    ]\n  ]\n}\n";
    let xml = ok(&["encode"], text.as_bytes());
    assert_eq!(ok(&["decode"], xml.as_bytes()), text);
}

#[test]
fn encode_writes_python_compatible_xml() {
    let xml = ok(&["encode"], br#"{"methodName": "image.put", "params": [{"size": 1099511627776, "n": 8, "when": {"dateTime": "2026-11-25T10:00:00"}, "data": {"base64": "AAEC"}, "none": null}]}"#);
    assert_eq!(
        xml,
        "<?xml version=\"1.0\"?><methodCall><methodName>image.put</methodName><params><param><value><struct>\
         <member><name>size</name><value><i8>1099511627776</i8></value></member>\
         <member><name>n</name><value><int>8</int></value></member>\
         <member><name>when</name><value><dateTime.iso8601>20261125T10:00:00</dateTime.iso8601></value></member>\
         <member><name>data</name><value><base64>AAEC</base64></value></member>\
         <member><name>none</name><value><nil/></value></member>\
         </struct></value></param></params></methodCall>\n"
    );
}

#[test]
fn malformed_xml_fails_with_the_line() {
    let run = xrpc(
        &["decode"],
        b"<methodCall>\n  <methodName>x</methodName>\n  <params><param><value><int>1</int></value></parm>\n",
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.starts_with("xrpc: malformed XML"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("line 3"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn bad_json_and_bad_shapes_fail_with_a_message() {
    for (input, message) in [
        ("{\"params\": [1,\n2,]}", "xrpc: invalid JSON: "),
        (
            "{\"params\": [1, 2]}",
            "xrpc: a response holds exactly one value in \"params\", found 2",
        ),
        (
            "{\"params\": [{\"a\": {\"base64\": \"@@\"}}]}",
            "xrpc: at params[0].a.base64: invalid base64",
        ),
        (
            "{\"params\": [18446744073709551615]}",
            "does not fit in 64 bits",
        ),
        ("[]", "xrpc: expected {\"methodName\""),
    ] {
        let run = xrpc(&["encode"], input.as_bytes());
        assert_eq!(run.code, Some(1), "{input}");
        assert!(run.stderr.contains(message), "{input}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{input}");
    }
}

#[test]
fn an_unknown_subcommand_is_a_usage_error() {
    let run = xrpc(&["frobnicate"], b"");
    assert_eq!(run.code, Some(2));
    assert!(run.stderr.contains("frobnicate"), "{}", run.stderr);
}
