//! `interop-server [ADDR]`: serves the interop test server (cases, echo, faults, validator1,
//! introspection, multicall) until Ctrl-C; the validator1 suite as an example server.

fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8888".to_owned());
    eprintln!("validator1 and the interop cases on http://{addr}/RPC2 (Ctrl-C stops it)");
    if let Err(e) = interop::test_server(Default::default()).serve(addr.as_str()) {
        eprintln!("interop-server: {e}");
        std::process::exit(1);
    }
}
