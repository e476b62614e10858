//! supervisord (Debian's `supervisor`), a real application that serves XML-RPC: started in
//! a temporary folder with an `[inet_http_server]` on 127.0.0.1, stopped when dropped.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running supervisord, its folder removed and the process stopped when dropped.
#[derive(Debug)]
pub struct Supervisord {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Supervisord {
    /// Starts `supervisord -n` with its configuration, log and pid file in a fresh folder,
    /// an `[inet_http_server]` on a free port of 127.0.0.1 and the `supervisor.*` RPC
    /// interface, and waits until it accepts connections.
    ///
    /// # Errors
    /// When it cannot start or does not listen within [`START`](crate::peer::START).
    ///
    /// ```no_run
    /// let supervisord = test_support::supervisor::Supervisord::start().unwrap();
    /// println!("{}", supervisord.url());
    /// ```
    pub fn start() -> Result<Supervisord, String> {
        let dir = crate::temp_dir("supervisord");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?
            .port();
        let d = dir.path().display();
        let conf = format!(
            "[supervisord]\nnodaemon=true\nlogfile={d}/supervisord.log\n\
             pidfile={d}/supervisord.pid\nchildlogdir={d}\n\n\
             [inet_http_server]\nport=127.0.0.1:{port}\n\n\
             [rpcinterface:supervisor]\n\
             supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
        );
        let path = dir.path().join("supervisord.conf");
        std::fs::write(&path, conf).map_err(|e| format!("{}: {e}", path.display()))?;
        let child = Command::new("supervisord")
            .arg("-n")
            .arg("-c")
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start supervisord: {e}"))?;
        let mut supervisord = Supervisord {
            child,
            port,
            _dir: dir,
        };
        if !crate::wait::accepts(supervisord.addr(), crate::peer::START) {
            let log = std::fs::read_to_string(supervisord._dir.path().join("supervisord.log"))
                .unwrap_or_default();
            crate::process::stop(&mut supervisord.child, Duration::from_secs(5));
            return Err(format!(
                "supervisord does not listen on 127.0.0.1:{port}; its log:\n{log}"
            ));
        }
        Ok(supervisord)
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// Its XML-RPC endpoint, `http://127.0.0.1:<port>/RPC2`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/RPC2", self.port)
    }
}

impl Drop for Supervisord {
    fn drop(&mut self) {
        crate::process::stop(&mut self.child, Duration::from_secs(5));
    }
}
