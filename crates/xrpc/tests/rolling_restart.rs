//! Rolling restarts behind real load balancers: three `xrpc serve` on one shared root,
//! HAProxy (round-robin, `/healthz` checks) and nginx (`proxy_pass` to an upstream of the
//! three) in front of them, and 16 clients making calls and uploads through both while each
//! instance in turn gets SIGTERM and is started again on its port. Zero failed calls, every
//! upload whole by SHA-256, every exit status 0, and an upload begun on one instance resumed
//! on another after that one restarted. Bounded in time; the figures are printed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use test_support::apps;
use test_support::process::{terminate, wait_exit};
use test_support::xrpc::Serve;
use xmlrpc_kit::client::Client;
use xmlrpc_kit::files::FileClient;
use xmlrpc_kit::Binary;

const INSTANCES: usize = 3;
/// Clients calling `add`, and clients uploading files; half of each through HAProxy,
/// half through nginx.
const CALLERS: usize = 12;
const UPLOADERS: usize = 4;
const UPLOAD: u64 = 3 << 20;
/// The whole test, start to end.
const LIMIT: Duration = Duration::from_secs(150);

fn start(root: &Path, port: u16) -> Serve {
    Serve::start_at(
        env!("CARGO_BIN_EXE_xrpc"),
        root,
        "--bind",
        &format!("127.0.0.1:{port}"),
        [
            "--drain-delay",
            "1",
            "--shutdown-grace",
            "30",
            "--metrics",
            "--trusted-proxy",
            "127.0.0.1",
        ],
    )
}

