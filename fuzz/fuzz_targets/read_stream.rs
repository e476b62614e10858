//! The streaming reader against the slice reader: the first byte picks the `BufReader`
//! capacity (its low 7 bits, 1..=127, so events, base64 text and encodings get split at many
//! offsets), the rest is the document. Both must accept it with equal values, or both refuse it.
//!
//! The stream reader takes its first 256 bytes in one piece (to sniff the encoding), so only
//! what follows is split. When the first byte's high bit is set, the document is moved past
//! that point by 256 spaces in front of it (for both readers), so short inputs get split too.

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::BufReader;
use xmlrpc_kit::codec::{self, Reader};
use xmlrpc_kit_fuzz::{same_call, same_outcome, same_response, show};

fuzz_target!(|data: &[u8]| {
    let Some((&first, doc)) = data.split_first() else {
        return;
    };
    // A zero-capacity BufReader reports end of input at once, so keep at least one byte.
    let capacity = usize::from(first & 0x7f).max(1);
    let padded;
    let doc = if first & 0x80 != 0 {
        padded = [&[b' '; 256][..], doc].concat();
        padded.as_slice()
    } else {
        doc
    };

    let from_slice = codec::read_call(doc);
    let from_stream =
        Reader::from_reader(BufReader::with_capacity(capacity, doc)).and_then(Reader::read_call);
    assert!(
        same_outcome(&from_slice, &from_stream, same_call),
        "slice and stream (capacity {capacity}) disagree on a call:\n slice  {from_slice:?}\n stream {from_stream:?}\n doc    {:?}",
        show(doc)
    );

    let from_slice = codec::read_response(doc);
    let from_stream = Reader::from_reader(BufReader::with_capacity(capacity, doc))
        .and_then(Reader::read_response);
    assert!(
        same_outcome(&from_slice, &from_stream, same_response),
        "slice and stream (capacity {capacity}) disagree on a response:\n slice  {from_slice:?}\n stream {from_stream:?}\n doc    {:?}",
        show(doc)
    );
});
