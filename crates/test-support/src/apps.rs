//! Real applications the tests start, each from Debian's package, in a temp folder of its
//! own, on loopback or a Unix socket there, waited on until it answers, and killed when
//! dropped: supervisord, rTorrent, nginx, lighttpd, HAProxy, tinyproxy and DokuWiki. Each starter fails with the
//! application's own log when it does not come up.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long an application may take to start answering.
const START: Duration = Duration::from_secs(20);

/// A running application, killed (and waited for) when dropped.
#[derive(Debug)]
pub struct App {
    child: Child,
    /// Where it answers: a TCP port on 127.0.0.1, or a Unix socket.
    pub place: Place,
    /// Its folder (configuration, logs, sockets).
    pub dir: PathBuf,
}

/// Where an application listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// 127.0.0.1 and this port.
    Port(u16),
    /// A Unix socket at this path.
    Socket(PathBuf),
}

impl Place {
    /// Whether something accepts connections there now.
    pub fn accepts(&self) -> bool {
        match self {
            Place::Port(port) => {
                TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], *port))).is_ok()
            }
            Place::Socket(path) => UnixStream::connect(path).is_ok(),
        }
    }
}

impl App {
    /// Starts `command` and waits until `place` accepts; on failure, the error holds the
    /// text of `log` (the application's own log file) and of its stderr.
    ///
    /// # Errors
    /// It did not start, exited, or did not listen within the start limit.
    pub fn start(
        mut command: Command,
        place: Place,
        dir: &Path,
        log: &Path,
    ) -> Result<App, String> {
        let described = crate::process::describe(&command);
        // Into a file, so a chatty application never blocks on a full pipe.
        let stderr_path = dir.join("stderr.log");
        let stderr = std::fs::File::create(&stderr_path).map_err(|e| e.to_string())?;
        let child = command
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("cannot start {described}: {e}"))?;
        let mut app = App {
            child,
            place,
            dir: dir.to_owned(),
        };
        let up = crate::wait::until(START, || {
            app.place.accepts() || app.child.try_wait().ok().flatten().is_some()
        });
        let exited = app.child.try_wait().ok().flatten();
        if up && exited.is_none() {
            return Ok(app);
        }
        let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
        let logged = std::fs::read_to_string(log).unwrap_or_default();
        Err(format!(
            "{described} {}; its log:\n{logged}\nits stderr:\n{err}",
            match exited {
                Some(status) => format!("exited: {status}"),
                None => format!("did not listen on {:?} within {START:?}", app.place),
            }
        ))
    }

    /// The port it listens on (0 for a Unix socket).
    pub fn port(&self) -> u16 {
        match self.place {
            Place::Port(port) => port,
            Place::Socket(_) => 0,
        }
    }

    /// The process's id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 that was free a moment ago, for applications that cannot be told to
/// pick one themselves.
///
/// ```
/// assert_ne!(test_support::apps::free_port(), 0);
/// ```
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// supervisord (Debian's `supervisor`) in the foreground in `dir`, with its XML-RPC
/// interface on `place` (a Unix socket, its default deployment, or a TCP port), behind
/// `user:password` when given, and one program, `sleeper` (`sleep 600`), started.
///
/// # Errors
/// As [`App::start`].
///
/// ```no_run
/// let dir = test_support::temp_dir("supervisor-doc");
/// let sock = dir.path().join("supervisor.sock");
/// let app = test_support::apps::supervisord(
///     dir.path(),
///     test_support::apps::Place::Socket(sock),
///     Some(("user", "123")),
/// )
/// .unwrap();
/// ```
pub fn supervisord(
    dir: &Path,
    place: Place,
    credentials: Option<(&str, &str)>,
) -> Result<App, String> {
    let auth = credentials
        .map(|(user, password)| format!("username={user}\npassword={password}\n"))
        .unwrap_or_default();
    let server = match &place {
        Place::Socket(path) => format!(
            "[unix_http_server]\nfile={}\nchmod=0700\n{auth}",
            path.display()
        ),
        Place::Port(port) => format!("[inet_http_server]\nport=127.0.0.1:{port}\n{auth}"),
    };
    let log = dir.join("supervisord.log");
    let conf = format!(
        "{server}
[supervisord]
nodaemon=true
user=root
logfile={log}
pidfile={dir}/supervisord.pid
childlogdir={dir}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:sleeper]
command=/bin/sleep 600
autostart=true
startsecs=0
",
        log = log.display(),
        dir = dir.display(),
    );
    let conf_path = dir.join("supervisord.conf");
    std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
    let mut command = Command::new("supervisord");
    command.arg("-n").arg("-c").arg(&conf_path);
    App::start(command, place, dir, &log)
}

