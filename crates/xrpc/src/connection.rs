//! `Connection`: the server and the connection options every client subcommand takes (URL,
//! timeout, headers and query parameters, gzip, TLS roots and client certificate, proxy,
//! cookie jar), flattened into each one's arguments.

use crate::args::{self, Header};
use crate::error::Error;
use std::path::PathBuf;
use std::time::Duration;
use xmlrpc_kit::client::{AsyncClient, Client, ClientBuilder, CookieJar};

/// The server and how to reach it.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Connection {
    /// The server: http://host:port/path or https://..., with user:password@ for Basic
    /// auth; the path defaults to /RPC2, and host:port alone means http://host:port/RPC2.
    /// Over a Unix socket: unix:///path/to.sock or http+unix://[user:pass@]%2Fpath%2Fto.sock/RPC2;
    /// SCGI (rTorrent): scgi://host:port or scgi:///path/to.sock.
    pub(crate) url: String,
    /// Time allowed for the whole call, in seconds (fractions allowed; default 60).
    #[arg(long, value_name = "SECS", value_parser = args::parse_timeout)]
    pub(crate) timeout: Option<Duration>,
    /// Add a request header (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = args::parse_header)]
    pub(crate) headers: Vec<Header>,
    /// Do not ask for gzip-compressed replies.
    #[arg(long)]
    pub(crate) no_gzip: bool,
    /// Add a query parameter to the URL (repeatable; percent-encoded here), such as a
    /// Koji-style session: --query session-id=42.
    #[arg(long = "query", value_name = "NAME=VALUE", value_parser = args::parse_query)]
    pub(crate) query: Vec<(String, String)>,
    /// Trust the certificates in this PEM file (instead of the system's) for https://.
    #[arg(long, value_name = "PEM")]
    pub(crate) cacert: Option<PathBuf>,
    /// Present this client certificate (PEM, leaf first) to https:// servers that ask
    /// for one (mutual TLS); with --key.
    #[arg(long, value_name = "PEM", requires = "key")]
    pub(crate) cert: Option<PathBuf>,
    /// The private key (PEM) of --cert.
    #[arg(long, value_name = "PEM", requires = "cert")]
    pub(crate) key: Option<PathBuf>,
    /// Go through this HTTP proxy: http://[user:password@]host[:port] (HTTPS through
    /// CONNECT). Without it, http_proxy / https_proxy / all_proxy / no_proxy decide, as
    /// for curl.
    #[arg(long, value_name = "URL")]
    pub(crate) proxy: Option<String>,
    /// Hosts that bypass the proxy, comma-separated, as curl's --noproxy (`*` for all,
    /// example.com and its subdomains, .example.com, 10.0.0.0/8, host:port); replaces
    /// no_proxy from the environment.
    #[arg(long, value_name = "LIST")]
    pub(crate) noproxy: Option<String>,
    /// Keep cookies in FILE (cookie_store's JSON): read before the request if it exists,
    /// and written after `call` and `multicall` (curl's -b FILE -c FILE in one), so a
    /// login's session lasts from one invocation to the next.
    #[arg(long, value_name = "FILE")]
    pub(crate) cookie_jar: Option<PathBuf>,
}

/// What `--timeout` says for a file transfer, where there is no default limit.
pub(crate) const TRANSFER_TIMEOUT_HELP: &str = "Time allowed for the whole transfer, in \
    seconds (fractions allowed; default: no limit, a large file takes as long as it takes; \
    connecting is still limited to 10 s)";

impl Connection {
    /// The client settings, to add to before building; `--timeout` or the library's
    /// default (60 s).
    pub(crate) fn builder(&self) -> Result<ClientBuilder<Client>, Error> {
        self.configure(Client::builder(&self.url), self.call_timeout())
    }

    /// The same settings for the async client (`xrpc bench`).
    pub(crate) fn async_builder(&self) -> Result<ClientBuilder<AsyncClient>, Error> {
        self.configure(AsyncClient::builder(&self.url), self.call_timeout())
    }

    fn call_timeout(&self) -> Option<Duration> {
        self.timeout.or(Some(ClientBuilder::DEFAULT_TIMEOUT))
    }

    /// The settings for a file transfer: no time limit unless `--timeout` sets one.
    pub(crate) fn transfer_builder(&self) -> Result<ClientBuilder<Client>, Error> {
        self.configure(Client::builder(&self.url), self.timeout)
    }

    /// `builder` with these options and `timeout`.
    fn configure<C>(
        &self,
        builder: ClientBuilder<C>,
        timeout: Option<Duration>,
    ) -> Result<ClientBuilder<C>, Error> {
        let mut builder = builder.accept_gzip(!self.no_gzip).timeout(timeout);
        for header in &self.headers {
            builder = builder.header(&header.name, &header.value);
        }
        for (name, value) in &self.query {
            builder = builder.query(name, value);
        }
        if let Some(path) = &self.cacert {
            builder = builder.root_certificates_pem(&read("--cacert", path)?);
        }
        if let (Some(cert), Some(key)) = (&self.cert, &self.key) {
            builder = builder.identity(&read("--cert", cert)?, &read("--key", key)?);
        }
        if let Some(proxy) = &self.proxy {
            builder = builder.proxy(proxy);
        }
        if let Some(hosts) = &self.noproxy {
            builder = builder.no_proxy_for(hosts);
        }
        if let Some(path) = &self.cookie_jar {
            builder = builder.cookie_jar(load_jar(path)?);
        }
        Ok(builder)
    }

    /// Writes the client's cookies back to `--cookie-jar`, when one was given.
    pub(crate) fn save_cookies(&self, client: &Client) -> Result<(), Error> {
        let (Some(path), Some(jar)) = (&self.cookie_jar, client.cookie_jar()) else {
            return Ok(());
        };
        let named = |e: std::io::Error| {
            std::io::Error::new(e.kind(), format!("--cookie-jar {}: {e}", path.display()))
        };
        let mut text = Vec::new();
        jar.save_json(&mut text)?;
        // Written whole, then renamed: a failed write leaves the old jar in place.
        let temp = path.with_extension("tmp");
        std::fs::write(&temp, &text).map_err(named)?;
        std::fs::rename(&temp, path).map_err(named)?;
        Ok(())
    }

    /// A blocking client with these settings (building one sends nothing).
    pub(crate) fn client(&self) -> Result<Client, Error> {
        Ok(self.builder()?.build()?)
    }
}

/// A file an option names, read whole; the error names the option and the file.
fn read(option: &str, path: &std::path::Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| {
        Error::Io(std::io::Error::new(
            e.kind(),
            format!("{option} {}: {e}", path.display()),
        ))
    })
}

/// The jar in `path`, or an empty one when the file does not exist yet.
fn load_jar(path: &std::path::Path) -> Result<CookieJar, Error> {
    match std::fs::File::open(path) {
        Ok(file) => Ok(CookieJar::load_json(std::io::BufReader::new(file))?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CookieJar::new()),
        Err(e) => Err(Error::Io(std::io::Error::new(
            e.kind(),
            format!("--cookie-jar {}: {e}", path.display()),
        ))),
    }
}
