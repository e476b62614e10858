//! Running a debugging tool (`xrpc proxy`, `xrpc dump`): a runtime, a listener on the
//! address given, and the tool served on it until Ctrl-C or SIGTERM.

use crate::error::Error;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use xmlrpc_kit::server::shutdown_signal;

/// Completes on Ctrl-C or SIGTERM.
pub(crate) type Stop = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Listens on `listen`, logs `announce(address)` at info, and runs `serve` with the
/// listener and the signal it stops on.
pub(crate) fn until_signal<F, Fut>(
    listen: &str,
    announce: impl FnOnce(SocketAddr) -> String,
    serve: F,
) -> Result<(), Error>
where
    F: FnOnce(tokio::net::TcpListener, Stop) -> Fut,
    Fut: Future<Output = std::io::Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Error::Message(format!("cannot listen on {listen}: {e}")))?;
        let stop: Stop = Box::pin(shutdown_signal()?);
        tracing::info!("{}", announce(listener.local_addr()?));
        serve(listener, stop).await?;
        Ok(())
    })
}
