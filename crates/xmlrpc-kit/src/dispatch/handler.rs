//! Handlers: plain Rust functions and closures turned into XML-RPC methods. One macro
//! implements the handler traits for functions of 0 to 16 typed arguments; arguments are
//! decoded by serde, results encoded by serde, and a decoding failure becomes fault -32602.

// The handler traits' `call` methods are hidden plumbing whose reply type stays private.
#![allow(private_interfaces)]

use super::params::Params;
use super::pool::BlockingPool;
use crate::codec;
use crate::codec::segments::Encoded;
use crate::error::Category;
use crate::fault::Fault;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The encoded `<value>` of a successful call (with any file-backed blobs it streams), or
/// its fault.
pub(crate) type Reply = Result<Encoded, Fault>;

/// A reply still being computed.
pub(crate) type ReplyFuture = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// What calling a method gives: a reply at once (sync handlers), or one to await.
pub(crate) enum Invocation {
    Ready(Reply),
    Pending(ReplyFuture),
}

impl Invocation {
    /// The reply, once the method has one.
    pub(crate) async fn reply(self) -> Reply {
        match self {
            Invocation::Ready(reply) => reply,
            Invocation::Pending(future) => future.await,
        }
    }
}

/// A method with its argument types erased, as the registry stores it.
/// The work of one blocking call, run on the registry's [`BlockingPool`].
pub(crate) type BlockingJob = Box<dyn FnOnce() -> Reply + Send>;

pub(crate) trait ErasedMethod: Send + Sync {
    fn invoke(&self, params: Params<'_, '_>, pool: &Arc<BlockingPool>) -> Invocation;
}

/// Marker for handlers that return a value (`T: Serialize`).
#[derive(Debug)]
pub enum Plain {}

/// Marker for handlers that return `Result<T, E>` with `E: Into<Fault>`.
#[derive(Debug)]
pub enum Fallible {}

/// What a handler may return: any `Serialize` value, or a `Result` whose error becomes a
/// fault. The marker `M` keeps the two apart.
///
/// A value that is neither (a type without `Serialize`, a `Result` whose error has no
/// `Into<Fault>`, a future from a closure given to `method` instead of `async_method`)
/// is refused at compile time with a message saying so.
///
/// ```
/// use xmlrpc_kit::{dispatch::IntoResult, Fault};
/// fn check<M, R: IntoResult<M>>(r: R) -> Result<R::Ok, Fault> { r.into_result() }
/// assert_eq!(check(5).unwrap(), 5);
/// assert_eq!(check(Err::<i32, _>(Fault::new(4, "no"))).unwrap_err().code, 4);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the result of an XML-RPC method",
    label = "the method returns `{Self}`",
    note = "a method returns a value whose type implements `serde::Serialize` (derive it on your own \
            types), or a `Result<T, E>` with `T: Serialize` and `E: Into<xmlrpc_kit::Fault>` \
            (implement `From<E> for Fault`)",
    note = "a closure that returns a future (`async move {{ .. }}`) is registered with `async_method`"
)]
pub trait IntoResult<M> {
    /// The value sent back on success.
    type Ok: Serialize;
    /// The value, or the fault to answer with.
    fn into_result(self) -> Result<Self::Ok, Fault>;
}

impl<T: Serialize> IntoResult<Plain> for T {
    type Ok = T;
    fn into_result(self) -> Result<T, Fault> {
        Ok(self)
    }
}

impl<T: Serialize, E: Into<Fault>> IntoResult<Fallible> for Result<T, E> {
    type Ok = T;
    fn into_result(self) -> Result<T, Fault> {
        self.map_err(Into::into)
    }
}

/// A synchronous method: `Fn(A1, ..., An) -> R`, run on the server's own threads.
/// For work that blocks or takes long, register it with `blocking_method` instead.
///
/// Implemented for every function and closure that is `Send + Sync + 'static` and takes
/// 0 to 16 arguments, each an owned type implementing `serde::Deserialize` (`String`, not
/// `&str`; `Vec<u8>` or [`Binary`](crate::Binary), not `&[u8]`), and returns a
/// `T: Serialize` or a `Result<T, E>` with `E: Into<Fault>` (see [`IntoResult`]). Anything
/// else is refused at compile time with a message listing these rules.
///
/// ```
/// use xmlrpc_kit::dispatch::Registry;
/// let mut registry = Registry::new();
/// registry.method("add", |x: i32, y: i32| x + y)?;
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an XML-RPC method",
    label = "not a method: check its arguments and its result",
    note = "a method takes 0 to 16 arguments, each an owned type that implements `serde::Deserialize` \
            (`String`, not `&str`; `Vec<u8>` or `Binary`, not `&[u8]`; derive it on your own types); \
            more arguments go in a struct",
    note = "it returns a type that implements `serde::Serialize`, or a `Result<T, E>` with \
            `T: Serialize` and `E: Into<xmlrpc_kit::Fault>` (implement `From<E> for Fault`)",
    note = "it is `Send + Sync + 'static`: share state through an `Arc`, not an `Rc` or a borrow",
    note = "an `async` closure, or one that returns a future, is registered with `async_method`"
)]
pub trait Handler<Args, M>: Send + Sync + 'static {
    /// Decodes the arguments, calls the function, encodes the result.
    #[doc(hidden)]
    fn call(&self, params: Params<'_, '_>) -> Reply;
}

