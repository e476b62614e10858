//! The documentation page served on GET, as Python's `DocXMLRPCServer` does, with what a
//! caller needs to start: the server's URL as the visitor reached it, ready-to-paste calls
//! (Python, `xrpc`, curl), a compact index, and per method its signatures, help and an
//! example request body. With the console on, each method also gets a form whose Call
//! button POSTs the call from the page (`console/console.js`, served inline and allowed by
//! the page's content security policy by its hash, the only script that may run). Every
//! text is escaped here and set as text by the script, so neither a help string nor a
//! result can inject markup.

use crate::dispatch::MethodDoc;
use hyper::header::{self, HeaderMap};
use hyper::Uri;
use std::fmt::Write;
use std::net::SocketAddr;

/// What the server knows of the connection a request came on, handed to the service as a
/// request extension by the server's own listener (absent when mounted as a tower service).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Endpoint {
    /// The connection is TLS.
    pub(crate) https: bool,
    /// The local address the client connected to.
    pub(crate) local: Option<SocketAddr>,
}

/// The URL the visitor used to reach the page: scheme and host as the request gives them
/// (`X-Forwarded-Proto` / `X-Forwarded-Host` from a reverse proxy first, then the request
/// line's absolute form, the `Host` header, and the connection itself), and the path it
/// asked for. Only a well-formed host is taken; anything else falls back to the next source.
/// The `X-Forwarded-*` headers count only when `forwarded` (the peer is a trusted proxy).
pub(crate) fn request_url(
    uri: &Uri,
    headers: &HeaderMap,
    endpoint: Option<&Endpoint>,
    forwarded: bool,
) -> String {
    let first = |name: &str| {
        if !forwarded {
            return None;
        }
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
    };
    let scheme = first("x-forwarded-proto")
        .map(str::to_ascii_lowercase)
        .filter(|s| s == "http" || s == "https")
        .or_else(|| uri.scheme_str().map(str::to_ascii_lowercase))
        .filter(|s| s == "http" || s == "https")
        .unwrap_or_else(|| {
            if endpoint.is_some_and(|e| e.https) {
                "https".to_owned()
            } else {
                "http".to_owned()
            }
        });
    let host = first("x-forwarded-host")
        .filter(|h| is_authority(h))
        .map(str::to_owned)
        .or_else(|| uri.authority().map(|a| a.as_str().to_owned()))
        .filter(|h| is_authority(h))
        .or_else(|| {
            headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|h| is_authority(h))
                .map(str::to_owned)
        })
        .or_else(|| endpoint.and_then(|e| e.local).map(|a| a.to_string()))
        .unwrap_or_else(|| "localhost".to_owned());
    format!("{scheme}://{host}{}", uri.path())
}

/// `host` or `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address.
pub(crate) fn is_authority(text: &str) -> bool {
    let (host, port) = match text.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((v6, after)) => {
                if v6.is_empty()
                    || !v6
                        .chars()
                        .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
                {
                    return false;
                }
                match after {
                    "" => return true,
                    _ => match after.strip_prefix(':') {
                        Some(port) => ("v6", port),
                        None => return false,
                    },
                }
            }
            None => return false,
        },
        None => match text.rsplit_once(':') {
            Some((host, port)) => (host, port),
            None => (text, "80"),
        },
    };
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
    let port_ok = !port.is_empty() && port.len() <= 5 && port.chars().all(|c| c.is_ascii_digit());
    host_ok && port_ok
}

/// Escapes text for HTML content and attribute values.
pub(crate) fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// How the URL is written where it appears.
#[derive(Debug, Clone, Copy)]
enum UrlAs {
    /// As text.
    Text,
    /// As a shell word.
    Shell,
    /// As a Python string literal.
    Python,
}

/// The page with the server's URL still to fill in: it is the same for every visitor but
/// for the URL, so it is built once and filled per request.
#[derive(Debug)]
pub(crate) struct Page {
    /// Each piece of HTML is followed by the URL written as given (none after the last).
    parts: Vec<(String, Option<UrlAs>)>,
}

