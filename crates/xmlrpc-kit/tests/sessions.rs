//! Sessions and per-call options against real servers: DokuWiki (Debian's package, under
//! lighttpd and php-cgi) logging in once with `dokuwiki.login` and calling with the session
//! cookie, the jar saved and loaded; and headers and query parameters for one call or for
//! all, as a Python server sees them.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xmlrpc_kit::client::{CallOptions, CookieJar, Error};
use xmlrpc_kit::{Client, Value};

/// DokuWiki in `dir`, or `None` (skipped) where it is not installed off CI.
fn dokuwiki(dir: &std::path::Path) -> Option<test_support::apps::App> {
    if !test_support::apps::dokuwiki_installed() {
        return None;
    }
    Some(test_support::apps::dokuwiki(dir, "tester", "secret").unwrap())
}

#[test]
fn dokuwiki_logs_in_once_and_the_session_cookie_carries_the_calls() {
    let dir = test_support::temp_dir("dokuwiki-session");
    let Some(wiki) = dokuwiki(dir.path()) else {
        return;
    };
    let url = format!("http://127.0.0.1:{}/lib/exe/xmlrpc.php", wiki.port());

    // Without a cookie store the login holds for nothing: the next call is refused.
    let forgetful = Client::new(&url).unwrap();
    assert!(forgetful
        .call::<bool, _>("dokuwiki.login", ("tester", "secret"))
        .unwrap());
    let err = forgetful
        .call::<String, _>("dokuwiki.getVersion", ())
        .unwrap_err();
    assert!(matches!(err, Error::Status { status: 401, .. }), "{err:?}");

    // With one, the session goes on.
    let client = Client::builder(&url).cookies(true).build().unwrap();
    assert!(!client
        .call::<bool, _>("dokuwiki.login", ("tester", "wrong"))
        .unwrap());
    assert!(client
        .call::<bool, _>("dokuwiki.login", ("tester", "secret"))
        .unwrap());
    let version: String = client.call("dokuwiki.getVersion", ()).unwrap();
    assert!(version.starts_with("Release "), "{version}");
    let page: String = client.call("wiki.getPage", ("start",)).unwrap();
    assert!(
        page.contains("This wiki runs for xmlrpc-kit's tests."),
        "{page}"
    );
    let jar = client.cookie_jar().unwrap();
    let names: Vec<String> = jar.cookies().into_iter().map(|(name, _)| name).collect();
    assert!(names.contains(&"DokuWiki".to_owned()), "{names:?}");
    // The deleted-then-set auth cookie of the login response ends up set, once.
    assert_eq!(names.len(), 2, "{names:?}");

    // Saved and loaded: a new client (a new process, as `xrpc call --cookie-jar`) goes on
    // with the session, without logging in.
    let mut saved = Vec::new();
    jar.save_json(&mut saved).unwrap();
    let jar = CookieJar::load_json(&saved[..]).unwrap();
    let later = Client::builder(&url).cookie_jar(jar).build().unwrap();
    let who: Value = later.call("dokuwiki.getVersion", ()).unwrap();
    assert_eq!(who.as_str(), Some(version.as_str()));
    // The cookies belong to 127.0.0.1: another host is sent none of them.
    let elsewhere = Client::builder(&format!(
        "http://localhost:{}/lib/exe/xmlrpc.php",
        wiki.port()
    ))
    .cookie_jar(later.cookie_jar().unwrap().clone())
    .build()
    .unwrap();
    let err = elsewhere
        .call::<String, _>("dokuwiki.getVersion", ())
        .unwrap_err();
    assert!(matches!(err, Error::Status { status: 401, .. }), "{err:?}");
}

#[test]
fn headers_and_query_parameters_for_all_calls_and_for_one() {
    // Answers each call with its request target and its X-Token headers, as it saw them.
    let peer = test_support::peer::PeerServer::request_target().unwrap();
    let client = Client::builder(&peer.url("/kojihub?api=1"))
        .query("session-id", "42")
        .header("X-Token", "all")
        .build()
        .unwrap();
    let seen: String = client.call("getLoggedInUser", ()).unwrap();
    assert_eq!(seen, "/kojihub?api=1&session-id=42 all");
    let options = CallOptions::new()
        .query("session-key", "a b&c")
        .header("X-Token", "one");
    let seen: String = client.call_with("getLoggedInUser", (), &options).unwrap();
    assert_eq!(
        seen,
        "/kojihub?api=1&session-id=42&session-key=a%20b%26c all,one"
    );
    // Only that call: the next has the client's own again.
    let seen: String = client.call("getLoggedInUser", ()).unwrap();
    assert_eq!(seen, "/kojihub?api=1&session-id=42 all");
    // The async client takes the same options.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let seen: String = runtime
        .block_on(client.as_async().call_with("x", (), &options))
        .unwrap();
    assert!(seen.ends_with("session-key=a%20b%26c all,one"), "{seen}");
    // A header that is not one is refused before anything is sent.
    let bad = CallOptions::new().header("X Token", "x");
    let err = client.call_with::<String, _>("x", (), &bad).unwrap_err();
    assert!(matches!(err, Error::Header { .. }), "{err:?}");
}
