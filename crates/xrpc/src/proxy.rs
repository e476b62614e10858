//! `xrpc proxy`: a forwarding XML-RPC proxy that prints each call and its answer (the
//! library's `debug::Proxy`), and with `--record` writes them to a cassette.

use crate::error::Error;
use crate::show;
use std::io::Write;
use std::path::PathBuf;
use xmlrpc_kit::cassette::Recorder;
use xmlrpc_kit::debug::{Exchanged, Proxy};

/// `xrpc proxy`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct ProxyArgs {
    /// Where to listen: HOST:PORT (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8889", value_name = "ADDR")]
    pub(crate) listen: String,
    /// The server calls go to: http://HOST:PORT[/PATH] or unix:///SOCKET.
    #[arg(value_name = "UPSTREAM_URL")]
    pub(crate) upstream: String,
    /// Write every call and its answer to this cassette (JSON lines, the JSON form `xrpc
    /// decode` prints), for `xrpc serve --replay`.
    #[arg(long, value_name = "FILE")]
    pub(crate) record: Option<PathBuf>,
    /// Bodies up to this many bytes are decoded, shown and recorded; larger ones pass
    /// through streamed, shown by their size.
    #[arg(long, value_name = "BYTES", default_value_t = Proxy::DEFAULT_CAPTURE_LIMIT)]
    pub(crate) capture_limit: usize,
}

/// Runs the proxy until Ctrl-C or SIGTERM.
pub(crate) fn run(args: &ProxyArgs) -> Result<(), Error> {
    crate::log::init(false, crate::log::LogFormat::Text);
    let mut proxy = Proxy::new(&args.upstream)
        .map_err(|e| Error::Message(e.to_string()))?
        .capture_limit(args.capture_limit)
        .on_exchange(print);
    if let Some(path) = &args.record {
        let recorder = Recorder::create(path).map_err(|e| Error::Message(e.to_string()))?;
        proxy = proxy.record(recorder);
    }
    crate::listen::until_signal(
        &args.listen,
        |local| {
            format!(
                "XML-RPC proxy listening on http://{local}/RPC2, forwarding to {}{}",
                args.upstream,
                args.record
                    .as_ref()
                    .map(|p| format!(", recording to {}", p.display()))
                    .unwrap_or_default()
            )
        },
        |listener, stop| proxy.serve(listener, stop),
    )
}

/// One exchange, on two lines: the call, then the answer with status, time and sizes.
fn print(seen: &Exchanged) {
    let call = if seen.http_method == "POST" {
        show::request(&seen.call)
    } else {
        format!("{} (not a call)", seen.http_method)
    };
    let answer = match &seen.error {
        Some(e) => format!("(the upstream failed: {e})"),
        None => show::answer(&seen.answer),
    };
    let mut out = std::io::stdout().lock();
    // A closed stdout stops nothing: the proxy goes on passing calls.
    let _ = writeln!(
        out,
        "→ {call}\n← {answer}  [{} in {:.1} ms, {} up, {} down]",
        seen.status,
        seen.elapsed.as_secs_f64() * 1000.0,
        show::size(seen.request_bytes),
        show::size(seen.response_bytes),
    );
    let _ = out.flush();
}
