//! Files through `xrpc serve`: Python's client through the seed's image methods and the
//! `files.*` service (whole and ranged, resuming), every path escape refused with nothing
//! outside the root read or written, an upload cut off mid-body leaving no file, and
//! `xrpc upload` / `download` moving a large file while the server's memory stays flat.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{python, Serve};
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use test_support::data::random_bytes as bytes;
use test_support::wait;

fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

const PYTHON_WHOLE: &str = r#"
import hashlib, sys, xmlrpc.client
server = xmlrpc.client.ServerProxy(sys.argv[1])

# The seed's methods, with a file above the streaming and spooling thresholds.
with open("boy.jpg", "rb") as f:
    picture = f.read()
assert server.image_put(xmlrpc.client.Binary(picture)) is True
assert server.image_get().data == picture[:4000]

# files.*: upload, list, stat (SHA-256), download, delete.
data = bytes((i * 7 + 3) % 256 for i in range(3_000_001))
assert server.files.upload("docs/a.bin", xmlrpc.client.Binary(data)) == len(data)
names = [f["name"] for f in server.files.list()]
assert "docs/a.bin" in names and "get_girl.jpg" in names, names
stat = server.files.stat("docs/a.bin")
assert stat["size"] == len(data), stat
assert stat["sha256"] == hashlib.sha256(data).hexdigest(), stat
assert server.files.download("docs/a.bin").data == data
assert server.files.delete("docs/a.bin") is True
try:
    server.files.stat("docs/a.bin")
    raise SystemExit("stat of a deleted file answered")
except xmlrpc.client.Fault as fault:
    assert fault.faultCode == 2, fault
print("ok")
"#;

#[test]
fn python_moves_files_through_the_seed_methods_and_the_file_service() {
    let serve = Serve::start("files-py");
    let client_dir = serve.root.with_extension("client");
    std::fs::create_dir_all(&client_dir).unwrap();
    let picture = bytes(5_000_000, 7);
    std::fs::write(client_dir.join("boy.jpg"), &picture).unwrap();
    std::fs::write(serve.root.join("boy.jpg"), &picture[..4000]).unwrap();

    assert_eq!(python(PYTHON_WHOLE, &[&serve.url], &client_dir), "ok\n");
    assert!(std::fs::read(serve.root.join("get_girl.jpg")).unwrap() == picture);
    let _ = std::fs::remove_dir_all(&client_dir);
}

const PYTHON_RANGED: &str = r#"
import hashlib, sys, xmlrpc.client
server = xmlrpc.client.ServerProxy(sys.argv[1])
data = bytes((i * 13 + 1) % 251 for i in range(5_000_003))
chunk = 1 << 20

# Upload in chunks, "interrupted" after two of them...
for offset in (0, chunk):
    server.files.write("big.bin", offset, xmlrpc.client.Binary(data[offset:offset + chunk]))
# ...then resumed from the size the server has.
offset = server.files.stat("big.bin")["size"]
assert offset == 2 * chunk, offset
while offset < len(data):
    offset = server.files.write("big.bin", offset, xmlrpc.client.Binary(data[offset:offset + chunk]))
assert server.files.stat("big.bin")["sha256"] == hashlib.sha256(data).hexdigest()

# Download in chunks, resuming the same way.
got = bytearray()
while True:
    piece = server.files.read("big.bin", len(got), chunk).data
    if not piece:
        break
    got += piece
assert bytes(got) == data
print("ok")
"#;

#[test]
fn python_uploads_and_downloads_in_chunks_through_the_ranged_api() {
    let serve = Serve::start("files-ranged");
    assert_eq!(python(PYTHON_RANGED, &[&serve.url], &serve.root), "ok\n");
}

const PYTHON_ESCAPES: &str = r#"
import sys, xmlrpc.client
server = xmlrpc.client.ServerProxy(sys.argv[1])
names = sys.argv[2:]
payload = xmlrpc.client.Binary(b"pwned")
calls = [
    ("files.upload", lambda n: server.files.upload(n, payload)),
    ("files.write", lambda n: server.files.write(n, 0, payload)),
    ("files.download", lambda n: server.files.download(n)),
    ("files.read", lambda n: server.files.read(n, 0, 100)),
    ("files.stat", lambda n: server.files.stat(n)),
    ("files.delete", lambda n: server.files.delete(n)),
]
for name in names:
    for method, call in calls:
        try:
            result = call(name)
            print(f"ANSWERED {method} {name!r}: {result!r}")
        except xmlrpc.client.Fault as fault:
            print(f"fault {fault.faultCode} {method}")
"#;

