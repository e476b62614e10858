//! What a typed API costs: the same `add(8, 8)` through the generated blocking client and
//! `into_api()` server, and through `Client::call` and `Server::method`, in the same run,
//! one keep-alive connection each, rounds interleaved. It prints; it asserts no timing
//! (figures in BENCHMARKS.md, "Typed APIs"). Run with
//! `cargo test --release -p xmlrpc-kit --test typed_api_overhead -- --ignored --nocapture`.

#![cfg(feature = "macros")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Instant;
use xmlrpc_kit::{Client, Server};

#[xmlrpc_kit::api(namespace = "math")]
trait Calc: Send + Sync + 'static {
    /// Adds two integers.
    fn add(&self, x: i32, y: i32) -> i32;
}

struct Calculator;

impl Calc for Calculator {
    fn add(&self, x: i32, y: i32) -> i32 {
        x + y
    }
}

const ROUNDS: usize = 7;
const CALLS: u32 = 3000;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn per_call(calls: u32, mut call: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        call();
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(calls)
}

#[test]
#[ignore = "a measurement: run it with --ignored --nocapture (and --release)"]
fn typed_api_costs_no_more_than_call_and_method() {
    let plain_server = Server::new()
        .method("math.add", |x: i32, y: i32| x + y)
        .spawn("127.0.0.1:0")
        .unwrap();
    let typed_server = Server::new()
        .mount(Calculator.into_api())
        .spawn("127.0.0.1:0")
        .unwrap();
    let plain = Client::new(&plain_server.url()).unwrap();
    let typed = CalcBlockingClient::new(Client::new(&typed_server.url()).unwrap());
    // Warm up both connections and servers.
    for _ in 0..500 {
        assert_eq!(plain.call::<i32, _>("math.add", (8, 8)).unwrap(), 16);
        assert_eq!(typed.add(8, 8).unwrap(), 16);
    }
    let (mut plain_us, mut typed_us, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..ROUNDS {
        // Alternate which goes first, so neither always meets a warmer machine.
        let p = || {
            per_call(CALLS, || {
                black_box(plain.call::<i32, _>("math.add", (8, 8)).unwrap());
            })
        };
        let (a, b) = if round % 2 == 0 {
            let a = p();
            (
                a,
                per_call(CALLS, || {
                    black_box(typed.add(8, 8).unwrap());
                }),
            )
        } else {
            let b = per_call(CALLS, || {
                black_box(typed.add(8, 8).unwrap());
            });
            (p(), b)
        };
        plain_us.push(a);
        typed_us.push(b);
        ratios.push(b / a);
    }
    println!(
        "add(8, 8), {ROUNDS} rounds of {CALLS} sequential calls, one keep-alive connection each:"
    );
    println!(
        "  Client::call + Server::method:        median {:.1} µs/call (rounds {:?})",
        median(plain_us.clone()),
        plain_us
            .iter()
            .map(|v| (v * 10.0).round() / 10.0)
            .collect::<Vec<_>>()
    );
    println!(
        "  generated client + into_api() server: median {:.1} µs/call (rounds {:?})",
        median(typed_us.clone()),
        typed_us
            .iter()
            .map(|v| (v * 10.0).round() / 10.0)
            .collect::<Vec<_>>()
    );
    println!(
        "  typed / plain time, median of the rounds' ratios: {:.3}x",
        median(ratios)
    );
    drop(plain_server);
    drop(typed_server);
}
