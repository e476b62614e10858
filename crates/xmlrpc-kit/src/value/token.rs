//! The private tokens, all in one place (as serde_json's `raw.rs`): the newtype names by which
//! `Value`, `DateTime` and `Blob` ask our serializer and deserializer for XML-RPC-only
//! treatment, and the hand-over of blobs across serde, whose data model cannot carry a file.
//!
//! Every token starts with U+0001, which XML cannot carry, so no name or text read from a
//! document can pass for one. Other serde formats see plain values: an `i64`, the time's
//! text, bytes.
//!
//! The hand-over is guarded both ways: [`offer_incoming`] fills the slot only for the length
//! of one visit and empties it afterwards whatever the visit did (took the blob, refused it,
//! failed, panicked), and [`capture_outgoing`] restores the previous capture on the way out,
//! panics included. So a failed visit leaves nothing behind for a later one to find.

use super::{Blob, DateTime};
use serde::de::value::MapDeserializer;
use serde::de::{self, Visitor};
use std::cell::RefCell;
use std::fmt;

/// Newtype-struct name that asks the XML-RPC serializer for `<i8>` whatever the magnitude.
pub(crate) const I8_TOKEN: &str = "\u{1}$xmlrpc::i8";

/// Newtype-struct name (and single map key, when deserialized dynamically) for a
/// `dateTime.iso8601`.
pub(crate) const DATETIME_TOKEN: &str = "\u{1}$xmlrpc::dateTime";

/// Newtype-struct name (and single map key, when deserialized dynamically) for an
/// `<ex:biginteger>`'s digits.
pub(crate) const BIGINTEGER_TOKEN: &str = "\u{1}$xmlrpc::biginteger";

/// Newtype-struct name (and single map key, when deserialized dynamically) for an
/// `<ex:bigdecimal>`'s text.
pub(crate) const BIGDECIMAL_TOKEN: &str = "\u{1}$xmlrpc::bigdecimal";

/// Newtype-struct name by which `Blob` asks for a spooled file (reading) or a segment marker
/// (writing); also the string our deserializer visits while it offers a spooled blob.
pub(crate) const BLOB_TOKEN: &str = "\u{1}$xmlrpc::blob";

thread_local! {
    /// A spooled blob our deserializer offers to the visitor it is calling.
    static INCOMING: RefCell<Option<Blob>> = const { RefCell::new(None) };
    /// File-backed blobs met while our segmenting writer runs (`None` when it is not).
    static OUTGOING: RefCell<Option<Vec<Blob>>> = const { RefCell::new(None) };
}

/// Empties the incoming slot when dropped: at the end of a visit, however it ends.
struct ClearIncoming;

impl Drop for ClearIncoming {
    fn drop(&mut self) {
        INCOMING.with(|slot| slot.borrow_mut().take());
    }
}

/// Offers `blob` to `visitor` as the string [`BLOB_TOKEN`]: `Blob`'s visitor takes it from
/// the slot; any other visitor sees a string it refuses or ignores. The slot is empty again
/// when this returns.
pub(crate) fn offer_incoming<'de, V: Visitor<'de>, E: de::Error>(
    blob: Blob,
    visitor: V,
) -> Result<V::Value, E> {
    let _clear = ClearIncoming;
    INCOMING.with(|slot| *slot.borrow_mut() = Some(blob));
    visitor.visit_str(BLOB_TOKEN)
}

fn take_incoming() -> Option<Blob> {
    INCOMING.with(|slot| slot.borrow_mut().take())
}

/// Restores the capture that was running before, when dropped.
struct RestoreOutgoing(Option<Vec<Blob>>);

impl Drop for RestoreOutgoing {
    fn drop(&mut self) {
        let previous = self.0.take();
        OUTGOING.with(|slot| *slot.borrow_mut() = previous);
    }
}

/// Runs `f` collecting the file-backed blobs serialized in it, which `f`'s output then
/// marks by index (see `codec::segments`) instead of holding their text.
pub(crate) fn capture_outgoing<T>(f: impl FnOnce() -> T) -> (T, Vec<Blob>) {
    let previous = OUTGOING.with(|slot| slot.borrow_mut().replace(Vec::new()));
    let restore = RestoreOutgoing(previous);
    let out = f();
    let blobs = OUTGOING.with(|slot| slot.borrow_mut().take());
    drop(restore);
    (out, blobs.unwrap_or_default())
}

