//! Base64 in pieces: a decoder fed text as it arrives (wrapped lines and all) and an encoder
//! that writes through a fixed buffer, so neither needs the whole value at once.
//!
//! Both use the SIMD routines of `base64-simd` (chosen at run time for the CPU). The decoder
//! first decodes a piece straight from the input into its output; a run of text with
//! whitespace in it (Python wraps base64 at 76 columns) is gathered without the whitespace
//! into a fixed scratch buffer of [`RUN`] bytes and decoded from there. So the decoder holds,
//! besides its output, at most `RUN` bytes and four characters, however long the value.
//!
//! Padding may be left out; where it is present it ends the value: any base64 after it is
//! refused, whether it arrives in the same piece or a later one. The bits left over in a
//! final group (`YR==` for `a`) are ignored, as Python does.

use base64_simd::{Out, STANDARD, STANDARD_NO_PAD};
use std::io::{self, Write};
use std::mem::MaybeUninit;

/// Characters decoded at a time: the size of the decoder's scratch buffer, and of each run
/// decoded straight from the input. A multiple of 4 small enough to stay in the L1 cache.
const RUN: usize = 16 * 1024;

/// The value of each standard-alphabet character; `INVALID` for any other byte.
const VALUES: [u8; 256] = {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < ALPHABET.len() {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};
const INVALID: u8 = 0xFF;

/// XML whitespace: the only bytes skipped in base64 text.
const fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Decodes base64 text fed in arbitrary pieces, skipping XML whitespace.
pub(crate) struct Decoder {
    out: Vec<u8>,
    /// Characters not decoded yet: a quad split across pieces, or the last whole quad seen,
    /// held back because it may be the final one (which alone may carry padding).
    tail: [u8; 4],
    tail_len: usize,
    /// Whitespace-free copy of a run of text that had whitespace in it; at most [`RUN`] bytes.
    scratch: Vec<u8>,
    limit: usize,
}

/// Why base64 text was refused.
#[derive(Debug)]
pub(crate) enum DecodeError {
    Invalid(String),
    TooLong(usize),
}

impl Decoder {
    /// A decoder that refuses to produce more than `limit` bytes.
    pub(crate) fn new(limit: usize) -> Self {
        Decoder {
            out: Vec::new(),
            tail: [0; 4],
            tail_len: 0,
            scratch: Vec::new(),
            limit,
        }
    }

    /// Decodes as much of `text` as it can; keeps the last characters for the next piece.
    pub(crate) fn feed(&mut self, text: &[u8]) -> Result<(), DecodeError> {
        // Whitespace at the end counts for nothing, and would stop a direct decode.
        let end = text
            .iter()
            .rposition(|&b| !is_space(b))
            .map_or(0, |i| i + 1);
        let mut text = &text[..end];
        self.reserve_for(text.len());
        if self.tail_len > 0 {
            while self.tail_len < 4 {
                let Some((&b, rest)) = skip_space(text).split_first() else {
                    return Ok(());
                };
                self.tail[self.tail_len] = b;
                self.tail_len += 1;
                text = rest;
            }
            text = skip_space(text);
            if text.is_empty() {
                return Ok(());
            }
            // More text follows, so the held-back quad is not the final one.
            let quad = self.tail;
            self.tail_len = 0;
            self.decode_run(&quad)?;
        }
        loop {
            text = skip_space(text);
            if text.len() <= 4 {
                // The last characters of the piece (the tail is empty here): held back.
                for &b in text.iter().filter(|&&b| !is_space(b)) {
                    self.tail[self.tail_len] = b;
                    self.tail_len += 1;
                }
                return Ok(());
            }
            // Straight from the input, keeping at least one character back; this stops at
            // the first whitespace or padding, and the run is then gathered instead.
            let direct = (text.len() - 1).min(RUN) / 4 * 4;
            if direct > 0 && self.try_decode_direct(&text[..direct]) {
                text = &text[direct..];
                continue;
            }
            // Gathered without whitespace: quickly line by line, or if that was not all
            // base64, carefully (which also tells what is wrong, if anything is).
            let mut scratch = std::mem::take(&mut self.scratch);
            let result = self
                .decode_gathered(text, &mut scratch, gather_lines)
                .or_else(|_| self.decode_gathered(text, &mut scratch, gather));
            self.scratch = scratch;
            text = result?;
        }
    }

    /// Gathers the non-whitespace characters at the start of `text` into `scratch` with
    /// `gather`, up to [`RUN`] of them, and decodes them, holding back the last ones if the
    /// text ends there; returns the rest of the text. Nothing changes on an error.
    fn decode_gathered<'t>(
        &mut self,
        text: &'t [u8],
        scratch: &mut Vec<u8>,
        gather: fn(&[u8], &mut Vec<u8>) -> usize,
    ) -> Result<&'t [u8], DecodeError> {
        scratch.clear();
        // Exactly what this text can need, so the capacity never passes RUN.
        scratch.reserve_exact(text.len().min(RUN));
        let used = gather(text, scratch);
        let rest = skip_space(&text[used..]);
        // The text ends here: hold back the final characters (up to a whole quad).
        // Otherwise the scratch is full, RUN characters, whole quads only.
        let keep = match (rest.is_empty(), scratch.len() % 4) {
            (false, _) => 0,
            (true, 0) => scratch.len().min(4),
            (true, partial) => partial,
        };
        let (body, kept) = scratch.split_at(scratch.len() - keep);
        // The decoder refuses whitespace in the body; `gather_lines` may have left some.
        if kept.iter().any(|&b| is_space(b)) {
            return Err(invalid(kept));
        }
        self.decode_run(body)?;
        self.tail[..keep].copy_from_slice(kept);
        self.tail_len = keep;
        Ok(rest)
    }

    /// Makes room in the output for what `text_len` more characters can decode to, up to
    /// the limit: one allocation when the whole text comes in one piece, amortized growth
    /// when it comes in many.
    fn reserve_for(&mut self, text_len: usize) {
        let most = text_len / 4 * 3 + 3;
        let room = self.limit.saturating_sub(self.out.len());
        self.reserve(most.min(room));
    }

    /// `Vec::reserve` (doubling the capacity when it grows), but never beyond the limit;
    /// `additional` is within the limit already.
    fn reserve(&mut self, additional: usize) {
        let (len, capacity) = (self.out.len(), self.out.capacity());
        if capacity - len < additional {
            let wanted = capacity
                .saturating_mul(2)
                .min(self.limit)
                .max(len + additional);
            self.out.reserve_exact(wanted - len);
        }
    }

    /// Decodes whole quads straight from the input; `false` (and nothing decoded) if they
    /// are not all base64 characters, or if they might not fit the limit: whitespace among
    /// them would make fewer bytes, so that is for `decode_run` to tell after gathering.
    fn try_decode_direct(&mut self, quads: &[u8]) -> bool {
        let bytes = quads.len() / 4 * 3;
        if self.out.len().saturating_add(bytes) > self.limit {
            return false;
        }
        // Amortized: `decode_append` would otherwise grow the output to the exact size.
        self.reserve(bytes);
        STANDARD_NO_PAD.decode_append(quads, &mut self.out).is_ok()
    }

    /// Decodes whole quads without whitespace or padding, or says why it cannot.
    fn decode_run(&mut self, quads: &[u8]) -> Result<(), DecodeError> {
        if quads.is_empty() {
            return Ok(());
        }
        let bytes = quads.len() / 4 * 3;
        if self.out.len().saturating_add(bytes) > self.limit {
            return Err(DecodeError::TooLong(self.limit));
        }
        self.reserve(bytes);
        STANDARD_NO_PAD
            .decode_append(quads, &mut self.out)
            .map_err(|_| invalid(quads))
    }

    /// Hands the bytes decoded so far to `sink` and forgets them (keeping the buffer).
    pub(crate) fn drain(
        &mut self,
        sink: &mut dyn FnMut(&[u8]) -> io::Result<()>,
    ) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        sink(&self.out)?;
        self.out.clear();
        Ok(())
    }

    /// Decodes what is left (a final quad, perhaps with padding or without) and returns
    /// the bytes.
    pub(crate) fn finish(mut self) -> Result<Vec<u8>, DecodeError> {
        let rest = &self.tail[..self.tail_len];
        if rest.is_empty() {
            return Ok(self.into_output());
        }
        let pad = rest.iter().rev().take_while(|&&b| b == b'=').count();
        let chars = &rest[..rest.len() - pad];
        if chars.len() < 2 {
            return Err(DecodeError::Invalid(if chars.len() == 1 {
                "a single base64 character cannot end the value".into()
            } else {
                "base64 padding without characters before it".into()
            }));
        }
        let mut bits = 0u32;
        for &c in chars {
            let v = VALUES[usize::from(c)];
            if v == INVALID {
                return Err(invalid(chars));
            }
            bits = bits << 6 | u32::from(v);
        }
        // 2, 3 or 4 characters carry 1, 2 or 3 bytes; the bits left over are ignored.
        let n = chars.len() - 1;
        bits <<= 6 * (4 - chars.len());
        let bytes = bits.to_be_bytes();
        if self.out.len().saturating_add(n) > self.limit {
            return Err(DecodeError::TooLong(self.limit));
        }
        self.out.extend_from_slice(&bytes[1..=n]);
        Ok(self.into_output())
    }

    /// The output, given back its spare room if growing in pieces left much of it.
    fn into_output(mut self) -> Vec<u8> {
        if self.out.capacity() - self.out.len() > self.out.len() / 16 {
            self.out.shrink_to_fit();
        }
        self.out
    }

    /// The capacity of the scratch buffer, which must not grow with the value.
    #[cfg(test)]
    fn scratch_capacity(&self) -> usize {
        self.scratch.capacity()
    }
}

