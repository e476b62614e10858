//! The XML-RPC data model: [`Value`], its struct type, and the [`Binary`] and [`DateTime`] leaves.

mod big;
mod binary;
pub(crate) mod blob;
mod datetime;
mod datetime_conv;
mod serde_impl;
pub(crate) mod token;
mod type_name;

pub use big::{BigDecimal, BigInteger, BigNumberError};
pub use binary::Binary;
pub use blob::{Blob, BlobReader};
pub use datetime::{DateTime, DateTimeError};
pub use type_name::XmlRpcType;
#[doc(hidden)]
pub use type_name::{Declared, Probed, TypeOf, Unnamed};

/// The members of an XML-RPC `<struct>`, in the order they were written or inserted.
///
/// A repeated member name keeps its first position and its last value, as Python's `dict` does.
///
/// ```
/// use xmlrpc_kit::{Struct, Value};
///
/// let mut s = Struct::new();
/// s.insert("name".into(), Value::from("cloudox"));
/// s.insert("age".into(), Value::from(8));
/// assert_eq!(s.keys().collect::<Vec<_>>(), ["name", "age"]);
/// ```
pub type Struct = indexmap::IndexMap<String, Value>;

/// Any XML-RPC value: the dynamic form, for when the types are not known at compile time.
///
/// Every variant maps to one XML-RPC element; `I8` and `Nil` are the common extensions.
/// `Value` is `Serialize + Deserialize`, so it can stand anywhere a typed value can, and
/// it converts from the everyday Rust types.
///
/// ```
/// use xmlrpc_kit::Value;
///
/// let v = Value::from(vec![Value::from(1), Value::from("two"), Value::from(3.5)]);
/// assert_eq!(v[1].as_str(), Some("two"));
/// assert_eq!(v[2].as_f64(), Some(3.5));
/// assert!(v[9].is_nil()); // out of range reads as nil, as serde_json's Null
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `<int>` / `<i4>`: a 32-bit signed integer.
    Int(i32),
    /// `<i8>`: a 64-bit signed integer (an extension; written as `<i8>` even when small).
    I8(i64),
    /// `<boolean>`: `0` or `1` on the wire.
    Bool(bool),
    /// `<string>`, or a `<value>` with no type element.
    String(String),
    /// `<double>`: a 64-bit float.
    Double(f64),
    /// `<dateTime.iso8601>`.
    DateTime(DateTime),
    /// `<base64>`: bytes.
    Base64(Binary),
    /// `<struct>`: named members in order.
    Struct(Struct),
    /// `<array>`: values in order.
    Array(Vec<Value>),
    /// `<nil/>`: the absence of a value (an extension; Python's `None`).
    Nil,
    /// `<ex:biginteger>` (Apache XML-RPC): an integer of any size, its digits kept exactly.
    /// Read from a peer that sends it (a [deviation](crate::codec::DeviationKind::BigInteger));
    /// written back as `<ex:biginteger>` with the namespace declared.
    BigInteger(BigInteger),
    /// `<ex:bigdecimal>` (Apache XML-RPC): an exact decimal, its text kept. Read and written
    /// as [`BigInteger`](Value::BigInteger) is.
    BigDecimal(BigDecimal),
}

static NIL: Value = Value::Nil;

impl Value {
    /// The integer, from `Int` or from an `I8` that fits in 32 bits.
    ///
    /// ```
    /// use xmlrpc_kit::Value;
    /// assert_eq!(Value::I8(5).as_i32(), Some(5));
    /// assert_eq!(Value::I8(1 << 40).as_i32(), None);
    /// ```
    pub fn as_i32(&self) -> Option<i32> {
        match *self {
            Value::Int(i) => Some(i),
            Value::I8(i) => i32::try_from(i).ok(),
            _ => None,
        }
    }

