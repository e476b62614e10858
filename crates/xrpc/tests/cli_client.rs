//! `xrpc call` in real deployments, each option as a user runs it: `-v` and `--strict`
//! on replies that deviate from the spec, `--proxy`, `--noproxy` and the proxy environment
//! through tinyproxy, `--cookie-jar` across invocations with DokuWiki, `--query`, and
//! `--cert`/`--key` against `xrpc serve --tls-client-ca` (with Python's client too).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::Serve;
use std::ffi::OsStr;
use std::process::Command;
use std::time::Duration;
use test_support::process::{run_text, Run};

const LIMIT: Duration = Duration::from_secs(60);

/// `xrpc ARGS…` with the proxy environment set as `env` says and otherwise cleared.
fn xrpc_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xrpc"));
    for name in [
        "http_proxy",
        "HTTP_PROXY",
        "https_proxy",
        "HTTPS_PROXY",
        "all_proxy",
        "ALL_PROXY",
        "no_proxy",
        "NO_PROXY",
    ] {
        command.env_remove(name);
    }
    command.envs(env.iter().copied()).args(args);
    run_text(command, b"", LIMIT)
}

fn xrpc(args: &[&str]) -> Run {
    xrpc_with_env(args, &[])
}

#[test]
fn verbose_lists_each_deviation_and_strict_refuses_it() {
    let dir = test_support::temp_dir("cli-deviations");
    test_support::deviant::write_all(dir.path());
    let server = test_support::peer::PeerServer::documents(dir.path()).unwrap();
    let url = server.url("/RPC2");
    for deviant in test_support::deviant::all() {
        let method = deviant.method;
        let lenient = xrpc(&["call", &url, method]);
        let verbose = xrpc(&["call", "-v", &url, method]);
        assert_eq!(lenient.stdout, verbose.stdout, "{method}");
        let faults = method.ends_with("fault");
        assert_eq!(
            lenient.code,
            Some(if faults { 3 } else { 0 }),
            "{method}: {lenient:?}"
        );
        let noted: Vec<&str> = verbose
            .stderr
            .lines()
            .filter(|l| l.starts_with("xrpc: deviation: "))
            .collect();
        assert_eq!(noted.len(), 1, "{method}: {}", verbose.stderr);
        assert!(
            noted[0].starts_with(&format!("xrpc: deviation: {} at byte ", deviant.kind)),
            "{method}: {}",
            noted[0]
        );
        assert!(
            !lenient.stderr.contains("deviation"),
            "{method}: {}",
            lenient.stderr
        );

        let strict = xrpc(&["call", "--strict", &url, method]);
        assert_eq!(strict.code, Some(1), "{method}: {strict:?}");
        assert!(strict.stdout.is_empty());
        assert!(
            strict.stderr.starts_with(&format!(
                "xrpc: the reply deviates from XML-RPC (refused by --strict): {} at byte ",
                deviant.kind
            )),
            "{method}: {}",
            strict.stderr
        );
    }
    // What the user sees, for two of them.
    let run = xrpc(&["call", "-v", &url, "string_fault"]);
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.ends_with("fault Client: as the peer says\n"),
        "{}",
        run.stderr
    );
    let run = xrpc(&["call", &url, "biginteger"]);
    assert_eq!(
        run.stdout,
        "{\n  \"biginteger\": \"123456789012345678901234567890\"\n}\n"
    );
}

