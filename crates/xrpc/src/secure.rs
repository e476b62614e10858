//! `xrpc serve`'s TLS and authentication options, applied to the server it runs.

use std::io;
use std::path::PathBuf;
use xmlrpc_kit::server::{BasicAuth, Server, TlsConfig};

/// `--tls-cert`, `--tls-key`, `--tls-client-ca` and `--auth-file`.
#[derive(Debug, Default)]
pub(crate) struct Security {
    /// The certificate chain and its key (PEM files), to serve HTTPS.
    pub(crate) tls: Option<(PathBuf, PathBuf)>,
    /// The CA certificates (a PEM file) that clients' certificates must be signed by.
    pub(crate) client_ca: Option<PathBuf>,
    /// A file of `user:hash` lines, to require HTTP Basic authentication.
    pub(crate) auth_file: Option<PathBuf>,
}

impl Security {
    /// Loads the files and sets them on `server`; an unreadable or bad file is an error
    /// that names it, before anything listens.
    pub(crate) fn apply(&self, mut server: Server) -> Result<Server, crate::error::Error> {
        let bad = |what: &str, e: &dyn std::fmt::Display| {
            crate::error::Error::Io(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{what}: {e}"),
            ))
        };
        if let Some((cert, key)) = &self.tls {
            let mut tls = TlsConfig::from_pem_files(cert, key)
                .map_err(|e| bad("--tls-cert/--tls-key", &e))?;
            if let Some(ca) = &self.client_ca {
                let named = format!("--tls-client-ca {}", ca.display());
                let pem = std::fs::read(ca).map_err(|e| bad(&named, &e))?;
                tls = tls.client_ca(&pem).map_err(|e| bad(&named, &e))?;
                tracing::info!(
                    "clients must present a certificate signed by {}",
                    ca.display()
                );
            }
            server = server.tls(tls);
        }
        if let Some(file) = &self.auth_file {
            let users = BasicAuth::from_file(file)
                .map_err(|e| bad(&format!("--auth-file {}", file.display()), &e))?;
            tracing::info!("Basic authentication for {} user(s)", users.users().len());
            server = server.basic_auth(users);
        }
        Ok(server)
    }
}
