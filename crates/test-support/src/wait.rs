//! Waiting for state with a deadline, instead of sleeping for a guess: a condition, a port
//! that accepts, a connection the other side closed.

use std::io::{ErrorKind, Read};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// The longest pause between two looks at the state: short, so a wait ends soon after the
/// state is reached.
const MAX_PAUSE: Duration = Duration::from_millis(20);

/// Looks at `probe` until it gives a value or `limit` has passed (it is looked at once more
/// at the deadline); the value, or `None` when time ran out.
///
/// ```
/// use std::time::{Duration, Instant};
/// let start = Instant::now();
/// let later = test_support::wait::for_value(Duration::from_secs(5), || {
///     (start.elapsed() > Duration::from_millis(30)).then_some(7)
/// });
/// assert_eq!(later, Some(7));
/// assert_eq!(test_support::wait::for_value(Duration::from_millis(10), || None::<u8>), None);
/// ```
pub fn for_value<T>(limit: Duration, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    let mut pause = Duration::from_millis(1);
    loop {
        if let Some(value) = probe() {
            return Some(value);
        }
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        std::thread::sleep(pause.min(deadline - now));
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// Looks at `ready` until it holds or `limit` has passed; whether it held.
///
/// ```
/// use std::time::Duration;
/// let file = std::env::temp_dir().join(format!("wait-doc-{}", std::process::id()));
/// std::fs::write(&file, b"x").unwrap();
/// assert!(test_support::wait::until(Duration::from_secs(5), || file.exists()));
/// std::fs::remove_file(&file).unwrap();
/// assert!(!test_support::wait::until(Duration::from_millis(20), || file.exists()));
/// ```
pub fn until(limit: Duration, mut ready: impl FnMut() -> bool) -> bool {
    for_value(limit, || ready().then_some(())).is_some()
}

/// Whether something accepts TCP connections at `addr` within `limit`.
///
/// ```
/// use std::time::Duration;
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let addr = listener.local_addr().unwrap();
/// assert!(test_support::wait::accepts(addr, Duration::from_secs(5)));
/// drop(listener);
/// assert!(!test_support::wait::accepts(addr, Duration::from_millis(20)));
/// ```
pub fn accepts(addr: SocketAddr, limit: Duration) -> bool {
    until(limit, || {
        TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok()
    })
}

/// Whether the other side closes `stream` within `limit`: a read sees the end of the stream
/// or a reset. Bytes arriving instead, or nothing by the deadline, count as open.
///
/// ```
/// use std::time::Duration;
/// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let mut stream = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
/// let (accepted, _) = listener.accept().unwrap();
/// assert!(!test_support::wait::closed(&mut stream, Duration::from_millis(50)));
/// drop(accepted);
/// assert!(test_support::wait::closed(&mut stream, Duration::from_secs(5)));
/// ```
pub fn closed(stream: &mut TcpStream, limit: Duration) -> bool {
    match stream.try_clone() {
        Ok(socket) => closed_reading(stream, &socket, limit),
        Err(_) => false,
    }
}

/// [`closed`] for a connection read through `reader` (a buffer, say) on `socket`.
pub(crate) fn closed_reading(reader: &mut impl Read, socket: &TcpStream, limit: Duration) -> bool {
    let before = socket.read_timeout().ok().flatten();
    let deadline = Instant::now() + limit;
    let closed = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || socket.set_read_timeout(Some(left)).is_err() {
            break false;
        }
        let mut byte = [0u8; 1];
        match reader.read(&mut byte) {
            Ok(0) => break true,
            Ok(_) => break false,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                break false
            }
            Err(_) => break true,
        }
    };
    let _ = socket.set_read_timeout(before);
    closed
}
