//! The documentation page as a visitor sees it: in headless Chromium at desktop and phone
//! widths (screenshots under `target/docs-page/`), with the URL the visitor used in every
//! example, help texts escaped, nothing wider than a phone's screen, and examples that work
//! when pasted: the quick start's Python runs, and every example request body is a call the
//! server answers.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{python, Conn};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;
use xmlrpc_kit::codec;
use xmlrpc_kit::server::{Server, ServerConfig, ServerHandle};
use xmlrpc_kit::{Binary, DateTime, Value};

const XSS_HELP: &str = "<script>document.title='pwned'</script><b>bold?</b>";

fn spawn() -> ServerHandle {
    Server::new()
        .method("add", |x: i32, y: i32| x + y)
        .help("Adds two integers.")
        .signature(["int", "int", "int"])
        .method("get_string", |s: String| format!("get string:{s}"))
        .help("Returns its argument after `get string:`, as the seed's Python server does.")
        .signature(["string", "string"])
        .method("echo", |v: Value| v)
        .help("Returns its argument unchanged.")
        .method("sum", |xs: Vec<i64>| xs.iter().sum::<i64>())
        .help("Adds up an array of integers.")
        .signature(["i8", "array"])
        .method("count_keys", |s: HashMap<String, Value>| s.len() as i32)
        .help("Counts the members of a struct.")
        .signature(["int", "struct"])
        .method("shift", |d: DateTime, hours: i32, half: f64, flip: bool| {
            format!("{d} {hours} {half} {flip}")
        })
        .help("Formats its arguments, to show every scalar type.")
        .signature(["string", "dateTime.iso8601", "int", "double", "boolean"])
        .method("length", |b: Binary| b.len() as i32)
        .help("The length of some bytes.")
        .signature(["int", "base64"])
        .method("xss", || 1)
        .help(XSS_HELP)
        .method(
            "a_method_with_a_rather_long_name_that_must_still_fit_on_a_phone",
            || true,
        )
        .help(
            "A long help line without spaces, to check that nothing overflows the page: \
             https://example.org/a/very/long/path/that/goes/on/and/on/without/any/break/at/all",
        )
        .signature(["boolean"])
        .with_introspection()
        .with_multicall()
        // The tests play a reverse proxy on loopback: its X-Forwarded-* headers count.
        .config(
            ServerConfig::default()
                .title("Docs page test")
                .trusted_proxies(["127.0.0.1".parse().unwrap()]),
        )
        .spawn("127.0.0.1:0")
        .unwrap()
}

/// Chromium is installed by `.ci/run`: on CI its absence fails the test, elsewhere it skips.
fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "chromium", "chromium-browser"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .stdin(Stdio::null())
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(PathBuf::from);
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is missing on CI (.ci/run installs it)"
        );
        eprintln!("SKIPPED: no chromium on this machine (CI installs it)");
    }
    found
}

/// Runs a command to its end, killing it after `limit` (the shared runner).
fn run(command: &mut Command, limit: Duration) -> Output {
    let command = std::mem::replace(command, Command::new("true"));
    test_support::process::run(command, limit).unwrap_or_else(|e| panic!("{e}"))
}

/// Headless Chromium on `url` at `width` x `height`, with `mode` (`--dump-dom` or
/// `--screenshot=PATH`); returns its standard output.
fn browse(browser: &Path, url: &str, (width, height): (u32, u32), mode: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = run(
        Command::new(browser)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("--window-size={width},{height}"))
            .arg(mode)
            .arg(url),
        Duration::from_secs(60),
    );
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Where the screenshots go: `target/docs-page/`, beside the test's own target folder.
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("docs-page");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks a PNG: its signature, the size it was asked for, and enough bytes to be a
/// picture rather than a blank.
fn assert_screenshot(path: &Path, (width, height): (u32, u32)) {
    let png = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is no PNG",
        path.display()
    );
    let size = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    assert_eq!((size(16), size(20)), (width, height), "{}", path.display());
    // A blank page of this size compresses to a few kilobytes; text and boxes do not.
    assert!(
        png.len() > 20_000,
        "{} is nearly blank ({} bytes)",
        path.display(),
        png.len()
    );
}

/// The text of the first `<pre><code>` after `marker` in a DOM dump, unescaped.
fn code_after(dom: &str, marker: &str) -> String {
    let at = dom
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in {dom}"));
    let rest = &dom[at..];
    let start = rest.find("<pre><code>").unwrap() + "<pre><code>".len();
    let end = rest[start..].find("</code></pre>").unwrap();
    unescape(&rest[start..start + end])
}

fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Measures a page in the browser. Chromium's window is at least 500 pixels wide, so the
/// page is laid out in a frame of the width wanted; when it has loaded, a script opens every
/// `<details>` and reports the frame's width, the document's, and any element reaching past
/// the right edge.
const LAYOUT_CHECK: &str = r#"<script>
function check(frame) {
  var doc = frame.contentDocument, width = frame.contentWindow.innerWidth, wide = [];
  var height = doc.documentElement.scrollHeight;
  doc.querySelectorAll('details').forEach(function (d) { d.open = true; });
  doc.querySelectorAll('body *').forEach(function (e) {
    var right = e.getBoundingClientRect().right;
    if (right > width + 0.5) wide.push(e.tagName + (e.id ? '#' + e.id : '') + ':' + Math.round(right));
  });
  document.getElementById('layout-check').textContent = 'viewport=' + width +
    ' scrollWidth=' + doc.documentElement.scrollWidth + ' height=' + height + ' wide=[' + wide.slice(0, 8).join(' ') + ']';
}
</script>"#;

/// What the layout check found.
#[derive(Debug)]
struct Layout {
    /// The frame's inner width.
    viewport: u32,
    /// The document's width (wider than the viewport when something overflows).
    document: u32,
    /// The document's height, with every `<details>` closed.
    height: u32,
    /// The elements reaching past the right edge, as `[TAG#id:right ...]`.
    wide: String,
}

/// The layout of `page` at `size`.
fn layout(browser: &Path, page: &str, (width, height): (u32, u32)) -> Layout {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("frame.html");
    let mut srcdoc = String::new();
    for c in page.chars() {
        match c {
            '&' => srcdoc.push_str("&amp;"),
            '"' => srcdoc.push_str("&quot;"),
            '<' => srcdoc.push_str("&lt;"),
            '>' => srcdoc.push_str("&gt;"),
            c => srcdoc.push(c),
        }
    }
    let frame = format!(
        "<!DOCTYPE html><html><body style=\"margin:0\">{LAYOUT_CHECK}\
         <iframe style=\"border:0;width:{width}px;height:{height}px\" onload=\"check(this)\" \
         srcdoc=\"{srcdoc}\"></iframe><p id=\"layout-check\"></p></body></html>"
    );
    std::fs::write(&file, frame).unwrap();
    let dom = browse(
        browser,
        &format!("file://{}", file.display()),
        (width.max(1280), height.max(900)),
        "--dump-dom",
    );
    let marker = "<p id=\"layout-check\">";
    let at = dom
        .find(marker)
        .unwrap_or_else(|| panic!("no layout check in {dom}"));
    let line = &dom[at + marker.len()..];
    let line = &line[..line.find("</p>").unwrap()];
    assert!(!line.is_empty(), "the check did not run: {dom}");
    let number = |key: &str| -> u32 {
        let value = &line[line.find(key).unwrap() + key.len()..];
        value[..value.find(' ').unwrap_or(value.len())]
            .parse()
            .unwrap()
    };
    Layout {
        viewport: number("viewport="),
        document: number("scrollWidth="),
        height: number("height="),
        wide: line[line.find("wide=").unwrap() + 5..].to_owned(),
    }
}

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

#[test]
fn the_page_shows_the_visitors_url_and_every_method() {
    let server = spawn();
    // The URL is the one the request used: the Host header and the path asked for.
    let page = Conn::open(server.local_addr())
        .request("GET", "/RPC2", &[], b"")
        .text();
    assert!(
        page.contains("<code class=\"url\" id=\"url\">http://test/RPC2</code>"),
        "{page}"
    );
    assert!(
        page.contains("xrpc call http://test/RPC2 add 2 3"),
        "{page}"
    );
    let behind_proxy = Conn::open(server.local_addr())
        .request(
            "GET",
            "/",
            &[
                ("X-Forwarded-Proto", "https"),
                ("X-Forwarded-Host", "rpc.example.org"),
            ],
            b"",
        )
        .text();
    assert!(
        behind_proxy.contains("ServerProxy(&quot;https://rpc.example.org/&quot;"),
        "{behind_proxy}"
    );
}

#[test]
fn every_example_body_is_a_call_the_server_answers() {
    let server = spawn();
    let page = Conn::open(server.local_addr())
        .request("GET", "/RPC2", &[], b"")
        .text();
    let mut checked = 0;
    for section in page.split("<section class=\"method\" id=\"").skip(1) {
        let name = &section[..section.find('"').unwrap()];
        let body = code_after(section, "<summary>Request body</summary>");
        assert!(
            body.contains(&format!("<methodName>{name}</methodName>")),
            "{body}"
        );
        if !section.contains("<p class=\"sig\">") {
            continue; // Its arguments are not declared: the body passes none.
        }
        let reply = Conn::open(server.local_addr()).post(body.as_bytes());
        assert_eq!(reply.status, 200, "{name}");
        let result = codec::decode_response::<Value>(&reply.body);
        assert!(matches!(result, Ok(Ok(_))), "{name}: {result:?}\n{body}");
        checked += 1;
    }
    // add get_string sum count_keys shift length the long one, and five system.* methods.
    assert_eq!(checked, 12);
}

