//! `xrpc`: the xmlrpc-kit command-line tool. This file only dispatches: each subcommand's
//! module owns its arguments (a clap `Args` struct) and its run. `xrpc: <message>` and exit
//! code 1 report any failure, except a fault from a server: `fault CODE: STRING` and exit
//! code 3 (2 is clap's usage error).
//!
//! Layout:
//! - `decode`, `encode`: XML-RPC to JSON and back, through `json`, the JSON form.
//! - `call`, `methods`, `describe`, `multicall`: the client subcommands.
//! - `files`: `upload` and `download`, through the library's `files::FileClient`.
//! - `gen`: `gen rust`, a typed `#[xmlrpc_kit::api]` trait from a server's introspection.
//! - `bench`: a load generator for any XML-RPC server.
//! - `proxy`, `dump`: the debugging servers (a recording proxy, a dump server), shown
//!   through `show`; `serve --replay` serves a cassette.
//! - `serve`: the seed's service (`seed`), with TLS and auth (`secure`), its log (`log`).
//! - `connection`: the server URL and connection options every client subcommand flattens.
//! - `args`: `call`'s arguments (JSON and typed forms) and the options' value parsers.
//! - `error`: what a subcommand can fail with.

mod args;
mod bench;
mod call;
mod cgi;
mod connection;
mod decode;
mod describe;
mod dump;
mod encode;
mod error;
mod files;
mod gen;
mod listen;
use xmlrpc_kit::json;
mod log;
mod methods;
mod multicall;
mod proxy;
mod secure;
mod seed;
mod serve;
mod show;

use clap::{Parser, Subcommand};
use std::io::{self, Write};
use std::process::ExitCode;

/// XML-RPC from the command line.
#[derive(Debug, Parser)]
#[command(name = "xrpc", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
enum Command {
    /// Read an XML-RPC call, response or fault on stdin and print it as JSON.
    #[command(after_long_help = json::MAPPING_HELP)]
    Decode,
    /// Read the JSON form of a call, response or fault on stdin and print it as XML-RPC.
    #[command(after_long_help = json::MAPPING_HELP)]
    Encode,
    /// Serve the seed's methods (get_string, add, echo, image_put, image_get), the files.*
    /// service over --root (upload, download, list, stat, delete, read, write), with
    /// introspection and multicall until Ctrl-C or SIGTERM (which drain it).
    #[command(after_long_help = serve::SERVE_HELP)]
    Serve(serve::ServeArgs),
    /// Answer one call as a CGI program (the seed's methods, as `serve` offers them), for a
    /// web server's mod_cgi: the request in the environment and on stdin, the answer on
    /// stdout.
    #[command(after_long_help = cgi::CGI_HELP)]
    Cgi(cgi::CgiArgs),
    /// Call a method and print its result as JSON (exit code 3 on a fault).
    Call(call::CallArgs),
    /// Upload a file through the server's files.* service (as `xrpc serve` offers),
    /// streamed in bounded memory, with a progress bar on a terminal; checks the SHA-256
    /// the server computes of what it stored against the local file's.
    Upload(files::UploadArgs),
    /// Download a file from the server's files.* service, streamed to disk in bounded
    /// memory; it takes its local name only after its SHA-256 matches the server's.
    Download(files::DownloadArgs),
    /// List the server's methods (system.listMethods), one per line.
    Methods(methods::MethodsArgs),
    /// Show a method's help text (system.methodHelp) and signatures
    /// (system.methodSignature) as `METHOD(type, ...) -> type` lines.
    Describe(describe::DescribeArgs),
    /// Read calls from stdin, one JSON line each, send them as one system.multicall, and
    /// print one JSON line per result.
    Multicall(multicall::MulticallArgs),
    /// Load a server: call one method from many keep-alive connections for a while, then
    /// print calls/s, latency percentiles, faults and errors.
    Bench(bench::BenchArgs),
    /// Write code from a server's introspection: `xrpc gen rust URL` prints a Rust module
    /// with an `#[xmlrpc_kit::api]` trait whose generated clients call the server with types.
    Gen(gen::GenArgs),
    // The debugging servers (issue 18).
    /// Forward calls to UPSTREAM_URL, bytes unchanged and streamed, printing each call and
    /// its answer (method, params, result or fault, time, sizes); --record writes them to a
    /// cassette for `xrpc serve --replay`.
    Proxy(proxy::ProxyArgs),
    /// Serve a dump server: print every request received (headers, the decoded call,
    /// deviations from the spec) and answer each call with --answer or --fault.
    Dump(dump::DumpArgs),
}

