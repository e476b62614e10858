//! Debugging tools: [`Proxy`], a forwarding XML-RPC proxy that shows every call and its
//! answer and records them to a [`cassette`](crate::cassette), passing the bytes through
//! unchanged and streamed; and [`Dump`], a server that shows every request it receives
//! (headers, the decoded call, where it departs from the specification) and answers with a
//! set value or fault, as xmlrpc-c's dump server does.

mod capture;
mod check;
mod dump;
mod listen;
mod proxy;

pub use capture::Decoded;
pub use check::deviations;
pub use dump::{Dump, Received};
pub use proxy::{Exchanged, Proxy, ProxyError};
