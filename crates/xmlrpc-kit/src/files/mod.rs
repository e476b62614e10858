//! Files over XML-RPC: the `files.*` service a server mounts ([`FileService`]) and the
//! client that moves whole files through it ([`FileClient`]: upload, download, resume,
//! each checked by SHA-256 at both ends).
//!
//! ```no_run
//! use xmlrpc_kit::client::Client;
//! use xmlrpc_kit::files::FileClient;
//!
//! let files = FileClient::new(Client::builder("http://localhost:8888"));
//! let up = files.upload("report.pdf".as_ref(), "docs/report.pdf", |_| {})?;
//! println!("{} bytes, sha256 {}", up.bytes, up.sha256);
//! # Ok::<(), xmlrpc_kit::files::Error>(())
//! ```

mod client;
mod service;

pub use client::{Download, Error, FileClient, Progress, Transferred};
pub use service::{sha256_hex, FileService};
