//! The client half: [`FileClient`] moves whole files through a server's `files.*` service
//! in bounded memory (streamed uploads, spooled downloads, ranged resumes) and checks each
//! transfer against the SHA-256 the server computes of what it holds.

use super::service::{sha256_hex, FileService};
use crate::client::{self, Client, ClientBuilder, Progress as CallProgress};
use crate::http::Streaming;
use crate::value::{Binary, Blob, Struct, Value};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How far a transfer has come: `done` of `total` file bytes.
///
/// ```
/// let p = xmlrpc_kit::files::Progress { done: 5, total: 10 };
/// assert_eq!(p.done * 2, p.total);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// File bytes moved so far.
    pub done: u64,
    /// The file's size.
    pub total: u64,
}

/// What a finished, checked transfer moved.
///
/// ```
/// # use std::time::Duration;
/// let t = xmlrpc_kit::files::Transferred { bytes: 3, sha256: "ab".into(), elapsed: Duration::from_secs(1), local: "x".into() };
/// assert_eq!(t.bytes, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transferred {
    /// The file's size.
    pub bytes: u64,
    /// Its SHA-256 (hex), the same at both ends.
    pub sha256: String,
    /// How long the transfer took (the checks after it excluded).
    pub elapsed: Duration,
    /// The local file.
    pub local: PathBuf,
}

/// Where a download goes, and how.
///
/// ```
/// use xmlrpc_kit::files::Download;
/// let d = Download::to("backups/").create_parents(true);
/// # let _ = d;
/// ```
#[derive(Debug, Clone)]
pub struct Download {
    local: Option<PathBuf>,
    create_parents: bool,
}

impl Download {
    /// Into `path`: a file name, or an existing folder to put the remote file's name in.
    ///
    /// ```
    /// let d = xmlrpc_kit::files::Download::to("copy.bin");
    /// # let _ = d;
    /// ```
    pub fn to(path: impl Into<PathBuf>) -> Self {
        Download {
            local: Some(path.into()),
            create_parents: false,
        }
    }

    /// Into the current folder, under the last part of the remote name.
    ///
    /// ```
    /// let d = xmlrpc_kit::files::Download::here();
    /// # let _ = d;
    /// ```
    pub fn here() -> Self {
        Download {
            local: None,
            create_parents: false,
        }
    }

    /// Whether a missing parent folder of the local file is created (as `mkdir -p`);
    /// by default it is an error, [`Error::NoFolder`].
    ///
    /// ```
    /// let d = xmlrpc_kit::files::Download::to("a/b/c.bin").create_parents(true);
    /// # let _ = d;
    /// ```
    pub fn create_parents(mut self, create: bool) -> Self {
        self.create_parents = create;
        self
    }
}

/// Why a transfer failed.
///
/// ```
/// let e = xmlrpc_kit::files::Error::NoFolder { folder: "/no/such".into() };
/// assert!(e.to_string().contains("/no/such"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A call failed: the server's fault, or no answer.
    #[error(transparent)]
    Client(#[from] client::Error),
    /// A local file could not be read or written.
    #[error("{}: {source}", path.display())]
    Local {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: io::Error,
    },
    /// A path has no file name to take the other end's name from.
    #[error("{} has no file name to use: name the other end", path.display())]
    NoFileName {
        /// The path.
        path: PathBuf,
    },
    /// The local file's folder does not exist (see [`Download::create_parents`]).
    #[error("the folder {} does not exist", folder.display())]
    NoFolder {
        /// The missing folder.
        folder: PathBuf,
    },
    /// The server answered, but not what the method should return, or the two ends differ.
    #[error("{method} answered {problem}")]
    Answer {
        /// The method called.
        method: &'static str,
        /// What was expected, and what came.
        problem: String,
    },
}

/// Bytes per `files.write` / `files.read` call when resuming.
const CHUNK: u64 = 8 << 20;

/// A client for a server's `files.*` service (as [`FileService`] mounts it).
///
/// It keeps the client's settings, not a connection: each transfer builds its client with
/// its own progress callback (and, for downloads, a spool folder beside the destination, so
/// the finished file is renamed into place rather than copied; that download uses the
/// default [`Streaming`] thresholds, whatever the builder's). A whole-file transfer is
/// one call, bounded by the builder's [`timeout`](ClientBuilder::timeout): set it to `None`
/// for files that take as long as they take.
///
/// ```no_run
/// use xmlrpc_kit::client::Client;
/// use xmlrpc_kit::files::{Download, FileClient};
///
/// let files = FileClient::new(Client::builder("http://localhost:8888").timeout(None));
/// files.upload("big.iso".as_ref(), "isos/big.iso", |p| eprint!("\r{}/{}", p.done, p.total))?;
/// let back = files.download("isos/big.iso", Download::to("copy.iso"), |_| {})?;
/// println!("sha256 {} checked", back.sha256);
/// # Ok::<(), xmlrpc_kit::files::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileClient {
    builder: ClientBuilder,
}