impl Page {
    /// Lays out the page for these methods, with the console's forms and script when
    /// `console`.
    pub(crate) fn new(title: &str, methods: &[MethodDoc], console: bool) -> Page {
        let mut page = Builder {
            console,
            ..Builder::default()
        };
        layout(&mut page, title, methods);
        page.finish()
    }

    /// The page as served to a visitor who reached it at `url`.
    pub(crate) fn render(&self, url: &str) -> String {
        let mut text = String::new();
        let shell = escape(&shell_word(url));
        let python = escape(&python_str(url));
        let plain = escape(url);
        let total: usize = self
            .parts
            .iter()
            .map(|(html, slot)| html.len() + slot.map_or(0, |_| shell.len().max(python.len())))
            .sum();
        text.reserve(total);
        for (html, slot) in &self.parts {
            text.push_str(html);
            match slot {
                Some(UrlAs::Text) => text.push_str(&plain),
                Some(UrlAs::Shell) => text.push_str(&shell),
                Some(UrlAs::Python) => text.push_str(&python),
                None => {}
            }
        }
        text
    }
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(text, &mut out);
    out
}

/// Writes the page's HTML, leaving slots for the URL.
#[derive(Default)]
struct Builder {
    parts: Vec<(String, Option<UrlAs>)>,
    current: String,
    /// Whether the page is a console (forms and their script).
    console: bool,
}

impl Builder {
    /// Markup, as it is.
    fn html(&mut self, markup: &str) -> &mut Self {
        self.current.push_str(markup);
        self
    }

    /// Text, escaped.
    fn text(&mut self, text: &str) -> &mut Self {
        escape_html(text, &mut self.current);
        self
    }

    /// The URL, written as `how`.
    fn url(&mut self, how: UrlAs) -> &mut Self {
        let html = std::mem::take(&mut self.current);
        self.parts.push((html, Some(how)));
        self
    }

    fn finish(mut self) -> Page {
        let last = std::mem::take(&mut self.current);
        self.parts.push((last, None));
        Page { parts: self.parts }
    }
}

const STYLE: &str = "\
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;\
--line:#d1d9e0;--accent:#0b62c4;--chip:#eef4fb}\
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;\
--panel:#161b22;--line:#30363d;--accent:#58a6ff;--chip:#132338}}\
*{box-sizing:border-box}\
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}\
body{margin:0;background:var(--bg);color:var(--fg);\
font:16px/1.5 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\",sans-serif}\
main{max-width:56rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}\
code,pre{font-family:ui-monospace,\"SFMono-Regular\",\"DejaVu Sans Mono\",Menlo,Consolas,monospace;\
font-size:.875rem}\
pre{margin:.4rem 0;padding:.6rem .8rem;background:var(--panel);border:1px solid var(--line);\
border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere}\
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}\
h1{font-size:1.6rem;margin:0 0 .25rem;overflow-wrap:anywhere}\
h2{font-size:1.15rem;margin:2rem 0 .5rem}\
h3{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);\
margin:1rem 0 .2rem}\
.lead{margin:.25rem 0;color:var(--muted)}\
.url{display:block;margin:.5rem 0 0;padding:.5rem .8rem;font-size:1rem;background:var(--chip);\
border-radius:6px;overflow-wrap:anywhere}\
#index ul{list-style:none;margin:.25rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.35rem}\
#index li a{display:inline-block;padding:.1rem .55rem;border:1px solid var(--line);\
border-radius:999px;background:var(--panel);font-family:ui-monospace,\"DejaVu Sans Mono\",\
monospace;font-size:.85rem;overflow-wrap:anywhere}\
#index p{margin:.6rem 0 0;color:var(--muted);font-size:.85rem}\
.method{border-top:1px solid var(--line);padding-top:.25rem;margin-top:1.5rem}\
.method h2{margin:.75rem 0 .25rem;font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;\
font-size:1.1rem;overflow-wrap:anywhere}\
.method h2 a{color:inherit}\
.sig{margin:0;color:var(--muted);font-family:ui-monospace,\"DejaVu Sans Mono\",monospace;\
font-size:.875rem;overflow-wrap:anywhere}\
.help{margin:.5rem 0;white-space:pre-wrap;overflow-wrap:anywhere}\
.none{color:var(--muted);font-style:italic}\
.calls{margin:.5rem 0}\
.prompt{color:var(--muted);user-select:none;-webkit-user-select:none}\
details{margin:.3rem 0}summary{cursor:pointer;color:var(--accent);font-size:.9rem}\
@media (max-width:40rem){main{padding:1rem .8rem 2rem}h1{font-size:1.35rem}}";

