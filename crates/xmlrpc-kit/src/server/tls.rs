//! TLS for the server: [`TlsConfig`] loads a certificate chain and key (PEM) into rustls,
//! optionally requiring client certificates signed by a given CA (mutual TLS, whose
//! subject the `authorize` hook sees), and each accepted connection does its handshake on
//! its own task, within the header-read timeout, so a client that stalls the handshake
//! holds up no one else.

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The server's TLS settings: a certificate chain and its private key.
///
/// ```no_run
/// use xmlrpc_kit::server::{Server, TlsConfig};
///
/// let tls = TlsConfig::from_pem_files("server.pem", "server.key")?;
/// Server::new().method("ping", || true).tls(tls).serve("127.0.0.1:8443")?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TlsConfig {
    pub(crate) acceptor: tokio_rustls::TlsAcceptor,
    /// The certificate chain and key, to build again with client authentication.
    identity: Option<Arc<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>)>>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig").finish_non_exhaustive()
    }
}

/// Why TLS could not be set up.
///
/// ```
/// use xmlrpc_kit::server::{TlsConfig, TlsError};
/// let err = TlsConfig::from_pem(b"not a certificate", b"").unwrap_err();
/// assert!(matches!(err, TlsError::NoCertificate));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TlsError {
    /// A PEM file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// The certificate PEM holds no `CERTIFICATE` block.
    #[error("no certificate found in the certificate PEM")]
    NoCertificate,
    /// The key PEM holds no private key (PKCS#8, PKCS#1 or SEC1).
    #[error("no private key found in the key PEM")]
    NoKey,
    /// A PEM block could not be decoded.
    #[error("bad PEM: {0}")]
    Pem(String),
    /// rustls refused the certificate and key (a key that does not match, say).
    #[error("cannot use the certificate and key: {0}")]
    Rustls(#[from] rustls::Error),
    /// The client CA PEM holds no usable `CERTIFICATE`, or a configuration made with
    /// [`TlsConfig::from_rustls`] was given one (set client authentication in it instead).
    #[error("cannot require client certificates: {0}")]
    ClientCa(String),
}

impl TlsConfig {
    /// Reads a certificate chain (leaf first) and a private key from PEM files.
    ///
    /// ```no_run
    /// let tls = xmlrpc_kit::server::TlsConfig::from_pem_files("server.pem", "server.key")?;
    /// # let _ = tls;
    /// # Ok::<(), xmlrpc_kit::server::TlsError>(())
    /// ```
    pub fn from_pem_files(
        cert_chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> Result<Self, TlsError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|source| TlsError::Read {
                path: path.to_owned(),
                source,
            })
        };
        Self::from_pem(&read(cert_chain.as_ref())?, &read(key.as_ref())?)
    }

    /// A certificate chain (leaf first) and a private key, both PEM text.
    ///
    /// ```
    /// let err = xmlrpc_kit::server::TlsConfig::from_pem(b"", b"").unwrap_err();
    /// assert_eq!(err.to_string(), "no certificate found in the certificate PEM");
    /// ```
    pub fn from_pem(cert_chain: &[u8], key: &[u8]) -> Result<Self, TlsError> {
        let certs = CertificateDer::pem_slice_iter(cert_chain)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| TlsError::Pem(e.to_string()))?;
        if certs.is_empty() {
            return Err(TlsError::NoCertificate);
        }
        let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| match e {
            rustls::pki_types::pem::Error::NoItemsFound => TlsError::NoKey,
            e => TlsError::Pem(e.to_string()),
        })?;
        let config = server_config(certs.clone(), key.clone_key(), None)?;
        Ok(TlsConfig {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            identity: Some(Arc::new((certs, key))),
        })
    }

    /// Requires every client to present a certificate signed by one of the CA
    /// certificates in `ca_pem` (mutual TLS): a client without one, or with another, fails
    /// the handshake. The certificate's subject reaches the
    /// [`authorize_call`](super::Server::authorize_call) hook as
    /// [`Caller::certificate_subject`](super::Caller::certificate_subject).
    ///
    /// ```no_run
    /// use xmlrpc_kit::server::{Server, TlsConfig};
    /// let tls = TlsConfig::from_pem_files("server.pem", "server.key")?
    ///     .client_ca(&std::fs::read("clients-ca.pem")?)?;
    /// Server::new()
    ///     .method("ping", || true)
    ///     .authorize_call(|caller| caller.certificate_subject() == Some("CN=ops"))
    ///     .tls(tls)
    ///     .serve("127.0.0.1:8443")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn client_ca(self, ca_pem: &[u8]) -> Result<Self, TlsError> {
        let Some(identity) = self.identity else {
            return Err(TlsError::ClientCa(
                "this configuration was made with from_rustls: set its client verifier there"
                    .into(),
            ));
        };
        let mut roots = rustls::RootCertStore::empty();
        for cert in CertificateDer::pem_slice_iter(ca_pem) {
            let cert = cert.map_err(|e| TlsError::ClientCa(e.to_string()))?;
            roots
                .add(cert)
                .map_err(|e| TlsError::ClientCa(e.to_string()))?;
        }
        if roots.is_empty() {
            return Err(TlsError::ClientCa(
                "no certificate found in the client CA PEM".into(),
            ));
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .map_err(|e| TlsError::ClientCa(e.to_string()))?;
        let (certs, key) = (identity.0.clone(), identity.1.clone_key());
        let config = server_config(certs, key, Some(verifier))?;
        Ok(TlsConfig {
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            identity: Some(identity),
        })
    }

    /// A rustls configuration made elsewhere (client certificates, several names, ...).
    /// The server speaks HTTP/1.1 over it.
    ///
    /// ```no_run
    /// # fn config() -> std::sync::Arc<rustls::ServerConfig> { unimplemented!() }
    /// let tls = xmlrpc_kit::server::TlsConfig::from_rustls(config());
    /// # let _ = tls;
    /// ```
    pub fn from_rustls(config: Arc<rustls::ServerConfig>) -> Self {
        TlsConfig {
            acceptor: tokio_rustls::TlsAcceptor::from(config),
            identity: None,
        }
    }
}

/// rustls's server configuration for a chain and key, with client authentication when a
/// verifier is given; HTTP/1.1 by ALPN.
fn server_config(
    certs: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    clients: Option<Arc<dyn rustls::server::danger::ClientCertVerifier>>,
) -> Result<rustls::ServerConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?;
    let builder = match clients {
        Some(verifier) => builder.with_client_cert_verifier(verifier),
        None => builder.with_no_client_auth(),
    };
    let mut config = builder.with_single_cert(certs, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The subject of the certificate a client presented (`CN=ops, O=Example`, RFC 4514 as
/// x509-parser writes it), when it presented one.
pub(crate) fn client_subject(connection: &rustls::ServerConnection) -> Option<Arc<str>> {
    let leaf = connection.peer_certificates()?.first()?;
    let (_, cert) = x509_parser::parse_x509_certificate(leaf.as_ref()).ok()?;
    Some(Arc::from(cert.subject().to_string()))
}
