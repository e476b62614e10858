//! What the debugging tools read from outside: a cassette's lines (`xrpc serve --replay`)
//! and a dump server's request bodies (the spec-deviation check). Neither may panic; a
//! line that reads is written back to a line that reads again to the same line.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::cassette::{Cassette, Exchange};
use xmlrpc_kit::debug::{deviations, Decoded};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(exchange) = Exchange::from_line(&text) {
        let line = exchange.to_line();
        let again = Exchange::from_line(&line).expect("a written line reads back");
        assert_eq!(again.to_line(), line);
    }
    let _ = Cassette::parse(&text).map(|c| c.exchanges().len());
    let decoded = match xmlrpc_kit::codec::read_document(data) {
        Ok(document) => Decoded::Document(document),
        Err(e) => Decoded::NotXmlRpc(e.to_string()),
    };
    let found = deviations("POST", &hyper::HeaderMap::new(), data, &decoded);
    assert!(found.iter().all(|d| !d.is_empty()));
});
