//! `Binary`: the bytes of an XML-RPC `<base64>` value.

use std::fmt;
use std::ops::Deref;

/// The bytes of a `<base64>` value, as Python's `xmlrpc.client.Binary` holds them.
///
/// On the wire the bytes travel base64-encoded; in Rust they are plain bytes.
/// `Binary` serializes through serde as bytes, so any field of this type is written as
/// `<base64>` and read from one.
///
/// ```
/// use xmlrpc_kit::Binary;
///
/// let b = Binary::from(&b"\x89PNG"[..]);
/// assert_eq!(b.len(), 4);
/// assert_eq!(&b[..2], b"\x89P");
/// assert_eq!(b.into_vec(), b"\x89PNG".to_vec());
/// ```
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Binary(Vec<u8>);

impl Binary {
    /// Wraps the given bytes.
    ///
    /// ```
    /// let b = xmlrpc_kit::Binary::new(vec![1, 2, 3]);
    /// assert_eq!(b.as_slice(), &[1, 2, 3]);
    /// ```
    pub fn new(bytes: Vec<u8>) -> Self {
        Binary(bytes)
    }

    /// The bytes.
    ///
    /// ```
    /// assert!(xmlrpc_kit::Binary::default().as_slice().is_empty());
    /// ```
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// Gives back the bytes without copying them.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::Binary::from(vec![7]).into_vec(), vec![7]);
    /// ```
    pub fn into_vec(self) -> Vec<u8> {
        self.0
    }
}

impl Deref for Binary {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Binary {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Binary {
    fn from(bytes: Vec<u8>) -> Self {
        Binary(bytes)
    }
}

impl From<&[u8]> for Binary {
    fn from(bytes: &[u8]) -> Self {
        Binary(bytes.to_vec())
    }
}

impl From<Binary> for Vec<u8> {
    fn from(b: Binary) -> Self {
        b.0
    }
}

impl fmt::Debug for Binary {
    /// Shows the length and at most the first 32 bytes, so a large file never floods a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const SHOWN: usize = 32;
        write!(f, "Binary({} bytes: ", self.0.len())?;
        for byte in self.0.iter().take(SHOWN) {
            write!(f, "{byte:02x}")?;
        }
        if self.0.len() > SHOWN {
            f.write_str("…")?;
        }
        f.write_str(")")
    }
}

impl serde::Serialize for Binary {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Binary {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BytesVisitor;
        impl<'de> serde::de::Visitor<'de> for BytesVisitor {
            type Value = Binary;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("base64 bytes")
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Binary, E> {
                Ok(Binary(v.to_vec()))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Binary, E> {
                Ok(Binary(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Binary, A::Error> {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = seq.next_element::<u8>()? {
                    bytes.push(b);
                }
                Ok(Binary(bytes))
            }
        }
        deserializer.deserialize_byte_buf(BytesVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_bounded_for_large_values() {
        let text = format!("{:?}", Binary::new(vec![0xab; 1 << 20]));
        assert!(text.starts_with("Binary(1048576 bytes: abab"));
        assert!(text.len() < 100, "{text}");
    }
}
