//! The JSON form of XML-RPC: how `xrpc decode` prints values and documents, how
//! `xrpc encode` reads them back, and how a [`cassette`](crate::cassette) records calls
//! (behind the `json` feature).
//!
//! | XML-RPC                  | JSON                                                       |
//! |--------------------------|------------------------------------------------------------|
//! | `<int>`, `<i4>`, `<i8>`  | integer (`<int>` within 32 bits, `<i8>` beyond)            |
//! | `<boolean>`              | `true` / `false`                                           |
//! | `<string>`               | string                                                     |
//! | `<double>`               | number with `.` or `e` (`1.0`, `1e300`, `-0.0`)            |
//! | `<double>` NaN, ±inf     | `{"double": "nan"}`, `{"double": "inf"}`, `{"double": "-inf"}` |
//! | `<base64>`               | `{"base64": "<standard base64, padded>"}`                  |
//! | `<dateTime.iso8601>`     | `{"dateTime": "20261125T10:00:00"}`                        |
//! | `<struct>`               | object, members in order                                   |
//! | `<array>`                | array                                                      |
//! | `<nil/>`                 | `null`                                                     |
//! | `<ex:biginteger>`        | `{"biginteger": "123456789012345678901234567890"}`         |
//! | `<ex:bigdecimal>`        | `{"bigdecimal": "1.000000000000000000001"}`                |
//!
//! The one-key objects above are *tags*. A struct that would read back as a tag (one
//! member named `base64`, `dateTime`, `double`, `biginteger` or `bigdecimal` holding a string, or one member named
//! `struct` holding a struct) is printed inside a `{"struct": {...}}` tag, so every value
//! survives a round trip. The one loss: an `<i8>` small enough for 32 bits reads back as
//! `<int>`, because JSON has only one kind of integer.
//!
//! Documents: a call is `{"methodName": ..., "params": [...]}`, a response
//! `{"params": [...]}` and a fault `{"fault": {"faultCode": ..., "faultString": ...}}`.

use crate::codec::{Document, MethodCall};
use crate::fault::Fault;
use crate::value::{Binary, DateTime, Struct, Value};
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Number, Value as Json};
use std::fmt;

/// The key of a call's method name.
const METHOD_NAME: &str = "methodName";
/// The key of a call's or a response's parameter list.
const PARAMS: &str = "params";
/// The key of a fault response's fault.
const FAULT: &str = "fault";
/// The fault's code member, as on the wire.
const FAULT_CODE: &str = "faultCode";
/// The fault's message member, as on the wire.
const FAULT_STRING: &str = "faultString";

/// Tag of a `<base64>` value.
const BASE64_TAG: &str = "base64";
/// Tag of a `<dateTime.iso8601>` value.
const DATETIME_TAG: &str = "dateTime";
/// Tag of a double that JSON numbers cannot hold.
const DOUBLE_TAG: &str = "double";
/// Tag of an `<ex:biginteger>` (its digits).
const BIGINTEGER_TAG: &str = "biginteger";
/// Tag of an `<ex:bigdecimal>` (its text).
const BIGDECIMAL_TAG: &str = "bigdecimal";
/// Tag of a struct that would otherwise read back as one of the tags above.
const STRUCT_TAG: &str = "struct";

