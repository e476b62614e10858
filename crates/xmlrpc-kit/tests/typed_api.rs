//! `#[xmlrpc_kit::api]` traits: every serde shape through the generated clients (async and
//! blocking) and the server side, introspection and the documentation page from the
//! trait, renames, blocking and async methods, and `mount` with several APIs, a method
//! group under a prefix, and name clashes.

#![cfg(feature = "macros")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use xmlrpc_kit::dispatch::{Api, RegistrationError, Registry};
use xmlrpc_kit::server::ServeError;
use xmlrpc_kit::{AsyncClient, Binary, Blob, Client, DateTime, Fault, Server, Struct, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Point {
    x: f64,
    y: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Image {
    name: String,
    data: Binary,
    tags: Vec<String>,
    rating: Option<f64>,
    origin: Point,
    taken: DateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Shape {
    Empty,
    Circle { r: f64 },
    Square(f64),
}

/// Every shape serde gives, both ways.
#[xmlrpc_kit::api]
trait Shapes: Send + Sync + 'static {
    /// Swaps a point's coordinates.
    fn swap(&self, p: Point) -> Point;
    /// Echoes an image (struct, base64, array, optional double, nested struct, dateTime).
    fn image(&self, image: Image) -> Image;
    /// Doubles what is there.
    fn maybe(&self, n: Option<i32>) -> Option<i32>;
    /// Sums and sorts.
    fn sorted(&self, items: Vec<i64>) -> (i64, Vec<i64>);
    /// Reverses bytes.
    fn bytes(&self, data: Binary) -> Binary;
    /// The length of a blob, and the blob back.
    fn blob(&self, data: Blob) -> (u64, Blob);
    /// Any value back, with its type name.
    fn any(&self, v: Value) -> Struct;
    /// A day later.
    fn tomorrow(&self, t: DateTime) -> DateTime;
    /// Scales a shape.
    fn scale(&self, s: Shape, by: f64) -> Shape;
    /// Counts words.
    fn words(&self, text: String) -> HashMap<String, u32>;
    /// An ordered map.
    fn ordered(&self, m: BTreeMap<String, bool>) -> BTreeMap<String, bool>;
    /// Nothing back.
    fn nothing(&self);
    /// A big integer.
    fn big(&self, x: i64) -> i64;
    /// Faults on a negative number.
    fn checked(&self, x: i32) -> Result<u32, Fault>;
    /// Counts calls; runs on the blocking pool.
    #[xmlrpc(name = "countCalls", blocking)]
    fn count_calls(&self) -> u32;
    /// Waits, then answers.
    async fn later(&self, ms: u64, p: Point) -> Point;
}

#[derive(Default)]
struct Impl {
    calls: AtomicU32,
}

impl Shapes for Impl {
    fn swap(&self, p: Point) -> Point {
        Point { x: p.y, y: p.x }
    }
    fn image(&self, image: Image) -> Image {
        image
    }
    fn maybe(&self, n: Option<i32>) -> Option<i32> {
        n.map(|n| n * 2)
    }
    fn sorted(&self, mut items: Vec<i64>) -> (i64, Vec<i64>) {
        items.sort();
        (items.iter().sum(), items)
    }
    fn bytes(&self, data: Binary) -> Binary {
        let mut v = data.into_vec();
        v.reverse();
        Binary::from(v)
    }
    fn blob(&self, data: Blob) -> (u64, Blob) {
        (data.len(), data)
    }
    fn any(&self, v: Value) -> Struct {
        let mut s = Struct::new();
        s.insert("type".into(), Value::from(v.type_name()));
        s.insert("value".into(), v);
        s
    }
    fn tomorrow(&self, t: DateTime) -> DateTime {
        DateTime::new(t.year, t.month, t.day + 1, t.hour, t.minute, t.second).unwrap()
    }
    fn scale(&self, s: Shape, by: f64) -> Shape {
        match s {
            Shape::Empty => Shape::Empty,
            Shape::Circle { r } => Shape::Circle { r: r * by },
            Shape::Square(a) => Shape::Square(a * by),
        }
    }
    fn words(&self, text: String) -> HashMap<String, u32> {
        let mut counts = HashMap::new();
        for w in text.split_whitespace() {
            *counts.entry(w.to_owned()).or_insert(0) += 1;
        }
        counts
    }
    fn ordered(&self, m: BTreeMap<String, bool>) -> BTreeMap<String, bool> {
        m.into_iter().map(|(k, v)| (k, !v)).collect()
    }
    fn nothing(&self) {}
    fn big(&self, x: i64) -> i64 {
        x * 2
    }
    fn checked(&self, x: i32) -> Result<u32, Fault> {
        u32::try_from(x).map_err(|_| Fault::new(4, "negative"))
    }
    fn count_calls(&self) -> u32 {
        self.calls.fetch_add(1, Ordering::SeqCst) + 1
    }
    async fn later(&self, ms: u64, p: Point) -> Point {
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
        p
    }
}

/// A small API under a namespace, to mount beside the other.
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

fn image() -> Image {
    Image {
        name: "boy.jpg".into(),
        data: Binary::from(vec![0xff, 0xd8, 0, 1]),
        tags: vec!["a".into(), "b".into()],
        rating: None,
        origin: Point { x: 1.5, y: -2.0 },
        taken: DateTime::new(2024, 2, 28, 12, 30, 0).unwrap(),
    }
}

fn spawn() -> xmlrpc_kit::server::ServerHandle {
    Server::new()
        .mount((Impl::default().into_api(), Calculator.into_api()))
        .with_introspection()
        .spawn("127.0.0.1:0")
        .unwrap()
}

#[test]
fn every_serde_shape_through_the_blocking_client() {
    let handle = spawn();
    let c = ShapesBlockingClient::new(Client::new(&handle.url()).unwrap());
    assert_eq!(
        c.swap(Point { x: 1.0, y: 2.0 }).unwrap(),
        Point { x: 2.0, y: 1.0 }
    );
    assert_eq!(c.image(image()).unwrap(), image());
    let rated = Image {
        rating: Some(4.5),
        ..image()
    };
    assert_eq!(c.image(rated.clone()).unwrap(), rated);
    assert_eq!(c.maybe(Some(21)).unwrap(), Some(42));
    assert_eq!(c.maybe(None).unwrap(), None);
    assert_eq!(c.sorted(vec![3, 1, 2]).unwrap(), (6, vec![1, 2, 3]));
    assert_eq!(
        c.bytes(Binary::from(vec![1, 2, 3])).unwrap(),
        Binary::from(vec![3, 2, 1])
    );
    let (len, blob) = c.blob(Blob::from(vec![7u8; 1000])).unwrap();
    assert_eq!(len, 1000);
    assert_eq!(blob.to_vec().unwrap(), vec![7u8; 1000]);
    let any = c.any(Value::from("hi")).unwrap();
    assert_eq!(any["type"], Value::from("string"));
    assert_eq!(any["value"], Value::from("hi"));
    assert_eq!(
        c.any(Value::Array(vec![Value::Int(1)])).unwrap()["type"],
        Value::from("array")
    );
    assert_eq!(
        c.tomorrow(DateTime::new(2024, 2, 28, 1, 2, 3).unwrap())
            .unwrap(),
        DateTime::new(2024, 2, 29, 1, 2, 3).unwrap()
    );
    assert_eq!(c.scale(Shape::Empty, 2.0).unwrap(), Shape::Empty);
    assert_eq!(
        c.scale(Shape::Circle { r: 1.0 }, 2.0).unwrap(),
        Shape::Circle { r: 2.0 }
    );
    assert_eq!(
        c.scale(Shape::Square(3.0), 2.0).unwrap(),
        Shape::Square(6.0)
    );
    let words = c.words("a b a".into()).unwrap();
    assert_eq!((words["a"], words["b"]), (2, 1));
    let m: BTreeMap<String, bool> = [("x".to_owned(), true), ("y".to_owned(), false)].into();
    assert_eq!(
        c.ordered(m).unwrap(),
        [("x".to_owned(), false), ("y".to_owned(), true)].into()
    );
    c.nothing().unwrap();
    assert_eq!(c.big(1 << 40).unwrap(), 1 << 41);
    assert_eq!(c.checked(5).unwrap(), 5);
    let fault = c.checked(-5).unwrap_err().into_fault().unwrap();
    assert_eq!((fault.code, fault.string.as_str()), (4, "negative"));
    assert_eq!(c.count_calls().unwrap(), 1);
    assert_eq!(c.count_calls().unwrap(), 2);
    assert_eq!(
        c.later(1, Point { x: 0.5, y: 0.25 }).unwrap(),
        Point { x: 0.5, y: 0.25 }
    );
    // The renamed method answers to its XML-RPC name only.
    let raw = c.client();
    assert_eq!(raw.call::<u32, _>("countCalls", ()).unwrap(), 3);
    assert!(raw.call::<u32, _>("count_calls", ()).is_err());
    // The other mounted API.
    let calc = CalcBlockingClient::new(Client::new(&handle.url()).unwrap());
    assert_eq!(calc.add(8, 8).unwrap(), 16);
}

#[test]
fn every_serde_shape_through_the_async_client() {
    let handle = spawn();
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let c = ShapesClient::new(AsyncClient::new(&handle.url()).unwrap());
        assert_eq!(c.image(image()).await.unwrap(), image());
        assert_eq!(c.maybe(None).await.unwrap(), None);
        assert_eq!(c.sorted(vec![2, 1]).await.unwrap(), (3, vec![1, 2]));
        let (len, _) = c.blob(Blob::from(vec![1u8; 10])).await.unwrap();
        assert_eq!(len, 10);
        assert_eq!(
            c.scale(Shape::Square(1.0), 3.0).await.unwrap(),
            Shape::Square(3.0)
        );
        c.nothing().await.unwrap();
        assert!(c.checked(-1).await.unwrap_err().fault().is_some());
        // Concurrent async calls: the async method yields while it waits.
        let started = std::time::Instant::now();
        let p = Point { x: 1.0, y: 1.0 };
        let (a, b) = tokio::join!(c.later(200, p.clone()), c.later(200, p.clone()));
        assert_eq!((a.unwrap(), b.unwrap()), (p.clone(), p));
        assert!(started.elapsed() < std::time::Duration::from_millis(390));
        // Wrong arguments through the raw client are -32602, naming the argument.
        let fault = c
            .client()
            .call::<Point, _>("swap", ("not a point",))
            .await
            .unwrap_err()
            .into_fault()
            .unwrap();
        assert_eq!(fault.code, Fault::INVALID_PARAMS);
        assert!(fault.string.contains("param 1"), "{fault}");
    });
}

