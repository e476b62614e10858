//! `xrpc bench`: a load generator. N tasks, each with its own keep-alive connection, call one
//! method over and over through the library's `AsyncClient` for a fixed time, then print
//! calls per second, latency percentiles, faults and errors (as text, or one JSON object).
//!
//! The call is encoded anew each time and every reply is read in full and checked (well
//! formed, a result or a fault) without building a value tree, so the figures include what
//! the client must do per call, and nothing more. `--blocking` drives the blocking `Client`
//! instead, one OS thread per connection, each making its calls one after the other.

use crate::error::Error;
use crate::json;
use hdrhistogram::Histogram;
use serde::de::IgnoredAny;
use serde_json::{json, Value as Json};
use std::io::Write;
use std::time::{Duration, Instant};
use xmlrpc_kit::client::{self, AsyncClient, Client, ClientBuilder};
use xmlrpc_kit::Value;

/// What `xrpc bench --help` says about the parameters and the output.
pub(crate) const BENCH_HELP: &str = "\
--params takes a JSON array in the JSON form of `xrpc decode --help` (default [8, 8],
for the seed's add), or @FILE to read that array from a file (for large calls).

Output: the run's settings, then
  calls, calls/s       completed calls (results and faults) and their rate
  faults, errors       fault replies; failures with no reply (connection, HTTP, bad XML)
  latency p50..max     per call, from sending to the last byte of the reply checked
With --json, the same as one JSON object. The exit code is 1 only when no call got an
answer at all.";

/// The largest latency recorded exactly, in microseconds (longer ones are clamped to it).
const MAX_LATENCY_MICROS: u64 = 3_600_000_000;

/// Everything `xrpc bench` needs to run.
#[derive(Debug, Clone)]
pub(crate) struct Options {
    /// The server's URL as given.
    pub(crate) url: String,
    /// Extra request headers.
    pub(crate) headers: Vec<crate::args::Header>,
    /// Time allowed for one call; `None` keeps the library's default.
    pub(crate) timeout: Option<Duration>,
    /// Whether to ask for gzip replies.
    pub(crate) gzip: bool,
    /// The method called.
    pub(crate) method: String,
    /// Its parameters: JSON text, or `@FILE`.
    pub(crate) params: String,
    /// Concurrent connections (tasks, or threads with `blocking`).
    pub(crate) connections: usize,
    /// How long to keep calling.
    pub(crate) duration: Duration,
    /// Worker threads of the async runtime.
    pub(crate) threads: usize,
    /// Drive the blocking `Client` from one thread per connection.
    pub(crate) blocking: bool,
    /// Print one JSON object instead of text.
    pub(crate) json: bool,
}

/// What one connection saw.
struct Tally {
    latency: Histogram<u64>,
    calls: u64,
    faults: u64,
    errors: u64,
    first_fault: Option<String>,
    first_error: Option<client::Error>,
}

impl Tally {
    /// An empty tally: latencies to three significant digits from 1 µs to an hour.
    fn new() -> Result<Tally, Error> {
        let latency = Histogram::new_with_bounds(1, MAX_LATENCY_MICROS, 3)
            .map_err(|e| std::io::Error::other(format!("cannot make a histogram: {e}")))?;
        Ok(Tally {
            latency,
            calls: 0,
            faults: 0,
            errors: 0,
            first_fault: None,
            first_error: None,
        })
    }

    fn record(&mut self, result: Result<IgnoredAny, client::Error>, took: Duration) {
        match result {
            Ok(_) => self.calls += 1,
            Err(client::Error::Fault(xmlrpc_kit::Fault { code, string })) => {
                self.calls += 1;
                self.faults += 1;
                self.first_fault
                    .get_or_insert_with(|| format!("fault {code}: {string}"));
            }
            Err(e) => {
                self.errors += 1;
                self.first_error.get_or_insert(e);
                return;
            }
        }
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency
            .saturating_record(micros.clamp(1, MAX_LATENCY_MICROS));
    }