fn layout(page: &mut Builder, title: &str, methods: &[MethodDoc]) {
    let (system, own): (Vec<&MethodDoc>, Vec<&MethodDoc>) =
        methods.iter().partition(|m| m.name.starts_with("system."));
    let has = |name: &str| methods.iter().any(|m| m.name == name);
    let example = example_method(&own, &system);
    let example_args = example.map(|m| samples(m, None));

    let console_style = if page.console { CONSOLE_STYLE } else { "" };
    page.html("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .html("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        .text(title)
        .html("</title>\n<style>")
        .html(STYLE)
        .html(console_style)
        .html("</style>\n</head><body>\n<main>\n<header>\n<h1>")
        .text(title)
        .html("</h1>\n<p class=\"lead\">An XML-RPC endpoint: POST a <code>&lt;methodCall&gt;</code> to</p>\n<code class=\"url\" id=\"url\">")
        .url(UrlAs::Text)
        .html("</code>\n</header>\n");

    // The index: every method at a glance, the server's own first.
    let _ = write!(
        page.current,
        "<nav id=\"index\">\n<h2>{} method{}</h2>\n",
        methods.len(),
        if methods.len() == 1 { "" } else { "s" }
    );
    for (group, label) in [(&own, ""), (&system, "Built in")] {
        if group.is_empty() {
            continue;
        }
        if !label.is_empty() && !own.is_empty() {
            page.html("<p>").text(label).html("</p>\n");
        }
        page.html("<ul>\n");
        for m in group {
            page.html("<li><a href=\"#")
                .text(&fragment(&m.name))
                .html("\">")
                .text(&m.name)
                .html("</a></li>\n");
        }
        page.html("</ul>\n");
    }
    page.html("</nav>\n");

    // Calling it: ready to paste.
    page.html("<section id=\"quick-start\">\n<h2>Calling it</h2>\n<h3>Python</h3>\n<pre><code>")
        .text("import xmlrpc.client\n\nserver = xmlrpc.client.ServerProxy(")
        .url(UrlAs::Python)
        .text(", allow_none=True)\n");
    if let (Some(m), Some(args)) = (example, &example_args) {
        page.text(&format!("print({})\n", python_call(&m.name, args)));
    }
    if has("system.listMethods") {
        page.text("print(server.system.listMethods())\n");
    }
    page.html("</code></pre>\n<h3>xrpc</h3>\n<pre><code>");
    if has("system.listMethods") {
        page.text("xrpc methods ").url(UrlAs::Shell).text("\n");
    }
    if let (Some(m), Some(args)) = (example, &example_args) {
        page.text("xrpc call ").url(UrlAs::Shell);
        page.text(&xrpc_args(&m.name, args)).text("\n");
    }
    page.html("</code></pre>\n");
    if let (Some(m), Some(args)) = (example, &example_args) {
        page.html("<h3>curl</h3>\n<pre><code>")
            .text("curl -H 'Content-Type: text/xml' \\\n  --data-binary @- ")
            .url(UrlAs::Shell)
            .text(" <<'EOF'\n")
            .text(&request_body(&m.name, args))
            .text("\nEOF")
            .html("</code></pre>\n");
    }
    page.html("</section>\n");

    for m in own.iter().chain(&system) {
        method_section(page, m, example);
    }
    page.html("</main>\n");
    if page.console {
        page.html("<script>")
            .html(CONSOLE_SCRIPT)
            .html("</script>\n");
    }
    page.html("</body></html>\n");
}

/// The method the quick start calls: the server's first method whose signature has
/// parameters (to show them passed), else its first with a signature, else its first, else
/// a built-in one.
fn example_method<'a>(own: &[&'a MethodDoc], system: &[&'a MethodDoc]) -> Option<&'a MethodDoc> {
    own.iter()
        .find(|m| m.signatures.first().is_some_and(|s| s.len() > 1))
        .or_else(|| own.iter().find(|m| !m.signatures.is_empty()))
        .or_else(|| own.first())
        .or_else(|| system.iter().find(|m| m.name == "system.listMethods"))
        .copied()
}

fn method_section(page: &mut Builder, m: &MethodDoc, example: Option<&MethodDoc>) {
    page.html("<section class=\"method\" id=\"")
        .text(&m.name)
        .html("\">\n<h2><a href=\"#")
        .text(&fragment(&m.name))
        .html("\">")
        .text(&m.name)
        .html("</a></h2>\n");
    for signature in &m.signatures {
        if let Some((result, params)) = signature.split_first() {
            page.html("<p class=\"sig\">")
                .text(&format!("{}({}) → {}", m.name, params.join(", "), result))
                .html("</p>\n");
        }
    }
    if m.help.trim().is_empty() {
        page.html("<p class=\"help none\">No help text.</p>\n");
    } else {
        page.html("<div class=\"help\">")
            .text(m.help.trim_end())
            .html("</div>\n");
    }
    // The prompts say which is which, and are left out when the lines are copied.
    let args = samples(m, example);
    page.html(
        "<pre class=\"calls\"><code><span class=\"prompt\" title=\"Python\">&gt;&gt;&gt; </span>",
    )
    .text(&python_call(&m.name, &args))
    .html("\n<span class=\"prompt\" title=\"shell\">$ </span>")
    .text("xrpc call ")
    .url(UrlAs::Shell)
    .text(&xrpc_args(&m.name, &args))
    .html("</code></pre>\n");
    if m.signatures.is_empty() {
        page.html(
            "<p class=\"none\">Its arguments are not declared, so the examples pass none.</p>\n",
        );
    }
    page.html("<details><summary>Request body</summary>\n<pre><code>")
        .text(&request_body(&m.name, &args))
        .html("</code></pre>\n</details>\n");
    if page.console {
        console_form(page, m, &args);
    }
    page.html("</section>\n");
}

/// The console's script: it finds the forms by class and POSTs to the page's own URL.
const CONSOLE_SCRIPT: &str = include_str!("console/console.js");
/// The console's styles, added to the page's.
const CONSOLE_STYLE: &str = include_str!("console/console.css");

/// The content security policy of the page: only the console's script runs (by its
/// SHA-256), it may call only this origin, and nothing may frame the page.
pub(crate) fn content_security_policy() -> &'static str {
    static POLICY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        use base64::Engine;
        use sha2::Digest;
        let hash = base64::engine::general_purpose::STANDARD
            .encode(sha2::Sha256::digest(CONSOLE_SCRIPT.as_bytes()));
        format!(
            "default-src 'none'; script-src 'sha256-{hash}'; style-src 'unsafe-inline'; \
             connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'"
        )
    })
}