fn signature(client: &Client, method: &str) -> Value {
    client
        .call_value("system.methodSignature", &[Value::from(method)])
        .unwrap()
}

fn sig(types: &[&str]) -> Value {
    Value::Array(vec![Value::Array(
        types.iter().map(|t| Value::from(*t)).collect(),
    )])
}

#[test]
fn introspection_comes_from_the_trait() {
    let handle = spawn();
    let client = Client::new(&handle.url()).unwrap();
    let names: Vec<String> = client.call("system.listMethods", ()).unwrap();
    for name in [
        "math.add",
        "swap",
        "countCalls",
        "later",
        "system.methodHelp",
    ] {
        assert!(names.contains(&name.to_owned()), "{name} in {names:?}");
    }
    assert!(!names.contains(&"count_calls".to_owned()));
    assert_eq!(signature(&client, "math.add"), sig(&["int", "int", "int"]));
    assert_eq!(signature(&client, "swap"), sig(&["struct", "struct"]));
    assert_eq!(signature(&client, "image"), sig(&["struct", "struct"]));
    assert_eq!(signature(&client, "maybe"), sig(&["int", "int"]));
    assert_eq!(signature(&client, "sorted"), sig(&["array", "array"]));
    assert_eq!(signature(&client, "bytes"), sig(&["base64", "base64"]));
    assert_eq!(signature(&client, "blob"), sig(&["array", "base64"]));
    assert_eq!(
        signature(&client, "tomorrow"),
        sig(&["dateTime.iso8601", "dateTime.iso8601"])
    );
    assert_eq!(signature(&client, "words"), sig(&["struct", "string"]));
    assert_eq!(signature(&client, "nothing"), sig(&["nil"]));
    assert_eq!(signature(&client, "big"), sig(&["i8", "i8"]));
    assert_eq!(signature(&client, "checked"), sig(&["i8", "int"]));
    assert_eq!(signature(&client, "countCalls"), sig(&["i8"]));
    assert_eq!(
        signature(&client, "later"),
        sig(&["struct", "i8", "struct"])
    );
    // A `Value` may be any type, an enum a string or a struct: no signature.
    assert_eq!(signature(&client, "any"), Value::from("undef"));
    assert_eq!(signature(&client, "scale"), Value::from("undef"));

    let help: String = client.call("system.methodHelp", ("math.add",)).unwrap();
    assert_eq!(help, "Adds two integers.\n\nParameters: x, y.");
    let help: String = client.call("system.methodHelp", ("nothing",)).unwrap();
    assert_eq!(help, "Nothing back.");
}

