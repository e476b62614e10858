//! Where a server listens and in which framing: [`Bind`] names it (TCP or a Unix socket;
//! HTTP or SCGI), [`Listener`] is it bound. A Unix socket's file is made with the mode asked
//! for, a stale one left by a dead server is replaced, anything that is not a socket is never
//! removed, and the file goes when the listener does. `systemd` takes the socket a service
//! manager passed already listening (socket activation: `LISTEN_FDS`, `LISTEN_PID`, fd 3).

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use tokio::net::{TcpListener, TcpStream};
#[cfg(unix)]
use tokio::net::{UnixListener, UnixStream};

/// How requests are framed on a listener's connections.
///
/// ```
/// use xmlrpc_kit::server::{Bind, Framing};
/// assert_eq!("scgi://127.0.0.1:5000".parse::<Bind>()?.framing(), Framing::Scgi);
/// assert_eq!("127.0.0.1:8888".parse::<Bind>()?.framing(), Framing::Http);
/// # Ok::<(), xmlrpc_kit::server::BindError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// HTTP/1.1 with keep-alive.
    Http,
    /// SCGI: netstring headers, then the body; one request per connection.
    Scgi,
}

/// Where to listen: an address or a Unix socket's path, and the framing.
///
/// Parsed from the forms the client's URLs use:
///
/// | text | listens on | framing |
/// |---|---|---|
/// | `127.0.0.1:8888`, `http://127.0.0.1:8888` | TCP | HTTP |
/// | `unix:/run/app.sock`, `unix:///run/app.sock` | a Unix socket | HTTP |
/// | `scgi://127.0.0.1:5000` | TCP | SCGI |
/// | `scgi:///run/app.sock`, `scgi+unix:/run/app.sock` | a Unix socket | SCGI |
/// | `systemd` | the socket systemd passed (fd 3, `LISTEN_FDS`), TCP or Unix | HTTP |
/// | `scgi://systemd` | the same | SCGI |
///
/// ```
/// use xmlrpc_kit::server::Bind;
/// let bind: Bind = "unix:/tmp/app.sock".parse()?;
/// assert_eq!(bind.to_string(), "unix:/tmp/app.sock");
/// let scgi = Bind::tcp("127.0.0.1:5000").scgi();
/// assert_eq!(scgi.to_string(), "scgi://127.0.0.1:5000");
/// let private = Bind::unix("/tmp/app.sock").mode(0o600);
/// # let _ = private;
/// # Ok::<(), xmlrpc_kit::server::BindError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bind {
    place: Place,
    framing: Framing,
    mode: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Place {
    Tcp(String),
    Unix(PathBuf),
    Systemd,
}

/// A bind address that cannot be used, and why.
///
/// ```
/// let err = "ftp://x".parse::<xmlrpc_kit::server::Bind>().unwrap_err();
/// assert!(err.to_string().contains("unix:/PATH"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot listen on `{text}`: {reason}; use HOST:PORT, unix:/PATH, scgi://HOST:PORT or scgi:///PATH")]
pub struct BindError {
    text: String,
    reason: &'static str,
}

