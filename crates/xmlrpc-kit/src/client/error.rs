//! The client's `Error`: a fault from the server, kept apart from every way the call
//! itself can fail (URL, connection, HTTP status, timeout, size, malformed reply). Each
//! keeps its cause: walk [`source()`](std::error::Error::source) for the whole story.

use crate::fault::Fault;
use std::time::Duration;

/// A cause kept inside an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a call did not return a result.
///
/// A [`Fault`](Error::Fault) is the server's answer; everything else means no answer. The
/// message says what was being done; [`source()`](std::error::Error::source) holds the
/// underlying error (an I/O error, a TLS alert, a codec error with its position).
///
/// ```
/// use xmlrpc_kit::{client::Error, Fault};
/// let e = Error::from(Fault::new(4, "Too many parameters."));
/// assert_eq!(e.fault().map(|f| f.code), Some(4));
/// assert_eq!(e.to_string(), "fault 4: Too many parameters.");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with a fault.
    #[error("{0}")]
    Fault(Fault),
    /// The URL cannot be used.
    #[error("invalid URL `{url}`: {reason}")]
    Url {
        /// The URL as given (credentials included, as the caller typed it).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A header given to the builder is not a valid HTTP header.
    #[error("invalid header `{name}`")]
    Header {
        /// The header's name as given.
        name: String,
        /// Why it is invalid.
        #[source]
        source: BoxError,
    },
    /// The TLS configuration could not be built.
    #[error("TLS setup failed: {what}")]
    Tls {
        /// What was being set up.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A proxy URL (given, or from the environment) cannot be used.
    #[error("invalid proxy `{proxy}`: {reason}")]
    Proxy {
        /// The proxy URL as given (credentials included).
        proxy: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A client certificate or its key could not be read.
    #[error("cannot use the client certificate: {what}")]
    Identity {
        /// What was wrong.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A cookie jar could not be read or written.
    #[error("cookie jar: {what}")]
    Cookies {
        /// What was being done.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The client's background runtime or thread could not be started, or stopped.
    #[error("the client's runtime failed: {what}")]
    Runtime {
        /// What failed.
        what: &'static str,
        /// The underlying error, when there is one.
        #[source]
        source: Option<std::io::Error>,
    },
    /// The server could not be reached, or the connection failed mid-call.
    #[error("cannot reach {endpoint}")]
    Connect {
        /// The server's URL.
        endpoint: String,
        /// The underlying error (its own sources say what failed at which level).
        #[source]
        source: BoxError,
    },
    /// An `https://` URL reached a server that answered in plain HTTP.
    #[error("the server at {endpoint} answered in plain HTTP: use an http:// URL")]
    PlainHttp {
        /// The server's URL.
        endpoint: String,
        /// The TLS error that showed it.
        #[source]
        source: BoxError,
    },
    /// The reply stopped before its end, or could not be read.
    #[error("the reply from {endpoint} was cut off")]
    CutOff {
        /// The server's URL.
        endpoint: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The reply uses a `Content-Encoding` the client does not understand.
    #[error("the reply from {endpoint} uses an unknown Content-Encoding `{encoding}`")]
    Encoding {
        /// The server's URL.
        endpoint: String,
        /// The encoding it named.
        encoding: String,
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
    /// The reply was larger than the configured limit
    /// ([`max_body_size`](super::ClientBuilder::max_body_size)); it was not read further.
    #[error("the reply exceeds the limit of {limit} bytes (raise max_body_size, or receive large base64 values as Blob)")]
    BodyTooLarge {
        /// The limit.
        limit: u64,
    },
    /// The reply is not a valid XML-RPC response.
    #[error("the reply is not valid XML-RPC")]
    Reply(#[source] crate::Error),
    /// The result is valid XML-RPC but does not fit the type asked for.
    #[error("the result does not fit the requested type")]
    Type(#[source] crate::Error),
    /// The parameters could not be written as XML-RPC.
    #[error("the parameters cannot be sent as XML-RPC")]
    Encode(#[source] crate::Error),
    /// A parameter was nil (`None`, `()`) and the client does not allow nil.
    #[error("a parameter is nil (None), which this client is set not to send")]
    NilNotAllowed,
}

impl Error {
    /// The fault, when the server answered with one.
    ///
    /// ```
    /// use xmlrpc_kit::{client::Error, Fault};
    /// assert!(Error::NilNotAllowed.fault().is_none());
    /// assert_eq!(Error::Fault(Fault::new(1, "no")).fault(), Some(&Fault::new(1, "no")));
    /// ```
    pub fn fault(&self) -> Option<&Fault> {
        match self {
            Error::Fault(fault) => Some(fault),
            _ => None,
        }
    }

    /// The fault, by value, when the server answered with one; the error itself otherwise.
    ///
    /// ```
    /// use xmlrpc_kit::{client::Error, Fault};
    /// let fault = Error::Fault(Fault::new(1, "no")).into_fault().ok();
    /// assert_eq!(fault.map(|f| f.code), Some(1));
    /// ```
    pub fn into_fault(self) -> Result<Fault, Error> {
        match self {
            Error::Fault(fault) => Ok(fault),
            other => Err(other),
        }
    }

    /// Whether the call timed out.
    ///
    /// ```
    /// let e = xmlrpc_kit::client::Error::Timeout { endpoint: "http://h/".into(), timeout: std::time::Duration::from_secs(1) };
    /// assert!(e.is_timeout());
    /// ```
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// This error and its causes as one line, `outer: cause: cause`, for a message.
    ///
    /// ```
    /// use xmlrpc_kit::client::Error;
    /// let cause: xmlrpc_kit::Error = serde::de::Error::custom("no <methodResponse>");
    /// let e = Error::Reply(cause);
    /// assert_eq!(e.to_string(), "the reply is not valid XML-RPC");
    /// assert_eq!(e.chain(), "the reply is not valid XML-RPC: no <methodResponse>");
    /// ```
    pub fn chain(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            // hyper and io errors sometimes repeat their cause in their own message.
            if !text.ends_with(&cause_text) {
                text.push_str(": ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        text
    }
}

impl From<Fault> for Error {
    fn from(fault: Fault) -> Self {
        Error::Fault(fault)
    }
}
