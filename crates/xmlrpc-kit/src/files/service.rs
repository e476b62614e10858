//! The server half: a file service a server can mount: `files.upload/download/list/stat/delete` and ranged
//! `files.read/write`, confined to one root directory. Whole files travel as streamed
//! [`Blob`]s (spooled on the way in, encoded from the file on the way out), so memory stays
//! bounded whatever their size; an upload appears under its name only once complete.

use crate::fault::Fault;
use crate::server::Server;
use crate::value::{Binary, Blob, DateTime, Struct, Value};
use sha2::{Digest, Sha256};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

/// Files under one root directory, served as `files.*` methods.
///
/// Names are relative paths with `/` between parts. Refused with fault
/// [`FileService::BAD_NAME`]: empty names, absolute paths, `..` and `.` parts, parts that
/// start with a dot (hidden files, and the spool directory), backslashes and control
/// characters, Windows device names (`CON`, `NUL`, `COM1`…), and any name that leads
/// through a symbolic link to a place outside the root. Only regular files are read.
///
/// ```no_run
/// use xmlrpc_kit::files::FileService;
/// use xmlrpc_kit::{http::Streaming, server::{Server, ServerConfig}};
///
/// let files = FileService::new("/srv/files")?;
/// let config = ServerConfig::default()
///     .max_body_size(8 << 30)                // uploads up to 8 GiB
///     .streaming(Streaming::default().spool_dir(files.spool_dir())); // uploads are renamed, not copied
/// files.mount(Server::new().config(config)).serve("127.0.0.1:8888")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct FileService {
    root: Arc<PathBuf>,
}

/// Largest range `files.read` returns in one call.
const MAX_RANGE: u64 = 64 << 20;
/// Name of the spool directory under the root (hidden from every method).
const SPOOL: &str = ".xmlrpc-spool";

impl FileService {
    /// Fault code: the name is refused (see the type's documentation).
    pub const BAD_NAME: i32 = 1;
    /// Fault code: no such file.
    pub const NOT_FOUND: i32 = 2;
    /// Fault code: the file system failed (permissions, space, …).
    pub const IO_ERROR: i32 = 3;
    /// Fault code: an offset or length out of range.
    pub const BAD_RANGE: i32 = 4;