#[test]
fn the_quick_start_runs_as_pasted() {
    let server = spawn();
    let page = Conn::open(server.local_addr())
        .request(
            "GET",
            "/RPC2",
            &[("X-Forwarded-Host", &server.local_addr().to_string())],
            b"",
        )
        .text();
    let script = code_after(&page, "<h3>Python</h3>");
    assert!(script.contains(&server.url()), "{script}");
    let out = python(&script, &[]);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("5"), "{out}");
    assert!(
        lines
            .next()
            .unwrap_or_default()
            .contains("'system.multicall'"),
        "{out}"
    );

    // The curl example, through the shell as pasted (curl is on CI's machines; elsewhere
    // this part may skip).
    let curl = code_after(&page, "<h3>curl</h3>");
    if Command::new("curl").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "curl is missing on CI");
        eprintln!("SKIPPED the curl example: no curl on this machine");
        return;
    }
    let output = run(
        Command::new("sh").arg("-c").arg(&curl),
        Duration::from_secs(30),
    );
    assert!(
        output.status.success(),
        "{curl}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        codec::decode_response::<i32>(&output.stdout).unwrap(),
        Ok(5),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn docs_page_in_headless_chromium_at_desktop_and_phone_widths() {
    let Some(browser) = chromium() else { return };
    let server = spawn();
    let url = server.url();

    // The page as Chromium builds it: the index, examples with the real URL, the hostile
    // help text kept as text (it did not run: the title is unchanged).
    let dom = browse(&browser, &url, DESKTOP, "--dump-dom");
    assert!(dom.contains("<title>Docs page test</title>"), "{dom}");
    let index = &dom[dom.find("<nav id=\"index\">").expect("an index")..];
    let index = &index[..index.find("</nav>").unwrap()];
    for name in [
        "add",
        "get_string",
        "echo",
        "xss",
        "system.listMethods",
        "system.multicall",
    ] {
        assert!(
            index.contains(&format!("<a href=\"#{name}\">{name}</a>")),
            "{name}: {index}"
        );
    }
    assert!(
        dom.contains(&format!("ServerProxy(\"{url}\", allow_none=True)")),
        "{dom}"
    );
    assert!(dom.contains(&format!("xrpc call {url} add 2 3")), "{dom}");
    assert!(dom.contains(&format!("xrpc methods {url}")), "{dom}");
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;&lt;b&gt;bold?&lt;/b&gt;"),
        "{dom}"
    );
    assert!(!dom.contains("<b>bold?</b>"), "{dom}");
    assert!(dom.contains("add(int, int) → int"), "{dom}");

    // Screenshots at both widths, kept for a person to look at.
    let dir = screenshot_dir();
    for (name, size) in [("desktop", DESKTOP), ("phone", PHONE)] {
        let path = dir.join(format!("{name}.png"));
        let _ = std::fs::remove_file(&path);
        browse(
            &browser,
            &url,
            size,
            &format!("--screenshot={}", path.display()),
        );
        assert_screenshot(&path, size);
        println!(
            "docs page screenshot ({name}, {}x{}): {}",
            size.0,
            size.1,
            path.display()
        );
    }

    // Nothing reaches past the right edge, on a phone as on a desktop, with every request
    // body unfolded. The check itself can fail: a page with one over-wide box does.
    let page = Conn::open(server.local_addr())
        .request("GET", "/RPC2", &[], b"")
        .text();
    std::fs::write(dir.join("page.html"), &page).unwrap();
    for (name, size) in [("phone", PHONE), ("desktop", DESKTOP)] {
        let found = layout(&browser, &page, size);
        assert_eq!(found.viewport, size.0, "{found:?}");
        assert!(
            found.document <= found.viewport,
            "overflow at {size:?}: {found:?}"
        );
        assert_eq!(found.wide, "[]", "past the edge at {size:?}");
        // The whole page too, for a person to look at.
        let full = (size.0, found.height.clamp(size.1, 12_000));
        let path = dir.join(format!("{name}-full.png"));
        let _ = std::fs::remove_file(&path);
        browse(
            &browser,
            &url,
            full,
            &format!("--screenshot={}", path.display()),
        );
        assert_screenshot(&path, full);
        println!(
            "docs page screenshot ({name}, whole page, {}x{}): {}",
            full.0,
            full.1,
            path.display()
        );
    }
    let too_wide = page.replacen("</main>", "<div style=\"width:600px\">wide</div></main>", 1);
    let found = layout(&browser, &too_wide, PHONE);
    assert!(
        found.document > found.viewport,
        "the check missed a 600px box: {found:?}"
    );
    assert!(found.wide.contains("DIV"), "{found:?}");
}