/// Registers a blob with the running capture, returning its index; `None` when no
/// capture runs.
fn register_outgoing(blob: &Blob) -> Option<i64> {
    OUTGOING.with(|slot| {
        let mut slot = slot.borrow_mut();
        let list = slot.as_mut()?;
        // A serializer may look at a value twice (ours probes a sequence's first item).
        if let Some(at) = list.iter().position(|b| b.same(blob)) {
            return i64::try_from(at).ok();
        }
        list.push(blob.clone());
        i64::try_from(list.len() - 1).ok()
    })
}

/// A time reaches a self-describing visitor as a one-member map under [`DATETIME_TOKEN`],
/// so `Value` can tell it from a string.
pub(crate) fn visit_datetime<'de, V: Visitor<'de>, E: de::Error>(
    time: &DateTime,
    visitor: V,
) -> Result<V::Value, E> {
    visitor.visit_map(MapDeserializer::new(std::iter::once((
        DATETIME_TOKEN,
        time.to_string(),
    ))))
}

/// Visits a big number as a one-member map `{token: text}`, which `Value`'s visitor turns
/// back into the number and any other visitor sees as a map.
pub(crate) fn visit_big<'de, V: Visitor<'de>, E: de::Error>(
    token: &'static str,
    text: String,
    visitor: V,
) -> Result<V::Value, E> {
    visitor.visit_map(MapDeserializer::new(std::iter::once((token, text))))
}

impl serde::Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(bytes) = self.as_bytes() {
            return serializer.serialize_bytes(bytes);
        }
        if let Some(index) = register_outgoing(self) {
            return serializer.serialize_newtype_struct(BLOB_TOKEN, &index);
        }
        let bytes = self.to_vec().map_err(|e| {
            serde::ser::Error::custom(format_args!("cannot read {self:?} to send it: {e}"))
        })?;
        serializer.serialize_bytes(&bytes)
    }
}

impl<'de> serde::Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BlobVisitor;
        impl<'de> Visitor<'de> for BlobVisitor {
            type Value = Blob;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("base64 bytes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Blob, E> {
                if v == BLOB_TOKEN {
                    if let Some(blob) = take_incoming() {
                        return Ok(blob);
                    }
                }
                Err(E::invalid_type(de::Unexpected::Str(v), &self))
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<Blob, E> {
                Ok(Blob::from(v))
            }
            fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Blob, E> {
                Ok(Blob::from(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Blob, A::Error> {
                let mut bytes = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
                while let Some(b) = seq.next_element::<u8>()? {
                    bytes.push(b);
                }
                Ok(Blob::from(bytes))
            }
            fn visit_newtype_struct<D: serde::Deserializer<'de>>(
                self,
                deserializer: D,
            ) -> Result<Blob, D::Error> {
                deserializer.deserialize_byte_buf(self)
            }
        }
        deserializer.deserialize_newtype_struct(BLOB_TOKEN, BlobVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A visitor that refuses everything: what a wrong target type does to an offered blob.
    struct Refuse;
    impl<'de> Visitor<'de> for Refuse {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("nothing")
        }
    }

    fn spooled() -> (tempfile::TempDir, Blob) {
        let dir = tempfile::tempdir().unwrap();
        let settings = super::super::blob::SpoolSettings {
            dir: dir.path().to_owned(),
            threshold: 0,
            spooled: Default::default(),
            max_spooled: u64::MAX,
        };
        let mut spool = super::super::blob::Spool::new(&settings);
        spool.write(b"abc").unwrap();
        (dir, spool.finish().unwrap())
    }

    #[test]
    fn a_refused_offer_leaves_the_slot_empty_and_frees_the_file() {
        let (_dir, blob) = spooled();
        let path = blob.path().unwrap().to_owned();
        let refused: Result<(), crate::Error> = offer_incoming(blob, Refuse);
        assert!(refused.is_err());
        assert!(take_incoming().is_none(), "nothing left behind in the slot");
        assert!(!path.exists(), "the spool file went with the refused blob");
    }

    #[test]
    fn an_outgoing_capture_is_restored_after_a_panic() {
        let (_dir, blob) = spooled();
        let caught = std::panic::catch_unwind(|| {
            capture_outgoing(|| {
                register_outgoing(&blob);
                panic!("a Serialize impl that panics");
            })
        });
        assert!(caught.is_err());
        assert!(OUTGOING.with(|slot| slot.borrow().is_none()));
        let ((), none) = capture_outgoing(|| ());
        assert!(none.is_empty());
    }
}
