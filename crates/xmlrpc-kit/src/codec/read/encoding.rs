//! Character encodings: finds the one a document declares (BOM or `<?xml encoding=...?>`)
//! and transcodes anything that is not UTF-8, whole or as a stream.

use super::lexer::find_short;
use crate::error::{Error, ErrorCode};
use encoding_rs::{Decoder, Encoding};
use std::io::{self, BufRead, Read};

/// The encoding a document is in, when it is not UTF-8.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Foreign {
    /// True ISO-8859-1: every byte is the code point of the same number. (encoding_rs maps
    /// the label to windows-1252, which differs in 0x80..=0x9F; expat, and so Python, does not.)
    Latin1,
    /// Anything else encoding_rs knows.
    Other(&'static Encoding),
}

impl Foreign {
    fn name(self) -> &'static str {
        match self {
            Foreign::Latin1 => "ISO-8859-1",
            Foreign::Other(e) => e.name(),
        }
    }
}

/// How many leading bytes [`sniff`] wants to see to find a declaration.
pub(crate) const SNIFF_LEN: usize = 256;

/// Finds a document's encoding from its first bytes; `None` means UTF-8 (or its subset ASCII).
pub(crate) fn sniff(prefix: &[u8]) -> Result<Option<Foreign>, Error> {
    match prefix {
        [0xEF, 0xBB, 0xBF, ..] => return Ok(None),
        [0xFF, 0xFE, ..] | [b'<', 0, b'?', 0, ..] => {
            return Ok(Some(Foreign::Other(encoding_rs::UTF_16LE)))
        }
        [0xFE, 0xFF, ..] | [0, b'<', 0, b'?', ..] => {
            return Ok(Some(Foreign::Other(encoding_rs::UTF_16BE)))
        }
        _ => {}
    }
    let Some(decl) = prefix.strip_prefix(b"<?xml") else {
        return Ok(None);
    };
    let end = find_short(decl, b"?>").unwrap_or(decl.len());
    let decl = &decl[..end];
    let Some(at) = find_short(decl, b"encoding") else {
        return Ok(None);
    };
    let rest = decl[at + b"encoding".len()..].trim_ascii_start();
    let Some(rest) = rest.strip_prefix(b"=") else {
        return Ok(None);
    };
    let rest = rest.trim_ascii_start();
    let Some((&quote, rest)) = rest
        .split_first()
        .filter(|(q, _)| matches!(q, b'"' | b'\''))
    else {
        return Ok(None);
    };
    let label = &rest[..memchr::memchr(quote, rest).unwrap_or(rest.len())];
    let lower = label.to_ascii_lowercase();
    match lower.as_slice() {
        b"utf-8" | b"utf8" | b"us-ascii" | b"ascii" => Ok(None),
        b"iso-8859-1" | b"iso8859-1" | b"iso_8859-1" | b"latin1" | b"latin-1" | b"l1" => {
            Ok(Some(Foreign::Latin1))
        }
        _ => match Encoding::for_label(label) {
            Some(e) if e == encoding_rs::UTF_8 => Ok(None),
            Some(e) => Ok(Some(Foreign::Other(e))),
            None => Err(Error::new(ErrorCode::UnsupportedEncoding(
                String::from_utf8_lossy(label).into_owned(),
            ))),
        },
    }
}

/// Transcodes a whole document to UTF-8.
pub(crate) fn transcode(input: &[u8], from: Foreign) -> Result<Vec<u8>, Error> {
    match from {
        Foreign::Latin1 => {
            let mut out = Vec::with_capacity(input.len() + input.len() / 8);
            latin1_to_utf8(input, &mut out);
            Ok(out)
        }
        Foreign::Other(encoding) => {
            let (text, _, malformed) = encoding.decode(input);
            if malformed {
                return Err(Error::new(ErrorCode::BadEncoding(from.name())));
            }
            Ok(text.into_owned().into_bytes())
        }
    }
}

fn latin1_to_utf8(input: &[u8], out: &mut Vec<u8>) {
    for &b in input {
        if b < 0x80 {
            out.push(b);
        } else {
            out.extend_from_slice(&[0xC0 | (b >> 6), 0x80 | (b & 0x3F)]);
        }
    }
}