/// `text` without its leading whitespace.
fn skip_space(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|&b| !is_space(b))
        .unwrap_or(text.len());
    &text[start..]
}

/// Copies the non-whitespace bytes at the start of `text` into `clean` until it holds
/// [`RUN`] bytes or `text` ends; returns how many bytes of `text` it went through.
fn gather(text: &[u8], clean: &mut Vec<u8>) -> usize {
    let mut at = 0;
    while at < text.len() && clean.len() < RUN {
        // No further than the room left, however far the next whitespace is.
        let window = &text[at..text.len().min(at + RUN - clean.len())];
        match find_space(window) {
            Some(run) => {
                clean.extend_from_slice(&window[..run]);
                at += run + 1;
            }
            None => {
                clean.extend_from_slice(window);
                at += window.len();
            }
        }
    }
    at
}

/// Like [`gather`], but quicker for text in lines of one length, as base64 is usually
/// wrapped: it takes the length of a line and of the whitespace after it from the first
/// whole line, then copies line after line, checking only the whitespace between them. It
/// does not look inside the lines: whitespace there is copied, for the decoder to refuse.
fn gather_lines(text: &[u8], clean: &mut Vec<u8>) -> usize {
    let space_len = |text: &[u8]| text.iter().take_while(|&&b| is_space(b)).count();
    let run_len = |text: &[u8]| find_space(&text[..text.len().min(RUN)]);
    // The first run of characters (perhaps the end of a line) and the whitespace after it.
    let first = run_len(text).unwrap_or(text.len().min(RUN));
    clean.extend_from_slice(&text[..first]);
    let mut at = first + space_len(&text[first..]);
    // The next run, the first whole line: its length and the whitespace after it.
    let width = run_len(&text[at..]).unwrap_or(0);
    let gap = space_len(&text[at + width..]);
    if width > 0 && gap > 0 {
        while clean.len() + width <= RUN {
            let Some(line) = text.get(at..at + width + gap) else {
                break;
            };
            let (chars, space) = line.split_at(width);
            if !space.iter().all(|&b| is_space(b)) {
                break;
            }
            clean.extend_from_slice(chars);
            at += width + gap;
        }
    }
    at + gather(&text[at..], clean)
}

