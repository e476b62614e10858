//! The deviations real peers make, read leniently and noted, refused in strict mode: each
//! deviant document through the codec and through both clients (from a real HTTP server
//! sending them), and Perl's XMLRPC::Lite server faulting with string codes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use xmlrpc_kit::client::{CallOptions, Client, Error};
use xmlrpc_kit::codec::{self, DeviationKind, MethodResponse, Reader};
use xmlrpc_kit::{BigDecimal, BigInteger, Fault, Value};

/// What each deviant document reads as, leniently.
fn expected(method: &str) -> Result<Value, Fault> {
    let mut one = xmlrpc_kit::Struct::new();
    one.insert("a".into(), Value::Int(1));
    match method {
        "string_fault" => Err(Fault::with_code_text("Client", "as the peer says")),
        "bare_fault" => Err(Fault::new(-501, "as the peer says")),
        "biginteger" => Ok(Value::BigInteger(
            "123456789012345678901234567890".parse().unwrap(),
        )),
        "bigdecimal" => Ok(Value::BigDecimal(
            "3.14159265358979323846264338327950288".parse().unwrap(),
        )),
        "float" => Ok(Value::Double(1.5)),
        "short_int" => Ok(Value::Int(-12)),
        "no_result" => Ok(Value::Nil),
        "word_boolean" => Ok(Value::Bool(true)),
        "value_first" => Ok(Value::Struct(one)),
        other => panic!("no expectation for {other}"),
    }
}

#[test]
fn each_deviation_is_read_noted_where_it_is_and_refused_when_strict() {
    for deviant in test_support::deviant::all() {
        let xml = deviant.xml.as_bytes();
        // Lenient: the value, and exactly this deviation, with its place.
        let mut reader = Reader::from_slice(xml).unwrap();
        let got = match reader.read_envelope().unwrap() {
            codec::Envelope::Fault => Err(reader.read_fault().unwrap()),
            _ => Ok(reader.read_result::<Value>().unwrap()),
        };
        assert_eq!(got, expected(deviant.method), "{}", deviant.method);
        let noted = reader.deviations();
        assert_eq!(noted.len(), 1, "{}: {noted:?}", deviant.method);
        assert_eq!(noted[0].kind.name(), deviant.kind);
        assert!(
            noted[0].at > 0 && noted[0].at <= xml.len() as u64,
            "{}: at {}",
            deviant.method,
            noted[0].at
        );
        // The dynamic reader agrees.
        let dynamic = codec::read_response(xml).unwrap();
        match (&dynamic, expected(deviant.method)) {
            (MethodResponse::Fault(f), Err(want)) => assert_eq!(f, &want),
            (MethodResponse::Params(p), Ok(Value::Nil)) => assert!(p.is_empty()),
            (MethodResponse::Params(p), Ok(want)) => assert_eq!(p, &[want]),
            (other, want) => panic!("{}: {other:?} vs {want:?}", deviant.method),
        }
        // Strict: an error that names the deviation.
        let mut strict = Reader::from_slice(xml).unwrap().with_strict(true);
        let err = match strict.read_envelope().unwrap() {
            codec::Envelope::Fault => strict.read_fault().map(|_| ()).unwrap_err(),
            _ => strict.read_result::<Value>().map(|_| ()).unwrap_err(),
        };
        assert_eq!(err.deviation().map(|d| d.kind.name()), Some(deviant.kind));
        assert!(err.to_string().contains(deviant.kind), "{err}");
    }
}

#[test]
fn a_document_that_follows_the_spec_has_no_deviation_even_with_extensions() {
    // i8, nil, ex: prefixes, untyped values, whitespace and comments are not deviations.
    let xml = format!(
        "<?xml version=\"1.0\"?><!-- c --><methodResponse xmlns:ex=\"{}\"><params><param>\
         <value><array><data><value>plain</value><value><ex:i8>5</ex:i8></value>\
         <value><ex:nil/></value><value><boolean>1</boolean></value></data></array></value>\
         </param></params></methodResponse>",
        codec::APACHE_EXTENSIONS_NS
    );
    let mut reader = Reader::from_slice(xml.as_bytes())
        .unwrap()
        .with_strict(true);
    reader.read_envelope().unwrap();
    let v: Value = reader.read_result().unwrap();
    assert_eq!(v[1], Value::I8(5));
    assert!(reader.deviations().is_empty());
}

