//! The server's Prometheus metrics (`GET /metrics` when [`ServerConfig::metrics`] is on):
//! calls, faults and latency per method, calls in flight, connections, bytes in and out,
//! and refusals by reason, kept with `prometheus-client` and written in its text format.
//!
//! [`ServerConfig::metrics`]: super::ServerConfig::metrics

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use std::collections::HashSet;
use std::time::Duration;

/// The label of a call to a method the server does not have: one series for all of them,
/// so that a client sending random names cannot grow the metrics without bound.
pub(crate) const UNKNOWN_METHOD: &str = "(unknown)";

/// Latency buckets, in seconds: from half a millisecond (a small call on loopback) to a
/// minute (a large file).
const BUCKETS: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
    60.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    method: String,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FaultLabels {
    method: String,
    code: i32,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

/// Why a request was refused before (or instead of) its call, as the `reason` label of
/// `xmlrpc_refusals_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The body (or its inflated form) is over a limit: 413.
    TooLarge,
    /// The body did not arrive in time: 408.
    Timeout,
    /// The body could not be read or decompressed: 400.
    BadBody,
    /// An unknown `Content-Encoding`: 415.
    Encoding,
    /// No valid credentials: 401.
    Unauthenticated,
    /// The `authorize` hook said no: fault -32001.
    NotAuthorized,
    /// No endpoint at that path: 404.
    NotFound,
    /// Not a POST (nor a GET of a page): 405.
    MethodNotAllowed,
    /// Over the client's call rate, or locked out after wrong passwords: 429.
    Throttled,
    /// A connection closed at once: its address has too many open.
    TooManyConnections,
    /// An idle or header-stage connection closed to make room for a new client.
    Shed,
    /// A browser's request from another site, or a browser's call that is not XML: 403/415.
    CrossSite,
}

impl Refusal {
    fn label(self) -> &'static str {
        match self {
            Refusal::TooLarge => "too_large",
            Refusal::Timeout => "timeout",
            Refusal::BadBody => "bad_body",
            Refusal::Encoding => "encoding",
            Refusal::Unauthenticated => "unauthenticated",
            Refusal::NotAuthorized => "not_authorized",
            Refusal::NotFound => "not_found",
            Refusal::MethodNotAllowed => "method_not_allowed",
            Refusal::Throttled => "throttled",
            Refusal::TooManyConnections => "too_many_connections",
            Refusal::Shed => "shed",
            Refusal::CrossSite => "cross_site",
        }
    }
}