impl Bind {
    /// HTTP on a TCP address (`host:port`; port 0 picks a free one).
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::server::Bind::tcp("127.0.0.1:0").to_string(), "127.0.0.1:0");
    /// ```
    pub fn tcp(addr: impl Into<String>) -> Bind {
        Bind {
            place: Place::Tcp(addr.into()),
            framing: Framing::Http,
            mode: None,
        }
    }

    /// HTTP on a Unix socket at `path`.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::server::Bind::unix("/tmp/s.sock").to_string(), "unix:/tmp/s.sock");
    /// ```
    pub fn unix(path: impl Into<PathBuf>) -> Bind {
        Bind {
            place: Place::Unix(path.into()),
            framing: Framing::Http,
            mode: None,
        }
    }

    /// HTTP on the first socket the service manager passed already listening (systemd's
    /// socket activation: `LISTEN_PID` is this process, `LISTEN_FDS` at least 1, the socket
    /// at fd 3), TCP or a Unix socket. The environment variables are removed when it is
    /// taken, so a child process does not take it too.
    ///
    /// ```
    /// use xmlrpc_kit::server::Bind;
    /// assert_eq!(Bind::systemd().to_string(), "systemd");
    /// assert_eq!("systemd".parse::<Bind>()?, Bind::systemd());
    /// # Ok::<(), xmlrpc_kit::server::BindError>(())
    /// ```
    pub fn systemd() -> Bind {
        Bind {
            place: Place::Systemd,
            framing: Framing::Http,
            mode: None,
        }
    }

    /// The same place, speaking SCGI instead of HTTP.
    ///
    /// ```
    /// use xmlrpc_kit::server::{Bind, Framing};
    /// assert_eq!(Bind::unix("/tmp/s.sock").scgi().framing(), Framing::Scgi);
    /// ```
    pub fn scgi(mut self) -> Bind {
        self.framing = Framing::Scgi;
        self
    }

    /// The permissions of a Unix socket's file (`0o660`, say); without it, the process's
    /// umask decides. Ignored for TCP.
    ///
    /// ```
    /// let bind = xmlrpc_kit::server::Bind::unix("/tmp/s.sock").mode(0o660);
    /// # let _ = bind;
    /// ```
    pub fn mode(mut self, mode: u32) -> Bind {
        self.mode = Some(mode);
        self
    }

    /// The framing it serves.
    ///
    /// ```
    /// use xmlrpc_kit::server::{Bind, Framing};
    /// assert_eq!(Bind::tcp("127.0.0.1:0").framing(), Framing::Http);
    /// ```
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// The Unix socket's path, for a Unix-socket bind.
    ///
    /// ```
    /// let bind: xmlrpc_kit::server::Bind = "scgi:///tmp/s.sock".parse()?;
    /// assert_eq!(bind.socket_path(), Some(std::path::Path::new("/tmp/s.sock")));
    /// # Ok::<(), xmlrpc_kit::server::BindError>(())
    /// ```
    pub fn socket_path(&self) -> Option<&Path> {
        match &self.place {
            Place::Unix(path) => Some(path),
            Place::Tcp(_) | Place::Systemd => None,
        }
    }

    /// Binds it: for a Unix socket, replacing a stale socket file but nothing else.
    ///
    /// # Errors
    /// The address is in use or cannot be bound, a live server holds the socket, or the path
    /// is taken by something that is not a socket; for [`Bind::systemd`], no socket was
    /// passed, or it is not a listening stream socket.
    ///
    /// ```no_run
    /// # async fn example() -> std::io::Result<()> {
    /// let listener = xmlrpc_kit::server::Bind::unix("/tmp/app.sock").listen().await?;
    /// # let _ = listener;
    /// # Ok(()) }
    /// ```
    pub async fn listen(&self) -> io::Result<Listener> {
        let socket = match &self.place {
            Place::Tcp(addr) => Socket::Tcp(TcpListener::bind(addr.as_str()).await?),
            Place::Systemd => inherited()?,
            #[cfg(unix)]
            Place::Unix(path) => {
                let (listener, file) = bind_unix(path, self.mode)?;
                Socket::Unix {
                    listener,
                    _file: Some(file),
                }
            }
            #[cfg(not(unix))]
            Place::Unix(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "Unix sockets need a Unix system",
                ))
            }
        };
        Ok(Listener {
            socket,
            framing: self.framing,
        })
    }
}

impl fmt::Display for Bind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.place, self.framing) {
            (Place::Tcp(addr), Framing::Http) => f.write_str(addr),
            (Place::Tcp(addr), Framing::Scgi) => write!(f, "scgi://{addr}"),
            (Place::Unix(path), Framing::Http) => write!(f, "unix:{}", path.display()),
            (Place::Unix(path), Framing::Scgi) => write!(f, "scgi://{}", path.display()),
            (Place::Systemd, Framing::Http) => f.write_str("systemd"),
            (Place::Systemd, Framing::Scgi) => f.write_str("scgi://systemd"),
        }
    }
}

impl FromStr for Bind {
    type Err = BindError;