/// The console's form for a method: one field per parameter of its first signature
/// (filled with the examples' values), or a JSON array of parameters; the Call button; and
/// where the script shows the answer and the raw XML.
fn console_form(page: &mut Builder, m: &MethodDoc, args: &[Sample]) {
    page.html("<form class=\"try\" data-method=\"")
        .text(&m.name)
        .html("\">\n");
    let params = m
        .signatures
        .first()
        .and_then(|s| s.split_first())
        .map(|(_, params)| params)
        .unwrap_or_default();
    for (i, (ty, sample)) in params.iter().zip(args).enumerate() {
        page.html("<label><span>")
            .text(&format!("{} · {ty}", i + 1))
            .html("</span>");
        match (ty.as_str(), sample) {
            ("boolean" | "bool", _) => {
                page.html("<select class=\"param\" data-type=\"")
                    .text(ty)
                    .html("\"><option>true</option><option>false</option></select>");
            }
            (_, Sample::Struct(_) | Sample::Array(_)) => {
                let mut json = String::new();
                json_value(sample, &mut json);
                page.html("<textarea class=\"param\" rows=\"2\" data-type=\"")
                    .text(ty)
                    .html("\">")
                    .text(&json)
                    .html("</textarea>");
            }
            _ => {
                let (value, mode) = match sample {
                    Sample::Int(n) | Sample::I8(n) => (n.to_string(), "numeric"),
                    Sample::Double(d) => ((*d).to_owned(), "decimal"),
                    Sample::Str(s) => (s.clone(), "text"),
                    Sample::DateTime(d) | Sample::Base64(d) => ((*d).to_owned(), "text"),
                    _ => (String::new(), "text"),
                };
                page.html("<input class=\"param\" data-type=\"")
                    .text(ty)
                    .html("\" inputmode=\"")
                    .html(mode)
                    .html("\" value=\"")
                    .text(&value)
                    .html("\">");
            }
        }
        page.html("</label>\n");
    }
    let mut json = String::from("[");
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            json.push_str(", ");
        }
        json_value(arg, &mut json);
    }
    json.push(']');
    page.html(if m.signatures.is_empty() {
        "<details class=\"json\" open><summary>Parameters as JSON</summary>"
    } else {
        "<details class=\"json\"><summary>Parameters as JSON (used while open)</summary>"
    })
    .html("<textarea rows=\"2\" aria-label=\"parameters as a JSON array\">")
    .text(&json)
    .html(
        "</textarea></details>\n<button type=\"submit\">Call</button><span class=\"took\"></span>\n\
         <output class=\"result\" hidden></output>\n\
         <details class=\"raw\"><summary>Request and response XML</summary>\
         <pre class=\"request\"></pre><pre class=\"response\"></pre></details>\n</form>\n",
    );
}

