//! Where a request departs from the XML-RPC specification (xmlrpc.com/spec): the HTTP
//! head it requires (POST, `User-Agent`, `Host`, `Content-Type: text/xml`,
//! `Content-Length`) and, in the body, the extensions and liberties peers take (`<i8>`,
//! `<nil/>`, namespaced types, doubles with exponents, dashed dates, CDATA, a DOCTYPE),
//! which this crate reads leniently and a strict peer may refuse.

use super::capture::Decoded;
use crate::codec::Document;
use hyper::header::{self, HeaderMap};
use quick_xml::events::Event;

/// The deviations of one request: `method`, its headers, its body (inflated) and what the
/// body decoded to. Each is one line of text; none for a request as the spec writes it.
///
/// ```
/// use xmlrpc_kit::debug::{deviations, Decoded};
/// let mut headers = hyper::HeaderMap::new();
/// headers.insert("content-type", "text/plain".parse().unwrap());
/// let body = b"<methodCall><methodName>f</methodName><params><param><value><i8>1</i8></value></param></params></methodCall>";
/// let found = deviations("POST", &headers, body, &Decoded::Empty);
/// assert!(found.iter().any(|d| d.contains("User-Agent")), "{found:?}");
/// assert!(found.iter().any(|d| d.contains("text/plain")), "{found:?}");
/// assert!(found.iter().any(|d| d.contains("<i8>")), "{found:?}");
/// ```
pub fn deviations(
    method: &str,
    headers: &HeaderMap,
    body: &[u8],
    decoded: &Decoded,
) -> Vec<String> {
    let mut found = Vec::new();
    if method != "POST" {
        found.push(format!("a {method} request: XML-RPC calls are POSTed"));
        return found;
    }
    for (name, what) in [(header::USER_AGENT, "User-Agent"), (header::HOST, "Host")] {
        if !headers.contains_key(&name) {
            found.push(format!("no {what} header (the spec requires one)"));
        }
    }
    match headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    {
        None => found.push("no Content-Type header (the spec requires text/xml)".to_owned()),
        Some(t)
            if !t
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .eq_ignore_ascii_case("text/xml") =>
        {
            found.push(format!("Content-Type is {t}, the spec says text/xml"));
        }
        Some(_) => {}
    }
    if !headers.contains_key(header::CONTENT_LENGTH) {
        found.push(
            "no Content-Length header (the spec requires one; the body is chunked)".to_owned(),
        );
    }
    match decoded {
        Decoded::NotXmlRpc(why) => found.push(format!("not an XML-RPC call: {why}")),
        Decoded::Document(Document::Call(_)) | Decoded::TooLarge { .. } => {}
        Decoded::Document(_) => {
            found.push("a <methodResponse> where a <methodCall> belongs".to_owned())
        }
        Decoded::Empty => found.push("an empty body".to_owned()),
    }
    body_deviations(body, &mut found);
    found
}

/// The body's deviations, each kind noted once.
fn body_deviations(body: &[u8], found: &mut Vec<String>) {
    let mut note = |text: String| {
        if !found.contains(&text) {
            found.push(text);
        }
    };
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut buf = Vec::new();
    let mut open: Vec<String> = Vec::new();
    let mut params = false;
    // Bounded: a body's events, at most this many looked at.
    for _ in 0..1_000_000 {
        let event = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(event) => event,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.name().into_inner().to_owned();
                let local = name.rsplit(':').next().unwrap_or_default().to_owned();
                if name.contains(':') {
                    note(format!(
                        "namespaced element <{name}> (an extension; the spec has no namespaces)"
                    ));
                }
                match local.as_str() {
                    "i8" => note(
                        "<i8> is an extension (the spec's integers are 32-bit <int>/<i4>)"
                            .to_owned(),
                    ),
                    "nil" => note("<nil/> is an extension (the spec has no nil)".to_owned()),
                    "params" => params = true,
                    "methodCall" | "methodName" | "param" | "value" | "int" | "i4" | "boolean"
                    | "string" | "double" | "dateTime.iso8601" | "base64" | "struct" | "member"
                    | "name" | "array" | "data" | "methodResponse" | "fault" => {}
                    other => note(format!("<{other}> is not an XML-RPC element")),
                }
                if matches!(event, Event::Start(_)) {
                    open.push(local);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                let text = t.into_inner().trim().to_owned();
                match open.last().map(String::as_str) {
                    Some("double")
                        if text.contains(['e', 'E'])
                            || text.parse::<f64>().is_ok_and(|d| !d.is_finite()) =>
                    {
                        note(format!(
                            "double {text}: the spec's doubles have no exponent"
                        ));
                    }
                    Some("boolean") if text != "0" && text != "1" => {
                        note(format!("boolean {text}: the spec's booleans are 0 or 1"));
                    }
                    Some("int" | "i4") if text.parse::<i32>().is_err() => {
                        note(format!("integer {text} does not fit the spec's 32 bits"));
                    }
                    Some("dateTime.iso8601")
                        if text.contains('-') || text.ends_with('Z') || text.contains('+') =>
                    {
                        note(format!(
                            "dateTime {text} is not the spec's YYYYMMDDTHH:MM:SS"
                        ));
                    }
                    _ => {}
                }
            }
            Event::CData(_) => note("a CDATA section (the spec escapes text instead)".to_owned()),
            Event::DocType(_) => note("a DOCTYPE (refused: XML-RPC has none)".to_owned()),
            _ => {}
        }
        buf.clear();
    }
    if !params && !body.is_empty() {
        note(
            "no <params> element (the spec's calls have one, empty when there are no parameters)"
                .to_owned(),
        );
    }
}
