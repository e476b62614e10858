//! `Blob`: a `<base64>` value that may be larger than memory. Small ones live in memory;
//! large ones arriving in a streamed document are decoded into a temporary file (a spool)
//! as they stream past; outgoing ones can be backed by any file and are encoded while the
//! body is sent. How a blob crosses serde (whose data model cannot carry a file) is
//! `value::token`'s business, as are its `Serialize`/`Deserialize` impls.

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A `<base64>` value held in memory, in a temporary file, or in a file of yours.
///
/// Declare a handler parameter or a call result as `Blob` to receive a file of any size in
/// bounded memory: when the document is streamed (a large request or reply), a base64 value
/// above the spool threshold is decoded straight into a temporary file, deleted when the last
/// clone of the `Blob` is dropped unless [`persist`](Blob::persist)ed. Sending a `Blob` made
/// with [`Blob::from_file`] encodes the file while the body streams out, with its
/// `Content-Length` computed in advance.
///
/// `Binary` stays the plain in-memory type (it derefs to `[u8]`, which a file cannot).
///
/// ```
/// use xmlrpc_kit::value::Blob;
/// use std::io::Read;
///
/// let blob = Blob::from(b"hello".to_vec());
/// assert_eq!(blob.len(), 5);
/// let mut text = String::new();
/// blob.open()?.read_to_string(&mut text)?;
/// assert_eq!(text, "hello");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct Blob(Arc<Repr>);

enum Repr {
    Memory(Vec<u8>),
    /// A file the application named; never deleted by us.
    File {
        path: PathBuf,
        len: u64,
    },
    /// A spool file, deleted on drop.
    Spooled {
        path: tempfile::TempPath,
        len: u64,
    },
}

