//! `CallOptions`: what one call adds to the client's settings: extra headers and query
//! parameters (Roundup's anti-CSRF headers, a Koji-style session in the query string).

/// Extra headers and query parameters for one call, on top of the client's own
/// ([`ClientBuilder::header`](super::ClientBuilder::header),
/// [`ClientBuilder::query`](super::ClientBuilder::query)).
///
/// ```no_run
/// use xmlrpc_kit::client::{CallOptions, Client};
///
/// let client = Client::new("https://koji.example.org/kojihub")?;
/// let options = CallOptions::new()
///     .query("session-id", "1234")
///     .query("session-key", "abcd")
///     .header("X-Requested-With", "xmlrpc");
/// let user: xmlrpc_kit::Value = client.call_with("getLoggedInUser", (), &options)?;
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallOptions {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) query: Vec<(String, String)>,
}

impl CallOptions {
    /// No extra headers, no extra query parameters.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::client::CallOptions::new(), Default::default());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header to this call (after the client's; a name the client also sets is sent
    /// with both values).
    ///
    /// ```
    /// let o = xmlrpc_kit::client::CallOptions::new().header("X-CSRF-Token", "t0k3n");
    /// # let _ = o;
    /// ```
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds a query parameter to this call's URL (percent-encoded here).
    ///
    /// ```
    /// let o = xmlrpc_kit::client::CallOptions::new().query("session-id", "42");
    /// # let _ = o;
    /// ```
    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }
}

/// Appends `pairs` to the request target `path` as a percent-encoded query.
pub(crate) fn with_query<'p>(
    path: &str,
    pairs: impl IntoIterator<Item = &'p (String, String)>,
) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    // Everything but the unreserved characters of RFC 3986.
    const QUERY: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let mut target = path.to_owned();
    for (name, value) in pairs {
        target.push(if target.contains('?') { '&' } else { '?' });
        target.extend(utf8_percent_encode(name, QUERY));
        target.push('=');
        target.extend(utf8_percent_encode(value, QUERY));
    }
    target
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_encoded_and_joined() {
        let pairs = [
            ("session-id".to_owned(), "1 2".to_owned()),
            ("k&y".to_owned(), "a=b/ü".to_owned()),
        ];
        assert_eq!(
            with_query("/RPC2", &pairs),
            "/RPC2?session-id=1%202&k%26y=a%3Db%2F%C3%BC"
        );
        assert_eq!(with_query("/x?a=1", &pairs[..1]), "/x?a=1&session-id=1%202");
        assert_eq!(with_query("/x", &[]), "/x");
    }
}
