//! [`XmlRpcType`]: the one table from Rust types to XML-RPC type names, as
//! `system.methodSignature` gives them; types without an entry are named by how serde
//! reads them.

use super::{Binary, Blob, DateTime, Value};
use serde::de::{self, DeserializeOwned, Visitor};
use std::marker::PhantomData;

/// The XML-RPC type name of a Rust type, for method signatures (`system.methodSignature`,
/// the documentation page, `xml-rpc-api2cpp`). `#[xmlrpc_kit::api]` reads it for every
/// argument and result.
///
/// The table:
///
/// | Rust | name |
/// |---|---|
/// | `bool` | `boolean` |
/// | `i8 i16 i32 u8 u16` | `int` |
/// | `i64 u32 u64 isize usize` (may pass 32 bits) | `i8` |
/// | `f32 f64` | `double` |
/// | `char`, `String`, `str` | `string` |
/// | [`Binary`], [`Blob`] | `base64` |
/// | [`DateTime`] | `dateTime.iso8601` |
/// | `()` | `nil` |
/// | `Vec<T>`, `[T; N]`, `[T]`, `VecDeque<T>`, `HashSet<T>`, `BTreeSet<T>`, tuples | `array` |
/// | `HashMap`, `BTreeMap`, `IndexMap` ([`Struct`](super::Struct)) | `struct` |
/// | `Option<T>`, `Box<T>`, `Arc<T>`, `Rc<T>` | `T`'s name (an `Option` may also be `nil`) |
/// | [`Value`] | none: any type, so the method has no signature (`undef`) |
///
/// Types outside the table (your own structs and enums) need no entry: the macro names
/// them by the way their `Deserialize` reads them (a struct or map is `struct`, a sequence
/// `array`, a unit enum `string`, ...). Implement the trait to name one explicitly.
///
/// ```
/// use xmlrpc_kit::XmlRpcType;
/// assert_eq!(<Vec<String>>::TYPE_NAME, Some("array"));
/// assert_eq!(<Option<i32>>::TYPE_NAME, Some("int"));
/// assert_eq!(xmlrpc_kit::Value::TYPE_NAME, None);
/// ```
pub trait XmlRpcType {
    /// The name in signatures, or `None` for a type that may be any XML-RPC type.
    const TYPE_NAME: Option<&'static str>;
}

macro_rules! named {
    ($name:literal: $($ty:ty),*) => {
        $(impl XmlRpcType for $ty { const TYPE_NAME: Option<&'static str> = Some($name); })*
    };
}

named!("boolean": bool);
named!("int": i8, i16, i32, u8, u16);
named!("i8": i64, u32, u64, isize, usize);
named!("double": f32, f64);
named!("string": char, String, str);
named!("base64": Binary, Blob);
named!("dateTime.iso8601": DateTime);
named!("nil": ());

impl XmlRpcType for Value {
    const TYPE_NAME: Option<&'static str> = None;
}

macro_rules! generic {
    ($name:literal: $($ty:ident<$($p:ident),*>),*) => {
        $(impl<$($p),*> XmlRpcType for std::collections::$ty<$($p),*> {
            const TYPE_NAME: Option<&'static str> = Some($name);
        })*
    };
}

generic!("array": VecDeque<T>, HashSet<T, S>, BTreeSet<T>);
generic!("struct": HashMap<K, V, S>, BTreeMap<K, V>);

impl<T> XmlRpcType for Vec<T> {
    const TYPE_NAME: Option<&'static str> = Some("array");
}
impl<T> XmlRpcType for [T] {
    const TYPE_NAME: Option<&'static str> = Some("array");
}
impl<T, const N: usize> XmlRpcType for [T; N] {
    const TYPE_NAME: Option<&'static str> = Some("array");
}
impl<K, V, S> XmlRpcType for indexmap::IndexMap<K, V, S> {
    const TYPE_NAME: Option<&'static str> = Some("struct");
}

macro_rules! wrapper {
    ($($ty:ident),*) => {
        $(impl<T: XmlRpcType + ?Sized> XmlRpcType for $ty<T> { const TYPE_NAME: Option<&'static str> = T::TYPE_NAME; })*
    };
}
use std::rc::Rc;
use std::sync::Arc;
wrapper!(Box, Arc, Rc);
impl<T: XmlRpcType> XmlRpcType for Option<T> {
    const TYPE_NAME: Option<&'static str> = T::TYPE_NAME;
}

macro_rules! tuple {
    ($($t:ident),+) => {
        impl<$($t),+> XmlRpcType for ($($t,)+) { const TYPE_NAME: Option<&'static str> = Some("array"); }
    };
}
tuple!(A);
tuple!(A, B);
tuple!(A, B, C);
tuple!(A, B, C, D);
tuple!(A, B, C, D, E);
tuple!(A, B, C, D, E, F);
tuple!(A, B, C, D, E, F, G);
tuple!(A, B, C, D, E, F, G, H);

/// The type name of `T` for the macro's signatures: [`XmlRpcType`]'s when `T` has it,
/// otherwise the name of what `T`'s `Deserialize` asks for, otherwise none (see
/// [`Declared`], [`Probed`] and [`Unnamed`]; the generated code calls
/// `(&&&TypeOf::<T>::new()).xmlrpc_type()`, and method lookup takes the first that applies).
#[doc(hidden)]
#[derive(Debug)]
pub struct TypeOf<T: ?Sized>(PhantomData<fn() -> Box<T>>);

impl<T: ?Sized> TypeOf<T> {
    /// The probe for `T`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        TypeOf(PhantomData)
    }
}

/// The first choice: the table.
#[doc(hidden)]
pub trait Declared {
    /// `T`'s name from [`XmlRpcType`].
    fn xmlrpc_type(&self) -> Option<&'static str>;
}

impl<T: XmlRpcType + ?Sized> Declared for &&TypeOf<T> {
    fn xmlrpc_type(&self) -> Option<&'static str> {
        T::TYPE_NAME
    }
}

/// The fallback: what `T`'s `Deserialize` asks the deserializer for.
#[doc(hidden)]
pub trait Probed {
    /// `T`'s name from its `Deserialize`.
    fn xmlrpc_type(&self) -> Option<&'static str>;
}

impl<T: DeserializeOwned> Probed for &TypeOf<T> {
    fn xmlrpc_type(&self) -> Option<&'static str> {
        probe::<T>()
    }
}

/// The last resort, for a type that is not serde at all: no name. (The macro's own check
/// then says what the type lacks; this keeps a second, less clear error away.)
#[doc(hidden)]
pub trait Unnamed {
    /// None.
    fn xmlrpc_type(&self) -> Option<&'static str>;
}

impl<T: ?Sized> Unnamed for TypeOf<T> {
    fn xmlrpc_type(&self) -> Option<&'static str> {
        None
    }
}

/// Runs `T`'s `Deserialize` against a deserializer that notes the first thing asked of it.
pub(crate) fn probe<T: DeserializeOwned>() -> Option<&'static str> {
    let mut seen = None;
    // The probe always fails (it has no data to give): only what it saw matters.
    let _ = T::deserialize(Probe { seen: &mut seen });
    seen.flatten()
}