#[test]
fn big_numbers_keep_their_digits_and_reach_i128_u128_and_strings() {
    let doc = |tag: &str, text: &str| {
        format!(
            "<methodResponse><params><param><value><{tag}>{text}</{tag}></value></param></params></methodResponse>"
        )
    };
    let min = i128::MIN.to_string();
    let r: (i128,) = (
        codec::decode_response::<i128>(doc("biginteger", &min).as_bytes())
            .unwrap()
            .unwrap(),
    );
    assert_eq!(r.0, i128::MIN);
    let max = u128::MAX.to_string();
    let r: u128 = codec::decode_response(doc("ex:biginteger", &max).as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(r, u128::MAX);
    let huge = "9".repeat(60);
    let s: String = codec::decode_response(doc("biginteger", &huge).as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(s, huge);
    let small: i64 = codec::decode_response(doc("biginteger", "42").as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(small, 42);
    assert!(codec::decode_response::<i64>(doc("biginteger", &huge).as_bytes()).is_err());
    assert!(codec::decode_response::<Value>(doc("biginteger", "12a").as_bytes()).is_err());
    let d: String =
        codec::decode_response(doc("bigdecimal", "0.1000000000000000000001").as_bytes())
            .unwrap()
            .unwrap();
    assert_eq!(d, "0.1000000000000000000001");
    let f: f64 = codec::decode_response(doc("bigdecimal", "2.5").as_bytes())
        .unwrap()
        .unwrap();
    assert_eq!(f, 2.5);

    // Written back as Apache writes them, and read back the same.
    let values = vec![
        Value::BigInteger(huge.parse::<BigInteger>().unwrap()),
        Value::BigDecimal("-1.5E+300".parse::<BigDecimal>().unwrap()),
    ];
    let body = codec::response_to_vec(&values).unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(
        text.contains(&format!(
            "<ex:biginteger xmlns:ex=\"{}\">{huge}</ex:biginteger>",
            codec::APACHE_EXTENSIONS_NS
        )),
        "{text}"
    );
    let back = codec::read_response(&body).unwrap();
    assert_eq!(back, MethodResponse::Params(vec![Value::Array(values)]));
    // A u128 beyond 64 bits is written as a biginteger, one within as an int.
    let body = codec::call_to_vec("f", &(u128::MAX, 7_u128)).unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(text.contains(&format!("{max}</ex:biginteger>")), "{text}");
    assert!(text.contains("<int>7</int>"), "{text}");
}

#[test]
fn clients_read_deviant_replies_from_a_server_and_strict_clients_refuse_them() {
    let dir = test_support::temp_dir("deviant-replies");
    test_support::deviant::write_all(dir.path());
    let server = test_support::peer::PeerServer::documents(dir.path()).unwrap();
    let lenient = Client::new(&server.url("/RPC2")).unwrap();
    let strict = Client::builder(&server.url("/RPC2"))
        .strict(true)
        .build()
        .unwrap();
    for deviant in test_support::deviant::all() {
        let reply = lenient
            .call_reply::<Value, _>(deviant.method, (), &CallOptions::new())
            .unwrap();
        assert_eq!(reply.result, expected(deviant.method), "{}", deviant.method);
        let kinds: Vec<&str> = reply.deviations.iter().map(|d| d.kind.name()).collect();
        assert_eq!(kinds, [deviant.kind]);
        // `call` gives the same answer, without the notes.
        let plain = lenient.call::<Value, _>(deviant.method, ());
        match expected(deviant.method) {
            Ok(v) => assert_eq!(plain.unwrap(), v),
            Err(f) => assert_eq!(plain.unwrap_err().fault(), Some(&f)),
        }
        match strict.call::<Value, _>(deviant.method, ()) {
            Err(Error::Reply(e)) => {
                assert_eq!(e.deviation().map(|d| d.kind.name()), Some(deviant.kind))
            }
            other => panic!("{}: strict gave {other:?}", deviant.method),
        }
    }
    // The async client says the same.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = xmlrpc_kit::AsyncClient::new(&server.url("/RPC2")).unwrap();
    let reply = runtime
        .block_on(client.call_reply::<Value, _>("bare_fault", (), &CallOptions::new()))
        .unwrap();
    assert_eq!(reply.deviations[0].kind, DeviationKind::BareFault);
}

#[test]
fn perl_xmlrpc_lite_faults_with_string_codes_are_read() {
    let mut probe = Command::new("perl");
    probe.args(["-MXMLRPC::Lite", "-MXMLRPC::Transport::HTTP", "-e", "1"]);
    if !test_support::peer::available("Perl's XMLRPC::Lite", "libxmlrpc-lite-perl", &mut probe)
        .unwrap()
    {
        return;
    }
    let mut command = Command::new("perl");
    command.arg(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../interop/peers/perl_server.pl"),
    );
    let perl = test_support::peer::PeerServer::start(command).unwrap();
    let client = Client::new(&perl.url("/RPC2")).unwrap();
    // Its own fault for an unknown method: faultCode "Client".
    let reply = client
        .call_reply::<Value, _>("no.such.method", (), &CallOptions::new())
        .unwrap();
    let fault = reply.result.unwrap_err();
    assert_eq!(fault.code_text.as_deref(), Some("Client"));
    assert_eq!(fault.code, Fault::NON_NUMERIC_CODE);
    assert!(fault.string.contains("no::such"), "{fault}");
    assert!(fault.to_string().starts_with("fault Client: "), "{fault}");
    assert_eq!(reply.deviations[0].kind, DeviationKind::StringFaultCode);
    // A fault it raises with a SOAP-style code, kept as text; a numeric one as a number.
    let err = client
        .call::<Value, _>("fault", ("Server.Database", "disk full"))
        .unwrap_err();
    let fault = err.fault().unwrap();
    assert_eq!(
        (fault.code_text.as_deref(), fault.string.as_str()),
        (Some("Server.Database"), "disk full")
    );
    let err = client
        .call::<Value, _>("fault", (4242, "numeric"))
        .unwrap_err();
    assert_eq!(err.fault().map(|f| f.code), Some(4242));
    // Strict mode refuses the string code, naming it. (The daemon serves one connection
    // at a time: the first client's kept-alive one goes first.)
    drop(client);
    let strict = Client::builder(&perl.url("/RPC2"))
        .strict(true)
        .build()
        .unwrap();
    match strict.call::<Value, _>("no.such.method", ()) {
        Err(Error::Reply(e)) => assert_eq!(
            e.deviation().map(|d| d.kind),
            Some(DeviationKind::StringFaultCode)
        ),
        other => panic!("strict gave {other:?}"),
    }
}
