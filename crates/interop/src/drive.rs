//! The two directions, driven the same way for every peer: read what a peer's client
//! printed after calling our test server, and call a peer's server with our clients.

use crate::cases::{cases, describe, same};
use crate::record::{Direction, Recorder};
use std::collections::HashMap;
use xmlrpc_kit::client::{AsyncClient, CallOptions, Client, Error};
use xmlrpc_kit::{Fault, Value};

/// The fault code every peer is asked to raise or pass on.
pub const FAULT_CODE: i32 = 4242;
/// The fault string every peer is asked to raise or pass on: markup and non-ASCII.
pub const FAULT_STRING: &str = "fault <&> \"quoted\" \u{e9}\u{fc}\u{20ac}";
/// The help text of `echo`, on our server and every peer's.
pub const ECHO_HELP: &str = "Returns its argument.";

const DIRECTION: Direction = Direction::PeerCallsUs;

/// Judges what a peer's client printed after running against the test server.
///
/// The client prints one tab-separated line per check: `CASE name result` (the answer of
/// `interop.check`, or `get-error: ...` / `send-error: ...`), `FAULT code string`
/// (from `interop.fault(4242, FAULT_STRING)`), `NOMETHOD code string` (from calling a
/// method that does not exist), `MULTI r0 code string r2` (a `system.multicall` of
/// `interop.get("string_ascii")`, `interop.fault(7, "seven")`, `echo(5)`), `METHODS
/// name,name,...`, `HELP text` (of `echo`), `SIG types` (of `interop.fault`, joined by
/// commas), and `V1 method result` for validator1. Any of them may instead say
/// `error: ...`.
///
/// ```
/// let mut rec = interop::Recorder::new("doc-client", "none", 99);
/// interop::judge_client_output(&mut rec, "CASE\tint_one\tok\n", interop::Expect::default());
/// assert!(rec.failures().iter().any(|f| f.contains("int_zero")));
/// assert!(!rec.failures().iter().any(|f| f.contains("int_one")));
/// ```
pub fn judge_client_output(rec: &mut Recorder, stdout: &str, expect: Expect) {
    let mut lines: HashMap<(String, String), Vec<String>> = HashMap::new();
    for line in stdout.lines() {
        let mut fields = line.split('\t').map(str::to_owned);
        let tag = fields.next().unwrap_or_default();
        let rest: Vec<String> = fields.collect();
        let key = match tag.as_str() {
            "CASE" | "V1" => rest.first().cloned().unwrap_or_default(),
            _ => String::new(),
        };
        let rest = if key.is_empty() {
            rest
        } else {
            rest[1..].to_vec()
        };
        lines.insert((tag, key), rest);
    }
    let line = |tag: &str, key: &str| lines.get(&(tag.to_owned(), key.to_owned()));
    let missing = "the peer printed nothing for this check".to_owned();

    for case in cases() {
        match line("CASE", case.name) {
            Some(rest) => {
                let result = rest.join("\t");
                rec.check(DIRECTION, case.kind, case.name, result == "ok", result);
            }
            None => rec.check(DIRECTION, case.kind, case.name, false, missing.clone()),
        }
    }

    let joined = |tag: &str| line(tag, "").map(|r| r.join("\t"));
    let fault = joined("FAULT");
    let want = format!("{FAULT_CODE}\t{FAULT_STRING}");
    rec.check(
        DIRECTION,
        "fault",
        "fault_from_method",
        fault.as_deref() == Some(want.as_str()),
        fault.unwrap_or_else(|| missing.clone()),
    );
    let nomethod = joined("NOMETHOD");
    let want_code = expect.no_method_code.to_string();
    rec.check(
        DIRECTION,
        "fault",
        "fault_no_such_method",
        nomethod
            .as_deref()
            .is_some_and(|n| n.split('\t').next() == Some(want_code.as_str())),
        nomethod.unwrap_or_else(|| missing.clone()),
    );

    let multi = joined("MULTI");
    rec.check(
        DIRECTION,
        "multicall",
        "multicall_mixed",
        multi.as_deref() == Some("cloudox\t7\tseven\t5"),
        multi.unwrap_or_else(|| missing.clone()),
    );

    let methods = joined("METHODS");
    let listed = methods.as_deref().is_some_and(|m| {
        let names: Vec<&str> = m.split(',').collect();
        [
            "echo",
            "interop.get",
            "validator1.echoStructTest",
            "system.multicall",
        ]
        .iter()
        .all(|n| names.contains(n))
    });
    rec.check(
        DIRECTION,
        "introspection",
        "list_methods",
        listed,
        methods.map_or_else(|| missing.clone(), |m| crate::cases::clip(&m, 120)),
    );
    let help = joined("HELP");
    rec.check(
        DIRECTION,
        "introspection",
        "method_help",
        help.as_deref() == Some(ECHO_HELP),
        help.unwrap_or_else(|| missing.clone()),
    );
    let sig = joined("SIG");
    rec.check(
        DIRECTION,
        "introspection",
        "method_signature",
        sig.as_deref() == Some("struct,int,string"),
        sig.unwrap_or_else(|| missing.clone()),
    );

    if expect.validator1 {
        for method in VALIDATOR1 {
            match line("V1", method) {
                Some(rest) => {
                    let result = rest.join("\t");
                    rec.check(DIRECTION, "validator1", method, result == "ok", result);
                }
                None => rec.check(DIRECTION, "validator1", method, false, missing.clone()),
            }
        }
    }
}

