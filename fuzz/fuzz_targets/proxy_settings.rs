//! The text parsers of the client's settings, which read the environment and the command
//! line: `no_proxy` lists matched against host:port, proxy URLs, and the digits of
//! `<ex:biginteger>`/`<ex:bigdecimal>`. None may panic; a big number that parses must
//! print back as text that parses to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use xmlrpc_kit::client::no_proxy_matches;
use xmlrpc_kit::{AsyncClient, BigDecimal, BigInteger};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first line is the no_proxy list, the second the host:port, the rest a proxy URL.
    let mut parts = text.splitn(3, '\n');
    let (list, authority, proxy) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let matched = no_proxy_matches(list, authority);
    // `*` alone exempts everything.
    assert!(no_proxy_matches("*", authority));
    let _ = matched;
    // Building sends nothing; a bad proxy URL is an error, never a panic.
    let _ = AsyncClient::builder("http://127.0.0.1:8080/RPC2")
        .proxy(proxy)
        .no_proxy_for(list)
        .build();
    for line in [list, authority, proxy] {
        if let Ok(n) = line.parse::<BigInteger>() {
            assert_eq!(n.as_str().parse::<BigInteger>().ok(), Some(n.clone()));
            let _ = (n.to_i128(), n.to_u128());
        }
        if let Ok(d) = line.parse::<BigDecimal>() {
            assert_eq!(d.as_str().parse::<BigDecimal>().ok(), Some(d.clone()));
            let _ = d.to_f64();
        }
    }
});
