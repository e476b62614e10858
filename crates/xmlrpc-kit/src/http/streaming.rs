//! `Streaming`: when a body is read while it arrives instead of being collected, where its
//! large `<base64>` values are spooled, and how many spooled bytes one body may carry. The
//! client and the server take the same struct.

use crate::value::blob::SpoolSettings;
use std::path::PathBuf;
use std::sync::Arc;

/// How bodies too large to hold in memory are handled, the same on both sides:
/// [`ClientBuilder::streaming`](crate::client::ClientBuilder::streaming) for replies,
/// [`ServerConfig::streaming`](crate::server::ServerConfig::streaming) for requests.
///
/// A body larger than [`threshold`](Self::threshold) (or of unknown length) is parsed while
/// it arrives; in it, each `<base64>` value larger than
/// [`spool_threshold`](Self::spool_threshold) is decoded into a temporary file in
/// [`spool_dir`](Self::spool_dir) and reaches the code as a [`Blob`](crate::Blob). The
/// bytes held in memory stay bounded by the body limit (`max_body_size`) and the reader's
/// [`Limits`](crate::codec::Limits); the bytes spooled to disk by
/// [`max_spooled_size`](Self::max_spooled_size), which is larger.
///
/// ```
/// use xmlrpc_kit::http::Streaming;
///
/// let streaming = Streaming::default()
///     .threshold(256 << 10)          // stream bodies above 256 KiB
///     .spool_threshold(8 << 20)      // keep base64 values up to 8 MiB in memory
///     .spool_dir("downloads")        // spool files here (then `Blob::persist` is a rename)
///     .max_spooled_size(16 << 30);   // up to 16 GiB of files in one body
/// # let _ = streaming;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Streaming {
    pub(crate) threshold: u64,
    pub(crate) spool_threshold: usize,
    pub(crate) spool_dir: PathBuf,
    pub(crate) max_spooled_size: u64,
}

impl Streaming {
    /// Default for [`threshold`](Self::threshold): bodies above 1 MiB are streamed.
    pub const DEFAULT_THRESHOLD: u64 = 1 << 20;
    /// Default for [`spool_threshold`](Self::spool_threshold): values above 1 MiB are spooled.
    pub const DEFAULT_SPOOL_THRESHOLD: usize = 1 << 20;
    /// Default for [`max_spooled_size`](Self::max_spooled_size): 16 GiB of spooled
    /// base64 text in one body.
    pub const DEFAULT_MAX_SPOOLED_SIZE: u64 = 16 << 30;

    /// Bodies larger than this, or of unknown length, are parsed while they arrive, on a
    /// blocking thread, instead of being collected first. For such a body the side's read
    /// timeout bounds each wait for data rather than the whole transfer.
    ///
    /// ```
    /// let s = xmlrpc_kit::http::Streaming::default().threshold(64 << 10);
    /// # let _ = s;
    /// ```
    pub fn threshold(mut self, bytes: u64) -> Self {
        self.threshold = bytes;
        self
    }

    /// In a streamed body, `<base64>` values larger than this go to a temporary file.
    ///
    /// ```
    /// let s = xmlrpc_kit::http::Streaming::default().spool_threshold(8 << 20);
    /// # let _ = s;
    /// ```
    pub fn spool_threshold(mut self, bytes: usize) -> Self {
        self.spool_threshold = bytes;
        self
    }

    /// Where spooled values are written; the system's temporary directory by default.
    /// Put it on the file system of their final destination to make
    /// [`Blob::persist`](crate::Blob::persist) a rename.
    ///
    /// ```
    /// let s = xmlrpc_kit::http::Streaming::default().spool_dir("/srv/spool");
    /// # let _ = s;
    /// ```
    pub fn spool_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spool_dir = dir.into();
        self
    }

    /// Bytes of `<base64>` text in one streamed body that may go to spool files, beyond
    /// the body limit (`max_body_size`), which then bounds only the rest of the body: the
    /// part held in memory. A body over both is refused as soon as it passes them.
    ///
    /// ```
    /// let s = xmlrpc_kit::http::Streaming::default().max_spooled_size(1 << 30);
    /// # let _ = s;
    /// ```
    pub fn max_spooled_size(mut self, bytes: u64) -> Self {
        self.max_spooled_size = bytes;
        self
    }

    /// The spool settings the reader takes.
    pub(crate) fn spool(&self) -> Arc<SpoolSettings> {
        Arc::new(SpoolSettings {
            dir: self.spool_dir.clone(),
            threshold: self.spool_threshold,
        })
    }
}

impl Default for Streaming {
    fn default() -> Self {
        Streaming {
            threshold: Self::DEFAULT_THRESHOLD,
            spool_threshold: Self::DEFAULT_SPOOL_THRESHOLD,
            spool_dir: std::env::temp_dir(),
            max_spooled_size: Self::DEFAULT_MAX_SPOOLED_SIZE,
        }
    }
}