    /// A service for the files under `root`, which is created if missing.
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("files-doc-{}", std::process::id()));
    /// let files = xmlrpc_kit::files::FileService::new(&dir)?;
    /// assert!(files.root().is_absolute());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn new(root: impl AsRef<Path>) -> io::Result<FileService> {
        fs::create_dir_all(root.as_ref())?;
        let root = fs::canonicalize(root.as_ref())?;
        Ok(FileService {
            root: Arc::new(root),
        })
    }

    /// The root directory, canonical.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("files-root-{}", std::process::id()));
    /// let files = xmlrpc_kit::files::FileService::new(&dir)?;
    /// assert!(files.root().ends_with(dir.file_name().unwrap()));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory for the server's spool ([`Streaming::spool_dir`](crate::http::Streaming::spool_dir)):
    /// inside the root, so an upload is renamed into place rather than copied.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("files-spool-{}", std::process::id()));
    /// let files = xmlrpc_kit::files::FileService::new(&dir)?;
    /// assert!(files.spool_dir().starts_with(files.root()));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn spool_dir(&self) -> PathBuf {
        self.root.join(SPOOL)
    }

    /// Adds the `files.*` methods to `server`.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("files-mount-{}", std::process::id()));
    /// let files = xmlrpc_kit::files::FileService::new(&dir)?;
    /// let server = files.mount(xmlrpc_kit::server::Server::new());
    /// # let _ = server;
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn mount(&self, server: Server) -> Server {
        let (s1, s2, s3, s4, s5, s6, s7) = (
            self.clone(),
            self.clone(),
            self.clone(),
            self.clone(),
            self.clone(),
            self.clone(),
            self.clone(),
        );
        server
            .blocking_method("files.upload", move |name: String, data: Blob| {
                s1.upload(&name, data)
            })
            .help("files.upload(name, data): stores data (base64) as the file `name`, replacing it; the file appears only once complete. Returns its size.")
            .signature(["int", "string", "base64"])
            .blocking_method("files.download", move |name: String| s2.download(&name))
            .help("files.download(name): the file's content as base64.")
            .signature(["base64", "string"])
            .blocking_method("files.list", move || s3.list())
            .help("files.list(): every file under the root, as structs {name, size, modified}, sorted by name.")
            .signature(["array"])
            .blocking_method("files.stat", move |name: String| s4.stat(&name))
            .help("files.stat(name): {name, size, modified, sha256} of one file.")
            .signature(["struct", "string"])
            .blocking_method("files.delete", move |name: String| s5.delete(&name))
            .help("files.delete(name): removes the file. Returns true.")
            .signature(["boolean", "string"])
            .blocking_method(
                "files.read",
                move |name: String, offset: u64, length: u64| s6.read(&name, offset, length),
            )
            .help("files.read(name, offset, length): up to `length` bytes (at most 64 MiB) from `offset`; fewer at the end of the file, none past it.")
            .signature(["base64", "string", "int", "int"])
            .blocking_method(
                "files.write",
                move |name: String, offset: u64, data: Binary| s7.write(&name, offset, data),
            )
            .help("files.write(name, offset, data): writes data at `offset` (at most the current size: append to resume an upload), creating the file at offset 0. Returns the new size.")
            .signature(["int", "string", "int", "base64"])
    }

    /// `files.upload`: stores `data` as `name`, atomically.
    pub fn upload(&self, name: &str, data: Blob) -> Result<u64, Fault> {
        let path = self.resolve(name)?;
        let dir = path.parent().unwrap_or(&self.root);
        fs::create_dir_all(dir).map_err(|e| io_fault(name, e))?;
        refuse_non_file(&path, name)?;
        let size = data.len();
        data.persist(&path).map_err(|e| io_fault(name, e))?;
        Ok(size)
    }

    /// `files.download`: the file as a blob streamed from disk.
    pub fn download(&self, name: &str) -> Result<Blob, Fault> {
        let path = self.existing_file(name)?;
        Blob::from_file(&path).map_err(|e| io_fault(name, e))
    }

    /// `files.list`: every regular file under the root.
    pub fn list(&self) -> Result<Vec<Struct>, Fault> {
        let mut out = Vec::new();
        let mut dirs = vec![(self.root.to_path_buf(), String::new())];
        while let Some((dir, prefix)) = dirs.pop() {
            let entries = fs::read_dir(&dir).map_err(|e| io_fault(&prefix, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| io_fault(&prefix, e))?;
                let file_name = entry.file_name();
                let Some(part) = file_name.to_str() else {
                    continue; // not valid UTF-8: cannot be named over XML-RPC
                };
                if part.starts_with('.') {
                    continue;
                }
                let name = format!("{prefix}{part}");
                let kind = entry.file_type().map_err(|e| io_fault(&name, e))?;
                if kind.is_dir() {
                    dirs.push((entry.path(), format!("{name}/")));
                } else if kind.is_file() {
                    let meta = entry.metadata().map_err(|e| io_fault(&name, e))?;
                    out.push(describe(&name, &meta));
                }
            }
        }
        out.sort_by(|a, b| a.get("name").map(name_of).cmp(&b.get("name").map(name_of)));
        Ok(out)
    }

    /// `files.stat`: size, modification time and SHA-256 of one file.
    pub fn stat(&self, name: &str) -> Result<Struct, Fault> {
        let path = self.existing_file(name)?;
        let mut file = File::open(&path).map_err(|e| io_fault(name, e))?;
        let meta = file.metadata().map_err(|e| io_fault(name, e))?;
        let digest = sha256_hex(&mut file).map_err(|e| io_fault(name, e))?;
        let mut info = describe(name, &meta);
        info.insert("sha256".into(), Value::String(digest));
        Ok(info)
    }

    /// `files.delete`: removes one file.
    pub fn delete(&self, name: &str) -> Result<bool, Fault> {
        let path = self.existing_file(name)?;
        fs::remove_file(&path).map_err(|e| io_fault(name, e))?;
        Ok(true)
    }

    /// `files.read`: a range of a file.
    pub fn read(&self, name: &str, offset: u64, length: u64) -> Result<Blob, Fault> {
        if length > MAX_RANGE {
            return Err(Fault::new(
                Self::BAD_RANGE,
                format!("files.read returns at most {MAX_RANGE} bytes per call; asked {length}"),
            ));
        }
        let path = self.existing_file(name)?;
        let mut file = File::open(&path).map_err(|e| io_fault(name, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| io_fault(name, e))?;
        // The range is copied to a spool file and sent from there: a reply held for a
        // client that reads slowly costs disk, not memory.
        let mut range = file.take(length);
        let spool_dir = self.spool_dir();
        let copy = fs::create_dir_all(&spool_dir)
            .and_then(|()| tempfile::NamedTempFile::new_in(&spool_dir))
            .and_then(|mut spool| {
                let copied = io::copy(&mut range, spool.as_file_mut())?;
                spool.as_file_mut().flush()?;
                Ok((spool.into_temp_path(), copied))
            });
        let (spooled, len) = copy.map_err(|e| io_fault(name, e))?;
        Ok(Blob::from_temp_file(spooled, len))
    }

    /// `files.write`: writes at `offset`, which may be at most the current size.
    pub fn write(&self, name: &str, offset: u64, data: Binary) -> Result<u64, Fault> {
        let path = self.resolve(name)?;
        refuse_non_file(&path, name)?;
        let current = match fs::metadata(&path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io_fault(name, e)),
        };
        if offset > current {
            return Err(Fault::new(
                Self::BAD_RANGE,
                format!("{name} has {current} bytes: cannot write at offset {offset} (a write may start at most at the end)"),
            ));
        }
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| io_fault(name, e))?;
        }
        let mut file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| io_fault(name, e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| io_fault(name, e))?;
        file.write_all(&data).map_err(|e| io_fault(name, e))?;
        let size = file.metadata().map_err(|e| io_fault(name, e))?.len();
        Ok(size)
    }

    /// The path for `name`, checked to stay inside the root.
    fn resolve(&self, name: &str) -> Result<PathBuf, Fault> {
        let parts = check_name(name)?;
        // The longest existing prefix is resolved (following links) and must stay inside
        // the root; what does not exist yet is made of checked plain names.
        let mut resolved = self.root.to_path_buf();
        let mut rest = parts.as_slice();
        while let Some((first, tail)) = rest.split_first() {
            let next = resolved.join(first);
            match fs::symlink_metadata(&next) {
                Ok(meta) => {
                    resolved = if meta.file_type().is_symlink() {
                        fs::canonicalize(&next).map_err(|e| io_fault(name, e))?
                    } else {
                        next
                    };
                    if !resolved.starts_with(&*self.root) {
                        return Err(bad_name(name, "it leads outside the served directory"));
                    }
                    rest = tail;
                }
                Err(e) if e.kind() == io::ErrorKind::NotFound => break,
                Err(e) => return Err(io_fault(name, e)),
            }
        }
        for part in rest {
            resolved.push(part);
        }
        Ok(resolved)
    }

    /// The path of an existing regular file `name`.
    fn existing_file(&self, name: &str) -> Result<PathBuf, Fault> {
        let path = self.resolve(name)?;
        match fs::metadata(&path) {
            Ok(meta) if meta.is_file() => Ok(path),
            Ok(_) => Err(bad_name(name, "it is not a regular file")),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(Fault::new(
                Self::NOT_FOUND,
                format!("no file named {name:?}"),
            )),
            Err(e) => Err(io_fault(name, e)),
        }
    }
}