/// Every metric the server keeps, and the registry that writes them.
pub(crate) struct Metrics {
    registry: Registry,
    calls: Family<CallLabels, Counter>,
    faults: Family<FaultLabels, Counter>,
    duration: Family<MethodLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    connections: Counter,
    open: Gauge,
    bytes_in: Counter,
    bytes_out: Counter,
    refusals: Family<ReasonLabels, Counter>,
    known: HashSet<String>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

impl Metrics {
    /// The metrics of a server with these methods (other names count as `(unknown)`).
    pub(crate) fn new(methods: impl IntoIterator<Item = String>) -> Metrics {
        let mut registry = Registry::default();
        let calls = Family::<CallLabels, Counter>::default();
        let faults = Family::<FaultLabels, Counter>::default();
        let duration = Family::<MethodLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            histogram as fn() -> Histogram,
        );
        let in_flight = Gauge::default();
        let connections = Counter::default();
        let open = Gauge::default();
        let bytes_in = Counter::default();
        let bytes_out = Counter::default();
        let refusals = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "xmlrpc_calls",
            "XML-RPC calls answered, by method and outcome (ok or fault)",
            calls.clone(),
        );
        registry.register(
            "xmlrpc_faults",
            "Faults answered, by method and fault code",
            faults.clone(),
        );
        registry.register_with_unit(
            "xmlrpc_call_duration",
            "Time from a call's first body byte to its reply, by method",
            Unit::Seconds,
            duration.clone(),
        );
        registry.register(
            "xmlrpc_calls_in_flight",
            "Calls being read, run or answered now",
            in_flight.clone(),
        );
        registry.register(
            "xmlrpc_connections",
            "Connections accepted",
            connections.clone(),
        );
        registry.register(
            "xmlrpc_connections_open",
            "Connections open now",
            open.clone(),
        );
        registry.register_with_unit(
            "xmlrpc_received",
            "Bytes read from HTTP connections (headers and bodies)",
            Unit::Bytes,
            bytes_in.clone(),
        );
        registry.register_with_unit(
            "xmlrpc_sent",
            "Bytes written to HTTP connections (headers and bodies)",
            Unit::Bytes,
            bytes_out.clone(),
        );
        registry.register(
            "xmlrpc_refusals",
            "Requests refused before or instead of their call, by reason",
            refusals.clone(),
        );
        Metrics {
            registry,
            calls,
            faults,
            duration,
            in_flight,
            connections,
            open,
            bytes_in,
            bytes_out,
            refusals,
            known: methods.into_iter().collect(),
        }
    }

    /// The label for `method`: its name when the server has it.
    fn label(&self, method: &str) -> String {
        if self.known.contains(method) {
            method.to_owned()
        } else {
            UNKNOWN_METHOD.to_owned()
        }
    }

    /// One call answered: its method, how long it took, and its fault code if it failed.
    pub(crate) fn call(&self, method: &str, elapsed: Duration, fault: Option<i32>) {
        let method = self.label(method);
        let outcome = if fault.is_some() { "fault" } else { "ok" };
        self.calls
            .get_or_create(&CallLabels {
                method: method.clone(),
                outcome,
            })
            .inc();
        if let Some(code) = fault {
            self.faults
                .get_or_create(&FaultLabels {
                    method: method.clone(),
                    code,
                })
                .inc();
        }
        self.duration
            .get_or_create(&MethodLabels { method })
            .observe(elapsed.as_secs_f64());
    }

    /// A request refused for `why`.
    pub(crate) fn refused(&self, why: Refusal) {
        self.refusals
            .get_or_create(&ReasonLabels {
                reason: why.label(),
            })
            .inc();
    }

    /// A call starts; the gauge goes down when the guard is dropped.
    pub(crate) fn call_started(&self) -> InFlightCall {
        self.in_flight.inc();
        InFlightCall(self.in_flight.clone())
    }

    /// A connection is accepted; the open gauge goes down when the guard is dropped.
    pub(crate) fn connection_opened(&self) -> OpenConnection {
        self.connections.inc();
        self.open.inc();
        OpenConnection(self.open.clone())
    }

    /// The byte counters, for a connection's socket to add to.
    pub(crate) fn traffic(&self) -> Traffic {
        Traffic {
            received: self.bytes_in.clone(),
            sent: self.bytes_out.clone(),
        }
    }

    /// The metrics in Prometheus's text format (version 0.0.4).
    pub(crate) fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        if let Err(e) =
            prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry)
        {
            tracing::warn!("cannot write the metrics: {e}");
        }
        out
    }
}

/// The bytes in and out counters, as a connection holds them.
#[derive(Debug, Clone)]
pub(crate) struct Traffic {
    received: Counter,
    sent: Counter,
}

impl Traffic {
    /// Bytes read from the connection.
    pub(crate) fn received(&self, bytes: usize) {
        self.received.inc_by(bytes as u64);
    }

    /// Bytes written to the connection.
    pub(crate) fn sent(&self, bytes: usize) {
        self.sent.inc_by(bytes as u64);
    }
}

/// Lowers the in-flight gauge when dropped.
pub(crate) struct InFlightCall(Gauge);

impl Drop for InFlightCall {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Lowers the open-connections gauge when dropped.
pub(crate) struct OpenConnection(Gauge);

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// The `Content-Type` of [`Metrics::render`]'s text.
pub(crate) const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_are_counted_per_method_and_unknown_names_share_one_series() {
        let metrics = Metrics::new(["add".to_owned()]);
        metrics.call("add", Duration::from_millis(1), None);
        metrics.call("add", Duration::from_millis(2), Some(-32602));
        metrics.call("nope1", Duration::from_millis(1), Some(-32601));
        metrics.call("nope2", Duration::from_millis(1), Some(-32601));
        metrics.refused(Refusal::TooLarge);
        let text = metrics.render();
        assert!(
            text.contains(r#"xmlrpc_calls_total{method="add",outcome="ok"} 1"#),
            "{text}"
        );
        assert!(text.contains(r#"xmlrpc_faults_total{method="add",code="-32602"} 1"#));
        assert!(text.contains(r#"xmlrpc_calls_total{method="(unknown)",outcome="fault"} 2"#));
        assert!(text.contains(r#"xmlrpc_call_duration_seconds_count{method="add"} 2"#));
        assert!(text.contains(r#"xmlrpc_refusals_total{reason="too_large"} 1"#));
        assert!(!text.contains("nope1"));
    }
}
