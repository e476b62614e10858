//! The interoperability matrix: xmlrpc-kit's client and server against real XML-RPC
//! implementations that nobody here wrote — Python's standard library, xmlrpc-c, Ruby's
//! xmlrpc gem, Perl's XMLRPC::Lite and PHP's xmlrpc extension — in both directions.
//!
//! # Layout
//!
//! - [`cases`](mod@cases): the values carried across, by type, and how results are compared.
//! - `service`: the test server the peers' clients call (`interop.get`, `interop.check`,
//!   `echo`, faults, validator1, introspection, multicall); `interop-server` serves it.
//! - `drive`: both directions, the same for every peer.
//! - `peer`: the peers' programs (where they are, their versions, building the C ones);
//!   starting their servers and clients with deadlines and the missing-peer rule come from
//!   the workspace's `test-support`, re-exported here.
//! - `record`: each check's outcome, saved under `target/interop/`, and the report
//!   regenerated from them: `INTEROP.md` at the root when `INTEROP_WRITE=1` (as `.ci/run`
//!   sets), `target/interop/INTEROP.md` otherwise.
//!
//! The tests (`tests/*.rs`, one per peer) use all of these; the peers' programs are in
//! `peers/`.

pub mod cases;
mod drive;
mod peer;
mod record;
mod service;

pub use cases::{cases, describe, same, Case, KINDS};
pub use drive::{
    call_peer_server, judge_client_output, run_both, run_peer_client, run_scripts, Expect, Ours,
    ECHO_HELP, FAULT_CODE, FAULT_STRING, VALIDATOR1,
};
pub use peer::{build_c, peers_dir, version_of};
pub use record::{
    load, render, report_path, results_dir, workspace_root, Check, Direction, Outcome, PeerResults,
    Recorder,
};
pub use service::{check, test_server, with_validator1};
pub use test_support::peer::{available, have, PeerServer};
pub use test_support::process::run;
