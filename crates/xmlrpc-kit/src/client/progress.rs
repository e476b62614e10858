//! `Progress`: how far a call's transfer has come, told to the callback given to
//! [`ClientBuilder::on_progress`](super::ClientBuilder::on_progress).

use std::sync::Arc;

/// How far a call's transfer has come, for a progress bar.
///
/// ```
/// use xmlrpc_kit::client::Progress;
/// let p = Progress::Sent { bytes: 50, total: 200 };
/// assert_eq!(p, Progress::Sent { bytes: 50, total: 200 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Progress {
    /// Bytes of streamed files (file-backed [`Blob`](crate::Blob)s) sent so far, of `total`.
    Sent {
        /// Sent so far.
        bytes: u64,
        /// All the files' bytes.
        total: u64,
    },
    /// Bytes of the reply's body received so far, of `total` when the server said.
    Received {
        /// Received so far.
        bytes: u64,
        /// The reply's `Content-Length`.
        total: Option<u64>,
    },
}

/// A progress callback.
#[derive(Clone)]
pub(crate) struct ProgressFn(pub(crate) Arc<dyn Fn(Progress) + Send + Sync>);

impl std::fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressFn")
    }
}
