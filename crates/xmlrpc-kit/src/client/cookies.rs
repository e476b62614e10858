//! `CookieJar`: the client's opt-in cookie store (feature `cookies`), for applications that
//! log in once and keep a session (DokuWiki's `dokuwiki.login`, Bugzilla, WordPress). The
//! rules (domain, path, expiry, `Secure`) are the `cookie_store` crate's; a jar is saved to
//! and loaded from a file in that crate's JSON format, session cookies included, as
//! `curl -c`/`-b` keep theirs between runs.

use super::error::Error;
use hyper::header::{HeaderMap, HeaderValue, SET_COOKIE};
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex, PoisonError};

/// A cookie store shared by a client and its clones (and by any client given the same jar).
///
/// ```
/// use xmlrpc_kit::client::{Client, CookieJar};
///
/// let jar = CookieJar::new();
/// let client = Client::builder("http://localhost:8888").cookie_jar(jar.clone()).build()?;
/// // ... client.call("login", ...) stores the session cookie; later calls send it ...
/// let mut saved = Vec::new();
/// jar.save_json(&mut saved)?;
/// let again = CookieJar::load_json(&saved[..])?;
/// assert_eq!(again.cookies(), jar.cookies());
/// # let _ = client;
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct CookieJar {
    store: Arc<Mutex<cookie_store::CookieStore>>,
}

impl std::fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: values are session secrets.
        let names: Vec<String> = self.cookies().into_iter().map(|(name, _)| name).collect();
        f.debug_struct("CookieJar")
            .field("cookies", &names)
            .finish()
    }
}

impl CookieJar {
    /// An empty jar.
    ///
    /// ```
    /// assert!(xmlrpc_kit::client::CookieJar::new().cookies().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// A jar read from cookie_store's JSON (what [`save_json`](Self::save_json) writes);
    /// expired cookies in it are kept but never sent. Empty text is an empty jar.
    ///
    /// ```
    /// use xmlrpc_kit::client::CookieJar;
    /// assert!(CookieJar::load_json(&b""[..])?.cookies().is_empty());
    /// assert!(CookieJar::load_json(&b"[]"[..])?.cookies().is_empty());
    /// assert!(CookieJar::load_json(&b"{not json"[..]).is_err());
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn load_json(mut reader: impl BufRead) -> Result<Self, Error> {
        let mut text = Vec::new();
        reader
            .read_to_end(&mut text)
            .map_err(|source| Error::Cookies {
                what: "reading the cookie jar",
                source: source.into(),
            })?;
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self::new());
        }
        let store =
            cookie_store::serde::json::load_all(&text[..]).map_err(|source| Error::Cookies {
                what: "reading the cookie jar",
                source,
            })?;
        Ok(CookieJar {
            store: Arc::new(Mutex::new(store)),
        })
    }

    /// Writes the jar as cookie_store's JSON, session cookies included (they end when the
    /// jar is dropped, not when the program ends).
    ///
    /// ```
    /// let mut out = Vec::new();
    /// xmlrpc_kit::client::CookieJar::new().save_json(&mut out)?;
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn save_json(&self, writer: &mut impl Write) -> Result<(), Error> {
        let store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        cookie_store::serde::json::save_incl_expired_and_nonpersistent(&store, writer).map_err(
            |source| Error::Cookies {
                what: "writing the cookie jar",
                source,
            },
        )
    }

    /// The unexpired cookies, as `(name, value)` pairs.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::client::CookieJar::new().cookies(), vec![]);
    /// ```
    pub fn cookies(&self) -> Vec<(String, String)> {
        let store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let mut all: Vec<(String, String)> = store
            .iter_unexpired()
            .map(|c| (c.name().to_owned(), c.value().to_owned()))
            .collect();
        all.sort();
        all
    }

    /// The `Cookie` header for a request to `url`, when the jar has cookies for it.
    pub(crate) fn header_for(&self, url: &str) -> Option<HeaderValue> {
        let url = url::Url::parse(url).ok()?;
        let store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let pairs: Vec<String> = store
            .get_request_values(&url)
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        if pairs.is_empty() {
            return None;
        }
        let mut value = HeaderValue::from_str(&pairs.join("; ")).ok()?;
        value.set_sensitive(true);
        Some(value)
    }

    /// Stores the `Set-Cookie` headers of a response from `url`; malformed ones are
    /// ignored, as browsers ignore them.
    pub(crate) fn store_from(&self, url: &str, headers: &HeaderMap) {
        let Ok(url) = url::Url::parse(url) else {
            return;
        };
        let cookies = headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| cookie_store::RawCookie::parse(v.to_owned()).ok());
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        store.store_response_cookies(cookies, &url);
    }
}
