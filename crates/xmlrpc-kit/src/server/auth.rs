//! HTTP Basic authentication against hashed passwords ([`BasicAuth`]; feature `auth`).
//!
//! A password is checked against its hash once (argon2 or SHA-crypt, on the blocking pool,
//! a few at a time); after that a keyed SHA-256 of it is kept per user and compared in
//! constant time, so a client sending the same credentials on every call costs microseconds.

use super::access::Verdict;
use super::ResponseBody;
use bytes::Bytes;
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Response, StatusCode};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// Password checks (argon2, SHA-crypt) running at once; more wait their turn.
const CONCURRENT_CHECKS: usize = 4;

/// Longest `Authorization` header looked at; a longer one is refused unread.
const MAX_HEADER_LEN: usize = 4096;

/// Users and their password hashes, for HTTP Basic authentication.
///
/// The file form is one `user:hash` a line (blank lines and `#` comments are skipped), as
/// Apache's htpasswd files are. Hashes are PHC strings of argon2 (`$argon2id$...`, made by
/// [`BasicAuth::hash_password`]) or SHA-crypt (`$6$...` / `$5$...`, made by
/// `openssl passwd -6`).
///
/// ```
/// use xmlrpc_kit::server::{BasicAuth, Server};
///
/// let hash = BasicAuth::hash_password("secret")?;
/// let auth = BasicAuth::parse(&format!("# users\nalice:{hash}\n"))?.realm("billing");
/// assert_eq!(auth.users(), ["alice"]);
/// let server = Server::new().method("ping", || true).basic_auth(auth);
/// # let _ = server;
/// # Ok::<(), xmlrpc_kit::server::AuthError>(())
/// ```
#[derive(Clone)]
pub struct BasicAuth {
    inner: Arc<Inner>,
}

struct Inner {
    realm: String,
    users: HashMap<String, PasswordHash>,
    /// Per user, the keyed digest of the password last verified for them.
    verified: Mutex<HashMap<String, [u8; 32]>>,
    /// The key of those digests: random, never leaves the process.
    cache_key: [u8; 32],
    /// Checked for unknown users, so they take as long as known ones.
    decoy: PasswordHash,
    checks: Semaphore,
}

impl std::fmt::Debug for BasicAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BasicAuth")
            .field("realm", &self.inner.realm)
            .field("users", &self.users())
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
enum PasswordHash {
    Argon2(String),
    Sha512Crypt(String),
    Sha256Crypt(String),
}

impl PasswordHash {
    fn parse(hash: &str) -> Result<Self, String> {
        if hash.starts_with("$argon2") {
            argon2::PasswordHash::new(hash).map_err(|e| format!("bad argon2 hash: {e}"))?;
            Ok(PasswordHash::Argon2(hash.to_owned()))
        } else if hash.starts_with("$6$") {
            Ok(PasswordHash::Sha512Crypt(hash.to_owned()))
        } else if hash.starts_with("$5$") {
            Ok(PasswordHash::Sha256Crypt(hash.to_owned()))
        } else {
            Err("unknown hash (expected $argon2id$..., $6$... or $5$...)".to_owned())
        }
    }

    /// Slow on purpose: run it on the blocking pool.
    fn verify(&self, password: &str) -> bool {
        use argon2::PasswordVerifier;
        match self {
            PasswordHash::Argon2(hash) => argon2::PasswordHash::new(hash).is_ok_and(|parsed| {
                argon2::Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            }),
            PasswordHash::Sha512Crypt(hash) => sha_crypt::sha512_check(password, hash).is_ok(),
            PasswordHash::Sha256Crypt(hash) => sha_crypt::sha256_check(password, hash).is_ok(),
        }
    }
}

