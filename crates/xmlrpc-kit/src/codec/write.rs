//! The XML-RPC writer: frames calls, responses and faults around values serialized straight
//! to any `io::Write`, so a body can be streamed as it is produced.

use crate::error::Error;
use crate::fault::Fault;
use crate::serde::ser::{write_escaped, ValueSerializer};
use serde::ser::{self, Impossible, Serialize};
use std::io::Write;

const DECL: &[u8] = b"<?xml version=\"1.0\"?>";

/// Writes a `<methodCall>`. `params` is a tuple (or any sequence) whose items become the
/// parameters in order; `()` means none, and any other single value is one parameter.
///
/// ```
/// let mut out = Vec::new();
/// xmlrpc_kit::codec::write_call(&mut out, "add", &(8, 8))?;
/// assert_eq!(
///     String::from_utf8_lossy(&out),
///     "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
///      <param><value><int>8</int></value></param><param><value><int>8</int></value></param>\
///      </params></methodCall>"
/// );
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn write_call<W: Write + ?Sized, P: Serialize + ?Sized>(
    out: &mut W,
    method: &str,
    params: &P,
) -> Result<(), Error> {
    out.write_all(DECL)?;
    out.write_all(b"<methodCall><methodName>")?;
    write_escaped(out, method)?;
    out.write_all(b"</methodName><params>")?;
    params.serialize(ParamsSerializer::params(&mut *out))?;
    out.write_all(b"</params></methodCall>")?;
    Ok(())
}

/// Writes a successful `<methodResponse>` holding one value.
///
/// ```
/// let mut out = Vec::new();
/// xmlrpc_kit::codec::write_response(&mut out, &"get string:cloudox")?;
/// assert!(String::from_utf8_lossy(&out).ends_with(
///     "<params><param><value><string>get string:cloudox</string></value></param></params></methodResponse>"));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn write_response<W: Write + ?Sized, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> Result<(), Error> {
    out.write_all(DECL)?;
    out.write_all(b"<methodResponse><params><param>")?;
    value.serialize(ValueSerializer::new(&mut *out))?;
    out.write_all(b"</param></params></methodResponse>")?;
    Ok(())
}

/// Writes a fault `<methodResponse>`.
///
/// ```
/// let mut out = Vec::new();
/// xmlrpc_kit::codec::write_fault(&mut out, &xmlrpc_kit::Fault::new(-32601, "no <such> method"))?;
/// let text = String::from_utf8_lossy(&out);
/// assert!(text.contains("<name>faultCode</name><value><int>-32601</int></value>"));
/// assert!(text.contains("no &lt;such&gt; method"));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn write_fault<W: Write + ?Sized>(out: &mut W, fault: &Fault) -> Result<(), Error> {
    out.write_all(DECL)?;
    out.write_all(
        b"<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>",
    )?;
    out.write_all(itoa::Buffer::new().format(fault.code).as_bytes())?;
    out.write_all(b"</int></value></member><member><name>faultString</name><value><string>")?;
    write_escaped(out, &fault.string)?;
    out.write_all(b"</string></value></member></struct></value></fault></methodResponse>")?;
    Ok(())
}

/// Writes one bare `<value>` (no document around it): for tests, logs and custom framing.
///
/// ```
/// let mut out = Vec::new();
/// xmlrpc_kit::codec::write_value(&mut out, &vec![1u8, 2, 3])?;
/// assert_eq!(out, b"<value><base64>AQID</base64></value>");
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn write_value<W: Write + ?Sized, T: Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> Result<(), Error> {
    value.serialize(ValueSerializer::new(out))
}

/// Writes each item of a sequence or tuple as a parameter: inside `<param>` in a
/// document, or bare `<value>`s inside a multicall entry's params array.
struct ParamsSerializer<'w, W: Write + ?Sized> {
    out: &'w mut W,
    open: &'static [u8],
    close: &'static [u8],
}

impl<'w, W: Write + ?Sized> ParamsSerializer<'w, W> {
    fn params(out: &'w mut W) -> Self {
        ParamsSerializer {
            out,
            open: b"<param>",
            close: b"</param>",
        }
    }

    fn param<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.out.write_all(self.open)?;
        value.serialize(ValueSerializer::new(&mut *self.out))?;
        self.out.write_all(self.close)?;
        Ok(())
    }
}

/// Writes parameters as one `<value><array>` (for `system.multicall` entries): a tuple or
/// sequence gives its items, `()` none, any other value itself alone.
pub(crate) fn write_params_array<W: Write + ?Sized, P: Serialize + ?Sized>(
    out: &mut W,
    params: &P,
) -> Result<(), Error> {
    out.write_all(b"<value><array><data>")?;
    params.serialize(ParamsSerializer {
        out: &mut *out,
        open: b"",
        close: b"",
    })?;
    out.write_all(b"</data></array></value>")?;
    Ok(())
}

impl<W: Write + ?Sized> ser::SerializeSeq for ParamsSerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.param(value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl<W: Write + ?Sized> ser::SerializeTuple for ParamsSerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.param(value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl<W: Write + ?Sized> ser::SerializeTupleStruct for ParamsSerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.param(value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

/// Any value that is not a sequence is written as the one parameter.
macro_rules! single_param {
    ($($method:ident($($arg:ident: $ty:ty),*)),* $(,)?) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<(), Error> {
            self.out.write_all(self.open)?;
            ser::Serializer::$method(ValueSerializer::new(&mut *self.out), $($arg),*)?;
            self.out.write_all(self.close)?;
            Ok(())
        }
    )*};
}

impl<'w, W: Write + ?Sized> ser::Serializer for ParamsSerializer<'w, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_unit(self) -> Result<(), Error> {
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self, Error> {
        Ok(self)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.param(value)
    }
    single_param! {
        serialize_bool(v: bool), serialize_i8(v: i8), serialize_i16(v: i16), serialize_i32(v: i32),
        serialize_i64(v: i64), serialize_u8(v: u8), serialize_u16(v: u16), serialize_u32(v: u32),
        serialize_u64(v: u64), serialize_f32(v: f32), serialize_f64(v: f64), serialize_char(v: char),
        serialize_str(v: &str), serialize_bytes(v: &[u8]), serialize_none(),
        serialize_unit_struct(name: &'static str),
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str),
    }
    fn serialize_some<T: Serialize + ?Sized>(mut self, value: &T) -> Result<(), Error> {
        self.param(&Some(value))
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.write_all(self.open)?;
        ser::Serializer::serialize_newtype_variant(
            ValueSerializer::new(&mut *self.out),
            name,
            index,
            variant,
            value,
        )?;
        self.out.write_all(self.close)?;
        Ok(())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(Error::message(
            "params must be a tuple, a sequence or a single value; wrap an enum in a tuple",
        ))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(Error::message(
            "params must be a tuple or a sequence; wrap a map in a tuple: `(&map,)`",
        ))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(Error::message(
            "params must be a tuple or a sequence; wrap a struct in a tuple: `(&value,)`",
        ))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(Error::message(
            "params must be a tuple, a sequence or a single value; wrap an enum in a tuple",
        ))
    }
}
