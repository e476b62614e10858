//! `xrpc`: the xmlrpc-kit command-line tool. This file parses arguments and hands each
//! subcommand to its module; `xrpc: <message>` and exit code 1 report any failure, except a
//! fault from a server: `fault CODE: STRING` and exit code 3 (2 is clap's usage error).
//!
//! Layout:
//! - `decode`, `encode`: one module per subcommand.
//! - `call`: the client subcommands `call`, `methods`, `help` and `multicall`.
//! - `bench`: `bench`, a load generator for any XML-RPC server.
//! - `args`: `call`'s arguments (JSON and typed forms) and the client options' values.
//! - `files`: `upload` and `download`, through a server's `files.*` service.
//! - `seed`: the seed's service that `serve` runs; `secure`: its TLS and auth options.
//! - `json`: the JSON form of XML-RPC values and documents.
//! - `error`: what a subcommand can fail with.

mod args;
mod bench;
mod call;
mod decode;
mod encode;
mod error;
mod files;
mod json;
mod secure;
mod seed;

use clap::{Parser, Subcommand};
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

/// XML-RPC from the command line.
#[derive(Debug, Parser)]
// `xrpc help URL METHOD` is a client subcommand, so clap's own `help` subcommand is off
// (`--help` still works everywhere).
#[command(
    name = "xrpc",
    version,
    about,
    propagate_version = true,
    disable_help_subcommand = true
)]
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
    /// introspection and multicall until Ctrl-C.
    Serve {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:8888")]
        bind: String,
        /// Folder for image_put / image_get and the files.* service (made if missing).
        #[arg(long, default_value = "xrpc-files")]
        root: std::path::PathBuf,
        /// Serve HTTPS with this certificate chain (PEM, the server's certificate first).
        #[arg(long, value_name = "PEM", requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// The private key (PEM) of --tls-cert.
        #[arg(long, value_name = "PEM", requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// Require HTTP Basic authentication: a file of `user:hash` lines, hashes made by
        /// `openssl passwd -6` or argon2 (`$argon2id$...`); see SECURITY.md.
        #[arg(long, value_name = "FILE")]
        auth_file: Option<std::path::PathBuf>,
    },
    /// Call a method and print its result as JSON (exit code 3 on a fault).
    #[command(after_long_help = args::ARGS_HELP)]
    Call {
        #[command(flatten)]
        client: ClientArgs,
        /// The method's name.
        method: String,
        /// The method's arguments: JSON where it parses, a string otherwise, or a typed
        /// form (i/5, s/text, @PATH...; see --help).
        #[arg(allow_negative_numbers = true)]
        args: Vec<String>,
        /// Print the result as an XML-RPC <methodResponse> instead of JSON. It is written
        /// anew from the decoded result (same values, not the server's exact bytes).
        #[arg(long)]
        xml: bool,
    },
    /// Upload a file through the server's files.* service (as `xrpc serve` offers),
    /// streamed in bounded memory, with a progress bar on a terminal; checks the SHA-256
    /// the server computes of what it stored against the local file's.
    Upload {
        #[command(flatten)]
        client: ClientArgs,
        /// The file to send.
        local: std::path::PathBuf,
        /// Its name on the server (default: the local file's name).
        remote: Option<String>,
    },
    /// Download a file from the server's files.* service, streamed to disk in bounded
    /// memory; it takes its local name only after its SHA-256 matches the server's.
    Download {
        #[command(flatten)]
        client: ClientArgs,
        /// The file's name on the server.
        remote: String,
        /// Where to put it: a file name or a folder (default: the remote name's last part,
        /// in the current folder).
        local: Option<std::path::PathBuf>,
    },
    /// List the server's methods (system.listMethods), one per line.
    Methods {
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Show a method's help text (system.methodHelp) and signatures
    /// (system.methodSignature) as `METHOD(type, ...) -> type` lines.
    Help {
        #[command(flatten)]
        client: ClientArgs,
        /// The method's name.
        method: String,
    },
    /// Read calls from stdin, one JSON line each, send them as one system.multicall, and
    /// print one JSON line per result.
    #[command(after_long_help = call::MULTICALL_HELP)]
    Multicall {
        #[command(flatten)]
        client: ClientArgs,
    },
    /// Load a server: call one method from many keep-alive connections for a while, then
    /// print calls/s, latency percentiles, faults and errors.
    #[command(after_long_help = bench::BENCH_HELP)]
    Bench {
        #[command(flatten)]
        client: ClientArgs,
        /// The method to call.
        #[arg(long, default_value = "add")]
        method: String,
        /// The method's parameters: a JSON array, or @FILE holding one.
        #[arg(long, default_value = "[8, 8]")]
        params: String,
        /// Concurrent connections, each making one call at a time.
        #[arg(long, short = 'c', default_value_t = 16)]
        connections: usize,
        /// How long to keep calling, in seconds (fractions allowed).
        #[arg(long, short = 'd', value_name = "SECS", default_value = "10", value_parser = args::parse_timeout)]
        duration: Duration,
        /// Threads of the async runtime that drives the connections.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// Use the blocking client, one thread per connection, calls one after the other.
        #[arg(long)]
        blocking: bool,
        /// Print the results as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

/// The server and the options every client subcommand takes.
#[derive(Debug, clap::Args)]
struct ClientArgs {
    /// The server: http://host:port/path or https://..., with user:password@ for Basic
    /// auth; the path defaults to /RPC2, and host:port alone means http://host:port/RPC2.
    url: String,
    /// Time allowed for the whole call, in seconds (fractions allowed; default 60).
    #[arg(long, value_name = "SECS", value_parser = args::parse_timeout)]
    timeout: Option<Duration>,
    /// Add a request header (repeatable).
    #[arg(long = "header", value_name = "NAME: VALUE", value_parser = args::parse_header)]
    headers: Vec<args::Header>,
    /// Do not ask for gzip-compressed replies.
    #[arg(long)]
    no_gzip: bool,
}

impl ClientArgs {
    /// The settings for a file transfer: no time limit unless `--timeout` sets one (a
    /// large file takes as long as it takes).
    fn transfer_connection(self) -> call::Connection {
        let timeout = self.timeout.or(Some(Duration::from_secs(365 * 24 * 3600)));
        call::Connection {
            timeout,
            ..self.connection()
        }
    }

    /// The settings `call` uses.
    fn connection(self) -> call::Connection {
        call::Connection {
            url: self.url,
            timeout: self.timeout,
            headers: self.headers,
            gzip: !self.no_gzip,
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode => decode::run(io::stdin().lock(), io::stdout().lock()),
        Command::Encode => encode::run(io::stdin().lock(), io::stdout().lock()),
        Command::Serve {
            bind,
            root,
            tls_cert,
            tls_key,
            auth_file,
        } => {
            let security = secure::Security {
                tls: tls_cert.zip(tls_key),
                auth_file,
            };
            seed::serve(&bind, &root, &security)
        }
        Command::Call {
            client,
            method,
            args,
            xml,
        } => {
            let format = if xml {
                call::Format::Xml
            } else {
                call::Format::Json
            };
            let connection = client.connection();
            call::call(&connection, &method, &args, format, io::stdout().lock())
        }
        Command::Upload {
            client,
            local,
            remote,
        } => files::upload(
            &client.transfer_connection(),
            &local,
            remote.as_deref(),
            io::stdout().lock(),
        ),
        Command::Download {
            client,
            remote,
            local,
        } => files::download(
            &client.transfer_connection(),
            &remote,
            local.as_deref(),
            io::stdout().lock(),
        ),
        Command::Methods { client } => call::methods(&client.connection(), io::stdout().lock()),
        Command::Help { client, method } => {
            call::help(&client.connection(), &method, io::stdout().lock())
        }
        Command::Multicall { client } => call::multicall(
            &client.connection(),
            io::stdin().lock(),
            io::stdout().lock(),
        ),
        Command::Bench {
            client,
            method,
            params,
            connections,
            duration,
            threads,
            blocking,
            json,
        } => {
            let options = bench::Options {
                url: client.url,
                headers: client.headers,
                timeout: client.timeout,
                gzip: !client.no_gzip,
                method,
                params,
                connections,
                duration,
                threads,
                blocking,
                json,
            };
            bench::bench(&options, io::stdout().lock())
        }
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
            let _ = writeln!(io::stderr().lock(), "xrpc: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

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
        let Command::Call { args, xml, .. } = cli.command else {
            panic!("not a call: {cli:?}");
        };
        assert_eq!(args, ["-5", "-1.5"]);
        assert!(xml);
    }

    #[test]
    fn client_options_are_read() {
        let cli = Cli::try_parse_from([
            "xrpc",
            "methods",
            "--timeout",
            "2.5",
            "--header",
            "A: 1",
            "--header",
            "B:2",
            "--no-gzip",
            "h:1",
        ])
        .unwrap();
        let Command::Methods { client } = cli.command else {
            panic!("not methods: {cli:?}");
        };
        let connection = client.connection();
        assert_eq!(connection.url, "h:1");
        assert_eq!(connection.timeout, Some(Duration::from_millis(2500)));
        assert_eq!(connection.headers.len(), 2);
        assert_eq!(connection.headers[1].value, "2");
        assert!(!connection.gzip);
        assert!(Cli::try_parse_from(["xrpc", "methods", "--timeout", "0", "h:1"]).is_err());
        assert!(Cli::try_parse_from(["xrpc", "methods", "--header", "nocolon", "h:1"]).is_err());
    }
}
