//! Who may call what: the request's authentication (Basic auth, when configured) and the
//! per-method authorisation hook ([`Server::authorize`](super::Server::authorize)), which
//! every call goes through, multicall's included.

#[cfg(feature = "auth")]
use super::auth::BasicAuth;
use super::ResponseBody;
use crate::fault::Fault;
use hyper::header::HeaderMap;
use hyper::Response;
use std::sync::Arc;

/// The fault code for a call the authorisation hook refused (an implementation-defined
/// server error, in the range -32000..-32099 the interop spec leaves for them).
///
/// ```
/// assert_eq!(xmlrpc_kit::server::NOT_AUTHORIZED, -32001);
/// ```
pub const NOT_AUTHORIZED: i32 = -32001;

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

/// The application's per-method authorisation: the user (when authentication is on) and
/// the method's name in, allowed or not out.
pub(crate) type Authorizer = Arc<dyn Fn(Option<&str>, &str) -> bool + Send + Sync>;

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
    pub(crate) fn gate(&self, user: Option<&str>) -> Option<crate::dispatch::Gate> {
        let authorize = Arc::clone(self.authorize.as_ref()?);
        let user: Option<Arc<str>> = user.map(Arc::from);
        Some(Arc::new(move |method: &str| {
            if authorize(user.as_deref(), method) {
                Ok(())
            } else {
                Err(Fault::new(
                    NOT_AUTHORIZED,
                    format!(
                        "not authorised to call {}",
                        method.chars().take(200).collect::<String>()
                    ),
                ))
            }
        }))
    }
}