impl Blob {
    /// A blob backed by the file at `path`, as it is now; the file is read only when the
    /// blob is sent or opened. Fails if `path` is not a regular file.
    ///
    /// ```no_run
    /// let blob = xmlrpc_kit::value::Blob::from_file("big.iso")?;
    /// println!("{} bytes", blob.len());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> io::Result<Blob> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path)?;
        if !meta.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a regular file", path.display()),
            ));
        }
        Ok(Blob(Arc::new(Repr::File {
            path: path.to_owned(),
            len: meta.len(),
        })))
    }

    /// A blob backed by a temporary file the crate wrote (deleted when the last clone is
    /// dropped), of `len` bytes.
    #[cfg_attr(not(feature = "files"), allow(dead_code))]
    pub(crate) fn from_temp_file(path: tempfile::TempPath, len: u64) -> Blob {
        Blob(Arc::new(Repr::Spooled { path, len }))
    }

    /// The number of bytes.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::value::Blob::from(vec![0; 3]).len(), 3);
    /// ```
    pub fn len(&self) -> u64 {
        match &*self.0 {
            Repr::Memory(bytes) => bytes.len() as u64,
            Repr::File { len, .. } | Repr::Spooled { len, .. } => *len,
        }
    }

    /// Whether the blob holds no bytes.
    ///
    /// ```
    /// assert!(xmlrpc_kit::value::Blob::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, when the blob is held in memory.
    ///
    /// ```
    /// let blob = xmlrpc_kit::value::Blob::from(vec![1, 2]);
    /// assert_eq!(blob.as_bytes(), Some(&[1u8, 2][..]));
    /// ```
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match &*self.0 {
            Repr::Memory(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The file behind the blob (yours, or the spool file), when it has one.
    ///
    /// ```
    /// assert!(xmlrpc_kit::value::Blob::from(vec![1]).path().is_none());
    /// ```
    pub fn path(&self) -> Option<&Path> {
        match &*self.0 {
            Repr::Memory(_) => None,
            Repr::File { path, .. } => Some(path),
            Repr::Spooled { path, .. } => Some(path),
        }
    }

    /// Whether the blob lives in a temporary spool file that is deleted with it.
    ///
    /// ```
    /// assert!(!xmlrpc_kit::value::Blob::from(vec![1]).is_spooled());
    /// ```
    pub fn is_spooled(&self) -> bool {
        matches!(&*self.0, Repr::Spooled { .. })
    }

    /// Reads the bytes: exactly [`len`](Blob::len) of them, or an error if a backing file
    /// has shrunk since.
    ///
    /// ```
    /// use std::io::Read;
    /// let mut out = Vec::new();
    /// xmlrpc_kit::value::Blob::from(vec![9; 4]).open()?.read_to_end(&mut out)?;
    /// assert_eq!(out, [9; 4]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open(&self) -> io::Result<BlobReader> {
        let inner = match &*self.0 {
            Repr::Memory(_) => ReaderInner::Memory { at: 0 },
            Repr::File { path, .. } => ReaderInner::File(File::open(path)?),
            Repr::Spooled { path, .. } => ReaderInner::File(File::open(path)?),
        };
        Ok(BlobReader {
            blob: self.clone(),
            inner,
            left: self.len(),
        })
    }

    /// Loads the whole blob into memory.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::value::Blob::from(vec![5]).to_vec()?, [5]);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn to_vec(&self) -> io::Result<Vec<u8>> {
        if let Repr::Memory(bytes) = &*self.0 {
            return Ok(bytes.clone());
        }
        let mut out = Vec::with_capacity(usize::try_from(self.len()).unwrap_or(0));
        self.open()?.read_to_end(&mut out)?;
        Ok(out)
    }

    /// Copies the bytes into `out`, returning how many were copied.
    ///
    /// ```
    /// let mut out = Vec::new();
    /// assert_eq!(xmlrpc_kit::value::Blob::from(vec![1, 2, 3]).copy_to(&mut out)?, 3);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn copy_to<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<u64> {
        if let Repr::Memory(bytes) = &*self.0 {
            out.write_all(bytes)?;
            return Ok(bytes.len() as u64);
        }
        let mut reader = self.open()?;
        let mut buf = vec![0; 256 << 10];
        let mut total = 0;
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            out.write_all(&buf[..n])?;
            total += n as u64;
        }
    }

    /// Stores the bytes at `to`, replacing any file there, atomically: the file appears
    /// complete or not at all. A spool file that no other clone shares is renamed into
    /// place (no copy, when `to` is on the same file system); anything else is copied to a
    /// temporary file beside `to`, then renamed.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("blob-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// xmlrpc_kit::value::Blob::from(vec![1, 2]).persist(dir.join("two.bin"))?;
    /// assert_eq!(std::fs::read(dir.join("two.bin"))?, [1, 2]);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn persist(self, to: impl AsRef<Path>) -> io::Result<()> {
        let to = to.as_ref();
        let blob = match Arc::try_unwrap(self.0) {
            Ok(Repr::Spooled { path, len }) => match path.persist(to) {
                Ok(()) => return readable(to),
                Err(e) => Blob(Arc::new(Repr::Spooled { path: e.path, len })),
            },
            Ok(repr) => Blob(Arc::new(repr)),
            Err(shared) => Blob(shared),
        };
        let dir = match to.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let mut part = tempfile::Builder::new()
            .prefix(".xmlrpc-part-")
            .tempfile_in(dir)?;
        blob.copy_to(part.as_file_mut())?;
        part.as_file().sync_data()?;
        part.persist(to).map_err(|e| e.error)?;
        readable(to)
    }
}

