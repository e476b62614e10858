//! `Limits`: every bound the reader enforces, with its default and a setter.

/// The bounds the reader enforces on a document; each has a named default.
///
/// Exceeding one is an [`Error`](crate::Error) of category
/// [`Limit`](crate::error::Category::Limit) that names the limit, never a panic or an
/// unbounded allocation.
///
/// ```
/// use xmlrpc_kit::codec::{self, Limits};
///
/// let limits = Limits::default().max_depth(2);
/// let deep = b"<methodCall><methodName>m</methodName><params><param><value>\
///     <array><data><value><array><data><value><array><data></data></array></value>\
///     </data></array></value></data></array></value></param></params></methodCall>";
/// let err = codec::Reader::from_slice(deep)?.with_limits(limits).read_call().unwrap_err();
/// assert!(err.to_string().contains("nesting depth"), "{err}");
/// # Ok::<(), xmlrpc_kit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub(crate) max_document_size: u64,
    pub(crate) max_depth: usize,
    pub(crate) max_string_len: usize,
    pub(crate) max_base64_len: usize,
    pub(crate) max_elements: u64,
    pub(crate) max_name_len: usize,
}

impl Limits {
    /// Default for [`max_document_size`](Self::max_document_size): 1 GiB of XML.
    pub const DEFAULT_MAX_DOCUMENT_SIZE: u64 = 1 << 30;
    /// Default for [`max_depth`](Self::max_depth): 128 nested arrays and structs, as serde_json.
    pub const DEFAULT_MAX_DEPTH: usize = 128;
    /// Default for [`max_string_len`](Self::max_string_len): 64 MiB of text in one string.
    pub const DEFAULT_MAX_STRING_LEN: usize = 64 << 20;
    /// Default for [`max_base64_len`](Self::max_base64_len): 512 MiB of decoded bytes.
    pub const DEFAULT_MAX_BASE64_LEN: usize = 512 << 20;
    /// Default for [`max_elements`](Self::max_elements): 16 million elements in a document.
    pub const DEFAULT_MAX_ELEMENTS: u64 = 16 << 20;
    /// Default for [`max_name_len`](Self::max_name_len): 4 KiB for a method name.
    pub const DEFAULT_MAX_NAME_LEN: usize = 4096;

    /// Bytes of XML in one document (after any transcoding to UTF-8).
    ///
    /// ```
    /// let l = xmlrpc_kit::codec::Limits::default().max_document_size(1 << 20);
    /// # let _ = l;
    /// ```
    pub fn max_document_size(mut self, bytes: u64) -> Self {
        self.max_document_size = bytes;
        self
    }

    /// Arrays and structs nested inside one another.
    ///
    /// ```
    /// let l = xmlrpc_kit::codec::Limits::default().max_depth(16);
    /// # let _ = l;
    /// ```
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = depth;
        self
    }

    /// Bytes in one string value or struct member name; also bounds any single run of text
    /// a streaming reader holds in memory.
    ///
    /// ```
    /// let l = xmlrpc_kit::codec::Limits::default().max_string_len(1 << 16);
    /// # let _ = l;
    /// ```
    pub fn max_string_len(mut self, bytes: usize) -> Self {
        self.max_string_len = bytes;
        self
    }

    /// Decoded bytes in one `<base64>` value.
    ///
    /// ```
    /// let l = xmlrpc_kit::codec::Limits::default().max_base64_len(16 << 20);
    /// # let _ = l;
    /// ```
    pub fn max_base64_len(mut self, bytes: usize) -> Self {
        self.max_base64_len = bytes;
        self
    }

    /// Elements (start tags) in one document.
    ///
    /// ```
    /// let l = xmlrpc_kit::codec::Limits::default().max_elements(100_000);
    /// # let _ = l;
    /// ```
    pub fn max_elements(mut self, count: u64) -> Self {
        self.max_elements = count;
        self
    }

    /// Bytes in a method name.
    ///
    /// ```
    /// let l = xmlrpc_kit::codec::Limits::default().max_name_len(256);
    /// # let _ = l;
    /// ```
    pub fn max_name_len(mut self, bytes: usize) -> Self {
        self.max_name_len = bytes;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_size: Self::DEFAULT_MAX_DOCUMENT_SIZE,
            max_depth: Self::DEFAULT_MAX_DEPTH,
            max_string_len: Self::DEFAULT_MAX_STRING_LEN,
            max_base64_len: Self::DEFAULT_MAX_BASE64_LEN,
            max_elements: Self::DEFAULT_MAX_ELEMENTS,
            max_name_len: Self::DEFAULT_MAX_NAME_LEN,
        }
    }
}
