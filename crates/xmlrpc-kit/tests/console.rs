//! The documentation page's console and the cross-site policy, in headless Chromium
//! (selenium through test-support's `browser`): `add` with 8 and 8 gives 16 on the page, a
//! fault shows as a fault, markup in a help text or a result stays text and runs nothing,
//! and a page on another loopback port that POSTs a call (`no-cors`, `text/plain`, the
//! attack of issue 17) is refused — the method does not run, as the server's own counter
//! says — while a configured origin may call through CORS. Python's `ServerProxy` and our
//! client still work. Screenshots at desktop and phone widths go to `target/console/`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{python, Conn};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use xmlrpc_kit::server::{Server, ServerConfig, ServerHandle};
use xmlrpc_kit::{Binary, Client, Fault};

const XSS_HELP: &str = "<script>document.title='pwned'</script><b>bold?</b>";
const MARKUP: &str = "<img src=x onerror=\"document.title='pwned'\"><b>not bold</b>";

/// A server whose `touch` counts its calls: the state that says whether a method ran.
fn spawn(touched: &Arc<AtomicUsize>, config: ServerConfig) -> ServerHandle {
    let count = Arc::clone(touched);
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .help("Adds two integers.")
        .signature(["int", "int", "int"])
        .method("fail", |why: String| -> Result<i32, Fault> {
            Err(Fault::new(42, format!("it failed: {why}")))
        })
        .help("Always a fault.")
        .signature(["int", "string"])
        .method("markup", || MARKUP.to_owned())
        .help(XSS_HELP)
        .signature(["string"])
        .method("bytes", || Binary::new(b"hello bytes".to_vec()))
        .help("Some bytes, to download.")
        .signature(["base64"])
        .method("touch", move |name: String| {
            count.fetch_add(1, Ordering::SeqCst);
            format!("touched {name}")
        })
        .help("Counts its calls (the test's witness that a method ran).")
        .signature(["string", "string"])
        .with_introspection()
        .with_multicall()
        .config(config.title("Console test"))
        .spawn("127.0.0.1:0")
        .unwrap()
}

/// `target/console/`, beside the test's own target folder.
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("console");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The browser's part: the console, screenshots, then the attacker's page. Prints one
/// `key=value` line per finding.
const SCRIPT: &str = r#"
import http.server, threading, json, time
url, other_url, shots = args[0], args[1], args[2]

def form(method):
    return driver.find_element(By.CSS_SELECTOR, 'form.try[data-method="%s"]' % method)

def call(method, values=None):
    f = form(method)
    if values is not None:
        fields = f.find_elements(By.CSS_SELECTOR, '.param')
        for field, value in zip(fields, values):
            field.clear()
            field.send_keys(value)
    driver.execute_script('arguments[0].scrollIntoView()', f)
    f.find_element(By.TAG_NAME, 'button').click()
    WebDriverWait(driver, 20).until(lambda d: f.find_element(By.CSS_SELECTOR, '.result').get_attribute('data-state'))
    out = f.find_element(By.CSS_SELECTOR, '.result')
    return f, out.get_attribute('data-state'), out.text

driver.get(url)
timing = driver.execute_script("var t = performance.getEntriesByType('navigation')[0]; return [t.responseEnd - t.startTime, t.domContentLoadedEventEnd - t.startTime, t.loadEventEnd - t.startTime, t.transferSize];")
print('timing=%s' % json.dumps(timing))
print('title=%s' % driver.title)
f, state, text = call('add', ['8', '8'])
print('add=%s %s' % (state, text))
raw = f.find_element(By.CSS_SELECTOR, '.raw')
raw.find_element(By.TAG_NAME, 'summary').click()
print('raw_request_has_8=%s' % ('<int>8</int>' in raw.find_element(By.CSS_SELECTOR, '.request').text))
print('raw_response_has_16=%s' % ('<int>16</int>' in raw.find_element(By.CSS_SELECTOR, '.response').text))
# The desktop screenshot shows that call: add's section, its result and raw XML open.
driver.execute_script("document.getElementById('add').scrollIntoView()")
driver.save_screenshot(shots + '/desktop.png')
f, state, text = call('fail', ['why not'])
print('fail=%s %s' % (state, text))
f, state, text = call('markup')
print('markup=%s %s' % (state, text))
print('markup_elements=%d' % len(f.find_elements(By.CSS_SELECTOR, '.result img, .result b')))
help_text = driver.find_element(By.CSS_SELECTOR, 'section[id="markup"] .help').text
print('help_is_text=%s' % (help_text == "<script>document.title='pwned'</script><b>bold?</b>"))
f, state, text = call('bytes')
print('bytes=%s %s' % (state, text))
print('download=%s' % f.find_element(By.CSS_SELECTOR, '.result a.download').get_attribute('download'))
# The JSON form of the parameters, for any method.
f = form('add')
f.find_element(By.CSS_SELECTOR, '.json summary').click()
area = f.find_element(By.CSS_SELECTOR, '.json textarea')
area.clear()
area.send_keys('[20, 22]')
f, state, text = call('add')
print('add_json=%s %s' % (state, text))
f, state, text = call('touch', ['from the console'])
print('touch=%s %s' % (state, text))
print('title_after=%s' % driver.title)

