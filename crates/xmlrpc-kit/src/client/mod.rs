//! The client: [`Client`] for ordinary code (blocking, like Python's `ServerProxy`) and
//! [`AsyncClient`] for tokio code, with the same API and the same [`ClientBuilder`]
//! settings, over one pooled keep-alive HTTP/1.1 client (TLS by rustls), HTTP over a Unix
//! socket, or SCGI. Calls take typed
//! parameters and give a typed result; a fault is [`Error::Fault`], kept apart from
//! transport errors. [`Multicall`] and [`AsyncMulticall`] batch many calls into one request.
//!
//! ```no_run
//! use xmlrpc_kit::Client;
//!
//! let client = Client::new("http://localhost:8888")?;
//! let n: i32 = client.call("add", (8, 8))?;
//! # Ok::<(), xmlrpc_kit::client::Error>(())
//! ```
//!
//! # Real deployments
//!
//! - **What the peer got wrong.** Replies are read leniently: a string `faultCode`
//!   (Perl's XMLRPC::Lite, Odoo), `<ex:biginteger>`/`<ex:bigdecimal>`, `<float>`, a fault
//!   without `<value>` (old rTorrent), `<params/>` for "no result". Each is a
//!   [`Deviation`](crate::codec::Deviation): [`Client::call_reply`] returns them with the
//!   answer, and [`ClientBuilder::strict`] makes any of them an error instead.
//! - **Proxies.** [`ClientBuilder::proxy`], or the environment as curl reads it
//!   (`http_proxy`, `https_proxy`, `all_proxy`, `no_proxy`); HTTPS goes through `CONNECT`;
//!   `user:password@` in the proxy URL for proxy Basic auth; [`ClientBuilder::no_proxy`]
//!   to ignore the environment.
//! - **Cookies** (feature `cookies`): [`ClientBuilder::cookies`] keeps a session across
//!   calls; a [`CookieJar`] can be saved and loaded.
//! - **Client certificates**: [`ClientBuilder::identity`] (and
//!   [`root_certificates_pem`](ClientBuilder::root_certificates_pem) for private roots).
//! - **Per-call headers and query parameters**: [`CallOptions`] with
//!   [`Client::call_with`]; [`ClientBuilder::header`] and [`ClientBuilder::query`] for all
//!   calls.
//!
//! Recipes. aria2's secret is a first parameter, `token:SECRET`, before the method's own:
//!
//! ```no_run
//! let aria2 = xmlrpc_kit::Client::new("http://localhost:6800/rpc")?;
//! let version: xmlrpc_kit::Value = aria2.call("aria2.getVersion", ("token:s3cret",))?;
//! # Ok::<(), xmlrpc_kit::client::Error>(())
//! ```
//!
//! Koji keeps its session in the query string, sent with every call after the login:
//!
//! ```no_run
//! use xmlrpc_kit::{client::CallOptions, Client, Value};
//! let hub = Client::new("https://koji.example.org/kojihub")?;
//! let session: Value = hub.call("login", ())?;
//! let id = session["session-id"].as_i64().unwrap_or_default().to_string();
//! let key = session["session-key"].as_str().unwrap_or_default().to_owned();
//! // Every later call: a client built with `.query(...)`, or per call:
//! let options = CallOptions::new().query("session-id", &id).query("session-key", &key);
//! let me: Value = hub.call_with("getLoggedInUser", (), &options)?;
//! # Ok::<(), xmlrpc_kit::client::Error>(())
//! ```
//!
//! Layout: `builder` (settings), `async_client` and `blocking` (the two kinds),
//! `multicall`, `exchange` (one round trip), `reply` (decoding, deviations), `options`
//! (per-call headers and query), `proxy` (proxy choice, `no_proxy`), `cookies`,
//! `transport` (TCP, TLS, proxies, Unix sockets, SCGI), `url`, `progress`, `error`.

mod async_client;
mod blocking;
mod builder;
#[cfg(feature = "cookies")]
mod cookies;
mod error;
mod exchange;
mod multicall;
mod options;
mod progress;
mod proxy;
mod reply;
mod transport;
mod url;

pub use async_client::AsyncClient;
pub use blocking::Client;
pub use builder::{AsyncClientBuilder, ClientBuilder};
#[cfg(feature = "cookies")]
pub use cookies::CookieJar;
pub use error::{BoxError, Error};
pub use multicall::{AsyncMulticall, Multicall};
pub use options::CallOptions;
pub use progress::Progress;
pub use proxy::bypasses as no_proxy_matches;
pub use reply::Reply;
