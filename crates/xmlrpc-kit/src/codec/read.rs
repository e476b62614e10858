//! The XML-RPC reader: walks XML events from a [`Source`], checks them against the XML-RPC
//! grammar and the [`Limits`], and hands out values one step at a time. The dynamic
//! [`Value`] builder here and the serde deserializer (`crate::serde::de`) both drive it.

use super::base64::{self, DecodeError};
use super::limits::Limits;
use super::source::{Source, Token};
pub(crate) use super::tag::Tag;
use crate::error::{Error, ErrorCode};
use crate::fault::Fault;
use crate::value::blob::{Spool, SpoolSettings};
use crate::value::{Blob, DateTime, Struct, Value};
use serde::de::DeserializeOwned;
use std::io::BufRead;
use std::sync::Arc;

/// A pull reader for one XML-RPC document: a call, a response, or a fault.
///
/// It reads from a slice in memory (the fast path: events borrow the input) or from any
/// `BufRead` (a body arriving in pieces: only one event, or one piece of a base64 value, is
/// held at a time). Read the [`Envelope`] first, then the parameters as values or as typed
/// Rust data, then [`finish`](Self::finish).
///
/// ```
/// use xmlrpc_kit::codec::{Envelope, Reader};
///
/// let xml = b"<methodCall><methodName>add</methodName><params>\
///     <param><value><int>8</int></value></param>\
///     <param><value><i4>8</i4></value></param></params></methodCall>";
/// let mut reader = Reader::from_slice(xml)?;
/// let Envelope::Call { method_name } = reader.read_envelope()? else { unreachable!() };
/// let (x, y): (i32, i64) = reader.read_params()?;
/// assert_eq!((method_name.as_str(), x, y), ("add", 8, 8));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
pub struct Reader<'a> {
    source: Source<'a>,
    limits: Limits,
    depth: usize,
    elements: u64,
    root: Tag,
    params: ParamsState,
    /// Text collected before a value's type element (usually just indentation).
    pending: String,
    /// The name of the last element that is not part of XML-RPC, for error messages.
    other_name: String,
    started: bool,
    /// Where large base64 values go, when they are spooled (streamed documents).
    spool: Option<Arc<SpoolSettings>>,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("limits", &self.limits)
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

/// Where decoded base64 bytes go when they are not kept in memory.
type Drain<'d> = &'d mut dyn FnMut(&[u8]) -> std::io::Result<()>;

/// What a document is, read from its root element.
///
/// ```
/// use xmlrpc_kit::codec::{Envelope, Reader};
/// let mut r = Reader::from_slice(b"<methodResponse><fault><value><struct/></value></fault></methodResponse>")?;
/// assert_eq!(r.read_envelope()?, Envelope::Fault);
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Envelope {
    /// A `<methodCall>`; its parameters follow.
    Call {
        /// The `<methodName>`.
        method_name: String,
    },
    /// A `<methodResponse>` with `<params>`; they follow.
    Response,
    /// A `<methodResponse>` with a `<fault>`; read it with [`Reader::read_fault`].
    Fault,
}

/// A decoded `<methodCall>` with dynamic parameters.
///
/// ```
/// let call = xmlrpc_kit::codec::read_call(b"<methodCall><methodName>ping</methodName></methodCall>")?;
/// assert_eq!(call.method_name, "ping");
/// assert!(call.params.is_empty());
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MethodCall {
    /// The method's name.
    pub method_name: String,
    /// The parameters in order.
    pub params: Vec<Value>,
}

/// A decoded `<methodResponse>`: parameters (normally exactly one) or a fault.
///
/// ```
/// use xmlrpc_kit::{codec::{self, MethodResponse}, Value};
/// let r = codec::read_response(b"<methodResponse><params><param><value>hi</value></param></params></methodResponse>")?;
/// assert_eq!(r, MethodResponse::Params(vec![Value::from("hi")]));
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum MethodResponse {
    /// The `<params>` of a successful response.
    Params(Vec<Value>),
    /// The `<fault>` of a failed one.
    Fault(Fault),
}

/// One step through the document, owned so the input can be read again at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Start(Tag),
    Empty(Tag),
    End(Tag),
    /// Character data (text, a reference, CDATA); `blank` when it was only XML whitespace.
    Text {
        blank: bool,
    },
    Eof,
}

/// Where the reader is in `<params>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamsState {
    /// Inside `<params>`: next is `<param>` or `</params>`.
    Open,
    /// Params are over; the root's end tag is next.
    RootEnd,
    /// The root element is closed.
    Done,
}

/// The start of a value, once its type element has been read.
pub(crate) enum Head {
    /// A complete scalar; `</value>` has been consumed.
    Scalar(Scalar),
    /// An array whose items follow.
    Array(ArrayState),
    /// A struct whose members follow.
    Struct(StructState),
}

/// A scalar value.
pub(crate) enum Scalar {
    Int(i32),
    I8(i64),
    Bool(bool),
    String(String),
    Double(f64),
    DateTime(DateTime),
    Base64(Vec<u8>),
    /// A base64 value too large for memory, decoded into a spool file.
    Spooled(Blob),
    Nil,
}

