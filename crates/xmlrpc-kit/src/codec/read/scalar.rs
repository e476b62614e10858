//! Scalars from their text: `<int>`/`<i4>`, `<i8>`, `<boolean>`, `<double>`,
//! `<dateTime.iso8601>`; and the fault struct's two members, read leniently.

use super::value::Scalar;
use super::DeviationKind;
use super::Tag;
use crate::fault::Fault;
use crate::value::{DateTime, Value};

/// The longest text an `<int>`, `<double>`, `<boolean>` or date may hold: room for any
/// double written in full without an exponent, even as its exact decimal expansion
/// (`printf("%.1074f", 5e-324)` takes 1,076 characters), plus whitespace.
pub(super) const MAX_SCALAR_TEXT: usize = 1280;

pub(super) fn parse_scalar(tag: Tag, text: &str) -> Result<Scalar, String> {
    match tag {
        Tag::Int => text
            .parse::<i32>()
            .map(Scalar::Int)
            .map_err(|e| format!("not a 32-bit integer ({e})")),
        Tag::I8 => text
            .parse::<i64>()
            .map(Scalar::I8)
            .map_err(|e| format!("not a 64-bit integer ({e})")),
        Tag::Boolean => match text {
            "1" | "true" => Ok(Scalar::Bool(true)),
            "0" | "false" => Ok(Scalar::Bool(false)),
            _ => Err("a boolean is 0 or 1".into()),
        },
        // `nan`, `inf` and overflowing exponents (`1e999999`) parse as floats, but XML-RPC
        // has no such doubles: they are refused like any other text that is not a number.
        Tag::Double => match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Scalar::Double(v)),
            Ok(_) => Err("not a finite number (XML-RPC has no NaN or infinite doubles)".into()),
            Err(_) => Err("not a number".into()),
        },
        Tag::DateTime => text
            .parse::<DateTime>()
            .map(Scalar::DateTime)
            .map_err(|e| e.to_string()),
        _ => Err("not a scalar type".into()),
    }
}
/// A `Fault` from the value inside `<fault>`, lenient about the members' types, with the
/// deviations that leniency met.
pub(super) fn fault_from_value(value: &Value) -> Option<(Fault, Vec<(DeviationKind, String)>)> {
    let mut notes = Vec::new();
    let shown = |v: &str| v.chars().take(64).collect::<String>();
    let mut fault = match value.get("faultCode")? {
        Value::Int(i) => Fault::new(*i, ""),
        Value::I8(i) => {
            notes.push((
                DeviationKind::WideFaultCode,
                format!("faultCode <i8>{i}</i8>"),
            ));
            Fault::new(i32::try_from(*i).ok()?, "")
        }
        Value::BigInteger(n) => {
            notes.push((
                DeviationKind::WideFaultCode,
                format!("faultCode <biginteger>{n}</biginteger>"),
            ));
            Fault::new(n.as_str().parse().ok()?, "")
        }
        Value::String(s) => {
            notes.push((
                DeviationKind::StringFaultCode,
                format!("faultCode {:?}", shown(s)),
            ));
            Fault::with_code_text(s.clone(), "")
        }
        _ => return None,
    };
    fault.string = match value.get("faultString") {
        Some(Value::String(s)) => s.clone(),
        None => {
            notes.push((DeviationKind::FaultString, "no faultString".into()));
            String::new()
        }
        Some(other) => {
            notes.push((
                DeviationKind::FaultString,
                format!("faultString is a {}", other.type_name()),
            ));
            match other {
                Value::Nil => String::new(),
                other => format!("{other:?}"),
            }
        }
    };
    Some((fault, notes))
}
