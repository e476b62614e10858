//! A minimal blocking HTTP/1.1 client over one keep-alive connection, so tests see exactly
//! the bytes on the wire; `methodCall` documents; a reply's result.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use xmlrpc_kit::Fault;

/// How long a read waits for the server before the test fails.
const READ_TIMEOUT: Duration = Duration::from_secs(20);

/// One response as it came off the wire.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers, in order, as sent (names as spelled, values trimmed).
    pub headers: Vec<(String, String)>,
    /// The body (`Content-Length` bytes; none without one).
    pub body: Vec<u8>,
}

impl Response {
    /// The first header called `name` (any case).
    ///
    /// ```
    /// let r = test_support::http::Response {
    ///     status: 200,
    ///     headers: vec![("Content-Type".into(), "text/xml".into())],
    ///     body: Vec::new(),
    /// };
    /// assert_eq!(r.header("content-type"), Some("text/xml"));
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (invalid UTF-8 replaced).
    ///
    /// ```
    /// let r = test_support::http::Response { status: 200, headers: vec![], body: b"ok".to_vec() };
    /// assert_eq!(r.text(), "ok");
    /// ```
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A keep-alive connection. Every read waits at most 20 seconds, then the test fails.
///
/// ```no_run
/// # let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
/// use test_support::http::{call_xml, Conn};
/// let mut conn = Conn::open(addr);
/// let r = conn.post(&call_xml("add", &["<int>2</int>", "<int>3</int>"]));
/// assert_eq!(r.status, 200);
/// ```
#[derive(Debug)]
pub struct Conn {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    /// Connects to `addr`.
    ///
    /// ```no_run
    /// # let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    /// let conn = test_support::http::Conn::open(addr);
    /// ```
    pub fn open(addr: SocketAddr) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .expect("a read timeout");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        Conn {
            reader: BufReader::new(stream.try_clone().expect("a second handle")),
            writer: stream,
        }
    }

    /// Connects to the host and port of an `http://` URL (`http://127.0.0.1:8080/RPC2`).
    ///
    /// ```no_run
    /// let conn = test_support::http::Conn::open_url("http://127.0.0.1:8080/RPC2");
    /// ```
    pub fn open_url(url: &str) -> Conn {
        let addr = url
            .trim_start_matches("http://")
            .split('/')
            .next()
            .and_then(|authority| authority.parse().ok())
            .unwrap_or_else(|| panic!("{url} is not http://IP:PORT/..."));
        Conn::open(addr)
    }

    /// The socket, to write raw bytes (a partial request, say).
    ///
    /// ```no_run
    /// # let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    /// use std::io::Write;
    /// let mut conn = test_support::http::Conn::open(addr);
    /// conn.raw().write_all(b"POST /RPC2 HTTP/1.1\r\nHo").unwrap();
    /// ```
    pub fn raw(&mut self) -> &mut TcpStream {
        &mut self.writer
    }

