//! Bytes straight into Rust types through the serde deserializer: it must never panic,
//! whatever the target type asks for. And the typed path must agree with the dynamic one:
//! `decode_*::<Value>` gives what `read_*` gives.

#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use xmlrpc_kit::codec::{self, MethodResponse};
use xmlrpc_kit::{Binary, DateTime, Value};
use xmlrpc_kit_fuzz::{same_value, same_values, show};

/// A struct exercising most of the mapping: every primitive, options, sequences, maps,
/// bytes, times, enums, nesting, renames and defaults.
#[derive(Deserialize, Debug, Default)]
#[serde(default)]
#[allow(dead_code)]
struct Record {
    id: i64,
    small: u8,
    name: String,
    letter: Option<char>,
    tags: Vec<String>,
    score: Option<f64>,
    ratio: f32,
    active: bool,
    created: Option<DateTime>,
    data: Option<Binary>,
    raw: Vec<u8>,
    kind: Option<Kind>,
    counts: BTreeMap<String, u32>,
    pair: Option<(i32, String)>,
    child: Option<Box<Record>>,
    #[serde(rename = "faultCode")]
    fault_code: Option<i32>,
    any: Option<Value>,
    unit: (),
}

/// Every shape of enum: a string for a unit variant, a one-member struct for the others.
#[derive(Deserialize, Debug)]
#[allow(dead_code)]
enum Kind {
    Plain,
    Number(i32),
    Pair(i32, String),
    Named { x: i64, y: Option<String> },
}

/// `flatten` sends everything through serde's buffered `Content` and `deserialize_any`.
#[derive(Deserialize, Debug)]
#[allow(dead_code)]
struct Loose {
    name: Option<String>,
    #[serde(flatten)]
    rest: HashMap<String, Value>,
}

fuzz_target!(|data: &[u8]| {
    // Typed: no panic, whatever the outcome.
    let _ = codec::decode_call::<(i32, String, Vec<Value>, Option<f64>)>(data);
    let _ = codec::decode_call::<(Record,)>(data);
    let _ = codec::decode_call::<(Kind, Loose)>(data);
    let _ = codec::decode_response::<Record>(data);
    let _ = codec::decode_response::<Loose>(data);
    let _ = codec::decode_response::<Kind>(data);
    let _ = codec::decode_response::<Vec<Option<Kind>>>(data);

    // Typed `Value` against the dynamic reader.
    let typed = codec::decode_call::<Vec<Value>>(data);
    let dynamic = codec::read_call(data);
    let agree = match (&typed, &dynamic) {
        (Ok((name, params)), Ok(call)) => {
            *name == call.method_name && same_values(params, &call.params)
        }
        (Err(_), Err(_)) => true,
        _ => false,
    };
    assert!(
        agree,
        "decode_call::<Vec<Value>> and read_call disagree:\n typed   {typed:?}\n dynamic {dynamic:?}\n doc     {:?}",
        show(data)
    );

    // `decode_response` reads exactly one result (an empty `<params/>` is nil); `read_response`
    // reads any number.
    let typed = codec::decode_response::<Value>(data);
    let dynamic = codec::read_response(data);
    let agree = match (&typed, &dynamic) {
        (Ok(Ok(value)), Ok(MethodResponse::Params(params))) => match params.as_slice() {
            [] => *value == Value::Nil,
            [one] => same_value(value, one),
            _ => false,
        },
        (Ok(Err(f1)), Ok(MethodResponse::Fault(f2))) => f1 == f2,
        (Err(_), Err(_)) => true,
        (Err(_), Ok(MethodResponse::Params(params))) => params.len() > 1,
        _ => false,
    };
    assert!(
        agree,
        "decode_response::<Value> and read_response disagree:\n typed   {typed:?}\n dynamic {dynamic:?}\n doc     {:?}",
        show(data)
    );
});
