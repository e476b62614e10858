//! `xrpc cgi`: the seed's methods (as `xrpc serve` offers them) as a CGI program, one call
//! per run, for a web server that runs CGI (lighttpd's mod_cgi, Apache's mod_cgi): the
//! request comes in the environment and on stdin, the answer goes to stdout.

use crate::error::Error;
use crate::secure::Security;
use crate::seed;
use std::path::PathBuf;
use xmlrpc_kit::server::ServeError;

/// `xrpc cgi`'s arguments.
#[derive(Debug, clap::Args)]
pub(crate) struct CgiArgs {
    /// Folder for image_put / image_get and the files.* service (made if missing).
    #[arg(long, default_value = "xrpc-files")]
    pub(crate) root: PathBuf,
    /// Require HTTP Basic authentication, as `xrpc serve --auth-file` (the web server must
    /// pass the Authorization header to CGI programs).
    #[arg(long, value_name = "FILE")]
    pub(crate) auth_file: Option<PathBuf>,
}

/// What `xrpc cgi --help` says about running it.
pub(crate) const CGI_HELP: &str = "\
Run it from the web server through a script, e.g. for lighttpd (mod_cgi):
  cgi.assign = ( \".cgi\" => \"\" )   with   rpc.cgi:  #!/bin/sh
                                              exec /usr/local/bin/xrpc cgi --root /srv/files
The web server's user must be able to write the root folder.";

/// Answers the one request this process was started for.
pub(crate) fn run(args: &CgiArgs) -> Result<(), Error> {
    let (server, _) = seed::server(&args.root, xmlrpc_kit::server::ServerConfig::default())
        .map_err(|source| ServeError::Io {
            context: format!("cannot use {} as the server's folder", args.root.display()),
            source,
        })?;
    let security = Security {
        tls: None,
        client_ca: None,
        auth_file: args.auth_file.clone(),
    };
    security.apply(server)?.serve_cgi()?;
    Ok(())
}