/// The validator1 methods, as the peers' clients name them in `V1` lines.
pub const VALIDATOR1: [&str; 8] = [
    "arrayOfStructsTest",
    "countTheEntities",
    "easyStructTest",
    "echoStructTest",
    "manyTypesTest",
    "moderateSizeArrayCheck",
    "nestedStructTest",
    "simpleStructReturnTest",
];

/// What the client-side judgement expects beyond the common checks.
///
/// ```
/// let expect = interop::Expect { validator1: true, ..Default::default() };
/// assert_eq!(expect.no_method_code, -32601);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Expect {
    /// Whether the client ran the validator1 suite.
    pub validator1: bool,
    /// The fault code our server gives for a method that does not exist.
    pub no_method_code: i32,
}

impl Default for Expect {
    fn default() -> Self {
        Expect {
            validator1: false,
            no_method_code: Fault::METHOD_NOT_FOUND,
        }
    }
}

/// How our clients are set up to call a peer's server.
///
/// ```
/// let ours = interop::Ours { gzip_requests: true, ..Default::default() };
/// assert_eq!(ours.extensions, xmlrpc_kit::codec::Extensions::Plain);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Ours {
    /// Gzip every request body.
    pub gzip_requests: bool,
    /// How calls spell `i8` and `nil`.
    pub extensions: xmlrpc_kit::codec::Extensions,
}

fn show(result: &Result<Value, Error>) -> String {
    match result {
        Ok(v) => describe(v),
        Err(e) => crate::cases::clip(&e.to_string(), 200),
    }
}

/// Calls a peer's server with our clients (blocking for the cases, async for the rest):
/// `echo` with every case, `fault(4242, FAULT_STRING)`, a method that does not exist,
/// a `system.multicall`, and introspection. The peer's server must offer `echo(x)` and
/// `fault(code, string)`, with `echo`'s help text [`ECHO_HELP`] where it has help.
///
/// `ours` says how our clients are set up.
///
/// # Errors
/// When the clients cannot be built (a bad URL).
pub fn call_peer_server(rec: &mut Recorder, url: &str, ours: Ours) -> Result<(), String> {
    let d = Direction::WeCallPeer;
    let gzip = ours.gzip_requests.then_some(0);
    let client = Client::builder(url)
        .gzip_above(gzip)
        .extensions(ours.extensions)
        .build()
        .map_err(|e| e.to_string())?;
    for case in cases() {
        let result = client.call_value("echo", std::slice::from_ref(&case.value));
        let passed = matches!(&result, Ok(got) if same(&case.value, got));
        let detail = if passed {
            String::new()
        } else {
            format!(
                "sent {}, came back {}",
                describe(&case.value),
                show(&result)
            )
        };
        rec.check(d, case.kind, case.name, passed, detail);
    }

    // Single-threaded peers serve one kept-alive connection at a time: close this one.
    drop(client);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let client = AsyncClient::builder(url)
        .gzip_above(gzip)
        .extensions(ours.extensions)
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let fault = client
            .call_value("fault", &[Value::Int(FAULT_CODE), Value::from(FAULT_STRING)])
            .await;
        let passed = matches!(&fault, Err(Error::Fault(xmlrpc_kit::Fault { code, string, .. })) if *code == FAULT_CODE && string == FAULT_STRING);
        rec.check(d, "fault", "fault_from_method", passed, show(&fault));

        // The whole reply: a fault, with the deviations our reader tolerated in it (a
        // string faultCode, from XMLRPC::Lite), shown in the report.
        let nomethod = client
            .call_reply::<Value, _>("no.such.method", (), &CallOptions::new())
            .await;
        let (passed, detail) = match nomethod {
            Ok(reply) => {
                let kinds: Vec<&str> = reply.deviations.iter().map(|d| d.kind.name()).collect();
                let noted = if kinds.is_empty() {
                    String::new()
                } else {
                    format!(" (read leniently: {})", kinds.join(", "))
                };
                (
                    reply.result.is_err(),
                    format!("{}{noted}", show(&reply.into_result())),
                )
            }
            Err(e) => (false, show(&Err(e))),
        };
        rec.check(d, "fault", "fault_no_such_method", passed, detail);

        let mut batch = client.multicall();
        let added = batch
            .add("echo", ("cloudox",))
            .and_then(|b| b.add("fault", (7, "seven")))
            .and_then(|b| b.add("echo", (5,)))
            .map(drop);
        let results = match added {
            Ok(()) => batch.send().await,
            Err(e) => Err(e),
        };
        let (passed, detail) = match &results {
            Ok(r) => (
                r.len() == 3
                    && r[0] == Ok(Value::from("cloudox"))
                    && r[1] == Err(Fault::new(7, "seven"))
                    && r[2] == Ok(Value::Int(5)),
                format!("{r:?}"),
            ),
            Err(e) => (false, e.to_string()),
        };
        rec.check(d, "multicall", "multicall_mixed", passed, detail);

        let list = client.call_value("system.listMethods", &[]).await;
        let passed = matches!(&list, Ok(Value::Array(names))
            if ["echo", "fault"].iter().all(|n| names.contains(&Value::from(*n))));
        rec.check(d, "introspection", "list_methods", passed, show(&list));
        let help = client.call_value("system.methodHelp", &[Value::from("echo")]).await;
        let passed = matches!(&help, Ok(Value::String(h)) if h == ECHO_HELP);
        rec.check(d, "introspection", "method_help", passed, show(&help));
        let sig = client
            .call_value("system.methodSignature", &[Value::from("echo")])
            .await;
        let passed = matches!(&sig, Ok(Value::Array(_)) | Ok(Value::String(_)));
        rec.check(d, "introspection", "method_signature", passed, show(&sig));
    });
    Ok(())
}

