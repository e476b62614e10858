//! A small XML lexer for whole documents in memory: the fast path of the reader. It checks
//! UTF-8 once for the whole input, then finds markup with `memchr` and hands out borrowed
//! tokens. It skips the XML declaration, comments and processing instructions, checks that
//! end tags match, and reports (never expands) DOCTYPEs. Streams use quick-xml instead; the
//! two agree on every document, which the fuzz targets check.

use super::tag::Tag;

/// One piece of XML, borrowed from the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Raw<'a> {
    /// A start tag (`empty` for `<name/>`), with its full (possibly prefixed) name and
    /// what XML-RPC element that is.
    Start {
        name: &'a [u8],
        tag: Tag,
        empty: bool,
    },
    /// An end tag (checked to match its start tag, whose `Tag` it repeats).
    End { tag: Tag },
    /// Character data between markup, as written (no references inside).
    Text(&'a str),
    /// A reference `&name;` or `&#N;`: what stands between `&` and `;`.
    Ref(&'a str),
    /// The content of a CDATA section.
    CData(&'a str),
    /// A `<!DOCTYPE ...>` (the reader refuses it).
    DocType,
    /// The end of the input.
    Eof,
}

/// Why the lexer stopped, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// The lexer over a whole document.
pub(crate) struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// The elements open, innermost last, to match end tags against; `true` when the name
    /// holds only [`is_plain_name`] bytes (so it holds no `>`, and the end tag's fast path
    /// may match it by prefix).
    open: Vec<(&'a [u8], Tag, bool)>,
}

/// The bytes of the names XML-RPC documents use (`value`, `ex:i8`, `dateTime.iso8601`): the
/// lexer's fast paths take a tag made of these alone; anything else goes the general way.
#[inline]
fn is_plain_name(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b':' | b'.' | b'_' | b'-')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Where `needle` first occurs in `hay`, for the short runs searched on every document (the
/// XML declaration): `memchr` for its first byte, then a comparison. `memmem::find` builds a
/// searcher on each call, which costs more than these searches (about 230 instructions a
/// call, 2 calls a request: a profile of the server's `add` showed it).
pub(crate) fn find_short(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    memchr::memchr_iter(first, hay).find(|&at| hay[at + 1..].starts_with(rest))
}

impl<'a> Lexer<'a> {
    /// Checks that `input` is UTF-8 and skips a byte-order mark.
    pub(crate) fn new(input: &'a [u8]) -> Result<Self, LexError> {
        let text = std::str::from_utf8(input).map_err(|e| LexError {
            offset: e.valid_up_to(),
            message: "the document is not valid UTF-8".into(),
        })?;
        let pos = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        Ok(Lexer {
            text,
            pos,
            open: Vec::with_capacity(16),
        })
    }

    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// The input not yet consumed.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.pos..).unwrap_or_default()
    }

    /// Skips `n` bytes of raw text (read by the caller through [`rest`](Self::rest)).
    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.text.len());
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> LexError {
        LexError {
            offset,
            message: message.into(),
        }
    }

    fn slice(&self, from: usize, to: usize) -> Result<&'a str, LexError> {
        self.text
            .get(from..to)
            .ok_or_else(|| self.error(from, "markup splits a character"))
    }

    /// The next token.
    #[inline]
    pub(crate) fn next_token(&mut self) -> Result<Raw<'a>, LexError> {
        loop {
            let bytes = self.text.as_bytes();
            let start = self.pos;
            let Some(&first) = bytes.get(start) else {
                return Ok(Raw::Eof);
            };
            if first == b'&' {
                return self.reference(start);
            }
            if first != b'<' {
                let end =
                    memchr::memchr2(b'<', b'&', &bytes[start..]).map_or(bytes.len(), |n| start + n);
                self.pos = end;
                return Ok(Raw::Text(self.slice(start, end)?));
            }
            match bytes.get(start + 1) {
                Some(b'/') => return self.end_tag(start),
                Some(b'!') => {
                    if let Some(token) = self.bang(start)? {
                        return Ok(token);
                    }
                }
                Some(b'?') => {
                    // A processing instruction needs a target: `<?>` starts none (quick-xml,
                    // the stream reader, refuses it too).
                    if bytes.get(start + 2) == Some(&b'>') {
                        return Err(self.error(start, "a processing instruction without a target"));
                    }
                    let close = find_short(&bytes[start + 2..], b"?>")
                        .ok_or_else(|| self.error(start, "unclosed processing instruction"))?;
                    self.pos = start + 2 + close + 2;
                }
                Some(_) => return self.start_tag(start),
                None => return Err(self.error(start, "the input ends inside markup")),
            }
        }
    }

    fn reference(&mut self, start: usize) -> Result<Raw<'a>, LexError> {
        let bytes = self.text.as_bytes();
        let body = &bytes[start + 1..];
        let semi = memchr::memchr3(b';', b'<', b'&', body)
            .filter(|&n| body[n] == b';')
            .ok_or_else(|| {
                self.error(start, "a `&` that does not start a reference (write &amp;)")
            })?;
        let name = &body[..semi];
        if name.is_empty() || name.iter().any(|&b| is_space(b)) {
            return Err(self.error(start, "a `&` that does not start a reference (write &amp;)"));
        }
        self.pos = start + 1 + semi + 1;
        Ok(Raw::Ref(self.slice(start + 1, start + 1 + semi)?))
    }

    #[inline]
    fn start_tag(&mut self, start: usize) -> Result<Raw<'a>, LexError> {
        let bytes = self.text.as_bytes();
        // The fast path: `<name>` or `<name/>` with a plain name, no attributes. It gives
        // what the general path below gives for such a tag.
        let mut end = start + 1;
        while bytes.get(end).is_some_and(|&b| is_plain_name(b)) {
            end += 1;
        }
        if end > start + 1 {
            let empty = match bytes.get(end..end + 2) {
                Some([b'>', ..]) => Some(false),
                Some([b'/', b'>']) => Some(true),
                _ => None,
            };
            if let Some(empty) = empty {
                let name = &bytes[start + 1..end];
                let tag = Tag::classify(name);
                self.pos = end + 1 + usize::from(empty);
                if !empty {
                    self.open.push((name, tag, true));
                }
                return Ok(Raw::Start { name, tag, empty });
            }
        }
        self.start_tag_general(start)
    }

    #[cold]
    fn start_tag_general(&mut self, start: usize) -> Result<Raw<'a>, LexError> {
        let bytes = self.text.as_bytes();
        // The tag ends at the first `>` outside a quoted attribute value.
        let mut at = start + 1;
        let gt = loop {
            let found = memchr::memchr3(b'>', b'"', b'\'', &bytes[at..])
                .ok_or_else(|| self.error(start, "unclosed start tag"))?;
            let i = at + found;
            match bytes[i] {
                b'>' => break i,
                quote => {
                    let close = memchr::memchr(quote, &bytes[i + 1..])
                        .ok_or_else(|| self.error(start, "unclosed attribute value"))?;
                    at = i + 1 + close + 1;
                }
            }
        };
        let empty = bytes[gt - 1] == b'/' && gt - 1 > start;
        let inner = &bytes[start + 1..if empty { gt - 1 } else { gt }];
        let name_len = inner
            .iter()
            .position(|&b| is_space(b) || b == b'/')
            .unwrap_or(inner.len());
        let name = &inner[..name_len];
        // XML allows no `<` anywhere in a tag (its name included), and a `/` only right
        // before the closing `>`.
        if name.is_empty()
            || memchr::memchr(b'<', inner).is_some()
            || inner.get(name_len) == Some(&b'/')
        {
            return Err(self.error(start, "malformed start tag"));
        }
        self.pos = gt + 1;
        let tag = Tag::classify(name);
        if !empty {
            let plain = name.iter().all(|&b| is_plain_name(b));
            self.open.push((name, tag, plain));
        }
        Ok(Raw::Start { name, tag, empty })
    }

    #[inline]
    fn end_tag(&mut self, start: usize) -> Result<Raw<'a>, LexError> {
        let bytes = self.text.as_bytes();
        // The fast path: `</name>` closing a plain-named element. A plain name holds no `>`,
        // so the first `>` after `</` is the one right after it, as the general path finds.
        if let Some(&(open, tag, true)) = self.open.last() {
            let after = start + 2 + open.len();
            if bytes.get(after) == Some(&b'>') && bytes[start + 2..after] == *open {
                self.open.pop();
                self.pos = after + 1;
                return Ok(Raw::End { tag });
            }
        }
        self.end_tag_general(start)
    }

    #[cold]
    fn end_tag_general(&mut self, start: usize) -> Result<Raw<'a>, LexError> {
        let bytes = self.text.as_bytes();
        let gt = memchr::memchr(b'>', &bytes[start + 2..])
            .ok_or_else(|| self.error(start, "unclosed end tag"))?;
        let inner = &bytes[start + 2..start + 2 + gt];
        let name_len = inner
            .iter()
            .rposition(|&b| !is_space(b))
            .map_or(0, |i| i + 1);
        let name = &inner[..name_len];
        let tag = match self.open.pop() {
            Some((open, tag, _)) if open == name => tag,
            Some((open, _, _)) => {
                return Err(self.error(
                    start,
                    format!(
                        "end tag </{}> does not match start tag <{}>",
                        String::from_utf8_lossy(name),
                        String::from_utf8_lossy(open)
                    ),
                ))
            }
            None => {
                return Err(self.error(
                    start,
                    format!(
                        "end tag </{}> without a start tag",
                        String::from_utf8_lossy(name)
                    ),
                ))
            }
        };
        self.pos = start + 2 + gt + 1;
        Ok(Raw::End { tag })
    }

    /// `<!--`, `<![CDATA[` or `<!DOCTYPE`; comments give `None` (skipped).
    fn bang(&mut self, start: usize) -> Result<Option<Raw<'a>>, LexError> {
        let bytes = self.text.as_bytes();
        let rest = &bytes[start..];
        if rest.starts_with(b"<!--") {
            let close = memchr::memmem::find(&rest[4..], b"-->")
                .ok_or_else(|| self.error(start, "unclosed comment"))?;
            self.pos = start + 4 + close + 3;
            return Ok(None);
        }
        if rest.starts_with(b"<![CDATA[") {
            let close = memchr::memmem::find(&rest[9..], b"]]>")
                .ok_or_else(|| self.error(start, "unclosed CDATA section"))?;
            self.pos = start + 9 + close + 3;
            return Ok(Some(Raw::CData(self.slice(start + 9, start + 9 + close)?)));
        }
        if rest.len() >= 9 && rest[2..9].eq_ignore_ascii_case(b"DOCTYPE") {
            // Never read, never expanded: the reader refuses the document here.
            self.pos = self.text.len();
            return Ok(Some(Raw::DocType));
        }
        Err(self.error(start, "unknown markup after `<!`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(input: &str) -> Result<Vec<Raw<'_>>, LexError> {
        let mut lexer = Lexer::new(input.as_bytes())?;
        let mut out = Vec::new();
        for _ in 0..1000 {
            match lexer.next_token()? {
                Raw::Eof => return Ok(out),
                t => out.push(t),
            }
        }
        panic!("the lexer does not advance on {input:?}");
    }

    #[test]
    fn short_searches_find_the_first_match() {
        assert_eq!(find_short(b"version='1.0'?>", b"?>"), Some(13));
        assert_eq!(find_short(b"a?b??>", b"?>"), Some(4));
        assert_eq!(find_short(b"?", b"?>"), None);
        assert_eq!(find_short(b"", b"?>"), None);
        assert_eq!(find_short(b" encodin encoding=", b"encoding"), Some(9));
        assert_eq!(find_short(b"abc", b""), None);
    }

    #[test]
    fn splits_a_document() {
        let t = tokens("\u{FEFF}<?xml version='1.0'?><!-- c --><a x='>' y=\"'\"><b/>t&amp;u<![CDATA[<&>]]></a >").unwrap();
        assert_eq!(
            t,
            [
                Raw::Start {
                    name: b"a",
                    tag: Tag::Other,
                    empty: false
                },
                Raw::Start {
                    name: b"b",
                    tag: Tag::Other,
                    empty: true
                },
                Raw::Text("t"),
                Raw::Ref("amp"),
                Raw::Text("u"),
                Raw::CData("<&>"),
                Raw::End { tag: Tag::Other },
            ]
        );
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for bad in [
            "<a></b>",
            "</a>",
            "<a",
            "<a x='1>",
            "a & b",
            "&;",
            "<!-- x",
            "<![CDATA[x",
            "<!ELEMENT a>",
            "<",
            "<?pi",
        ] {
            assert!(tokens(bad).is_err(), "{bad} was accepted");
        }
        assert!(Lexer::new(b"<a>\xff</a>").is_err());
        assert_eq!(tokens("<!DOCTYPE x>").unwrap(), [Raw::DocType]);
    }
}