impl FileClient {
    /// A file client with these client settings.
    ///
    /// ```
    /// let files = xmlrpc_kit::files::FileClient::new(xmlrpc_kit::client::Client::builder("http://localhost:8888"));
    /// # let _ = files;
    /// ```
    pub fn new(builder: ClientBuilder) -> Self {
        FileClient { builder }
    }

    /// Sends `local` as `remote` in one streamed call (`files.upload`), then checks the
    /// size the server stored and its SHA-256 (`files.stat`) against the local file's.
    /// `progress` is called as the file's bytes go out.
    ///
    /// ```no_run
    /// # let files = xmlrpc_kit::files::FileClient::new(xmlrpc_kit::client::Client::builder("http://localhost:8888"));
    /// let done = files.upload("a.bin".as_ref(), "a.bin", |_| {})?;
    /// # let _ = done;
    /// # Ok::<(), xmlrpc_kit::files::Error>(())
    /// ```
    pub fn upload(
        &self,
        local: &Path,
        remote: &str,
        progress: impl Fn(Progress) + Send + Sync + 'static,
    ) -> Result<Transferred, Error> {
        let blob = Blob::from_file(local).map_err(|e| local_error(local, e))?;
        let size = blob.len();
        let client = build(self.builder.clone().on_progress(move |t| {
            if let CallProgress::Sent { bytes, .. } = t {
                progress(Progress {
                    done: bytes.min(size),
                    total: size,
                });
            }
        }))?;
        // Our hash is computed while the file goes out (the page cache serves both reads).
        let path = local.to_owned();
        let ours = std::thread::spawn(move || sha256_file(&path, None));
        let started = Instant::now();
        let stored: u64 = client.call("files.upload", (remote, blob))?;
        let elapsed = started.elapsed();
        let ours = ours
            .join()
            .map_err(|_| local_error(local, io::Error::other("the hashing thread failed")))??;
        if stored != size {
            return Err(answer(
                "files.upload",
                format!("sent {size} bytes, the server stored {stored}"),
            ));
        }
        same_as_remote(&client, remote, &ours)?;
        Ok(Transferred {
            bytes: size,
            sha256: ours,
            elapsed,
            local: local.to_owned(),
        })
    }

