//! `xrpc serve`: its arguments, its log, and the run: bind first (TCP or a Unix socket,
//! HTTP or SCGI), then make the root folder and the seed's server (`seed`), with TLS and
//! authentication (`secure`), until Ctrl-C.

use crate::error::Error;
use crate::secure::Security;
use crate::seed;
use std::path::PathBuf;
use xmlrpc_kit::server::{Bind, Framing, LocalAddr, ServeError};

/// `xrpc serve`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Where to serve HTTP: HOST:PORT (port 0 picks a free port) or unix:/PATH, a Unix
    /// socket (a stale socket file is replaced, any other file never; the file is removed
    /// on exit).
    #[arg(long, default_value = "127.0.0.1:8888", value_name = "ADDR")]
    pub(crate) bind: String,
    /// Serve SCGI instead of HTTP, for a web server's scgi_pass (nginx) or rTorrent-style
    /// clients: HOST:PORT or unix:/PATH. One request per connection.
    #[arg(long, value_name = "ADDR", conflicts_with = "bind")]
    pub(crate) scgi: Option<String>,
    /// The Unix socket file's permissions, in octal (660: owner and group only); the
    /// umask decides without it.
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode)]
    pub(crate) socket_mode: Option<u32>,
    /// Folder for image_put / image_get and the files.* service (made if missing, once
    /// the address is bound).
    #[arg(long, default_value = "xrpc-files")]
    pub(crate) root: PathBuf,
    /// Serve HTTPS with this certificate chain (PEM, the server's certificate first).
    #[arg(long, value_name = "PEM", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Require HTTP Basic authentication: a file of `user:hash` lines, hashes made by
    /// `openssl passwd -6` or argon2 (`$argon2id$...`); see SECURITY.md.
    #[arg(long, value_name = "FILE")]
    pub(crate) auth_file: Option<PathBuf>,
    /// Log one line per call (peer, method, time, fault) to stderr; the same as
    /// RUST_LOG=info,xmlrpc_kit::access=debug.
    #[arg(long)]
    pub(crate) access_log: bool,
}

/// What `xrpc serve --help` says about its log.
pub(crate) const SERVE_HELP: &str = "\
Log: to stderr, at level info by default (start, stop, errors); RUST_LOG sets it as
tracing's EnvFilter reads it, e.g. RUST_LOG=debug for everything, or
RUST_LOG=info,xmlrpc_kit::access=debug (or --access-log) for one line per call.";

/// Runs the seed's server until Ctrl-C.
pub(crate) fn run(args: &ServeArgs) -> Result<(), Error> {
    init_log(args.access_log);
    let security = Security {
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        auth_file: args.auth_file.clone(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args, &security))
}

/// `--socket-mode 660` (or `0660`, `0o660`).
fn parse_mode(text: &str) -> Result<u32, String> {
    let digits = text.trim_start_matches("0o");
    u32::from_str_radix(digits, 8)
        .ok()
        .filter(|&mode| mode <= 0o7777)
        .ok_or_else(|| format!("`{text}` is not an octal file mode such as 660"))
}

/// The place `--bind` / `--scgi` / `--socket-mode` name.
fn bind(args: &ServeArgs) -> Result<Bind, ServeError> {
    let mut bind: Bind = match &args.scgi {
        Some(addr) => {
            let bind: Bind = addr.parse()?;
            bind.scgi()
        }
        None => args.bind.parse()?,
    };
    if let Some(mode) = args.socket_mode {
        bind = bind.mode(mode);
    }
    Ok(bind)
}

async fn serve(args: &ServeArgs, security: &Security) -> Result<(), Error> {
    // Bound before anything is made on disk: a busy port leaves no new folder behind.
    let bind = bind(args)?;
    let listener = bind.listen().await.map_err(|source| ServeError::Io {
        context: format!("cannot listen on {bind}"),
        source,
    })?;
    let (server, root) = seed::server(&args.root).map_err(|source| ServeError::Io {
        context: format!("cannot use {} as the server's folder", args.root.display()),
        source,
    })?;
    let server = security.apply(server)?;
    // Catch Ctrl-C before saying we listen: a SIGINT before the handler is registered
    // would kill the process instead of stopping it cleanly.
    #[cfg(unix)]
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let local = listener.local_addr()?;
    let url = local.url(listener.framing(), security.tls.is_some());
    tracing::info!("XML-RPC server listening on {url} (Ctrl-C stops it)");
    tracing::info!("serving files from {}", root.display());
    if matches!(local, LocalAddr::Tcp(_)) && listener.framing() == Framing::Http {
        tracing::info!(
            "documentation page: {url} (open it in a browser; calls go to the same URL)"
        );
    }
    server
        .serve_with_shutdown(listener, async move {
            #[cfg(unix)]
            let interrupted = interrupt.recv().await.is_some();
            #[cfg(not(unix))]
            let interrupted = tokio::signal::ctrl_c().await.is_ok();
            if interrupted {
                tracing::info!("Ctrl-C: finishing calls in progress, then stopping");
            }
        })
        .await?;
    Ok(())
}

/// The log on stderr: RUST_LOG when set, else `info`; `--access-log` adds the per-call
/// lines (target `xmlrpc_kit::access`, at debug).
fn init_log(access_log: bool) {
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if access_log {
        if let Ok(directive) = "xmlrpc_kit::access=debug".parse() {
            filter = filter.add_directive(directive);
        }
    }
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
}