/// An async method: `Fn(A1, ..., An) -> impl Future<Output = R>`.
///
/// The arguments follow [`Handler`]'s rules; the future must be `Send + 'static` (it may
/// run on any of the server's threads) and its output follows [`IntoResult`]'s.
///
/// ```
/// use xmlrpc_kit::dispatch::Registry;
/// let mut registry = Registry::new();
/// registry.async_method("later", |s: String| async move { s.len() })?;
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an async XML-RPC method",
    label = "not an async method: check its arguments, its future and the future's output",
    note = "an async method takes 0 to 16 arguments, each an owned type that implements \
            `serde::Deserialize` (`String`, not `&str`; `Vec<u8>` or `Binary`, not `&[u8]`), \
            and returns a future: `|x: i32| async move {{ x + 1 }}`",
    note = "the future is `Send + 'static` (move what it needs into it) and its output is a \
            `T: Serialize` or a `Result<T, E>` with `E: Into<xmlrpc_kit::Fault>`",
    note = "a closure that returns a value rather than a future is registered with `method` \
            (or `blocking_method` when it blocks)"
)]
pub trait AsyncHandler<Args, M>: Send + Sync + 'static {
    /// Decodes the arguments and starts the call.
    #[doc(hidden)]
    fn call(&self, params: Params<'_, '_>) -> Result<ReplyFuture, Fault>;
}

/// A blocking method: `Fn(A1, ..., An) -> R` run on tokio's blocking thread pool, so a
/// slow function (file I/O, a sleep, heavy work) never holds up other calls.
///
/// The rules are [`Handler`]'s, and the function is also `Clone` (each call moves a copy
/// onto the pool) with arguments that are `Send + 'static`.
///
/// ```
/// use xmlrpc_kit::dispatch::Registry;
/// let mut registry = Registry::new();
/// registry.blocking_method("read", |path: String| std::fs::read(path).map_err(|e| xmlrpc_kit::Fault::new(1, e.to_string())))?;
/// # Ok::<(), xmlrpc_kit::dispatch::RegistrationError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a blocking XML-RPC method",
    label = "not a blocking method: check its arguments and its result",
    note = "a blocking method takes 0 to 16 arguments, each an owned type that implements \
            `serde::Deserialize` and `Send` (`String`, not `&str`); more arguments go in a struct",
    note = "it returns a type that implements `serde::Serialize`, or a `Result<T, E>` with \
            `T: Serialize` and `E: Into<xmlrpc_kit::Fault>` (implement `From<E> for Fault`)",
    note = "it is `Clone + Send + Sync + 'static`, as each call runs a copy on the blocking pool: \
            share state through an `Arc`"
)]
pub trait BlockingHandler<Args, M>: Send + Sync + 'static {
    /// Decodes the arguments and returns the work to run on the blocking pool.
    #[doc(hidden)]
    fn call(&self, params: Params<'_, '_>) -> Result<BlockingJob, Fault>;
}

/// Encodes a handler's result as a `<value>`.
pub(crate) fn encode<T: Serialize>(result: Result<T, Fault>) -> Reply {
    let value = result?;
    Encoded::capture(64, |out| codec::write_value(out, &value)).map_err(|e| {
        Fault::new(
            Fault::INTERNAL_ERROR,
            format!("the result cannot be sent as XML-RPC: {e}"),
        )
    })
}

/// The fault for parameters that could not be decoded.
pub(crate) fn params_fault(e: crate::Error) -> Fault {
    match e.category() {
        Category::Data => Fault::new(Fault::INVALID_PARAMS, format!("invalid params: {e}")),
        _ => e.to_fault(),
    }
}

/// The fault for a handler that panicked.
pub(crate) fn panic_fault(payload: Box<dyn std::any::Any + Send>) -> Fault {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned());
    Fault::new(
        Fault::INTERNAL_ERROR,
        format!("internal error: the method panicked: {message}"),
    )
}

/// Runs a sync call, turning a panic into fault -32603.
pub(crate) fn guard(f: impl FnOnce() -> Reply) -> Reply {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panic_fault(payload)))
}

/// A future that turns a panic while polling into fault -32603.
pub(crate) struct CatchPanic(pub(crate) ReplyFuture);