/// Refuses to write over anything but a regular file (a directory, a device, a FIFO).
fn refuse_non_file(path: &Path, name: &str) -> Result<(), Fault> {
    match fs::metadata(path) {
        Ok(meta) if !meta.is_file() => Err(bad_name(name, "it is not a regular file")),
        _ => Ok(()),
    }
}

/// Splits a name into its parts, refusing anything that is not a plain relative path.
fn check_name(name: &str) -> Result<Vec<&str>, Fault> {
    if name.is_empty() {
        return Err(bad_name(name, "it is empty"));
    }
    if name.len() > 1024 {
        return Err(bad_name(name, "it is longer than 1024 bytes"));
    }
    if name.chars().any(|c| c.is_control() || c == '\\') {
        return Err(bad_name(
            name,
            "it holds a control character or a backslash",
        ));
    }
    if name.starts_with('/') || Path::new(name).is_absolute() {
        return Err(bad_name(name, "it is an absolute path"));
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" => {
                return Err(bad_name(
                    name,
                    "it has an empty part (`//` or a trailing `/`)",
                ))
            }
            ".." => return Err(bad_name(name, "it has a `..` part")),
            p if p.starts_with('.') => {
                return Err(bad_name(
                    name,
                    "a part starts with a dot (hidden names are not served)",
                ))
            }
            p if is_device_name(p) => return Err(bad_name(name, "it names a device")),
            p if p.contains(':') => return Err(bad_name(name, "it holds a `:`")),
            p => parts.push(p),
        }
    }
    // Belt and braces: the parts are plain names for the platform too.
    if Path::new(name)
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return Err(bad_name(name, "it is not a plain relative path"));
    }
    Ok(parts)
}

