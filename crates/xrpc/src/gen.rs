//! `xrpc gen rust`: reads a live server's introspection (`system.listMethods`,
//! `system.methodSignature`, `system.methodHelp`) and prints a Rust module holding an
//! `#[xmlrpc_kit::api]` trait for it, so the generated clients call that server with types.

use crate::connection::Connection;
use crate::error::Error;
use crate::methods::text_of;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write;
use xmlrpc_kit::{Client, Value};

/// `xrpc gen`'s arguments: the language to write.
#[derive(Debug, clap::Args)]
pub(crate) struct GenArgs {
    #[command(subcommand)]
    pub(crate) language: Language,
}

/// The languages `xrpc gen` writes.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Language {
    /// Print a Rust module with an `#[xmlrpc_kit::api]` trait for the server's methods
    /// (system.* left out): doc comments from the help texts, types from the signatures
    /// (`Value` where there is none), so `<Trait>Client` and `<Trait>BlockingClient` call it.
    Rust(RustArgs),
}

/// `xrpc gen rust`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct RustArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// Only the methods named PREFIX.*, as `#[xmlrpc_kit::api(namespace = "PREFIX")]`.
    #[arg(long, value_name = "PREFIX")]
    pub(crate) namespace: Option<String>,
    /// The trait's name (default: the namespace in CamelCase, or `Api`).
    #[arg(long = "trait", value_name = "NAME")]
    pub(crate) trait_name: Option<String>,
}

/// `xrpc gen`: runs the chosen language's generator.
pub(crate) fn run(args: &GenArgs, mut output: impl Write) -> Result<(), Error> {
    match &args.language {
        Language::Rust(rust) => {
            let module = rust_module(rust)?;
            output.write_all(module.as_bytes())?;
            output.flush()?;
            Ok(())
        }
    }
}

/// One method as introspection describes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Remote {
    /// The full name (`supervisor.getState`).
    pub(crate) name: String,
    /// The help text (empty when none).
    pub(crate) help: String,
    /// The signatures: result type first (none when `undef` or not given).
    pub(crate) signatures: Vec<Vec<String>>,
}

fn rust_module(args: &RustArgs) -> Result<String, Error> {
    let client = args.connection.client()?;
    let names = client.call_value("system.listMethods", &[])?;
    let Value::Array(names) = names else {
        return Err(Error::Answer {
            method: "system.listMethods".into(),
            problem: "something other than an array of method names".into(),
        });
    };
    let prefix = args.namespace.as_deref().map(|p| format!("{p}."));
    let mut methods = Vec::new();
    for name in names.iter().map(text_of) {
        if name.starts_with("system.") {
            continue;
        }
        if let Some(prefix) = &prefix {
            if !name.starts_with(prefix.as_str()) {
                continue;
            }
        }
        methods.push(describe(&client, &name));
    }
    let trait_name = args.trait_name.clone().unwrap_or_else(|| {
        args.namespace
            .as_deref()
            .map(camel_case)
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| "Api".to_owned())
    });
    Ok(render(
        &args.connection.url,
        args.namespace.as_deref(),
        &trait_name,
        &methods,
    ))
}

/// A method's help and signatures; a server that faults on either (Python's without
/// `register_introspection_functions` has no methodHelp) gives none.
fn describe(client: &Client, name: &str) -> Remote {
    let help = match client.call_value("system.methodHelp", &[Value::from(name)]) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    };
    let signatures = match client.call_value("system.methodSignature", &[Value::from(name)]) {
        // supervisord answers one flat signature, `[result, param, ...]`, not an array of them.
        Ok(Value::Array(types))
            if !types.is_empty() && types.iter().all(|t| t.as_str().is_some()) =>
        {
            vec![types.iter().map(text_of).collect()]
        }
        Ok(Value::Array(signatures)) => signatures
            .iter()
            .filter_map(|s| s.as_array())
            .map(|types| types.iter().map(text_of).collect::<Vec<_>>())
            .filter(|types| !types.is_empty())
            .collect(),
        // "undef", a message, or a fault: no signature.
        _ => Vec::new(),
    };
    Remote {
        name: name.to_owned(),
        help: clean_doc(&help),
        signatures,
    }
}