    fn from_str(text: &str) -> Result<Bind, BindError> {
        let fail = |reason| BindError {
            text: text.to_owned(),
            reason,
        };
        let path = |rest: &str| {
            // `unix:///p` and `unix:/p` both name `/p`; `unix:rel.sock` a relative path.
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            if rest.is_empty() {
                Err(fail("the socket's path is empty"))
            } else {
                Ok(PathBuf::from(rest))
            }
        };
        let host_port = |rest: &str| {
            let rest = rest.trim_end_matches('/');
            if rest.is_empty() || rest.contains('/') || !rest.contains(':') {
                Err(fail("expected HOST:PORT"))
            } else {
                Ok(rest.to_owned())
            }
        };
        if text == "systemd" {
            return Ok(Bind::systemd());
        }
        if text == "scgi://systemd" {
            return Ok(Bind::systemd().scgi());
        }
        if let Some(rest) = text.strip_prefix("scgi+unix:") {
            return Ok(Bind::unix(path(rest)?).scgi());
        }
        if let Some(rest) = text.strip_prefix("scgi://") {
            return if rest.starts_with('/') {
                Ok(Bind::unix(path(rest)?).scgi())
            } else {
                Ok(Bind::tcp(host_port(rest)?).scgi())
            };
        }
        if let Some(rest) = text.strip_prefix("unix:") {
            return Ok(Bind::unix(path(rest)?));
        }
        if let Some(rest) = text.strip_prefix("http://") {
            return Ok(Bind::tcp(host_port(rest)?));
        }
        if text.contains("://") {
            return Err(fail("unknown scheme"));
        }
        Ok(Bind::tcp(host_port(text)?))
    }
}

/// What [`Server::serve`](super::Server::serve), [`run`](super::Server::run) and
/// [`spawn`](super::Server::spawn) take as the place to listen: a [`Bind`], its text form
/// (`"127.0.0.1:8888"`, `"unix:/run/app.sock"`, `"scgi://127.0.0.1:5000"`), or a
/// `SocketAddr`.
///
/// ```
/// use xmlrpc_kit::server::{Bind, IntoBind};
/// assert_eq!("unix:/tmp/a.sock".into_bind()?, Bind::unix("/tmp/a.sock"));
/// let addr: std::net::SocketAddr = "127.0.0.1:0".parse().unwrap();
/// assert_eq!(addr.into_bind()?, Bind::tcp("127.0.0.1:0"));
/// # Ok::<(), xmlrpc_kit::server::BindError>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a place to listen on",
    note = "pass a `Bind`, a `SocketAddr`, or text such as \"127.0.0.1:8888\", \"unix:/run/app.sock\" or \"scgi://127.0.0.1:5000\""
)]
pub trait IntoBind {
    /// The [`Bind`] it names.
    ///
    /// # Errors
    /// Text that is not a bind address.
    fn into_bind(self) -> Result<Bind, BindError>;
}

impl IntoBind for Bind {
    fn into_bind(self) -> Result<Bind, BindError> {
        Ok(self)
    }
}

impl IntoBind for &Bind {
    fn into_bind(self) -> Result<Bind, BindError> {
        Ok(self.clone())
    }
}

impl IntoBind for &str {
    fn into_bind(self) -> Result<Bind, BindError> {
        self.parse()
    }
}

impl IntoBind for String {
    fn into_bind(self) -> Result<Bind, BindError> {
        self.parse()
    }
}

impl IntoBind for &String {
    fn into_bind(self) -> Result<Bind, BindError> {
        self.parse()
    }
}

impl IntoBind for SocketAddr {
    fn into_bind(self) -> Result<Bind, BindError> {
        Ok(Bind::tcp(self.to_string()))
    }
}

/// A bound socket a server accepts on, and the framing it speaks.
///
/// ```no_run
/// # async fn example() -> std::io::Result<()> {
/// use xmlrpc_kit::server::Listener;
/// let tcp = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// let listener = Listener::from(tcp).scgi();
/// # let _ = listener;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Listener {
    socket: Socket,
    framing: Framing,
}

#[derive(Debug)]
enum Socket {
    Tcp(TcpListener),
    #[cfg(unix)]
    Unix {
        listener: UnixListener,
        /// Removed when the listener goes (`None`: bound elsewhere, the caller's).
        _file: Option<SocketFile>,
    },
}

