//! The seed's service, which `xrpc serve` runs: `get_string`, `add`, `echo`, and the two
//! image methods that move a file each way as base64, plus introspection and multicall.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use xmlrpc_kit::files::FileService;
use xmlrpc_kit::http::Streaming;
use xmlrpc_kit::server::{Server, ServerConfig};
use xmlrpc_kit::{Blob, Fault, Value};

/// The file `image_put` writes, inside the root folder.
pub(crate) const PUT_NAME: &str = "get_girl.jpg";
/// The file `image_get` reads, inside the root folder.
pub(crate) const GET_NAME: &str = "boy.jpg";

/// The most file bytes one request may carry to `xrpc serve` (decoded from its base64
/// values into spool files as the body arrives): 48 GiB. What a request holds in memory
/// besides stays within the server's default body limits (64 MiB, inflated or not).
const MAX_SPOOLED: u64 = 48 << 30;

/// The seed's server, keeping its files in `root` (made if missing), which the files.*
/// service also serves, with `config`'s settings and the seed's limits; and that folder's
/// absolute path.
pub(crate) fn server(root: &Path, config: ServerConfig) -> std::io::Result<(Server, PathBuf)> {
    let files = FileService::new(root)?;
    let root: Arc<PathBuf> = Arc::new(files.root().to_owned());
    let put_root = Arc::clone(&root);
    let get_root = Arc::clone(&root);
    let config = config.streaming(
        Streaming::default()
            .spool_dir(files.spool_dir())
            .max_spooled_size(MAX_SPOOLED),
    );
    let server = files.mount(Server::new().config(config));
    let server = server
        .method("get_string", |s: String| format!("get string:{s}"))
        .help("Returns \"get string:\" followed by the given string.")
        .signature(["string", "string"])
        .dynamic_method("add", add)
        .help("Adds two numbers (or joins two strings or two arrays), as Python's x + y.")
        .signature(["int", "int", "int"])
        .signature(["double", "double", "double"])
        .method("echo", |v: Value| v)
        .help("Returns its one argument unchanged.")
        .blocking_method("image_put", move |data: Blob| image_put(&put_root, data))
        .help(format!(
            "Stores the given bytes as {PUT_NAME} in the server's folder; returns true."
        ))
        .signature(["boolean", "base64"])
        .blocking_method("image_get", move || image_get(&get_root))
        .help(format!(
            "Returns the bytes of {GET_NAME} from the server's folder."
        ))
        .signature(["base64"])
        .with_introspection()
        .with_multicall();
    Ok((server, root.to_path_buf()))
}

/// Stores the upload: a large one arrives as a spool file in the root's spool folder and is
/// renamed into place, a small one is written; the file appears complete or not at all.
fn image_put(root: &Path, data: Blob) -> Result<bool, Fault> {
    data.persist(root.join(PUT_NAME))
        .map_err(|e| Fault::new(1, format!("cannot write {PUT_NAME}: {e}")))?;
    Ok(true)
}

/// The file, sent from disk as the reply streams (a client that reads slowly holds no
/// copy of it in the server's memory).
fn image_get(root: &Path) -> Result<Blob, Fault> {
    Blob::from_file(root.join(GET_NAME)).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Fault::new(
            1,
            format!(
                "{GET_NAME} is not in the server's folder {}: put it there first",
                root.display()
            ),
        ),
        _ => Fault::new(1, format!("cannot read {GET_NAME}: {e}")),
    })
}

/// `x + y` as Python computes it for XML-RPC's types.
fn add(params: Vec<Value>) -> Result<Value, Fault> {
    let [x, y]: [Value; 2] = params.try_into().map_err(|p: Vec<Value>| {
        Fault::new(
            Fault::INVALID_PARAMS,
            format!("add takes 2 params, got {}", p.len()),
        )
    })?;
    if let (Some(a), Some(b)) = (x.as_i64(), y.as_i64()) {
        return a
            .checked_add(b)
            .map(Value::from)
            .ok_or_else(|| Fault::new(Fault::INVALID_PARAMS, "the sum does not fit in 64 bits"));
    }
    Ok(match (x, y) {
        (Value::Double(a), b) if b.as_i64().is_some() || b.as_f64().is_some() => {
            Value::Double(a + number(&b))
        }
        (a, Value::Double(b)) if a.as_i64().is_some() => Value::Double(number(&a) + b),
        (Value::String(a), Value::String(b)) => Value::String(a + &b),
        (Value::Array(mut a), Value::Array(b)) => {
            a.extend(b);
            Value::Array(a)
        }
        (a, b) => {
            return Err(Fault::new(
                Fault::INVALID_PARAMS,
                format!("cannot add {} and {}", a.type_name(), b.type_name()),
            ))
        }
    })
}

fn number(v: &Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_i64().map(|i| i as f64))
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_follows_python() {
        assert_eq!(add(vec![Value::Int(8), Value::Int(8)]), Ok(Value::Int(16)));
        assert_eq!(
            add(vec![Value::Int(i32::MAX), Value::Int(1)]),
            Ok(Value::I8(1 << 31))
        );
        assert_eq!(
            add(vec![Value::Double(0.5), Value::Int(1)]),
            Ok(Value::Double(1.5))
        );
        assert_eq!(
            add(vec![Value::Int(1), Value::Double(0.25)]),
            Ok(Value::Double(1.25))
        );
        assert_eq!(
            add(vec![Value::from("a"), Value::from("b")]),
            Ok(Value::from("ab"))
        );
        assert_eq!(
            add(vec![Value::I8(i64::MAX), Value::Int(1)])
                .unwrap_err()
                .code,
            Fault::INVALID_PARAMS
        );
        assert_eq!(
            add(vec![Value::Int(1)]).unwrap_err().code,
            Fault::INVALID_PARAMS
        );
        assert_eq!(
            add(vec![Value::Nil, Value::Int(1)]).unwrap_err().code,
            Fault::INVALID_PARAMS
        );
    }
}