/// A help text without the indentation a Python docstring keeps after its first line
/// (as Python's `inspect.cleandoc`).
fn clean_doc(help: &str) -> String {
    let lines: Vec<&str> = help.trim().lines().collect();
    let indent = lines
        .iter()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.trim()
            } else {
                l.get(indent..).unwrap_or("").trim_end()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The Rust type for an XML-RPC type name; `Value` for names outside the standard set
/// (`undef`, `any`, ...).
pub(crate) fn rust_type(xmlrpc: &str) -> &'static str {
    match xmlrpc {
        "int" | "i4" => "i32",
        "i8" => "i64",
        "boolean" => "bool",
        "double" => "f64",
        "string" => "String",
        "dateTime.iso8601" => "xmlrpc_kit::DateTime",
        "base64" => "xmlrpc_kit::Binary",
        "struct" => "xmlrpc_kit::Struct",
        "array" => "Vec<xmlrpc_kit::Value>",
        "nil" => "()",
        _ => "xmlrpc_kit::Value",
    }
}

/// The module's text.
pub(crate) fn render(
    url: &str,
    namespace: Option<&str>,
    trait_name: &str,
    methods: &[Remote],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "//! The XML-RPC API of `{url}`, generated by `xrpc gen rust` from the server's \
         introspection."
    );
    out.push_str("//! Types come from `system.methodSignature` (`xmlrpc_kit::Value` where there is none), docs from `system.methodHelp`.\n");
    out.push_str("\n// A program that only calls the server uses the clients, not the trait.\n#![allow(dead_code)]\n\n");
    let _ = writeln!(out, "/// The methods of `{url}`.");
    match namespace {
        Some(ns) => {
            let _ = writeln!(out, "#[xmlrpc_kit::api(namespace = {ns:?})]");
        }
        None => out.push_str("#[xmlrpc_kit::api]\n"),
    }
    let _ = writeln!(out, "pub trait {trait_name}: Send + Sync + 'static {{");
    let mut taken: HashSet<String> = HashSet::from(["into_api".to_owned()]);
    for (i, method) in methods.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        render_method(&mut out, namespace, method, &mut taken);
    }
    out.push_str("}\n");
    out
}

