//! `Error`: everything a subcommand can fail with; `main` prints it as `xrpc: <message>`.

use crate::args::ArgError;
use crate::json::ShapeError;
use std::fmt;
use std::io;

/// Why a subcommand failed.
#[derive(Debug)]
pub(crate) enum Error {
    /// XML-RPC that could not be read (its message has the line and column) or written.
    Xml(xmlrpc_kit::Error),
    /// Text that is not JSON, or JSON that could not be written.
    Json(serde_json::Error),
    /// JSON that is not the JSON form of an XML-RPC document.
    Shape(ShapeError),
    /// Reading stdin or writing stdout failed.
    Io(io::Error),
    /// The server could not start or stopped with an error.
    Serve(xmlrpc_kit::server::ServeError),
    /// A call's argument that cannot be sent (`xrpc call`).
    Arg(ArgError),
    /// A call failed: the server's fault, or no answer (URL, connection, timeout, bad reply).
    Client(xmlrpc_kit::client::Error),
    /// The server answered, but not with what the method should return.
    Answer {
        /// The method called.
        method: String,
        /// What was expected, and what came.
        problem: String,
    },
}

impl Error {
    /// Whether the reader of our output went away (`xrpc decode | head`): not worth a message.
    pub(crate) fn is_broken_pipe(&self) -> bool {
        let kind = match self {
            Error::Io(e) => Some(e.kind()),
            Error::Json(e) => e.io_error_kind(),
            Error::Xml(e) => std::error::Error::source(e)
                .and_then(|source| source.downcast_ref::<io::Error>())
                .map(io::Error::kind),
            Error::Shape(_)
            | Error::Serve(_)
            | Error::Arg(_)
            | Error::Client(_)
            | Error::Answer { .. } => None,
        };
        kind == Some(io::ErrorKind::BrokenPipe)
    }

    /// Whether the server answered with a fault: exit code 3, where other errors give 1.
    pub(crate) fn is_fault(&self) -> bool {
        matches!(self, Error::Client(xmlrpc_kit::client::Error::Fault(_)))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Xml(e) => write!(f, "{e}"),
            Error::Json(e) if e.is_io() => write!(f, "{e}"),
            Error::Json(e) => write!(f, "invalid JSON: {e}"),
            Error::Shape(e) => write!(f, "{e}"),
            Error::Io(e) => write!(f, "I/O error: {e}"),
            Error::Serve(e) => write!(f, "{e}"),
            Error::Arg(e) => write!(f, "{e}"),
            Error::Client(e) => f.write_str(&e.chain()),
            Error::Answer { method, problem } => write!(f, "{method} answered {problem}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<xmlrpc_kit::Error> for Error {
    fn from(e: xmlrpc_kit::Error) -> Self {
        Error::Xml(e)
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Json(e)
    }
}

impl From<ShapeError> for Error {
    fn from(e: ShapeError) -> Self {
        Error::Shape(e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<xmlrpc_kit::server::ServeError> for Error {
    fn from(e: xmlrpc_kit::server::ServeError) -> Self {
        Error::Serve(e)
    }
}

impl From<ArgError> for Error {
    fn from(e: ArgError) -> Self {
        Error::Arg(e)
    }
}

impl From<xmlrpc_kit::client::Error> for Error {
    fn from(e: xmlrpc_kit::client::Error) -> Self {
        Error::Client(e)
    }
}
