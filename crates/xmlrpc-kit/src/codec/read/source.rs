//! Where the reader's XML comes from, as classified tokens: a slice in memory (our own
//! lexer: borrowed tokens, UTF-8 checked once) or any `BufRead` (quick-xml, events copied
//! into one reused buffer, with limits enforced as bytes arrive).

use super::encoding::{self, Transcoder};
use super::lexer::{Lexer, Raw};
use super::tag::Tag;
use crate::codec::limits::Limits;
use crate::error::{Error, ErrorCode};
use quick_xml::events::Event;
use std::borrow::Cow;
use std::io::{self, BufRead, Cursor, Read};

/// One step of a document, with element names already classified.
#[derive(Debug)]
pub(crate) enum Token<'a> {
    /// A start tag; `true` for a self-closed `<name/>`.
    Start(Tag, bool),
    /// An end tag.
    End(Tag),
    /// Character data as written (no references inside).
    Text(Cow<'a, str>),
    /// The inside of a reference `&...;`.
    Ref(Cow<'a, str>),
    /// The content of a CDATA section.
    CData(Cow<'a, str>),
    /// A `<!DOCTYPE>`, which the reader refuses.
    DocType,
    /// A comment, processing instruction or declaration from a stream: nothing to read.
    Skip,
    /// The end of the input.
    Eof,
}

/// The reader's input; one enum so the reader has one type whatever it reads.
pub(crate) enum Source<'a> {
    /// A whole UTF-8 document in memory.
    Slice { lexer: Lexer<'a>, input: &'a [u8] },
    /// A stream (or a transcoded document), read through a guard.
    Stream {
        xml: quick_xml::Reader<Guarded<Box<dyn BufRead + 'a>>>,
        buf: Vec<u8>,
    },
}

/// A quick-xml start tag as a token, refused as the lexer refuses it: quick-xml lets a `<`
/// inside a tag, or a `/` in a name, pass.
fn start_token(
    e: &quick_xml::events::BytesStart<'_>,
    empty: bool,
    other: &mut String,
) -> Result<Token<'static>, ErrorCode> {
    let content: &str = e;
    let name = e.name();
    let name = name.as_ref().as_bytes();
    if content.contains('<') || name.contains(&b'/') {
        return Err(ErrorCode::XmlText("malformed start tag".into()));
    }
    Ok(Token::Start(
        note_other(Tag::classify(name), name, other),
        empty,
    ))
}

/// The name of the last element that XML-RPC does not know, for error messages.
fn note_other(tag: Tag, name: &[u8], other: &mut String) -> Tag {
    if tag == Tag::Other {
        other.clear();
        other.extend(String::from_utf8_lossy(name).chars().take(64));
    }
    tag
}

impl<'a> Source<'a> {
    pub(crate) fn from_slice(input: &'a [u8]) -> Result<Self, Error> {
        let head = &input[..input.len().min(encoding::SNIFF_LEN)];
        match encoding::sniff(head)? {
            None => match Lexer::new(input) {
                Ok(lexer) => Ok(Source::Slice { lexer, input }),
                Err(e) => {
                    Err(Error::new(ErrorCode::XmlText(e.message)).at(e.offset as u64, Some(input)))
                }
            },
            Some(foreign) => {
                let utf8 = encoding::transcode(input, foreign)?;
                Ok(Self::stream(Box::new(Cursor::new(utf8))))
            }
        }
    }