fn main() -> ExitCode {
    let stdout = || io::stdout().lock();
    let result = match Cli::parse().command {
        Command::Decode => decode::run(io::stdin().lock(), stdout()),
        Command::Encode => encode::run(io::stdin().lock(), stdout()),
        Command::Serve(args) => serve::run(&args),
        Command::Cgi(args) => cgi::run(&args),
        Command::Call(args) => call::run(&args, stdout()),
        Command::Upload(args) => files::upload(&args, stdout()),
        Command::Download(args) => files::download(&args, stdout()),
        Command::Methods(args) => methods::run(&args, stdout()),
        Command::Describe(args) => describe::run(&args, stdout()),
        Command::Multicall(args) => multicall::run(&args, io::stdin().lock(), stdout()),
        Command::Bench(args) => bench::run(&args, stdout(), io::stderr().lock()),
        Command::Gen(args) => gen::run(&args, stdout()),
        Command::Proxy(args) => proxy::run(&args),
        Command::Dump(args) => dump::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) if e.is_fault() => {
            // The server's answer, not xrpc's failure: printed as is, without the prefix.
            let _ = writeln!(io::stderr().lock(), "{e}");
            ExitCode::from(3)
        }
        Err(e) => {
            // Nothing more can be done if stderr is gone too.
            let _ = writeln!(io::stderr().lock(), "xrpc: {}", with_causes(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error's message followed by each of its causes that it does not already say, as
/// `message: cause: cause`.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        let said = next.to_string();
        if !said.is_empty() && !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = next.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::time::Duration;

    #[test]
    fn an_error_is_printed_with_the_causes_it_does_not_already_say() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the parameters cannot be sent")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let inner = std::io::Error::other("no NaN in XML-RPC");
        assert_eq!(
            with_causes(&Outer(inner)),
            "the parameters cannot be sent: no NaN in XML-RPC"
        );
        let plain = std::io::Error::other("already said");
        assert_eq!(with_causes(&plain), "already said");
    }

    #[test]
    fn the_command_line_is_well_formed() {
        // clap checks names and arguments only when a command line is parsed; this checks
        // them all at once (a duplicate `help` subcommand, say).
        Cli::command().debug_assert();
    }

    #[test]
    fn negative_numbers_are_arguments_not_options() {
        let cli =
            Cli::try_parse_from(["xrpc", "call", "h:1", "add", "-5", "-1.5", "--xml"]).unwrap();
        let Command::Call(call) = cli.command else {
            panic!("not a call: {cli:?}");
        };
        assert_eq!(call.args, ["-5", "-1.5"]);
        assert!(call.xml);
    }

    #[test]
    fn connection_options_are_read_the_same_by_every_client_subcommand() {
        for command in ["methods", "multicall", "bench"] {
            let cli = Cli::try_parse_from([
                "xrpc",
                command,
                "--timeout",
                "2.5",
                "--header",
                "A: 1",
                "--header",
                "B:2",
                "--no-gzip",
                "--cacert",
                "roots.pem",
                "h:1",
            ])
            .unwrap();
            let connection = match cli.command {
                Command::Methods(a) => a.connection,
                Command::Multicall(a) => a.connection,
                Command::Bench(a) => a.connection,
                other => panic!("{other:?}"),
            };
            assert_eq!(connection.url, "h:1");
            assert_eq!(connection.timeout, Some(Duration::from_millis(2500)));
            assert_eq!(connection.headers.len(), 2);
            assert_eq!(connection.headers[1].value, "2");
            assert!(connection.no_gzip);
            assert_eq!(connection.cacert.as_deref(), Some("roots.pem".as_ref()));
        }
        assert!(Cli::try_parse_from(["xrpc", "methods", "--timeout", "0", "h:1"]).is_err());
        assert!(Cli::try_parse_from(["xrpc", "methods", "--header", "nocolon", "h:1"]).is_err());
    }
}
