//! `Streaming`: when a body is read while it arrives instead of being collected, where its
//! large `<base64>` values are spooled, and how many spooled bytes one body may carry. The
//! client and the server take the same struct.

use crate::value::blob::SpoolSettings;
use std::io::{self, BufRead, Read};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
    /// Default for [`max_spooled_size`](Self::max_spooled_size): 16 GiB of files spooled
    /// from one body.
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

    /// Decoded bytes one streamed body may write to spool files beyond its body limit
    /// (`max_body_size`), which then bounds the rest: the part held in memory (base64 line
    /// breaks count there, so a body of wrapped base64 may spool about 57 times
    /// `max_body_size` before that is full). A body over either limit is refused as soon
    /// as it passes it, with the same error as an oversized body. `0` makes the body limit
    /// the only one, bounding spooled and held bytes together: the server's default
    /// (see [`ServerConfig::streaming`](crate::server::ServerConfig::streaming)), so that
    /// a server takes files larger than its body limit only when told to.
    ///
    /// ```
    /// let s = xmlrpc_kit::http::Streaming::default().max_spooled_size(1 << 30);
    /// # let _ = s;
    /// ```
    pub fn max_spooled_size(mut self, bytes: u64) -> Self {
        self.max_spooled_size = bytes;
        self
    }

    /// The spool and the byte budget of one streamed body whose part held in memory may
    /// be `max_in_memory` bytes.
    pub(crate) fn budget(&self, max_in_memory: u64) -> BodyBudget {
        BodyBudget {
            spool: Arc::new(SpoolSettings {
                dir: self.spool_dir.clone(),
                threshold: self.spool_threshold,
                spooled: Arc::default(),
                // Spooled bytes may also use the in-memory allowance: within the body
                // limit a body may spool as much as it likes, as if there were no
                // separate limit.
                max_spooled: self.max_spooled_size.saturating_add(max_in_memory),
            }),
            max_in_memory,
            over: Arc::default(),
        }
    }
}

/// Bytes of parser read-ahead not yet seen by the spool's count.
const READ_AHEAD_SLACK: u64 = 256 << 10;

/// What one streamed body may hold: `max_in_memory` bytes outside the `<base64>` values
/// spooled to files, and up to `max_spooled_size` bytes in those files.
#[derive(Debug)]
pub(crate) struct BodyBudget {
    pub(crate) spool: Arc<SpoolSettings>,
    max_in_memory: u64,
    over: Arc<AtomicBool>,
}

impl BodyBudget {
    /// The most body bytes that can arrive within the budget: the in-memory part, and the
    /// separately allowed spooled part as base64 text (4 characters per 3 bytes, with CRLF
    /// line breaks every 76). With no separate allowance, the body limit alone.
    pub(crate) fn wire_cap(&self) -> u64 {
        let extra = self.spool.max_spooled.saturating_sub(self.max_in_memory);
        let text = extra.saturating_mul(4) / 3;
        self.max_in_memory
            .saturating_add(text.saturating_add(text / 38))
    }

    /// The body as the parser reads it, failing once the part held in memory (what has
    /// been read less the base64 text spooled to files) passes the budget.
    pub(crate) fn meter<R: BufRead>(&self, inner: R) -> MeteredReader<R> {
        MeteredReader {
            inner,
            consumed: 0,
            max_in_memory: self.max_in_memory,
            spooled: Arc::clone(&self.spool.spooled),
            over: Arc::clone(&self.over),
        }
    }

    /// Whether the body went over the in-memory budget (the parse then failed).
    pub(crate) fn exceeded(&self) -> bool {
        self.over.load(Ordering::Relaxed)
    }

    /// The in-memory budget.
    pub(crate) fn max_in_memory(&self) -> u64 {
        self.max_in_memory
    }
}

/// A body reader that counts what the parser consumes against a [`BodyBudget`].
pub(crate) struct MeteredReader<R> {
    inner: R,
    consumed: u64,
    max_in_memory: u64,
    spooled: Arc<AtomicU64>,
    over: Arc<AtomicBool>,
}

impl<R: BufRead> Read for MeteredReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        crate::codec::read_buffered(self, buf)
    }
}

impl<R: BufRead> BufRead for MeteredReader<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // Spooled text is credited at 4 characters per 3 bytes; line breaks inside base64
        // are not credited, and count as held (so the bound errs on the safe side).
        let credit = self.spooled.load(Ordering::Relaxed).saturating_mul(4) / 3;
        if self.consumed.saturating_sub(credit)
            > self.max_in_memory.saturating_add(READ_AHEAD_SLACK)
        {
            self.over.store(true, Ordering::Relaxed);
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the body holds more than {} bytes besides its base64 values spooled to files",
                    self.max_in_memory
                ),
            ));
        }
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.consumed += amt as u64;
        self.inner.consume(amt);
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