#[test]
fn proxy_flags_and_environment_as_curl_reads_them() {
    if !test_support::peer::have("tinyproxy") {
        test_support::peer::skip("tinyproxy", "tinyproxy");
        return;
    }
    let dir = test_support::temp_dir("cli-proxy");
    let proxy = test_support::apps::tinyproxy(dir.path(), Some(("alice", "s3cret"))).unwrap();
    let proxy_url = format!("http://alice:s3cret@127.0.0.1:{}", proxy.port());
    let serve = Serve::start("cli-proxy");
    let url = serve.url.clone();
    let through = |count: usize| {
        test_support::wait::until(Duration::from_secs(5), || {
            test_support::apps::tinyproxy_log(&proxy).len() >= count
        });
        test_support::apps::tinyproxy_log(&proxy)
    };

    // --proxy.
    let run = xrpc(&["call", "--proxy", &proxy_url, &url, "add", "2", "3"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(0), "5\n"), "{run:?}");
    assert_eq!(through(1).len(), 1);
    // http_proxy, lower case.
    let run = xrpc_with_env(
        &["call", &url, "add", "1", "1"],
        &[("http_proxy", &proxy_url)],
    );
    assert_eq!(run.stdout, "2\n", "{run:?}");
    assert_eq!(through(2).len(), 2);
    // HTTP_PROXY in upper case is not read (curl's rule: CGI puts a request's `Proxy:`
    // header there); ALL_PROXY is.
    let run = xrpc_with_env(
        &["call", &url, "add", "1", "2"],
        &[("HTTP_PROXY", &proxy_url)],
    );
    assert_eq!(run.stdout, "3\n", "{run:?}");
    assert_eq!(test_support::apps::tinyproxy_log(&proxy).len(), 2);
    let run = xrpc_with_env(
        &["call", &url, "add", "1", "3"],
        &[("ALL_PROXY", &proxy_url)],
    );
    assert_eq!(run.stdout, "4\n", "{run:?}");
    assert_eq!(through(3).len(), 3);
    // no_proxy and --noproxy bypass it.
    for (args, env) in [
        (
            vec!["call", &url, "add", "2", "2"],
            vec![
                ("http_proxy", proxy_url.as_str()),
                ("no_proxy", "localhost,127.0.0.1"),
            ],
        ),
        (
            vec!["call", &url, "add", "2", "2"],
            vec![
                ("http_proxy", proxy_url.as_str()),
                ("NO_PROXY", ".example.com, 127.0.0.0/8"),
            ],
        ),
        (
            vec!["call", "--noproxy", "*", &url, "add", "2", "2"],
            vec![("http_proxy", proxy_url.as_str())],
        ),
        (
            vec![
                "call",
                "--proxy",
                &proxy_url,
                "--noproxy",
                "127.0.0.1",
                &url,
                "add",
                "2",
                "2",
            ],
            vec![],
        ),
    ] {
        let run = xrpc_with_env(&args, &env);
        assert_eq!(run.stdout, "4\n", "{args:?} {env:?}: {run:?}");
    }
    assert_eq!(
        test_support::apps::tinyproxy_log(&proxy).len(),
        3,
        "bypassed"
    );
    // Without the credentials: the proxy's refusal.
    let bare = format!("http://127.0.0.1:{}", proxy.port());
    let run = xrpc(&["call", "--proxy", &bare, &url, "add", "2", "2"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("HTTP 407"), "{}", run.stderr);
    // Every request went to the server named, through the proxy as the log shows.
    for line in through(3) {
        assert!(line.starts_with(&format!("POST {url} ")), "{line}");
    }
}

/// `xrpc serve` over TLS with the test CA's server certificate, files in `dir/files`, and
/// `more` flags.
fn serve_tls(
    dir: &test_support::TempDir,
    certs: &test_support::tls::TestCa,
    more: &[&OsStr],
) -> test_support::xrpc::Serve {
    let tls = [
        OsStr::new("--tls-cert"),
        certs.cert.as_os_str(),
        OsStr::new("--tls-key"),
        certs.key.as_os_str(),
    ];
    test_support::xrpc::Serve::start_in(
        env!("CARGO_BIN_EXE_xrpc"),
        &dir.path().join("files"),
        tls.iter().chain(more),
    )
}

#[test]
fn https_through_the_proxy_by_connect_from_https_proxy() {
    if !test_support::peer::have("tinyproxy") {
        test_support::peer::skip("tinyproxy", "tinyproxy");
        return;
    }
    let dir = test_support::temp_dir("cli-proxy-https");
    let proxy = test_support::apps::tinyproxy(dir.path(), None).unwrap();
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    let certs = test_support::tls::make_ca(&dir.path().join("ca"));
    let serve = serve_tls(&dir, &certs, &[]);
    let ca = certs.ca.to_str().unwrap();
    let run = xrpc_with_env(
        &["call", "--cacert", ca, &serve.url, "add", "20", "22"],
        &[
            ("https_proxy", &proxy_url),
            ("http_proxy", "http://127.0.0.1:9"),
        ],
    );
    assert_eq!(run.stdout, "42\n", "{run:?}");
    let lines = test_support::apps::tinyproxy_log(&proxy);
    assert_eq!(
        lines,
        [format!("CONNECT 127.0.0.1:{} HTTP/1.1", serve.port())]
    );
}

#[test]
fn cookie_jar_keeps_a_dokuwiki_session_between_invocations() {
    if !test_support::apps::dokuwiki_installed() {
        return;
    }
    let dir = test_support::temp_dir("cli-dokuwiki");
    let wiki = test_support::apps::dokuwiki(&dir.path().join("wiki"), "tester", "secret").unwrap();
    let url = format!("http://127.0.0.1:{}/lib/exe/xmlrpc.php", wiki.port());
    let jar = dir.path().join("cookies.json");
    let jar = jar.to_str().unwrap();

    // Without a jar, each invocation starts afresh: refused.
    let run = xrpc(&["call", &url, "dokuwiki.getVersion"]);
    assert_eq!(run.code, Some(1));
    assert!(run.stderr.contains("answered HTTP 401"), "{}", run.stderr);
    // Log in once, with the jar: it is written.
    let run = xrpc(&[
        "call",
        "--cookie-jar",
        jar,
        &url,
        "dokuwiki.login",
        "tester",
        "secret",
    ]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "true\n"),
        "{run:?}"
    );
    let saved = std::fs::read_to_string(jar).unwrap();
    assert!(saved.contains("\"raw_cookie\": \"DokuWiki="), "{saved}");
    // Later invocations read it: the session goes on.
    let run = xrpc(&["call", "--cookie-jar", jar, &url, "dokuwiki.getVersion"]);
    assert!(run.stdout.starts_with("\"Release "), "{run:?}");
    let run = xrpc(&["call", "--cookie-jar", jar, &url, "wiki.getPage", "start"]);
    assert!(
        run.stdout
            .contains("This wiki runs for xmlrpc-kit's tests."),
        "{run:?}"
    );
    // A jar that is not one is an error that names it, before any request.
    std::fs::write(dir.path().join("bad.json"), "{not json").unwrap();
    let bad = dir.path().join("bad.json");
    let run = xrpc(&[
        "call",
        "--cookie-jar",
        bad.to_str().unwrap(),
        &url,
        "dokuwiki.getVersion",
    ]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr
            .starts_with("xrpc: cookie jar: reading the cookie jar"),
        "{}",
        run.stderr
    );
}