/// The mapping in short, for a command's `--help`.
///
/// ```
/// assert!(xmlrpc_kit::json::MAPPING_HELP.contains("{\"base64\": \"AAEC\"}"));
/// ```
pub const MAPPING_HELP: &str = "\
JSON form:
  call      {\"methodName\": \"name\", \"params\": [value, ...]}
  response  {\"params\": [value]}
  fault     {\"fault\": {\"faultCode\": 4, \"faultString\": \"text\"}}

Values:
  int, i4, i8        integer (int within 32 bits, i8 beyond)
  boolean            true / false
  string             string
  double             number with a point or exponent (1.0, 1e300),
                     or {\"double\": \"nan\"}, {\"double\": \"inf\"}, {\"double\": \"-inf\"}
  base64             {\"base64\": \"AAEC\"}
  dateTime.iso8601   {\"dateTime\": \"20261125T10:00:00\"}
  struct             object (a struct that looks like one of the tags above is
                     wrapped as {\"struct\": {...}})
  array              array
  nil                null";

/// Base64 as `xrpc encode` reads it: standard alphabet, padding optional.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// JSON that is not the JSON form of an XML-RPC value or document, and where in it.
///
/// ```
/// let err = xmlrpc_kit::json::from_json(serde_json::json!([1, {"base64": "!"}])).unwrap_err();
/// assert!(err.to_string().starts_with("at [1].base64: invalid base64"), "{err}");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// From the outermost step to the innermost.
    path: Vec<Step>,
    message: String,
}

/// One step into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

impl ShapeError {
    /// An error at the current place; callers add the path on the way out.
    ///
    /// ```
    /// let err = xmlrpc_kit::json::ShapeError::new("not a call").in_index(2);
    /// assert_eq!(err.to_string(), "at [2]: not a call");
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        ShapeError {
            path: Vec::new(),
            message: message.into(),
        }
    }

    fn in_key(mut self, key: &str) -> Self {
        self.path.insert(0, Step::Key(key.to_owned()));
        self
    }

    /// The same error, one array item further out: `[index]` goes before the path.
    ///
    /// ```
    /// let err = xmlrpc_kit::json::ShapeError::new("bad").in_index(0);
    /// assert_eq!(err.to_string(), "at [0]: bad");
    /// ```
    pub fn in_index(mut self, index: usize) -> Self {
        self.path.insert(0, Step::Index(index));
        self
    }
}

impl fmt::Display for ShapeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            return f.write_str(&self.message);
        }
        f.write_str("at ")?;
        for (i, step) in self.path.iter().enumerate() {
            match step {
                Step::Index(index) => write!(f, "[{index}]")?,
                Step::Key(key) if is_plain_key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Step::Key(key) => write!(f, "[{}]", Json::from(key.as_str()))?,
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ShapeError {}

/// Whether a key can be shown as `.key` in a path rather than `["key"]`.
fn is_plain_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

// ----- values ----------------------------------------------------------------------------

/// A value in its JSON form, written by serde straight to any serializer (no
/// `serde_json::Value` tree in between): what `decode`, `call` and `multicall` print.
///
/// ```
/// use xmlrpc_kit::{json::JsonForm, Value};
/// let text = serde_json::to_string(&JsonForm(&Value::from(vec![Value::from(1), Value::Nil])))?;
/// assert_eq!(text, "[1,null]");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct JsonForm<'a>(pub &'a Value);

impl Serialize for JsonForm<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Int(i) => serializer.serialize_i32(*i),
            Value::I8(i) => serializer.serialize_i64(*i),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::String(s) => serializer.serialize_str(s),
            // serde_json prints a finite double with a point or an exponent (1.0, 1e300).
            Value::Double(d) if d.is_finite() => serializer.serialize_f64(*d),
            Value::Double(d) => {
                let text = if d.is_nan() {
                    "nan"
                } else if *d > 0.0 {
                    "inf"
                } else {
                    "-inf"
                };
                tag(serializer, DOUBLE_TAG, text)
            }
            Value::DateTime(t) => tag(serializer, DATETIME_TAG, &t.to_string()),
            Value::Base64(b) => tag(serializer, BASE64_TAG, &STANDARD.encode(b.as_slice())),
            Value::Struct(members) if looks_like_a_tag(members) => {
                tag(serializer, STRUCT_TAG, &Members(members))
            }
            Value::Struct(members) => Members(members).serialize(serializer),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&JsonForm(item))?;
                }
                seq.end()
            }
            Value::Nil => serializer.serialize_unit(),
            Value::BigInteger(n) => tag(serializer, BIGINTEGER_TAG, n.as_str()),
            Value::BigDecimal(n) => tag(serializer, BIGDECIMAL_TAG, n.as_str()),
        }
    }
}

/// A struct's members as a JSON object, in order.
struct Members<'a>(&'a Struct);