    fn merge(&mut self, other: Tally) {
        // Both histograms have the same bounds, so adding cannot fail.
        let _ = self.latency.add(&other.latency);
        self.calls += other.calls;
        self.faults += other.faults;
        self.errors += other.errors;
        if self.first_fault.is_none() {
            self.first_fault = other.first_fault;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }
}

/// The parameters from `--params`: a JSON array, or `@FILE` holding one.
fn parse_params(text: &str) -> Result<Vec<Value>, Error> {
    let text = match text.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path).map_err(|e| {
            std::io::Error::new(
                e.kind(),
                format!("cannot read the params file `{path}`: {e}"),
            )
        })?,
        None => text.to_owned(),
    };
    let json: Json = serde_json::from_str(&text)?;
    let Json::Array(items) = json else {
        return Err(json::ShapeError::new(format!(
            "--params takes a JSON array of the method's parameters, found {}",
            json::kind(&json)
        ))
        .into());
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| json::from_json(item).map_err(|e| e.in_index(i).into()))
        .collect()
}

/// The client settings every connection uses.
fn builder<C>(options: &Options) -> ClientBuilder<C> {
    let mut builder = ClientBuilder::new(&options.url).accept_gzip(options.gzip);
    if let Some(timeout) = options.timeout {
        builder = builder.timeout(timeout);
    }
    for header in &options.headers {
        builder = builder.header(&header.name, &header.value);
    }
    builder
}

/// `xrpc bench`: runs the load and prints what it measured.
pub(crate) fn bench(options: &Options, output: impl Write) -> Result<(), Error> {
    let params = parse_params(&options.params)?;
    let connections = options.connections.max(1);
    let (tally, elapsed) = if options.blocking {
        run_blocking(options, &params, connections)?
    } else {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(options.threads.max(1))
            .enable_all()
            .build()?;
        runtime.block_on(run_async(options, &params, connections))?
    };
    report(options, connections, &tally, elapsed, output)?;
    match tally.first_error {
        Some(e) if tally.calls == 0 => Err(e.into()),
        _ => Ok(()),
    }
}

async fn run_async(
    options: &Options,
    params: &[Value],
    connections: usize,
) -> Result<(Tally, Duration), Error> {
    // One client per task: each has its own pool, so each keeps exactly one connection.
    let clients = (0..connections)
        .map(|_| builder::<AsyncClient>(options).build())
        .collect::<Result<Vec<_>, _>>()?;
    let tallies = (0..connections)
        .map(|_| Tally::new())
        .collect::<Result<Vec<_>, _>>()?;
    let params: std::sync::Arc<[Value]> = params.into();
    let started = Instant::now();
    let deadline = started + options.duration;
    let tasks: Vec<_> = clients
        .into_iter()
        .zip(tallies)
        .map(|(client, mut tally)| {
            let method = options.method.clone();
            let params = std::sync::Arc::clone(&params);
            tokio::spawn(async move {
                loop {
                    let sent = Instant::now();
                    if sent >= deadline {
                        break;
                    }
                    let result = client.call::<IgnoredAny, _>(&method, &params[..]).await;
                    tally.record(result, sent.elapsed());
                }
                tally
            })
        })
        .collect();
    let mut total = Tally::new()?;
    for task in tasks {
        match task.await {
            Ok(tally) => total.merge(tally),
            Err(e) => return Err(std::io::Error::other(format!("a load task failed: {e}")).into()),
        }
    }
    Ok((total, started.elapsed()))
}

