//! The client's `Error`: a fault from the server, kept apart from every way the call
//! itself can fail (URL, connection, HTTP status, timeout, size, malformed reply).

use crate::fault::Fault;
use std::time::Duration;

/// Why a call did not return a result.
///
/// A [`Fault`](Error::Fault) is the server's answer; everything else means no answer.
///
/// ```
/// use xmlrpc_kit::client::Error;
/// let e = Error::Fault { code: 4, string: "Too many parameters.".into() };
/// assert_eq!(e.fault().map(|f| f.code), Some(4));
/// assert_eq!(e.to_string(), "fault 4: Too many parameters.");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a fault.
    #[error("fault {code}: {string}")]
    Fault {
        /// The `faultCode`.
        code: i32,
        /// The `faultString`.
        string: String,
    },
    /// The URL cannot be used.
    #[error("invalid URL `{url}`: {reason}")]
    Url {
        /// The URL as given (credentials included, as the caller typed it).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {0}")]
    Tls(String),
    /// The server could not be reached, or the connection failed mid-call.
    #[error("cannot reach {endpoint}: {reason}")]
    Connect {
        /// The server's URL.
        endpoint: String,
        /// What went wrong.
        reason: String,
    },
    /// The server answered with an HTTP status other than 200.
    #[error("{endpoint} answered HTTP {status}: {body}")]
    Status {
        /// The server's URL.
        endpoint: String,
        /// The HTTP status code.
        status: u16,
        /// The start of the response body, for the message.
        body: String,
    },
    /// No complete answer arrived in time.
    #[error("no answer from {endpoint} within {timeout:?}")]
    Timeout {
        /// The server's URL.
        endpoint: String,
        /// The limit that ran out.
        timeout: Duration,
    },
    /// The reply was larger than the configured limit; it was not read further.
    #[error("the reply exceeds the limit of {limit} bytes")]
    ReplyTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The reply is not a valid XML-RPC response.
    #[error("the reply is not valid XML-RPC: {0}")]
    Reply(#[source] crate::Error),
    /// The result is valid XML-RPC but does not fit the type asked for.
    #[error("the result does not fit the requested type: {0}")]
    Type(#[source] crate::Error),
    /// The parameters could not be written as XML-RPC.
    #[error("the parameters cannot be sent as XML-RPC: {0}")]
    Encode(#[source] crate::Error),
    /// A parameter was nil (`None`, `()`) and the client does not allow nil.
    #[error("a parameter is nil (None), which this client is set not to send")]
    NilNotAllowed,
}

impl Error {
    /// The fault, when the server answered with one.
    pub fn fault(&self) -> Option<Fault> {
        match self {
            Error::Fault { code, string } => Some(Fault::new(*code, string.clone())),
            _ => None,
        }
    }

    /// Whether the call timed out.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }
}

impl From<Fault> for Error {
    fn from(f: Fault) -> Self {
        Error::Fault {
            code: f.code,
            string: f.string,
        }
    }
}
