//! CGI: one call per process, for running a method set under an existing web server. The
//! request comes in the environment (`REQUEST_METHOD`, `CONTENT_LENGTH`, `HTTP_*`) and on
//! stdin; the answer goes to stdout, CGI-style. The same limits, streaming, auth and docs
//! page apply as over HTTP.

use super::gateway::{self, Head};
use super::service::{self, ResponseBody, Shared};
use super::{io_error, ServeError, Server};
use crate::http::stream_body::StreamBody;
use bytes::Bytes;
use hyper::{Response, StatusCode};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite};

impl Server {
    /// Answers the one CGI request this process was started for: reads the CGI environment
    /// and stdin, runs the call, writes the answer to stdout, and returns. Blocks.
    ///
    /// A CGI program in Rust is then three lines (lighttpd's `mod_cgi`, Apache's
    /// `mod_cgi` or any web server that runs CGI can serve it):
    ///
    /// ```no_run
    /// fn main() -> Result<(), xmlrpc_kit::server::ServeError> {
    ///     xmlrpc_kit::Server::new().method("add", |x: i32, y: i32| x + y).serve_cgi()
    /// }
    /// ```
    ///
    /// # Errors
    /// Registration errors, or stdout failing; a bad request is answered, not an error.
    pub fn serve_cgi(self) -> Result<(), ServeError> {
        if tokio::runtime::Handle::try_current().is_ok() {
            return Err(ServeError::InsideRuntime);
        }
        let shared = self.into_shared()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(io_error("cannot start the tokio runtime"))?;
        let vars: Vec<(Vec<u8>, Vec<u8>)> = std::env::vars_os()
            .map(|(name, value)| (os_bytes(name), os_bytes(value)))
            .collect();
        runtime
            .block_on(answer(
                shared,
                &vars,
                tokio::io::stdin(),
                &mut tokio::io::stdout(),
            ))
            .map_err(io_error("cannot write the CGI answer to stdout"))
    }
}

#[cfg(unix)]
fn os_bytes(s: std::ffi::OsString) -> Vec<u8> {
    std::os::unix::ffi::OsStringExt::into_vec(s)
}

#[cfg(not(unix))]
fn os_bytes(s: std::ffi::OsString) -> Vec<u8> {
    s.to_string_lossy().into_owned().into_bytes()
}

impl super::XmlRpcService {
    /// Answers one CGI request: `vars` are the CGI variables (name, value), the body is
    /// read from `input`, the answer written to `output`. [`Server::serve_cgi`] calls it
    /// with the process's environment, stdin and stdout.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let service = xmlrpc_kit::Server::new().method("ping", || true).into_service()?;
    /// let call = b"<?xml version=\"1.0\"?><methodCall><methodName>ping</methodName></methodCall>";
    /// let vars = [
    ///     (b"REQUEST_METHOD".to_vec(), b"POST".to_vec()),
    ///     (b"CONTENT_LENGTH".to_vec(), call.len().to_string().into_bytes()),
    /// ];
    /// let mut out = Vec::new();
    /// service.answer_cgi(&vars, &call[..], &mut out).await?;
    /// assert!(String::from_utf8(out)?.starts_with("Status: 200 OK\r\n"));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Writing to `output` failed.
    pub async fn answer_cgi<R, W>(
        &self,
        vars: &[(Vec<u8>, Vec<u8>)],
        input: R,
        output: &mut W,
    ) -> std::io::Result<()>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        answer(Arc::clone(&self.shared), vars, input, output).await
    }
}

/// Answers the request that `vars` describe, its body read from `input`, on `output`.
pub(crate) async fn answer<R, W>(
    shared: Arc<Shared>,
    vars: &[(Vec<u8>, Vec<u8>)],
    input: R,
    output: &mut W,
) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let pairs = vars.iter().map(|(n, v)| (n.as_slice(), v.as_slice()));
    let response = match Head::from_vars(pairs) {
        Ok(head) => {
            let peer = head.remote;
            let length = head.content_length;
            let request = head.into_request(StreamBody::new(input, Some(length)));
            service::handle(shared, request, peer, None).await
        }
        Err(e) => {
            let mut response = Response::new(ResponseBody::from(Bytes::from(format!("{e}\n"))));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            response
        }
    };
    gateway::write_response(output, response).await.map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Arc<Shared> {
        Server::new()
            .method("add", |x: i32, y: i32| x + y)
            .into_shared()
            .unwrap()
    }

    fn vars(list: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
        list.iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect()
    }

    #[tokio::test]
    async fn a_cgi_call_is_answered_on_stdout() {
        let call = b"<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params><param><value><int>8</int></value></param><param><value><int>8</int></value></param></params></methodCall>";
        let env = vars(&[
            ("GATEWAY_INTERFACE", "CGI/1.1"),
            ("REQUEST_METHOD", "POST"),
            ("CONTENT_TYPE", "text/xml"),
            ("CONTENT_LENGTH", &call.len().to_string()),
            ("SCRIPT_NAME", "/cgi-bin/rpc.cgi"),
        ]);
        let mut out = Vec::new();
        answer(shared(), &env, &call[..], &mut out).await.unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("Status: 200 OK\r\n"), "{out}");
        assert!(out.contains("<int>16</int>"), "{out}");
    }

    #[tokio::test]
    async fn bad_cgi_requests_are_answered_with_the_reason() {
        let mut out = Vec::new();
        let env = vars(&[("REQUEST_METHOD", "POST"), ("CONTENT_LENGTH", "ten")]);
        answer(shared(), &env, &b""[..], &mut out).await.unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with("Status: 400 Bad Request\r\n"), "{out}");
        assert!(
            out.ends_with("CONTENT_LENGTH `ten` is not a length\n"),
            "{out}"
        );
        // No length: no body, so not a call; the fault says so.
        let mut out = Vec::new();
        answer(
            shared(),
            &vars(&[("REQUEST_METHOD", "POST")]),
            &b""[..],
            &mut out,
        )
        .await
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.starts_with("Status: 200 OK\r\n") && out.contains("faultCode"),
            "{out}"
        );
    }
}