/// A method name as a URL fragment: percent-encoded where a fragment may not hold it raw.
fn fragment(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// An example value for a parameter.
#[derive(Debug, Clone)]
enum Sample {
    Int(i64),
    I8(i64),
    Bool(bool),
    Str(String),
    Double(&'static str),
    DateTime(&'static str),
    Base64(&'static str),
    Struct(Vec<(String, Sample)>),
    Array(Vec<Sample>),
    Nil,
}

/// Example arguments from the method's first signature (none when it has none). The
/// introspection methods and multicall are shown on `example`, a method the server has.
fn samples(m: &MethodDoc, example: Option<&MethodDoc>) -> Vec<Sample> {
    let Some((_, params)) = m.signatures.first().and_then(|s| s.split_first()) else {
        return Vec::new();
    };
    let method_name = example.map_or("system.listMethods", |m| m.name.as_str());
    let mut ints = 1;
    params
        .iter()
        .map(|ty| match (m.name.as_str(), ty.as_str()) {
            ("system.methodHelp" | "system.methodSignature", "string") => {
                Sample::Str(method_name.to_owned())
            }
            ("system.multicall", "array") => Sample::Array(multicall_sample(example)),
            _ => sample_of(ty, &mut ints),
        })
        .collect()
}

fn sample_of(ty: &str, ints: &mut i64) -> Sample {
    match ty {
        "int" | "i4" | "i1" | "i2" => {
            *ints += 1;
            Sample::Int(*ints)
        }
        "i8" => Sample::I8(5_000_000_000),
        "boolean" | "bool" => Sample::Bool(true),
        "double" => Sample::Double("1.5"),
        "dateTime.iso8601" | "dateTime" => Sample::DateTime("20261125T10:00:00"),
        "base64" => Sample::Base64("hello"),
        "struct" => Sample::Struct(vec![("key".to_owned(), Sample::Str("value".to_owned()))]),
        "array" => Sample::Array(vec![Sample::Int(1), Sample::Int(2)]),
        "nil" => Sample::Nil,
        _ => Sample::Str("text".to_owned()),
    }
}

/// A `system.multicall` argument: one call of `example`.
fn multicall_sample(example: Option<&MethodDoc>) -> Vec<Sample> {
    example
        .filter(|m| m.name != "system.multicall")
        .map(|m| {
            vec![Sample::Struct(vec![
                ("methodName".to_owned(), Sample::Str(m.name.clone())),
                ("params".to_owned(), Sample::Array(samples(m, None))),
            ])]
        })
        .unwrap_or_default()
}

/// A double-quoted string literal, valid both in JSON and in Python.
fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn python_str(text: &str) -> String {
    quoted(text)
}

fn python_value(sample: &Sample, out: &mut String) {
    match sample {
        Sample::Int(n) | Sample::I8(n) => {
            let _ = write!(out, "{n}");
        }
        Sample::Bool(b) => out.push_str(if *b { "True" } else { "False" }),
        Sample::Str(s) => out.push_str(&quoted(s)),
        Sample::Double(d) => out.push_str(d),
        Sample::DateTime(d) => {
            let _ = write!(out, "xmlrpc.client.DateTime({})", quoted(d));
        }
        Sample::Base64(bytes) => {
            let _ = write!(out, "xmlrpc.client.Binary(b{})", quoted(bytes));
        }
        Sample::Struct(members) => {
            out.push('{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quoted(name));
                out.push_str(": ");
                python_value(value, out);
            }
            out.push('}');
        }
        Sample::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                python_value(item, out);
            }
            out.push(']');
        }
        Sample::Nil => out.push_str("None"),
    }
}

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn is_python_identifier(part: &str) -> bool {
    let mut chars = part.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !PYTHON_KEYWORDS.contains(&part)
}

/// `server.name(args)`, or `getattr(server, "name")(args)` when the name is not a chain of
/// Python identifiers.
fn python_call(name: &str, args: &[Sample]) -> String {
    let mut out = if name.split('.').all(is_python_identifier) {
        format!("server.{name}(")
    } else {
        format!("getattr(server, {})(", quoted(name))
    };
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        python_value(arg, &mut out);
    }
    out.push(')');
    out
}

fn json_value(sample: &Sample, out: &mut String) {
    match sample {
        Sample::Int(n) | Sample::I8(n) => {
            let _ = write!(out, "{n}");
        }
        Sample::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Sample::Str(s) => out.push_str(&quoted(s)),
        Sample::Double(d) => out.push_str(d),
        Sample::DateTime(d) => {
            let _ = write!(out, "{{\"dateTime\": {}}}", quoted(d));
        }
        Sample::Base64(bytes) => {
            let _ = write!(out, "{{\"base64\": {}}}", quoted(&base64_of(bytes)));
        }
        Sample::Struct(members) => {
            out.push('{');
            for (i, (name, value)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quoted(name));
                out.push_str(": ");
                json_value(value, out);
            }
            out.push('}');
        }
        Sample::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_value(item, out);
            }
            out.push(']');
        }
        Sample::Nil => out.push_str("null"),
    }
}

