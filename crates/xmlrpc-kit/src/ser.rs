//! The serde serializer: any `Serialize` type straight to XML-RPC text, written strictly
//! (`<int>` within 32 bits and `<i8>` beyond, shortest round-trip doubles, `& < > \r`
//! escaped), framed as a call, a response, a bare value or a multicall's params array.
//!
//! It sits on top of `codec::write` (the primitives, which know nothing of serde); the
//! private tokens it answers to live in `value::token`.

use crate::codec::base64;
use crate::codec::write::{format_double, write_escaped, DECL};
use crate::codec::APACHE_EXTENSIONS_NS;
use crate::error::Error;
use crate::value::token::{
    BIGDECIMAL_TOKEN, BIGINTEGER_TOKEN, BLOB_TOKEN, DATETIME_TOKEN, I8_TOKEN,
};
use serde::ser::{self, Impossible, Serialize};
use std::io::Write;

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
#[cfg_attr(not(feature = "client"), allow(dead_code))]
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

/// A `<methodCall>` as bytes.
///
/// ```
/// let body = xmlrpc_kit::codec::call_to_vec("ping", &())?;
/// assert!(body.ends_with(b"<methodName>ping</methodName><params></params></methodCall>"));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn call_to_vec<P: Serialize + ?Sized>(method: &str, params: &P) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256);
    write_call(&mut out, method, params)?;
    Ok(out)
}

/// A successful `<methodResponse>` as bytes.
///
/// ```
/// let body = xmlrpc_kit::codec::response_to_vec(&16)?;
/// assert_eq!(xmlrpc_kit::codec::decode_response::<i32>(&body)?, Ok(16));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub fn response_to_vec<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(256);
    write_response(&mut out, value)?;
    Ok(out)
}

/// Writes one `<value>` for each value serialized into it.
pub(crate) struct ValueSerializer<'w, W: Write + ?Sized> {
    out: &'w mut W,
}

impl<'w, W: Write + ?Sized> ValueSerializer<'w, W> {
    pub(crate) fn new(out: &'w mut W) -> Self {
        ValueSerializer { out }
    }
}

fn io(e: std::io::Error) -> Error {
    Error::from(e)
}

impl<W: Write + ?Sized> ValueSerializer<'_, W> {
    fn scalar(&mut self, open: &[u8], text: &[u8], close: &[u8]) -> Result<(), Error> {
        self.out.write_all(open).map_err(io)?;
        self.out.write_all(text).map_err(io)?;
        self.out.write_all(close).map_err(io)
    }

    fn int(&mut self, v: i32) -> Result<(), Error> {
        let mut buf = itoa::Buffer::new();
        self.scalar(b"<value><int>", buf.format(v).as_bytes(), b"</int></value>")
    }

    fn i8(&mut self, v: i64) -> Result<(), Error> {
        let mut buf = itoa::Buffer::new();
        self.scalar(b"<value><i8>", buf.format(v).as_bytes(), b"</i8></value>")
    }

    fn i64(&mut self, v: i64) -> Result<(), Error> {
        match i32::try_from(v) {
            Ok(small) => self.int(small),
            Err(_) => self.i8(v),
        }
    }

    fn string(&mut self, v: &str) -> Result<(), Error> {
        self.out.write_all(b"<value><string>").map_err(io)?;
        write_escaped(self.out, v)?;
        self.out.write_all(b"</string></value>").map_err(io)
    }

    fn member_start(&mut self, name: &str) -> Result<(), Error> {
        self.out.write_all(b"<member><name>").map_err(io)?;
        write_escaped(self.out, name)?;
        self.out.write_all(b"</name>").map_err(io)
    }

    fn reborrow(&mut self) -> ValueSerializer<'_, W> {
        ValueSerializer { out: self.out }
    }
}