#[test]
fn every_path_escape_is_refused_and_nothing_outside_the_root_is_touched() {
    // The root in a folder of its own, so that what appears beside it can only be the
    // server's doing (not another test's or a compiler's files in the system temp dir).
    let dir = test_support::temp_dir("files-escape");
    let serve = test_support::xrpc::Serve::start_in(
        env!("CARGO_BIN_EXE_xrpc"),
        &dir.path().join("root"),
        [] as [&str; 0],
    );
    let outside = serve.root.with_extension("outside");
    let _ = std::fs::remove_dir_all(&outside);
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret"), b"secret").unwrap();
    std::os::unix::fs::symlink(&outside, serve.root.join("link")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret"), serve.root.join("secret-link")).unwrap();
    let parent_before: Vec<_> = std::fs::read_dir(serve.root.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();

    let outside_name = outside.file_name().unwrap().to_str().unwrap().to_owned();
    let escapes = [
        format!("../{outside_name}/secret"),
        format!("a/../../{outside_name}/secret"),
        format!("{}/secret", outside.display()),
        "/etc/passwd".to_owned(),
        "link/secret".to_owned(),
        "link/new-file".to_owned(),
        "secret-link".to_owned(),
        "..".to_owned(),
        ".".to_owned(),
        String::new(),
        "a//b".to_owned(),
        ".xmlrpc-spool/x".to_owned(),
        ".hidden".to_owned(),
        "NUL".to_owned(),
        "com1.txt".to_owned(),
        "a\\..\\b".to_owned(),
        "c:/windows".to_owned(),
    ];
    let mut args = vec![serve.url.as_str()];
    args.extend(escapes.iter().map(String::as_str));
    let out = python(PYTHON_ESCAPES, &args, &serve.root);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), escapes.len() * 6, "{out}");
    for line in &lines {
        assert!(
            line.starts_with("fault 1 "),
            "not refused as a bad name: {line}"
        );
    }
    // Nothing outside was written, deleted or created; the secret is intact.
    let outside_now: Vec<_> = std::fs::read_dir(&outside)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside_now, ["secret"]);
    assert_eq!(std::fs::read(outside.join("secret")).unwrap(), b"secret");
    let parent_now: Vec<_> = std::fs::read_dir(serve.root.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !parent_before.contains(n))
        .collect();
    assert!(
        parent_now
            .iter()
            .all(|n| n.to_string_lossy().contains(".tmp")),
        "new entries beside the root: {parent_now:?}"
    );
    let _ = std::fs::remove_dir_all(&outside);
}

#[test]
fn an_upload_cut_off_mid_body_leaves_no_file() {
    let serve = Serve::start("files-cut");
    let address = serve
        .url
        .trim_start_matches("http://")
        .trim_end_matches("/RPC2")
        .to_owned();
    let head = "<?xml version=\"1.0\"?><methodCall><methodName>files.upload</methodName>\
        <params><param><value><string>victim.bin</string></value></param>\
        <param><value><base64>";
    let base64_text = "QUJD".repeat(1_000_000); // 4 MB of base64, then the body stops
    let mut stream = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stream,
        "POST /RPC2 HTTP/1.1\r\nHost: {address}\r\nContent-Type: text/xml\r\nContent-Length: 20000000\r\n\r\n{head}"
    )
    .unwrap();
    stream.write_all(base64_text.as_bytes()).unwrap();
    stream.flush().unwrap();
    // The spool file exists while the body arrives...
    let spool = serve.root.join(".xmlrpc-spool");
    let spooled = || std::fs::read_dir(&spool).map_or(0, Iterator::count);
    wait::until(Duration::from_secs(10), || spooled() > 0);
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 1);
    drop(stream); // ...and the client goes away mid-body.

    wait::until(Duration::from_secs(10), || spooled() == 0);
    assert_eq!(
        std::fs::read_dir(&spool).unwrap().count(),
        0,
        "the spool file is removed"
    );
    assert!(!serve.root.join("victim.bin").exists());
    let listed: Vec<_> = std::fs::read_dir(&serve.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(listed, [".xmlrpc-spool"], "only the (empty) spool folder");
}

#[test]
fn xrpc_upload_and_download_move_a_large_file_while_the_server_stays_small() {
    let serve = Serve::start("files-big");
    let work = serve.root.with_extension("work");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let local = work.join("big.bin");
    {
        let mut file = std::io::BufWriter::new(std::fs::File::create(&local).unwrap());
        for i in 0..200u64 {
            file.write_all(&bytes(1_000_000, i + 1)).unwrap();
        }
    }
    let want = sha256_hex(&local);
    let xrpc = env!("CARGO_BIN_EXE_xrpc");
    let up = Command::new(xrpc)
        .args(["upload", &serve.url])
        .arg(&local)
        .arg("stored.bin")
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let text = String::from_utf8(up.stdout).unwrap();
    assert!(text.contains(&format!("sha256 {want} verified")), "{text}");
    assert_eq!(sha256_hex(&serve.root.join("stored.bin")), want);

    let back = work.join("back.bin");
    let down = Command::new(xrpc)
        .args(["download", &serve.url, "stored.bin"])
        .arg(&back)
        .output()
        .unwrap();
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    assert_eq!(sha256_hex(&back), want);
    // No progress bar drawn into a pipe.
    assert!(
        down.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );

    let peak = test_support::memory::peak_kib_of(serve.child.id()).unwrap() * 1024;
    println!(
        "server peak RSS after 200 MB up and down: {} MiB",
        peak >> 20
    );
    assert!(peak < 64 << 20, "server peak RSS {} MiB", peak >> 20);
    let _ = std::fs::remove_dir_all(&work);
}