#[test]
fn the_documentation_page_shows_the_traits_help_and_signatures() {
    let handle = spawn();
    let mut conn = test_support::http::Conn::open(handle.local_addr());
    let page = conn.request("GET", "/RPC2", &[], b"").text();
    assert!(page.contains("math.add"), "{page}");
    assert!(page.contains("Adds two integers."), "{page}");
    assert!(page.contains("Parameters: x, y."), "{page}");
    assert!(page.contains("dateTime.iso8601"), "{page}");
}

#[test]
fn mount_takes_several_apis_and_method_groups_and_refuses_clashes() {
    let group = Api::with_prefix("text")
        .method("upper", |s: String| s.to_uppercase())
        .help("Upper case.")
        .signature(["string", "string"]);
    let mut registry = Registry::new();
    registry.mount(vec![Calculator.into_api(), group]).unwrap();
    assert_eq!(registry.method_names(), ["math.add", "text.upper"]);
    let docs = registry.describe();
    assert_eq!(docs[0].signatures, [["int", "int", "int"]]);
    assert_eq!(docs[1].help, "Upper case.");

    // The same trait twice, or a group over an existing name: refused as a whole.
    assert_eq!(
        registry.mount(Calculator.into_api()),
        Err(RegistrationError::Duplicate("math.add".into()))
    );
    assert_eq!(
        Registry::new().mount([Calculator.into_api(), Calculator.into_api()]),
        Err(RegistrationError::Duplicate("math.add".into()))
    );
    assert_eq!(
        Registry::new().mount(Api::with_prefix("system").method("listMethods", || 1)),
        Err(RegistrationError::Reserved("system.listMethods".into()))
    );
    // On the server, as any registration error: when it starts.
    let err = Server::new()
        .method("math.add", |x: i32| x)
        .mount(Calculator.into_api())
        .spawn("127.0.0.1:0")
        .err();
    assert!(
        matches!(err, Some(ServeError::Registration(RegistrationError::Duplicate(ref n))) if n == "math.add"),
        "{err:?}"
    );
}