/// Temporary files are made private (0600); a persisted file gets the usual 0644.
fn readable(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl Blob {
    /// The bytes without a copy when the blob is in memory and unshared; else itself.
    pub(crate) fn into_memory(self) -> Result<Vec<u8>, Blob> {
        match Arc::try_unwrap(self.0) {
            Ok(Repr::Memory(bytes)) => Ok(bytes),
            Ok(repr) => Err(Blob(Arc::new(repr))),
            Err(shared) => Err(Blob(shared)),
        }
    }
}

impl Blob {
    /// Whether two blobs are clones of one another.
    pub(super) fn same(&self, other: &Blob) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Default for Blob {
    fn default() -> Self {
        Blob::from(Vec::new())
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Blob(Arc::new(Repr::Memory(bytes)))
    }
}

impl From<&[u8]> for Blob {
    fn from(bytes: &[u8]) -> Self {
        Blob::from(bytes.to_vec())
    }
}

impl From<super::Binary> for Blob {
    fn from(binary: super::Binary) -> Self {
        Blob::from(binary.into_vec())
    }
}

impl PartialEq for Blob {
    /// Equal when the bytes are (files are compared by content; an unreadable file is
    /// equal to nothing).
    fn eq(&self, other: &Blob) -> bool {
        if Arc::ptr_eq(&self.0, &other.0) {
            return true;
        }
        if self.len() != other.len() {
            return false;
        }
        match (self.as_bytes(), other.as_bytes()) {
            (Some(a), Some(b)) => a == b,
            _ => matches!((self.to_vec(), other.to_vec()), (Ok(a), Ok(b)) if a == b),
        }
    }
}

impl fmt::Debug for Blob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            Repr::Memory(bytes) => write!(f, "Blob({} bytes in memory)", bytes.len()),
            Repr::File { path, len } => write!(f, "Blob({len} bytes in {})", path.display()),
            Repr::Spooled { path, len } => {
                write!(f, "Blob({len} bytes spooled in {})", path.display())
            }
        }
    }
}

/// Reads a [`Blob`]'s bytes; made by [`Blob::open`].
///
/// ```
/// use std::io::Read;
/// let mut reader = xmlrpc_kit::value::Blob::from(vec![1, 2, 3]).open()?;
/// let mut two = [0; 2];
/// reader.read_exact(&mut two)?;
/// assert_eq!(two, [1, 2]);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct BlobReader {
    blob: Blob,
    inner: ReaderInner,
    left: u64,
}

enum ReaderInner {
    Memory { at: usize },
    File(File),
}

impl Read for BlobReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 || buf.is_empty() {
            return Ok(0);
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = match &mut self.inner {
            ReaderInner::Memory { at } => {
                let bytes = self.blob.as_bytes().unwrap_or_default();
                let end = (*at + want).min(bytes.len());
                let n = end - *at;
                buf[..n].copy_from_slice(&bytes[*at..end]);
                *at = end;
                n
            }
            ReaderInner::File(file) => file.read(&mut buf[..want])?,
        };
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the file behind the blob ended {} bytes early (changed while being sent?)",
                    self.left
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

impl fmt::Debug for BlobReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobReader({:?}, {} bytes left)", self.blob, self.left)
    }
}

// ----- spooling: decoding into memory, then into a temporary file ---------------------

/// Where and from what size incoming base64 values are spooled to disk, and how many
/// bytes one body may spool (each streamed body has its own count).
#[derive(Clone, Debug)]
pub(crate) struct SpoolSettings {
    pub(crate) dir: PathBuf,
    /// Values longer than this many bytes go to a file.
    pub(crate) threshold: usize,
    /// Decoded bytes this body has written to spool files so far.
    pub(crate) spooled: Arc<std::sync::atomic::AtomicU64>,
    /// The most it may write.
    pub(crate) max_spooled: u64,
}

impl SpoolSettings {
    /// Counts `n` more bytes going to a file, refusing them past the limit.
    fn count(&self, n: usize) -> io::Result<()> {
        let before = self
            .spooled
            .fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
        if before.saturating_add(n as u64) > self.max_spooled {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                format!(
                    "the body's base64 values exceed the limit of {} bytes spooled to files (max_spooled_size)",
                    self.max_spooled
                ),
            ));
        }
        Ok(())
    }
}

/// Decoded bytes on their way into a blob: in memory up to the threshold, then in a file.
pub(crate) struct Spool<'s> {
    settings: &'s SpoolSettings,
    memory: Vec<u8>,
    file: Option<(io::BufWriter<File>, tempfile::TempPath)>,
    len: u64,
}

