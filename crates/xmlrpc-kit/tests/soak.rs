//! Soak: many clients making mixed calls (small calls, structs, uploads and downloads of up
//! to 2 MiB, multicalls, gzip both ways, faults on purpose) against one server for a bounded
//! time, with no error, no lost or corrupted upload, and flat memory once warm.
//!
//! `XMLRPC_SOAK_SECS` sets the duration (default 60, as CI runs it), `XMLRPC_SOAK_CLIENTS`
//! the number of client threads (default 16). The figures are printed at the end
//! (`cargo test --test soak -- --nocapture`), and written to `target/soak-report.txt`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use xmlrpc_kit::client::Client;
use xmlrpc_kit::server::{Server, ServerConfig};
use xmlrpc_kit::{Binary, Fault, Struct, Value};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A field of /proc/self/status, in KiB (the server runs in this process).
fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// FNV-1a: the server's and the client's view of an upload must agree.
fn fnv(bytes: &[u8]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash as i64
}

/// Deterministic bytes for client `id`'s `n`th upload.
fn payload(id: u64, n: u64, len: usize) -> Vec<u8> {
    let mut state = id.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ n;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[derive(Default)]
struct Counts {
    calls: AtomicU64,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
    uploads: AtomicU64,
}

fn server() -> Server {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("echo", |v: Value| v)
        .method("fail", |code: i32| {
            Err::<i32, _>(Fault::new(code, "as asked"))
        })
        .blocking_method("upload", |data: Binary| {
            let bytes = data.as_slice();
            (bytes.len() as i64, fnv(bytes))
        })
        .blocking_method("download", |id: u64, n: u64, len: u32| {
            Binary::from(payload(id, n, len as usize))
        })
        .async_method("nap", |ms: u64| async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            ms
        })
        .with_multicall()
        .with_introspection()
        .config(ServerConfig::default().call_timeout(Duration::from_secs(30)))
}

