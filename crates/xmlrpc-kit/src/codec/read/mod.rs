//! The XML-RPC reader: a pull reader over a slice or a stream that checks XML events against
//! the XML-RPC grammar and the [`Limits`], and hands out the document one step at a time. It
//! knows nothing of serde: `crate::de` drives it for typed data, [`Reader::next_param`] and
//! the `read_*` methods build dynamic [`Value`]s.
//!
//! This file holds the document grammar (envelope, params, the end) and the event layer;
//! its neighbours hold the rest:
//!
//! - `source`: where the XML comes from (the slice lexer, or quick-xml over a stream);
//! - `lexer`: the slice lexer; `encoding`: BOMs, declared encodings, transcoding;
//!   `tag`: the element names XML-RPC knows;
//! - `value`: values (scalars, arrays, structs, members) and the dynamic `Value` builder;
//! - `spool`: `<base64>` text decoded as it streams past, into memory or a spool file;
//! - `text`: character data, line ends, references and the characters XML forbids;
//! - `scalar`: `<int>`, `<double>`, `<boolean>`, dates, and the fault struct.

mod deviation;
mod encoding;
#[cfg(any(feature = "server", feature = "client"))]
pub(crate) use encoding::read_buffered;
mod lexer;
mod scalar;
pub(crate) mod source;
mod spool;
mod tag;
mod text;
mod value;

pub use self::deviation::{Deviation, DeviationKind};
use self::scalar::fault_from_value;
use self::source::{Source, Token};
pub(crate) use self::tag::Tag;
use self::text::{is_blank, push_text, resolve_ref, XML_SPACE};
pub(crate) use self::value::{ArrayState, Head, MemberStart, Scalar, StructState};
use crate::codec::limits::Limits;
use crate::error::{Error, ErrorCode};
use crate::fault::Fault;
use crate::value::blob::SpoolSettings;
use crate::value::Value;
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
/// let (x, y): (i32, i64) = reader.read_params()?; // typed, through serde (`crate::de`)
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
    /// The deviations met so far.
    deviations: Vec<Deviation>,
    /// Whether a deviation is an error.
    strict: bool,
    /// The depth of a bare fault struct (one without `<value>` around it) being read.
    bare_struct: Option<usize>,
}

impl std::fmt::Debug for Reader<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("limits", &self.limits)
            .field("depth", &self.depth)
            .finish_non_exhaustive()
    }
}

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
pub(super) enum Step {
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
            deviations: Vec::new(),
            strict: false,
            bare_struct: None,
        }
    }

    /// Strict mode: any [`Deviation`] from the specification is an error that names it,
    /// instead of a note in [`deviations`](Self::deviations). Off by default.
    ///
    /// ```
    /// use xmlrpc_kit::codec::Reader;
    /// let xml = b"<methodResponse><params/></methodResponse>";
    /// let mut strict = Reader::from_slice(xml)?.with_strict(true);
    /// strict.read_envelope()?;
    /// let err = strict.read_result::<Option<i32>>().unwrap_err();
    /// assert!(err.to_string().contains("no-result"), "{err}");
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// The deviations from the specification met so far, in document order.
    ///
    /// ```
    /// use xmlrpc_kit::codec::{DeviationKind, Reader};
    /// let xml = b"<methodResponse><params><param><value><i2>7</i2></value></param></params></methodResponse>";
    /// let mut r = Reader::from_slice(xml)?;
    /// r.read_envelope()?;
    /// assert_eq!(r.read_result::<i32>()?, 7);
    /// assert_eq!(r.deviations()[0].kind, DeviationKind::ShortInt);
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn deviations(&self) -> &[Deviation] {
        &self.deviations
    }

    /// Takes the deviations met so far, leaving none.
    ///
    /// ```
    /// let mut r = xmlrpc_kit::codec::Reader::from_slice(b"<methodResponse><params/></methodResponse>")?;
    /// r.read_envelope()?;
    /// assert!(r.take_deviations().is_empty());
    /// # Ok::<(), xmlrpc_kit::Error>(())
    /// ```
    pub fn take_deviations(&mut self) -> Vec<Deviation> {
        std::mem::take(&mut self.deviations)
    }

    /// Notes a deviation here, or refuses it in strict mode.
    pub(crate) fn deviate(&mut self, kind: DeviationKind, detail: String) -> Result<(), Error> {
        let deviation = Deviation {
            kind,
            at: self.source.offset(),
            detail,
        };
        if self.strict {
            return Err(self.error(ErrorCode::Deviation(deviation)));
        }
        // Bounded by the element limit: at most one note per element.
        self.deviations.push(deviation);
        Ok(())
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
        let value = match self.next_mark("<value>")? {
            Step::Start(Tag::Value) => self.read_value(false)?,
            Step::Empty(Tag::Value) => self.read_value(true)?,
            step @ (Step::Start(Tag::Struct) | Step::Empty(Tag::Struct)) => {
                self.deviate(
                    DeviationKind::BareFault,
                    "<fault> holds a <struct> without <value>".into(),
                )?;
                self.bare_struct = Some(self.depth + 1);
                let head = self.typed_value(Tag::Struct, step == Step::Empty(Tag::Struct))?;
                self.read_value_from(head)?
            }
            other => return Err(self.unexpected("<value> in <fault>", other)),
        };
        let (fault, notes) = fault_from_value(&value).ok_or_else(|| {
            self.error(ErrorCode::Unexpected {
                expected: "a fault struct with a faultCode",
                found: format!("a {}", value.type_name()),
            })
        })?;
        for (kind, detail) in notes {
            self.deviate(kind, detail)?;
        }
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

    pub(crate) fn error(&self, code: ErrorCode) -> Error {
        self.source.error(code)
    }

    fn io_error(&self, e: std::io::Error) -> Error {
        self.error(ErrorCode::Io(e))
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
