//! Documents with file-backed blobs in them: serialized with each blob's text left out (a
//! marker `\0index\0` stands in its place, which no other output can contain: the writer
//! refuses U+0000), then sent as a sequence of XML pieces and blobs, whose total length is
//! known before the first byte goes out.

use crate::error::Error;
use crate::value::token::capture_outgoing;
use crate::value::Blob;

/// Serialized XML with the blobs it refers to by marker.
#[derive(Debug, Default)]
pub(crate) struct Encoded {
    pub(crate) xml: Vec<u8>,
    pub(crate) blobs: Vec<Blob>,
}

/// A piece of a body: XML as it is, or a blob to be base64-encoded on the way out.
#[derive(Debug)]
pub(crate) enum Part {
    Xml(Vec<u8>),
    Blob(Blob),
}

/// The number of base64 characters (padded, no line breaks) for `len` bytes.
pub(crate) fn base64_len(len: u64) -> u64 {
    len.div_ceil(3) * 4
}

impl Encoded {
    /// Runs `write` into a fresh buffer, capturing the file-backed blobs it meets.
    pub(crate) fn capture(
        capacity: usize,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), Error>,
    ) -> Result<Encoded, Error> {
        let mut xml = Vec::with_capacity(capacity);
        let (result, blobs) = capture_outgoing(|| write(&mut xml));
        result?;
        Ok(Encoded { xml, blobs })
    }

    /// XML with no blob to stream.
    pub(crate) fn plain(xml: Vec<u8>) -> Encoded {
        Encoded {
            xml,
            blobs: Vec::new(),
        }
    }

    /// Whether the XML is complete as it is (no blob to stream).
    pub(crate) fn is_plain(&self) -> bool {
        self.blobs.is_empty()
    }

    /// Wraps the XML between `head` and `tail` (markers keep their meaning).
    pub(crate) fn wrap(mut self, head: &[u8], tail: &[u8]) -> Encoded {
        let mut xml = Vec::with_capacity(head.len() + self.xml.len() + tail.len());
        xml.extend_from_slice(head);
        xml.extend_from_slice(&self.xml);
        xml.extend_from_slice(tail);
        self.xml = xml;
        self
    }

    /// Splits the document into its pieces, in order.
    pub(crate) fn into_parts(self) -> Result<Vec<Part>, Error> {
        let mut parts = Vec::with_capacity(self.blobs.len() * 2 + 1);
        let mut rest = &self.xml[..];
        while let Some(start) = memchr::memchr(0, rest) {
            let after = &rest[start + 1..];
            let end = memchr::memchr(0, after)
                .ok_or_else(|| Error::message("unterminated blob marker in encoded XML"))?;
            let index: usize = std::str::from_utf8(&after[..end])
                .ok()
                .and_then(|digits| digits.parse().ok())
                .ok_or_else(|| Error::message("bad blob marker in encoded XML"))?;
            let blob = self
                .blobs
                .get(index)
                .ok_or_else(|| Error::message("blob marker out of range in encoded XML"))?;
            parts.push(Part::Xml(rest[..start].to_vec()));
            parts.push(Part::Blob(blob.clone()));
            rest = &after[end + 1..];
        }
        parts.push(Part::Xml(rest.to_vec()));
        parts.retain(|p| !matches!(p, Part::Xml(x) if x.is_empty()));
        Ok(parts)
    }

    /// The whole document in memory, blobs encoded in place (for callers that cannot
    /// stream, such as a call inside `system.multicall`).
    pub(crate) fn inline(self) -> Result<Vec<u8>, Error> {
        if self.is_plain() {
            return Ok(self.xml);
        }
        let mut out = Vec::with_capacity(self.xml.len());
        for part in self.into_parts()? {
            match part {
                Part::Xml(xml) => out.extend_from_slice(&xml),
                Part::Blob(blob) => {
                    let bytes = blob.to_vec()?;
                    super::base64::encode_into_vec(&bytes, &mut out);
                }
            }
        }
        Ok(out)
    }
}

/// The total length of `parts` once blobs are encoded.
pub(crate) fn encoded_len(parts: &[Part]) -> u64 {
    parts
        .iter()
        .map(|part| match part {
            Part::Xml(xml) => xml.len() as u64,
            Part::Blob(blob) => base64_len(blob.len()),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_blob(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> Blob {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        Blob::from_file(path).unwrap()
    }

    #[test]
    fn file_blobs_become_parts_and_inline_back_to_the_plain_encoding() {
        let dir = tempfile::tempdir().unwrap();
        let a = file_blob(&dir, "a", b"hello");
        let b = file_blob(&dir, "b", &[0xff; 7]);
        let params = ("name", a.clone(), vec![b.clone()]);
        let encoded =
            Encoded::capture(64, |out| super::super::write_call(out, "up", &params)).unwrap();
        assert_eq!(encoded.blobs.len(), 2);
        let parts = encoded.into_parts().unwrap();
        assert!(matches!(&parts[1], Part::Blob(x) if x.len() == 5));
        assert!(matches!(&parts[3], Part::Blob(x) if x.len() == 7));

        let encoded =
            Encoded::capture(64, |out| super::super::write_call(out, "up", &params)).unwrap();
        let length = encoded_len(&encoded.into_parts().unwrap());
        let encoded =
            Encoded::capture(64, |out| super::super::write_call(out, "up", &params)).unwrap();
        let inlined = encoded.inline().unwrap();
        let plain = super::super::call_to_vec(
            "up",
            &("name", a.to_vec().unwrap(), vec![b.to_vec().unwrap()]),
        )
        .unwrap();
        assert_eq!(inlined, plain);
        assert_eq!(length, plain.len() as u64);
    }

    #[test]
    fn memory_blobs_are_written_in_place() {
        let params = (Blob::from(vec![1, 2, 3]),);
        let encoded =
            Encoded::capture(64, |out| super::super::write_call(out, "m", &params)).unwrap();
        assert!(encoded.is_plain());
        assert!(!encoded.xml.contains(&0));
    }

    #[test]
    fn base64_lengths() {
        assert_eq!(base64_len(0), 0);
        assert_eq!(base64_len(1), 4);
        assert_eq!(base64_len(3), 4);
        assert_eq!(base64_len(4), 8);
    }
}
