//! `xrpc serve` end to end: the seed's Python client code, unmodified, against the binary;
//! Python's MultiCall and introspection; an xmlrpc-c client (C, built here against
//! Debian's libxmlrpc-core-c3-dev) and xmlrpc-c's `xml-rpc-api2cpp` introspection tool.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use test_support::peer::{have, skip};
use test_support::process::wait_exit;

mod common;
use common::{python, Serve};

/// The seed's client, as the seed wrote it (with the URL from the command line).
const SEED_CLIENT: &str = r#"
import sys
import xmlrpc.client

server = xmlrpc.client.ServerProxy(sys.argv[1])
print(server.get_string("cloudox"))
print(server.add(8, 8))

with open("boy.jpg", "rb") as handle:
    binary_data = xmlrpc.client.Binary(handle.read())
server.image_put(binary_data)

with open("get_boy.jpg", "wb") as handle:
    handle.write(server.image_get().data)
"#;

#[test]
fn the_seed_client_runs_unmodified() {
    let serve = Serve::start("seed");
    let client_dir = serve.root.with_extension("client");
    std::fs::create_dir_all(&client_dir).unwrap();
    let picture: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(client_dir.join("boy.jpg"), &picture).unwrap();
    // The server's image_get serves its own boy.jpg.
    std::fs::write(serve.root.join("boy.jpg"), &picture[..1000]).unwrap();

    let out = python(SEED_CLIENT, &[&serve.url], &client_dir);
    assert_eq!(out, "get string:cloudox\n16\n");
    assert_eq!(
        std::fs::read(serve.root.join("get_girl.jpg")).unwrap(),
        picture
    );
    assert_eq!(
        std::fs::read(client_dir.join("get_boy.jpg")).unwrap(),
        &picture[..1000]
    );
    std::fs::remove_dir_all(&client_dir).unwrap();
}

#[test]
fn a_missing_boy_jpg_is_a_fault_that_says_so() {
    let serve = Serve::start("missing");
    let script = r#"
import sys, xmlrpc.client
try:
    xmlrpc.client.ServerProxy(sys.argv[1]).image_get()
except xmlrpc.client.Fault as f:
    print(f.faultString)
"#;
    let out = python(script, &[&serve.url], &std::env::temp_dir());
    assert!(
        out.contains("boy.jpg is not in the server's folder"),
        "{out}"
    );
}

#[test]
fn python_multicall_introspection_and_echo() {
    let serve = Serve::start("python");
    let script = r#"
import sys, xmlrpc.client
p = xmlrpc.client.ServerProxy(sys.argv[1], allow_none=True)
m = xmlrpc.client.MultiCall(p)
m.add(2, 3)
m.get_string("x")
m.echo({"k": [1, 2.5, None]})
print(list(m()))
print(p.system.listMethods())
print(p.system.methodHelp("get_string"))
print(p.system.methodSignature("add"))
print(p.add(1.5, 2), p.add("a", "b"), p.add([1], [2]))
"#;
    let out = python(script, &[&serve.url], &std::env::temp_dir());
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "[5, 'get string:x', {'k': [1, 2.5, None]}]");
    for name in [
        "'add'",
        "'echo'",
        "'get_string'",
        "'image_get'",
        "'image_put'",
        "'system.multicall'",
    ] {
        assert!(lines[1].contains(name), "{name} not in {}", lines[1]);
    }
    assert_eq!(
        lines[2],
        "Returns \"get string:\" followed by the given string."
    );
    assert_eq!(
        lines[3],
        "[['int', 'int', 'int'], ['double', 'double', 'double']]"
    );
    assert_eq!(lines[4], "3.5 ab [1, 2]");
}

#[test]
fn xmlrpc_c_client_against_xrpc_serve() {
    if !have("xmlrpc-c-config") {
        skip("xmlrpc-c", "libxmlrpc-core-c3-dev");
        return;
    }
    let exe = std::env::temp_dir().join(format!("xmlrpc_c_client-{}", std::process::id()));
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/xmlrpc_c_client.c");
    let built = Command::new("cc")
        .arg("-o")
        .arg(&exe)
        .arg(&source)
        .args(["-lxmlrpc_client", "-lxmlrpc", "-lxmlrpc_util"])
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let serve = Serve::start("xmlrpc-c");
    let out = Command::new(&exe).arg(&serve.url).output().unwrap();
    let _ = std::fs::remove_file(&exe);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().collect::<Vec<_>>(),
        [
            "add 16",
            "get_string get string:cloudox",
            "echo -7 x<&>y 0.25",
            "fault -32601",
            "methods 17",
            "multicall 3 get string:m",
        ]
    );
}

#[test]
fn xmlrpc_c_introspection_tool_reads_xrpc_serve() {
    if !have("xml-rpc-api2cpp") {
        skip("xml-rpc-api2cpp", "xmlrpc-api-utils");
        return;
    }
    let serve = Serve::start("api2cpp");
    let out = Command::new("xml-rpc-api2cpp")
        .args([&serve.url, "", "SeedProxy"])
        .output()
        .unwrap();
    let cpp = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{cpp}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(cpp.contains("class SeedProxy"), "{cpp}");
    assert!(cpp.contains("get_string"), "{cpp}");
    assert!(
        cpp.contains("Returns \"get string:\" followed by the given string."),
        "{cpp}"
    );
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let mut serve = Serve::start("ctrl-c");
    let status = Command::new("kill")
        .arg("-INT")
        .arg(serve.child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let exit = wait_exit(&mut serve.child, Duration::from_secs(5))
        .expect("xrpc serve still running 5 s after Ctrl-C");
    assert!(exit.success(), "{exit:?}");
}