    /// Continues an upload cut off earlier: the server's `remote` is checked to be the
    /// start of `local` (by SHA-256), then the rest is sent in ranged `files.write` calls
    /// of 8 MiB, and the whole is checked. A missing `remote` starts from nothing.
    ///
    /// ```no_run
    /// # let files = xmlrpc_kit::files::FileClient::new(xmlrpc_kit::client::Client::builder("http://localhost:8888"));
    /// let done = files.resume_upload("big.iso".as_ref(), "big.iso", |_| {})?;
    /// # let _ = done;
    /// # Ok::<(), xmlrpc_kit::files::Error>(())
    /// ```
    pub fn resume_upload(
        &self,
        local: &Path,
        remote: &str,
        progress: impl Fn(Progress),
    ) -> Result<Transferred, Error> {
        let client = build(self.builder.clone())?;
        let mut file = File::open(local).map_err(|e| local_error(local, e))?;
        let size = file.metadata().map_err(|e| local_error(local, e))?.len();
        let mut offset = match client.call::<Struct, _>("files.stat", (remote,)) {
            Ok(stat) => {
                let have = size_of(&stat);
                if have > size {
                    return Err(answer(
                        "files.stat",
                        format!("{remote} has {have} bytes, more than the {size} of {}: not an earlier part of it", local.display()),
                    ));
                }
                if sha256_file(local, Some(have))? != sha256_of(&stat)? {
                    return Err(answer(
                        "files.stat",
                        format!("{remote}'s {have} bytes differ from the start of {}: not an earlier part of it", local.display()),
                    ));
                }
                have
            }
            Err(client::Error::Fault(fault)) if fault.code == FileService::NOT_FOUND => 0,
            Err(e) => return Err(e.into()),
        };
        let started = Instant::now();
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| local_error(local, e))?;
        progress(Progress {
            done: offset,
            total: size,
        });
        while offset < size || (offset == 0 && size == 0) {
            let mut chunk = Vec::new();
            (&mut file)
                .take(CHUNK)
                .read_to_end(&mut chunk)
                .map_err(|e| local_error(local, e))?;
            let sent = chunk.len() as u64;
            let now: u64 = client.call("files.write", (remote, offset, Binary::from(chunk)))?;
            if now != offset + sent {
                return Err(answer(
                    "files.write",
                    format!("a size of {now} bytes after writing {sent} at {offset}"),
                ));
            }
            offset = now;
            progress(Progress {
                done: offset,
                total: size,
            });
            if sent == 0 {
                break;
            }
        }
        let elapsed = started.elapsed();
        let ours = sha256_file(local, None)?;
        same_as_remote(&client, remote, &ours)?;
        Ok(Transferred {
            bytes: size,
            sha256: ours,
            elapsed,
            local: local.to_owned(),
        })
    }

    /// Fetches `remote` in one streamed call (`files.download`), spooled to disk beside
    /// its destination; the file takes its local name only after its SHA-256 matches the
    /// server's (`files.stat`). `progress` is called as the reply arrives.
    ///
    /// ```no_run
    /// use xmlrpc_kit::files::Download;
    /// # let files = xmlrpc_kit::files::FileClient::new(xmlrpc_kit::client::Client::builder("http://localhost:8888"));
    /// let done = files.download("a.bin", Download::to("copies/").create_parents(true), |_| {})?;
    /// assert!(done.local.ends_with("copies/a.bin"));
    /// # Ok::<(), xmlrpc_kit::files::Error>(())
    /// ```
    pub fn download(
        &self,
        remote: &str,
        to: Download,
        progress: impl Fn(Progress) + Send + Sync + 'static,
    ) -> Result<Transferred, Error> {
        let local = destination(remote, &to)?;
        let folder = folder_of(&local);
        let client = build(self.builder.clone())?;
        let stat = stat(&client, remote)?;
        let size = size_of(&stat);
        let theirs = sha256_of(&stat)?;
        // The reply's base64 is 4/3 of the file: progress counts file bytes.
        let client = build(
            spooled(self.builder.clone(), &folder).on_progress(move |t| {
                if let CallProgress::Received { bytes, .. } = t {
                    progress(Progress {
                        done: (bytes / 4 * 3).min(size),
                        total: size,
                    });
                }
            }),
        )?;
        let started = Instant::now();
        let blob: Blob = client.call("files.download", (remote,))?;
        let elapsed = started.elapsed();
        let ours = blob
            .open()
            .and_then(sha256_hex)
            .map_err(|e| local_error(&local, e))?;
        if ours != theirs {
            return Err(answer(
                "files.download",
                format!(
                    "SHA-256 differs: the server's {theirs}, what arrived {ours}; {} left untouched",
                    local.display()
                ),
            ));
        }
        let bytes = blob.len();
        blob.persist(&local).map_err(|e| local_error(&local, e))?;
        Ok(Transferred {
            bytes,
            sha256: ours,
            elapsed,
            local,
        })
    }

    /// Continues a download cut off earlier: what the local file lacks of `remote` is
    /// fetched in ranged `files.read` calls of 8 MiB and appended, then the whole is checked
    /// against the server's SHA-256 (a local file that was not an earlier part of `remote`
    /// fails that check, and is left as it is). A missing local file starts from nothing.
    ///
    /// ```no_run
    /// use xmlrpc_kit::files::Download;
    /// # let files = xmlrpc_kit::files::FileClient::new(xmlrpc_kit::client::Client::builder("http://localhost:8888"));
    /// let done = files.resume_download("big.iso", Download::to("big.iso"), |_| {})?;
    /// # let _ = done;
    /// # Ok::<(), xmlrpc_kit::files::Error>(())
    /// ```
    pub fn resume_download(
        &self,
        remote: &str,
        to: Download,
        progress: impl Fn(Progress),
    ) -> Result<Transferred, Error> {
        let local = destination(remote, &to)?;
        let client = build(self.builder.clone())?;
        let stat = stat(&client, remote)?;
        let size = size_of(&stat);
        let theirs = sha256_of(&stat)?;
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&local)
            .map_err(|e| local_error(&local, e))?;
        let mut offset = file.metadata().map_err(|e| local_error(&local, e))?.len();
        if offset > size {
            return Err(answer(
                "files.stat",
                format!(
                    "{remote} has {size} bytes, fewer than the {offset} of {}: not an earlier part of it",
                    local.display()
                ),
            ));
        }
        let started = Instant::now();
        progress(Progress {
            done: offset,
            total: size,
        });
        while offset < size {
            let piece: Binary =
                client.call("files.read", (remote, offset, CHUNK.min(size - offset)))?;
            if piece.is_empty() {
                return Err(answer(
                    "files.read",
                    format!("no bytes at offset {offset} of a {size}-byte file"),
                ));
            }
            file.write_all(&piece).map_err(|e| local_error(&local, e))?;
            offset += piece.len() as u64;
            progress(Progress {
                done: offset.min(size),
                total: size,
            });
        }
        file.flush().map_err(|e| local_error(&local, e))?;
        let elapsed = started.elapsed();
        let ours = sha256_file(&local, None)?;
        if ours != theirs {
            return Err(answer(
                "files.read",
                format!(
                    "SHA-256 differs: the server's {theirs}, {}'s {ours} (it was not an earlier part of {remote}?)",
                    local.display()
                ),
            ));
        }
        Ok(Transferred {
            bytes: offset,
            sha256: ours,
            elapsed,
            local,
        })
    }
}

