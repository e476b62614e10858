//! Dispatch: the [`Registry`] of named methods, the typed handler adaptors, and the
//! `system.*` methods (introspection and multicall). It knows nothing of HTTP: the server,
//! tests and the CLI all call methods through it.

mod api;
mod handler;
mod params;
pub(crate) mod pool;
mod system;

pub use api::{Api, Apis};
pub use handler::{AsyncHandler, BlockingHandler, Fallible, Handler, IntoResult, Plain};
pub use params::Params;

pub(crate) use handler::{Invocation, Reply};

/// Decides, before a method runs, whether it may: `Err` is the fault to answer with. The
/// server builds one per request from its authorisation hook and the caller's user name.
pub(crate) type Gate = Arc<dyn Fn(&str) -> Result<(), Fault> + Send + Sync>;

use crate::fault::Fault;
use crate::value::Value;
use handler::{encode, guard, params_fault, AsyncMethod, BlockingMethod, ErasedMethod, SyncMethod};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// The methods a server offers, by name.
///
/// Register plain functions or closures with typed arguments; they are called with the
/// parameters decoded straight from the request. Names must be unique.
///
/// ```
/// use xmlrpc_kit::dispatch::Registry;
/// use xmlrpc_kit::Fault;
///
/// let mut registry = Registry::new();
/// registry.method("add", |x: i32, y: i32| x + y)?.help("Adds two integers.").signature(["int", "int", "int"]);
/// registry.method("div", |x: i32, y: i32| {
///     x.checked_div(y).ok_or_else(|| Fault::new(1, "division by zero"))
/// })?;
/// assert!(registry.method("add", || 0).is_err());
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
pub struct Registry {
    methods: HashMap<String, Method>,
    introspection: bool,
    multicall: bool,
    /// Bounds blocking calls; the server sets it from its configuration.
    pool: Arc<pool::BlockingPool>,
}

impl Default for Registry {
    fn default() -> Self {
        Registry {
            methods: HashMap::new(),
            introspection: false,
            multicall: false,
            pool: pool::BlockingPool::new(pool::BlockingPool::UNBOUNDED_RUNNING, usize::MAX),
        }
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("methods", &self.method_names())
            .finish_non_exhaustive()
    }
}

struct Method {
    handler: Box<dyn ErasedMethod>,
    help: String,
    signatures: Vec<Vec<String>>,
}

/// Why a method could not be registered.
///
/// ```
/// let mut r = xmlrpc_kit::dispatch::Registry::new();
/// r.method("ping", || true)?;
/// let err = r.method("ping", || false).err().unwrap();
/// assert_eq!(err.to_string(), "method `ping` is already registered");
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RegistrationError {
    /// A method of that name exists already.
    #[error("method `{0}` is already registered")]
    Duplicate(String),
    /// The name is one of the built-in `system.*` methods.
    #[error("method `{0}` is built in and cannot be registered")]
    Reserved(String),
    /// The name is empty.
    #[error("a method name cannot be empty")]
    EmptyName,
}

/// A registered method, to describe it for introspection.
///
/// ```
/// let mut r = xmlrpc_kit::dispatch::Registry::new();
/// r.method("echo", |v: xmlrpc_kit::Value| v)?
///     .help("Returns its argument.")
///     .signature(["struct", "struct"])
///     .signature(["string", "string"]);
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
pub struct MethodInfo<'r>(&'r mut Method);

impl std::fmt::Debug for MethodInfo<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MethodInfo")
            .field("help", &self.0.help)
            .field("signatures", &self.0.signatures)
            .finish()
    }
}

impl MethodInfo<'_> {
    /// Sets the text `system.methodHelp` returns and the documentation page shows.
    pub fn help(self, text: impl Into<String>) -> Self {
        self.0.help = text.into();
        self
    }

    /// Adds a signature for `system.methodSignature`: the result type, then each
    /// parameter's type, as XML-RPC type names (`int`, `string`, `struct`, ...).
    pub fn signature<S: Into<String>>(self, types: impl IntoIterator<Item = S>) -> Self {
        self.0
            .signatures
            .push(types.into_iter().map(Into::into).collect());
        self
    }
}

