//! Files through the `files.*` service, with our client: what arrives has the SHA-256 of
//! what left, both ways, for sizes around every threshold (the streamed-body threshold and
//! the spool threshold); large values are spooled to files, small ones stay in memory; a
//! streamed reply's `Blob` persists by rename; `Binary` handlers still get spooled values.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use xmlrpc_kit::client::{Client, Progress};
use xmlrpc_kit::http::Streaming;
use xmlrpc_kit::server::files::FileService;
use xmlrpc_kit::server::{Server, ServerConfig, ServerHandle};
use xmlrpc_kit::{Binary, Blob, Struct, Value};

const MIB: usize = 1 << 20;

fn sha256_file(path: &Path) -> String {
    let mut hasher = Sha256::new();
    std::io::copy(&mut std::fs::File::open(path).unwrap(), &mut hasher).unwrap();
    hex(&hasher.finalize())
}

fn sha256_blob(blob: &Blob) -> String {
    let mut hasher = Sha256::new();
    std::io::copy(&mut blob.open().unwrap(), &mut hasher).unwrap();
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes `len` pseudo-random bytes (seeded by `seed`) to `path`.
fn make_file(path: &Path, len: usize, seed: u64) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x = seed | 1;
    let mut left = len;
    let mut chunk = vec![0u8; 64 << 10];
    while left > 0 {
        for b in chunk.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let n = left.min(chunk.len());
        file.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    file.flush().unwrap();
}

struct Setup {
    dir: tempfile::TempDir,
    files: FileService,
    handle: ServerHandle,
    client: Client,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let files = FileService::new(dir.path().join("served")).unwrap();
    let config = ServerConfig::default()
        .max_body_size(4 << 30)
        .max_decompressed_size(4 << 30)
        .streaming(Streaming::default().spool_dir(files.spool_dir()));
    let server = files
        .mount(Server::new().config(config))
        .blocking_method("size_of", |data: Binary| data.len() as u64)
        .blocking_method("spooled", |data: Blob| data.is_spooled());
    let handle = server.spawn("127.0.0.1:0").unwrap();
    std::fs::create_dir_all(dir.path().join("local")).unwrap();
    let client = Client::builder(&handle.url())
        .timeout(None)
        .max_body_size(u64::MAX)
        .streaming(Streaming::default().spool_dir(dir.path().join("local")))
        .build()
        .unwrap();
    Setup {
        dir,
        files,
        handle,
        client,
    }
}

#[test]
fn files_of_every_size_around_the_thresholds_arrive_intact_both_ways() {
    let s = setup();
    // A body passes the 1 MiB stream threshold at about 786,000 bytes of file; a value
    // passes the 1 MiB spool threshold at 1 MiB.
    let sizes = [
        0,
        1,
        2,
        3,
        786_000,
        786_500,
        MIB - 1,
        MIB,
        MIB + 1,
        3 * MIB + 7,
    ];
    for (i, &size) in sizes.iter().enumerate() {
        let name = format!("dir/file-{size}");
        let local = s.dir.path().join(format!("up-{size}"));
        make_file(&local, size, i as u64 + 1);
        let want = sha256_file(&local);

        let stored: u64 = s
            .client
            .call("files.upload", (&name, Blob::from_file(&local).unwrap()))
            .unwrap();
        assert_eq!(stored, size as u64);
        assert_eq!(
            sha256_file(&s.files.root().join(&name)),
            want,
            "upload of {size}"
        );
        let stat: Struct = s.client.call("files.stat", (&name,)).unwrap();
        assert_eq!(stat["sha256"], Value::from(want.as_str()));

        let blob: Blob = s.client.call("files.download", (&name,)).unwrap();
        assert_eq!(blob.len(), size as u64);
        assert_eq!(sha256_blob(&blob), want, "download of {size}");
        assert_eq!(blob.is_spooled(), size > MIB, "spooled at {size}?");
        let back = s.dir.path().join("local").join(format!("down-{size}"));
        blob.persist(&back).unwrap();
        assert_eq!(sha256_file(&back), want);
    }
    // Nothing is left behind in either spool.
    assert_eq!(std::fs::read_dir(s.files.spool_dir()).unwrap().count(), 0);
    let leftovers: Vec<_> = std::fs::read_dir(s.dir.path().join("local"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    s.handle.shutdown().unwrap();
}

#[test]
fn a_large_value_is_spooled_on_the_server_and_still_reaches_a_bytes_handler() {
    let s = setup();
    let data = vec![0x5a; 2 * MIB + 3];
    assert!(s
        .client
        .call::<bool, _>("spooled", (Binary::from(data.clone()),))
        .unwrap());
    assert!(!s
        .client
        .call::<bool, _>("spooled", (Binary::from(vec![1; 1000]),))
        .unwrap());
    assert_eq!(
        s.client
            .call::<u64, _>("size_of", (Binary::from(data),))
            .unwrap(),
        2 * MIB as u64 + 3
    );
    // A file-backed blob sent to a bytes handler: streamed out, spooled in, loaded.
    let local = s.dir.path().join("f");
    make_file(&local, 5 * MIB, 9);
    assert_eq!(
        s.client
            .call::<u64, _>("size_of", (Blob::from_file(&local).unwrap(),))
            .unwrap(),
        5 * MIB as u64
    );
    s.handle.shutdown().unwrap();
}

#[test]
fn progress_is_reported_both_ways() {
    let s = setup();
    let local = s.dir.path().join("p");
    make_file(&local, 3 * MIB, 4);
    let seen = std::sync::Arc::new(std::sync::Mutex::new((0u64, 0u64)));
    let record = std::sync::Arc::clone(&seen);
    let client = Client::builder(&s.handle.url())
        .on_progress(move |t| {
            let mut seen = record.lock().unwrap();
            match t {
                Progress::Sent { bytes, total } => {
                    assert!(bytes <= total);
                    seen.0 = bytes;
                }
                Progress::Received { bytes, .. } => seen.1 = bytes,
                _ => {}
            }
        })
        .build()
        .unwrap();
    let _: u64 = client
        .call("files.upload", ("p", Blob::from_file(&local).unwrap()))
        .unwrap();
    assert_eq!(seen.lock().unwrap().0, 3 * MIB as u64);
    let blob: Blob = client.call("files.download", ("p",)).unwrap();
    assert_eq!(blob.len(), 3 * MIB as u64);
    assert!(seen.lock().unwrap().1 > 4 * MIB as u64, "base64 of 3 MiB");
    s.handle.shutdown().unwrap();
}

#[test]
fn ranged_reads_and_writes_resume_a_transfer() {
    let s = setup();
    let local = s.dir.path().join("r");
    make_file(&local, 2 * MIB + 11, 5);
    let data = std::fs::read(&local).unwrap();
    let mut offset = 0usize;
    for chunk in data.chunks(700_000) {
        let size: u64 = s
            .client
            .call(
                "files.write",
                ("r.bin", offset as u64, Binary::from(chunk.to_vec())),
            )
            .unwrap();
        offset += chunk.len();
        assert_eq!(size, offset as u64);
    }
    assert_eq!(
        sha256_file(&s.files.root().join("r.bin")),
        sha256_file(&local)
    );
    let mut back = Vec::new();
    loop {
        let piece: Binary = s
            .client
            .call("files.read", ("r.bin", back.len() as u64, 1_000_000u64))
            .unwrap();
        if piece.is_empty() {
            break;
        }
        back.extend_from_slice(&piece);
    }
    assert!(back == data);
    let err = s
        .client
        .call::<u64, _>(
            "files.write",
            ("r.bin", 10 * MIB as u64, Binary::from(vec![1])),
        )
        .unwrap_err();
    assert_eq!(err.fault().map(|f| f.code), Some(FileService::BAD_RANGE));
    s.handle.shutdown().unwrap();
}

/// Python's server reads a request by its `Content-Length` (it has no chunked decoding), so a
/// streamed upload that it accepts had the right length up front.
const PYTHON_SERVER: &str = r#"
import hashlib, sys, xmlrpc.client
from xmlrpc.server import SimpleXMLRPCServer
server = SimpleXMLRPCServer(("127.0.0.1", 0), logRequests=False)
server.register_function(lambda b: hashlib.sha256(b.data).hexdigest(), "digest")
server.register_function(lambda n: xmlrpc.client.Binary(bytes(i % 251 for i in range(n))), "make")
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

#[test]
fn python_accepts_a_streamed_upload_and_its_large_reply_is_spooled() {
    use std::io::BufRead;
    let mut child = std::process::Command::new("python3")
        .args(["-c", PYTHON_SERVER])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    let mut port = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut port)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Without gzip: Python would compress this reply below the streaming threshold.
    let client = Client::builder(&format!("http://127.0.0.1:{}", port.trim()))
        .accept_gzip(false)
        .streaming(Streaming::default().spool_dir(dir.path()))
        .build()
        .unwrap();

    let local = dir.path().join("up");
    make_file(&local, 5 * MIB + 2, 3);
    let digest: String = client
        .call("digest", (Blob::from_file(&local).unwrap(),))
        .unwrap();
    assert_eq!(digest, sha256_file(&local));

    let blob: Blob = client.call("make", (3 * MIB,)).unwrap();
    assert!(blob.is_spooled());
    let want: Vec<u8> = (0..3 * MIB).map(|i| (i % 251) as u8).collect();
    assert!(blob.to_vec().unwrap() == want);
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_fault_on_a_streamed_request_reaches_a_client_that_sends_everything_first() {
    // Python's client writes the whole body before it reads: the server must read the
    // rest of a refused body (within its limits) so the fault arrives instead of a reset.
    let s = setup();
    let script = r#"
import sys, xmlrpc.client
server = xmlrpc.client.ServerProxy(sys.argv[1])
try:
    server.no_such_method(xmlrpc.client.Binary(b"x" * 6_000_000))
except xmlrpc.client.Fault as fault:
    print(fault.faultCode)
try:
    server.size_of(xmlrpc.client.Binary(b"x" * 6_000_000), 1)
except xmlrpc.client.Fault as fault:
    print(fault.faultCode)
print(server.size_of(xmlrpc.client.Binary(b"y" * 6_000_000)))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, &s.handle.url()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "-32601\n-32602\n6000000\n"
    );
    s.handle.shutdown().unwrap();
}
