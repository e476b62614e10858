//! The `xrpc serve` tests' shorthands over the workspace's test support (`test-support`):
//! the binary under test as a running server, and Python.

#![allow(dead_code, unused_imports)]

pub(crate) use test_support::process::python_in as python;
pub(crate) use test_support::process::Run;

/// `xrpc ARGS…` (the binary under test) with nothing on stdin, run to its end within
/// `limit`: its exit code, stdout and stderr.
pub(crate) fn xrpc_run(args: &[&str], limit: std::time::Duration) -> Run {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_xrpc"));
    command.args(args);
    test_support::process::run_text(command, b"", limit)
}

/// A running `xrpc serve` of the binary under test in a fresh root folder, stopped with
/// Ctrl-C (SIGINT) when dropped ([`test_support::xrpc::Serve`], which has the fields).
pub(crate) struct Serve(test_support::xrpc::Serve);

impl Serve {
    pub(crate) fn start(name: &str) -> Serve {
        Serve(test_support::xrpc::Serve::start(
            env!("CARGO_BIN_EXE_xrpc"),
            name,
        ))
    }
}

impl std::ops::Deref for Serve {
    type Target = test_support::xrpc::Serve;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Serve {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}