fn render_method(
    out: &mut String,
    namespace: Option<&str>,
    method: &Remote,
    taken: &mut HashSet<String>,
) {
    let local = match namespace {
        Some(ns) => method
            .name
            .strip_prefix(ns)
            .and_then(|rest| rest.strip_prefix('.'))
            .unwrap_or(&method.name),
        None => method.name.as_str(),
    };
    let mut ident = snake_case(local);
    while !taken.insert(ident.clone()) {
        ident.push('_');
    }
    let (help, mut param_names) = split_parameters(&method.help);
    let help = help.trim();
    if help.is_empty() {
        let _ = writeln!(
            out,
            "    /// `{}` (the server gives no help text).",
            method.name
        );
    } else {
        for line in help.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                out.push_str("    ///\n");
            } else {
                let _ = writeln!(out, "    /// {line}");
            }
        }
    }
    let (result, params) = match method.signatures.as_slice() {
        [] => {
            let Some(names) = param_names.filter(|n| !n.is_empty()) else {
                // Neither the types nor the number of the arguments is known.
                out.push_str(
                    "    ///\n    /// The server gives no signature: the parameters go as a list of `Value`s.\n",
                );
                if ident != local {
                    let _ = writeln!(out, "    #[xmlrpc(name = {local:?}, dynamic)]");
                } else {
                    out.push_str("    #[xmlrpc(dynamic)]\n");
                }
                let _ = writeln!(
                    out,
                    "    fn {}(&self, params: Vec<xmlrpc_kit::Value>) -> Result<xmlrpc_kit::Value, xmlrpc_kit::Fault>;",
                    raw_if_keyword(&ident)
                );
                return;
            };
            out.push_str("    ///\n    /// The server gives no signature: the arguments and the result are `Value`s.\n");
            let count = names.len();
            param_names = Some(names);
            (
                "xmlrpc_kit::Value".to_owned(),
                vec!["xmlrpc_kit::Value".to_owned(); count],
            )
        }
        [one] => types_of(one),
        several => {
            out.push_str("    ///\n    /// The server gives several signatures:\n");
            for s in several {
                let _ = writeln!(out, "    /// `{}`", signature_text(s));
            }
            merge(several, out)
        }
    };
    let names: Vec<String> = match param_names.or_else(|| docstring_params(help)) {
        Some(names)
            if names.len() == params.len()
                && names.iter().collect::<HashSet<_>>().len() == names.len() =>
        {
            names
                .iter()
                .map(|n| raw_if_keyword(&snake_case(n)))
                .collect()
        }
        _ => (1..=params.len()).map(|i| format!("arg{i}")).collect(),
    };
    if ident != local {
        let _ = writeln!(out, "    #[xmlrpc(name = {local:?})]");
    }
    let args: String = names
        .iter()
        .zip(&params)
        .map(|(n, t)| format!(", {n}: {t}"))
        .collect();
    let _ = writeln!(
        out,
        "    fn {}(&self{args}) -> Result<{result}, xmlrpc_kit::Fault>;",
        raw_if_keyword(&ident)
    );
}

/// `result(a, b)`, for a comment.
fn signature_text(signature: &[String]) -> String {
    let (result, params) = signature
        .split_first()
        .map_or(("", &[][..]), |(r, p)| (r.as_str(), p));
    format!("{result}({})", params.join(", "))
}

fn types_of(signature: &[String]) -> (String, Vec<String>) {
    let (result, params) = signature
        .split_first()
        .map_or(("undef", &[][..]), |(r, p)| (r.as_str(), p));
    (
        rust_type(result).to_owned(),
        params.iter().map(|t| rust_type(t).to_owned()).collect(),
    )
}

/// One Rust signature for several: with one arity, each position keeps its type where all
/// agree and is a `Value` where they differ; with several arities, the first signature.
fn merge(signatures: &[Vec<String>], out: &mut String) -> (String, Vec<String>) {
    let len = signatures[0].len();
    if signatures.iter().any(|s| s.len() != len) {
        out.push_str(
            "    /// They take different numbers of arguments: this method has the first.\n",
        );
        return types_of(&signatures[0]);
    }
    out.push_str("    /// Where they differ, this method takes or gives a `Value`.\n");
    let merged: Vec<String> = (0..len)
        .map(|i| {
            let first = rust_type(&signatures[0][i]);
            if signatures.iter().all(|s| rust_type(&s[i]) == first) {
                first.to_owned()
            } else {
                "xmlrpc_kit::Value".to_owned()
            }
        })
        .collect();
    types_of_rust(merged)
}

fn types_of_rust(mut merged: Vec<String>) -> (String, Vec<String>) {
    let result = if merged.is_empty() {
        "xmlrpc_kit::Value".to_owned()
    } else {
        merged.remove(0)
    };
    (result, merged)
}

/// The help text without the `Parameters: a, b.` line `#[xmlrpc_kit::api]` adds, and
/// those names.
fn split_parameters(help: &str) -> (String, Option<Vec<String>>) {
    let trimmed = help.trim_end();
    let (before, last) = match trimmed.rfind('\n') {
        Some(at) => (&trimmed[..at], trimmed[at + 1..].trim()),
        None => ("", trimmed.trim()),
    };
    if let Some(list) = last
        .strip_prefix("Parameters: ")
        .and_then(|l| l.strip_suffix('.'))
    {
        let names: Vec<String> = list.split(", ").map(str::to_owned).collect();
        if names.iter().all(|n| is_identifier(n)) {
            return (before.to_owned(), Some(names));
        }
    }
    (help.to_owned(), None)
}

