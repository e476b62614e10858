//! Base64 in pieces: a decoder fed text as it arrives (wrapped lines and all) and an encoder
//! that writes through a fixed buffer, so neither needs the whole value at once.

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine;
use std::io::{self, Write};

/// Standard alphabet; padding optional on input (some peers omit it), required on output.
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes base64 text fed in arbitrary pieces, skipping XML whitespace.
pub(crate) struct Decoder {
    out: Vec<u8>,
    /// Up to 3 characters left over from the last piece (a quad split across pieces).
    carry: Vec<u8>,
    /// Whitespace-free copy of a piece that had whitespace in it.
    clean: Vec<u8>,
    limit: usize,
}

/// Why base64 text was refused.
#[derive(Debug)]
pub(crate) enum DecodeError {
    Invalid(String),
    TooLong(usize),
}

impl Decoder {
    pub(crate) fn new(limit: usize) -> Self {
        Decoder {
            out: Vec::new(),
            carry: Vec::with_capacity(4),
            clean: Vec::new(),
            limit,
        }
    }

    /// Decodes as much of `text` as forms whole quads; keeps the rest for the next piece.
    pub(crate) fn feed(&mut self, mut text: &[u8]) -> Result<(), DecodeError> {
        let has_space = memchr::memchr3(b'\n', b'\r', b' ', text).is_some()
            || memchr::memchr(b'\t', text).is_some();
        if has_space {
            let mut clean = std::mem::take(&mut self.clean);
            clean.clear();
            clean.append(&mut self.carry);
            clean.extend(
                text.iter()
                    .copied()
                    .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')),
            );
            let result = self.decode_whole_quads(&clean);
            self.clean = clean;
            return result;
        }
        if !self.carry.is_empty() {
            let take = (4 - self.carry.len()).min(text.len());
            self.carry.extend_from_slice(&text[..take]);
            text = &text[take..];
            if self.carry.len() < 4 {
                return Ok(());
            }
            let quad = std::mem::take(&mut self.carry);
            self.decode(&quad)?;
        }
        self.decode_whole_quads(text)
    }

    fn decode_whole_quads(&mut self, text: &[u8]) -> Result<(), DecodeError> {
        let whole = text.len() / 4 * 4;
        self.decode(&text[..whole])?;
        self.carry.extend_from_slice(&text[whole..]);
        Ok(())
    }

    fn decode(&mut self, quads: &[u8]) -> Result<(), DecodeError> {
        if quads.is_empty() {
            return Ok(());
        }
        if self.out.len().saturating_add(quads.len() / 4 * 3) > self.limit.saturating_add(2) {
            return Err(DecodeError::TooLong(self.limit));
        }
        ENGINE
            .decode_vec(quads, &mut self.out)
            .map_err(|e| DecodeError::Invalid(e.to_string()))?;
        if self.out.len() > self.limit {
            return Err(DecodeError::TooLong(self.limit));
        }
        Ok(())
    }

    /// Decodes what is left (a final quad without padding) and returns the bytes.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, DecodeError> {
        let rest = std::mem::take(&mut self.carry);
        if rest.len() == 1 {
            return Err(DecodeError::Invalid(
                "a single base64 character cannot end the value".into(),
            ));
        }
        self.decode(&rest)?;
        Ok(self.out)
    }
}

/// Writes `bytes` as base64 through a fixed-size buffer.
pub(crate) fn encode_to<W: Write + ?Sized>(bytes: &[u8], out: &mut W) -> io::Result<()> {
    const IN_CHUNK: usize = 3 * 16 * 1024;
    let mut buf = [0u8; IN_CHUNK / 3 * 4];
    for chunk in bytes.chunks(IN_CHUNK) {
        let n = ENGINE
            .encode_slice(chunk, &mut buf)
            .map_err(|e| io::Error::other(e.to_string()))?;
        out.write_all(&buf[..n])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_pieces(pieces: &[&[u8]]) -> Result<Vec<u8>, DecodeError> {
        let mut d = Decoder::new(usize::MAX);
        for p in pieces {
            d.feed(p)?;
        }
        d.finish()
    }

    #[test]
    fn decodes_across_any_split_and_wrapping() -> Result<(), DecodeError> {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let mut text = Vec::new();
        encode_to(&data, &mut text).map_err(|e| DecodeError::Invalid(e.to_string()))?;
        let wrapped: Vec<u8> = text
            .chunks(76)
            .flat_map(|l| l.iter().copied().chain(*b"\r\n"))
            .collect();
        for split in [1, 3, 5, 77, 500] {
            let pieces: Vec<&[u8]> = wrapped.chunks(split).collect();
            assert_eq!(decode_pieces(&pieces)?, data, "split {split}");
        }
        Ok(())
    }

    #[test]
    fn accepts_missing_padding_and_refuses_garbage() {
        assert_eq!(decode_pieces(&[b"YWI"]).ok(), Some(b"ab".to_vec()));
        assert!(decode_pieces(&[b"YW*I"]).is_err());
        assert!(decode_pieces(&[b"Y"]).is_err());
    }

    #[test]
    fn stops_at_the_limit() {
        let mut d = Decoder::new(4);
        assert!(matches!(
            d.feed(b"AAAAAAAAAAAA"),
            Err(DecodeError::TooLong(4))
        ));
    }
}