/// Serves the test server (with `config`) on a free port, runs the peer's client that
/// `command` builds for the server's URL, and judges what it printed.
///
/// # Errors
/// When the server cannot start, or the client cannot run or exits with an error (its
/// stderr is in the message; what it printed before is judged all the same).
pub fn run_peer_client(
    rec: &mut Recorder,
    config: xmlrpc_kit::server::ServerConfig,
    expect: Expect,
    command: impl FnOnce(&str) -> std::process::Command,
) -> Result<(), String> {
    let handle = crate::service::test_server(config)
        .spawn("127.0.0.1:0")
        .map_err(|e| e.to_string())?;
    let output =
        test_support::process::run(command(&handle.url()), std::time::Duration::from_secs(300))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    judge_client_output(rec, &stdout, expect);
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "the peer's client exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

/// Both directions for a peer whose server prints `PORT <n>`: its client (built by
/// `client` for our URL) against our default test server, then our clients against its
/// server (started by `server`, called at `path`).
///
/// # Errors
/// Every step that could not run, joined (the checks that ran are recorded either way).
pub fn run_both(
    rec: &mut Recorder,
    client: impl FnOnce(&str) -> std::process::Command,
    server: std::process::Command,
    path: &str,
) -> Result<(), String> {
    let mut errors = Vec::new();
    if let Err(e) = run_peer_client(
        rec,
        xmlrpc_kit::server::ServerConfig::default(),
        Expect::default(),
        client,
    ) {
        errors.push(e);
    }
    match test_support::peer::PeerServer::start(server) {
        Ok(peer) => {
            if let Err(e) = call_peer_server(rec, &peer.url(path), Ours::default()) {
                errors.push(e);
            }
        }
        Err(e) => errors.push(e),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// [`run_both`] for a peer whose client is a script in `peers/` run by `interpreter`
/// (`<interpreter> peers/<client> URL FAULT_STRING`), and whose server (`server`, printing
/// `PORT <n>`) answers at `/RPC2`.
///
/// # Errors
/// As [`run_both`].
///
/// ```no_run
/// let mut rec = interop::Recorder::new("ruby", "ruby", 30);
/// let mut server = std::process::Command::new("ruby");
/// server.arg(interop::peers_dir().join("ruby_server.rb"));
/// interop::run_scripts(&mut rec, "ruby", "ruby_client.rb", server).unwrap();
/// ```
pub fn run_scripts(
    rec: &mut Recorder,
    interpreter: &str,
    client: &str,
    server: std::process::Command,
) -> Result<(), String> {
    let script = crate::peer::peers_dir().join(client);
    run_both(
        rec,
        |url| {
            let mut c = std::process::Command::new(interpreter);
            c.arg(&script).args([url, FAULT_STRING]);
            c
        },
        server,
        "/RPC2",
    )
}