impl Serialize for Members<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0.iter() {
            map.serialize_entry(name, &JsonForm(value))?;
        }
        map.end()
    }
}

/// A one-key object: `{"tag": inner}`.
fn tag<S: Serializer, T: Serialize + ?Sized>(
    serializer: S,
    tag: &str,
    inner: &T,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(tag, inner)?;
    map.end()
}

/// The JSON form of a value as a `serde_json::Value`.
///
/// ```
/// use xmlrpc_kit::{json, Binary, Value};
/// assert_eq!(json::to_json(&Value::Base64(Binary::new(vec![0, 1, 2]))), serde_json::json!({"base64": "AAEC"}));
/// ```
pub fn to_json(value: &Value) -> Json {
    // Writing to a `serde_json::Value` fails only for non-string map keys, and every key
    // here is a string.
    serde_json::to_value(JsonForm(value)).unwrap_or(Json::Null)
}

/// Whether a struct's plain JSON object would be read back as a tag by [`from_json`].
fn looks_like_a_tag(members: &Struct) -> bool {
    let mut iter = members.iter();
    match (iter.next(), iter.next()) {
        (Some((name, value)), None) => match value {
            Value::String(_) => STRING_TAGS.contains(&name.as_str()),
            Value::Struct(_) => name == STRUCT_TAG,
            _ => false,
        },
        _ => false,
    }
}

/// The tags whose inner value is a string.
const STRING_TAGS: [&str; 5] = [
    BASE64_TAG,
    DATETIME_TAG,
    DOUBLE_TAG,
    BIGINTEGER_TAG,
    BIGDECIMAL_TAG,
];

/// The tag a JSON object is, if it is one: one key naming a tag, holding the tag's type.
fn tag_of(object: &Map<String, Json>) -> Option<&'static str> {
    let mut iter = object.iter();
    let (Some((key, value)), None) = (iter.next(), iter.next()) else {
        return None;
    };
    match value {
        Json::String(_) => STRING_TAGS.into_iter().find(|tag| tag == key),
        Json::Object(_) => (key == STRUCT_TAG).then_some(STRUCT_TAG),
        _ => None,
    }
}

/// The value a JSON form stands for.
///
/// Integers within 32 bits become `Int`, wider ones `I8`; integers beyond 64 bits are an
/// error (serde_json reads integer literals beyond `u64::MAX` as doubles, so those become
/// `Double` before this function sees them).
///
/// ```
/// use xmlrpc_kit::{json, Value};
/// assert_eq!(json::from_json(serde_json::json!(5_000_000_000i64))?, Value::I8(5_000_000_000));
/// # Ok::<(), xmlrpc_kit::json::ShapeError>(())
/// ```
pub fn from_json(json: Json) -> Result<Value, ShapeError> {
    match json {
        Json::Null => Ok(Value::Nil),
        Json::Bool(b) => Ok(Value::Bool(b)),
        Json::Number(n) => number_from_json(&n),
        Json::String(s) => Ok(Value::String(s)),
        Json::Array(items) => items_from_json(items).map(Value::Array),
        Json::Object(mut object) => match tag_of(&object) {
            Some(tag) => match object.shift_remove(tag) {
                Some(inner) => tag_from_json(tag, inner).map_err(|e| e.in_key(tag)),
                None => members_from_json(object).map(Value::Struct),
            },
            None => members_from_json(object).map(Value::Struct),
        },
    }
}

fn items_from_json(items: Vec<Json>) -> Result<Vec<Value>, ShapeError> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| from_json(item).map_err(|e| e.in_index(i)))
        .collect()
}

fn members_from_json(object: Map<String, Json>) -> Result<Struct, ShapeError> {
    let mut members = Struct::with_capacity(object.len());
    for (name, value) in object {
        let value = from_json(value).map_err(|e| e.in_key(&name))?;
        members.insert(name, value);
    }
    Ok(members)
}

