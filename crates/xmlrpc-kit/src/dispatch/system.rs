//! The built-in `system.*` methods: introspection (`listMethods`, `methodHelp`,
//! `methodSignature`, `getCapabilities`) and `multicall`, whose calls run concurrently.

use super::handler::{encode, params_fault, Invocation, Reply};
use super::{Gate, Params, Registry};
use crate::codec::segments::Encoded;
use crate::fault::Fault;
use crate::value::{Struct, Value};
use std::sync::Arc;

const LIST_METHODS: &str = "system.listMethods";
const METHOD_HELP: &str = "system.methodHelp";
const METHOD_SIGNATURE: &str = "system.methodSignature";
const GET_CAPABILITIES: &str = "system.getCapabilities";
const MULTICALL: &str = "system.multicall";

pub(super) fn is_builtin(name: &str) -> bool {
    matches!(
        name,
        LIST_METHODS | METHOD_HELP | METHOD_SIGNATURE | GET_CAPABILITIES | MULTICALL
    )
}

pub(super) fn builtin_names(
    introspection: bool,
    multicall: bool,
) -> impl Iterator<Item = &'static str> {
    let introspection_names = [
        LIST_METHODS,
        METHOD_HELP,
        METHOD_SIGNATURE,
        GET_CAPABILITIES,
    ];
    introspection_names
        .into_iter()
        .filter(move |_| introspection)
        .chain(std::iter::once(MULTICALL).filter(move |_| multicall))
}

pub(super) fn builtin_doc(name: &str) -> (String, Vec<Vec<String>>) {
    let (help, signature): (&str, &[&str]) = match name {
        LIST_METHODS => (
            "Returns the names of every method this server offers.",
            &["array"],
        ),
        METHOD_HELP => (
            "Returns the help text of the named method.",
            &["string", "string"],
        ),
        METHOD_SIGNATURE => (
            "Returns the signatures of the named method: arrays of type names, result first.",
            &["array", "string"],
        ),
        GET_CAPABILITIES => (
            "Returns the specifications this server implements.",
            &["struct"],
        ),
        MULTICALL => (
            "Runs many calls in one request: takes an array of {methodName, params} structs and \
             returns, in order, a one-item array with each result or a fault struct.",
            &["array", "array"],
        ),
        _ => ("", &[]),
    };
    let signatures = if signature.is_empty() {
        Vec::new()
    } else {
        vec![signature.iter().map(|s| s.to_string()).collect()]
    };
    (help.to_owned(), signatures)
}

/// Runs a built-in method, if `name` is one and it is enabled.
pub(super) fn invoke(
    registry: &Arc<Registry>,
    name: &str,
    params: Params<'_, '_>,
    gate: Option<&Gate>,
) -> Option<Invocation> {
    let reply = match name {
        LIST_METHODS if registry.introspection => params
            .decode::<()>()
            .map_err(params_fault)
            .and_then(|()| encode(Ok(registry.method_names()))),
        METHOD_HELP if registry.introspection => params
            .decode::<(String,)>()
            .map_err(params_fault)
            .and_then(|(method,)| {
                known(registry, &method).map(|()| registry.help_and_signatures(&method).0)
            })
            .and_then(|help| encode(Ok(help))),
        METHOD_SIGNATURE if registry.introspection => params
            .decode::<(String,)>()
            .map_err(params_fault)
            .and_then(|(method,)| {
                known(registry, &method).map(|()| registry.help_and_signatures(&method).1)
            })
            .and_then(|signatures| {
                // The introspection spec answers "undef" when a method has no signature.
                if signatures.is_empty() {
                    encode(Ok("undef"))
                } else {
                    encode(Ok(signatures))
                }
            }),
        GET_CAPABILITIES if registry.introspection => params
            .decode::<()>()
            .map_err(params_fault)
            .and_then(|()| encode(Ok(capabilities()))),
        MULTICALL if registry.multicall => {
            return Some(match params.decode::<(Vec<Value>,)>() {
                Ok((calls,)) => Invocation::Pending(Box::pin(multicall(
                    Arc::clone(registry),
                    calls,
                    gate.cloned(),
                ))),
                Err(e) => Invocation::Ready(Err(params_fault(e))),
            })
        }
        _ => return None,
    };
    Some(Invocation::Ready(reply))
}

fn known(registry: &Registry, method: &str) -> Result<(), Fault> {
    if registry.methods.contains_key(method)
        || builtin_names(registry.introspection, registry.multicall).any(|n| n == method)
    {
        Ok(())
    } else {
        Err(Fault::new(
            Fault::INVALID_PARAMS,
            format!("no such method: {method}"),
        ))
    }
}

fn capabilities() -> Struct {
    let spec = |url: &str, version: i32| {
        Value::Struct(Struct::from_iter([
            ("specUrl".to_owned(), Value::from(url)),
            ("specVersion".to_owned(), Value::Int(version)),
        ]))
    };
    Struct::from_iter([
        ("xmlrpc".to_owned(), spec("http://www.xmlrpc.com/spec", 1)),
        (
            "faults_interop".to_owned(),
            spec(
                "http://xmlrpc-epi.sourceforge.net/specs/rfc.fault_codes.php",
                20010516,
            ),
        ),
        (
            "introspection".to_owned(),
            spec(
                "http://xmlrpc-c.sourceforge.net/xmlrpc-c/introspection.html",
                1,
            ),
        ),
        (
            "multicall".to_owned(),
            spec("http://www.xmlrpc.com/discuss/msgReader$1208", 1),
        ),
        (
            "nil".to_owned(),
            spec("http://www.ontosys.com/xml-rpc/extensions.php", 20010516),
        ),
    ])
}