/// A `BufRead` that transcodes another `BufRead` to UTF-8 as it goes.
pub(crate) struct Transcoder<R> {
    inner: R,
    from: Foreign,
    decoder: Option<Decoder>,
    out: Vec<u8>,
    pos: usize,
    done: bool,
}

const CHUNK: usize = 64 * 1024;

impl<R: BufRead> Transcoder<R> {
    pub(crate) fn new(inner: R, from: Foreign) -> Self {
        let decoder = match from {
            Foreign::Latin1 => None,
            Foreign::Other(e) => Some(e.new_decoder_with_bom_removal()),
        };
        Transcoder {
            inner,
            from,
            decoder,
            out: Vec::with_capacity(CHUNK * 3),
            pos: 0,
            done: false,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.pos = 0;
        while self.out.is_empty() && !self.done {
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let take = input.len().min(CHUNK);
            let used = match &mut self.decoder {
                None => {
                    latin1_to_utf8(&input[..take], &mut self.out);
                    take
                }
                Some(decoder) => {
                    let room = decoder
                        .max_utf8_buffer_length_without_replacement(take)
                        .unwrap_or(CHUNK * 3);
                    self.out.resize(room, 0);
                    let (result, read, written) = decoder.decode_to_utf8_without_replacement(
                        &input[..take],
                        &mut self.out,
                        last,
                    );
                    self.out.truncate(written);
                    if let encoding_rs::DecoderResult::Malformed(..) = result {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("the document is not valid {}", self.from.name()),
                        ));
                    }
                    read
                }
            };
            self.inner.consume(used);
            self.done = last;
        }
        Ok(())
    }
}

/// `Read::read` for a reader whose `BufRead` side does the work: copies what `fill_buf`
/// offers and consumes it. Every buffered reader of the crate reads through this.
pub(crate) fn read_buffered<R: BufRead + ?Sized>(
    reader: &mut R,
    buf: &mut [u8],
) -> io::Result<usize> {
    let available = reader.fill_buf()?;
    let n = available.len().min(buf.len());
    buf[..n].copy_from_slice(&available[..n]);
    reader.consume(n);
    Ok(n)
}

impl<R: BufRead> Read for Transcoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, buf)
    }
}

impl<R: BufRead> BufRead for Transcoder<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos >= self.out.len() {
            self.refill()?;
        }
        Ok(&self.out[self.pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.out.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_declared_and_bom_encodings() -> Result<(), Error> {
        assert_eq!(sniff(b"<?xml version='1.0'?><a/>")?, None);
        assert_eq!(sniff(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?, None);
        assert_eq!(
            sniff(b"<?xml version='1.0' encoding='iso-8859-1'?>")?,
            Some(Foreign::Latin1)
        );
        assert_eq!(
            sniff(b"<?xml version='1.0' encoding = \"windows-1251\" ?>")?,
            Some(Foreign::Other(encoding_rs::WINDOWS_1251))
        );
        assert_eq!(
            sniff(b"\xff\xfe<\x00")?,
            Some(Foreign::Other(encoding_rs::UTF_16LE))
        );
        assert!(sniff(b"<?xml version='1.0' encoding='klingon'?>").is_err());
        Ok(())
    }

    #[test]
    fn latin1_maps_every_byte_to_its_code_point() -> Result<(), Error> {
        let all: Vec<u8> = (0..=255).collect();
        let text = String::from_utf8(transcode(&all, Foreign::Latin1)?).map_err(Error::message)?;
        assert!(text.chars().map(u32::from).eq(0..=255));
        Ok(())
    }

    #[test]
    fn streaming_matches_whole_transcoding() -> Result<(), Error> {
        let text: String = "héllo wörld ÿ €".repeat(20_000);
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
        let mut out = Vec::new();
        Transcoder::new(
            io::BufReader::with_capacity(7, &bytes[..]),
            Foreign::Other(encoding_rs::WINDOWS_1252),
        )
        .read_to_end(&mut out)?;
        assert_eq!(out, text.as_bytes());
        Ok(())
    }
}
