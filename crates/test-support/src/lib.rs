//! What the workspace's tests share, written once (unpublished: a dev-dependency of
//! `xmlrpc-kit` and `xrpc`, a dependency of the `interop` matrix).
//!
//! Every helper has a deadline, so a test that waits never hangs, and waits on state — a
//! port that accepts, a connection that closes, a file that appears, a child that exits —
//! rather than sleeping for a guess. A helper that fails panics with what it saw: it is an
//! assertion of the test that called it.
//!
//! ```no_run
//! use std::time::Duration;
//! use test_support::{http, peer::PeerServer, process};
//!
//! // A peer's server, waited on until it listens, killed when dropped.
//! let python = PeerServer::python(
//!     "import sys\nfrom xmlrpc.server import SimpleXMLRPCServer as S\n\
//!      s = S(('127.0.0.1', 0), logRequests=False)\nprint(s.server_address[1], flush=True)\n\
//!      s.serve_forever()",
//!     &[],
//! )
//! .unwrap();
//! // The bytes on the wire, one keep-alive connection.
//! let mut conn = http::Conn::open(python.addr());
//! let reply = conn.post(&http::call_xml("system.listMethods", &[]));
//! assert_eq!(reply.status, 200);
//! // A program run to its end, or killed at the deadline.
//! let out = process::run(std::process::Command::new("true"), Duration::from_secs(5)).unwrap();
//! assert!(out.status.success());
//! ```
//!
//! # Layout
//!
//! - [`process`]: running a program to its end within a deadline (with input, as text);
//!   Python scripts; interrupting and waiting for a child.
//! - [`wait`]: waiting for a condition, a port or a closed connection, with a deadline.
//! - [`peer`]: peers' servers started and waited on until they listen; the rule for a
//!   missing peer (a note locally, a failure on CI).
//! - [`http`]: a minimal blocking HTTP/1.1 client that shows exactly the bytes on the
//!   wire, `methodCall` documents, and reading a reply's result.
//! - [`tls`]: the tests' own certificate authority, made with openssl.
//! - [`memory`]: peak resident memory (VmHWM) and its reset.
//! - [`xrpc`]: a running `xrpc serve`, stopped with Ctrl-C when dropped.
//! - [`apps`]: real applications (supervisord, rTorrent, nginx, lighttpd, HAProxy,
//!   tinyproxy, DokuWiki) in a temp folder.
//! - [`data`]: pseudo-random test data and SHA-256 digests.
//! - [`browser`]: headless Chromium driven by Python's selenium (chromedriver).
//! - [`deviant`]: reply documents with the deviations real peers make.

#![forbid(unsafe_code)]
// The helpers are assertions: a failure fails the calling test, with what was seen.
#![allow(clippy::panic, clippy::expect_used)]

pub mod apps;
pub mod browser;
pub mod data;
pub mod deviant;
pub mod http;
pub mod memory;
pub mod peer;
pub mod process;
pub mod tls;
pub mod wait;
pub mod xrpc;

/// A temporary folder, removed when dropped (tempfile's).
pub use tempfile::TempDir;

/// A temporary folder named for the test (`xmlrpc-kit-<name>-…`), removed when dropped.
///
/// ```
/// let dir = test_support::temp_dir("doc");
/// assert!(dir.path().is_dir());
/// ```
pub fn temp_dir(name: &str) -> TempDir {
    tempfile::Builder::new()
        .prefix(&format!("xmlrpc-kit-{name}-"))
        .tempdir()
        .expect("a temporary folder")
}
