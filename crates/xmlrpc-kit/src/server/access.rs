//! Who may call what: the request's authentication (Basic auth, when configured) and the
//! per-method authorisation hook ([`Server::authorize`](super::Server::authorize)), which
//! every call goes through, multicall's included.

#[cfg(feature = "auth")]
use super::auth::BasicAuth;
use super::ResponseBody;
use crate::fault::Fault;
use hyper::header::HeaderMap;
use hyper::Response;
use std::net::IpAddr;
use std::sync::Arc;

/// Outcome of checking one request's credentials.
#[cfg_attr(not(feature = "auth"), allow(dead_code))]
pub(crate) enum Verdict {
    /// No authentication is configured.
    Open,
    /// The request names this user, with the right password.
    User(String),
    /// Refused: answer with this 401.
    Refused(Response<ResponseBody>),
}

/// The application's per-method authorisation: who calls what in, allowed or not out.
pub(crate) type Authorizer = Arc<dyn Fn(&Caller<'_>) -> bool + Send + Sync>;

/// Who calls which method, as the [`authorize_call`](super::Server::authorize_call) hook
/// sees it: the authenticated user, the method's name, and the client's address (behind a
/// [trusted proxy](super::ServerConfig::trusted_proxies), the one it forwards).
///
/// ```
/// use xmlrpc_kit::server::Server;
/// let server = Server::new()
///     .method("admin.reset", || true)
///     .authorize_call(|caller| {
///         !caller.method().starts_with("admin.")
///             || caller.client_ip().is_some_and(|ip| ip.is_loopback())
///     });
/// # let _ = server;
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    user: Option<&'a str>,
    method: &'a str,
    client: Option<IpAddr>,
    subject: Option<&'a str>,
}

/// The subject of a TLS connection's client certificate, carried in each request's
/// extensions to the authorisation hook.
#[derive(Debug, Clone)]
pub(crate) struct ClientSubject(pub(crate) Arc<str>);

impl<'a> Caller<'a> {
    /// The user that authenticated, when [`basic_auth`](super::Server::basic_auth) is on.
    pub fn user(&self) -> Option<&'a str> {
        self.user
    }

    /// The method called.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The client's address; `None` on a Unix socket with no trusted proxy in front.
    pub fn client_ip(&self) -> Option<IpAddr> {
        self.client
    }

    /// The subject of the certificate the client presented over TLS (`CN=ops, O=Example`),
    /// when the server requires client certificates
    /// ([`TlsConfig::client_ca`](super::TlsConfig::client_ca)); `None` otherwise.
    ///
    /// ```
    /// use xmlrpc_kit::server::Server;
    /// let server = Server::new()
    ///     .method("deploy", || true)
    ///     .authorize_call(|caller| caller.certificate_subject().is_some_and(|s| s.contains("CN=deployer")));
    /// # let _ = server;
    /// ```
    pub fn certificate_subject(&self) -> Option<&'a str> {
        self.subject
    }
}

/// Who may call what: the server's authentication and authorisation, both optional.
#[derive(Clone, Default)]
pub(crate) struct Access {
    #[cfg(feature = "auth")]
    pub(crate) basic: Option<BasicAuth>,
    pub(crate) authorize: Option<Authorizer>,
}

impl std::fmt::Debug for Access {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut debug = f.debug_struct("Access");
        #[cfg(feature = "auth")]
        debug.field("basic", &self.basic);
        debug.field("authorize", &self.authorize.is_some()).finish()
    }
}

impl Access {
    /// Whether requests are authenticated (so failed logins can be counted).
    pub(crate) fn authenticates(&self) -> bool {
        #[cfg(feature = "auth")]
        return self.basic.is_some();
        #[cfg(not(feature = "auth"))]
        false
    }

    /// The user name a request's Basic credentials claim, checked or not; `Some("")` for
    /// credentials that cannot be read.
    pub(crate) fn claimed_user(&self, headers: &HeaderMap) -> Option<String> {
        let value = headers.get(hyper::header::AUTHORIZATION)?;
        #[cfg(feature = "auth")]
        return Some(
            super::auth::credentials(value.as_bytes())
                .map(|(user, _)| user.chars().take(256).collect())
                .unwrap_or_default(),
        );
        #[cfg(not(feature = "auth"))]
        {
            let _ = value;
            None
        }
    }

    /// Authenticates a request (before its body is read).
    pub(crate) async fn authenticate(&self, headers: &HeaderMap) -> Verdict {
        #[cfg(feature = "auth")]
        if let Some(basic) = &self.basic {
            return basic.verify(headers).await;
        }
        let _ = headers;
        Verdict::Open
    }

    /// The check each method name goes through before it runs (multicall's calls too).
    pub(crate) fn gate(
        &self,
        user: Option<&str>,
        client: Option<IpAddr>,
        subject: Option<&ClientSubject>,
    ) -> Option<crate::dispatch::Gate> {
        let authorize = Arc::clone(self.authorize.as_ref()?);
        let user: Option<Arc<str>> = user.map(Arc::from);
        let subject = subject.map(|s| Arc::clone(&s.0));
        Some(Arc::new(move |method: &str| {
            let caller = Caller {
                user: user.as_deref(),
                method,
                client,
                subject: subject.as_deref(),
            };
            if authorize(&caller) {
                Ok(())
            } else {
                Err(Fault::new(
                    Fault::NOT_AUTHORIZED,
                    format!(
                        "not authorised to call {}",
                        method.chars().take(200).collect::<String>()
                    ),
                ))
            }
        }))
    }
}