    pub(crate) fn from_reader<R: BufRead + 'a>(mut reader: R) -> Result<Self, Error> {
        let mut head = Vec::with_capacity(encoding::SNIFF_LEN);
        (&mut reader)
            .take(encoding::SNIFF_LEN as u64)
            .read_to_end(&mut head)?;
        let foreign = encoding::sniff(&head)?;
        let whole = Cursor::new(head).chain(reader);
        Ok(match foreign {
            None => Self::stream(Box::new(whole)),
            Some(f) => Self::stream(Box::new(Transcoder::new(whole, f))),
        })
    }

    fn stream(inner: Box<dyn BufRead + 'a>) -> Self {
        let guarded = Guarded {
            inner,
            consumed: 0,
            max_document: Limits::DEFAULT_MAX_DOCUMENT_SIZE,
            token_start: 0,
            max_token: token_limit(&Limits::default()),
        };
        Source::Stream {
            xml: configure(quick_xml::Reader::from_reader(guarded)),
            buf: Vec::new(),
        }
    }

    /// Applies the limits that the input itself enforces.
    pub(crate) fn set_limits(&mut self, limits: &Limits) {
        if let Source::Stream { xml, .. } = self {
            let guard = xml.get_mut();
            guard.max_document = limits.max_document_size;
            guard.max_token = token_limit(limits);
        }
    }

    /// The whole input, when it is in memory (for line and column in errors).
    pub(crate) fn input(&self) -> Option<&[u8]> {
        match self {
            Source::Slice { input, .. } => Some(input),
            Source::Stream { .. } => None,
        }
    }

    /// Bytes of input consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        match self {
            Source::Slice { lexer, .. } => lexer.offset() as u64,
            Source::Stream { xml, .. } => xml.buffer_position(),
        }
    }

    /// An error at the current position.
    pub(crate) fn error(&self, code: ErrorCode) -> Error {
        Error::new(code).at(self.offset(), self.input())
    }

    /// The next token; `other` receives the name of an element XML-RPC does not know.
    #[inline]
    pub(crate) fn next_token(&mut self, other: &mut String) -> Result<Token<'_>, Error> {
        match self {
            Source::Slice { lexer, input } => {
                let raw = match lexer.next_token() {
                    Ok(raw) => raw,
                    Err(e) => {
                        return Err(Error::new(ErrorCode::XmlText(e.message))
                            .at(e.offset as u64, Some(input)))
                    }
                };
                Ok(match raw {
                    Raw::Start { name, tag, empty } => {
                        Token::Start(note_other(tag, name, other), empty)
                    }
                    Raw::End { tag } => Token::End(tag),
                    Raw::Text(t) => Token::Text(Cow::Borrowed(t)),
                    Raw::Ref(r) => Token::Ref(Cow::Borrowed(r)),
                    Raw::CData(t) => Token::CData(Cow::Borrowed(t)),
                    Raw::DocType => Token::DocType,
                    Raw::Eof => Token::Eof,
                })
            }
            Source::Stream { xml, buf } => {
                buf.clear();
                xml.get_mut().start_token();
                let event = match xml.read_event_into(buf) {
                    Ok(event) => event,
                    Err(e) => return Err(xml_error(e).at(xml.error_position(), None)),
                };
                Ok(match event {
                    Event::Start(e) => start_token(&e, false, other)
                        .map_err(|code| Error::new(code).at(xml.buffer_position(), None))?,
                    Event::Empty(e) => start_token(&e, true, other)
                        .map_err(|code| Error::new(code).at(xml.buffer_position(), None))?,
                    Event::End(e) => Token::End(Tag::classify(e.name().as_ref().as_bytes())),
                    Event::Text(t) => Token::Text(t.into_inner()),
                    Event::CData(t) => Token::CData(t.into_inner()),
                    Event::GeneralRef(r) => Token::Ref(r.into_inner()),
                    Event::DocType(_) => Token::DocType,
                    Event::Comment(_) | Event::PI(_) | Event::Decl(_) => Token::Skip,
                    Event::Eof => Token::Eof,
                })
            }
        }
    }

    /// Runs `f` over the raw bytes that follow the last event; what `f` consumes is skipped
    /// by the XML parser. Used to stream a base64 text node without holding it whole.
    pub(crate) fn with_raw<T>(&mut self, f: impl FnOnce(&mut dyn BufRead) -> T) -> T {
        match self {
            Source::Slice { lexer, .. } => {
                let mut rest = lexer.rest();
                let before = rest.len();
                let out = f(&mut rest);
                lexer.advance(before - rest.len());
                out
            }
            Source::Stream { xml, .. } => {
                xml.get_mut().token_limit_off();
                let out = f(&mut xml.stream());
                xml.get_mut().start_token();
                out
            }
        }
    }
}

fn configure<R>(mut xml: quick_xml::Reader<R>) -> quick_xml::Reader<R> {
    let config = xml.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;
    config.check_comments = false;
    xml
}

/// The longest run of bytes a streaming reader may hold for one event: the longest string
/// or name, plus room for markup around it.
fn token_limit(limits: &Limits) -> u64 {
    const MARKUP_ROOM: u64 = 64 * 1024;
    (limits.max_string_len.max(limits.max_name_len) as u64).saturating_add(MARKUP_ROOM)
}

/// Turns a quick-xml error into ours, recognising the guard's limit errors.
fn xml_error(e: quick_xml::Error) -> Error {
    if let quick_xml::Error::Io(io) = &e {
        if let Some(hit) = io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<LimitHit>())
        {
            return Error::new(ErrorCode::Limit {
                what: hit.what,
                limit: hit.limit,
            });
        }
        if io.kind() == io::ErrorKind::InvalidData {
            return Error::new(ErrorCode::XmlText(io.to_string()));
        }
    }
    if let quick_xml::Error::Encoding(enc) = &e {
        return Error::new(ErrorCode::XmlText(format!("{enc}")));
    }
    Error::new(ErrorCode::Xml(e))
}

/// A limit reached while bytes were still arriving; travels inside an `io::Error`.
#[derive(Debug)]
struct LimitHit {
    what: &'static str,
    limit: u64,
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} exceeds the limit of {}", self.what, self.limit)
    }
}

impl std::error::Error for LimitHit {}

/// Counts what the parser consumes and refuses input past the document limit, or a single
/// event longer than the token limit, before it is buffered.
pub(crate) struct Guarded<R> {
    inner: R,
    consumed: u64,
    max_document: u64,
    token_start: u64,
    max_token: u64,
}

impl<R> Guarded<R> {
    fn start_token(&mut self) {
        self.token_start = self.consumed;
    }

    fn token_limit_off(&mut self) {
        self.token_start = u64::MAX;
    }
}

impl<R: BufRead> io::Read for Guarded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        encoding::read_buffered(self, buf)
    }
}

impl<R: BufRead> BufRead for Guarded<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.token_start != u64::MAX && self.consumed - self.token_start > self.max_token {
            return Err(io::Error::other(LimitHit {
                what: "a single run of text or markup (bytes)",
                limit: self.max_token,
            }));
        }
        let room = self.max_document.saturating_sub(self.consumed);
        let max_document = self.max_document;
        let buf = self.inner.fill_buf()?;
        if room == 0 && !buf.is_empty() {
            return Err(io::Error::other(LimitHit {
                what: "document size (bytes)",
                limit: max_document,
            }));
        }
        let n = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        Ok(&buf[..n])
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.consumed += amt as u64;
    }
}