/// One client's loop: a mix of calls until `stop`.
fn client_loop(url: String, id: u64, stop: Arc<AtomicBool>, counts: Arc<Counts>) {
    let client = Client::builder(&url)
        .gzip_above(if id.is_multiple_of(2) {
            Some(4096)
        } else {
            None
        })
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        match n % 10 {
            0..=2 => {
                let x = (id * 1000 + n) as i32;
                assert_eq!(client.call::<i32, _>("add", (x, 7)).unwrap(), x + 7);
            }
            3 => {
                let mut s = Struct::new();
                s.insert("id".into(), Value::Int(id as i32));
                s.insert("text".into(), Value::from("<&> ünïcode ✓".repeat(20)));
                s.insert(
                    "list".into(),
                    Value::Array((0..50).map(|i| Value::Double(f64::from(i) / 3.0)).collect()),
                );
                let v = Value::Struct(s);
                assert_eq!(client.call::<Value, _>("echo", (v.clone(),)).unwrap(), v);
            }
            4 | 5 => {
                // Uploads from 1 KiB to 256 KiB, and every 50th of 2 MiB (the streamed path).
                let len = if n % 50 == 4 {
                    2 << 20
                } else {
                    1024 << (n % 9)
                };
                let data = payload(id, n, len);
                let expected = (len as i64, fnv(&data));
                let got: (i64, i64) = client.call("upload", (Binary::from(data),)).unwrap();
                assert_eq!(got, expected, "client {id} upload {n} was lost or changed");
                counts.uploads.fetch_add(1, Ordering::Relaxed);
                counts.bytes_up.fetch_add(len as u64, Ordering::Relaxed);
            }
            6 => {
                let len = 4096u32 << (n % 7);
                let got: Binary = client.call("download", (id, n, len)).unwrap();
                assert!(
                    got.as_slice() == payload(id, n, len as usize).as_slice(),
                    "client {id} download {n} differs"
                );
                counts
                    .bytes_down
                    .fetch_add(u64::from(len), Ordering::Relaxed);
            }
            7 => {
                let mut batch = client.multicall();
                for i in 0..10 {
                    batch.add("add", (i, i)).unwrap();
                }
                let results = batch.send().unwrap();
                assert_eq!(results.len(), 10);
                for (i, r) in results.into_iter().enumerate() {
                    assert_eq!(r.unwrap(), Value::Int(2 * i as i32));
                }
            }
            8 => {
                let err = client.call::<i32, _>("fail", (42,)).unwrap_err();
                assert_eq!(err.fault().map(|f| f.code), Some(42));
            }
            _ => {
                assert_eq!(client.call::<u64, _>("nap", (2u64,)).unwrap(), 2);
            }
        }
        counts.calls.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn soak_mixed_calls_from_many_clients() {
    let secs = env_u64("XMLRPC_SOAK_SECS", 60);
    let clients = env_u64("XMLRPC_SOAK_CLIENTS", 16);
    let handle = server().spawn("127.0.0.1:0").unwrap();
    let url = handle.url();
    let counts = Arc::new(Counts::default());
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let threads: Vec<_> = (0..clients)
        .map(|id| {
            let (url, stop, counts) = (url.clone(), Arc::clone(&stop), Arc::clone(&counts));
            std::thread::Builder::new()
                .name(format!("soak-client-{id}"))
                .spawn(move || client_loop(url, id, stop, counts))
                .unwrap()
        })
        .collect();

    // Warm-up: a fifth of the run (allocator pools, connection pools, thread pools).
    let warm_up = Duration::from_secs(secs) / 5;
    let deadline = started + Duration::from_secs(secs);
    let mut samples = Vec::new();
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(500));
        if threads.iter().any(|t| t.is_finished()) {
            break; // a client failed: stop and report it below
        }
        if started.elapsed() >= warm_up {
            samples.push(status_kib("VmRSS:"));
        }
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        if let Err(panic) = t.join() {
            std::panic::resume_unwind(panic);
        }
    }
    let took = started.elapsed();
    let calls = counts.calls.load(Ordering::Relaxed);
    let after_warm_up = samples.first().copied().unwrap_or(0);
    let end = samples.last().copied().unwrap_or(0);
    let max_after = samples.iter().copied().max().unwrap_or(0);
    // Resident size at each tenth of the sampled span, to see a trend rather than a point.
    let trace: Vec<String> = (0..=10)
        .filter_map(|i| samples.get((samples.len().saturating_sub(1)) * i / 10))
        .map(|kib| (kib >> 10).to_string())
        .collect();
    let report = format!(
        "soak: {secs} s requested, {:.1} s run, {clients} clients, {calls} calls ({:.0}/s), {} uploads, {} MiB up, {} MiB down; RSS after warm-up {} MiB, at end {} MiB, highest after warm-up {} MiB, peak (VmHWM) {} MiB; RSS by tenths after warm-up (MiB): {}\n",
        took.as_secs_f64(),
        calls as f64 / took.as_secs_f64(),
        counts.uploads.load(Ordering::Relaxed),
        counts.bytes_up.load(Ordering::Relaxed) >> 20,
        counts.bytes_down.load(Ordering::Relaxed) >> 20,
        after_warm_up >> 10,
        end >> 10,
        max_after >> 10,
        status_kib("VmHWM:") >> 10,
        trace.join(" "),
    );
    eprint!("{report}");
    let target = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    let _ = std::fs::write(target.join("soak-report.txt"), &report);

    assert!(calls > clients * 10, "too few calls: {report}");
    // Flat: once warm, resident memory grows by no more than 64 MiB (or half) over the run.
    let allowed = (after_warm_up / 2).max(64 << 10);
    assert!(
        max_after <= after_warm_up + allowed,
        "memory grew after warm-up: {report}"
    );
    // And the server still answers promptly.
    let client = Client::new(&url).unwrap();
    let t = Instant::now();
    assert_eq!(client.call::<i32, _>("add", (1, 2)).unwrap(), 3);
    assert!(t.elapsed() < Duration::from_secs(1));
}