#[test]
fn client_certificates_against_serve_with_tls_client_ca() {
    let dir = test_support::temp_dir("cli-mtls");
    let certs = test_support::tls::make_ca(dir.path());
    let alice = test_support::tls::client_cert(&certs, "alice");
    let other = test_support::tls::make_ca(&dir.path().join("other"));
    let mallory = test_support::tls::client_cert(&other, "mallory");
    let serve = serve_tls(
        &dir,
        &certs,
        &[OsStr::new("--tls-client-ca"), certs.ca.as_os_str()],
    );
    let ca = certs.ca.to_str().unwrap();
    let (cert, key) = (alice.cert.to_str().unwrap(), alice.key.to_str().unwrap());
    let run = xrpc(&[
        "call", "--cacert", ca, "--cert", cert, "--key", key, &serve.url, "add", "20", "22",
    ]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "42\n"),
        "{run:?}"
    );
    let run = xrpc(&["call", "--cacert", ca, &serve.url, "add", "1", "1"]);
    assert_eq!(run.code, Some(1), "{run:?}");
    assert!(
        run.stderr.starts_with("xrpc: cannot reach "),
        "{}",
        run.stderr
    );
    let run = xrpc(&[
        "call",
        "--cacert",
        ca,
        "--cert",
        mallory.cert.to_str().unwrap(),
        "--key",
        mallory.key.to_str().unwrap(),
        &serve.url,
        "add",
        "1",
        "1",
    ]);
    assert_eq!(run.code, Some(1), "{run:?}");
    // --cert without --key is a usage error.
    let run = xrpc(&["call", "--cert", cert, &serve.url, "add", "1", "1"]);
    assert_eq!(run.code, Some(2), "{run:?}");

    // Python's client, with and without a certificate.
    let script = r#"
import ssl, sys, xmlrpc.client
url, ca, cert, key = sys.argv[1:5]
for with_cert in (True, False):
    context = ssl.create_default_context(cafile=ca)
    if with_cert:
        context.load_cert_chain(cert, key)
    try:
        print(xmlrpc.client.ServerProxy(url, context=context).add(2, 3))
    except (ssl.SSLError, ConnectionError, OSError) as e:
        print("refused", type(e).__name__)
"#;
    let out = test_support::process::python(script, &[&serve.url, ca, cert, key]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "5", "{out}");
    assert!(lines[1].starts_with("refused"), "{out}");
}

#[test]
fn query_parameters_reach_the_server() {
    let peer = test_support::peer::PeerServer::request_target().unwrap();
    let run = xrpc(&[
        "call",
        "--query",
        "session-id=42",
        "--query",
        "session-key=a b",
        &peer.url("/kojihub"),
        "getLoggedInUser",
    ]);
    assert_eq!(
        run.stdout, "\"/kojihub?session-id=42&session-key=a%20b\"\n",
        "{run:?}"
    );
    let run = xrpc(&["call", "--query", "novalue", &peer.url("/"), "x"]);
    assert_eq!(run.code, Some(2), "{run:?}");
}