impl<'w, W: Write + ?Sized> ser::Serializer for ValueSerializer<'w, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = SeqSerializer<'w, W>;
    type SerializeTuple = ArraySerializer<'w, W>;
    type SerializeTupleStruct = ArraySerializer<'w, W>;
    type SerializeTupleVariant = ArraySerializer<'w, W>;
    type SerializeMap = StructSerializer<'w, W>;
    type SerializeStruct = StructSerializer<'w, W>;
    type SerializeStructVariant = StructSerializer<'w, W>;

    fn serialize_bool(mut self, v: bool) -> Result<(), Error> {
        self.scalar(
            b"<value><boolean>",
            if v { b"1" } else { b"0" },
            b"</boolean></value>",
        )
    }
    fn serialize_i8(mut self, v: i8) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_i16(mut self, v: i16) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_i32(mut self, v: i32) -> Result<(), Error> {
        self.int(v)
    }
    fn serialize_i64(mut self, v: i64) -> Result<(), Error> {
        self.i64(v)
    }
    /// Within 64 bits an `<int>` or `<i8>`; beyond, Apache's `<ex:biginteger>`.
    fn serialize_i128(mut self, v: i128) -> Result<(), Error> {
        match i64::try_from(v) {
            Ok(v) => self.i64(v),
            Err(_) => {
                ser::Serializer::serialize_newtype_struct(self, BIGINTEGER_TOKEN, &v.to_string())
            }
        }
    }
    /// Within 63 bits an `<int>` or `<i8>`; beyond, Apache's `<ex:biginteger>`.
    fn serialize_u128(mut self, v: u128) -> Result<(), Error> {
        match i64::try_from(v) {
            Ok(v) => self.i64(v),
            Err(_) => {
                ser::Serializer::serialize_newtype_struct(self, BIGINTEGER_TOKEN, &v.to_string())
            }
        }
    }
    fn serialize_u8(mut self, v: u8) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_u16(mut self, v: u16) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_u32(mut self, v: u32) -> Result<(), Error> {
        self.i64(v.into())
    }
    fn serialize_u64(mut self, v: u64) -> Result<(), Error> {
        let v = i64::try_from(v).map_err(|_| {
            Error::message(format!("integer {v} does not fit in XML-RPC's 64-bit i8"))
        })?;
        self.i64(v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(mut self, v: f64) -> Result<(), Error> {
        let mut text = String::with_capacity(24);
        format_double(v, &mut text)?;
        self.scalar(b"<value><double>", text.as_bytes(), b"</double></value>")
    }
    fn serialize_char(mut self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(mut self, v: &str) -> Result<(), Error> {
        self.string(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.out.write_all(b"<value><base64>").map_err(io)?;
        base64::encode_to(v, self.out).map_err(io)?;
        self.out.write_all(b"</base64></value>").map_err(io)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.write_all(b"<value><nil/></value>").map_err(io)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        match name {
            I8_TOKEN => {
                let v = value.serialize(IntProbe)?;
                self.i8(v)
            }
            DATETIME_TOKEN => {
                self.out
                    .write_all(b"<value><dateTime.iso8601>")
                    .map_err(io)?;
                value.serialize(RawText {
                    out: &mut *self.out,
                })?;
                self.out
                    .write_all(b"</dateTime.iso8601></value>")
                    .map_err(io)
            }
            BIGINTEGER_TOKEN | BIGDECIMAL_TOKEN => {
                let tag = if name == BIGINTEGER_TOKEN {
                    "biginteger"
                } else {
                    "bigdecimal"
                };
                write!(
                    self.out,
                    "<value><ex:{tag} xmlns:ex=\"{APACHE_EXTENSIONS_NS}\">"
                )
                .map_err(io)?;
                value.serialize(RawText {
                    out: &mut *self.out,
                })?;
                write!(self.out, "</ex:{tag}></value>").map_err(io)
            }
            BLOB_TOKEN => {
                // A file-backed blob under a segment capture: a marker that the body
                // streamer replaces with the file's base64 (see `codec::segments`).
                let index = value.serialize(IntProbe)?;
                let mut buf = itoa::Buffer::new();
                self.scalar(
                    b"<value><base64>\0",
                    buf.format(index).as_bytes(),
                    b"\0</base64></value>",
                )
            }
            _ => value.serialize(self),
        }
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.write_all(b"<value><struct>").map_err(io)?;
        self.member_start(variant)?;
        value.serialize(self.reborrow())?;
        self.out
            .write_all(b"</member></struct></value>")
            .map_err(io)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<SeqSerializer<'w, W>, Error> {
        Ok(SeqSerializer {
            out: self.out,
            mode: SeqMode::Undecided,
        })
    }
    fn serialize_tuple(self, _len: usize) -> Result<ArraySerializer<'w, W>, Error> {
        ArraySerializer::open(self.out, None)
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<ArraySerializer<'w, W>, Error> {
        ArraySerializer::open(self.out, None)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<ArraySerializer<'w, W>, Error> {
        ArraySerializer::open(self.out, Some(variant))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<StructSerializer<'w, W>, Error> {
        StructSerializer::open(self.out, None)
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<StructSerializer<'w, W>, Error> {
        StructSerializer::open(self.out, None)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<StructSerializer<'w, W>, Error> {
        StructSerializer::open(self.out, Some(variant))
    }
}

/// An `<array>` from a tuple or a sequence; a variant wraps it in a one-member struct.
pub(crate) struct ArraySerializer<'w, W: Write + ?Sized> {
    out: &'w mut W,
    variant: bool,
}

impl<'w, W: Write + ?Sized> ArraySerializer<'w, W> {
    fn open(out: &'w mut W, variant: Option<&str>) -> Result<Self, Error> {
        if let Some(name) = variant {
            out.write_all(b"<value><struct>").map_err(io)?;
            ValueSerializer { out: &mut *out }.member_start(name)?;
        }
        out.write_all(b"<value><array><data>").map_err(io)?;
        Ok(ArraySerializer {
            out,
            variant: variant.is_some(),
        })
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(ValueSerializer {
            out: &mut *self.out,
        })
    }

    fn close(self) -> Result<(), Error> {
        self.out.write_all(b"</data></array></value>").map_err(io)?;
        if self.variant {
            self.out
                .write_all(b"</member></struct></value>")
                .map_err(io)?;
        }
        Ok(())
    }
}

impl<W: Write + ?Sized> ser::SerializeTuple for ArraySerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<W: Write + ?Sized> ser::SerializeTupleStruct for ArraySerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<W: Write + ?Sized> ser::SerializeTupleVariant for ArraySerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// How a sequence is being written: a sequence of `u8` (a `Vec<u8>`) becomes `<base64>`.
enum SeqMode {
    /// Nothing written yet.
    Undecided,
    /// Every element so far was a `u8`.
    Bytes(Vec<u8>),
    /// `<value><array><data>` is open.
    Array,
}

/// A sequence: `<base64>` when it holds bytes, `<array>` otherwise.
pub(crate) struct SeqSerializer<'w, W: Write + ?Sized> {
    out: &'w mut W,
    mode: SeqMode,
}

