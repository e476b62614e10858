//! `xrpc`: the xmlrpc-kit command-line tool. This file parses arguments and hands each
//! subcommand to its module; `xrpc: <message>` and exit code 1 report any failure.
//!
//! Layout:
//! - `decode`, `encode`: one module per subcommand.
//! - `seed`: the seed's service that `serve` runs.
//! - `json`: the JSON form of XML-RPC values and documents.
//! - `error`: what a subcommand can fail with.

mod decode;
mod encode;
mod error;
mod json;
mod seed;

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
    /// Serve the seed's methods (get_string, add, echo, image_put, image_get) with
    /// introspection and multicall until Ctrl-C.
    Serve {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:8888")]
        bind: String,
        /// Folder for image_put / image_get files (made if missing).
        #[arg(long, default_value = "xrpc-files")]
        root: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode => decode::run(io::stdin().lock(), io::stdout().lock()),
        Command::Encode => encode::run(io::stdin().lock(), io::stdout().lock()),
        Command::Serve { bind, root } => seed::serve(&bind, &root),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            // Nothing more can be done if stderr is gone too.
            let _ = writeln!(io::stderr().lock(), "xrpc: {e}");
            ExitCode::FAILURE
        }
    }
}