#[test]
fn the_server_side_is_usable_in_process_and_shares_the_implementation() {
    let shared = Arc::new(Impl::default());
    struct ByArc(Arc<Impl>);
    // A trait object of the implementation is not needed: a newtype forwards.
    impl Calc for ByArc {
        fn add(&self, x: i32, y: i32) -> i32 {
            x + y + self.0.calls.load(Ordering::SeqCst) as i32
        }
    }
    let mut registry = Registry::new();
    registry.mount(ByArc(shared.clone()).into_api()).unwrap();
    shared.calls.store(100, Ordering::SeqCst);
    let registry = Arc::new(registry);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let sum = rt
        .block_on(registry.call("math.add", vec![Value::Int(1), Value::Int(2)]))
        .unwrap();
    assert_eq!(sum, Value::Int(103));
}

/// The signatures xmlrpc-c's `xml-rpc-api2cpp` knows (it has no `i8` or `nil`).
#[xmlrpc_kit::api(namespace = "kinds")]
trait Kinds: Send + Sync + 'static {
    /// Adds two integers.
    fn add(&self, x: i32, y: i32) -> i32;
    /// Divides x by y; faults when y is zero.
    fn div(&self, x: f64, y: f64) -> Result<f64, Fault>;
    /// One of each.
    #[xmlrpc(name = "eachType")]
    fn each_type(
        &self,
        a: bool,
        b: String,
        c: Binary,
        d: DateTime,
        e: Vec<i32>,
        f: Point,
    ) -> Struct;
}

struct AllKinds;

impl Kinds for AllKinds {
    fn add(&self, x: i32, y: i32) -> i32 {
        x + y
    }
    fn div(&self, x: f64, y: f64) -> Result<f64, Fault> {
        Ok(x / y)
    }
    fn each_type(
        &self,
        _: bool,
        _: String,
        _: Binary,
        _: DateTime,
        _: Vec<i32>,
        _: Point,
    ) -> Struct {
        Struct::new()
    }
}

#[test]
fn xmlrpc_c_api2cpp_reads_the_traits_signatures_and_help() {
    if !test_support::peer::have("xml-rpc-api2cpp") {
        test_support::peer::skip("xml-rpc-api2cpp", "xmlrpc-api-utils");
        return;
    }
    let handle = Server::new()
        .mount(AllKinds.into_api())
        .with_introspection()
        .spawn("127.0.0.1:0")
        .unwrap();
    let mut command = std::process::Command::new("xml-rpc-api2cpp");
    command.args([handle.url().as_str(), "kinds", "KindsProxy"]);
    let out = test_support::process::run(command, std::time::Duration::from_secs(30)).unwrap();
    let cpp = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{cpp}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // What api2cpp makes of each method: the C++ types from our signatures, the help
    // (doc comment and parameter names) as the comment above it.
    for expected in [
        "    /* Adds two integers.\n\nParameters: x, y. */\n    XmlRpcValue::int32 add (XmlRpcValue::int32 const int1, XmlRpcValue::int32 const int2);",
        "    /* Divides x by y; faults when y is zero.\n\nParameters: x, y. */\n    double div (double const double1, double const double2);",
        "    /* One of each.\n\nParameters: a, b, c, d, e, f. */\n    XmlRpcValue /*struct*/ eachType (bool const bool1, std::string const string2, XmlRpcValue /*base64*/ base643, XmlRpcValue /*dateTime*/ dateTime4, XmlRpcValue /*array*/ array5, XmlRpcValue /*struct*/ struct6);",
    ] {
        assert!(cpp.contains(expected), "expected\n{expected}\nin\n{cpp}");
    }
}