/// Windows' reserved device names, with or without an extension.
fn is_device_name(part: &str) -> bool {
    let stem = part.split('.').next().unwrap_or(part).to_ascii_uppercase();
    matches!(
        stem.as_str(),
        "CON" | "PRN" | "AUX" | "NUL" | "CONIN$" | "CONOUT$"
    ) || ((stem.starts_with("COM") || stem.starts_with("LPT"))
        && stem.len() == 4
        && stem.as_bytes()[3].is_ascii_digit())
}

fn bad_name(name: &str, why: &str) -> Fault {
    let shown: String = name.chars().take(200).collect();
    Fault::new(
        FileService::BAD_NAME,
        format!("refused file name {shown:?}: {why}"),
    )
}

fn io_fault(name: &str, e: io::Error) -> Fault {
    Fault::new(FileService::IO_ERROR, format!("{name}: {e}"))
}

fn name_of(v: &Value) -> Option<&str> {
    match v {
        Value::String(s) => Some(s),
        _ => None,
    }
}

/// `{name, size, modified}` of a file.
fn describe(name: &str, meta: &fs::Metadata) -> Struct {
    let mut info = Struct::new();
    info.insert("name".into(), Value::String(name.to_owned()));
    info.insert("size".into(), size_value(meta.len()));
    if let Some(time) = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .and_then(|d| utc(d.as_secs()))
    {
        info.insert("modified".into(), Value::DateTime(time));
    }
    info
}

/// A size as `<int>` when it fits, else `<i8>`.
fn size_value(size: u64) -> Value {
    match i32::try_from(size) {
        Ok(small) => Value::Int(small),
        Err(_) => Value::I8(i64::try_from(size).unwrap_or(i64::MAX)),
    }
}

/// Seconds since 1970 as a UTC time (days to civil date: Howard Hinnant's algorithm).
fn utc(secs: u64) -> Option<DateTime> {
    let days = i64::try_from(secs / 86_400).ok()?;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    DateTime::new(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        (rem / 3_600) as u8,
        (rem % 3_600 / 60) as u8,
        (rem % 60) as u8,
    )
    .ok()
}