    /// The integer, from `Int` or `I8`.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::Value::Int(-3).as_i64(), Some(-3));
    /// ```
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int(i) => Some(i.into()),
            Value::I8(i) => Some(i),
            _ => None,
        }
    }

    /// The boolean.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::Value::Bool(true).as_bool(), Some(true));
    /// ```
    pub fn as_bool(&self) -> Option<bool> {
        match *self {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The string.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::Value::from("hi").as_str(), Some("hi"));
    /// ```
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The double (integers are not converted: XML-RPC keeps the two apart).
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::Value::Double(0.5).as_f64(), Some(0.5));
    /// assert_eq!(xmlrpc_kit::Value::Int(1).as_f64(), None);
    /// ```
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::Double(d) => Some(d),
            _ => None,
        }
    }

    /// The time.
    ///
    /// ```
    /// let t = xmlrpc_kit::DateTime::new(2026, 11, 25, 10, 0, 0)?;
    /// assert_eq!(xmlrpc_kit::Value::from(t).as_datetime(), Some(&t));
    /// # Ok::<(), xmlrpc_kit::value::DateTimeError>(())
    /// ```
    pub fn as_datetime(&self) -> Option<&DateTime> {
        match self {
            Value::DateTime(t) => Some(t),
            _ => None,
        }
    }

    /// The bytes of a `<base64>` value.
    ///
    /// ```
    /// let v = xmlrpc_kit::Value::from(xmlrpc_kit::Binary::from(vec![1, 2]));
    /// assert_eq!(v.as_bytes(), Some(&[1u8, 2][..]));
    /// ```
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Base64(b) => Some(b.as_slice()),
            _ => None,
        }
    }

    /// The struct's members.
    ///
    /// ```
    /// let v = xmlrpc_kit::Value::Struct(Default::default());
    /// assert!(v.as_struct().is_some_and(|s| s.is_empty()));
    /// ```
    pub fn as_struct(&self) -> Option<&Struct> {
        match self {
            Value::Struct(s) => Some(s),
            _ => None,
        }
    }

    /// The array's items.
    ///
    /// ```
    /// let v = xmlrpc_kit::Value::from(vec![xmlrpc_kit::Value::Nil]);
    /// assert_eq!(v.as_array().map(|a| a.len()), Some(1));
    /// ```
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Whether this is `<nil/>`.
    ///
    /// ```
    /// assert!(xmlrpc_kit::Value::Nil.is_nil());
    /// ```
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// A struct member by name, or `None` when this is not a struct or has no such member.
    ///
    /// ```
    /// use xmlrpc_kit::{Struct, Value};
    /// let v = Value::Struct(Struct::from_iter([("faultCode".to_string(), Value::Int(4))]));
    /// assert_eq!(v.get("faultCode"), Some(&Value::Int(4)));
    /// assert_eq!(v.get("faultString"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.as_struct().and_then(|s| s.get(name))
    }

    /// The XML-RPC element name of this value's type, as introspection signatures spell it.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::Value::Int(1).type_name(), "int");
    /// assert_eq!(xmlrpc_kit::Value::Nil.type_name(), "nil");
    /// ```
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Int(_) => "int",
            Value::I8(_) => "i8",
            Value::Bool(_) => "boolean",
            Value::String(_) => "string",
            Value::Double(_) => "double",
            Value::DateTime(_) => "dateTime.iso8601",
            Value::Base64(_) => "base64",
            Value::Struct(_) => "struct",
            Value::Array(_) => "array",
            Value::Nil => "nil",
            Value::BigInteger(_) => "biginteger",
            Value::BigDecimal(_) => "bigdecimal",
        }
    }
}

impl std::ops::Index<usize> for Value {
    type Output = Value;
    /// The array item at `index`, or nil when out of range or not an array.
    fn index(&self, index: usize) -> &Value {
        self.as_array().and_then(|a| a.get(index)).unwrap_or(&NIL)
    }
}

impl std::ops::Index<&str> for Value {
    type Output = Value;
    /// The struct member `name`, or nil when absent or not a struct.
    fn index(&self, name: &str) -> &Value {
        self.get(name).unwrap_or(&NIL)
    }
}

macro_rules! from_via {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from($v: $t) -> Value { $e }
        }
    )*};
}

from_via! {
    i8 => |v| Value::Int(v.into()),
    i16 => |v| Value::Int(v.into()),
    i32 => |v| Value::Int(v),
    u8 => |v| Value::Int(v.into()),
    u16 => |v| Value::Int(v.into()),
    u32 => |v| i32::try_from(v).map_or(Value::I8(v.into()), Value::Int),
    i64 => |v| i32::try_from(v).map_or(Value::I8(v), Value::Int),
    bool => |v| Value::Bool(v),
    f32 => |v| Value::Double(v.into()),
    f64 => |v| Value::Double(v),
    &str => |v| Value::String(v.to_owned()),
    String => |v| Value::String(v),
    DateTime => |v| Value::DateTime(v),
    Binary => |v| Value::Base64(v),
    Struct => |v| Value::Struct(v),
    Vec<Value> => |v| Value::Array(v),
    () => |_v| Value::Nil,
    BigInteger => |v| Value::BigInteger(v),
    BigDecimal => |v| Value::BigDecimal(v),
}

impl<T: Into<Value>> From<Option<T>> for Value {
    /// `None` becomes nil.
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Nil, Into::into)
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    /// Collects into an array.
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Value {
        Value::Array(iter.into_iter().map(Into::into).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_choose_the_narrowest_type() {
        assert_eq!(Value::from(5i64), Value::Int(5));
        assert_eq!(Value::from(1i64 << 40), Value::I8(1 << 40));
        assert_eq!(Value::from(u32::MAX), Value::I8(u32::MAX.into()));
    }

    #[test]
    fn indexing_never_panics() {
        let v = Value::from("text");
        assert!(v[3].is_nil());
        assert!(v["name"].is_nil());
    }
}