impl Scalar {
    /// The value; a spooled base64 value is loaded, if it fits the in-memory limit.
    fn into_value(self, reader: &Reader<'_>) -> Result<Value, Error> {
        Ok(match self {
            Scalar::Spooled(blob) => Value::Base64(reader.load_spooled(&blob)?.into()),
            other => Value::from(other),
        })
    }
}

impl From<Scalar> for Value {
    /// A spooled value cannot be loaded here, so becomes empty: use `Scalar::into_value`.
    fn from(s: Scalar) -> Value {
        match s {
            Scalar::Int(i) => Value::Int(i),
            Scalar::I8(i) => Value::I8(i),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::String(s) => Value::String(s),
            Scalar::Double(d) => Value::Double(d),
            Scalar::DateTime(t) => Value::DateTime(t),
            Scalar::Base64(b) => Value::Base64(b.into()),
            Scalar::Spooled(_) => Value::Base64(Vec::new().into()),
            Scalar::Nil => Value::Nil,
        }
    }
}

/// Which end tags an array still owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArrayState {
    /// Inside `<data>`: items, then `</data></array></value>`.
    Items,
    /// `<data/>` was empty: `</array></value>` remain.
    ArrayEnd,
    /// `<array/>` or `<array></array>`: only `</value>` remains.
    ValueEnd,
    /// Fully closed.
    Done,
}

/// Which end tags a struct still owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StructState {
    /// Inside `<struct>`: members, then `</struct></value>`.
    Members,
    /// `<struct/>`: only `</value>` remains.
    ValueEnd,
    /// Fully closed.
    Done,
}

/// How a struct member begins.
pub(crate) enum MemberStart {
    /// `<name>` came first (the usual order); its `<value>` has been opened.
    NameFirst { name: String, empty_value: bool },
    /// `<value>` came before `<name>`; read the value, then
    /// [`Reader::member_name_after_value`].
    ValueFirst { empty_value: bool },
}

impl<'a> Reader<'a> {
    /// A reader over a whole document in memory.
    ///
    /// Fails only if the document declares an encoding that cannot be read; a document in
    /// a non-UTF-8 encoding is transcoded first.
    ///
    /// ```
    /// let mut r = xmlrpc_kit::codec::Reader::from_slice(b"<methodResponse><params/></methodResponse>")?;
    /// assert_eq!(r.read_envelope()?, xmlrpc_kit::codec::Envelope::Response);
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn from_slice(input: &'a [u8]) -> Result<Self, Error> {
        Ok(Self::new(Source::from_slice(input)?))
    }