fn number_from_json(n: &Number) -> Result<Value, ShapeError> {
    if let Some(i) = n.as_i64() {
        return Ok(i32::try_from(i).map_or(Value::I8(i), Value::Int));
    }
    if n.is_u64() {
        return Err(ShapeError::new(format!(
            "integer {n} does not fit in 64 bits (XML-RPC's widest integer is <i8>)"
        )));
    }
    match n.as_f64() {
        Some(d) => Ok(Value::Double(d)),
        None => Err(ShapeError::new(format!("number {n} is not a double"))),
    }
}

/// The value of a tag whose inner JSON has the right type (checked by the caller).
fn tag_from_json(tag: &str, inner: Json) -> Result<Value, ShapeError> {
    match (tag, inner) {
        (STRUCT_TAG, Json::Object(object)) => members_from_json(object).map(Value::Struct),
        (BASE64_TAG, Json::String(text)) => {
            let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
            LENIENT_BASE64
                .decode(compact)
                .map(|bytes| Value::Base64(Binary::new(bytes)))
                .map_err(|e| ShapeError::new(format!("invalid base64: {e}")))
        }
        (DATETIME_TAG, Json::String(text)) => text
            .parse::<DateTime>()
            .map(Value::DateTime)
            .map_err(|e| ShapeError::new(e.to_string())),
        (BIGINTEGER_TAG, Json::String(text)) => text
            .parse()
            .map(Value::BigInteger)
            .map_err(|e| ShapeError::new(e.to_string())),
        (BIGDECIMAL_TAG, Json::String(text)) => text
            .parse()
            .map(Value::BigDecimal)
            .map_err(|e| ShapeError::new(e.to_string())),
        (DOUBLE_TAG, Json::String(text)) => match text.as_str() {
            "nan" => Ok(Value::Double(f64::NAN)),
            "inf" => Ok(Value::Double(f64::INFINITY)),
            "-inf" => Ok(Value::Double(f64::NEG_INFINITY)),
            _ => Err(ShapeError::new(format!(
                "a {{\"double\": ...}} tag holds \"nan\", \"inf\" or \"-inf\", not {}; \
                 write finite doubles as JSON numbers such as 1.0",
                Json::String(text)
            ))),
        },
        (_, other) => Err(ShapeError::new(format!(
            "unexpected {} in a {tag:?} tag",
            kind(&other)
        ))),
    }
}

/// What kind of JSON a value is, for error messages.
///
/// ```
/// assert_eq!(xmlrpc_kit::json::kind(&serde_json::json!([])), "an array");
/// ```
pub fn kind(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}

// ----- documents -------------------------------------------------------------------------

/// A document in its JSON form, written by serde: `{"methodName": ..., "params": [...]}`,
/// `{"params": [...]}` or `{"fault": {"faultCode": ..., "faultString": ...}}`.
///
/// ```
/// use xmlrpc_kit::{codec::Document, json::DocumentForm};
/// let text = serde_json::to_string(&DocumentForm(&Document::Response(vec![16.into()])))?;
/// assert_eq!(text, r#"{"params":[16]}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct DocumentForm<'a>(pub &'a Document);

/// The serde shapes of the three documents.
#[derive(Serialize)]
#[serde(untagged)]
enum DocumentShape<'a> {
    Call {
        #[serde(rename = "methodName")]
        method_name: &'a str,
        params: Params<'a>,
    },
    Response {
        params: Params<'a>,
    },
    Fault {
        fault: FaultShape<'a>,
    },
}

#[derive(Serialize)]
struct FaultShape<'a> {
    #[serde(rename = "faultCode")]
    code: i32,
    #[serde(rename = "faultString")]
    string: &'a str,
}

/// Parameters as a JSON array.
struct Params<'a>(&'a [Value]);

impl Serialize for Params<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(JsonForm))
    }
}

