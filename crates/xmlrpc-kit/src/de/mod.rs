//! The serde deserializers, all of them: straight from the reader's steps into any
//! `Deserialize` type (params, one value, a response's result), with no `Value` tree on the
//! way (except for the rare struct member whose value precedes its name); and, in `dynamic`,
//! from values already decoded (`Value::deserialize_into`, a multicall's params).
//!
//! It sits on top of `codec::read` (which knows nothing of serde) and `value`; the private
//! tokens it answers to live in `value::token`.

mod dynamic;

#[cfg(feature = "server")]
pub(crate) use self::dynamic::ValuesDeserializer;
use crate::codec::read::{ArrayState, Envelope, Head, MemberStart, Reader, Scalar, StructState};
use crate::codec::DeviationKind;
use crate::error::{Error, ErrorCode};
use crate::fault::Fault;
use crate::value::token::{self, BIGDECIMAL_TOKEN, BIGINTEGER_TOKEN, BLOB_TOKEN, DATETIME_TOKEN};
use crate::value::Value;
use serde::de::value::{SeqDeserializer, StrDeserializer, StringDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;

/// Reads a `<methodCall>` with its parameters decoded into `P` (a tuple, usually).
///
/// ```
/// let (name, (s,)): (String, (String,)) = xmlrpc_kit::codec::decode_call(
///     b"<methodCall><methodName>get_string</methodName><params><param><value>cloudox</value></param></params></methodCall>")?;
/// assert_eq!((name.as_str(), s.as_str()), ("get_string", "cloudox"));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn decode_call<P: DeserializeOwned>(input: &[u8]) -> Result<(String, P), Error> {
    let mut reader = Reader::from_slice(input)?;
    match reader.read_envelope()? {
        Envelope::Call { method_name } => Ok((method_name, reader.read_params()?)),
        _ => Err(Error::message(
            "expected a <methodCall>, found a <methodResponse>",
        )),
    }
}

/// Reads a `<methodResponse>` with its result decoded into `T`; a fault is `Ok(Err(fault))`.
///
/// ```
/// let result: Result<i32, _> = xmlrpc_kit::codec::decode_response(
///     b"<methodResponse><params><param><value><int>16</int></value></param></params></methodResponse>")?;
/// assert_eq!(result, Ok(16));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn decode_response<T: DeserializeOwned>(input: &[u8]) -> Result<Result<T, Fault>, Error> {
    let mut reader = Reader::from_slice(input)?;
    match reader.read_envelope()? {
        Envelope::Response => Ok(Ok(reader.read_result()?)),
        Envelope::Fault => Ok(Err(reader.read_fault()?)),
        Envelope::Call { .. } => Err(Error::message(
            "expected a <methodResponse>, found a <methodCall>",
        )),
    }
}

/// The typed half of [`Reader`]'s API: defined here, on top of the reader, so that the
/// reader itself knows nothing of serde.
impl Reader<'_> {
    /// All parameters, decoded into `T` straight from the XML: a tuple for a call's
    /// parameters, `Vec<Value>` for any number of them. Checks the rest of the document.
    ///
    /// A parameter of the wrong type fails with a [`Data`](crate::error::Category::Data)
    /// error that names the parameter and says what was expected.
    ///
    /// ```
    /// use xmlrpc_kit::codec::Reader;
    /// let xml = b"<methodCall><methodName>m</methodName><params><param><value><string>x</string></value></param></params></methodCall>";
    /// let mut r = Reader::from_slice(xml)?;
    /// r.read_envelope()?;
    /// let err = r.read_params::<(i32,)>().unwrap_err();
    /// assert!(err.to_string().starts_with("param 1: invalid type: string \"x\", expected i32"), "{err}");
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn read_params<T: DeserializeOwned>(&mut self) -> Result<T, Error> {
        let value = T::deserialize(ParamsDeserializer::new(self))?;
        self.finish()?;
        Ok(value)
    }

    /// The single result of a response, decoded into `T`; an empty `<params/>` reads as nil.
    ///
    /// ```
    /// use xmlrpc_kit::codec::Reader;
    /// let mut r = Reader::from_slice(b"<methodResponse><params><param><value><double>1.5</double></value></param></params></methodResponse>")?;
    /// r.read_envelope()?;
    /// assert_eq!(r.read_result::<f64>()?, 1.5);
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn read_result<T: DeserializeOwned>(&mut self) -> Result<T, Error> {
        let value = match self.param_start()? {
            None => {
                self.deviate(
                    DeviationKind::NoResult,
                    "a response with no <param> (<params/>)".into(),
                )?;
                T::deserialize(NilDeserializer)?
            }
            Some(empty) => {
                let head = self.value_head(empty)?;
                let v = T::deserialize(ValueDeserializer::new(self, head))
                    .map_err(|e| e.context("result"))?;
                self.param_end()?;
                v
            }
        };
        if self.param_start()?.is_some() {
            return Err(self.error(ErrorCode::Unexpected {
                expected: "one result in a response",
                found: "a second <param>".into(),
            }));
        }
        self.finish()?;
        Ok(value)
    }
}

