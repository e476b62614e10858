//! What the code `#[xmlrpc_kit::api]` generates calls: checks whose failures say what to
//! do, and the type names of signatures. Not an API of its own: it changes with the macro.

use serde::de::DeserializeOwned;
use serde::Serialize;

pub use crate::value::{Declared, Probed, TypeOf, Unnamed};

/// A type an API method may take: owned, serde both ways (the server decodes it, the
/// client encodes it), `Send` (it may move to another thread).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of an XML-RPC API method",
    label = "this argument's type does not implement `serde::Serialize` and `serde::Deserialize` (or is not `Send`)",
    note = "derive both on your own types: `#[derive(serde::Serialize, serde::Deserialize)]` \
            (the server decodes the argument, the typed clients encode it)",
    note = "or take a type the crate maps already: `String`, numbers, `bool`, `Vec<T>`, `Option<T>`, \
            `xmlrpc_kit::{{Binary, Blob, DateTime, Struct, Value}}`"
)]
pub trait Argument {}

impl<T: Serialize + DeserializeOwned + Send + 'static> Argument for T {}

/// A type an API method may return (the `T` of a `Result<T, E>`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the result of an XML-RPC API method",
    label = "this result's type does not implement `serde::Serialize` and `serde::Deserialize` (or is not `Send`)",
    note = "derive both on your own types: `#[derive(serde::Serialize, serde::Deserialize)]` \
            (the server encodes the result, the typed clients decode it)",
    note = "a method that can fail returns `Result<T, E>` with `E: Into<xmlrpc_kit::Fault>`"
)]
pub trait ApiResult {}

impl<T: Serialize + DeserializeOwned + Send + 'static> ApiResult for T {}

/// Checks an argument's type at compile time.
pub const fn argument<T: Argument>() {}

/// Checks a result's type at compile time.
pub const fn result<T: ApiResult>() {}

/// A signature when every type has a name (a [`Value`](crate::Value) has none: then the
/// method has no signature, and introspection says `undef`).
pub fn signature(types: &[Option<&'static str>]) -> Option<Vec<&'static str>> {
    types.iter().copied().collect()
}