fn run_blocking(
    options: &Options,
    params: &[Value],
    connections: usize,
) -> Result<(Tally, Duration), Error> {
    let clients = (0..connections)
        .map(|_| builder::<Client>(options).build())
        .collect::<Result<Vec<Client>, _>>()?;
    let tallies = (0..connections)
        .map(|_| Tally::new())
        .collect::<Result<Vec<_>, _>>()?;
    let started = Instant::now();
    let deadline = started + options.duration;
    let tallies = std::thread::scope(|scope| {
        let threads: Vec<_> = clients
            .iter()
            .zip(tallies)
            .map(|(client, mut tally)| {
                scope.spawn(move || {
                    loop {
                        let sent = Instant::now();
                        if sent >= deadline {
                            break;
                        }
                        let result = client.call::<IgnoredAny, _>(&options.method, params);
                        tally.record(result, sent.elapsed());
                    }
                    tally
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join())
            .collect::<Vec<_>>()
    });
    let elapsed = started.elapsed();
    let mut total = Tally::new()?;
    for tally in tallies {
        match tally {
            Ok(tally) => total.merge(tally),
            Err(_) => return Err(std::io::Error::other("a load thread panicked").into()),
        }
    }
    Ok((total, elapsed))
}

/// Milliseconds of a latency in microseconds.
fn ms(micros: u64) -> f64 {
    micros as f64 / 1e3
}

fn report(
    options: &Options,
    connections: usize,
    tally: &Tally,
    elapsed: Duration,
    mut output: impl Write,
) -> Result<(), Error> {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        tally.calls as f64 / seconds
    } else {
        0.0
    };
    let h = &tally.latency;
    let (p50, p90, p99, max) = if tally.calls > 0 {
        (
            h.value_at_quantile(0.50),
            h.value_at_quantile(0.90),
            h.value_at_quantile(0.99),
            h.max(),
        )
    } else {
        (0, 0, 0, 0)
    };
    let client = if options.blocking {
        "blocking"
    } else {
        "async"
    };
    let first_error = tally.first_error.as_ref().map(ToString::to_string);
    if options.json {
        let report = json!({
            "url": options.url,
            "method": options.method,
            "client": client,
            "connections": connections,
            "seconds": seconds,
            "calls": tally.calls,
            "calls_per_second": rate,
            "faults": tally.faults,
            "errors": tally.errors,
            "latency_ms": { "p50": ms(p50), "p90": ms(p90), "p99": ms(p99), "max": ms(max) },
            "first_fault": tally.first_fault,
            "first_error": first_error,
        });
        serde_json::to_writer(&mut output, &report)?;
        writeln!(output)?;
    } else {
        writeln!(output, "url:          {}", options.url)?;
        writeln!(output, "method:       {}", options.method)?;
        writeln!(output, "client:       {client}, {connections} connections")?;
        writeln!(output, "duration:     {seconds:.2} s")?;
        writeln!(output, "calls:        {}", tally.calls)?;
        writeln!(output, "calls/s:      {rate:.1}")?;
        writeln!(output, "faults:       {}", tally.faults)?;
        writeln!(output, "errors:       {}", tally.errors)?;
        writeln!(output, "latency p50:  {:.3} ms", ms(p50))?;
        writeln!(output, "latency p90:  {:.3} ms", ms(p90))?;
        writeln!(output, "latency p99:  {:.3} ms", ms(p99))?;
        writeln!(output, "latency max:  {:.3} ms", ms(max))?;
        if let Some(fault) = &tally.first_fault {
            writeln!(output, "first fault:  {fault}")?;
        }
        if let Some(error) = &first_error {
            writeln!(output, "first error:  {error}")?;
        }
    }
    output.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_a_json_array_or_a_file() {
        assert_eq!(
            parse_params("[8, 8]").unwrap(),
            [Value::Int(8), Value::Int(8)]
        );
        assert!(parse_params("[]").unwrap().is_empty());
        let e = parse_params("{\"a\": 1}").unwrap_err().to_string();
        assert!(e.contains("takes a JSON array"), "{e}");
        let e = parse_params("[1, {\"base64\": \"!\"}]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("[1]"), "{e}");
        let path = std::env::temp_dir().join(format!("xrpc-bench-{}.json", std::process::id()));
        std::fs::write(&path, "[\"x\", [1, 2]]").unwrap();
        let params = parse_params(&format!("@{}", path.display()));
        let _ = std::fs::remove_file(&path);
        assert_eq!(
            params.unwrap(),
            [
                Value::from("x"),
                Value::Array(vec![Value::Int(1), Value::Int(2)])
            ]
        );
        let e = parse_params("@/no/such/params.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read the params file"), "{e}");
    }

    #[test]
    fn tallies_count_faults_as_answers_and_errors_apart() {
        let mut a = Tally::new().unwrap();
        a.record(Ok(IgnoredAny), Duration::from_micros(100));
        a.record(
            Err(client::Error::Fault(xmlrpc_kit::Fault::new(4, "Too many"))),
            Duration::from_micros(300),
        );
        let mut b = Tally::new().unwrap();
        b.record(Ok(IgnoredAny), Duration::from_millis(2));
        b.record(
            Err(client::Error::Url {
                url: "x".into(),
                reason: "bad".into(),
            }),
            Duration::from_secs(1),
        );
        a.merge(b);
        assert_eq!((a.calls, a.faults, a.errors), (3, 1, 1));
        assert_eq!(a.latency.len(), 3);
        assert_eq!(a.first_fault.as_deref(), Some("fault 4: Too many"));
        assert!(a.first_error.is_some());
        assert!(a.latency.max() >= 1990 && a.latency.max() <= 2010);
    }
}