/// The blocking client for one transfer.
fn build(builder: ClientBuilder) -> Result<Client, Error> {
    Ok(builder.build()?)
}

/// Settings for a download spooled into `folder` (the default streaming thresholds), with
/// no limit on the spooled bytes: they go to disk, not to memory.
fn spooled(builder: ClientBuilder, folder: &Path) -> ClientBuilder {
    builder.streaming(
        Streaming::default()
            .spool_dir(folder)
            .max_spooled_size(u64::MAX),
    )
}

/// The local file of a download, its folder checked (or made, when asked).
fn destination(remote: &str, to: &Download) -> Result<PathBuf, Error> {
    let local = match &to.local {
        Some(path) if path.is_dir() => path.join(file_name(Path::new(remote))?),
        Some(path) => path.to_owned(),
        None => PathBuf::from(file_name(Path::new(remote))?),
    };
    let folder = folder_of(&local);
    if !folder.is_dir() {
        if to.create_parents {
            fs::create_dir_all(&folder).map_err(|e| local_error(&folder, e))?;
        } else {
            return Err(Error::NoFolder { folder });
        }
    }
    Ok(local)
}

/// The folder a local file is in (`.` for a bare name).
fn folder_of(local: &Path) -> PathBuf {
    match local.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    }
}

fn file_name(path: &Path) -> Result<String, Error> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| Error::NoFileName {
            path: path.to_owned(),
        })
}

fn stat(client: &Client, remote: &str) -> Result<Struct, Error> {
    Ok(client.call("files.stat", (remote,))?)
}

fn size_of(stat: &Struct) -> u64 {
    match stat.get("size") {
        Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Value::I8(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

/// Checks that the server's `remote` has the SHA-256 `ours` (after an upload).
fn same_as_remote(client: &Client, remote: &str, ours: &str) -> Result<(), Error> {
    let theirs = sha256_of(&stat(client, remote)?)?;
    if theirs != ours {
        return Err(answer(
            "files.stat",
            format!("SHA-256 differs: ours {ours}, the server's {theirs}"),
        ));
    }
    Ok(())
}

fn sha256_of(stat: &Struct) -> Result<String, Error> {
    match stat.get("sha256") {
        Some(Value::String(hex)) => Ok(hex.clone()),
        _ => Err(answer(
            "files.stat",
            "no sha256 member in the answer".into(),
        )),
    }
}

/// The SHA-256 of a local file, or of its first `prefix` bytes.
fn sha256_file(path: &Path, prefix: Option<u64>) -> Result<String, Error> {
    let file = File::open(path).map_err(|e| local_error(path, e))?;
    match prefix {
        Some(n) => sha256_hex(file.take(n)),
        None => sha256_hex(file),
    }
    .map_err(|e| local_error(path, e))
}

fn answer(method: &'static str, problem: String) -> Error {
    Error::Answer { method, problem }
}

fn local_error(path: &Path, source: io::Error) -> Error {
    Error::Local {
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_folder_is_refused_unless_asked_for() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("a/b/c.bin");
        let err = destination("x.bin", &Download::to(&target)).unwrap_err();
        assert!(
            matches!(&err, Error::NoFolder { folder } if folder == &dir.path().join("a/b")),
            "{err:?}"
        );
        assert!(!dir.path().join("a").exists());
        let local = destination("x.bin", &Download::to(&target).create_parents(true)).unwrap();
        assert_eq!(local, target);
        assert!(dir.path().join("a/b").is_dir());
        // An existing folder takes the remote file's last name.
        let local = destination("docs/x.bin", &Download::to(dir.path())).unwrap();
        assert_eq!(local, dir.path().join("x.bin"));
        assert!(matches!(
            destination("docs/..", &Download::to(dir.path())),
            Err(Error::NoFileName { .. })
        ));
    }
}