/// The names of `@param TYPE NAME` lines (supervisord's docstrings, which its
/// `methodSignature` reads the types from).
fn docstring_params(help: &str) -> Option<Vec<String>> {
    let names: Vec<String> = help
        .lines()
        .filter_map(|l| l.trim().strip_prefix("@param "))
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(str::to_owned)
        .collect();
    (!names.is_empty() && names.iter().all(|n| is_identifier(n))).then_some(names)
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `getState` → `get_state`, `supervisor.getState` → `supervisor_get_state`, `2x` →
/// `_2x`: a Rust identifier.
pub(crate) fn snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    let out = out.trim_matches('_').to_owned();
    match out.chars().next() {
        None => "method".to_owned(),
        Some(c) if c.is_ascii_digit() => format!("_{out}"),
        Some(_) => out,
    }
}

/// `supervisor` → `Supervisor`, `my_api.v2` → `MyApiV2`.
pub(crate) fn camel_case(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `type` → `r#type`: a name that is a Rust keyword.
fn raw_if_keyword(ident: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern",
        "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
        "pub", "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use",
        "where", "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv",
        "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    if KEYWORDS.contains(&ident) {
        format!("r#{ident}")
    } else {
        ident.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_rust_identifiers() {
        assert_eq!(snake_case("getState"), "get_state");
        assert_eq!(
            snake_case("supervisor.getAllProcessInfo"),
            "supervisor_get_all_process_info"
        );
        assert_eq!(snake_case("get_string"), "get_string");
        assert_eq!(snake_case("2x"), "_2x");
        assert_eq!(camel_case("supervisor"), "Supervisor");
        assert_eq!(camel_case("my_api.v2"), "MyApiV2");
        assert_eq!(raw_if_keyword("type"), "r#type");
    }

    #[test]
    fn docstrings_lose_their_indentation_and_give_parameter_names() {
        let help = clean_doc("Start a process\n\n        @param string name Process name\n        @param boolean wait Wait\n        ");
        assert_eq!(
            help,
            "Start a process\n\n@param string name Process name\n@param boolean wait Wait"
        );
        assert_eq!(
            docstring_params(&help),
            Some(vec!["name".to_owned(), "wait".to_owned()])
        );
    }

    #[test]
    fn one_trait_method_per_remote_method() {
        let methods = [
            Remote {
                name: "math.add".into(),
                help: "Adds two integers.\n\nParameters: x, y.".into(),
                signatures: vec![vec!["int".into(), "int".into(), "int".into()]],
            },
            Remote {
                name: "math.type".into(),
                help: String::new(),
                signatures: vec![],
            },
            Remote {
                name: "math.sum".into(),
                help: "Sums.".into(),
                signatures: vec![
                    vec!["int".into(), "int".into(), "int".into()],
                    vec!["double".into(), "double".into(), "int".into()],
                ],
            },
        ];
        let module = render("http://h/RPC2", Some("math"), "Math", &methods);
        assert!(
            module.contains("#[xmlrpc_kit::api(namespace = \"math\")]\npub trait Math"),
            "{module}"
        );
        assert!(module.contains("    /// Adds two integers.\n    fn add(&self, x: i32, y: i32) -> Result<i32, xmlrpc_kit::Fault>;"), "{module}");
        assert!(module.contains("    #[xmlrpc(dynamic)]\n    fn r#type(&self, params: Vec<xmlrpc_kit::Value>) -> Result<xmlrpc_kit::Value, xmlrpc_kit::Fault>;"), "{module}");
        assert!(module.contains("/// `double(double, int)`"), "{module}");
        assert!(module.contains("fn sum(&self, arg1: xmlrpc_kit::Value, arg2: i32) -> Result<xmlrpc_kit::Value, xmlrpc_kit::Fault>;"), "{module}");
    }
}
