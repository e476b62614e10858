//! `xrpc serve`: its arguments, its log, and the run: bind first (TCP or a Unix socket,
//! HTTP or SCGI), then make the root folder and the seed's server (`seed`), with TLS and
//! authentication (`secure`), until Ctrl-C or SIGTERM, which drain it (the library's
//! `shutdown_signal`).

use crate::error::Error;
use crate::log::LogFormat;
use crate::secure::Security;
use crate::seed;
use std::path::PathBuf;
use std::time::Duration;
use xmlrpc_kit::cassette::{Cassette, Match};
use xmlrpc_kit::server::{
    shutdown_signal, Bind, Framing, LocalAddr, RateLimit, ServeError, ServerConfig, TrustedProxy,
};

/// `xrpc serve`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct ServeArgs {
    /// Where to serve HTTP: HOST:PORT (port 0 picks a free port), unix:/PATH, a Unix
    /// socket (a stale socket file is replaced, any other file never; the file is removed
    /// on exit), or `systemd`: the socket systemd passed (socket activation, LISTEN_FDS).
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
    /// Require a client certificate signed by a CA in this PEM file (mutual TLS): a
    /// client without one fails the TLS handshake. Needs --tls-cert.
    #[arg(long, value_name = "PEM", requires = "tls_cert")]
    pub(crate) tls_client_ca: Option<PathBuf>,
    /// Require HTTP Basic authentication: a file of `user:hash` lines, hashes made by
    /// `openssl passwd -6` or argon2 (`$argon2id$...`); see SECURITY.md.
    #[arg(long, value_name = "FILE")]
    pub(crate) auth_file: Option<PathBuf>,
    /// Log one line per call (peer, method, time, fault) to stderr; the same as
    /// RUST_LOG=info,xmlrpc_kit::access=debug.
    #[arg(long)]
    pub(crate) access_log: bool,
    /// The log's form on stderr: text, or json (one object per line: time, level, target,
    /// message, and per call peer, user, method, micros, outcome).
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    pub(crate) log_format: LogFormat,
    /// Serve Prometheus metrics on GET /metrics (calls, faults and latency per method,
    /// calls in flight, connections, bytes, refusals).
    #[arg(long)]
    pub(crate) metrics: bool,
    /// A reverse proxy whose X-Forwarded-For / Forwarded name the client (for the log, the
    /// metrics and authorisation): an address, a CIDR network, or `unix`; repeat for more.
    #[arg(long = "trusted-proxy", value_name = "NET")]
    pub(crate) trusted_proxies: Vec<TrustedProxy>,
    /// On Ctrl-C or SIGTERM, fail /healthz and go on serving for this many seconds before
    /// closing the listener, so a load balancer moves away first.
    #[arg(long, value_name = "SECS", default_value = "0", value_parser = parse_secs)]
    pub(crate) drain_delay: Duration,
    /// Then give calls in progress (uploads included) this many seconds to finish.
    #[arg(long, value_name = "SECS", default_value = "10", value_parser = parse_secs)]
    pub(crate) shutdown_grace: Duration,
    /// Calls per second each client (its user, or else its address) may make, each call
    /// inside a multicall counted; over it, 429 with Retry-After. No limit without it.
    #[arg(long, value_name = "N")]
    pub(crate) rate_limit: Option<u32>,
    /// A call still running after this many seconds gets fault -32603 at the deadline.
    #[arg(long, value_name = "SECS", value_parser = parse_secs)]
    pub(crate) call_timeout: Option<Duration>,
    /// Connections one client address may hold open at once.
    #[arg(long, value_name = "N", default_value_t = ServerConfig::DEFAULT_MAX_CONNECTIONS_PER_ADDRESS)]
    pub(crate) max_connections_per_address: usize,
    // The browser and replay options (issue 18).
    /// Serve a cassette (`xrpc proxy --record`) instead of the seed's methods: each
    /// recorded call gets its recorded answer, others a fault naming what was recorded.
    #[arg(long, value_name = "FILE")]
    pub(crate) replay: Option<PathBuf>,
    /// What a call must share with a recorded one under --replay: its method and params,
    /// or its method only.
    #[arg(
        long,
        value_enum,
        default_value = "params",
        value_name = "WHAT",
        requires = "replay"
    )]
    pub(crate) replay_match: ReplayMatch,
    /// An origin (scheme://host[:port]) whose pages may call the server from a browser
    /// (CORS); repeat for more. Without it, cross-site browser requests get 403.
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub(crate) allow_origins: Vec<String>,
    /// Serve the documentation page without the console (no forms, no script).
    #[arg(long)]
    pub(crate) no_console: bool,
}