fn client(url: &str) -> Client {
    Client::builder(url)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

/// The `add` calls an instance has answered, from its `/metrics`.
fn served_adds(port: u16) -> u64 {
    let text = test_support::http::Conn::open(([127, 0, 0, 1], port).into())
        .request("GET", "/metrics", &[], b"")
        .text();
    text.lines()
        .find_map(|l| l.strip_prefix(r#"xmlrpc_calls_total{method="add",outcome="ok"} "#))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

#[derive(Default)]
struct Tally {
    calls: AtomicU64,
    /// Calls through HAProxy (the rest went through nginx).
    via_haproxy: AtomicU64,
    uploads: AtomicU64,
    failures: AtomicU64,
    errors: Mutex<Vec<String>>,
}

impl Tally {
    fn fail(&self, what: String) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut errors) = self.errors.lock() {
            if errors.len() < 10 {
                errors.push(what);
            }
        }
    }
}

#[test]
fn three_instances_restarted_one_by_one_behind_haproxy_and_nginx_lose_no_call() {
    for (program, package) in [("haproxy", "haproxy"), ("nginx", "nginx")] {
        if !test_support::peer::have(program) {
            test_support::peer::skip(program, package);
            return;
        }
    }
    let began = Instant::now();
    let dir = test_support::temp_dir("rolling");
    let root = dir.path().join("shared-files");
    let ports: Vec<u16> = (0..INSTANCES).map(|_| apps::free_port()).collect();
    let mut instances: Vec<Serve> = ports.iter().map(|&p| start(&root, p)).collect();

    let haproxy_dir = dir.path().join("haproxy");
    std::fs::create_dir_all(&haproxy_dir).unwrap();
    let haproxy = apps::haproxy(&haproxy_dir, &ports).unwrap();
    let nginx_dir = dir.path().join("nginx");
    std::fs::create_dir_all(&nginx_dir).unwrap();
    let upstream: String = ports
        .iter()
        .map(|p| format!("server 127.0.0.1:{p} max_fails=0; "))
        .collect();
    let nginx = apps::nginx_with(
        &nginx_dir,
        &format!("upstream xrpc {{ {upstream} keepalive 16; }}"),
        "location / {
            proxy_pass http://xrpc;
            proxy_http_version 1.1;
            proxy_set_header Connection \"\";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            client_max_body_size 0;
            proxy_read_timeout 300s;
            proxy_send_timeout 300s;
            proxy_next_upstream error non_idempotent;
            proxy_next_upstream_tries 3;
        }",
    )
    .unwrap();
    let fronts = [
        format!("http://127.0.0.1:{}/RPC2", haproxy.port()),
        format!("http://127.0.0.1:{}/RPC2", nginx.port()),
    ];
    // HAProxy sees every instance up before the load starts.
    for url in &fronts {
        assert!(test_support::wait::until(Duration::from_secs(10), || {
            client(url)
                .call::<i64, _>("add", (1, 2))
                .is_ok_and(|n| n == 3)
        }));
    }

    // The files to upload, and their SHA-256s.
    let files: Vec<(PathBuf, String)> = (0..UPLOADERS)
        .map(|i| {
            let path = dir.path().join(format!("upload-{i}.bin"));
            let sha = test_support::data::write_random_file(&path, UPLOAD, 19 + i as u64);
            (path, sha)
        })
        .collect();

    // An upload begun on instance 0 (its first megabyte), resumed later on instance 1.
    let (resumed_local, resumed_sha) = {
        let path = dir.path().join("resumed.bin");
        let sha = test_support::data::write_random_file(&path, 5 << 20, 7);
        (path, sha)
    };
    let first_mb = std::fs::read(&resumed_local).unwrap()[..1 << 20].to_vec();
    let written: u64 = client(&instances[0].url)
        .call("files.write", ("resumed.bin", 0u64, Binary::from(first_mb)))
        .unwrap();
    assert_eq!(written, 1 << 20);

    let tally = Arc::new(Tally::default());
    let done = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for c in 0..CALLERS {
        let url = fronts[c % 2].clone();
        let (tally, done) = (Arc::clone(&tally), Arc::clone(&done));
        workers.push(std::thread::spawn(move || {
            let client = client(&url);
            let mut i: i64 = 0;
            while !done.load(Ordering::Relaxed) {
                i += 1;
                match client.call::<i64, _>("add", (i, c as i64)) {
                    Ok(n) if n == i + c as i64 => {
                        tally.calls.fetch_add(1, Ordering::Relaxed);
                        if c % 2 == 0 {
                            tally.via_haproxy.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    other => tally.fail(format!("add via {url}: {other:?}")),
                }
            }
        }));
    }
    for (u, (local, sha)) in files.iter().cloned().enumerate() {
        let url = fronts[u % 2].clone();
        let (tally, done) = (Arc::clone(&tally), Arc::clone(&done));
        let root = root.clone();
        workers.push(std::thread::spawn(move || {
            let files = FileClient::new(Client::builder(&url).timeout(Duration::from_secs(60)));
            let mut n = 0;
            while !done.load(Ordering::Relaxed) {
                n += 1;
                let remote = format!("u{u}-{n}.bin");
                match files.upload(&local, &remote, |_| {}) {
                    Ok(t) if t.sha256 == sha => {
                        // What the shared folder holds is the whole file.
                        let stored = test_support::data::sha256_file(&root.join(&remote));
                        if stored == sha {
                            tally.uploads.fetch_add(1, Ordering::Relaxed);
                        } else {
                            tally.fail(format!("{remote} stored with SHA-256 {stored}"));
                        }
                    }
                    other => tally.fail(format!("upload via {url}: {other:?}")),
                }
            }
        }));
    }

    // Each instance in turn: SIGTERM, its exit status, started again on its port.
    let mut statuses = Vec::new();
    let mut restarts = Vec::new();
    let mut served = Vec::new();
    std::thread::sleep(Duration::from_secs(1));
    for i in 0..INSTANCES {
        let calls_before = tally.calls.load(Ordering::Relaxed);
        // Both balancers spread the calls: this instance has answered its share.
        served.push(served_adds(ports[i]));
        let stopped = Instant::now();
        assert!(terminate(&instances[i].child));
        let status = wait_exit(&mut instances[i].child, Duration::from_secs(40))
            .unwrap_or_else(|| panic!("instance {i} did not exit within 40 s of SIGTERM"));
        statuses.push(status.code());
        let took = stopped.elapsed();
        instances[i] = start(&root, ports[i]);
        restarts.push((took, stopped.elapsed()));
        // Time for HAProxy's check to see it up again, with calls going on meanwhile.
        std::thread::sleep(Duration::from_millis(1500));
        assert!(
            tally.calls.load(Ordering::Relaxed) > calls_before,
            "no call went through while instance {i} restarted"
        );
        assert!(began.elapsed() < LIMIT, "over {LIMIT:?}");
    }

    // The upload begun on instance 0 (restarted since) is finished on instance 1.
    let resumed =
        FileClient::new(Client::builder(&instances[1].url).timeout(Duration::from_secs(60)))
            .resume_upload(&resumed_local, "resumed.bin", |_| {})
            .unwrap();
    assert_eq!(resumed.sha256, resumed_sha);
    assert_eq!(
        test_support::data::sha256_file(&root.join("resumed.bin")),
        resumed_sha
    );

    done.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    // The restarted instances stop cleanly too.
    for (i, serve) in instances.iter_mut().enumerate() {
        assert!(terminate(&serve.child));
        let status = wait_exit(&mut serve.child, Duration::from_secs(40))
            .unwrap_or_else(|| panic!("restarted instance {i} did not exit"));
        statuses.push(status.code());
    }
    let calls = tally.calls.load(Ordering::Relaxed);
    let uploads = tally.uploads.load(Ordering::Relaxed);
    let failures = tally.failures.load(Ordering::Relaxed);
    let via_haproxy = tally.via_haproxy.load(Ordering::Relaxed);
    let restarts: Vec<String> = restarts
        .iter()
        .map(|(exit, back)| {
            format!(
                "exit {:.2}s, back {:.2}s",
                exit.as_secs_f64(),
                back.as_secs_f64()
            )
        })
        .collect();
    println!(
        "rolling restart: {} clients, {calls} calls ({via_haproxy} through HAProxy, {} through nginx; add calls each instance had answered before its SIGTERM, from its /metrics: {served:?}), {uploads} uploads of {} MiB, 1 resumed upload across instances, {failures} failures, exit statuses {statuses:?}, restarts [{}], {:.1} s",
        CALLERS + UPLOADERS,
        calls - via_haproxy,
        UPLOAD >> 20,
        restarts.join("; "),
        began.elapsed().as_secs_f64()
    );
    let errors = tally.errors.lock().unwrap().clone();
    assert_eq!(failures, 0, "failures: {errors:#?}");
    assert!(statuses.iter().all(|s| *s == Some(0)), "{statuses:?}");
    assert!(served.iter().all(|&n| n > 0), "{served:?}");
    assert!(
        calls > 100 && uploads >= UPLOADERS as u64,
        "{calls} calls, {uploads} uploads"
    );
    assert!(began.elapsed() < LIMIT);
}