/// The hex SHA-256 of everything `input` yields, as `files.stat` reports it: what a client
/// compares with its own copy.
///
/// ```
/// let hex = xmlrpc_kit::files::sha256_hex(&b"hello"[..])?;
/// assert_eq!(hex, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn sha256_hex(input: impl Read) -> io::Result<String> {
    let mut hasher = Sha256::new();
    io::copy(
        &mut io::BufReader::with_capacity(256 << 10, input),
        &mut hasher,
    )?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service() -> (tempfile::TempDir, FileService) {
        let dir = tempfile::tempdir().unwrap();
        let files = FileService::new(dir.path().join("root")).unwrap();
        (dir, files)
    }

    #[test]
    fn names_that_escape_or_hide_are_refused() {
        let (_dir, files) = service();
        for name in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/",
            ".hidden",
            "a/.x",
            ".xmlrpc-spool/x",
            "CON",
            "nul.txt",
            "com1",
            "a\\b",
            "a\u{0}b",
            "c:x",
            ".",
            "a/./b",
        ] {
            let fault = files.upload(name, Blob::from(vec![1])).unwrap_err();
            assert_eq!(fault.code, FileService::BAD_NAME, "{name:?}: {fault:?}");
        }
        assert!(check_name("docs/report 2024.pdf").is_ok());
        assert!(check_name("COM10").is_ok());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_out_of_the_root_is_refused_one_inside_is_followed() {
        let (dir, files) = service();
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("secret"), b"s").unwrap();
        std::os::unix::fs::symlink(&outside, files.root().join("out")).unwrap();
        assert_eq!(
            files.download("out/secret").unwrap_err().code,
            FileService::BAD_NAME
        );
        assert_eq!(
            files
                .upload("out/new", Blob::from(vec![1]))
                .unwrap_err()
                .code,
            FileService::BAD_NAME
        );
        assert!(!outside.join("new").exists());

        fs::create_dir_all(files.root().join("real")).unwrap();
        std::os::unix::fs::symlink(files.root().join("real"), files.root().join("alias")).unwrap();
        files.upload("alias/f", Blob::from(vec![7])).unwrap();
        assert_eq!(fs::read(files.root().join("real/f")).unwrap(), [7]);
    }

    #[test]
    fn upload_list_stat_read_write_delete() {
        let (_dir, files) = service();
        assert_eq!(
            files
                .upload("a/b.bin", Blob::from(b"hello".to_vec()))
                .unwrap(),
            5
        );
        let listed = files.list().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0]["name"], Value::from("a/b.bin"));
        assert_eq!(listed[0]["size"], Value::Int(5));
        let stat = files.stat("a/b.bin").unwrap();
        assert_eq!(
            stat["sha256"],
            Value::from("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        );
        assert_eq!(
            files.read("a/b.bin", 1, 3).unwrap().to_vec().unwrap(),
            b"ell"
        );
        assert_eq!(files.read("a/b.bin", 9, 3).unwrap().to_vec().unwrap(), b"");
        assert_eq!(
            files.write("a/b.bin", 5, Binary::from(&b"!!"[..])).unwrap(),
            7
        );
        assert_eq!(
            files
                .write("a/b.bin", 8, Binary::from(&b"x"[..]))
                .unwrap_err()
                .code,
            FileService::BAD_RANGE
        );
        assert_eq!(
            files.download("a/b.bin").unwrap().to_vec().unwrap(),
            b"hello!!"
        );
        assert!(files.delete("a/b.bin").unwrap());
        assert_eq!(
            files.stat("a/b.bin").unwrap_err().code,
            FileService::NOT_FOUND
        );
        assert_eq!(
            files.read("a", 0, 1).unwrap_err().code,
            FileService::BAD_NAME
        );
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0).unwrap().to_string(), "19700101T00:00:00");
        assert_eq!(utc(951_782_400).unwrap().to_string(), "20000229T00:00:00");
        assert_eq!(utc(1_764_072_000).unwrap().to_string(), "20251125T12:00:00");
    }
}