    /// Sends a request (`Host: test`, and `Content-Length` unless `headers` has one) and
    /// reads the response.
    ///
    /// ```no_run
    /// # let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    /// let mut conn = test_support::http::Conn::open(addr);
    /// let page = conn.request("GET", "/", &[("Accept", "text/html")], b"");
    /// assert_eq!(page.status, 200);
    /// ```
    pub fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Response {
        let mut head = format!("{method} {path} HTTP/1.1\r\nHost: test\r\n");
        if !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        {
            head.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        for (k, v) in headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        self.writer
            .write_all(head.as_bytes())
            .expect("write the request head");
        self.writer.write_all(body).expect("write the request body");
        self.read_response()
    }

    /// POSTs an XML-RPC body to `/RPC2`.
    ///
    /// ```no_run
    /// # let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    /// use test_support::http::{call_xml, Conn};
    /// let r = Conn::open(addr).post(&call_xml("system.listMethods", &[]));
    /// ```
    pub fn post(&mut self, body: &[u8]) -> Response {
        self.request("POST", "/RPC2", &[("Content-Type", "text/xml")], body)
    }

    /// Reads one response (after a request written with [`Conn::raw`], say).
    ///
    /// ```no_run
    /// # let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    /// use std::io::Write;
    /// let mut conn = test_support::http::Conn::open(addr);
    /// conn.raw().write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n").unwrap();
    /// assert_eq!(conn.read_response().status, 200);
    /// ```
    pub fn read_response(&mut self) -> Response {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no status in {line:?}"));
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            self.reader.read_line(&mut h).expect("a header line");
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            let (k, v) = h
                .split_once(':')
                .unwrap_or_else(|| panic!("not a header: {h:?}"));
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .map(|(_, v)| v.parse().unwrap_or_else(|_| panic!("Content-Length {v:?}")))
            .unwrap_or(0);
        let mut body = vec![0; len];
        self.reader.read_exact(&mut body).expect("the body");
        Response {
            status,
            headers,
            body,
        }
    }

    /// True when the server has closed the connection (reads EOF or reset), waiting for
    /// the read as long as any read (20 seconds); a read timing out counts as closed too.
    /// [`Conn::closes_within`] has a deadline of its own and counts a timeout as open.
    ///
    /// ```no_run
    /// # let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    /// let mut conn = test_support::http::Conn::open(addr);
    /// assert!(!conn.is_closed());
    /// ```
    pub fn is_closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.reader.read(&mut byte), Ok(0) | Err(_))
    }

    /// Whether the server closes the connection within `limit` (EOF or reset); bytes
    /// arriving instead, or nothing by the deadline, count as open.
    ///
    /// ```no_run
    /// # let addr: std::net::SocketAddr = "127.0.0.1:8080".parse().unwrap();
    /// let mut conn = test_support::http::Conn::open(addr);
    /// assert!(conn.closes_within(std::time::Duration::from_secs(2)), "idle timeout");
    /// ```
    pub fn closes_within(&mut self, limit: Duration) -> bool {
        crate::wait::closed_reading(&mut self.reader, &self.writer, limit)
    }
}

/// One request read off the wire by a test's own fake server: its head (request line and
/// headers, as sent) and its body (`Content-Length` bytes); `None` when the peer closed
/// before a whole head.
///
/// ```
/// let wire = b"POST /RPC2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcPOST";
/// let mut reader = std::io::BufReader::new(&wire[..]);
/// let (head, body) = test_support::http::read_request(&mut reader).unwrap();
/// assert!(head.starts_with("POST /RPC2"));
/// assert_eq!(body, b"abc");
/// assert!(test_support::http::read_request(&mut reader).is_none());
/// ```
pub fn read_request(reader: &mut impl BufRead) -> Option<(String, Vec<u8>)> {
    let mut head = String::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 || !line.ends_with('\n') {
            return None;
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((head, body))
}

/// A `methodCall` document: `params` are the insides of each `<value>`.
///
/// ```
/// let doc = test_support::http::call_xml("add", &["<int>1</int>"]);
/// assert_eq!(
///     String::from_utf8(doc).unwrap(),
///     "<?xml version=\"1.0\"?><methodCall><methodName>add</methodName><params>\
///      <param><value><int>1</int></value></param></params></methodCall>"
/// );
/// ```
pub fn call_xml(method: &str, params: &[&str]) -> Vec<u8> {
    let mut doc =
        format!("<?xml version=\"1.0\"?><methodCall><methodName>{method}</methodName><params>");
    for p in params {
        doc.push_str(&format!("<param><value>{p}</value></param>"));
    }
    doc.push_str("</params></methodCall>");
    doc.into_bytes()
}

/// A `methodResponse` body read as a result of type `T`, or its fault; panics (showing the
/// body) when the body is not a response at all.
///
/// ```
/// let ok = b"<methodResponse><params><param><value><int>5</int></value></param></params></methodResponse>";
/// assert_eq!(test_support::http::result::<i32>(ok), Ok(5));
/// ```
pub fn result<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Fault> {
    xmlrpc_kit::codec::decode_response::<T>(body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}
