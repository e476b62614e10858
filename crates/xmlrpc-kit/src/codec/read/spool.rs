//! `<base64>` text decoded as it streams past: into memory within the base64 limit or, when
//! spooling is on (streamed documents), into a spool that moves to a temporary file past its
//! threshold; never the whole text at once.

use super::{Reader, Step, Tag};
use crate::codec::base64::{self, DecodeError};
use crate::error::{Error, ErrorCode};
use crate::value::blob::Spool;
use crate::value::Blob;

use super::value::Scalar;

/// Where decoded base64 bytes go when they are not kept in memory.
type Drain<'d> = &'d mut dyn FnMut(&[u8]) -> std::io::Result<()>;

impl Reader<'_> {
    /// Reads a `<base64>` text node, decoding it as it streams past: into memory, or,
    /// when spooling is on, into a spool that moves to a file past its threshold.
    pub(super) fn read_base64(&mut self) -> Result<Scalar, Error> {
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
}
