//! `Serialize`/`Deserialize` for `Value` and `DateTime`; the private tokens they use to let
//! XML-RPC-only types (`<i8>`, `<dateTime.iso8601>`) pass through serde live in `token`.

use super::token::{BIGDECIMAL_TOKEN, BIGINTEGER_TOKEN, DATETIME_TOKEN, I8_TOKEN};
use super::{DateTime, Struct, Value};
use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Int(i) => serializer.serialize_i32(*i),
            Value::I8(i) => serializer.serialize_newtype_struct(I8_TOKEN, i),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::String(s) => serializer.serialize_str(s),
            Value::Double(d) => serializer.serialize_f64(*d),
            Value::DateTime(t) => t.serialize(serializer),
            Value::Base64(b) => serializer.serialize_bytes(b),
            Value::Struct(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (name, value) in members {
                    map.serialize_entry(name, value)?;
                }
                map.end()
            }
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Nil => serializer.serialize_unit(),
            Value::BigInteger(n) => {
                serializer.serialize_newtype_struct(BIGINTEGER_TOKEN, n.as_str())
            }
            Value::BigDecimal(n) => {
                serializer.serialize_newtype_struct(BIGDECIMAL_TOKEN, n.as_str())
            }
        }
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an XML-RPC value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i8<E>(self, v: i8) -> Result<Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_i16<E>(self, v: i16) -> Result<Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_i32<E>(self, v: i32) -> Result<Value, E> {
        Ok(Value::Int(v))
    }
    /// An `i64` is an `<i8>`: the XML-RPC reader reports `<int>` as `i32` and `<i8>` as
    /// `i64`, so the distinction survives a round trip.
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::I8(v))
    }
    fn visit_u8<E>(self, v: u8) -> Result<Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_u16<E>(self, v: u16) -> Result<Value, E> {
        Ok(Value::Int(v.into()))
    }
    fn visit_u32<E>(self, v: u32) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::I8)
            .map_err(|_| E::custom(format!("integer {v} does not fit in XML-RPC's 64-bit i8")))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(match i64::try_from(v) {
            Ok(v) => Value::from(v),
            Err(_) => Value::BigInteger(v.into()),
        })
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(match i64::try_from(v) {
            Ok(v) => Value::from(v),
            Err(_) => Value::BigInteger(v.into()),
        })
    }
    fn visit_f32<E>(self, v: f32) -> Result<Value, E> {
        Ok(Value::Double(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Double(v))
    }
    fn visit_char<E>(self, v: char) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_bytes<E>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Base64(v.into()))
    }
    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Value, E> {
        Ok(Value::Base64(v.into()))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut members = Struct::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(name) = map.next_key::<String>()? {
            if members.is_empty() && name == DATETIME_TOKEN {
                let text: String = map.next_value()?;
                let t = text.parse::<DateTime>().map_err(de::Error::custom)?;
                return Ok(Value::DateTime(t));
            }
            if members.is_empty() && name == BIGINTEGER_TOKEN {
                let text: String = map.next_value()?;
                return text
                    .parse()
                    .map(Value::BigInteger)
                    .map_err(de::Error::custom);
            }
            if members.is_empty() && name == BIGDECIMAL_TOKEN {
                let text: String = map.next_value()?;
                return text
                    .parse()
                    .map(Value::BigDecimal)
                    .map_err(de::Error::custom);
            }
            let value = map.next_value()?;
            members.insert(name, value);
        }
        Ok(Value::Struct(members))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

impl Serialize for DateTime {
    /// As `<dateTime.iso8601>` through the XML-RPC serializer; as its text elsewhere.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_newtype_struct(DATETIME_TOKEN, &self.to_string())
    }
}

struct DateTimeVisitor;

impl<'de> Visitor<'de> for DateTimeVisitor {
    type Value = DateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a dateTime.iso8601")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<DateTime, E> {
        v.parse().map_err(E::custom)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<DateTime, D::Error> {
        d.deserialize_str(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DateTime, A::Error> {
        match map.next_key::<String>()? {
            Some(key) if key == DATETIME_TOKEN => {
                let text: String = map.next_value()?;
                text.parse().map_err(de::Error::custom)
            }
            _ => Err(de::Error::invalid_type(de::Unexpected::Map, &self)),
        }
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<DateTime, D::Error> {
        deserializer.deserialize_newtype_struct(DATETIME_TOKEN, DateTimeVisitor)
    }
}