# The phone screenshot shows the same call.
phone(driver)
driver.get(url)
call('add', ['8', '8'])
driver.execute_script("document.getElementById('add').scrollIntoView()")
driver.save_screenshot(shots + '/phone.png')
print('phone_scroll_width=%s' % driver.execute_script('return document.documentElement.scrollWidth'))
driver.execute_cdp_cmd('Emulation.clearDeviceMetricsOverride', {})

# The attacker: a page on another loopback port POSTs a call without CORS, as text/plain,
# and as a form; then (the configured origin) the same page calls other_url with CORS.
body = '<?xml version="1.0"?><methodCall><methodName>touch</methodName><params><param><value><string>attack</string></value></param></params></methodCall>'
page = '''<!DOCTYPE html><html><head><title>attacker</title></head><body>
<form id="f" method="POST" action="%s" enctype="text/plain" target="sink"><input name="x" value="y"></form>
<iframe name="sink"></iframe>
<script>
var results = [];
fetch(%s, {method: 'POST', mode: 'no-cors', headers: {'Content-Type': 'text/plain'}, body: %s})
  .then(function (r) { results.push('no-cors:' + r.type); }, function (e) { results.push('no-cors:error'); })
  .then(function () {
    return fetch(%s, {method: 'POST', headers: {'Content-Type': 'text/xml'}, body: %s})
      .then(function (r) { return r.text().then(function (t) { results.push('cors:' + r.status + ':' + (t.indexOf('touched cors') >= 0)); }); },
            function (e) { results.push('cors:error'); });
  })
  .then(function () {
    return fetch(%s, {method: 'POST', headers: {'Content-Type': 'text/xml'}, body: %s})
      .then(function (r) { results.push('blocked:' + r.status); }, function (e) { results.push('blocked:error'); });
  })
  .then(function () { document.getElementById('f').submit(); setTimeout(function () { document.title = 'done ' + results.join(' '); }, 1500); });
</script></body></html>''' % (url, json.dumps(url), json.dumps(body), json.dumps(other_url), json.dumps(body.replace('attack', 'cors')), json.dumps(url), json.dumps(body))

class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        data = page.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html; charset=utf-8')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *a):
        pass

attacker = http.server.ThreadingHTTPServer(('127.0.0.1', int(args[3])), Page)
threading.Thread(target=attacker.serve_forever, daemon=True).start()
driver.get('http://127.0.0.1:%d/' % attacker.server_address[1])
WebDriverWait(driver, 20).until(lambda d: d.title.startswith('done'))
print('attack=%s' % driver.title)
attacker.shutdown()
"#;

