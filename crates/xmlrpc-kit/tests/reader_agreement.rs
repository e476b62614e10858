//! The slice reader (our lexer, the fast path) and the stream reader (quick-xml behind a
//! guard) agree on every corpus document: the fuzz seeds in `fuzz/seeds`, the fuzzers' own
//! corpora in `fuzz/corpus/*` when they exist (they are not tracked), and hand-made
//! documents that walk the lexer's fast and general paths. Both accept a document with the
//! same value, or both refuse it, whatever the stream's buffer size.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::BufReader;
use std::path::{Path, PathBuf};
use xmlrpc_kit::codec::{self, MethodCall, MethodResponse, Reader};
use xmlrpc_kit::{Error, Value};

/// Structural equality where NaN equals NaN and other doubles compare by bits.
fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Value::Array(xs), Value::Array(ys)) => same_values(xs, ys),
        (Value::Struct(xs), Value::Struct(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same_value(vx, vy))
        }
        _ => a == b,
    }
}

fn same_values(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
}

fn same_call(a: &Result<MethodCall, Error>, b: &Result<MethodCall, Error>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => x.method_name == y.method_name && same_values(&x.params, &y.params),
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

fn same_response(a: &Result<MethodResponse, Error>, b: &Result<MethodResponse, Error>) -> bool {
    match (a, b) {
        (Ok(MethodResponse::Params(x)), Ok(MethodResponse::Params(y))) => same_values(x, y),
        (Ok(MethodResponse::Fault(x)), Ok(MethodResponse::Fault(y))) => x == y,
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

/// Checks one document as a call and as a response, at several buffer sizes, and moved past
/// the stream reader's 256-byte sniffing window (so short documents get split too).
/// Returns how many of the two readings were accepted.
fn check(name: &str, doc: &[u8]) -> usize {
    let padded = [&[b' '; 256][..], doc].concat();
    let mut accepted = 0;
    for doc in [doc, &padded[..]] {
        let call = codec::read_call(doc);
        let response = codec::read_response(doc);
        accepted += usize::from(call.is_ok()) + usize::from(response.is_ok());
        for capacity in [1, 2, 3, 5, 8, 13, 64, 4096] {
            let stream_call = Reader::from_reader(BufReader::with_capacity(capacity, doc))
                .and_then(Reader::read_call);
            assert!(
                same_call(&call, &stream_call),
                "{name}, capacity {capacity}: slice and stream disagree on a call:\n slice  {call:?}\n stream {stream_call:?}"
            );
            let stream_response = Reader::from_reader(BufReader::with_capacity(capacity, doc))
                .and_then(Reader::read_response);
            assert!(
                same_response(&response, &stream_response),
                "{name}, capacity {capacity}: slice and stream disagree on a response:\n slice  {response:?}\n stream {stream_response:?}"
            );
        }
    }
    accepted
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn slice_and_stream_agree_on_every_corpus_document() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let seeds = files_in(&fuzz.join("seeds"));
    assert!(seeds.len() >= 10, "the fuzz seeds are missing: {seeds:?}");
    let mut accepted = 0;
    for path in &seeds {
        accepted += check(&path.display().to_string(), &std::fs::read(path).unwrap());
    }
    assert!(accepted >= seeds.len(), "most seeds are valid documents");
    // The fuzzers' corpora, when a fuzz run left them here (`fuzz/run.sh`); capped so the
    // test stays quick however long the fuzzers ran.
    for target in ["read_slice", "read_stream", "decode_typed"] {
        for path in files_in(&fuzz.join("corpus").join(target))
            .iter()
            .take(3000)
        {
            let doc = std::fs::read(path).unwrap();
            // read_stream's inputs spend their first byte on the buffer size.
            let doc = if target == "read_stream" {
                doc.get(1..).unwrap_or_default().to_vec()
            } else {
                doc
            };
            check(&path.display().to_string(), &doc);
        }
    }
}

#[test]
fn slice_and_stream_agree_on_the_lexers_fast_and_general_paths() {
    let call = |params: &str| {
        format!("<methodCall><methodName>m</methodName><params>{params}</params></methodCall>")
    };
    let cases: Vec<(&str, String, bool)> = vec![
        ("plain", call("<param><value><int>1</int></value></param>"), true),
        ("self-closed", call("<param><value><ex:nil/></value></param>"), true),
        ("attributes", call("<param a='1'><value b=\"x>y\"><i4>2</i4></value></param>"), true),
        ("space before >", call("<param ><value ><int >3</int ></value ></param >"), true),
        ("space in empty", call("<param><value><nil /></value></param>"), true),
        ("prefixed", call("<param><value><ex:i8>4</ex:i8></value></param>"), true),
        ("prefix mismatch", call("<param><value><ex:i8>4</i8></value></param>"), false),
        ("unclosed", call("<param><value><int>5</int></value>"), false),
        ("wrong end", call("<param><value><int>5</int></valu></param>"), false),
        ("longer end", call("<param><value><int>5</int></values></param>"), false),
        ("end prefix only", call("<param><value><int>5</in></value></param>"), false),
        ("quote in name", call("<param><value><a\"x>\"y>1</a\"x></value></param>"), false),
        ("slash in name", call("<param><value><in/t>1</int></value></param>"), false),
        ("lt in tag", call("<param><value><int<>1</int></value></param>"), false),
        ("non-ascii name", call("<param><value><ünt>1</ünt></value></param>"), false),
        ("entities", call("<param><value>a&amp;b&#x41;&#66;&lt;</value></param>"), true),
        ("cdata", call("<param><value><![CDATA[<&>]]></value></param>"), true),
        ("comment", call("<param><!-- c --><value><int>6</int></value></param>"), true),
        ("crlf", call("<param><value><string>a\r\nb\rc</string></value></param>"), true),
        (
            "struct",
            call("<param><value><struct><member><name>a</name><value><i4>1</i4></value></member><member><value>x</value><name>b</name></member></struct></value></param>"),
            true,
        ),
        (
            "array",
            call("<param><value><array><data><value/><value><boolean>1</boolean></value></data></array></value></param>"),
            true,
        ),
        ("base64", call("<param><value><base64>\nAQID\nBA==\n</base64></value></param>"), true),
        ("digit name", call("<param><value><1a>1</1a></value></param>"), false),
        ("doctype", format!("<!DOCTYPE x>{}", call("")), false),
    ];
    for (name, doc, valid) in &cases {
        let accepted = check(name, doc.as_bytes());
        assert_eq!(accepted > 0, *valid, "{name}: {doc}");
    }
}
