//! Helpers shared by the fuzz targets: value comparison that treats NaN as equal to NaN,
//! re-encoding of whatever the reader produced, the one tokio runtime the targets that drive
//! the server or the client run on, and one connection's exchange over an in-memory pipe.

use xmlrpc_kit::codec::{self, MethodCall, MethodResponse};
use xmlrpc_kit::{Error, Value};

/// Structural equality where two NaN doubles are equal and other doubles must have the same
/// bits (so `-0.0` and `0.0` differ: the writer keeps the sign). Struct members are compared in
/// order, which the reader and writer both preserve.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Double(x), Value::Double(y)) => {
            (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits()
        }
        (Value::Array(xs), Value::Array(ys)) => same_values(xs, ys),
        (Value::Struct(xs), Value::Struct(ys)) => {
            xs.len() == ys.len()
                && xs
                    .iter()
                    .zip(ys)
                    .all(|((kx, vx), (ky, vy))| kx == ky && same_value(vx, vy))
        }
        _ => a == b,
    }
}

/// [`same_value`] over two lists.
pub fn same_values(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
}

/// [`same_value`] for whole calls.
pub fn same_call(a: &MethodCall, b: &MethodCall) -> bool {
    a.method_name == b.method_name && same_values(&a.params, &b.params)
}

/// [`same_value`] for whole responses.
pub fn same_response(a: &MethodResponse, b: &MethodResponse) -> bool {
    match (a, b) {
        (MethodResponse::Params(x), MethodResponse::Params(y)) => same_values(x, y),
        // The writer writes a fault's numeric code: a code the peer sent as text
        // (`code_text`, a deviation the reader tolerates) comes back as its number.
        (MethodResponse::Fault(x), MethodResponse::Fault(y)) => {
            x.code == y.code && x.string == y.string
        }
        _ => false,
    }
}

/// Both `Ok` with the same value (by `same`), or both `Err`.
pub fn same_outcome<T>(
    a: &Result<T, Error>,
    b: &Result<T, Error>,
    same: impl Fn(&T, &T) -> bool,
) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => same(x, y),
        (Err(_), Err(_)) => true,
        _ => false,
    }
}

/// A call written back by the library's writer.
pub fn encode_call(call: &MethodCall) -> Result<Vec<u8>, Error> {
    codec::call_to_vec(&call.method_name, &call.params)
}

/// A response written back by the library's writer. `response_to_vec` writes exactly one
/// result, so any other number of params is framed here around `write_value`.
pub fn encode_response(response: &MethodResponse) -> Result<Vec<u8>, Error> {
    match response {
        MethodResponse::Fault(fault) => codec::fault_to_vec(fault),
        MethodResponse::Params(params) => match params.as_slice() {
            [one] => codec::response_to_vec(one),
            many => {
                let mut out = b"<?xml version=\"1.0\"?><methodResponse><params>".to_vec();
                for value in many {
                    out.extend_from_slice(b"<param>");
                    codec::write_value(&mut out, value)?;
                    out.extend_from_slice(b"</param>");
                }
                out.extend_from_slice(b"</params></methodResponse>");
                Ok(out)
            }
        },
    }
}

/// Shows a document in an assertion message.
pub fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The tokio runtime of the targets that drive the server or the client (one worker, two
/// blocking threads: the streaming reader runs on one), made on first use.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .max_blocking_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime for the fuzz targets")
    })
}

/// Runs `serve` on the server end of an in-memory pipe, writes `input` to the other end
/// (then half-closes it) while reading everything the server answers, within 5 s, and
/// returns that answer. Writing and reading at once: a server that answers early must not
/// deadlock us. The serving task is gone before this returns, so what it holds is freed
/// before the next input (LeakSanitizer counts it as a leak otherwise).
pub async fn exchange<F, Fut>(input: Vec<u8>, serve: F) -> Vec<u8>
where
    F: FnOnce(tokio::io::DuplexStream) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (client, server) = tokio::io::duplex(1 << 16);
    let served = tokio::spawn(serve(server));
    let (mut from_server, mut to_server) = tokio::io::split(client);
    let writer = async move {
        let _ = to_server.write_all(&input).await;
        let _ = to_server.shutdown().await;
    };
    let reader = async move {
        let mut output = Vec::new();
        let _ = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            from_server.read_to_end(&mut output),
        )
        .await;
        output
    };
    let ((), output) = tokio::join!(writer, reader);
    served.abort();
    let _ = served.await;
    output
}
