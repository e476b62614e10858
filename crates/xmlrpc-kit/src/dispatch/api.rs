//! [`Api`]: a group of methods registered together, under a common prefix or none — what
//! `#[xmlrpc_kit::api]` builds from a trait, and what [`Registry::mount`] and
//! `Server::mount` take, one or several at once.

use super::handler::{AsyncMethod, BlockingMethod, ErasedMethod, SyncMethod};
use super::Registry;
use super::{AsyncHandler, BlockingHandler, DynamicMethod, Handler, Method, RegistrationError};
use crate::fault::Fault;
use crate::value::Value;
use std::collections::HashSet;
use std::marker::PhantomData;

/// A group of methods, mounted on a [`Registry`] or a `Server` in one step; every name is
/// checked when it is mounted, and a clash with any other method is a
/// [`RegistrationError`].
///
/// `#[xmlrpc_kit::api]` makes one from a trait (`value.into_api()`). By hand it is a
/// method group under a prefix, as Python's `register_instance` gives dotted names, but
/// only for the methods listed:
///
/// ```
/// use xmlrpc_kit::dispatch::{Api, Registry};
///
/// let math = Api::with_prefix("math")
///     .method("add", |x: i32, y: i32| x + y)
///     .help("Adds two integers.")
///     .signature(["int", "int", "int"])
///     .method("neg", |x: i32| -x);
/// let mut registry = Registry::new();
/// registry.mount(math)?;
/// assert_eq!(registry.method_names(), ["math.add", "math.neg"]);
/// // A second group with a name already taken is refused, and nothing of it is added.
/// let clash = Api::new().method("math.add", || 0).method("other", || 1);
/// assert!(registry.mount(clash).is_err());
/// assert_eq!(registry.method_names(), ["math.add", "math.neg"]);
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
#[derive(Default)]
#[must_use = "an Api does nothing until it is mounted"]
pub struct Api {
    prefix: String,
    methods: Vec<(String, Method)>,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("methods", &self.method_names())
            .finish_non_exhaustive()
    }
}

impl Api {
    /// An empty group whose methods keep the names they are given.
    ///
    /// ```
    /// let api = xmlrpc_kit::dispatch::Api::new().method("ping", || true);
    /// assert_eq!(api.method_names(), ["ping"]);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty group whose methods are named `PREFIX.name` (`math.add`); an empty prefix
    /// is no prefix.
    ///
    /// ```
    /// let api = xmlrpc_kit::dispatch::Api::with_prefix("math").method("add", |x: i32, y: i32| x + y);
    /// assert_eq!(api.method_names(), ["math.add"]);
    /// ```
    pub fn with_prefix(prefix: &str) -> Self {
        Api {
            prefix: prefix.to_owned(),
            methods: Vec::new(),
        }
    }

    fn push(mut self, name: &str, handler: Box<dyn ErasedMethod>) -> Self {
        let name = if self.prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.prefix)
        };
        self.methods.push((
            name,
            Method {
                handler,
                help: String::new(),
                signatures: Vec::new(),
            },
        ));
        self
    }

    /// Adds a synchronous method (see [`Registry::method`]).
    pub fn method<Args: 'static, M: 'static>(
        self,
        name: &str,
        handler: impl Handler<Args, M>,
    ) -> Self {
        self.push(name, Box::new(SyncMethod(handler, PhantomData)))
    }

    /// Adds an async method (see [`Registry::async_method`]).
    ///
    /// ```
    /// let api = xmlrpc_kit::dispatch::Api::new().async_method("later", |ms: u64| async move { ms });
    /// # let _ = api;
    /// ```
    pub fn async_method<Args: 'static, M: 'static>(
        self,
        name: &str,
        handler: impl AsyncHandler<Args, M>,
    ) -> Self {
        self.push(name, Box::new(AsyncMethod(handler, PhantomData)))
    }

    /// Adds a method that may block, run on tokio's blocking pool (see
    /// [`Registry::blocking_method`]).
    ///
    /// ```
    /// let api = xmlrpc_kit::dispatch::Api::new().blocking_method("read", |p: String| std::fs::read_to_string(p).is_ok());
    /// # let _ = api;
    /// ```
    pub fn blocking_method<Args: 'static, M: 'static>(
        self,
        name: &str,
        handler: impl BlockingHandler<Args, M>,
    ) -> Self {
        self.push(name, Box::new(BlockingMethod(handler, PhantomData)))
    }

    /// Adds a dynamic method: values in, a value or fault out (see
    /// [`Registry::dynamic_method`]).
    ///
    /// ```
    /// use xmlrpc_kit::{Fault, Value};
    /// let api = xmlrpc_kit::dispatch::Api::new()
    ///     .dynamic_method("count", |p: Vec<Value>| Ok::<_, Fault>(Value::from(p.len() as i32)));
    /// # let _ = api;
    /// ```
    pub fn dynamic_method<F>(self, name: &str, handler: F) -> Self
    where
        F: Fn(Vec<Value>) -> Result<Value, Fault> + Send + Sync + 'static,
    {
        self.push(name, Box::new(DynamicMethod(handler)))
    }

    /// Sets the help text of the method added last.
    ///
    /// ```
    /// let api = xmlrpc_kit::dispatch::Api::new().method("ping", || true).help("Answers true.");
    /// # let _ = api;
    /// ```
    pub fn help(mut self, text: impl Into<String>) -> Self {
        if let Some((_, method)) = self.methods.last_mut() {
            method.help = text.into();
        }
        self
    }

    /// Adds a signature (result type first, then the parameters') to the method added
    /// last.
    ///
    /// ```
    /// let api = xmlrpc_kit::dispatch::Api::new().method("neg", |x: i32| -x).signature(["int", "int"]);
    /// # let _ = api;
    /// ```
    pub fn signature<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        if let Some((_, method)) = self.methods.last_mut() {
            method
                .signatures
                .push(types.into_iter().map(Into::into).collect());
        }
        self
    }

    /// The full names of the methods, in the order they were added.
    ///
    /// ```
    /// let api = xmlrpc_kit::dispatch::Api::with_prefix("a").method("x", || 1).method("y", || 2);
    /// assert_eq!(api.method_names(), ["a.x", "a.y"]);
    /// ```
    pub fn method_names(&self) -> Vec<String> {
        self.methods.iter().map(|(name, _)| name.clone()).collect()
    }
}