/// rTorrent (Debian's `rtorrent`) as a daemon (`-n -o import=RC`, `system.daemon.set =
/// true`) with its session in `dir`, no DHT, peer exchange or UDP trackers, and XML-RPC over
/// SCGI on `place` (`network.scgi.open_port` or `network.scgi.open_local`).
///
/// # Errors
/// As [`App::start`].
pub fn rtorrent(dir: &Path, place: Place) -> Result<App, String> {
    let session = dir.join("session");
    let downloads = dir.join("downloads");
    for d in [&session, &downloads] {
        std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
    }
    let scgi = match &place {
        Place::Port(port) => format!("network.scgi.open_port = 127.0.0.1:{port}"),
        Place::Socket(path) => format!("network.scgi.open_local = {}", path.display()),
    };
    let log = dir.join("rtorrent.log");
    let peer_port = free_port();
    let rc = format!(
        "session.path.set = {session}
directory.default.set = {downloads}
{scgi}
network.bind_address.set = 127.0.0.1
network.port_range.set = {peer_port}-{peer_port}
network.port_random.set = no
dht.mode.set = disable
protocol.pex.set = no
trackers.use_udp.set = no
system.daemon.set = true
log.open_file = \"main\", {log}
log.add_output = \"info\", \"main\"
",
        session = session.display(),
        downloads = downloads.display(),
        log = log.display(),
    );
    let rc_path = dir.join("rtorrent.rc");
    std::fs::write(&rc_path, rc).map_err(|e| e.to_string())?;
    let mut command = Command::new("rtorrent");
    command
        .arg("-n")
        .arg("-o")
        .arg(format!("import={}", rc_path.display()))
        .env("HOME", dir)
        .env("TERM", "dumb");
    App::start(command, place, dir, &log)
}

/// nginx (Debian's `nginx`) in the foreground with everything in `dir`, listening on a free
/// port of 127.0.0.1, with `locations` (nginx configuration text) inside its one `server`.
///
/// # Errors
/// As [`App::start`].
///
/// ```no_run
/// let dir = test_support::temp_dir("nginx-doc");
/// let nginx = test_support::apps::nginx(
///     dir.path(),
///     "location /RPC2 { include /etc/nginx/scgi_params; scgi_pass 127.0.0.1:5000; }",
/// )
/// .unwrap();
/// println!("http://127.0.0.1:{}/RPC2", nginx.port());
/// ```
pub fn nginx(dir: &Path, locations: &str) -> Result<App, String> {
    nginx_with(dir, "", locations)
}

/// [`nginx`] with `http` (nginx configuration text: `upstream` blocks, say) in its `http`
/// block, before the `server`.
///
/// # Errors
/// As [`App::start`].
///
/// ```no_run
/// let dir = test_support::temp_dir("nginx-doc");
/// let nginx = test_support::apps::nginx_with(
///     dir.path(),
///     "upstream xrpc { server 127.0.0.1:8001; server 127.0.0.1:8002; }",
///     "location / { proxy_pass http://xrpc; }",
/// )
/// .unwrap();
/// ```
pub fn nginx_with(dir: &Path, http: &str, locations: &str) -> Result<App, String> {
    let port = free_port();
    let log = dir.join("error.log");
    let d = dir.display();
    let conf = format!(
        "daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{ worker_connections 256; }}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    {http}
    server {{
        listen 127.0.0.1:{port};
        {locations}
    }}
}}
"
    );
    let conf_path = dir.join("nginx.conf");
    std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
    let mut command = Command::new("nginx");
    command
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&conf_path)
        .arg("-e")
        .arg(&log);
    App::start(command, Place::Port(port), dir, &log)
}