/// A deserializer with no data that records the type it was asked for.
struct Probe<'s> {
    seen: &'s mut Option<Option<&'static str>>,
}

#[derive(Debug)]
struct Probing;

impl std::fmt::Display for Probing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("probing")
    }
}

impl std::error::Error for Probing {}

impl de::Error for Probing {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Probing
    }
}

macro_rules! asks {
    ($($method:ident => $name:expr),* $(,)?) => {
        $(fn $method<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Probing> {
            self.saw($name)
        })*
    };
}

impl Probe<'_> {
    fn saw<T>(self, name: Option<&'static str>) -> Result<T, Probing> {
        self.seen.get_or_insert(name);
        Err(Probing)
    }
}

impl<'de> de::Deserializer<'de> for Probe<'_> {
    type Error = Probing;

    asks! {
        deserialize_any => None,
        deserialize_bool => Some("boolean"),
        deserialize_i8 => Some("int"), deserialize_i16 => Some("int"), deserialize_i32 => Some("int"),
        deserialize_u8 => Some("int"), deserialize_u16 => Some("int"),
        deserialize_i64 => Some("i8"), deserialize_i128 => Some("i8"), deserialize_u32 => Some("i8"),
        deserialize_u64 => Some("i8"), deserialize_u128 => Some("i8"),
        deserialize_f32 => Some("double"), deserialize_f64 => Some("double"),
        deserialize_char => Some("string"), deserialize_str => Some("string"),
        deserialize_string => Some("string"), deserialize_identifier => Some("string"),
        deserialize_bytes => Some("base64"), deserialize_byte_buf => Some("base64"),
        deserialize_unit => Some("nil"), deserialize_seq => Some("array"),
        deserialize_map => Some("struct"), deserialize_ignored_any => None,
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Probing> {
        // An option is named after what it holds.
        visitor.visit_some(self)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value, Probing> {
        self.saw(Some("nil"))
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Probing> {
        match name {
            super::token::DATETIME_TOKEN => self.saw(Some("dateTime.iso8601")),
            super::token::BLOB_TOKEN => self.saw(Some("base64")),
            super::token::I8_TOKEN => self.saw(Some("i8")),
            _ => visitor.visit_newtype_struct(self),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value, Probing> {
        self.saw(Some("array"))
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value, Probing> {
        self.saw(Some("array"))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Probing> {
        self.saw(Some("struct"))
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Probing> {
        // Unit variants are strings, the others one-member structs: either may come.
        self.saw(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Point {
        x: i32,
    }

    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Meters(f64);

    #[test]
    // The two references are the point: they pick the table over the probe.
    #[allow(clippy::needless_borrow)]
    fn the_table_first_then_what_deserialize_asks_for() {
        use super::{Declared as _, Probed as _, Unnamed as _};
        assert_eq!((&&&TypeOf::<i32>::new()).xmlrpc_type(), Some("int"));
        struct NotSerde;
        assert_eq!((&&&TypeOf::<NotSerde>::new()).xmlrpc_type(), None);
        assert_eq!((&&&TypeOf::<Point>::new()).xmlrpc_type(), Some("struct"));
        assert_eq!(
            (&&&TypeOf::<Option<Point>>::new()).xmlrpc_type(),
            Some("struct")
        );
        assert_eq!((&&&TypeOf::<Meters>::new()).xmlrpc_type(), Some("double"));
        assert_eq!(probe::<DateTime>(), Some("dateTime.iso8601"));
        assert_eq!(probe::<Blob>(), Some("base64"));
        assert_eq!(probe::<Binary>(), Some("base64"));
        assert_eq!(probe::<Value>(), None);
        assert_eq!(probe::<Vec<Point>>(), Some("array"));
    }
}