/// What introspection knows of one method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodDoc {
    /// The method's name.
    pub name: String,
    /// Its help text (empty when none was given).
    pub help: String,
    /// Its signatures: result type first, then the parameters'.
    pub signatures: Vec<Vec<String>>,
}

impl Registry {
    /// An empty registry, without the `system.*` methods.
    ///
    /// ```
    /// assert!(xmlrpc_kit::dispatch::Registry::new().method_names().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `system.listMethods`, `system.methodHelp`, `system.methodSignature` and
    /// `system.getCapabilities`.
    ///
    /// ```
    /// let r = xmlrpc_kit::dispatch::Registry::new().with_introspection();
    /// assert!(r.method_names().contains(&"system.listMethods".to_string()));
    /// ```
    pub fn with_introspection(mut self) -> Self {
        self.introspection = true;
        self
    }

    /// Adds `system.multicall`: many calls in one request, run concurrently.
    ///
    /// ```
    /// let r = xmlrpc_kit::dispatch::Registry::new().with_multicall();
    /// assert_eq!(r.method_names(), ["system.multicall"]);
    /// ```
    pub fn with_multicall(mut self) -> Self {
        self.multicall = true;
        self
    }

    fn insert(
        &mut self,
        name: &str,
        handler: Box<dyn ErasedMethod>,
    ) -> Result<MethodInfo<'_>, RegistrationError> {
        if name.is_empty() {
            return Err(RegistrationError::EmptyName);
        }
        if system::is_builtin(name) {
            return Err(RegistrationError::Reserved(name.to_owned()));
        }
        match self.methods.entry(name.to_owned()) {
            std::collections::hash_map::Entry::Occupied(_) => {
                Err(RegistrationError::Duplicate(name.to_owned()))
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                Ok(MethodInfo(slot.insert(Method {
                    handler,
                    help: String::new(),
                    signatures: Vec::new(),
                })))
            }
        }
    }

    /// Registers a synchronous function of typed arguments, run on the server's threads.
    /// Keep it quick; see [`blocking_method`](Self::blocking_method) for slow work.
    ///
    /// ```
    /// let mut r = xmlrpc_kit::dispatch::Registry::new();
    /// r.method("get_string", |s: String| format!("get string:{s}"))?;
    /// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
    /// ```
    pub fn method<Args: 'static, M: 'static>(
        &mut self,
        name: &str,
        handler: impl Handler<Args, M>,
    ) -> Result<MethodInfo<'_>, RegistrationError> {
        self.insert(name, Box::new(SyncMethod(handler, PhantomData)))
    }

    /// Registers an async function of typed arguments.
    ///
    /// ```
    /// let mut r = xmlrpc_kit::dispatch::Registry::new();
    /// r.async_method("wait", |ms: u64| async move {
    ///     tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    ///     ms
    /// })?;
    /// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
    /// ```
    pub fn async_method<Args: 'static, M: 'static>(
        &mut self,
        name: &str,
        handler: impl AsyncHandler<Args, M>,
    ) -> Result<MethodInfo<'_>, RegistrationError> {
        self.insert(name, Box::new(AsyncMethod(handler, PhantomData)))
    }

    /// Registers a function that may block (files, sleeps, heavy work): it runs on tokio's
    /// blocking pool, so it never holds up other calls.
    ///
    /// ```
    /// let mut r = xmlrpc_kit::dispatch::Registry::new();
    /// r.blocking_method("nap", |ms: u64| std::thread::sleep(std::time::Duration::from_millis(ms)))?;
    /// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
    /// ```
    pub fn blocking_method<Args: 'static, M: 'static>(
        &mut self,
        name: &str,
        handler: impl BlockingHandler<Args, M>,
    ) -> Result<MethodInfo<'_>, RegistrationError> {
        self.insert(name, Box::new(BlockingMethod(handler, PhantomData)))
    }

    /// Registers a dynamic method: all parameters in as values, a value (or fault) out.
    ///
    /// ```
    /// use xmlrpc_kit::{Fault, Value};
    /// let mut r = xmlrpc_kit::dispatch::Registry::new();
    /// r.dynamic_method("count", |params: Vec<Value>| Ok::<_, Fault>(Value::from(params.len() as i32)))?;
    /// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
    /// ```
    pub fn dynamic_method<F>(
        &mut self,
        name: &str,
        handler: F,
    ) -> Result<MethodInfo<'_>, RegistrationError>
    where
        F: Fn(Vec<Value>) -> Result<Value, Fault> + Send + Sync + 'static,
    {
        self.insert(name, Box::new(DynamicMethod(handler)))
    }

    /// The description of a registered method, to add help or signatures after the fact.
    ///
    /// ```
    /// let mut r = xmlrpc_kit::dispatch::Registry::new();
    /// r.method("ping", || true)?;
    /// r.method_info("ping").map(|m| m.help("Answers true."));
    /// assert_eq!(r.describe()[0].help, "Answers true.");
    /// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
    /// ```
    pub fn method_info(&mut self, name: &str) -> Option<MethodInfo<'_>> {
        self.methods.get_mut(name).map(MethodInfo)
    }

    /// The names of every method, `system.*` included, sorted.
    ///
    /// ```
    /// let mut r = xmlrpc_kit::dispatch::Registry::new();
    /// r.method("b", || 1)?;
    /// r.method("a", || 2)?;
    /// assert_eq!(r.method_names(), ["a", "b"]);
    /// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
    /// ```
    pub fn method_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.methods.keys().cloned().collect();
        names.extend(system::builtin_names(self.introspection, self.multicall).map(str::to_owned));
        names.sort();
        names
    }

    /// Name, help and signatures of every method, sorted by name.
    ///
    /// ```
    /// let mut r = xmlrpc_kit::dispatch::Registry::new();
    /// r.method("add", |x: i32, y: i32| x + y)?.help("Adds.");
    /// assert_eq!(r.describe()[0].help, "Adds.");
    /// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
    /// ```
    pub fn describe(&self) -> Vec<MethodDoc> {
        self.method_names()
            .into_iter()
            .map(|name| {
                let (help, signatures) = self.help_and_signatures(&name);
                MethodDoc {
                    name,
                    help,
                    signatures,
                }
            })
            .collect()
    }

    fn help_and_signatures(&self, name: &str) -> (String, Vec<Vec<String>>) {
        match self.methods.get(name) {
            Some(m) => (m.help.clone(), m.signatures.clone()),
            None => system::builtin_doc(name),
        }
    }

    /// Calls a method by name. The parameters are decoded by the method itself.
    pub(crate) fn invoke(self: &Arc<Self>, name: &str, params: Params<'_, '_>) -> Invocation {
        self.invoke_gated(name, params, None)
    }

    /// Calls a method by name once `gate` (when given) allows it; the calls inside a
    /// `system.multicall` pass the same gate.
    pub(crate) fn invoke_gated(
        self: &Arc<Self>,
        name: &str,
        params: Params<'_, '_>,
        gate: Option<&Gate>,
    ) -> Invocation {
        if let Some(refused) = gate.and_then(|gate| gate(name).err()) {
            return Invocation::Ready(Err(refused));
        }
        if let Some(method) = self.methods.get(name) {
            return method.handler.invoke(params, &self.pool);
        }
        match system::invoke(self, name, params, gate) {
            Some(invocation) => invocation,
            None => Invocation::Ready(Err(Fault::new(
                Fault::METHOD_NOT_FOUND,
                format!("method not found: {}", truncate(name, 200)),
            ))),
        }
    }

    /// Bounds the blocking calls: `running` at once, `queued` more waiting.
    pub(crate) fn bound_blocking_calls(&mut self, running: usize, queued: usize) {
        self.pool = pool::BlockingPool::new(running, queued);
    }

    /// The pool blocking calls run on.
    pub(crate) fn blocking_pool(&self) -> &Arc<pool::BlockingPool> {
        &self.pool
    }

    /// Calls a method with dynamic parameters and waits for its reply, in process: for
    /// tests and embedding, with no HTTP and no XML for the parameters.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use xmlrpc_kit::{dispatch::Registry, Value};
    /// let mut r = Registry::new();
    /// r.method("add", |x: i32, y: i32| x + y)?;
    /// let r = Arc::new(r);
    /// let rt = tokio::runtime::Builder::new_current_thread().build()?;
    /// assert_eq!(rt.block_on(r.call("add", vec![Value::Int(8), Value::Int(8)])), Ok(Value::Int(16)));
    /// assert_eq!(rt.block_on(r.call("nope", vec![])).unwrap_err().code, -32601);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn call(self: &Arc<Self>, name: &str, params: Vec<Value>) -> Result<Value, Fault> {
        let reply = self.invoke(name, Params::Values(params)).reply().await?;
        let reply = reply
            .inline()
            .map_err(|e| Fault::new(Fault::INTERNAL_ERROR, e.to_string()))?;
        reply_to_value(&reply)
    }
}

