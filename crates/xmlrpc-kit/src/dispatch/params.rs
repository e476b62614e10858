//! `Params`: a call's parameters on their way to a handler, either still in the XML (the
//! usual case: decoded straight into the handler's argument types) or already values (a
//! call inside `system.multicall`).

use crate::codec::Reader;
use crate::de::ValuesDeserializer;
use crate::error::Error;
use crate::value::Value;
use serde::de::DeserializeOwned;

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