/// The `<params>` of a document as a sequence: a tuple, a `Vec`, or a struct read positionally.
pub(crate) struct ParamsDeserializer<'r, 'a> {
    reader: &'r mut Reader<'a>,
}

impl<'r, 'a> ParamsDeserializer<'r, 'a> {
    pub(crate) fn new(reader: &'r mut Reader<'a>) -> Self {
        ParamsDeserializer { reader }
    }
}

impl<'de> de::Deserializer<'de> for ParamsDeserializer<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(ParamsAccess {
            reader: self.reader,
            index: 0,
        })
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

struct ParamsAccess<'r, 'a> {
    reader: &'r mut Reader<'a>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for ParamsAccess<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(empty) = self.reader.param_start()? else {
            return Ok(None);
        };
        self.index += 1;
        let head = self.reader.value_head(empty)?;
        let value = seed
            .deserialize(ValueDeserializer::new(self.reader, head))
            .map_err(|e| e.context(format_args!("param {}", self.index)))?;
        self.reader.param_end()?;
        Ok(Some(value))
    }
}

/// `deserialize_$name` methods that give a big number in the form asked for, and forward
/// everything else to `deserialize_any`.
macro_rules! big_aware {
    ($($name:ident => $want:expr),* $(,)?) => {$(
        fn $name<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            if matches!(self.head, Head::Scalar(Scalar::BigInteger(_) | Scalar::BigDecimal(_))) {
                if let Some(result) = visit_big_as(&self.head, $want, visitor) {
                    return result;
                }
                return Err(Error::message("a big number cannot be read as the requested type"));
            }
            self.deserialize_any(visitor)
        }
    )*};
}

/// One value, from its head onwards.
pub(crate) struct ValueDeserializer<'r, 'a> {
    reader: &'r mut Reader<'a>,
    head: Head,
}