impl Serialize for DocumentForm<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Document::Call(call) => DocumentShape::Call {
                method_name: &call.method_name,
                params: Params(&call.params),
            },
            Document::Response(params) => DocumentShape::Response {
                params: Params(params),
            },
            Document::Fault(fault) => DocumentShape::Fault {
                fault: FaultShape {
                    code: fault.code,
                    string: &fault.string,
                },
            },
        }
        .serialize(serializer)
    }
}

/// The JSON form of a document as a `serde_json::Value`.
///
/// ```
/// use xmlrpc_kit::{codec::Document, json, Fault};
/// let fault = json::document_to_json(&Document::Fault(Fault::new(4, "Too many")));
/// assert_eq!(fault, serde_json::json!({"fault": {"faultCode": 4, "faultString": "Too many"}}));
/// ```
pub fn document_to_json(document: &Document) -> Json {
    serde_json::to_value(DocumentForm(document)).unwrap_or(Json::Null)
}

/// The document a JSON form stands for: a call when it has `methodName`, a fault when it
/// has `fault`, a response otherwise. A call's `params` may be left out (no parameters).
///
/// ```
/// use xmlrpc_kit::{codec::Document, json};
/// let call = json::document_from_json(serde_json::json!({"methodName": "add", "params": [8, 8]}))?;
/// assert!(matches!(call, Document::Call(c) if c.method_name == "add" && c.params == [8.into(), 8.into()]));
/// # Ok::<(), xmlrpc_kit::json::ShapeError>(())
/// ```
pub fn document_from_json(json: Json) -> Result<Document, ShapeError> {
    const EXPECTED: &str = "expected {\"methodName\": ..., \"params\": [...]} (a call), \
        {\"params\": [...]} (a response) or {\"fault\": {...}} (a fault)";
    let Json::Object(mut object) = json else {
        return Err(ShapeError::new(format!(
            "{EXPECTED}, found {}",
            kind(&json)
        )));
    };
    if let Some(fault) = object.shift_remove(FAULT) {
        only_keys(&object, "a fault", &[])?;
        return fault_from_json(fault)
            .map(Document::Fault)
            .map_err(|e| e.in_key(FAULT));
    }
    if let Some(name) = object.shift_remove(METHOD_NAME) {
        let params = object.shift_remove(PARAMS);
        only_keys(&object, "a call", &[METHOD_NAME, PARAMS])?;
        let method_name = match name {
            Json::String(s) if !s.trim().is_empty() => s,
            Json::String(_) => {
                return Err(ShapeError::new("a method name cannot be empty").in_key(METHOD_NAME))
            }
            other => {
                return Err(
                    ShapeError::new(format!("expected a string, found {}", kind(&other)))
                        .in_key(METHOD_NAME),
                )
            }
        };
        let params = match params {
            None => Vec::new(),
            Some(params) => params_from_json(params)?,
        };
        return Ok(Document::Call(MethodCall {
            method_name,
            params,
        }));
    }
    if let Some(key) = object.keys().find(|k| is_method_name_misspelt(k)) {
        return Err(ShapeError::new(format!(
            "found key {key:?}: a call's method name goes in \"methodName\" \
             ({{\"methodName\": \"add\", \"params\": [1, 2]}})"
        )));
    }
    if let Some(params) = object.shift_remove(PARAMS) {
        only_keys(&object, "a response", &[PARAMS])?;
        return Ok(Document::Response(params_from_json(params)?));
    }
    match object.keys().next() {
        Some(key) => Err(ShapeError::new(format!("{EXPECTED}, found key {:?}", key))),
        None => Err(ShapeError::new(format!("{EXPECTED}, found {{}}"))),
    }
}

/// Whether a key is a common misspelling of `methodName` (`method`, `method_name`,
/// `methodname`, `name`...).
fn is_method_name_misspelt(key: &str) -> bool {
    let folded: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(
        folded.as_str(),
        "method" | "methodname" | "name" | "methodcall"
    )
}