/// ` METHOD ARG...` as `xrpc call` reads them (see its `--help`), each a shell word.
fn xrpc_args(name: &str, args: &[Sample]) -> String {
    let mut out = format!(" {}", shell_word(name));
    for arg in args {
        let word = match arg {
            // Plain text is a string unless it reads as JSON; then the typed form says so.
            Sample::Str(s) => {
                let looks_json = s.is_empty()
                    || s.starts_with(|c: char| c.is_ascii_digit() || "-[{\"".contains(c))
                    || ["true", "false", "null"].contains(&s.as_str());
                if looks_json {
                    format!("s/{s}")
                } else {
                    s.clone()
                }
            }
            Sample::DateTime(d) => format!("t/{d}"),
            Sample::Nil => "n/".to_owned(),
            other => {
                let mut json = String::new();
                json_value(other, &mut json);
                json
            }
        };
        out.push(' ');
        out.push_str(&shell_word(&word));
    }
    out
}

/// The text as one POSIX shell word: as it is when it holds nothing the shell reads,
/// single-quoted otherwise.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:@%+=,".contains(c));
    if plain {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

/// Escapes text for XML content.
fn escape_xml(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// Writes a value's XML, composite values over indented lines (`depth` levels in).
fn xml_value(sample: &Sample, out: &mut String, depth: usize) {
    let newline = |out: &mut String, extra: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth + extra));
    };
    match sample {
        Sample::Int(n) => {
            let _ = write!(out, "<int>{n}</int>");
        }
        Sample::I8(n) => {
            let _ = write!(out, "<i8>{n}</i8>");
        }
        Sample::Bool(b) => {
            let _ = write!(out, "<boolean>{}</boolean>", u8::from(*b));
        }
        Sample::Str(s) => {
            out.push_str("<string>");
            escape_xml(s, out);
            out.push_str("</string>");
        }
        Sample::Double(d) => {
            let _ = write!(out, "<double>{d}</double>");
        }
        Sample::DateTime(d) => {
            let _ = write!(out, "<dateTime.iso8601>{d}</dateTime.iso8601>");
        }
        Sample::Base64(bytes) => {
            let _ = write!(out, "<base64>{}</base64>", base64_of(bytes));
        }
        Sample::Struct(members) => {
            out.push_str("<struct>");
            for (name, value) in members {
                newline(out, 1);
                out.push_str("<member><name>");
                escape_xml(name, out);
                out.push_str("</name><value>");
                xml_value(value, out, depth + 2);
                out.push_str("</value></member>");
            }
            newline(out, 0);
            out.push_str("</struct>");
        }
        Sample::Array(items) => {
            out.push_str("<array><data>");
            for item in items {
                newline(out, 1);
                out.push_str("<value>");
                xml_value(item, out, depth + 2);
                out.push_str("</value>");
            }
            newline(out, 0);
            out.push_str("</data></array>");
        }
        Sample::Nil => out.push_str("<nil/>"),
    }
}