/// The position of the first whitespace byte in `text`, eight bytes at a time: whitespace
/// is below `!` (0x21), as no base64 character is, so a word without such a byte is
/// skipped with a few arithmetic operations.
fn find_space(text: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut words = text.chunks_exact(8);
    let mut at = 0;
    for word in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        let w = u64::from_le_bytes(bytes);
        // The high bit of each byte below 0x21 is set (and perhaps of some byte after one).
        let mut below = w.wrapping_sub(ONES * 0x21) & !w & HIGH;
        while below != 0 {
            let i = below.trailing_zeros() as usize / 8;
            if is_space(word[i]) {
                return Some(at + i);
            }
            below &= below - 1;
        }
        at += 8;
    }
    let rest = words.remainder();
    rest.iter().position(|&b| is_space(b)).map(|i| at + i)
}

/// Why `chars` (without whitespace) are not base64 quads without padding.
fn invalid(chars: &[u8]) -> DecodeError {
    let reason = match chars.iter().find(|&&b| VALUES[usize::from(b)] == INVALID) {
        Some(b'=') => "base64 padding '=' before the end of the value".to_owned(),
        Some(&b) if b.is_ascii_graphic() => {
            format!("{:?} is not a base64 character", char::from(b))
        }
        Some(&b) => format!("byte 0x{b:02X} is not a base64 character"),
        None => "invalid base64 text".to_owned(),
    };
    DecodeError::Invalid(reason)
}