/// The `key=value` lines a script printed.
fn findings(out: &str) -> std::collections::HashMap<String, String> {
    out.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

#[test]
fn the_console_calls_and_other_origins_cannot() {
    if !test_support::browser::available() {
        return;
    }
    let touched = Arc::new(AtomicUsize::new(0));
    let server = spawn(&touched, ServerConfig::default());
    // The attacker's page is served here; a second server allows it as an origin.
    let attacker_port = test_support::apps::free_port();
    let attacker = format!("http://127.0.0.1:{attacker_port}");
    let allowed_touched = Arc::new(AtomicUsize::new(0));
    let allowing = spawn(
        &allowed_touched,
        ServerConfig::default().allowed_origins([attacker.as_str()]),
    );
    let shots = screenshot_dir();
    let out = test_support::browser::run(
        SCRIPT,
        &[
            &server.url(),
            &allowing.url(),
            shots.to_str().unwrap(),
            &attacker_port.to_string(),
        ],
    );
    println!("{out}");
    let found = findings(&out);
    let get = |key: &str| {
        found
            .get(key)
            .unwrap_or_else(|| panic!("no {key} in\n{out}"))
            .as_str()
    };
    assert_eq!(get("title"), "Console test");
    assert_eq!(get("add"), "ok int 16");
    assert_eq!(get("raw_request_has_8"), "True");
    assert_eq!(get("raw_response_has_16"), "True");
    assert_eq!(get("fail"), "fault Fault 42: it failed: why not");
    assert_eq!(get("markup"), format!("ok string {MARKUP}"));
    assert_eq!(get("markup_elements"), "0");
    assert_eq!(get("help_is_text"), "True");
    assert_eq!(get("bytes"), "ok base64 11 bytes download");
    assert_eq!(get("download"), "bytes.bin");
    assert_eq!(get("add_json"), "ok int 42");
    assert_eq!(get("touch"), "ok string touched from the console");
    assert_eq!(get("title_after"), "Console test", "a script ran");
    // The page fits a phone.
    assert!(
        get("phone_scroll_width").parse::<u32>().unwrap() <= 390,
        "{out}"
    );
    // The attack: the no-cors fetch got an opaque answer, the form went, the CORS fetch to
    // the server that does not allow the origin failed; none ran the method. The server
    // that allows the origin answered it through CORS.
    let attack = get("attack");
    assert!(attack.contains("no-cors:opaque"), "{attack}");
    assert!(attack.contains("cors:200:true"), "{attack}");
    assert!(attack.contains("blocked:error"), "{attack}");
    assert_eq!(
        touched.load(Ordering::SeqCst),
        1,
        "only the console's own call ran touch"
    );
    assert_eq!(allowed_touched.load(Ordering::SeqCst), 1);

    // Library clients are not affected: Python's ServerProxy and ours.
    let script = "import sys, xmlrpc.client as x\n\
                  s = x.ServerProxy(sys.argv[1])\n\
                  print(s.add(8, 8), s.touch('python'))";
    assert_eq!(python(script, &[&server.url()]).trim(), "16 touched python");
    let client = Client::new(&server.url()).unwrap();
    assert_eq!(client.call::<i32, _>("add", (8, 8)).unwrap(), 16);
    assert_eq!(
        client.call::<String, _>("touch", ("rust",)).unwrap(),
        "touched rust"
    );
    assert_eq!(touched.load(Ordering::SeqCst), 3);

    for (name, size) in [("desktop", (1280, 900)), ("phone", (390, 844))] {
        let path = shots.join(format!("{name}.png"));
        let png = std::fs::read(&path).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", path.display());
        assert!(png.len() > 20_000, "{} is nearly blank", path.display());
        println!(
            "console screenshot ({name}, {}x{}): {}",
            size.0,
            size.1,
            path.display()
        );
    }

    // The figures: the console's bytes and its load time in Chromium.
    let page = Conn::open(server.local_addr())
        .request("GET", "/RPC2", &[], b"")
        .text();
    let between = |open: &str, close: &str| {
        let start = page.find(open).unwrap() + open.len();
        page[start..].find(close).unwrap()
    };
    let style = between("<style>", "</style>");
    let script = between("<script>", "</script>");
    let timing: Vec<f64> = serde_json::from_str(get("timing")).unwrap();
    println!(
        "console size: {} bytes in all, {} of HTML, {style} of CSS, {script} of script; \
         load in Chromium: response {:.1} ms, DOMContentLoaded {:.1} ms, load {:.1} ms",
        page.len(),
        page.len() - style - script,
        timing[0],
        timing[1],
        timing[2]
    );
}

#[test]
fn cross_site_requests_are_refused_on_the_wire() {
    let touched = Arc::new(AtomicUsize::new(0));
    let server = spawn(&touched, ServerConfig::default());
    let body = common::call_xml("touch", &["<string>x</string>"]);
    let mut conn = Conn::open(server.local_addr());
    // The issue's attack: text/plain from another origin.
    let refused = conn.request(
        "POST",
        "/RPC2",
        &[
            ("Origin", "http://127.0.0.1:1"),
            ("Content-Type", "text/plain"),
        ],
        &body,
    );
    assert_eq!(refused.status, 403, "{}", refused.text());
    assert!(refused.text().contains("cross-site request refused"));
    let refused = Conn::open(server.local_addr()).request(
        "POST",
        "/RPC2",
        &[
            ("Sec-Fetch-Site", "cross-site"),
            ("Content-Type", "text/xml"),
        ],
        &body,
    );
    assert_eq!(refused.status, 403);
    let preflight = Conn::open(server.local_addr()).request(
        "OPTIONS",
        "/RPC2",
        &[
            ("Origin", "http://127.0.0.1:1"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(preflight.status, 403);
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    assert_eq!(touched.load(Ordering::SeqCst), 0);
    // The page's own origin (Host is `test` in test-support's client), as XML, runs.
    let own_host = [("Origin", "http://test"), ("Content-Type", "text/xml")];
    let ok = Conn::open(server.local_addr()).request("POST", "/RPC2", &own_host, &body);
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("access-control-allow-origin"), None);
    // From its own origin but as text/plain: not a call a browser page should make.
    let plain = Conn::open(server.local_addr()).request(
        "POST",
        "/RPC2",
        &[("Origin", "http://test"), ("Content-Type", "text/plain")],
        &body,
    );
    assert_eq!(plain.status, 415);
    assert_eq!(touched.load(Ordering::SeqCst), 1);
    // No Origin, any type: every XML-RPC library, curl and scripts.
    let library = Conn::open(server.local_addr()).request(
        "POST",
        "/RPC2",
        &[("Content-Type", "text/plain")],
        &body,
    );
    assert_eq!(library.status, 200);
    assert_eq!(touched.load(Ordering::SeqCst), 2);
    // The page carries its policy.
    let page = Conn::open(server.local_addr()).request("GET", "/RPC2", &[], b"");
    let csp = page.header("content-security-policy").unwrap();
    assert!(
        csp.contains("script-src 'sha256-") && csp.contains("connect-src 'self'"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
}