/// Why a user list could not be loaded, or a password hashed.
///
/// ```
/// let err = xmlrpc_kit::server::BasicAuth::parse("alice\n").unwrap_err();
/// assert_eq!(err.to_string(), "line 1: expected `user:hash`");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line is not `user:hash`, or its hash is not understood.
    #[error("line {line}: {reason}")]
    Line {
        /// The line number, from 1.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A user name appears twice.
    #[error("user `{0}` is listed twice")]
    Duplicate(String),
    /// Hashing a password failed.
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

impl BasicAuth {
    /// No users yet, realm `XML-RPC`.
    ///
    /// ```
    /// let auth = xmlrpc_kit::server::BasicAuth::new();
    /// assert!(auth.users().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::from_users("XML-RPC".to_owned(), HashMap::new())
    }

    fn from_users(realm: String, users: HashMap<String, PasswordHash>) -> Self {
        use argon2::password_hash::rand_core::{OsRng, RngCore};
        let mut cache_key = [0u8; 32];
        OsRng.fill_bytes(&mut cache_key);
        // A decoy in the same scheme as the real hashes, so unknown names cost the same.
        let decoy = users
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| PasswordHash::Sha512Crypt(DECOY_SHA512.to_owned()));
        BasicAuth {
            inner: Arc::new(Inner {
                realm,
                users,
                verified: Mutex::new(HashMap::new()),
                cache_key,
                decoy,
                checks: Semaphore::new(CONCURRENT_CHECKS),
            }),
        }
    }

    /// Reads a user file: `user:hash` lines, blank lines and `#` comments.
    ///
    /// ```no_run
    /// let auth = xmlrpc_kit::server::BasicAuth::from_file("users.txt")?;
    /// # let _ = auth;
    /// # Ok::<(), xmlrpc_kit::server::AuthError>(())
    /// ```
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, AuthError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| AuthError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Parses the user file's text.
    ///
    /// ```
    /// let auth = xmlrpc_kit::server::BasicAuth::parse(
    ///     "bob:$5$salt$kpa26zwgX83BPSR8d7w93OIXbFt/d3UOTZaAu5vsTM6\n",
    /// )?;
    /// assert_eq!(auth.users(), ["bob"]);
    /// # Ok::<(), xmlrpc_kit::server::AuthError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, AuthError> {
        let mut users = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |reason: String| AuthError::Line {
                line: index + 1,
                reason,
            };
            let (user, hash) = line
                .split_once(':')
                .ok_or_else(|| bad("expected `user:hash`".to_owned()))?;
            if user.is_empty() {
                return Err(bad("the user name is empty".to_owned()));
            }
            let hash = PasswordHash::parse(hash.trim()).map_err(bad)?;
            if users.insert(user.to_owned(), hash).is_some() {
                return Err(AuthError::Duplicate(user.to_owned()));
            }
        }
        Ok(Self::from_users("XML-RPC".to_owned(), users))
    }

    /// Adds a user with a password hash (see [`hash_password`](Self::hash_password)).
    ///
    /// ```
    /// use xmlrpc_kit::server::BasicAuth;
    /// let auth = BasicAuth::new().user("alice", &BasicAuth::hash_password("pw")?)?;
    /// assert_eq!(auth.users(), ["alice"]);
    /// # Ok::<(), xmlrpc_kit::server::AuthError>(())
    /// ```
    pub fn user(self, name: &str, hash: &str) -> Result<Self, AuthError> {
        let mut users = self.inner.users.clone();
        let parsed = PasswordHash::parse(hash).map_err(|reason| AuthError::Line {
            line: users.len() + 1,
            reason,
        })?;
        if name.is_empty() || name.contains(':') {
            return Err(AuthError::Line {
                line: users.len() + 1,
                reason: "a user name must be non-empty and hold no `:`".to_owned(),
            });
        }
        if users.insert(name.to_owned(), parsed).is_some() {
            return Err(AuthError::Duplicate(name.to_owned()));
        }
        Ok(Self::from_users(self.inner.realm.clone(), users))
    }

    /// Sets the realm named in `WWW-Authenticate` (the browser shows it).
    ///
    /// ```
    /// let auth = xmlrpc_kit::server::BasicAuth::new().realm("billing");
    /// # let _ = auth;
    /// ```
    pub fn realm(self, realm: impl Into<String>) -> Self {
        let realm: String = realm.into();
        // A quote or a control character would break the header: keep the rest.
        let realm = realm
            .chars()
            .filter(|c| *c != '"' && *c != '\\' && !c.is_control())
            .collect();
        Self::from_users(realm, self.inner.users.clone())
    }

    /// The user names, sorted.
    ///
    /// ```
    /// let auth = xmlrpc_kit::server::BasicAuth::parse("b:$6$s$h\na:$5$s$h\n")?;
    /// assert_eq!(auth.users(), ["a", "b"]);
    /// # Ok::<(), xmlrpc_kit::server::AuthError>(())
    /// ```
    pub fn users(&self) -> Vec<String> {
        let mut names: Vec<String> = self.inner.users.keys().cloned().collect();
        names.sort();
        names
    }

    /// Hashes a password with argon2id (a random salt, the crate's default cost), as a PHC
    /// string for the user file.
    ///
    /// ```
    /// let hash = xmlrpc_kit::server::BasicAuth::hash_password("secret")?;
    /// assert!(hash.starts_with("$argon2id$"));
    /// # Ok::<(), xmlrpc_kit::server::AuthError>(())
    /// ```
    pub fn hash_password(password: &str) -> Result<String, AuthError> {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AuthError::Hash(e.to_string()))
    }

    fn digest(&self, user: &str, password: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(self.inner.cache_key);
        hasher.update((user.len() as u64).to_le_bytes());
        hasher.update(user.as_bytes());
        hasher.update(password.as_bytes());
        hasher.finalize().into()
    }

    fn cached(&self, user: &str, digest: &[u8; 32]) -> bool {
        let verified = self
            .inner
            .verified
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        verified
            .get(user)
            .is_some_and(|known| bool::from(known.ct_eq(digest)))
    }

    /// Checks `user` and `password`: from the cache when they were verified before,
    /// otherwise against the hash on the blocking pool.
    pub(crate) async fn check(&self, user: &str, password: &str) -> bool {
        let digest = self.digest(user, password);
        if self.cached(user, &digest) {
            return true;
        }
        let (hash, known) = match self.inner.users.get(user) {
            Some(hash) => (hash.clone(), true),
            None => (self.inner.decoy.clone(), false),
        };
        let Ok(_permit) = self.inner.checks.acquire().await else {
            return false;
        };
        let password = password.to_owned();
        let matched = tokio::task::spawn_blocking(move || hash.verify(&password))
            .await
            .unwrap_or(false);
        if matched && known {
            self.inner
                .verified
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .insert(user.to_owned(), digest);
        }
        matched && known
    }

    /// Checks a request's `Authorization` header.
    pub(crate) async fn verify(&self, headers: &HeaderMap) -> Verdict {
        let Some((user, password)) = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| credentials(value.as_bytes()))
        else {
            return Verdict::Refused(self.unauthorized("credentials are required"));
        };
        if self.check(&user, &password).await {
            Verdict::User(user)
        } else {
            // Debug-formatted: a name with control characters cannot forge log lines.
            let user: String = user.chars().take(64).collect();
            tracing::info!(target: "xmlrpc_kit::access", user = ?user, "authentication failed");
            Verdict::Refused(self.unauthorized("wrong user name or password"))
        }
    }

    fn unauthorized(&self, why: &str) -> Response<ResponseBody> {
        let mut response = Response::new(ResponseBody::from(Bytes::from(format!("{why}\n"))));
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        let challenge = format!("Basic realm=\"{}\", charset=\"UTF-8\"", self.inner.realm);
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&challenge) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        response
    }
}

