//! `xrpc upload` and `xrpc download`: one file each way through a server's `files.*`
//! service (as `xrpc serve` mounts it), streamed in bounded memory, with a progress bar on
//! a terminal and a SHA-256 comparison of both ends when the transfer is over.

use crate::call::Connection;
use crate::error::Error;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;
use xmlrpc_kit::client::Progress;
use xmlrpc_kit::http::Streaming;
use xmlrpc_kit::server::files::sha256_hex;
use xmlrpc_kit::{Blob, Struct, Value};

/// `xrpc upload`: sends `local` as `remote` (default: its file name) and checks that the
/// server's SHA-256 of what arrived equals ours. Prints one summary line.
pub(crate) fn upload(
    connection: &Connection,
    local: &Path,
    remote: Option<&str>,
    mut output: impl Write,
) -> Result<(), Error> {
    let remote = match remote {
        Some(name) => name.to_owned(),
        None => file_name(local)?,
    };
    let blob = Blob::from_file(local)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", local.display())))?;
    let size = blob.len();
    let bar = progress_bar(size, "upload");
    let shown = bar.clone();
    let client = connection
        .builder()
        .on_progress(move |t| {
            if let Progress::Sent { bytes, .. } = t {
                shown.set_position(bytes);
            }
        })
        .build()?;
    // Our hash is computed while the file goes out (the page cache serves both reads).
    let path = local.to_owned();
    let ours = std::thread::spawn(move || sha256_file(&path));
    let started = Instant::now();
    let stored: u64 = client.call("files.upload", (&remote, blob))?;
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    let ours = ours
        .join()
        .map_err(|_| io::Error::other("the hashing thread failed"))??;
    if stored != size {
        return Err(mismatch(
            "files.upload",
            format!("sent {size} bytes, the server stored {stored}"),
        ));
    }
    let theirs = remote_sha256(connection, &remote)?;
    if theirs != ours {
        return Err(mismatch(
            "files.stat",
            format!("SHA-256 differs: ours {ours}, the server's {theirs}"),
        ));
    }
    writeln!(
        output,
        "uploaded {} -> {remote}: {size} bytes in {:.2} s ({:.1} MB/s), sha256 {ours} verified",
        local.display(),
        elapsed.as_secs_f64(),
        size as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9),
    )?;
    Ok(())
}

/// `xrpc download`: fetches `remote` into `local` (default: its file name in the current
/// folder), checking it against the server's SHA-256 before it takes the local name.
pub(crate) fn download(
    connection: &Connection,
    remote: &str,
    local: Option<&Path>,
    mut output: impl Write,
) -> Result<(), Error> {
    let local: PathBuf = match local {
        Some(path) if path.is_dir() => path.join(file_name(Path::new(remote))?),
        Some(path) => path.to_owned(),
        None => PathBuf::from(file_name(Path::new(remote))?),
    };
    let stat = stat(connection, remote)?;
    let size = match stat.get("size") {
        Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Value::I8(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    let theirs = sha256_of(&stat)?;
    let bar = progress_bar(size, "download");
    let shown = bar.clone();
    // The reply's base64 is 4/3 of the file: the bar counts file bytes.
    let dir = match local.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_owned(),
        _ => PathBuf::from("."),
    };
    let client = connection
        .builder()
        .max_body_size(u64::MAX)
        .streaming(Streaming::default().spool_dir(&dir))
        .on_progress(move |t| {
            if let Progress::Received { bytes, .. } = t {
                shown.set_position((bytes / 4 * 3).min(size));
            }
        })
        .build()?;
    let started = Instant::now();
    let blob: Blob = client.call("files.download", (remote,))?;
    let elapsed = started.elapsed();
    bar.finish_and_clear();
    let ours = sha256_blob(&blob)?;
    if ours != theirs {
        return Err(mismatch(
            "files.download",
            format!(
                "SHA-256 differs: the server's {theirs}, what arrived {ours}; {} left untouched",
                local.display()
            ),
        ));
    }
    let bytes = blob.len();
    blob.persist(&local)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", local.display())))?;
    writeln!(
        output,
        "downloaded {remote} -> {}: {bytes} bytes in {:.2} s ({:.1} MB/s), sha256 {ours} verified",
        local.display(),
        elapsed.as_secs_f64(),
        bytes as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9),
    )?;
    Ok(())
}

/// A byte-counting bar on stderr, drawn only when stderr is a terminal.
fn progress_bar(total: u64, verb: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(verb.to_owned());
    bar
}

fn file_name(path: &Path) -> Result<String, Error> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| {
            Error::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "{} has no file name to use: name the other end",
                    path.display()
                ),
            ))
        })
}

fn stat(connection: &Connection, remote: &str) -> Result<Struct, Error> {
    let client = connection.builder().build()?;
    Ok(client.call("files.stat", (remote,))?)
}

fn remote_sha256(connection: &Connection, remote: &str) -> Result<String, Error> {
    sha256_of(&stat(connection, remote)?)
}

fn sha256_of(stat: &Struct) -> Result<String, Error> {
    match stat.get("sha256") {
        Some(Value::String(hex)) => Ok(hex.clone()),
        _ => Err(mismatch(
            "files.stat",
            "no sha256 member in the answer".into(),
        )),
    }
}

fn mismatch(method: &str, problem: String) -> Error {
    Error::Answer {
        method: method.to_owned(),
        problem,
    }
}

fn sha256_file(path: &Path) -> io::Result<String> {
    sha256_hex(std::fs::File::open(path)?)
}

fn sha256_blob(blob: &Blob) -> io::Result<String> {
    sha256_hex(blob.open()?)
}
