//! Bytes through the slice reader: it must never panic, and whatever it accepts must survive
//! a round trip through the writer: written back, read again, equal (NaN equal to NaN), and
//! written back to the very same bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::codec;
use xmlrpc_kit_fuzz::{encode_call, encode_response, same_call, same_response, show};

fuzz_target!(|data: &[u8]| {
    let call = codec::read_call(data);
    let response = codec::read_response(data);
    // An error's message and position must be printable too, whatever the input.
    for e in [call.as_ref().err(), response.as_ref().err()]
        .into_iter()
        .flatten()
    {
        let _ = (e.to_string(), e.category(), e.offset());
    }

    if let Ok(call) = call {
        let bytes = match encode_call(&call) {
            Ok(bytes) => bytes,
            Err(e) => panic!("the reader accepted a call the writer refuses ({e}): {call:?}"),
        };
        let again = match codec::read_call(&bytes) {
            Ok(again) => again,
            Err(e) => panic!(
                "the writer's call does not read back ({e}): {}",
                show(&bytes)
            ),
        };
        assert!(
            same_call(&call, &again),
            "call changed in a round trip:\n first {call:?}\n then  {again:?}"
        );
        let bytes_again = encode_call(&again).ok();
        assert!(
            bytes_again.as_deref() == Some(bytes.as_slice()),
            "the writer is not stable on a call:\n first {}\n then  {:?}",
            show(&bytes),
            bytes_again.as_deref().map(show)
        );
    }

    if let Ok(response) = response {
        let bytes = match encode_response(&response) {
            Ok(bytes) => bytes,
            Err(e) => {
                panic!("the reader accepted a response the writer refuses ({e}): {response:?}")
            }
        };
        let again = match codec::read_response(&bytes) {
            Ok(again) => again,
            Err(e) => panic!(
                "the writer's response does not read back ({e}): {}",
                show(&bytes)
            ),
        };
        assert!(
            same_response(&response, &again),
            "response changed in a round trip:\n first {response:?}\n then  {again:?}"
        );
        let bytes_again = encode_response(&again).ok();
        assert!(
            bytes_again.as_deref() == Some(bytes.as_slice()),
            "the writer is not stable on a response:\n first {}\n then  {:?}",
            show(&bytes),
            bytes_again.as_deref().map(show)
        );
    }
});