impl Default for BasicAuth {
    fn default() -> Self {
        Self::new()
    }
}

/// `openssl passwd -6 -salt decoydecoy not-a-password`: checked for unknown users.
const DECOY_SHA512: &str = "$6$decoydecoy$XPb9WDnaIH7Ntscguj/OnoyT/WFvkqkiugvu.lgxRmRuKWbcjBHClAm0raGyFUq7rwIsfszdkrzYb6ffA5QOJ1";

/// The user and password of a `Basic` header value, if it is one.
pub(super) fn credentials(value: &[u8]) -> Option<(String, String)> {
    use base64::Engine;
    if value.len() > MAX_HEADER_LEN {
        return None;
    }
    let value = std::str::from_utf8(value).ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(user: &str, password: &str) -> HeaderMap {
        use base64::Engine;
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {token}")).unwrap(),
        );
        headers
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn sha_crypt_and_argon2_hashes_verify_and_are_cached() {
        let argon = BasicAuth::hash_password("pw1").unwrap();
        // openssl passwd -6 -salt saltsalt pw2
        let sha = "$6$saltsalt$6GEUHm13yvEfDVKKaP4rrIOwpxslwzty0iGy.28VWwekxwdiBykljm02m5JmMYSJccJGgUuHLfD6Ooh02E8wt0";
        let auth = BasicAuth::parse(&format!("a:{argon}\n# c\n\nb:{sha}\n")).unwrap();
        block_on(async {
            assert!(matches!(auth.verify(&basic("a", "pw1")).await, Verdict::User(u) if u == "a"));
            assert!(auth.cached("a", &auth.digest("a", "pw1")));
            assert!(matches!(
                auth.verify(&basic("a", "pw1")).await,
                Verdict::User(_)
            ));
            assert!(matches!(
                auth.verify(&basic("a", "pw2")).await,
                Verdict::Refused(_)
            ));
            assert!(matches!(
                auth.verify(&basic("nobody", "pw1")).await,
                Verdict::Refused(_)
            ));
            assert!(
                matches!(auth.verify(&HeaderMap::new()).await, Verdict::Refused(r) if r.status() == 401)
            );
            assert!(matches!(
                auth.verify(&basic("b", "pw2")).await,
                Verdict::User(_)
            ));
            assert!(matches!(
                auth.verify(&basic("b", "pw1")).await,
                Verdict::Refused(_)
            ));
        });
    }

    #[test]
    fn bad_files_say_where() {
        assert!(matches!(
            BasicAuth::parse("a:plain").unwrap_err(),
            AuthError::Line { line: 1, .. }
        ));
        assert!(matches!(
            BasicAuth::parse("a:$6$x$y\na:$6$x$z").unwrap_err(),
            AuthError::Duplicate(_)
        ));
    }

    #[test]
    fn header_parsing() {
        assert_eq!(
            credentials(b"Basic dXNlcjpwQHNzOng="),
            Some(("user".into(), "p@ss:x".into()))
        );
        assert_eq!(credentials(b"Bearer abc"), None);
        assert_eq!(credentials(b"Basic !!!"), None);
        assert_eq!(credentials(&[b'a'; 5000]), None);
    }
}