/// Where a listener is bound, for URLs and logs.
///
/// ```
/// use xmlrpc_kit::server::{Framing, LocalAddr};
/// let addr = LocalAddr::Unix("/tmp/s.sock".into());
/// assert_eq!(addr.url(Framing::Http, false), "unix:///tmp/s.sock");
/// assert_eq!(addr.url(Framing::Scgi, false), "scgi:///tmp/s.sock");
/// let tcp = LocalAddr::Tcp(([127, 0, 0, 1], 8888).into());
/// assert_eq!(tcp.url(Framing::Http, true), "https://127.0.0.1:8888/RPC2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalAddr {
    /// A TCP address.
    Tcp(SocketAddr),
    /// A Unix socket's path.
    Unix(PathBuf),
}

impl LocalAddr {
    /// The URL a client of this crate (or `xrpc call`) reaches it by.
    pub fn url(&self, framing: Framing, https: bool) -> String {
        match (self, framing) {
            (LocalAddr::Tcp(addr), Framing::Http) => {
                format!("{}://{addr}/RPC2", if https { "https" } else { "http" })
            }
            (LocalAddr::Tcp(addr), Framing::Scgi) => format!("scgi://{addr}"),
            (LocalAddr::Unix(path), Framing::Http) => format!("unix://{}", path.display()),
            (LocalAddr::Unix(path), Framing::Scgi) => format!("scgi://{}", path.display()),
        }
    }
}

impl Listener {
    /// The same socket, speaking SCGI instead of HTTP.
    pub fn scgi(mut self) -> Listener {
        self.framing = Framing::Scgi;
        self
    }

    /// The framing it speaks.
    pub fn framing(&self) -> Framing {
        self.framing
    }

    /// Where it is bound.
    ///
    /// # Errors
    /// The system cannot say (rare).
    pub fn local_addr(&self) -> io::Result<LocalAddr> {
        match &self.socket {
            Socket::Tcp(l) => l.local_addr().map(LocalAddr::Tcp),
            #[cfg(unix)]
            Socket::Unix { listener: l, .. } => l
                .local_addr()
                .map(|a| LocalAddr::Unix(a.as_pathname().map(Path::to_owned).unwrap_or_default())),
        }
    }

    /// Waits for the next connection.
    pub(crate) async fn accept(&self) -> io::Result<Accepted> {
        match &self.socket {
            Socket::Tcp(l) => {
                let (stream, peer) = l.accept().await?;
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!("cannot set TCP_NODELAY for {peer}: {e}");
                }
                Ok(Accepted::Tcp(stream, peer))
            }
            #[cfg(unix)]
            Socket::Unix { listener: l, .. } => Ok(Accepted::Unix(l.accept().await?.0)),
        }
    }

    pub(crate) fn is_tcp(&self) -> bool {
        matches!(self.socket, Socket::Tcp(_))
    }
}

impl From<TcpListener> for Listener {
    fn from(listener: TcpListener) -> Listener {
        Listener {
            socket: Socket::Tcp(listener),
            framing: Framing::Http,
        }
    }
}

/// A Unix listener bound elsewhere: its socket file is the caller's to remove.
#[cfg(unix)]
impl From<UnixListener> for Listener {
    fn from(listener: UnixListener) -> Listener {
        Listener {
            socket: Socket::Unix {
                listener,
                _file: None,
            },
            framing: Framing::Http,
        }
    }
}

/// The first socket passed by socket activation, made non-blocking for tokio.
fn inherited() -> io::Result<Socket> {
    let mut fds = listenfd::ListenFd::from_env();
    if fds.len() == 0 {
        return Err(io::Error::new(
            io::ErrorKind::NotFound,
            "no socket was passed (LISTEN_FDS is unset or 0, or LISTEN_PID is another process)",
        ));
    }
    if fds.len() > 1 {
        tracing::warn!(
            "{} sockets were passed; serving the first (fd 3) only",
            fds.len()
        );
    }
    if let Ok(Some(listener)) = fds.take_tcp_listener(0) {
        listener.set_nonblocking(true)?;
        return Ok(Socket::Tcp(TcpListener::from_std(listener)?));
    }
    #[cfg(unix)]
    if let Some(listener) = fds.take_unix_listener(0)? {
        listener.set_nonblocking(true)?;
        return Ok(Socket::Unix {
            listener: UnixListener::from_std(listener)?,
            _file: None,
        });
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidInput,
        "the passed socket (fd 3) is not a TCP or Unix stream socket",
    ))
}

