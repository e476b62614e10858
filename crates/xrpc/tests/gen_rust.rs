//! `xrpc gen rust` against three live servers — `xrpc serve` (real signatures), Python's
//! SimpleXMLRPCServer (none) and supervisord (`supervisor.*`, signatures from its
//! docstrings): the generated modules compile together in a scratch crate, whose program
//! calls each server through the generated blocking clients and prints what came back.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use test_support::apps::{self, Place};
use test_support::peer::{have, skip, PeerServer};
use test_support::process;

mod common;
use common::Serve;

/// A Python server with introspection and docstrings, but (as Python's always does) no
/// signatures.
const PYTHON_SERVER: &str = r#"
from xmlrpc.server import SimpleXMLRPCServer
s = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False, allow_none=True)
s.register_introspection_functions()
def add(x, y):
    """Adds x and y."""
    return x + y
def greet(name):
    """Says hello to name."""
    return "hello " + name
s.register_function(add)
s.register_function(greet)
print(s.server_address[1], flush=True)
s.serve_forever()
"#;

/// The scratch program: calls each server through its generated module.
const MAIN: &str = r#"
mod python;
mod seed;
mod supervisor;

use xmlrpc_kit::{Client, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let seed = seed::SeedBlockingClient::new(Client::new(&args[1])?);
    println!("seed get_string: {}", seed.get_string("cloudox".into())?);
    println!("seed add: {:?}", seed.add(Value::Int(8), Value::Int(8))?);
    println!("seed echo: {:?}", seed.echo(vec![Value::from("hi")])?);
    let listed = seed.files_list()?;
    println!("seed files.list: {}", listed.len());

    let python = python::PythonBlockingClient::new(Client::new(&args[2])?);
    println!("python add: {:?}", python.add(vec![Value::Int(2), Value::Int(3)])?);
    println!("python greet: {:?}", python.greet(vec![Value::from("you")])?);

    let supervisor = supervisor::SupervisorBlockingClient::new(Client::new(&args[3])?);
    let state = supervisor.get_state()?;
    println!("supervisor getState: {:?} {:?}", state["statecode"], state["statename"]);
    println!("supervisor getIdentification: {}", supervisor.get_identification()?);
    println!("supervisor getAllProcessInfo: {}", supervisor.get_all_process_info()?.len());
    Ok(())
}
"#;

fn gen(args: &[&str]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xrpc"));
    command.arg("gen").arg("rust").args(args);
    let run = process::run_text(command, b"", Duration::from_secs(30));
    assert!(
        (run.code == Some(0)),
        "xrpc gen rust {args:?}: {}",
        run.stderr
    );
    run.stdout
}

/// The scratch crate, beside the tests' other temporary files under the workspace's
/// target folder, and its own target folder there too (kept between runs, so xmlrpc-kit is
/// built for it once, not at every run).
fn scratch_crate(modules: &[(&str, String)]) -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.join("gen-rust-scratch");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let kit = Path::new(env!("CARGO_MANIFEST_DIR")).join("../xmlrpc-kit");
    let manifest = format!(
        "[package]\nname = \"gen-rust-scratch\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[workspace]\n\n[dependencies]\n\
         xmlrpc-kit = {{ path = {:?} }}\n",
        kit.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    // The workspace's lock file: the versions already built and downloaded.
    let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Cargo.lock");
    std::fs::copy(lock, dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();
    for (name, text) in modules {
        std::fs::write(dir.join(format!("src/{name}.rs")), text).unwrap();
    }
    dir
}

#[test]
fn generated_modules_compile_and_call_xrpc_serve_python_and_supervisord() {
    if !have("supervisord") {
        skip("supervisord", "supervisor");
        return;
    }
    let serve = Serve::start("gen-rust");
    let python = PeerServer::python(PYTHON_SERVER, &[]).unwrap();
    // supervisord where it listens by default: a Unix socket.
    let supervisord_dir = test_support::temp_dir("gen-supervisord");
    let socket = supervisord_dir.path().join("supervisor.sock");
    let _supervisord =
        apps::supervisord(supervisord_dir.path(), Place::Socket(socket.clone()), None).unwrap();
    let supervisord_url = format!("unix://{}", socket.display());

    let seed = gen(&[&serve.url, "--trait", "Seed"]);
    assert!(
        seed.contains("    /// Returns \"get string:\" followed by the given string.\n    fn get_string(&self, arg1: String) -> Result<String, xmlrpc_kit::Fault>;"),
        "{seed}"
    );
    assert!(
        seed.contains("    /// `double(double, double)`\n"),
        "{seed}"
    );
    let python_module = gen(&[&python.url("/RPC2"), "--trait", "Python"]);
    assert!(
        python_module.contains("    /// Adds x and y.\n    ///\n    /// The server gives no signature: the parameters go as a list of `Value`s.\n    #[xmlrpc(dynamic)]\n    fn add(&self, params: Vec<xmlrpc_kit::Value>)"),
        "{python_module}"
    );
    let supervisor = gen(&[&supervisord_url, "--namespace", "supervisor"]);
    assert!(
        supervisor.contains("#[xmlrpc_kit::api(namespace = \"supervisor\")]\npub trait Supervisor"),
        "{supervisor}"
    );
    assert!(
        supervisor.contains("    #[xmlrpc(name = \"getState\")]\n    fn get_state(&self) -> Result<xmlrpc_kit::Struct, xmlrpc_kit::Fault>;"),
        "{supervisor}"
    );
    assert!(!supervisor.contains("fn system"), "{supervisor}");

    let dir = scratch_crate(&[
        ("seed", seed),
        ("python", python_module),
        ("supervisor", supervisor),
    ]);
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("gen-rust-scratch-target");
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "--offline", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        // The generated code is built as users build it: warnings are errors.
        .env("RUSTFLAGS", "-D warnings");
    let built = process::run_text(build, b"", Duration::from_secs(1200));
    assert!(
        (built.code == Some(0)),
        "the scratch crate: {}",
        built.stderr
    );

    let mut program = Command::new(target.join("debug/gen-rust-scratch"));
    program.args([serve.url.clone(), python.url("/RPC2"), supervisord_url]);
    let run = process::run_text(program, b"", Duration::from_secs(60));
    assert!((run.code == Some(0)), "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "seed get_string: get string:cloudox\n\
         seed add: Int(16)\n\
         seed echo: String(\"hi\")\n\
         seed files.list: 0\n\
         python add: Int(5)\n\
         python greet: String(\"hello you\")\n\
         supervisor getState: Int(1) String(\"RUNNING\")\n\
         supervisor getIdentification: supervisor\n\
         supervisor getAllProcessInfo: 1\n"
    );
}