/// One call of a multicall, checked; a malformed entry becomes that entry's fault.
fn entry(call: Value) -> Result<(String, Vec<Value>), Fault> {
    let Value::Struct(mut members) = call else {
        return Err(Fault::new(
            Fault::INVALID_XMLRPC,
            "a multicall entry must be a struct",
        ));
    };
    let name = match members.swap_remove("methodName") {
        Some(Value::String(name)) => name,
        _ => {
            return Err(Fault::new(
                Fault::INVALID_XMLRPC,
                "a multicall entry needs a string methodName",
            ))
        }
    };
    if name == MULTICALL {
        return Err(Fault::new(
            Fault::INVALID_XMLRPC,
            "system.multicall cannot be called inside itself",
        ));
    }
    let params = match members.swap_remove("params") {
        Some(Value::Array(params)) => params,
        None | Some(Value::Nil) => Vec::new(),
        Some(_) => {
            return Err(Fault::new(
                Fault::INVALID_XMLRPC,
                "multicall params must be an array",
            ))
        }
    };
    Ok((name, params))
}

/// Calls of one multicall in progress at once: enough to overlap slow async and blocking
/// calls, few enough that each call meets the request's budget (the gate) when it starts,
/// not all at the start of the batch.
const MULTICALL_CONCURRENCY: usize = 16;

/// Runs the calls, up to [`MULTICALL_CONCURRENCY`] at a time, and writes the results in
/// order.
async fn multicall(registry: Arc<Registry>, calls: Vec<Value>, gate: Option<Gate>) -> Reply {
    use futures_util::StreamExt;
    let pending = calls.into_iter().map(|call| {
        let invocation = match entry(call) {
            Ok((name, params)) => {
                registry.invoke_gated(&name, Params::Values(params), gate.as_ref())
            }
            Err(fault) => Invocation::Ready(Err(fault)),
        };
        invocation.reply()
    });
    let replies: Vec<Reply> = futures_util::stream::iter(pending)
        .buffered(MULTICALL_CONCURRENCY)
        .collect()
        .await;
    let mut out = Vec::with_capacity(
        64 + replies
            .iter()
            .map(|r| r.as_ref().map_or(128, |e| e.xml.len()) + 40)
            .sum::<usize>(),
    );
    out.extend_from_slice(b"<value><array><data>");
    for reply in replies {
        match reply {
            Ok(value) => {
                out.extend_from_slice(b"<value><array><data>");
                // A streamed blob cannot stream from inside a batch: it is sent inline.
                let xml = value.inline().map_err(|e| {
                    Fault::new(Fault::INTERNAL_ERROR, format!("cannot send a result: {e}"))
                })?;
                out.extend_from_slice(&xml);
                out.extend_from_slice(b"</data></array></value>");
            }
            Err(fault) => {
                let fault_struct = Struct::from_iter([
                    ("faultCode".to_owned(), Value::Int(fault.code)),
                    ("faultString".to_owned(), Value::String(fault.string)),
                ]);
                out.extend_from_slice(&encode(Ok(fault_struct))?.xml);
            }
        }
    }
    out.extend_from_slice(b"</data></array></value>");
    Ok(Encoded::plain(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multicall_answers_in_order_with_a_fault_per_failed_call() {
        let mut r = Registry::new().with_multicall().with_introspection();
        r.method("add", |x: i32, y: i32| x + y).unwrap();
        let r = Arc::new(r);
        let call = |name: &str, params: Vec<Value>| {
            Value::Struct(Struct::from_iter([
                ("methodName".to_owned(), Value::from(name)),
                ("params".to_owned(), Value::Array(params)),
            ]))
        };
        let calls = Value::Array(vec![
            call("add", vec![Value::Int(1), Value::Int(2)]),
            call("nope", vec![]),
            call("add", vec![Value::from("x")]),
            Value::Int(3),
            call("system.multicall", vec![]),
            call("system.listMethods", vec![]),
        ]);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = rt
            .block_on(r.call("system.multicall", vec![calls]))
            .unwrap();
        let items = result.as_array().unwrap();
        assert_eq!(items[0], Value::Array(vec![Value::Int(3)]));
        assert_eq!(items[1]["faultCode"], Value::Int(Fault::METHOD_NOT_FOUND));
        assert_eq!(items[2]["faultCode"], Value::Int(Fault::INVALID_PARAMS));
        assert_eq!(items[3]["faultCode"], Value::Int(Fault::INVALID_XMLRPC));
        assert_eq!(items[4]["faultCode"], Value::Int(Fault::INVALID_XMLRPC));
        assert_eq!(items[5][0][0], Value::from("add"));
    }

    #[test]
    fn introspection_answers() {
        let mut r = Registry::new().with_introspection();
        r.method("add", |x: i32, y: i32| x + y)
            .unwrap()
            .help("Adds.")
            .signature(["int", "int", "int"]);
        r.method("plain", || 1).unwrap();
        let r = Arc::new(r);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let help = rt
            .block_on(r.call(METHOD_HELP, vec![Value::from("add")]))
            .unwrap();
        assert_eq!(help, Value::from("Adds."));
        let sig = rt
            .block_on(r.call(METHOD_SIGNATURE, vec![Value::from("add")]))
            .unwrap();
        assert_eq!(sig[0][2], Value::from("int"));
        let sig = rt
            .block_on(r.call(METHOD_SIGNATURE, vec![Value::from("plain")]))
            .unwrap();
        assert_eq!(sig, Value::from("undef"));
        let missing = rt
            .block_on(r.call(METHOD_HELP, vec![Value::from("zzz")]))
            .unwrap_err();
        assert_eq!(missing.code, Fault::INVALID_PARAMS);
        let caps = rt.block_on(r.call(GET_CAPABILITIES, vec![])).unwrap();
        assert!(caps.get("faults_interop").is_some());
    }
}