impl<W: Write + ?Sized> SeqSerializer<'_, W> {
    /// Switches to writing an array, writing any bytes gathered so far as `<int>`s.
    fn open_array(&mut self) -> Result<(), Error> {
        let gathered = match std::mem::replace(&mut self.mode, SeqMode::Array) {
            SeqMode::Array => return Ok(()),
            SeqMode::Undecided => Vec::new(),
            SeqMode::Bytes(bytes) => bytes,
        };
        self.out.write_all(b"<value><array><data>").map_err(io)?;
        for b in gathered {
            ValueSerializer {
                out: &mut *self.out,
            }
            .int(b.into())?;
        }
        Ok(())
    }
}

impl<W: Write + ?Sized> ser::SerializeSeq for SeqSerializer<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !matches!(self.mode, SeqMode::Array) {
            if let Ok(byte) = value.serialize(ByteProbe) {
                match &mut self.mode {
                    SeqMode::Bytes(bytes) => bytes.push(byte),
                    _ => self.mode = SeqMode::Bytes(vec![byte]),
                }
                return Ok(());
            }
            self.open_array()?;
        }
        value.serialize(ValueSerializer {
            out: &mut *self.out,
        })
    }

    fn end(mut self) -> Result<(), Error> {
        match std::mem::replace(&mut self.mode, SeqMode::Array) {
            SeqMode::Bytes(bytes) => {
                ser::Serializer::serialize_bytes(ValueSerializer { out: self.out }, &bytes)
            }
            SeqMode::Undecided => self
                .out
                .write_all(b"<value><array><data></data></array></value>")
                .map_err(io),
            SeqMode::Array => self.out.write_all(b"</data></array></value>").map_err(io),
        }
    }
}