/// lighttpd (Debian's `lighttpd`) in the foreground with `mod_cgi`, serving `docroot` on a
/// free port of 127.0.0.1, running files ending in `.cgi` as CGI programs.
///
/// # Errors
/// As [`App::start`].
pub fn lighttpd_cgi(dir: &Path, docroot: &Path) -> Result<App, String> {
    let port = free_port();
    let log = dir.join("error.log");
    let conf = format!(
        "server.document-root = \"{root}\"
server.bind = \"127.0.0.1\"
server.port = {port}
server.errorlog = \"{log}\"
server.pid-file = \"{d}/lighttpd.pid\"
server.modules = ( \"mod_cgi\" )
cgi.assign = ( \".cgi\" => \"\" )
server.max-request-size = 1048576
",
        root = docroot.display(),
        log = log.display(),
        d = dir.display(),
    );
    let conf_path = dir.join("lighttpd.conf");
    std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
    let mut command = Command::new("lighttpd");
    command.arg("-D").arg("-f").arg(&conf_path);
    App::start(command, Place::Port(port), dir, &log)
}

/// HAProxy (Debian's `haproxy`) in the foreground, listening on a free port of 127.0.0.1 and
/// balancing round-robin over `backends` (ports of 127.0.0.1), each checked every 200 ms
/// with `GET /healthz` (down after one failed check, up after one good one); a connection
/// that fails is retried on another server. Timeouts suit long calls (5 minutes).
///
/// # Errors
/// As [`App::start`].
///
/// ```no_run
/// let dir = test_support::temp_dir("haproxy-doc");
/// let haproxy = test_support::apps::haproxy(dir.path(), &[8001, 8002]).unwrap();
/// println!("http://127.0.0.1:{}/RPC2", haproxy.port());
/// ```
pub fn haproxy(dir: &Path, backends: &[u16]) -> Result<App, String> {
    let port = free_port();
    let log = dir.join("stderr.log");
    let servers: String = backends
        .iter()
        .enumerate()
        .map(|(i, p)| format!("    server s{i} 127.0.0.1:{p} check\n"))
        .collect();
    let conf = format!(
        "global
    maxconn 1024
defaults
    mode http
    timeout connect 2s
    timeout client 300s
    timeout server 300s
    timeout http-request 30s
    retries 3
    option redispatch 1
    retry-on conn-failure
frontend front
    bind 127.0.0.1:{port}
    option forwardfor
    default_backend xrpc
backend xrpc
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 200ms fall 1 rise 1
{servers}"
    );
    let conf_path = dir.join("haproxy.cfg");
    std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
    let mut command = Command::new("haproxy");
    command.arg("-db").arg("-f").arg(&conf_path);
    App::start(command, Place::Port(port), dir, &log)
}

/// tinyproxy (Debian's `tinyproxy`), a forward proxy, in the foreground on a free port of
/// 127.0.0.1, requiring `user:password` (Basic) when given. Its log, at `dir/tinyproxy.log`,
/// names each request it passed (`Request ...: POST http://...` for plain HTTP,
/// `CONNECT host:port` for a tunnel): [`tinyproxy_log`] reads it.
///
/// # Errors
/// As [`App::start`].
///
/// ```no_run
/// let dir = test_support::temp_dir("tinyproxy-doc");
/// let proxy = test_support::apps::tinyproxy(dir.path(), Some(("alice", "s3cret"))).unwrap();
/// println!("http://alice:s3cret@127.0.0.1:{}", proxy.port());
/// ```
pub fn tinyproxy(dir: &Path, basic_auth: Option<(&str, &str)>) -> Result<App, String> {
    let port = free_port();
    let log = dir.join("tinyproxy.log");
    let auth = basic_auth
        .map(|(user, password)| format!("BasicAuth {user} {password}\n"))
        .unwrap_or_default();
    // No ConnectPort line: CONNECT is allowed to any port (the test servers' are random).
    let conf = format!(
        "Port {port}
Listen 127.0.0.1
Timeout 30
LogFile \"{log}\"
LogLevel Info
PidFile \"{d}/tinyproxy.pid\"
MaxClients 32
Allow 127.0.0.1
{auth}",
        log = log.display(),
        d = dir.display(),
    );
    let conf_path = dir.join("tinyproxy.conf");
    std::fs::write(&conf_path, conf).map_err(|e| e.to_string())?;
    let mut command = Command::new("tinyproxy");
    command.arg("-d").arg("-c").arg(&conf_path);
    App::start(command, Place::Port(port), dir, &log)
}

/// The requests a [`tinyproxy`]'s log records, as their request lines (`POST
/// http://127.0.0.1:PORT/RPC2 HTTP/1.1`, `CONNECT 127.0.0.1:PORT HTTP/1.1`).
///
/// ```no_run
/// let dir = test_support::temp_dir("tinyproxy-log-doc");
/// let proxy = test_support::apps::tinyproxy(dir.path(), None).unwrap();
/// assert!(test_support::apps::tinyproxy_log(&proxy).is_empty());
/// ```
pub fn tinyproxy_log(proxy: &App) -> Vec<String> {
    std::fs::read_to_string(proxy.dir.join("tinyproxy.log"))
        .unwrap_or_default()
        .lines()
        .filter(|line| line.contains("]: Request (file descriptor"))
        .map(|line| {
            line.split_once("): ")
                .map_or(line, |(_, request)| request)
                .to_owned()
        })
        .collect()
}

/// Whether [`dokuwiki`] can run here: DokuWiki, lighttpd and php-cgi installed. When they
/// are not, the missing-peer rule applies ([`crate::peer::skip`]: a failure on CI, a note
/// elsewhere).
///
/// ```no_run
/// if !test_support::apps::dokuwiki_installed() {
///     return;
/// }
/// ```
pub fn dokuwiki_installed() -> bool {
    let installed = Path::new("/usr/share/dokuwiki/lib/exe/xmlrpc.php").exists()
        && crate::peer::have("php-cgi")
        && crate::peer::have("lighttpd");
    if !installed {
        crate::peer::skip(
            "DokuWiki under lighttpd and php-cgi",
            "dokuwiki php-cgi lighttpd",
        );
    }
    installed
}

/// DokuWiki (Debian's `dokuwiki`, PHP) under lighttpd and `php-cgi` on a free port of
/// 127.0.0.1, with a configuration and data folder of its own in `dir` (copies of
/// `/etc/dokuwiki` and `/var/lib/dokuwiki/data`; the package's files are used as they are):
/// the XML-RPC API on (`remote`), open to the group `user`, and one user `user` with
/// `password` in it. Its API is at `http://127.0.0.1:PORT/lib/exe/xmlrpc.php`; calls other
/// than `dokuwiki.login` need the session cookie the login sets.
///
/// # Errors
/// As [`App::start`], or a copy that failed.
///
/// ```no_run
/// let dir = test_support::temp_dir("dokuwiki-doc");
/// let wiki = test_support::apps::dokuwiki(dir.path(), "tester", "secret").unwrap();
/// println!("http://127.0.0.1:{}/lib/exe/xmlrpc.php", wiki.port());
/// ```
pub fn dokuwiki(dir: &Path, user: &str, password: &str) -> Result<App, String> {
    let conf = dir.join("conf");
    let data = dir.join("data");
    let sessions = dir.join("sessions");
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (from, to) in [("/etc/dokuwiki", &conf), ("/var/lib/dokuwiki/data", &data)] {
        let status = Command::new("cp")
            .arg("-rL")
            .arg(from)
            .arg(to)
            .status()
            .map_err(|e| format!("cp {from}: {e}"))?;
        if !status.success() {
            return Err(format!("cp -rL {from} {}: {status}", to.display()));
        }
    }
    std::fs::create_dir_all(&sessions).map_err(|e| e.to_string())?;
    let hash = crate::tls::openssl(dir, &["passwd", "-1", password]);
    let write =
        |path: PathBuf, text: String| std::fs::write(&path, text).map_err(|e| e.to_string());
    write(
        conf.join("local.php"),
        format!(
            "<?php
$conf['title'] = 'xmlrpc-kit test wiki';
$conf['savedir'] = '{data}';
$conf['useacl'] = 1;
$conf['authtype'] = 'authplain';
$conf['superuser'] = '@admin';
$conf['remote'] = 1;
$conf['remoteuser'] = '@user';
",
            data = data.display()
        ),
    )?;
    write(
        conf.join("users.auth.php"),
        format!("{user}:{}:Test User:{user}@localhost:user\n", hash.trim()),
    )?;
    write(
        data.join("pages").join("start.txt"),
        "====== Welcome ======\nThis wiki runs for xmlrpc-kit's tests.\n".to_owned(),
    )?;
    // Debian's preload.php reads the configuration from /etc/dokuwiki unless these are
    // defined first: PHP defines them before DokuWiki runs.
    write(
        dir.join("prepend.php"),
        format!(
            "<?php\ndefine('DOKU_CONF', '{c}/');\ndefine('DOKU_MAIN_CONF', '{c}/');\n",
            c = conf.display()
        ),
    )?;
    let php = dir.join("php-cgi");
    write(
        php.clone(),
        format!(
            "#!/bin/sh\nexec /usr/bin/php-cgi -d auto_prepend_file={d}/prepend.php \
             -d cgi.force_redirect=0 -d session.save_path={s} \"$@\"\n",
            d = dir.display(),
            s = sessions.display()
        ),
    )?;
    let status = Command::new("chmod")
        .arg("+x")
        .arg(&php)
        .status()
        .map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("chmod +x {}: {status}", php.display()));
    }
    let port = free_port();
    let log = dir.join("error.log");
    write(
        dir.join("lighttpd.conf"),
        format!(
            "server.document-root = \"/usr/share/dokuwiki\"
server.bind = \"127.0.0.1\"
server.port = {port}
server.errorlog = \"{log}\"
server.pid-file = \"{d}/lighttpd.pid\"
server.modules = ( \"mod_cgi\" )
cgi.assign = ( \".php\" => \"{php}\" )
",
            log = log.display(),
            d = dir.display(),
            php = php.display(),
        ),
    )?;
    let mut command = Command::new("lighttpd");
    command.arg("-D").arg("-f").arg(dir.join("lighttpd.conf"));
    App::start(command, Place::Port(port), dir, &log)
}