impl<'r, 'a> ValueDeserializer<'r, 'a> {
    pub(crate) fn new(reader: &'r mut Reader<'a>, head: Head) -> Self {
        ValueDeserializer { reader, head }
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'_, '_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.head {
            Head::Scalar(Scalar::Spooled(blob)) => {
                visitor.visit_byte_buf(self.reader.load_spooled(&blob)?)
            }
            Head::Scalar(scalar) => visit_scalar(scalar, visitor),
            Head::Array(mut state) => {
                let value = visitor.visit_seq(ArrayAccess {
                    reader: &mut *self.reader,
                    state: &mut state,
                    index: 0,
                })?;
                if self.reader.array_next(&mut state)?.is_some() {
                    return Err(Error::message("the array has more items than expected"));
                }
                Ok(value)
            }
            Head::Struct(mut state) => {
                let value = visitor.visit_map(StructAccess {
                    reader: &mut *self.reader,
                    state: &mut state,
                    next: None,
                })?;
                if self.reader.struct_next(&mut state)?.is_some() {
                    return Err(Error::message("the struct has more members than expected"));
                }
                Ok(value)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.head {
            Head::Scalar(Scalar::Nil) => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.head {
            Head::Scalar(Scalar::DateTime(t)) if name == DATETIME_TOKEN => {
                visitor.visit_string(t.to_string())
            }
            Head::Scalar(Scalar::String(s)) if name == DATETIME_TOKEN => visitor.visit_string(s),
            Head::Scalar(Scalar::Spooled(blob)) if name == BLOB_TOKEN => {
                token::offer_incoming(blob, visitor)
            }
            Head::Scalar(Scalar::Base64(bytes)) if name == BLOB_TOKEN => {
                visitor.visit_byte_buf(bytes)
            }
            _ => visitor.visit_newtype_struct(self),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.head {
            Head::Scalar(Scalar::Base64(bytes)) => visit_bytes_as_seq(bytes, visitor),
            Head::Scalar(Scalar::Spooled(blob)) => {
                visit_bytes_as_seq(self.reader.load_spooled(&blob)?, visitor)
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.head {
            Head::Scalar(Scalar::DateTime(t)) => visitor.visit_string(t.to_string()),
            ref head @ Head::Scalar(Scalar::BigInteger(_) | Scalar::BigDecimal(_)) => {
                match visit_big_as(head, BigAs::Text, visitor) {
                    Some(result) => result,
                    None => Err(Error::message("not a big number")),
                }
            }
            _ => self.deserialize_any(visitor),
        }
    }

    big_aware! {
        deserialize_i64 => BigAs::Signed,
        deserialize_i128 => BigAs::Signed,
        deserialize_u64 => BigAs::Unsigned,
        deserialize_u128 => BigAs::Unsigned,
        deserialize_f64 => BigAs::Float,
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
        match self.head {
            Head::Scalar(Scalar::String(variant)) => {
                visitor.visit_enum(variant.into_deserializer())
            }
            Head::Struct(mut state) => {
                let (variant, empty_value) = match self.reader.struct_next(&mut state)? {
                    Some(MemberStart::NameFirst { name, empty_value }) => (name, empty_value),
                    _ => {
                        return Err(Error::message(
                            "an enum is a string or a struct with one member",
                        ))
                    }
                };
                let head = self.reader.value_head(empty_value)?;
                let value = visitor.visit_enum(EnumAccess {
                    variant,
                    value: ValueDeserializer::new(&mut *self.reader, head),
                })?;
                self.reader.member_end()?;
                if self.reader.struct_next(&mut state)?.is_some() {
                    return Err(Error::message("an enum struct has exactly one member"));
                }
                Ok(value)
            }
            _ => Err(Error::message(
                "an enum is a string or a struct with one member",
            )),
        }
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 u8 u16 u32 f32 char bytes byte_buf
        unit unit_struct tuple tuple_struct map struct identifier ignored_any
    }
}

fn visit_scalar<'de, V: Visitor<'de>>(scalar: Scalar, visitor: V) -> Result<V::Value, Error> {
    match scalar {
        Scalar::Int(i) => visitor.visit_i32(i),
        Scalar::I8(i) => visitor.visit_i64(i),
        Scalar::Bool(b) => visitor.visit_bool(b),
        Scalar::String(s) => visitor.visit_string(s),
        Scalar::Double(d) => visitor.visit_f64(d),
        Scalar::DateTime(t) => token::visit_datetime(&t, visitor),
        Scalar::Base64(b) => visitor.visit_byte_buf(b),
        // Loaded (within the limit) by the caller, which has the reader.
        Scalar::Spooled(_) => Err(Error::message("a spooled base64 value was not loaded")),
        Scalar::Nil => visitor.visit_unit(),
        Scalar::BigInteger(n) => token::visit_big(BIGINTEGER_TOKEN, n.as_str().to_owned(), visitor),
        Scalar::BigDecimal(n) => token::visit_big(BIGDECIMAL_TOKEN, n.as_str().to_owned(), visitor),
    }
}

/// A big number asked for as a Rust number or text: the number when it fits, the digits
/// as a string; `None` for any other head.
fn visit_big_as<'de, V: Visitor<'de>>(
    head: &Head,
    want: BigAs,
    visitor: V,
) -> Option<Result<V::Value, Error>> {
    let too_big = |text: &str| {
        Error::message(format!(
            "the number {} does not fit the requested type",
            text.chars().take(64).collect::<String>()
        ))
    };
    Some(match (head, want) {
        (Head::Scalar(Scalar::BigInteger(n)), BigAs::Text) => visitor.visit_str(n.as_str()),
        (Head::Scalar(Scalar::BigDecimal(n)), BigAs::Text) => visitor.visit_str(n.as_str()),
        (Head::Scalar(Scalar::BigInteger(n)), BigAs::Signed) => match n.to_i128() {
            Some(v) => match i64::try_from(v) {
                Ok(v) => visitor.visit_i64(v),
                Err(_) => visitor.visit_i128(v),
            },
            None => Err(too_big(n.as_str())),
        },
        (Head::Scalar(Scalar::BigInteger(n)), BigAs::Unsigned) => match n.to_u128() {
            Some(v) => match u64::try_from(v) {
                Ok(v) => visitor.visit_u64(v),
                Err(_) => visitor.visit_u128(v),
            },
            None => Err(too_big(n.as_str())),
        },
        (Head::Scalar(Scalar::BigDecimal(n)), BigAs::Float) => visitor.visit_f64(n.to_f64()),
        (Head::Scalar(Scalar::BigInteger(n)), BigAs::Float) => {
            visitor.visit_f64(n.as_str().parse().unwrap_or(f64::NAN))
        }
        _ => return None,
    })
}

/// What a big number is asked for as.
#[derive(Clone, Copy)]
enum BigAs {
    Signed,
    Unsigned,
    Float,
    Text,
}

pub(crate) fn visit_bytes_as_seq<'de, V: Visitor<'de>>(
    bytes: Vec<u8>,
    visitor: V,
) -> Result<V::Value, Error> {
    let mut seq = SeqDeserializer::<_, Error>::new(bytes.into_iter());
    let value = visitor.visit_seq(&mut seq)?;
    seq.end()?;
    Ok(value)
}

struct ArrayAccess<'r, 'a, 's> {
    reader: &'r mut Reader<'a>,
    state: &'s mut ArrayState,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for ArrayAccess<'_, '_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let Some(empty) = self.reader.array_next(self.state)? else {
            return Ok(None);
        };
        self.index += 1;
        let head = self.reader.value_head(empty)?;
        seed.deserialize(ValueDeserializer::new(self.reader, head))
            .map(Some)
            .map_err(|e| e.context(format_args!("item {}", self.index)))
    }
}

/// The value half of the member whose name was just handed out.
enum NextValue {
    /// Its `<value>` is open (`true` when it was `<value/>`).
    Open { empty: bool, name: String },
    /// It came before its name and was read already.
    Read(Value),
}

struct StructAccess<'r, 'a, 's> {
    reader: &'r mut Reader<'a>,
    state: &'s mut StructState,
    next: Option<NextValue>,
}

impl<'de> de::MapAccess<'de> for StructAccess<'_, '_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.reader.struct_next(self.state)? {
            None => Ok(None),
            Some(MemberStart::NameFirst { name, empty_value }) => {
                // Lent to the key's visitor (a derived struct's field matcher copies
                // nothing), kept for the value's error context.
                let key = seed.deserialize(StrDeserializer::<Error>::new(&name))?;
                self.next = Some(NextValue::Open {
                    empty: empty_value,
                    name,
                });
                Ok(Some(key))
            }
            Some(MemberStart::ValueFirst { empty_value }) => {
                let value = self.reader.read_value(empty_value)?;
                self.next = Some(NextValue::Read(value));
                let name = self.reader.member_name_after_value()?;
                let key: StringDeserializer<Error> = name.into_deserializer();
                seed.deserialize(key).map(Some)
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        match self.next.take() {
            Some(NextValue::Open { empty, name }) => {
                let head = self.reader.value_head(empty)?;
                let value = seed
                    .deserialize(ValueDeserializer::new(self.reader, head))
                    .map_err(|e| e.context(format_args!("member {name:?}")))?;
                self.reader.member_end()?;
                Ok(value)
            }
            Some(NextValue::Read(value)) => seed.deserialize(value),
            None => Err(Error::message(
                "a struct value was asked for before its name",
            )),
        }
    }
}

struct EnumAccess<'r, 'a> {
    variant: String,
    value: ValueDeserializer<'r, 'a>,
}

impl<'de, 'r, 'a> de::EnumAccess<'de> for EnumAccess<'r, 'a> {
    type Error = Error;
    type Variant = ValueDeserializer<'r, 'a>;

    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, Self::Variant), Error> {
        let key: StringDeserializer<Error> = self.variant.into_deserializer();
        Ok((seed.deserialize(key)?, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for ValueDeserializer<'_, '_> {
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

/// What an empty `<params/>` in a response reads as: nil.
pub(crate) struct NilDeserializer;

impl<'de> de::Deserializer<'de> for NilDeserializer {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_unit()
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_none()
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}
