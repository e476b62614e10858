//! `xrpc`: the xmlrpc-kit command-line tool.

fn main() {}