/// Refuses keys left over after the known ones were taken out.
fn only_keys(rest: &Map<String, Json>, what: &str, known: &[&str]) -> Result<(), ShapeError> {
    match rest.keys().next() {
        None => Ok(()),
        Some(key) if known.is_empty() => Err(ShapeError::new(format!(
            "unexpected key {key:?} beside \"fault\" in {what}"
        ))),
        Some(key) => Err(ShapeError::new(format!(
            "unexpected key {key:?} in {what} (its keys are {})",
            known
                .iter()
                .map(|k| format!("{k:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn params_from_json(params: Json) -> Result<Vec<Value>, ShapeError> {
    match params {
        Json::Array(items) => items_from_json(items),
        other => Err(ShapeError::new(format!(
            "expected an array of values, found {}",
            kind(&other)
        ))),
    }
    .map_err(|e| e.in_key(PARAMS))
}

fn fault_from_json(fault: Json) -> Result<Fault, ShapeError> {
    let Json::Object(mut object) = fault else {
        return Err(ShapeError::new(format!(
            "expected {{\"faultCode\": integer, \"faultString\": string}}, found {}",
            kind(&fault)
        )));
    };
    let code = object.shift_remove(FAULT_CODE);
    let string = object.shift_remove(FAULT_STRING);
    only_keys(&object, "a fault", &[FAULT_CODE, FAULT_STRING])?;
    let code = match code {
        Some(Json::Number(n)) => n
            .as_i64()
            .and_then(|i| i32::try_from(i).ok())
            .ok_or_else(|| ShapeError::new(format!("{n} is not a 32-bit integer"))),
        Some(other) => Err(ShapeError::new(format!(
            "expected an integer, found {}",
            kind(&other)
        ))),
        None => Err(ShapeError::new("missing")),
    }
    .map_err(|e| e.in_key(FAULT_CODE))?;
    let string = match string {
        Some(Json::String(s)) => Ok(s),
        Some(other) => Err(ShapeError::new(format!(
            "expected a string, found {}",
            kind(&other)
        ))),
        None => Err(ShapeError::new("missing")),
    }
    .map_err(|e| e.in_key(FAULT_STRING))?;
    Ok(Fault::new(code, string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip(value: &Value) -> Value {
        let text = to_json(value).to_string();
        let json: Json = serde_json::from_str(&text).unwrap();
        from_json(json).unwrap()
    }

    fn struct_of(members: &[(&str, Value)]) -> Value {
        Value::Struct(
            members
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    /// Compares doubles by bits, so that -0.0 and 0.0 differ and NaN equals NaN.
    fn same_double(a: &Value, b: &Value) -> bool {
        match (a, b) {
            (Value::Double(x), Value::Double(y)) => {
                x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
            }
            _ => false,
        }
    }

    #[test]
    fn every_type_survives_a_round_trip() {
        let time: DateTime = "2026-11-25T10:11:12.25+02:00".parse().unwrap();
        let values = [
            Value::Int(0),
            Value::Int(i32::MAX),
            Value::Int(i32::MIN),
            Value::I8(i64::from(i32::MAX) + 1),
            Value::I8(i64::from(i32::MIN) - 1),
            Value::I8(i64::MAX),
            Value::I8(i64::MIN),
            Value::Bool(true),
            Value::Bool(false),
            Value::from(""),
            Value::from("café ☕ 𝄞 \"quoted\" \\ \u{1}\n\ttab"),
            Value::DateTime(time),
            Value::DateTime("20261125T10:00:00".parse().unwrap()),
            Value::Base64(Binary::new(Vec::new())),
            Value::Base64(Binary::new((0..=255).collect())),
            Value::Struct(Struct::new()),
            struct_of(&[
                ("z", Value::Int(1)),
                ("a", Value::Nil),
                ("m", Value::from("x")),
            ]),
            Value::Array(Vec::new()),
            Value::Array(vec![Value::Nil, Value::Array(vec![Value::Int(1)])]),
            Value::Nil,
        ];
        for value in values {
            assert_eq!(round_trip(&value), value, "{value:?}");
        }
    }

    #[test]
    fn doubles_stay_doubles_bit_for_bit() {
        for d in [
            1.0,
            -0.0,
            0.0,
            1e300,
            -1e300,
            5e-324,
            f64::MAX,
            f64::MIN_POSITIVE,
            0.1,
            123456789012345680000.0,
            // Needs serde_json's `float_roundtrip`: its fast parser reads this one ULP off.
            2.5e-30,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            let back = round_trip(&Value::Double(d));
            assert!(
                same_double(&back, &Value::Double(d)),
                "{d:?} came back as {back:?}"
            );
        }
    }

    #[test]
    fn random_bit_patterns_survive_as_doubles() {
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        for _ in 0..100_000 {
            // xorshift64: deterministic, and covers every exponent including subnormals.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let d = f64::from_bits(state);
            let back = round_trip(&Value::Double(d));
            assert!(
                same_double(&back, &Value::Double(d)),
                "{d:?} came back as {back:?}"
            );
        }
    }

    #[test]
    fn doubles_print_with_a_point_or_an_exponent() {
        assert_eq!(to_json(&Value::Double(1.0)).to_string(), "1.0");
        assert_eq!(to_json(&Value::Double(-0.0)).to_string(), "-0.0");
        for d in [1e300, 5e-324, 1e16, 0.1, -2.5, 123456789012345680000.0] {
            let text = to_json(&Value::Double(d)).to_string();
            assert!(text.contains(['.', 'e']), "{d:?} printed as {text}");
            assert_eq!(text.parse::<f64>().ok(), Some(d), "{text}");
        }
        assert_eq!(to_json(&Value::Double(f64::NAN)), json!({"double": "nan"}));
        assert_eq!(
            to_json(&Value::Double(f64::NEG_INFINITY)),
            json!({"double": "-inf"})
        );
    }

    #[test]
    fn integers_pick_int_or_i8_by_size() {
        assert_eq!(from_json(json!(2147483647)), Ok(Value::Int(i32::MAX)));
        assert_eq!(from_json(json!(2147483648_i64)), Ok(Value::I8(1 << 31)));
        assert_eq!(from_json(json!(-2147483648_i64)), Ok(Value::Int(i32::MIN)));
        assert_eq!(
            from_json(json!(-2147483649_i64)),
            Ok(Value::I8(-(1 << 31) - 1))
        );
        // A small <i8> reads back as <int>: JSON has one kind of integer.
        assert_eq!(round_trip(&Value::I8(5)), Value::Int(5));
        let err = from_json(json!(u64::MAX)).unwrap_err();
        assert!(err.to_string().contains("does not fit in 64 bits"), "{err}");
    }

    #[test]
    fn tags_print_as_documented() {
        assert_eq!(
            to_json(&Value::Base64(Binary::new(vec![0, 1, 2, 0xff]))),
            json!({"base64": "AAEC/w=="})
        );
        let t: DateTime = "2026-11-25T10:00:00".parse().unwrap();
        assert_eq!(
            to_json(&Value::DateTime(t)),
            json!({"dateTime": "20261125T10:00:00"})
        );
    }

    #[test]
    fn structs_that_look_like_tags_are_wrapped_and_come_back() {
        for (name, inner) in [
            ("base64", Value::from("AAEC")),
            ("dateTime", Value::from("not a date")),
            ("double", Value::from("nan")),
            ("struct", Value::Struct(Struct::new())),
            (
                "struct",
                struct_of(&[("struct", struct_of(&[("base64", Value::from("x"))]))]),
            ),
        ] {
            let value = struct_of(&[(name, inner)]);
            let json = to_json(&value);
            assert!(json.get("struct").is_some(), "{json} is not wrapped");
            assert_eq!(round_trip(&value), value, "{json}");
        }
        // Not tag-shaped: printed plainly, and read back as a struct.
        for value in [
            struct_of(&[("base64", Value::Int(1))]),
            struct_of(&[("double", Value::Double(f64::INFINITY))]),
            struct_of(&[("base64", Value::from("AA")), ("other", Value::Nil)]),
            struct_of(&[("dateTime", Value::DateTime("20260101".parse().unwrap()))]),
        ] {
            let json = to_json(&value);
            assert!(json.get("struct").is_none(), "{json} is wrapped");
            assert_eq!(round_trip(&value), value, "{json}");
        }
    }

    #[test]
    fn base64_reading_is_lenient_about_padding_and_lines() {
        let want = Value::Base64(Binary::new(b"hello world".to_vec()));
        assert_eq!(
            from_json(json!({"base64": "aGVsbG8g\nd29ybGQ="})),
            Ok(want.clone())
        );
        assert_eq!(from_json(json!({"base64": "aGVsbG8gd29ybGQ"})), Ok(want));
    }

    #[test]
    fn bad_tags_are_errors_that_say_where() {
        let err = from_json(json!({"list": [1, {"base64": "!!"}]})).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("at list[1].base64: invalid base64"),
            "{err}"
        );
        let err = from_json(json!([{"when": {"dateTime": "2026-13-01"}}])).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("at [0].when.dateTime: invalid dateTime"),
            "{err}"
        );
        let err = from_json(json!({"a b": {"double": "1.5"}})).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("at [\"a b\"].double: a {\"double\""),
            "{err}"
        );
    }

    #[test]
    fn documents_map_both_ways() {
        let call = json!({"methodName": "add", "params": [8, 8.0]});
        let doc = document_from_json(call.clone()).unwrap();
        assert_eq!(
            doc,
            Document::Call(MethodCall {
                method_name: "add".into(),
                params: vec![Value::Int(8), Value::Double(8.0)]
            })
        );
        assert_eq!(document_to_json(&doc), call);

        let fault = json!({"fault": {"faultCode": -32601, "faultString": "no"}});
        let doc = document_from_json(fault.clone()).unwrap();
        assert_eq!(doc, Document::Fault(Fault::new(-32601, "no")));
        assert_eq!(document_to_json(&doc), fault);

        let response = json!({"params": [{"a": null}]});
        let doc = document_from_json(response.clone()).unwrap();
        assert_eq!(document_to_json(&doc), response);

        let ping = document_from_json(json!({"methodName": "ping"})).unwrap();
        assert_eq!(
            document_to_json(&ping),
            json!({"methodName": "ping", "params": []})
        );
    }

    #[test]
    fn malformed_documents_are_refused() {
        for (json, message) in [
            (json!([1]), "expected {\"methodName\""),
            (json!({}), "expected {\"methodName\""),
            (json!({"method": "x"}), "found key \"method\""),
            (
                json!({"method": "add", "params": [1]}),
                "found key \"method\": a call's method name goes in \"methodName\"",
            ),
            (
                json!({"method_name": "add"}),
                "found key \"method_name\": a call's method name goes in \"methodName\"",
            ),
            (json!({"methodName": 3}), "at methodName: expected a string"),
            (
                json!({"methodName": " "}),
                "at methodName: a method name cannot be empty",
            ),
            (
                json!({"methodName": "m", "param": []}),
                "unexpected key \"param\"",
            ),
            (json!({"params": {}}), "at params: expected an array"),
            (
                json!({"fault": {"faultCode": 1}}),
                "at fault.faultString: missing",
            ),
            (
                json!({"fault": {"faultCode": 1.5, "faultString": ""}}),
                "at fault.faultCode: 1.5",
            ),
            (
                json!({"fault": {"faultCode": 1, "faultString": "", "x": 1}}),
                "at fault: unexpected key \"x\"",
            ),
            (
                json!({"fault": {"faultCode": 1, "faultString": ""}, "params": []}),
                "unexpected key \"params\"",
            ),
        ] {
            let err = document_from_json(json.clone()).unwrap_err().to_string();
            assert!(err.contains(message), "{json}: {err}");
        }
    }
}
