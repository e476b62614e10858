//! The public API's shape: the everyday types at the root, one builder per client kind,
//! the two multicall types, errors that keep their causes, and the guard rails (`serve`
//! inside a runtime, an https URL against a plain-HTTP server).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmlrpc_kit::client::{Error, Progress};
use xmlrpc_kit::server::ServeError;
use xmlrpc_kit::{AsyncClient, Client, Fault, Server, Value};

fn server() -> xmlrpc_kit::server::ServerHandle {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .method("fail", || -> Result<i32, Fault> {
            Err(Fault::new(7, "no"))
        })
        .blocking_method("size", |path: String| -> Result<u64, Fault> {
            Ok(std::fs::metadata(path)?.len())
        })
        .with_multicall()
        .spawn("127.0.0.1:0")
        .unwrap()
}

#[test]
fn the_blocking_builder_builds_a_blocking_client_and_the_async_one_an_async_client() {
    let handle = server();
    // The annotations are the test: each builder gives its own kind.
    let blocking: Client = Client::builder(&handle.url()).build().unwrap();
    let async_client: AsyncClient = AsyncClient::builder(&handle.url()).build().unwrap();
    assert_eq!(blocking.call::<i32, _>("add", (8, 8)).unwrap(), 16);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sum: i32 = runtime.block_on(async_client.call("add", (1, 2))).unwrap();
    assert_eq!(sum, 3);
    assert_eq!(blocking.as_async().url(), async_client.url());
}

#[test]
fn both_multicall_kinds_give_results_that_turn_into_typed_values() {
    let handle = server();
    let client = Client::new(&handle.url()).unwrap();
    let mut batch = client.multicall();
    batch.add("add", (1, 2)).unwrap().add("fail", ()).unwrap();
    let results = batch.send().unwrap();
    let sum: i32 = results[0].clone().unwrap().deserialize_into().unwrap();
    assert_eq!(sum, 3);
    assert_eq!(results[1], Err(Fault::new(7, "no")));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let results = runtime.block_on(async {
        let client = AsyncClient::new(&handle.url()).unwrap();
        let mut batch = client.multicall();
        batch.add("add", (3, 4)).unwrap();
        batch.send().await.unwrap()
    });
    assert_eq!(results, [Ok(Value::Int(7))]);
}

#[test]
fn a_fault_is_a_fault_and_an_io_error_in_a_handler_is_one_too() {
    let handle = server();
    let client = Client::new(&handle.url()).unwrap();
    let err = client.call::<i32, _>("fail", ()).unwrap_err();
    assert_eq!(err.fault(), Some(&Fault::new(7, "no")));
    assert!(matches!(&err, Error::Fault(f) if f.code == 7), "{err:?}");
    let err = client
        .call::<u64, _>("size", ("/no/such/file/here",))
        .unwrap_err()
        .into_fault()
        .unwrap();
    assert_eq!(err.code, Fault::INTERNAL_ERROR);
    assert!(err.string.contains("No such file"), "{err}");
}

#[test]
fn a_connection_error_keeps_its_cause() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let err = Client::new(&format!("http://{closed}"))
        .unwrap()
        .call::<i32, _>("add", (1, 2))
        .unwrap_err();
    assert!(matches!(err, Error::Connect { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!("cannot reach http://{closed}/RPC2")
    );
    // The cause is a source, not text folded into the message; the chain has it all.
    let mut root: &dyn std::error::Error = &err;
    while let Some(next) = root.source() {
        root = next;
    }
    let io = root
        .downcast_ref::<std::io::Error>()
        .expect("the root cause is the io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionRefused);
    assert!(err.chain().contains("refused"), "{}", err.chain());
}

#[test]
fn an_https_url_against_a_plain_http_server_says_so() {
    let handle = server();
    let url = handle.url().replace("http://", "https://");
    let err = Client::new(&url)
        .unwrap()
        .call::<i32, _>("add", (1, 2))
        .unwrap_err();
    assert!(matches!(err, Error::PlainHttp { .. }), "{err:?}");
    assert!(
        err.to_string().contains("answered in plain HTTP"),
        "{}",
        err.chain()
    );
}

#[test]
fn serve_inside_a_runtime_is_an_error_that_names_the_way_out() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let err = runtime.block_on(async {
        Server::new()
            .method("ping", || true)
            .serve("127.0.0.1:0")
            .unwrap_err()
    });
    assert!(matches!(err, ServeError::InsideRuntime), "{err:?}");
    assert!(err.to_string().contains("run(addr).await"), "{err}");
}

#[test]
fn every_everyday_type_is_debug() {
    fn debug<T: std::fmt::Debug>(_: &T) {}
    let handle = server();
    let client = Client::new(&handle.url()).unwrap();
    debug(&client);
    debug(&client.as_async());
    debug(&client.multicall());
    debug(&client.as_async().multicall());
    debug(&Client::builder("localhost:1"));
    debug(&Server::new());
    debug(&handle);
    debug(&Progress::Sent { bytes: 1, total: 2 });
    assert!(format!("{client:?}").contains(&handle.url()));
}