/// A `<struct>` from a map or a Rust struct; a variant wraps it in a one-member struct.
pub(crate) struct StructSerializer<'w, W: Write + ?Sized> {
    out: &'w mut W,
    variant: bool,
}

impl<'w, W: Write + ?Sized> StructSerializer<'w, W> {
    fn open(out: &'w mut W, variant: Option<&str>) -> Result<Self, Error> {
        if let Some(name) = variant {
            out.write_all(b"<value><struct>").map_err(io)?;
            ValueSerializer { out: &mut *out }.member_start(name)?;
        }
        out.write_all(b"<value><struct>").map_err(io)?;
        Ok(StructSerializer {
            out,
            variant: variant.is_some(),
        })
    }

    fn field<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let mut s = ValueSerializer {
            out: &mut *self.out,
        };
        s.member_start(name)?;
        value.serialize(s.reborrow())?;
        self.out.write_all(b"</member>").map_err(io)
    }

    fn close(self) -> Result<(), Error> {
        self.out.write_all(b"</struct></value>").map_err(io)?;
        if self.variant {
            self.out
                .write_all(b"</member></struct></value>")
                .map_err(io)?;
        }
        Ok(())
    }
}

impl<W: Write + ?Sized> ser::SerializeMap for StructSerializer<'_, W> {
    type Ok = ();
    type Error = Error;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let name = key.serialize(KeyProbe)?;
        ValueSerializer {
            out: &mut *self.out,
        }
        .member_start(&name)
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(ValueSerializer {
            out: &mut *self.out,
        })?;
        self.out.write_all(b"</member>").map_err(io)
    }

    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<W: Write + ?Sized> ser::SerializeStruct for StructSerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(name, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

impl<W: Write + ?Sized> ser::SerializeStructVariant for StructSerializer<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.field(name, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

/// Writes the text of a string value as is (escaped) with no element around it.
struct RawText<'w, W: Write + ?Sized> {
    out: &'w mut W,
}

/// A serializer that accepts one kind of value and refuses the rest, without writing.
macro_rules! refuse_all_but {
    ($probe:ident -> $ok:ty, $what:literal, { $($keep:item)* }) => {
        impl ser::Serializer for $probe {
            type Ok = $ok;
            type Error = Error;
            type SerializeSeq = Impossible<$ok, Error>;
            type SerializeTuple = Impossible<$ok, Error>;
            type SerializeTupleStruct = Impossible<$ok, Error>;
            type SerializeTupleVariant = Impossible<$ok, Error>;
            type SerializeMap = Impossible<$ok, Error>;
            type SerializeStruct = Impossible<$ok, Error>;
            type SerializeStructVariant = Impossible<$ok, Error>;
            $($keep)*
            refuse_all_but!(@refuse $what);
        }
    };
    (@refuse $what:literal) => {
        fn serialize_bool(self, _: bool) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_i8(self, _: i8) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_i16(self, _: i16) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_u16(self, _: u16) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_u32(self, _: u32) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_u64(self, _: u64) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_f32(self, _: f32) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_f64(self, _: f64) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_char(self, _: char) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_bytes(self, _: &[u8]) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_none(self) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_unit(self) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_unit_struct(self, _: &'static str) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, _: &T) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<Self::Ok, Error> { Err(Error::message($what)) }
        fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> { Err(Error::message($what)) }
        fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> { Err(Error::message($what)) }
        fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, Error> { Err(Error::message($what)) }
        fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, Error> { Err(Error::message($what)) }
        fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> { Err(Error::message($what)) }
        fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> { Err(Error::message($what)) }
        fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, Error> { Err(Error::message($what)) }
    };
}

/// Accepts exactly a `u8`: tells a `Vec<u8>` from other sequences.
struct ByteProbe;

refuse_all_but!(ByteProbe -> u8, "not a byte", {
    fn serialize_u8(self, v: u8) -> Result<u8, Error> { Ok(v) }
    fn serialize_i32(self, _: i32) -> Result<u8, Error> { Err(Error::message("not a byte")) }
    fn serialize_i64(self, _: i64) -> Result<u8, Error> { Err(Error::message("not a byte")) }
    fn serialize_str(self, _: &str) -> Result<u8, Error> { Err(Error::message("not a byte")) }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<u8, Error> { Err(Error::message("not a byte")) }
});

/// Accepts an integer (for `Value::I8`).
struct IntProbe;

refuse_all_but!(IntProbe -> i64, "an i8 holds an integer", {
    fn serialize_u8(self, v: u8) -> Result<i64, Error> { Ok(v.into()) }
    fn serialize_i32(self, v: i32) -> Result<i64, Error> { Ok(v.into()) }
    fn serialize_i64(self, v: i64) -> Result<i64, Error> { Ok(v) }
    fn serialize_str(self, _: &str) -> Result<i64, Error> { Err(Error::message("an i8 holds an integer")) }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<i64, Error> { Err(Error::message("an i8 holds an integer")) }
});

/// Turns a map key into a member name: strings as they are, numbers and booleans as text.
struct KeyProbe;

refuse_all_but!(KeyProbe -> String, "a struct member name must be a string, a number or a boolean", {
    fn serialize_u8(self, v: u8) -> Result<String, Error> { Ok(v.to_string()) }
    fn serialize_i32(self, v: i32) -> Result<String, Error> { Ok(v.to_string()) }
    fn serialize_i64(self, v: i64) -> Result<String, Error> { Ok(v.to_string()) }
    fn serialize_str(self, v: &str) -> Result<String, Error> { Ok(v.to_owned()) }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<String, Error> { Ok(variant.to_owned()) }
});

impl<W: Write + ?Sized> ser::Serializer for RawText<'_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_escaped(self.out, v)
    }
    fn serialize_u8(self, _: u8) -> Result<(), Error> {
        Err(Error::message("a dateTime holds text"))
    }
    fn serialize_i32(self, _: i32) -> Result<(), Error> {
        Err(Error::message("a dateTime holds text"))
    }
    fn serialize_i64(self, _: i64) -> Result<(), Error> {
        Err(Error::message("a dateTime holds text"))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Error> {
        Err(Error::message("a dateTime holds text"))
    }
    refuse_all_but!(@refuse "a dateTime holds text");
}

#[cfg(test)]
mod tests {
    #[test]
    fn outside_a_capture_a_file_blob_serializes_as_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"hi").unwrap();
        let blob = crate::value::Blob::from_file(&path).unwrap();
        let xml = super::response_to_vec(&blob).unwrap();
        let text = String::from_utf8(xml).unwrap();
        assert!(text.contains("<base64>aGk=</base64>"), "{text}");
        let ((), captured) = crate::value::token::capture_outgoing(|| ());
        assert!(captured.is_empty());
    }
}
