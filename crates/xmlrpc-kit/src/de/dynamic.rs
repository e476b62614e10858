//! Deserializing values already decoded: `Value` as a serde `Deserializer` (any `Value`
//! into any `Deserialize` type), and a list of values as a call's params (a multicall's).

use super::visit_bytes_as_seq;
use crate::error::Error;
use crate::value::token::{self, BIGDECIMAL_TOKEN, BIGINTEGER_TOKEN, DATETIME_TOKEN};
use crate::value::Value;
use serde::de::value::{MapDeserializer, SeqDeserializer, StringDeserializer};
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

impl Value {
    /// Converts this value into any `Deserialize` type, as `serde_json::from_value` does.
    ///
    /// ```
    /// use xmlrpc_kit::{Struct, Value};
    /// #[derive(serde::Deserialize, Debug, PartialEq)]
    /// struct Point { x: i32, y: i32 }
    ///
    /// let v = Value::Struct(Struct::from_iter([
    ///     ("x".to_string(), Value::Int(1)),
    ///     ("y".to_string(), Value::Int(2)),
    /// ]));
    /// assert_eq!(v.deserialize_into::<Point>()?, Point { x: 1, y: 2 });
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn deserialize_into<T: de::DeserializeOwned>(self) -> Result<T, Error> {
        T::deserialize(self)
    }
}

impl<'de> IntoDeserializer<'de, Error> for Value {
    type Deserializer = Value;
    fn into_deserializer(self) -> Value {
        self
    }
}

impl<'de> de::Deserializer<'de> for Value {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Int(i) => visitor.visit_i32(i),
            Value::I8(i) => visitor.visit_i64(i),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::String(s) => visitor.visit_string(s),
            Value::Double(d) => visitor.visit_f64(d),
            Value::DateTime(t) => token::visit_datetime(&t, visitor),
            Value::Base64(b) => visitor.visit_byte_buf(b.into_vec()),
            Value::Struct(members) => {
                let mut map = MapDeserializer::new(members.into_iter());
                let value = visitor.visit_map(&mut map)?;
                map.end()?;
                Ok(value)
            }
            Value::Array(items) => {
                let mut seq = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(value)
            }
            Value::Nil => visitor.visit_unit(),
            // A number when it fits one (so typed targets read it), else the token.
            Value::BigInteger(n) => match (n.to_i128(), n.to_u128()) {
                (Some(v), _) => match i64::try_from(v) {
                    Ok(v) => visitor.visit_i64(v),
                    Err(_) => visitor.visit_i128(v),
                },
                (None, Some(v)) => visitor.visit_u128(v),
                (None, None) => token::visit_big(BIGINTEGER_TOKEN, n.as_str().to_owned(), visitor),
            },
            Value::BigDecimal(n) => {
                token::visit_big(BIGDECIMAL_TOKEN, n.as_str().to_owned(), visitor)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Nil => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Value::DateTime(t) if name == DATETIME_TOKEN => visitor.visit_string(t.to_string()),
            Value::String(s) if name == DATETIME_TOKEN => visitor.visit_string(s),
            other => visitor.visit_newtype_struct(other),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::Base64(bytes) => visit_bytes_as_seq(bytes.into_vec(), visitor),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            Value::DateTime(t) => visitor.visit_string(t.to_string()),
            Value::BigInteger(n) => visitor.visit_string(n.to_string()),
            Value::BigDecimal(n) => visitor.visit_string(n.to_string()),
            other => other.deserialize_any(visitor),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.deserialize_string(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Value::Struct(members) if members.len() == 1 => {
                let mut members = members.into_iter();
                match members.next() {
                    Some((variant, value)) => visitor.visit_enum(EnumAccess { variant, value }),
                    None => Err(Error::message(
                        "an enum is a string or a struct with one member",
                    )),
                }
            }
            _ => Err(Error::message(
                "an enum is a string or a struct with one member",
            )),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

struct EnumAccess {
    variant: String,
    value: Value,
}

impl<'de> de::EnumAccess<'de> for EnumAccess {
    type Error = Error;
    type Variant = Value;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Value), Error> {
        let key: StringDeserializer<Error> = self.variant.into_deserializer();
        Ok((seed.deserialize(key)?, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for Value {
    type Error = Error;

    fn unit_variant(self) -> Result<(), Error> {
        de::Deserialize::deserialize(self)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, Error> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

/// Decoded parameters as a sequence (a call inside `system.multicall`: the server's)., with the same errors as the XML path.
#[cfg(feature = "server")]
pub(crate) struct ValuesDeserializer(pub(crate) Vec<Value>);

#[cfg(feature = "server")]
impl<'de> de::Deserializer<'de> for ValuesDeserializer {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let mut access = ValuesAccess {
            items: self.0.into_iter(),
            index: 0,
        };
        let value = visitor.visit_seq(&mut access)?;
        if access.items.len() > 0 {
            return Err(Error::message("too many params: the method takes fewer"));
        }
        Ok(value)
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if !self.0.is_empty() {
            return Err(Error::message("too many params: the method takes none"));
        }
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

#[cfg(feature = "server")]
struct ValuesAccess {
    items: std::vec::IntoIter<Value>,
    index: usize,
}

#[cfg(feature = "server")]
impl<'de> de::SeqAccess<'de> for ValuesAccess {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(value) = self.items.next() else {
            return Ok(None);
        };
        self.index += 1;
        seed.deserialize(value.into_deserializer())
            .map(Some)
            .map_err(|e| e.context(format_args!("param {}", self.index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}