/// One [`Api`] or several, as [`Registry::mount`] and `Server::mount` take them: an `Api`,
/// a `Vec` or an array of them, or a tuple of up to six of these.
///
/// ```
/// use xmlrpc_kit::dispatch::{Api, Registry};
/// let mut r = Registry::new();
/// r.mount((Api::with_prefix("a").method("x", || 1), [Api::with_prefix("b").method("x", || 2)]))?;
/// assert_eq!(r.method_names(), ["a.x", "b.x"]);
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
pub trait Apis {
    /// Appends every API to `out`.
    fn collect_into(self, out: &mut Vec<Api>);
}

impl Apis for Api {
    fn collect_into(self, out: &mut Vec<Api>) {
        out.push(self);
    }
}

impl Apis for Vec<Api> {
    fn collect_into(self, out: &mut Vec<Api>) {
        out.extend(self);
    }
}

impl<const N: usize> Apis for [Api; N] {
    fn collect_into(self, out: &mut Vec<Api>) {
        out.extend(self);
    }
}

macro_rules! tuple_apis {
    ($($t:ident),+) => {
        impl<$($t: Apis),+> Apis for ($($t,)+) {
            #[allow(non_snake_case)]
            fn collect_into(self, out: &mut Vec<Api>) {
                let ($($t,)+) = self;
                $($t.collect_into(out);)+
            }
        }
    };
}
tuple_apis!(A);
tuple_apis!(A, B);
tuple_apis!(A, B, C);
tuple_apis!(A, B, C, D);
tuple_apis!(A, B, C, D, E);
tuple_apis!(A, B, C, D, E, F);

impl Registry {
    /// Registers every method of one API or several ([`Apis`]). All names are checked
    /// first: a name that is empty, built in, already registered or given twice refuses
    /// the whole mount, and nothing is added.
    ///
    /// ```
    /// use xmlrpc_kit::dispatch::{Api, Registry, RegistrationError};
    /// let mut r = Registry::new();
    /// r.method("a.x", || 0)?;
    /// let err = r.mount(Api::with_prefix("a").method("x", || 1)).unwrap_err();
    /// assert_eq!(err, RegistrationError::Duplicate("a.x".into()));
    /// # Ok::<(), RegistrationError>(())
    /// ```
    pub fn mount(&mut self, apis: impl Apis) -> Result<(), RegistrationError> {
        let mut all = Vec::new();
        apis.collect_into(&mut all);
        let methods: Vec<(String, Method)> = all.into_iter().flat_map(|api| api.methods).collect();
        let mut seen = HashSet::new();
        for (name, _) in &methods {
            if name.is_empty() {
                return Err(RegistrationError::EmptyName);
            }
            if super::system::is_builtin(name) {
                return Err(RegistrationError::Reserved(name.clone()));
            }
            if self.methods.contains_key(name) || !seen.insert(name.as_str()) {
                return Err(RegistrationError::Duplicate(name.clone()));
            }
        }
        self.methods.extend(methods);
        Ok(())
    }
}
