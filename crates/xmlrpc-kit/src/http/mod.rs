//! The HTTP plumbing that client and server share: bodies sent with blobs encoded on the
//! fly ([`OutgoingBody`]), bodies received whole within a limit or pumped into the
//! streaming reader, gzip, and the [`Streaming`] settings both sides take.
//!
//! - `outgoing`: [`OutgoingBody`], XML plus file-backed blobs, with `Content-Length`.
//! - `incoming`: a body pumped through a bounded channel into a blocking reader.
//! - `body`: a whole body read within its limit; gzip in and out.
//! - `streaming`: [`Streaming`], when a body is streamed and where its files go.

pub(crate) mod body;
pub(crate) mod incoming;
mod outgoing;
mod streaming;

pub use outgoing::OutgoingBody;
pub use streaming::Streaming;

use std::sync::Arc;

/// A callback told the number of bytes moved so far (payload bytes of outgoing blobs, or
/// body bytes of an incoming document).
pub(crate) type Meter = Arc<dyn Fn(u64) + Send + Sync>;