    /// A reader over a stream, such as a request body arriving in pieces.
    ///
    /// ```
    /// use std::io::BufReader;
    /// let body: &[u8] = b"<methodCall><methodName>m</methodName></methodCall>";
    /// let call = xmlrpc_kit::codec::Reader::from_reader(BufReader::new(body))?.read_call()?;
    /// assert_eq!(call.method_name, "m");
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn from_reader<R: BufRead + 'a>(reader: R) -> Result<Self, Error> {
        Ok(Self::new(Source::from_reader(reader)?))
    }

    fn new(source: Source<'a>) -> Self {
        Reader {
            source,
            limits: Limits::default(),
            depth: 0,
            elements: 0,
            root: Tag::Other,
            params: ParamsState::Done,
            pending: String::new(),
            spool: None,
            other_name: String::new(),
            started: false,
        }
    }

    /// Replaces the default limits.
    ///
    /// ```
    /// use xmlrpc_kit::codec::{Limits, Reader};
    /// let r = Reader::from_slice(b"<methodCall/>")?.with_limits(Limits::default().max_depth(8));
    /// # let _ = r;
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.source.set_limits(&limits);
        self.limits = limits;
        self
    }

    /// Spools base64 values larger than the settings' threshold into temporary files
    /// (a consumer that wants a `Blob` then gets the file; one that wants bytes loads it,
    /// within the base64 limit).
    pub(crate) fn with_spool(mut self, settings: Option<Arc<SpoolSettings>>) -> Self {
        self.spool = settings;
        self
    }

    // ----- documents -------------------------------------------------------------------

    /// Reads the root element and what identifies the document.
    ///
    /// After `Call` or `Response`, read the parameters ([`read_params`](Self::read_params),
    /// [`next_param`](Self::next_param)); after `Fault`, [`read_fault`](Self::read_fault).
    ///
    /// ```
    /// use xmlrpc_kit::codec::{Envelope, Reader};
    /// let mut r = Reader::from_slice(b"<?xml version='1.0'?>\n<methodCall><methodName>a.b</methodName><params/></methodCall>")?;
    /// assert_eq!(r.read_envelope()?, Envelope::Call { method_name: "a.b".into() });
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn read_envelope(&mut self) -> Result<Envelope, Error> {
        if self.started {
            return Err(Error::message("the envelope was already read"));
        }
        self.started = true;
        if let Some(input) = self.source.input() {
            if input.len() as u64 > self.limits.max_document_size {
                return Err(self.error(ErrorCode::Limit {
                    what: "document size (bytes)",
                    limit: self.limits.max_document_size,
                }));
            }
        }
        const ROOT: &str = "<methodCall> or <methodResponse>";
        let (root, empty) = match self.next_mark(ROOT)? {
            Step::Start(tag @ (Tag::MethodCall | Tag::MethodResponse)) => (tag, false),
            Step::Empty(tag @ (Tag::MethodCall | Tag::MethodResponse)) => (tag, true),
            other => return Err(self.unexpected(ROOT, other)),
        };
        self.root = root;
        if empty {
            return Err(self.unexpected_text(
                if root == Tag::MethodCall {
                    "<methodName>"
                } else {
                    "<params> or <fault>"
                },
                "the end of the root element",
            ));
        }
        if root == Tag::MethodCall {
            match self.next_mark("<methodName>")? {
                Step::Start(Tag::MethodName) => {}
                other => return Err(self.unexpected("<methodName>", other)),
            }
            let mut name = String::new();
            self.read_text(
                &mut name,
                Tag::MethodName,
                self.limits.max_name_len,
                "method name",
            )?;
            let name = name.trim();
            if name.is_empty() {
                return Err(self.error(ErrorCode::InvalidScalar {
                    ty: "methodName",
                    text: String::new(),
                    reason: "a method name cannot be empty".into(),
                }));
            }
            let method_name = name.to_owned();
            self.params = match self.next_mark("<params> or </methodCall>")? {
                Step::Start(Tag::Params) => ParamsState::Open,
                Step::Empty(Tag::Params) => ParamsState::RootEnd,
                Step::End(Tag::MethodCall) => ParamsState::Done,
                other => return Err(self.unexpected("<params> or </methodCall>", other)),
            };
            return Ok(Envelope::Call { method_name });
        }
        match self.next_mark("<params> or <fault>")? {
            Step::Start(Tag::Params) => {
                self.params = ParamsState::Open;
                Ok(Envelope::Response)
            }
            Step::Empty(Tag::Params) => {
                self.params = ParamsState::RootEnd;
                Ok(Envelope::Response)
            }
            Step::Start(Tag::Fault) => Ok(Envelope::Fault),
            other => Err(self.unexpected("<params> or <fault>", other)),
        }
    }

    /// The next parameter as a dynamic value, or `None` after the last.
    ///
    /// ```
    /// use xmlrpc_kit::{codec::Reader, Value};
    /// let mut r = Reader::from_slice(b"<methodCall><methodName>m</methodName><params><param><value><i4>1</i4></value></param></params></methodCall>")?;
    /// r.read_envelope()?;
    /// assert_eq!(r.next_param()?, Some(Value::Int(1)));
    /// assert_eq!(r.next_param()?, None);
    /// r.finish()?;
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn next_param(&mut self) -> Result<Option<Value>, Error> {
        let Some(empty) = self.param_start()? else {
            return Ok(None);
        };
        let value = self.read_value(empty)?;
        self.param_end()?;
        Ok(Some(value))
    }

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
        let value = T::deserialize(crate::serde::de::ParamsDeserializer::new(self))?;
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
            None => T::deserialize(crate::serde::de::NilDeserializer)?,
            Some(empty) => {
                let head = self.value_head(empty)?;
                let v = T::deserialize(crate::serde::de::ValueDeserializer::new(self, head))
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

    /// The fault of a response whose envelope was [`Envelope::Fault`]; checks the rest.
    ///
    /// ```
    /// let xml = b"<methodResponse><fault><value><struct>\
    ///   <member><name>faultCode</name><value><int>4</int></value></member>\
    ///   <member><name>faultString</name><value><string>Too many</string></value></member>\
    ///   </struct></value></fault></methodResponse>";
    /// let mut r = xmlrpc_kit::codec::Reader::from_slice(xml)?;
    /// r.read_envelope()?;
    /// assert_eq!(r.read_fault()?, xmlrpc_kit::Fault::new(4, "Too many"));
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn read_fault(&mut self) -> Result<Fault, Error> {
        let empty = match self.next_mark("<value>")? {
            Step::Start(Tag::Value) => false,
            Step::Empty(Tag::Value) => true,
            other => return Err(self.unexpected("<value> in <fault>", other)),
        };
        let value = self.read_value(empty)?;
        let fault = fault_from_value(&value).ok_or_else(|| {
            self.error(ErrorCode::Unexpected {
                expected: "a fault struct with an integer faultCode",
                found: format!("a {}", value.type_name()),
            })
        })?;
        self.expect_end(Tag::Fault)?;
        self.params = ParamsState::RootEnd;
        self.finish()?;
        Ok(fault)
    }

    /// Reads a whole `<methodCall>` with dynamic parameters.
    ///
    /// ```
    /// let call = xmlrpc_kit::codec::Reader::from_slice(b"<methodCall><methodName>m</methodName><params/></methodCall>")?.read_call()?;
    /// assert_eq!(call.method_name, "m");
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn read_call(mut self) -> Result<MethodCall, Error> {
        match self.read_envelope()? {
            Envelope::Call { method_name } => {
                let params = self.read_param_values()?;
                Ok(MethodCall {
                    method_name,
                    params,
                })
            }
            _ => Err(self.error(ErrorCode::Unexpected {
                expected: "<methodCall>",
                found: "<methodResponse>".into(),
            })),
        }
    }

    /// Reads a whole `<methodResponse>` with dynamic parameters.
    ///
    /// ```
    /// use xmlrpc_kit::codec::{MethodResponse, Reader};
    /// let r = Reader::from_slice(b"<methodResponse><params/></methodResponse>")?.read_response()?;
    /// assert_eq!(r, MethodResponse::Params(vec![]));
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn read_response(mut self) -> Result<MethodResponse, Error> {
        match self.read_envelope()? {
            Envelope::Response => Ok(MethodResponse::Params(self.read_param_values()?)),
            Envelope::Fault => Ok(MethodResponse::Fault(self.read_fault()?)),
            Envelope::Call { .. } => Err(self.error(ErrorCode::Unexpected {
                expected: "<methodResponse>",
                found: "<methodCall>".into(),
            })),
        }
    }

    fn read_param_values(&mut self) -> Result<Vec<Value>, Error> {
        let mut params = Vec::new();
        while let Some(v) = self.next_param()? {
            params.push(v);
        }
        self.finish()?;
        Ok(params)
    }

    /// Checks that the document ends properly: `</params>`, the root's end tag, then
    /// nothing but whitespace, comments and processing instructions.
    ///
    /// ```
    /// use xmlrpc_kit::codec::Reader;
    /// let mut r = Reader::from_slice(b"<methodResponse><params/></methodResponse><extra/>")?;
    /// r.read_envelope()?;
    /// assert!(r.finish().is_err());
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.params == ParamsState::Open {
            match self.next_mark("</params>")? {
                Step::End(Tag::Params) => self.params = ParamsState::RootEnd,
                Step::Start(Tag::Param) => {
                    return Err(self.error(ErrorCode::Message(
                        "too many params: the method takes fewer".into(),
                    )))
                }
                other => return Err(self.unexpected("</params>", other)),
            }
        }
        if self.params == ParamsState::RootEnd {
            self.expect_end(self.root)?;
            self.params = ParamsState::Done;
        }
        match self.next_mark("the end of the document")? {
            Step::Eof => Ok(()),
            other => Err(self.unexpected("the end of the document", other)),
        }
    }

    // ----- params ----------------------------------------------------------------------

    /// Opens the next `<param><value>`; `Some(empty)` tells whether it was `<value/>`.
    pub(crate) fn param_start(&mut self) -> Result<Option<bool>, Error> {
        if self.params != ParamsState::Open {
            return Ok(None);
        }
        match self.next_mark("<param> or </params>")? {
            Step::Start(Tag::Param) => {}
            Step::End(Tag::Params) => {
                self.params = ParamsState::RootEnd;
                return Ok(None);
            }
            other => return Err(self.unexpected("<param> or </params>", other)),
        }
        match self.next_mark("<value>")? {
            Step::Start(Tag::Value) => Ok(Some(false)),
            Step::Empty(Tag::Value) => Ok(Some(true)),
            other => Err(self.unexpected("<value> in <param>", other)),
        }
    }

    /// Closes a `<param>` after its value.
    pub(crate) fn param_end(&mut self) -> Result<(), Error> {
        self.expect_end(Tag::Param)
    }

    // ----- values ----------------------------------------------------------------------

    /// Reads a value whose `<value>` start tag was just read (`empty` for `<value/>`).
    pub(crate) fn read_value(&mut self, empty: bool) -> Result<Value, Error> {
        enum Frame {
            Array(Vec<Value>, ArrayState),
            Struct(Struct, StructState, Option<String>),
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut head = self.value_head(empty)?;
        loop {
            let mut done = match head {
                Head::Scalar(s) => Some(s.into_value(self)?),
                Head::Array(state) => {
                    stack.push(Frame::Array(Vec::new(), state));
                    None
                }
                Head::Struct(state) => {
                    stack.push(Frame::Struct(Struct::new(), state, None));
                    None
                }
            };
            // Attach finished values to their parents and advance until a new value starts.
            loop {
                if let Some(value) = done.take() {
                    match stack.last_mut() {
                        None => return Ok(value),
                        Some(Frame::Array(items, _)) => items.push(value),
                        Some(Frame::Struct(members, _, name)) => {
                            let name = match name.take() {
                                Some(name) => {
                                    self.expect_end(Tag::Member)?;
                                    name
                                }
                                None => self.member_name_after_value()?,
                            };
                            members.insert(name, value);
                        }
                    }
                }
                let next = match stack.last_mut() {
                    None => return Err(Error::message("value stack underflow")),
                    Some(Frame::Array(_, state)) => self.array_next(state)?,
                    Some(Frame::Struct(_, state, name)) => match self.struct_next(state)? {
                        None => None,
                        Some(MemberStart::NameFirst {
                            name: n,
                            empty_value,
                        }) => {
                            *name = Some(n);
                            Some(empty_value)
                        }
                        Some(MemberStart::ValueFirst { empty_value }) => Some(empty_value),
                    },
                };
                match next {
                    Some(empty) => {
                        head = self.value_head(empty)?;
                        break;
                    }
                    None => {
                        done = Some(match stack.pop() {
                            Some(Frame::Array(items, _)) => Value::Array(items),
                            Some(Frame::Struct(members, ..)) => Value::Struct(members),
                            None => return Err(Error::message("value stack underflow")),
                        });
                    }
                }
            }
        }
    }

    /// Reads from just after `<value>` up to its type: a whole scalar (and `</value>`), or
    /// the opening of an array or struct.
    pub(crate) fn value_head(&mut self, empty_value: bool) -> Result<Head, Error> {
        if empty_value {
            return Ok(Head::Scalar(Scalar::String(String::new())));
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.clear();
        loop {
            match self.step(Some(&mut pending))? {
                Step::Text { .. } => {
                    if pending.len() > self.limits.max_string_len {
                        return Err(self.string_too_long());
                    }
                }
                Step::End(Tag::Value) => return Ok(Head::Scalar(Scalar::String(pending))),
                step @ (Step::Start(tag) | Step::Empty(tag)) => {
                    if !is_blank(&pending) {
                        return Err(self.unexpected_text(
                            "a type element or text alone",
                            "text beside a type element",
                        ));
                    }
                    self.pending = pending;
                    let head = self.typed_value(tag, matches!(step, Step::Empty(_)))?;
                    if let Head::Scalar(_) = head {
                        self.expect_end(Tag::Value)?;
                    }
                    return Ok(head);
                }
                other => return Err(self.unexpected("a value", other)),
            }
        }
    }

    fn typed_value(&mut self, tag: Tag, empty: bool) -> Result<Head, Error> {
        let scalar = match tag {
            Tag::Array => {
                self.enter()?;
                if empty {
                    return Ok(Head::Array(ArrayState::ValueEnd));
                }
                return Ok(Head::Array(match self.next_mark("<data>")? {
                    Step::Start(Tag::Data) => ArrayState::Items,
                    Step::Empty(Tag::Data) => ArrayState::ArrayEnd,
                    Step::End(Tag::Array) => ArrayState::ValueEnd,
                    other => return Err(self.unexpected("<data> in <array>", other)),
                }));
            }
            Tag::Struct => {
                self.enter()?;
                return Ok(Head::Struct(if empty {
                    StructState::ValueEnd
                } else {
                    StructState::Members
                }));
            }
            Tag::String if empty => Scalar::String(String::new()),
            Tag::String => {
                let mut s = String::new();
                self.read_text(&mut s, Tag::String, self.limits.max_string_len, "string")?;
                Scalar::String(s)
            }
            Tag::Base64 if empty => Scalar::Base64(Vec::new()),
            Tag::Base64 => self.read_base64()?,
            Tag::Nil => {
                if !empty {
                    let mut text = std::mem::take(&mut self.pending);
                    text.clear();
                    self.read_text(&mut text, Tag::Nil, 64, "nil")?;
                    let blank = is_blank(&text);
                    self.pending = text;
                    if !blank {
                        return Err(self.unexpected_text("<nil/>", "text inside <nil>"));
                    }
                }
                Scalar::Nil
            }
            Tag::Int | Tag::I8 | Tag::Boolean | Tag::Double | Tag::DateTime => {
                let mut text = std::mem::take(&mut self.pending);
                text.clear();
                if !empty {
                    self.read_text(&mut text, tag, MAX_SCALAR_TEXT, tag.name())?;
                }
                let parsed = parse_scalar(tag, text.trim_matches(XML_SPACE));
                let result = parsed.map_err(|reason| {
                    self.error(ErrorCode::InvalidScalar {
                        ty: tag.name(),
                        text: text.chars().take(64).collect(),
                        reason,
                    })
                });
                self.pending = text;
                result?
            }
            other => {
                return Err(self.unexpected(
                    "a type element such as <int> or <string>",
                    Step::Start(other),
                ))
            }
        };
        Ok(Head::Scalar(scalar))
    }

    fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.error(ErrorCode::Limit {
                what: "nesting depth of arrays and structs",
                limit: self.limits.max_depth as u64,
            }));
        }
        Ok(())
    }

    /// Opens the next array item (`Some(empty)`), or closes the array (`None`).
    pub(crate) fn array_next(&mut self, state: &mut ArrayState) -> Result<Option<bool>, Error> {
        match *state {
            ArrayState::Items => match self.next_mark("<value> or </data>")? {
                Step::Start(Tag::Value) => return Ok(Some(false)),
                Step::Empty(Tag::Value) => return Ok(Some(true)),
                Step::End(Tag::Data) => {
                    self.expect_end(Tag::Array)?;
                    self.expect_end(Tag::Value)?;
                }
                other => return Err(self.unexpected("<value> or </data>", other)),
            },
            ArrayState::ArrayEnd => {
                self.expect_end(Tag::Array)?;
                self.expect_end(Tag::Value)?;
            }
            ArrayState::ValueEnd => self.expect_end(Tag::Value)?,
            ArrayState::Done => return Ok(None),
        }
        *state = ArrayState::Done;
        self.depth -= 1;
        Ok(None)
    }

    /// Opens the next struct member, or closes the struct (`None`).
    pub(crate) fn struct_next(
        &mut self,
        state: &mut StructState,
    ) -> Result<Option<MemberStart>, Error> {
        match *state {
            StructState::Members => match self.next_mark("<member> or </struct>")? {
                Step::Start(Tag::Member) => return self.member_start().map(Some),
                Step::End(Tag::Struct) => self.expect_end(Tag::Value)?,
                other => return Err(self.unexpected("<member> or </struct>", other)),
            },
            StructState::ValueEnd => self.expect_end(Tag::Value)?,
            StructState::Done => return Ok(None),
        }
        *state = StructState::Done;
        self.depth -= 1;
        Ok(None)
    }

    fn member_start(&mut self) -> Result<MemberStart, Error> {
        match self.next_mark("<name> or <value>")? {
            step @ (Step::Start(Tag::Name) | Step::Empty(Tag::Name)) => {
                let name = self.member_name(step == Step::Empty(Tag::Name))?;
                let empty_value = match self.next_mark("<value>")? {
                    Step::Start(Tag::Value) => false,
                    Step::Empty(Tag::Value) => true,
                    other => return Err(self.unexpected("<value> in <member>", other)),
                };
                Ok(MemberStart::NameFirst { name, empty_value })
            }
            Step::Start(Tag::Value) => Ok(MemberStart::ValueFirst { empty_value: false }),
            Step::Empty(Tag::Value) => Ok(MemberStart::ValueFirst { empty_value: true }),
            other => Err(self.unexpected("<name> or <value> in <member>", other)),
        }
    }

    fn member_name(&mut self, empty: bool) -> Result<String, Error> {
        let mut name = String::new();
        if !empty {
            self.read_text(
                &mut name,
                Tag::Name,
                self.limits.max_string_len,
                "member name",
            )?;
        }
        Ok(name)
    }

    /// For a member whose value came first: reads `<name>` and `</member>`.
    pub(crate) fn member_name_after_value(&mut self) -> Result<String, Error> {
        let name = match self.next_mark("<name>")? {
            step @ (Step::Start(Tag::Name) | Step::Empty(Tag::Name)) => {
                self.member_name(step == Step::Empty(Tag::Name))?
            }
            other => return Err(self.unexpected("<name> in <member>", other)),
        };
        self.expect_end(Tag::Member)?;
        Ok(name)
    }

    /// Closes a member whose name came first.
    pub(crate) fn member_end(&mut self) -> Result<(), Error> {
        self.expect_end(Tag::Member)
    }

    /// Reads a `<base64>` text node, decoding it as it streams past: into memory, or,
    /// when spooling is on, into a spool that moves to a file past its threshold.
    fn read_base64(&mut self) -> Result<Scalar, Error> {
        let Some(settings) = self.spool.clone() else {
            let mut decoder = base64::Decoder::new(self.limits.max_base64_len);
            self.decode_base64(&mut decoder, None)?;
            return decoder
                .finish()
                .map(Scalar::Base64)
                .map_err(|e| self.base64_error(e));
        };
        let mut spool = Spool::new(&settings);
        let mut decoder = base64::Decoder::new(usize::MAX);
        self.decode_base64(&mut decoder, Some(&mut |bytes| spool.write(bytes)))?;
        let rest = decoder.finish().map_err(|e| self.base64_error(e))?;
        let blob = spool
            .write(&rest)
            .and_then(|()| spool.finish())
            .map_err(|e| self.io_error(e))?;
        Ok(match blob.into_memory() {
            Ok(bytes) => Scalar::Base64(bytes),
            Err(blob) => Scalar::Spooled(blob),
        })
    }

    /// Feeds the text of a `<base64>` element to `decoder` up to `</base64>`, passing the
    /// bytes decoded so far to `drain`, if given, after each piece (the decoder then
    /// forgets them; without a drain it keeps them all).
    fn decode_base64(
        &mut self,
        decoder: &mut base64::Decoder,
        mut drain: Option<Drain<'_>>,
    ) -> Result<(), Error> {
        enum RawError {
            Io(std::io::Error),
            /// The error, and where in the raw text (from the start of the piece handed
            /// over) its first character that is not base64 stands.
            Decode(DecodeError, u64),
        }
        let start = self.source.offset();
        let mut read: u64 = 0;
        // The bulk of the text, straight from the input up to the first markup or reference.
        let raw = self.source.with_raw(|input| loop {
            let buf = match input.fill_buf() {
                Ok(buf) => buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(RawError::Io(e)),
            };
            if buf.is_empty() {
                return Ok(());
            }
            let (len, stop) = match memchr::memchr2(b'<', b'&', buf) {
                Some(at) => (at, true),
                None => (buf.len(), false),
            };
            if let Err(e) = decoder.feed(&buf[..len]) {
                let bad = buf[..len]
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b"+/=\r\n\t ".contains(&b)))
                    .unwrap_or(0);
                return Err(RawError::Decode(e, read + bad as u64));
            }
            input.consume(len);
            read += len as u64;
            if let Some(drain) = drain.as_deref_mut() {
                decoder.drain(drain).map_err(RawError::Io)?;
            }
            if stop {
                return Ok(());
            }
        });
        match raw {
            Ok(()) => {}
            Err(RawError::Io(e)) => return Err(self.io_error(e)),
            Err(RawError::Decode(e, at)) => {
                // Point at the bad character, not wherever the reader stopped.
                let error = self.base64_error(e);
                return Err(match self.source.input() {
                    Some(input) => error.relocate(start + at, Some(input)),
                    None => error,
                });
            }
        }
        // Whatever follows (comments, CDATA, references, more text) comes as events.
        let mut text = std::mem::take(&mut self.pending);
        let result = loop {
            text.clear();
            match self.step(Some(&mut text)) {
                Ok(Step::Text { .. }) => {
                    if let Err(e) = decoder.feed(text.as_bytes()) {
                        break Err(self.base64_error(e));
                    }
                    if let Some(drain) = drain.as_deref_mut() {
                        if let Err(e) = decoder.drain(drain) {
                            break Err(self.io_error(e));
                        }
                    }
                }
                Ok(Step::End(Tag::Base64)) => break Ok(()),
                Ok(other) => break Err(self.unexpected("base64 text or </base64>", other)),
                Err(e) => break Err(e),
            }
        };
        self.pending = text;
        result
    }

    /// A spooled base64 value in memory, for a consumer that wants bytes, within the
    /// in-memory base64 limit.
    pub(crate) fn load_spooled(&self, blob: &Blob) -> Result<Vec<u8>, Error> {
        let limit = self.limits.max_base64_len;
        if blob.len() > limit as u64 {
            return Err(self.error(ErrorCode::Limit {
                what: "base64 value (decoded bytes) held in memory; receive it as a Blob to stream it to a file",
                limit: limit as u64,
            }));
        }
        blob.to_vec().map_err(|e| self.io_error(e))
    }

    // ----- events ----------------------------------------------------------------------

    /// Reads character data up to `</close>` into `out`; any element inside is an error.
    fn read_text(
        &mut self,
        out: &mut String,
        close: Tag,
        max: usize,
        what: &'static str,
    ) -> Result<(), Error> {
        loop {
            match self.step(Some(out))? {
                Step::Text { .. } => {
                    if out.len() > max {
                        return Err(self.error(ErrorCode::Limit {
                            what: if what == "string" {
                                "string length (bytes)"
                            } else {
                                "text length (bytes)"
                            },
                            limit: max as u64,
                        }));
                    }
                }
                Step::End(tag) if tag == close => return Ok(()),
                other => return Err(self.unexpected(what_text(what), other)),
            }
        }
    }

    /// The next element boundary, skipping whitespace; other text is an error.
    fn next_mark(&mut self, expected: &'static str) -> Result<Step, Error> {
        loop {
            match self.step(None)? {
                Step::Text { blank: true } => continue,
                Step::Text { blank: false } => return Err(self.unexpected_text(expected, "text")),
                step => return Ok(step),
            }
        }
    }

    fn expect_end(&mut self, tag: Tag) -> Result<(), Error> {
        match self.next_mark(end_name(tag))? {
            Step::End(t) if t == tag => Ok(()),
            other => Err(self.unexpected(end_name(tag), other)),
        }
    }

    /// One event: element boundaries come back as they are; character data is appended to
    /// `out` when given (normalized and checked), or only checked for being blank.
    /// Comments, processing instructions and the XML declaration are skipped; a DOCTYPE is
    /// refused.
    fn step(&mut self, mut out: Option<&mut String>) -> Result<Step, Error> {
        let result: Result<Step, ErrorCode> = loop {
            break match self.source.next_token(&mut self.other_name)? {
                Token::Skip => continue,
                Token::Start(tag, false) => Ok(Step::Start(tag)),
                Token::Start(tag, true) => Ok(Step::Empty(tag)),
                Token::End(tag) => return Ok(Step::End(tag)),
                Token::Text(t) => match out.as_deref_mut() {
                    Some(buf) => push_text(buf, &t).map(|()| Step::Text { blank: false }),
                    None => Ok(Step::Text {
                        blank: is_blank(&t),
                    }),
                },
                Token::CData(t) => match out.as_deref_mut() {
                    Some(buf) => push_text(buf, &t).map(|()| Step::Text { blank: false }),
                    None => Ok(Step::Text {
                        blank: t.is_empty(),
                    }),
                },
                Token::Ref(r) => resolve_ref(&r).map(|c| {
                    if let Some(buf) = out.as_deref_mut() {
                        buf.push(c);
                    }
                    Step::Text {
                        blank: XML_SPACE.contains(&c),
                    }
                }),
                Token::DocType => Err(ErrorCode::Doctype),
                Token::Eof => return Ok(Step::Eof),
            };
        };
        match result {
            Ok(step @ (Step::Start(_) | Step::Empty(_))) => {
                self.elements += 1;
                if self.elements > self.limits.max_elements {
                    return Err(self.error(ErrorCode::Limit {
                        what: "number of elements",
                        limit: self.limits.max_elements,
                    }));
                }
                Ok(step)
            }
            Ok(step) => Ok(step),
            Err(code) => Err(self.error(code)),
        }
    }

    // ----- errors ----------------------------------------------------------------------

    fn error(&self, code: ErrorCode) -> Error {
        self.source.error(code)
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        self.error(ErrorCode::Io(e))
    }

    fn base64_error(&self, e: DecodeError) -> Error {
        match e {
            DecodeError::Invalid(reason) => self.error(ErrorCode::InvalidScalar {
                ty: "base64",
                text: String::new(),
                reason,
            }),
            DecodeError::TooLong(limit) => self.error(ErrorCode::Limit {
                what: "base64 value (decoded bytes)",
                limit: limit as u64,
            }),
        }
    }

    fn string_too_long(&self) -> Error {
        self.error(ErrorCode::Limit {
            what: "string length (bytes)",
            limit: self.limits.max_string_len as u64,
        })
    }

    fn unexpected(&self, expected: &'static str, found: Step) -> Error {
        let found = match found {
            Step::Start(Tag::Other) | Step::Empty(Tag::Other) => format!("<{}>", self.other_name),
            Step::Start(t) => format!("<{}>", t.name()),
            Step::Empty(t) => format!("<{}/>", t.name()),
            Step::End(Tag::Other) => "an end tag of an unknown element".to_owned(),
            Step::End(t) => format!("</{}>", t.name()),
            Step::Text { .. } => "text".to_owned(),
            Step::Eof => return self.error(ErrorCode::UnexpectedEof(expected)),
        };
        self.error(ErrorCode::Unexpected { expected, found })
    }

    fn unexpected_text(&self, expected: &'static str, found: &str) -> Error {
        self.error(ErrorCode::Unexpected {
            expected,
            found: found.to_owned(),
        })
    }
}