/// Reads back an encoded reply `<value>` (for in-process calls).
fn reply_to_value(reply: &[u8]) -> Result<Value, Fault> {
    let mut doc = Vec::with_capacity(reply.len() + 80);
    doc.extend_from_slice(b"<methodResponse><params><param>");
    doc.extend_from_slice(reply);
    doc.extend_from_slice(b"</param></params></methodResponse>");
    crate::codec::decode_response::<Value>(&doc)
        .map_err(|e| Fault::new(Fault::INTERNAL_ERROR, e.to_string()))?
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

/// A dynamic method: all params as values.
struct DynamicMethod<F>(F);

impl<F> ErasedMethod for DynamicMethod<F>
where
    F: Fn(Vec<Value>) -> Result<Value, Fault> + Send + Sync + 'static,
{
    fn invoke(&self, params: Params<'_, '_>, _: &Arc<pool::BlockingPool>) -> Invocation {
        Invocation::Ready(guard(|| {
            let values = params.into_values().map_err(params_fault)?;
            encode((self.0)(values))
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn wrong_params_name_the_argument() {
        let mut r = Registry::new();
        r.method("add", |x: i32, y: i32| x + y).unwrap();
        let r = Arc::new(r);
        let fault = block_on(r.call("add", vec![Value::Int(1), Value::from("2")])).unwrap_err();
        assert_eq!(fault.code, Fault::INVALID_PARAMS);
        assert!(
            fault
                .string
                .contains("param 2: invalid type: string \"2\", expected i32"),
            "{fault}"
        );
        let fault = block_on(r.call("add", vec![Value::Int(1)])).unwrap_err();
        assert_eq!(fault.code, Fault::INVALID_PARAMS);
        let fault =
            block_on(r.call("add", vec![Value::Int(1), Value::Int(2), Value::Int(3)])).unwrap_err();
        assert!(fault.string.contains("too many params"), "{fault}");
    }

    #[test]
    fn panics_become_internal_error_faults() {
        let mut r = Registry::new();
        r.method("boom", || -> i32 { panic!("kaboom") }).unwrap();
        r.async_method("aboom", || async { panic!("async kaboom") as i32 })
            .unwrap();
        let r = Arc::new(r);
        for name in ["boom", "aboom"] {
            let fault = block_on(r.call(name, vec![])).unwrap_err();
            assert_eq!(fault.code, Fault::INTERNAL_ERROR);
            assert!(fault.string.contains("kaboom"), "{fault}");
        }
    }

    #[test]
    fn reserved_and_empty_names_are_refused() {
        let mut r = Registry::new();
        assert_eq!(
            r.method("system.multicall", || 1).err(),
            Some(RegistrationError::Reserved("system.multicall".into()))
        );
        assert_eq!(r.method("", || 1).err(), Some(RegistrationError::EmptyName));
    }
}