/// Bytes encoded at a time: 16 KiB of text, so the buffer stays in the L1 cache.
const ENCODE_CHUNK: usize = RUN / 4 * 3;

/// Writes `bytes` as base64 (padded, on one line) through a fixed-size buffer.
pub(crate) fn encode_to<W: Write + ?Sized>(bytes: &[u8], out: &mut W) -> io::Result<()> {
    let mut buf = [MaybeUninit::<u8>::uninit(); RUN];
    for chunk in bytes.chunks(ENCODE_CHUNK) {
        out.write_all(STANDARD.encode(chunk, Out::from_uninit_slice(&mut buf)))?;
    }
    Ok(())
}

/// Appends `bytes` as base64 (padded, on one line) to `out`, encoding straight into it: for
/// a caller whose output is a `Vec<u8>`, this saves `encode_to`'s copy through a buffer.
#[allow(dead_code)]
pub(crate) fn encode_into_vec(bytes: &[u8], out: &mut Vec<u8>) {
    // Amortized growth: `encode_append` reserves the exact size only.
    out.reserve(STANDARD.encoded_length(bytes.len()));
    STANDARD.encode_append(bytes, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode_pieces(pieces: &[&[u8]]) -> Result<Vec<u8>, DecodeError> {
        let mut d = Decoder::new(usize::MAX);
        for p in pieces {
            d.feed(p)?;
        }
        d.finish()
    }

    fn decode(text: &[u8]) -> Result<Vec<u8>, DecodeError> {
        decode_pieces(&[text])
    }

    fn encode(data: &[u8]) -> Vec<u8> {
        let mut text = Vec::new();
        encode_to(data, &mut text).unwrap_or_else(|e| unreachable!("a Vec: {e}"));
        text
    }

    /// `text` in lines of `width` characters, each ending with `eol`.
    fn wrap(text: &[u8], width: usize, eol: &[u8]) -> Vec<u8> {
        text.chunks(width)
            .flat_map(|l| l.iter().chain(eol).copied())
            .collect()
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
    }

    #[test]
    fn decodes_across_any_split_and_wrapping() -> Result<(), DecodeError> {
        let data: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
        let wrapped = wrap(&encode(&data), 76, b"\r\n");
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

    #[test]
    fn the_limit_is_exact_and_checked_before_the_output_grows() {
        // 6 bytes fit a limit of 6, with or without padding, in one piece or many.
        for text in [&b"YWJjZGVm"[..], b"YWJjZGU=", b"YWJjZGU"] {
            let expected = decode(text).ok();
            let mut d = Decoder::new(6);
            for b in text {
                assert!(d.feed(&[*b]).is_ok());
            }
            assert_eq!(d.finish().ok(), expected);
        }
        assert!(matches!(
            decode_pieces_with_limit(b"YWJjZGVmZw", 6),
            Err(DecodeError::TooLong(6))
        ));
        // Whitespace counts for nothing against the limit.
        assert_eq!(
            decode_pieces_with_limit(b"YWJj\n \n \n \n \n", 3).ok(),
            Some(b"abc".to_vec())
        );
        let wrapped = wrap(&encode(&data(3000)), 4, b"\r\n");
        assert_eq!(
            decode_pieces_with_limit(&wrapped, 3000).ok(),
            Some(data(3000))
        );
        // A large text against a small limit: refused before anything near it is allocated.
        let text = encode(&data(1 << 20));
        let mut d = Decoder::new(1000);
        assert!(matches!(d.feed(&text), Err(DecodeError::TooLong(1000))));
        assert!(d.out.capacity() <= 1000 && d.out.len() <= 1000);
        let wrapped = wrap(&text, 76, b"\n");
        let mut d = Decoder::new(100_000);
        let refused = wrapped.chunks(4096).try_for_each(|p| d.feed(p));
        assert!(matches!(refused, Err(DecodeError::TooLong(100_000))));
        assert!(d.out.capacity() <= 100_000 && d.out.len() <= 100_000);
    }

    fn decode_pieces_with_limit(text: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
        let mut d = Decoder::new(limit);
        d.feed(text)?;
        d.finish()
    }

    #[test]
    fn padding_and_trailing_bits() {
        for (text, expected) in [
            (&b"YQ=="[..], &b"a"[..]),
            (b"YQ=", b"a"),
            (b"YQ", b"a"),
            (b"YWI=", b"ab"),
            (b"YR==", b"a"), // bits left over in the final group are ignored
            (b"YWJj", b"abc"),
            (b"YWJjYQ==\r\n", b"abca"),
            (b" \tYW Jj\nYQ = = \n", b"abca"),
            (b"", b""),
            (b" \r\n\t", b""),
        ] {
            assert_eq!(decode(text).ok().as_deref(), Some(expected), "{text:?}");
        }
        for text in [
            &b"QQ==QUJD"[..],
            b"QQ==\nQUJD",
            b"QQ=AQUJD",
            b"Y",
            b"YWJjY",
            b"====",
            b"YWJj====",
            b"Y===",
            b"YQ===",
            b"YW\x00I",
            b"YWJ\xc3\xa9",
            b"YWJj-Q==",
        ] {
            assert!(decode(text).is_err(), "{text:?} in one piece");
            for split in 1..text.len() {
                let pieces: Vec<&[u8]> = text.chunks(split).collect();
                assert!(decode_pieces(&pieces).is_err(), "{text:?} split {split}");
            }
        }
    }

    #[test]
    fn errors_name_the_character() {
        let reason = |text: &[u8]| match decode(text) {
            Err(DecodeError::Invalid(reason)) => reason,
            other => unreachable!("{other:?}"),
        };
        assert!(reason(b"YWJjYW*j").contains("'*'"));
        assert!(reason(b"QQ==QUJD").contains("padding"));
        assert!(reason(b"YWJjYW\x01jYWJj").contains("0x01"));
        // The same deep inside a long value, which is decoded in runs.
        let mut text = encode(&data(100_000));
        text[70_001] = b'!';
        assert!(reason(&text).contains("'!'"));
    }

    #[test]
    fn wrapped_in_odd_pieces_equals_flat() -> Result<(), DecodeError> {
        let data = data(200_003);
        let flat = encode(&data);
        assert_eq!(decode(&flat)?, data);
        for (width, eol) in [(76, &b"\n"[..]), (64, b"\r\n"), (75, b" \t"), (1, b"\n")] {
            let wrapped = wrap(&flat, width, eol);
            assert_eq!(decode(&wrapped)?, data, "width {width}");
            for split in [1, 7, 77, 4093, 65_537] {
                let pieces: Vec<&[u8]> = wrapped.chunks(split).collect();
                assert_eq!(
                    decode_pieces(&pieces)?,
                    data,
                    "width {width}, split {split}"
                );
            }
        }
        Ok(())
    }

    #[test]
    fn lines_of_one_length_with_whitespace_inside_them() -> Result<(), DecodeError> {
        // Taken line by line first; the whitespace inside is then found by the careful way.
        assert_eq!(decode(b"YWJj\nYW J\n\n")?, b"abcab");
        assert_eq!(decode(b"YWJj\nYWJj\nY WJ\njYWJ\nj\n")?, b"abcabcabcabc");
        assert_eq!(
            decode(b"YWJj\r\nYWJj\r\nYWJj\n\rYWJj\r\nYWI=")?,
            b"abcabcabcabcab"
        );
        let data = data(100_000);
        let mut wrapped = wrap(&encode(&data), 76, b"\n");
        for at in [50_000, 70_123, wrapped.len() - 3] {
            wrapped.insert(at, b' ');
        }
        assert_eq!(decode(&wrapped)?, data);
        // A stray space, then a long text without whitespace: gathered no further than RUN.
        let mut flat = encode(&data);
        flat.insert(1000, b' ');
        flat.insert(RUN * 3 + 7, b'\n');
        assert_eq!(decode(&flat)?, data);
        Ok(())
    }

    #[test]
    fn a_small_value_needs_no_scratch() -> Result<(), DecodeError> {
        for text in [
            &b"aGVsbG8="[..],
            b"\n  aGVsbG8=\n",
            b"aGVsbG8",
            b"aGVs\n",
            b"aGVsbG8h",
        ] {
            let mut d = Decoder::new(usize::MAX);
            d.feed(text)?;
            assert_eq!(d.scratch_capacity(), 0, "{text:?}");
            assert!(d.finish()?.starts_with(b"hel"));
        }
        Ok(())
    }

    #[test]
    fn memory_stays_bounded_on_a_large_wrapped_value() -> Result<(), DecodeError> {
        let data = data(8 << 20);
        let wrapped = wrap(&encode(&data), 76, b"\r\n");
        for piece in [wrapped.len(), 1 << 20, 8191] {
            let mut d = Decoder::new(usize::MAX);
            for p in wrapped.chunks(piece) {
                d.feed(p)?;
                assert!(d.scratch_capacity() <= RUN, "{}", d.scratch_capacity());
            }
            assert!(
                d.scratch_capacity() > 0,
                "the wrapped text went through the scratch"
            );
            // The output is reserved once for a single piece: the decoded size of the text,
            // whitespace included (1/38 more here); from many pieces, it is trimmed at the end.
            assert!(d.out.capacity() >= data.len() || piece != wrapped.len());
            let out = d.finish()?;
            assert!(out == data, "piece {piece}");
            let capacity = out.capacity();
            assert!(
                capacity <= data.len() / 32 * 33,
                "piece {piece}: {capacity}"
            );
        }
        Ok(())
    }

    #[test]
    fn encodes_like_the_base64_crate() {
        use base64::Engine as _;
        for len in [
            0,
            1,
            2,
            3,
            4,
            5,
            100,
            ENCODE_CHUNK - 1,
            ENCODE_CHUNK,
            3 * ENCODE_CHUNK + 2,
        ] {
            let data = data(len);
            let expected = base64::engine::general_purpose::STANDARD.encode(&data);
            assert_eq!(encode(&data), expected.as_bytes(), "len {len}");
            let mut vec = b"<base64>".to_vec();
            encode_into_vec(&data, &mut vec);
            assert_eq!(&vec[8..], expected.as_bytes(), "len {len}");
        }
    }

    /// Splits `text` at the given points (taken modulo its length, in order).
    fn split_at<'a>(text: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (text.len() + 1)).collect();
        points.sort_unstable();
        let mut pieces = Vec::new();
        let mut start = 0;
        for p in points {
            pieces.push(&text[start..p]);
            start = p;
        }
        pieces.push(&text[start..]);
        pieces
    }

    proptest! {
        #[test]
        fn decode_of_encode_is_identity(
            data in proptest::collection::vec(any::<u8>(), 0..3000),
            width in 0usize..100,
            eol in prop::sample::select(vec![&b"\n"[..], b"\r\n", b" ", b"\t", b"\n    "]),
            strip_padding in any::<bool>(),
            spaces in proptest::collection::vec(
                (any::<usize>(), prop::sample::select(b" \t\r\n".to_vec())),
                0..6,
            ),
            cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ) {
            let mut text = encode(&data);
            if strip_padding {
                while text.last() == Some(&b'=') {
                    text.pop();
                }
            }
            let mut text = if width == 0 { text } else { wrap(&text, width, eol) };
            for (at, space) in spaces {
                text.insert(at % (text.len() + 1), space);
            }
            let pieces = split_at(&text, &cuts);
            let decoded = decode_pieces(&pieces);
            prop_assert!(matches!(&decoded, Ok(d) if *d == data), "{:?}", decoded);
        }

        #[test]
        fn garbage_is_refused_however_it_is_split(
            data in proptest::collection::vec(any::<u8>(), 1..300),
            at in any::<usize>(),
            bad in prop::sample::select(b"*-_.!\x00\x7f\xff<&".to_vec()),
            cuts in proptest::collection::vec(any::<usize>(), 0..4),
        ) {
            let mut text = encode(&data);
            let at = at % text.len();
            text.insert(at, bad);
            let pieces = split_at(&text, &cuts);
            prop_assert!(decode_pieces(&pieces).is_err());
        }
    }
}