/// The longest text an `<int>`, `<double>`, `<boolean>` or date may hold: room for any
/// double written in full without an exponent, even as its exact decimal expansion
/// (`printf("%.1074f", 5e-324)` takes 1,076 characters), plus whitespace.
const MAX_SCALAR_TEXT: usize = 1280;

/// XML's whitespace characters.
const XML_SPACE: &[char] = &[' ', '\t', '\n', '\r'];

fn is_blank(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

fn end_name(tag: Tag) -> &'static str {
    match tag {
        Tag::Value => "</value>",
        Tag::Param => "</param>",
        Tag::Member => "</member>",
        Tag::Array => "</array>",
        Tag::Fault => "</fault>",
        Tag::MethodCall => "</methodCall>",
        Tag::MethodResponse => "</methodResponse>",
        _ => "an end tag",
    }
}

fn what_text(what: &'static str) -> &'static str {
    match what {
        "string" => "string text",
        "method name" => "method name text",
        "member name" => "member name text",
        _ => "text",
    }
}

/// Appends character data with XML's line-end normalization (`\r\n` and `\r` become `\n`),
/// refusing the characters XML does not allow: control characters other than tab, CR and
/// LF, and the noncharacters U+FFFE and U+FFFF (UTF-8 `EF BF BE`, `EF BF BF`).
fn push_text(out: &mut String, raw: &str) -> Result<(), ErrorCode> {
    let bytes = raw.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while let Some(off) = bytes[i..]
        .iter()
        .position(|&b| (b < 0x20 && b != b'\t' && b != b'\n') || b == 0xEF)
    {
        let at = i + off;
        match bytes[at] {
            b'\r' => {
                out.push_str(&raw[start..at]);
                out.push('\n');
                i = at + 1;
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                start = i;
            }
            0xEF => {
                if let Some([0xBF, last @ (0xBE | 0xBF)]) = bytes.get(at + 1..at + 3) {
                    return Err(ErrorCode::ForbiddenChar(0xFF00 | u32::from(*last)));
                }
                i = at + 1;
            }
            other => return Err(ErrorCode::ForbiddenChar(other.into())),
        }
    }
    out.push_str(&raw[start..]);
    Ok(())
}

/// Resolves `&name;` or `&#N;`: the five predefined entities and character references to
/// characters XML allows. Anything else is refused, never looked up.
fn resolve_ref(name: &str) -> Result<char, ErrorCode> {
    match name {
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "amp" => return Ok('&'),
        "quot" => return Ok('"'),
        "apos" => return Ok('\''),
        _ => {}
    }
    let Some(number) = name.strip_prefix('#') else {
        return Err(ErrorCode::UnknownEntity(name.chars().take(64).collect()));
    };
    let code = match number.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => number.parse::<u32>(),
    };
    match code
        .ok()
        .filter(|_| !number.starts_with(['+', '-']) && !number.starts_with("x+"))
        .and_then(char::from_u32)
    {
        Some(c) if is_xml_char(c) => Ok(c),
        Some(c) => Err(ErrorCode::ForbiddenChar(c.into())),
        None => Err(ErrorCode::InvalidCharRef(name.chars().take(64).collect())),
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

fn parse_scalar(tag: Tag, text: &str) -> Result<Scalar, String> {
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
        Tag::Double => text
            .parse::<f64>()
            .map(Scalar::Double)
            .map_err(|_| "not a number".into()),
        Tag::DateTime => text
            .parse::<DateTime>()
            .map(Scalar::DateTime)
            .map_err(|e| e.to_string()),
        _ => Err("not a scalar type".into()),
    }
}

/// A `Fault` from the value inside `<fault>`; lenient about the code's type.
fn fault_from_value(value: &Value) -> Option<Fault> {
    let code = match value.get("faultCode")? {
        Value::Int(i) => *i,
        Value::I8(i) => i32::try_from(*i).ok()?,
        Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    let string = match value.get("faultString") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Nil) | None => String::new(),
        Some(other) => format!("{other:?}"),
    };
    Some(Fault::new(code, string))
}