impl<'s> Spool<'s> {
    pub(crate) fn new(settings: &'s SpoolSettings) -> Self {
        Spool {
            settings,
            memory: Vec::new(),
            file: None,
            len: 0,
        }
    }

    /// Appends decoded bytes.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.len += bytes.len() as u64;
        if let Some((file, _)) = &mut self.file {
            self.settings.count(bytes.len())?;
            return file.write_all(bytes);
        }
        if self.memory.len() + bytes.len() <= self.settings.threshold {
            self.memory.extend_from_slice(bytes);
            return Ok(());
        }
        self.settings.count(self.memory.len() + bytes.len())?;
        std::fs::create_dir_all(&self.settings.dir)?;
        let (file, path) = tempfile::Builder::new()
            .prefix(".xmlrpc-spool-")
            .tempfile_in(&self.settings.dir)
            .map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!(
                        "cannot create a spool file in {}: {e}",
                        self.settings.dir.display()
                    ),
                )
            })?
            .into_parts();
        let mut file = io::BufWriter::with_capacity(256 << 10, file);
        file.write_all(&std::mem::take(&mut self.memory))?;
        file.write_all(bytes)?;
        self.file = Some((file, path));
        Ok(())
    }

    /// The finished blob.
    pub(crate) fn finish(self) -> io::Result<Blob> {
        match self.file {
            None => Ok(Blob::from(self.memory)),
            Some((file, path)) => {
                file.into_inner().map_err(io::IntoInnerError::into_error)?;
                Ok(Blob(Arc::new(Repr::Spooled {
                    path,
                    len: self.len,
                })))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(threshold: usize) -> (tempfile::TempDir, SpoolSettings) {
        let dir = tempfile::tempdir().unwrap();
        let settings = SpoolSettings {
            dir: dir.path().to_owned(),
            threshold,
            spooled: Arc::default(),
            max_spooled: 1 << 20,
        };
        (dir, settings)
    }

    #[test]
    fn a_spool_stays_in_memory_up_to_the_threshold_then_moves_to_a_file() {
        let (_dir, settings) = settings(8);
        let mut small = Spool::new(&settings);
        small.write(b"12345678").unwrap();
        let small = small.finish().unwrap();
        assert_eq!(small.as_bytes(), Some(&b"12345678"[..]));

        let mut large = Spool::new(&settings);
        large.write(b"12345").unwrap();
        large.write(b"6789").unwrap();
        let large = large.finish().unwrap();
        assert!(large.is_spooled());
        assert_eq!(large.len(), 9);
        assert_eq!(large.to_vec().unwrap(), b"123456789");
        let path = large.path().unwrap().to_owned();
        assert!(path.exists());
        drop(large);
        assert!(!path.exists(), "the spool file goes with the last clone");
    }

    #[test]
    fn persist_renames_a_spool_file_and_copies_a_shared_one() {
        let (dir, settings) = settings(0);
        let mut spool = Spool::new(&settings);
        spool.write(b"abc").unwrap();
        let blob = spool.finish().unwrap();
        let spool_path = blob.path().unwrap().to_owned();
        let kept = blob.clone();
        blob.persist(dir.path().join("copy")).unwrap();
        assert!(spool_path.exists(), "shared: copied, the spool stays");
        kept.persist(dir.path().join("moved")).unwrap();
        assert!(!spool_path.exists(), "unshared: renamed");
        assert_eq!(std::fs::read(dir.path().join("copy")).unwrap(), b"abc");
        assert_eq!(std::fs::read(dir.path().join("moved")).unwrap(), b"abc");
    }

    #[test]
    fn a_file_that_shrinks_is_an_error_not_short_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        std::fs::write(&path, b"0123456789").unwrap();
        let blob = Blob::from_file(&path).unwrap();
        std::fs::write(&path, b"01234").unwrap();
        let err = blob.to_vec().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(
            Blob::from_file(dir.path()).is_err(),
            "a directory is refused"
        );
    }
}