/// A connection just accepted.
pub(crate) enum Accepted {
    Tcp(TcpStream, SocketAddr),
    #[cfg(unix)]
    Unix(UnixStream),
}

/// The socket file this process made; removed on drop if it is still the same file.
#[cfg(unix)]
#[derive(Debug)]
struct SocketFile {
    path: PathBuf,
    id: (u64, u64),
}

#[cfg(unix)]
impl Drop for SocketFile {
    fn drop(&mut self) {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::symlink_metadata(&self.path) {
            if (meta.dev(), meta.ino()) == self.id {
                let _ = std::fs::remove_file(&self.path);
            }
        }
    }
}

/// Binds a Unix socket at `path`: a socket file nobody answers on is stale and replaced;
/// a live one, or anything else at the path, is an error and left alone.
#[cfg(unix)]
fn bind_unix(path: &Path, mode: Option<u32>) -> io::Result<(UnixListener, SocketFile)> {
    use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_socket() => {
            match std::os::unix::net::UnixStream::connect(path) {
                Ok(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::AddrInUse,
                        format!("a server is already listening on {}", path.display()),
                    ))
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
                    tracing::info!("replacing the stale socket file {}", path.display());
                    std::fs::remove_file(path)?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!(
                    "{} exists and is not a socket; it is left alone",
                    path.display()
                ),
            ))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let listener = UnixListener::bind(path)?;
    let meta = std::fs::symlink_metadata(path)?;
    let file = SocketFile {
        path: path.to_owned(),
        id: (meta.dev(), meta.ino()),
    };
    if let Some(mode) = mode {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    Ok((listener, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses_to_its_place_and_framing() {
        for (text, shown, framing) in [
            ("127.0.0.1:8888", "127.0.0.1:8888", Framing::Http),
            ("http://127.0.0.1:8888/", "127.0.0.1:8888", Framing::Http),
            ("[::1]:80", "[::1]:80", Framing::Http),
            ("unix:/run/a.sock", "unix:/run/a.sock", Framing::Http),
            ("unix:///run/a.sock", "unix:/run/a.sock", Framing::Http),
            ("unix:rel.sock", "unix:rel.sock", Framing::Http),
            (
                "scgi://127.0.0.1:5000",
                "scgi://127.0.0.1:5000",
                Framing::Scgi,
            ),
            ("scgi:///run/a.sock", "scgi:///run/a.sock", Framing::Scgi),
            ("scgi+unix:/run/a.sock", "scgi:///run/a.sock", Framing::Scgi),
            ("systemd", "systemd", Framing::Http),
            ("scgi://systemd", "scgi://systemd", Framing::Scgi),
        ] {
            let bind: Bind = text.parse().unwrap();
            assert_eq!(bind.to_string(), shown, "{text}");
            assert_eq!(bind.framing(), framing, "{text}");
        }
    }

    #[test]
    fn unusable_forms_say_which_forms_work() {
        for text in ["ftp://h:1", "unix:", "scgi://", "localhost", "http://h/x"] {
            let err = text.parse::<Bind>().unwrap_err().to_string();
            assert!(err.contains("scgi:///PATH"), "{text}: {err}");
        }
    }

    #[tokio::test]
    async fn a_stale_socket_is_replaced_and_other_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sock");
        // A socket file with nobody listening: a dead server's.
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        let listener = Bind::unix(&path).mode(0o600).listen().await.unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // A live one is not taken over.
        let err = Bind::unix(&path).listen().await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
        drop(listener);
        assert!(!path.exists(), "the socket file goes with the listener");
        // A regular file is never removed.
        std::fs::write(&path, b"data").unwrap();
        let err = Bind::unix(&path).listen().await.unwrap_err();
        assert!(err.to_string().contains("not a socket"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"data");
    }
}