/// The `<methodCall>` for `name(args)`, one parameter a line.
fn request_body(name: &str, args: &[Sample]) -> String {
    let mut out = String::from("<?xml version=\"1.0\"?>\n<methodCall>\n  <methodName>");
    escape_xml(name, &mut out);
    out.push_str("</methodName>\n  <params>");
    for arg in args {
        out.push_str("\n    <param><value>");
        xml_value(arg, &mut out, 2);
        out.push_str("</value></param>");
    }
    out.push_str("\n  </params>\n</methodCall>");
    out
}

/// Standard base64 with padding, for the samples' few bytes.
fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, help: &str, signature: &[&str]) -> MethodDoc {
        MethodDoc {
            name: name.into(),
            help: help.into(),
            signatures: if signature.is_empty() {
                Vec::new()
            } else {
                vec![signature.iter().map(|s| s.to_string()).collect()]
            },
        }
    }

    #[test]
    fn help_text_cannot_inject_markup() {
        let methods = [doc(
            "x<y",
            "<script>alert('x')</script> & more",
            &["int", "string"],
        )];
        let page = Page::new("T", &methods, true).render("http://h/RPC2");
        assert!(!page.contains("<script>alert"), "{page}");
        // The page's one script is the console's, which the policy allows by its hash.
        assert_eq!(page.matches("<script>").count(), 1);
        assert!(content_security_policy().contains("script-src 'sha256-"));
        let plain = Page::new("T", &methods, false).render("http://h/RPC2");
        assert!(
            !plain.contains("<script") && !plain.contains("<form"),
            "{plain}"
        );
        assert!(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more"));
        assert!(page.contains("x&lt;y(string) → int"));
    }

    #[test]
    fn examples_carry_the_url_in_each_language() {
        let methods = [doc("add", "Adds.", &["int", "int", "int"])];
        let page = Page::new("T", &methods, true).render("http://[::1]:8080/RPC2");
        assert!(
            page.contains("ServerProxy(&quot;http://[::1]:8080/RPC2&quot;, allow_none=True)"),
            "{page}"
        );
        assert!(page.contains("print(server.add(2, 3))"), "{page}");
        // Brackets are shell globs: the URL is quoted where it is a shell word.
        assert!(
            page.contains("xrpc call &#39;http://[::1]:8080/RPC2&#39; add 2 3"),
            "{page}"
        );
        assert!(page.contains("&lt;param&gt;&lt;value&gt;&lt;int&gt;2&lt;/int&gt;"));
    }

    #[test]
    fn samples_follow_the_signature() {
        let m = doc(
            "f",
            "",
            &[
                "nil",
                "string",
                "boolean",
                "double",
                "dateTime.iso8601",
                "base64",
                "struct",
                "array",
                "nil",
                "i8",
            ],
        );
        let args = samples(&m, None);
        assert_eq!(
            python_call(&m.name, &args),
            "server.f(\"text\", True, 1.5, xmlrpc.client.DateTime(\"20261125T10:00:00\"), \
             xmlrpc.client.Binary(b\"hello\"), {\"key\": \"value\"}, [1, 2], None, 5000000000)"
        );
        assert_eq!(
            xrpc_args(&m.name, &args),
            " f text true 1.5 t/20261125T10:00:00 '{\"base64\": \"aGVsbG8=\"}' \
             '{\"key\": \"value\"}' '[1, 2]' n/ 5000000000"
        );
        assert_eq!(
            request_body("f", &args[..2]),
            "<?xml version=\"1.0\"?>\n<methodCall>\n  <methodName>f</methodName>\n  <params>\n    \
             <param><value><string>text</string></value></param>\n    \
             <param><value><boolean>1</boolean></value></param>\n  </params>\n</methodCall>"
        );
        assert_eq!(
            request_body("g", &args[5..7]),
            "<?xml version=\"1.0\"?>\n<methodCall>\n  <methodName>g</methodName>\n  <params>\n    \
             <param><value><struct>\n      \
             <member><name>key</name><value><string>value</string></value></member>\n    \
             </struct></value></param>\n    \
             <param><value><array><data>\n      \
             <value><int>1</int></value>\n      <value><int>2</int></value>\n    \
             </data></array></value></param>\n  </params>\n</methodCall>"
        );
    }

    #[test]
    fn odd_names_stay_callable() {
        assert_eq!(
            python_call("system.listMethods", &[]),
            "server.system.listMethods()"
        );
        assert_eq!(
            python_call("get-string", &[]),
            "getattr(server, \"get-string\")()"
        );
        assert_eq!(python_call("class", &[]), "getattr(server, \"class\")()");
        assert_eq!(xrpc_args("it's", &[]), " 'it'\\''s'");
        assert_eq!(fragment("a b#c"), "a%20b%23c");
    }

    #[test]
    fn the_url_is_the_one_the_visitor_used() {
        let endpoint = Endpoint {
            https: true,
            local: Some("127.0.0.1:9".parse().unwrap()),
        };
        let uri: Uri = "/RPC2".parse().unwrap();
        let mut headers = HeaderMap::new();
        assert_eq!(
            request_url(&uri, &headers, Some(&endpoint), true),
            "https://127.0.0.1:9/RPC2"
        );
        headers.insert(header::HOST, "example.org:8443".parse().unwrap());
        assert_eq!(
            request_url(&uri, &headers, Some(&endpoint), true),
            "https://example.org:8443/RPC2"
        );
        headers.insert("x-forwarded-proto", "http".parse().unwrap());
        headers.insert(
            "x-forwarded-host",
            "rpc.example.org, inner".parse().unwrap(),
        );
        assert_eq!(
            request_url(&uri, &headers, None, true),
            "http://rpc.example.org/RPC2"
        );
        // From a peer that is not a trusted proxy, the headers are not believed.
        assert_eq!(
            request_url(&uri, &headers, None, false),
            "http://example.org:8443/RPC2"
        );
        // A malformed host is not taken.
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, "a\"b<c".parse().unwrap());
        assert_eq!(
            request_url(&uri, &headers, None, true),
            "http://localhost/RPC2"
        );
        for good in ["h", "h:1", "1.2.3.4:80", "[::1]", "[::1]:8080", "a-b.c_d"] {
            assert!(is_authority(good), "{good}");
        }
        for bad in [
            "", ":80", "h:", "h:x", "[::1", "[]:1", "[::1]x", "a b", "h:123456", "u@h",
        ] {
            assert!(!is_authority(bad), "{bad}");
        }
    }
}
