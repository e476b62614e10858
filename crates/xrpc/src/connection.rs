//! `Connection`: the server and the connection options every client subcommand takes (URL,
//! timeout, headers, gzip, TLS roots), flattened into each one's arguments.

use crate::args::{self, Header};
use crate::error::Error;
use std::path::PathBuf;
use std::time::Duration;
use xmlrpc_kit::client::{AsyncClient, Client, ClientBuilder};

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
    /// Trust the certificates in this PEM file (instead of the system's) for https://.
    #[arg(long, value_name = "PEM")]
    pub(crate) cacert: Option<PathBuf>,
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
        if let Some(path) = &self.cacert {
            let pem = std::fs::read(path).map_err(|e| {
                std::io::Error::new(e.kind(), format!("--cacert {}: {e}", path.display()))
            })?;
            builder = builder.root_certificates_pem(&pem);
        }
        Ok(builder)
    }

    /// A blocking client with these settings (building one sends nothing).
    pub(crate) fn client(&self) -> Result<Client, Error> {
        Ok(self.builder()?.build()?)
    }
}
