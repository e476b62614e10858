//! `xrpc upload` and `xrpc download`: one file each way through a server's `files.*`
//! service, by the library's `files::FileClient` (streamed, checked by SHA-256 at both
//! ends); this module only parses the arguments, draws the progress bar and prints.

use crate::connection::{Connection, TRANSFER_TIMEOUT_HELP};
use crate::error::Error;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::Write;
use std::path::{Path, PathBuf};
use xmlrpc_kit::files::{Download, FileClient, Progress, Transferred};

/// `xrpc upload`'s arguments.
#[derive(Debug, clap::Args)]
#[command(mut_arg("timeout", |a| a.help(TRANSFER_TIMEOUT_HELP)))]
pub(crate) struct UploadArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// The file to send.
    pub(crate) local: PathBuf,
    /// Its name on the server (default: the local file's name).
    pub(crate) remote: Option<String>,
    /// Continue an upload cut off earlier: check that the server's file is the start of
    /// the local one, then send the rest in 8 MiB pieces (files.write).
    #[arg(long)]
    pub(crate) resume: bool,
}

/// `xrpc download`'s arguments.
#[derive(Debug, clap::Args)]
#[command(mut_arg("timeout", |a| a.help(TRANSFER_TIMEOUT_HELP)))]
pub(crate) struct DownloadArgs {
    #[command(flatten)]
    pub(crate) connection: Connection,
    /// The file's name on the server.
    pub(crate) remote: String,
    /// Where to put it: a file name or an existing folder (default: the remote name's last
    /// part, in the current folder).
    pub(crate) local: Option<PathBuf>,
    /// Create the local file's folder (and its parents) if missing.
    #[arg(long, short = 'p')]
    pub(crate) parents: bool,
    /// Continue a download cut off earlier: fetch what the local file lacks in 8 MiB
    /// pieces (files.read), then check the whole.
    #[arg(long)]
    pub(crate) resume: bool,
}

/// `xrpc upload`: sends the file, checks it, prints one summary line.
pub(crate) fn upload(args: &UploadArgs, mut output: impl Write) -> Result<(), Error> {
    let remote = match &args.remote {
        Some(name) => name.clone(),
        None => file_name(&args.local)?,
    };
    let files = FileClient::new(args.connection.transfer_builder()?);
    let bar = progress_bar("upload");
    let shown = bar.clone();
    let done = if args.resume {
        files.resume_upload(&args.local, &remote, move |p| show(&shown, p))
    } else {
        files.upload(&args.local, &remote, move |p| show(&shown, p))
    };
    bar.finish_and_clear();
    let done = done?;
    writeln!(
        output,
        "uploaded {} -> {remote}: {}",
        args.local.display(),
        summary(&done)
    )?;
    Ok(())
}

/// `xrpc download`: fetches the file, checks it, prints one summary line.
pub(crate) fn download(args: &DownloadArgs, mut output: impl Write) -> Result<(), Error> {
    let to = match &args.local {
        Some(path) => Download::to(path),
        None => Download::here(),
    }
    .create_parents(args.parents);
    let files = FileClient::new(args.connection.transfer_builder()?);
    let bar = progress_bar("download");
    let shown = bar.clone();
    let done = if args.resume {
        files.resume_download(&args.remote, to, move |p| show(&shown, p))
    } else {
        files.download(&args.remote, to, move |p| show(&shown, p))
    };
    bar.finish_and_clear();
    let done = match done {
        Err(xmlrpc_kit::files::Error::NoFolder { folder }) => {
            return Err(Error::Message(format!(
                "the folder {} does not exist (create it, or add --parents)",
                folder.display()
            )))
        }
        other => other?,
    };
    writeln!(
        output,
        "downloaded {} -> {}: {}",
        args.remote,
        done.local.display(),
        summary(&done)
    )?;
    Ok(())
}

/// `N bytes (X MiB) in S s (R MiB/s), sha256 H verified`: binary units, as the bar's.
fn summary(done: &Transferred) -> String {
    let seconds = done.elapsed.as_secs_f64();
    let mib = done.bytes as f64 / (1u64 << 20) as f64;
    format!(
        "{} bytes ({mib:.1} MiB) in {seconds:.2} s ({:.1} MiB/s), sha256 {} verified",
        done.bytes,
        mib / seconds.max(1e-9),
        done.sha256
    )
}

fn show(bar: &ProgressBar, progress: Progress) {
    bar.set_length(progress.total);
    bar.set_position(progress.done);
}

/// A byte-counting bar on stderr, drawn only when stderr is a terminal; binary units
/// (KiB, MiB), as the summary line.
fn progress_bar(verb: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} ETA {eta}",
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
            Error::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "{} has no file name to use: name the other end",
                    path.display()
                ),
            ))
        })
}
