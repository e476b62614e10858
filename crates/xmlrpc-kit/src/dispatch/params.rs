//! `Params`: a call's parameters on their way to a handler, either still in the XML (the
//! usual case: decoded straight into the handler's argument types) or already values (a
//! call inside `system.multicall`).

use crate::codec::Reader;
use crate::error::Error;
use crate::value::Value;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

/// The parameters of one call, not yet decoded.
///
/// ```
/// use xmlrpc_kit::{dispatch::Params, Value};
/// let params = Params::Values(vec![Value::Int(8), Value::Int(8)]);
/// let (x, y): (i32, i64) = params.decode()?;
/// assert_eq!(x as i64 + y, 16);
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub enum Params<'r, 'a> {
    /// Inside a document: the reader stands before the first `<param>`.
    Xml(&'r mut Reader<'a>),
    /// Already decoded values.
    Values(Vec<Value>),
}

impl std::fmt::Debug for Params<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Params::Xml(_) => f.write_str("Params::Xml(..)"),
            Params::Values(values) => f.debug_tuple("Params::Values").field(values).finish(),
        }
    }
}

impl Params<'_, '_> {
    /// Decodes all parameters into `T`, usually a tuple of the handler's argument types.
    /// Too few or too many parameters, or one of the wrong type, is a data error that
    /// names the parameter.
    ///
    /// ```
    /// use xmlrpc_kit::{dispatch::Params, Value};
    /// let err = Params::Values(vec![Value::from("x")]).decode::<(i32,)>().unwrap_err();
    /// assert!(err.to_string().starts_with("param 1: invalid type"), "{err}");
    /// ```
    pub fn decode<T: DeserializeOwned>(self) -> Result<T, Error> {
        match self {
            Params::Xml(reader) => reader.read_params(),
            Params::Values(values) => T::deserialize(ValuesDeserializer(values)),
        }
    }

    /// All parameters as dynamic values.
    ///
    /// ```
    /// use xmlrpc_kit::{dispatch::Params, Value};
    /// assert_eq!(Params::Values(vec![Value::Nil]).into_values()?, [Value::Nil]);
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn into_values(self) -> Result<Vec<Value>, Error> {
        match self {
            Params::Xml(reader) => {
                let mut values = Vec::new();
                while let Some(v) = reader.next_param()? {
                    values.push(v);
                }
                reader.finish()?;
                Ok(values)
            }
            Params::Values(values) => Ok(values),
        }
    }
}

/// Decoded parameters as a sequence, with the same errors as the XML path.
struct ValuesDeserializer(Vec<Value>);

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

struct ValuesAccess {
    items: std::vec::IntoIter<Value>,
    index: usize,
}

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