impl Future for CatchPanic {
    type Output = Reply;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Reply> {
        match catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(Err(panic_fault(payload))),
        }
    }
}

macro_rules! impl_handlers {
    ($($arg:ident: $ty:ident),*) => {
        impl<F, R, M, $($ty,)*> Handler<($($ty,)*), M> for F
        where
            F: Fn($($ty),*) -> R + Send + Sync + 'static,
            R: IntoResult<M>,
            $($ty: DeserializeOwned,)*
        {
            fn call(&self, params: Params<'_, '_>) -> Reply {
                let ($($arg,)*) = params.decode::<($($ty,)*)>().map_err(params_fault)?;
                encode(self($($arg),*).into_result())
            }
        }

        impl<F, Fut, R, M, $($ty,)*> AsyncHandler<($($ty,)*), M> for F
        where
            F: Fn($($ty),*) -> Fut + Send + Sync + 'static,
            Fut: Future<Output = R> + Send + 'static,
            R: IntoResult<M>,
            $($ty: DeserializeOwned,)*
        {
            fn call(&self, params: Params<'_, '_>) -> Result<ReplyFuture, Fault> {
                let ($($arg,)*) = params.decode::<($($ty,)*)>().map_err(params_fault)?;
                let future = self($($arg),*);
                Ok(Box::pin(async move { encode(future.await.into_result()) }))
            }
        }

        impl<F, R, M, $($ty,)*> BlockingHandler<($($ty,)*), M> for F
        where
            F: Fn($($ty),*) -> R + Clone + Send + Sync + 'static,
            R: IntoResult<M>,
            $($ty: DeserializeOwned + Send + 'static,)*
        {
            fn call(&self, params: Params<'_, '_>) -> Result<BlockingJob, Fault> {
                let ($($arg,)*) = params.decode::<($($ty,)*)>().map_err(params_fault)?;
                let f = self.clone();
                Ok(Box::new(move || encode(f($($arg),*).into_result())))
            }
        }
    };
}

impl_handlers!();
impl_handlers!(a1: A1);
impl_handlers!(a1: A1, a2: A2);
impl_handlers!(a1: A1, a2: A2, a3: A3);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8, a9: A9);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8, a9: A9, a10: A10);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8, a9: A9, a10: A10, a11: A11);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8, a9: A9, a10: A10, a11: A11, a12: A12);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8, a9: A9, a10: A10, a11: A11, a12: A12, a13: A13);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8, a9: A9, a10: A10, a11: A11, a12: A12, a13: A13, a14: A14);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8, a9: A9, a10: A10, a11: A11, a12: A12, a13: A13, a14: A14, a15: A15);
impl_handlers!(a1: A1, a2: A2, a3: A3, a4: A4, a5: A5, a6: A6, a7: A7, a8: A8, a9: A9, a10: A10, a11: A11, a12: A12, a13: A13, a14: A14, a15: A15, a16: A16);

/// The three kinds of handler, erased.
pub(crate) struct SyncMethod<H, Args, M>(
    pub(crate) H,
    pub(crate) std::marker::PhantomData<fn(Args, M)>,
);
pub(crate) struct AsyncMethod<H, Args, M>(
    pub(crate) H,
    pub(crate) std::marker::PhantomData<fn(Args, M)>,
);
pub(crate) struct BlockingMethod<H, Args, M>(
    pub(crate) H,
    pub(crate) std::marker::PhantomData<fn(Args, M)>,
);

impl<H: Handler<Args, M>, Args, M> ErasedMethod for SyncMethod<H, Args, M> {
    fn invoke(&self, params: Params<'_, '_>, _: &Arc<BlockingPool>) -> Invocation {
        Invocation::Ready(guard(|| self.0.call(params)))
    }
}

impl<H: AsyncHandler<Args, M>, Args, M> ErasedMethod for AsyncMethod<H, Args, M> {
    fn invoke(&self, params: Params<'_, '_>, _: &Arc<BlockingPool>) -> Invocation {
        match catch_unwind(AssertUnwindSafe(|| self.0.call(params))) {
            Ok(Ok(future)) => Invocation::Pending(Box::pin(CatchPanic(future))),
            Ok(Err(fault)) => Invocation::Ready(Err(fault)),
            Err(payload) => Invocation::Ready(Err(panic_fault(payload))),
        }
    }
}

impl<H: BlockingHandler<Args, M>, Args, M> ErasedMethod for BlockingMethod<H, Args, M> {
    fn invoke(&self, params: Params<'_, '_>, pool: &Arc<BlockingPool>) -> Invocation {
        match self.0.call(params).and_then(|job| pool.run(job)) {
            Ok(future) => Invocation::Pending(future),
            Err(fault) => Invocation::Ready(Err(fault)),
        }
    }
}