/// `--replay-match`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub(crate) enum ReplayMatch {
    /// The method's name and every parameter.
    Params,
    /// The method's name only.
    Method,
}

/// `--drain-delay 1.5`.
fn parse_secs(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
        .ok_or_else(|| format!("`{text}` is not a number of seconds"))
}

/// What `xrpc serve --help` says about its log.
pub(crate) const SERVE_HELP: &str = "\
Log: to stderr, at level info by default (start, stop, errors); RUST_LOG sets it as
tracing's EnvFilter reads it, e.g. RUST_LOG=debug for everything, or
RUST_LOG=info,xmlrpc_kit::access=debug (or --access-log) for one line per call;
--log-format json writes one JSON object per line.

Stopping: Ctrl-C or SIGTERM fails GET /healthz (503), serves on for --drain-delay,
closes the listener, lets calls finish within --shutdown-grace, and exits 0.";

/// Runs the seed's server until Ctrl-C or SIGTERM.
pub(crate) fn run(args: &ServeArgs) -> Result<(), Error> {
    crate::log::init(args.access_log, args.log_format);
    let security = Security {
        tls: args.tls_cert.clone().zip(args.tls_key.clone()),
        client_ca: args.tls_client_ca.clone(),
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
    let config = ServerConfig::default()
        .metrics(args.metrics)
        .trusted_proxies(args.trusted_proxies.iter().copied())
        .drain_delay(args.drain_delay)
        .shutdown_grace(args.shutdown_grace)
        .rate_limit(
            args.rate_limit
                .map(|n| RateLimit::per_second(n).burst(n.saturating_mul(2))),
        )
        .call_timeout(args.call_timeout)
        .max_connections_per_address(args.max_connections_per_address)
        .allowed_origins(&args.allow_origins)
        .console(!args.no_console);
    let (server, root) = match &args.replay {
        Some(cassette) => {
            let matching = match args.replay_match {
                ReplayMatch::Params => Match::Params,
                ReplayMatch::Method => Match::Method,
            };
            let cassette = Cassette::open(cassette).map_err(|e| Error::Message(e.to_string()))?;
            tracing::info!("replaying {} recorded calls", cassette.exchanges().len());
            (cassette.server(matching).config(config), None)
        }
        None => {
            let (server, root) =
                seed::server(&args.root, config).map_err(|source| ServeError::Io {
                    context: format!("cannot use {} as the server's folder", args.root.display()),
                    source,
                })?;
            (server, Some(root))
        }
    };
    let server = security.apply(server)?;
    // Catch the signals before saying we listen: a SIGINT or SIGTERM before the handlers
    // are registered would kill the process instead of stopping it cleanly.
    let stop = shutdown_signal()?;
    let local = listener.local_addr()?;
    let url = local.url(listener.framing(), security.tls.is_some());
    tracing::info!("XML-RPC server listening on {url} (Ctrl-C or SIGTERM stops it)");
    if let Some(root) = root {
        tracing::info!("serving files from {}", root.display());
    }
    if matches!(local, LocalAddr::Tcp(_)) && listener.framing() == Framing::Http {
        tracing::info!(
            "documentation page: {url} (open it in a browser; calls go to the same URL)"
        );
    }
    if args.metrics && listener.framing() == Framing::Http {
        tracing::info!("metrics: GET /metrics");
    }
    server.serve_with_shutdown(listener, stop).await?;
    Ok(())
}
