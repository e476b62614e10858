//! How `xrpc proxy` and `xrpc dump` show what passes: a call as `method(params)` with its
//! parameters in the JSON form, a result or fault on one line, sizes and times readable.

use xmlrpc_kit::codec::{Document, MethodCall};
use xmlrpc_kit::debug::Decoded;
use xmlrpc_kit::json;
use xmlrpc_kit::{Fault, Value};

/// The longest a shown call or result gets before it is cut (with `…`).
const WIDTH: usize = 240;

/// `add(8, 8)`.
pub(crate) fn call(call: &MethodCall) -> String {
    let params: Vec<String> = call.params.iter().map(value).collect();
    cut(format!("{}({})", call.method_name, params.join(", ")))
}

/// A value in its compact JSON form.
pub(crate) fn value(value: &Value) -> String {
    json::to_json(value).to_string()
}

/// `fault -32602: ...`.
pub(crate) fn fault(fault: &Fault) -> String {
    cut(format!("fault {}: {}", fault.code, fault.string))
}

/// A request body as shown.
pub(crate) fn request(decoded: &Decoded) -> String {
    match decoded {
        Decoded::Empty => "(no body)".to_owned(),
        Decoded::Document(Document::Call(c)) => call(c),
        Decoded::Document(_) => "(a response where a call belongs)".to_owned(),
        Decoded::NotXmlRpc(why) => cut(format!("(not XML-RPC: {why})")),
        Decoded::TooLarge { bytes, method } => format!(
            "{}(…) (a {} body, passed on without a copy)",
            method.as_deref().unwrap_or("?"),
            size(*bytes)
        ),
    }
}

/// A response body as shown.
pub(crate) fn answer(decoded: &Decoded) -> String {
    match decoded {
        Decoded::Empty => "(no body)".to_owned(),
        Decoded::Document(Document::Response(params)) => match params.as_slice() {
            [one] => cut(value(one)),
            _ => format!("({} values)", params.len()),
        },
        Decoded::Document(Document::Fault(f)) => fault(f),
        Decoded::Document(Document::Call(_)) => "(a call where a response belongs)".to_owned(),
        Decoded::NotXmlRpc(why) => cut(format!("(not XML-RPC: {why})")),
        Decoded::TooLarge { bytes, .. } => {
            format!("(a {} body, passed on without a copy)", size(*bytes))
        }
    }
}

/// `512 B`, `1.5 KiB`, `200.0 MiB`.
pub(crate) fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut n = bytes as f64 / 1024.0;
    let mut unit = 0;
    while n >= 1024.0 && unit < UNITS.len() - 1 {
        n /= 1024.0;
        unit += 1;
    }
    format!("{n:.1} {}", UNITS[unit])
}

fn cut(text: String) -> String {
    if text.chars().count() <= WIDTH {
        return text;
    }
    let mut short: String = text.chars().take(WIDTH).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_sizes_read_plainly() {
        let c = MethodCall {
            method_name: "add".into(),
            params: vec![8.into(), "x".into()],
        };
        assert_eq!(call(&c), "add(8, \"x\")");
        assert_eq!(size(512), "512 B");
        assert_eq!(size(200 << 20), "200.0 MiB");
        assert_eq!(fault(&Fault::new(4, "no")), "fault 4: no");
        assert!(cut("x".repeat(300)).ends_with('…'));
    }
}
