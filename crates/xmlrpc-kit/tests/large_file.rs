//! A multi-hundred-MB file up and down through the `files.*` service, client and server in
//! this one process (a test binary of its own, so nothing else runs beside it): the SHA-256
//! of what arrives equals what left, each way, and the process's peak memory grows by far
//! less than the file. Size: `XMLRPC_LARGE_FILE_MB` (default 300).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;
use xmlrpc_kit::client::Client;
use xmlrpc_kit::http::Streaming;
use xmlrpc_kit::server::files::FileService;
use xmlrpc_kit::server::{Server, ServerConfig};
use xmlrpc_kit::Blob;

/// Peak resident memory of this process so far, in bytes (Linux).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn sha256_of(mut input: impl std::io::Read) -> String {
    let mut hasher = Sha256::new();
    std::io::copy(&mut input, &mut hasher).unwrap();
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `len` pseudo-random bytes to `path`, 64 KiB at a time, returning their SHA-256.
fn make_file(path: &Path, len: u64) -> String {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut hasher = Sha256::new();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut chunk = vec![0u8; 64 << 10];
    let mut left = len;
    while left > 0 {
        for word in chunk.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        let n = left.min(chunk.len() as u64) as usize;
        file.write_all(&chunk[..n]).unwrap();
        hasher.update(&chunk[..n]);
        left -= n as u64;
    }
    file.flush().unwrap();
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_multi_hundred_mb_file_goes_up_and_down_in_bounded_memory() {
    let mb: u64 = std::env::var("XMLRPC_LARGE_FILE_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let size = mb * 1_000_000 + 1; // not a multiple of 3: the last quad is padded
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("big.bin");
    let want = make_file(&local, size);

    let files = FileService::new(dir.path().join("served")).unwrap();
    let config = ServerConfig::default()
        .max_body_size(64 << 30)
        .max_decompressed_size(64 << 30)
        .streaming(Streaming::default().spool_dir(files.spool_dir()));
    let handle = files
        .mount(Server::new().config(config))
        .spawn("127.0.0.1:0")
        .unwrap();
    let client = Client::builder(&handle.url())
        .timeout(None)
        .max_body_size(u64::MAX)
        .streaming(Streaming::default().spool_dir(dir.path()))
        .build()
        .unwrap();
    // Warm up both sides (runtime threads, buffers, the connection), then take the baseline.
    let _: u64 = client
        .call("files.upload", ("warm", Blob::from(vec![1u8; 3 << 20])))
        .unwrap();
    let _: Blob = client.call("files.download", ("warm",)).unwrap();
    let before = peak_rss();

    let started = std::time::Instant::now();
    let stored: u64 = client
        .call(
            "files.upload",
            ("big.bin", Blob::from_file(&local).unwrap()),
        )
        .unwrap();
    let up = started.elapsed();
    let after_upload = peak_rss();
    assert_eq!(stored, size);
    let served = files.root().join("big.bin");
    assert_eq!(
        sha256_of(std::fs::File::open(&served).unwrap()),
        want,
        "upload"
    );

    let started = std::time::Instant::now();
    let blob: Blob = client.call("files.download", ("big.bin",)).unwrap();
    let down = started.elapsed();
    assert!(blob.is_spooled());
    assert_eq!(blob.len(), size);
    assert_eq!(sha256_of(blob.open().unwrap()), want, "download");
    let after = peak_rss();

    println!(
        "{size} bytes: up {:.2} s ({:.0} MB/s), down {:.2} s ({:.0} MB/s); peak RSS {:?} -> {:?} (after upload) -> {:?} MiB",
        up.as_secs_f64(),
        size as f64 / 1e6 / up.as_secs_f64(),
        down.as_secs_f64(),
        size as f64 / 1e6 / down.as_secs_f64(),
        before.map(|b| b >> 20),
        after_upload.map(|b| b >> 20),
        after.map(|b| b >> 20),
    );
    if let (Some(before), Some(after)) = (before, after) {
        // Client and server together, moving the file both ways: the growth of the peak
        // is bounded by buffers, not by the file.
        assert!(
            after.saturating_sub(before) < 64 << 20,
            "peak RSS grew by {} MiB moving {mb} MB",
            (after - before) >> 20
        );
    }
    handle.shutdown().unwrap();
}
