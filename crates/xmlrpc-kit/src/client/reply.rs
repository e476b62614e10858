//! `Reply`: a call's answer (its result or the peer's fault) together with the deviations
//! from the specification the reader tolerated in it, and the decoding of reply documents.

use super::error::Error;
use crate::codec::{Deviation, Envelope, Limits, Reader};
use crate::error::Category;
use crate::fault::Fault;
use serde::de::DeserializeOwned;

/// A call's answer as the peer sent it: the result, or the fault, and what the peer got
/// wrong on the way (see [`Deviation`]). [`Client::call_reply`](super::Client::call_reply)
/// and [`AsyncClient::call_reply`](super::AsyncClient::call_reply) give one.
///
/// ```
/// use xmlrpc_kit::client::Reply;
/// use xmlrpc_kit::Fault;
/// let reply: Reply<i32> = Reply { result: Err(Fault::with_code_text("Client", "no")), deviations: vec![] };
/// assert_eq!(reply.into_result().unwrap_err().to_string(), "fault Client: no");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Reply<R> {
    /// The result, or the fault the peer answered with.
    pub result: Result<R, Fault>,
    /// The deviations met while reading the reply, in document order (empty for a peer
    /// that follows the specification).
    pub deviations: Vec<Deviation>,
}

impl<R> Reply<R> {
    /// The result, a fault becoming [`Error::Fault`]; the deviations are dropped.
    ///
    /// ```
    /// let reply = xmlrpc_kit::client::Reply { result: Ok(5), deviations: vec![] };
    /// assert_eq!(reply.into_result()?, 5);
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn into_result(self) -> Result<R, Error> {
        self.result.map_err(Error::Fault)
    }
}

/// How replies are read: the reader's limits, and whether deviations are errors.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decoding {
    pub(crate) limits: Limits,
    pub(crate) strict: bool,
}

/// Decodes a reply held in memory.
pub(crate) fn decode_reply<R: DeserializeOwned>(
    reply: &[u8],
    decoding: &Decoding,
) -> Result<Reply<R>, Error> {
    let reader = Reader::from_slice(reply)
        .map_err(Error::Reply)?
        .with_limits(decoding.limits);
    read_reply(reader, decoding.strict)
}

/// Reads a reply document (in memory or streaming): the result as `R` or the fault, and
/// the deviations met.
pub(crate) fn read_reply<R: DeserializeOwned>(
    reader: Reader<'_>,
    strict: bool,
) -> Result<Reply<R>, Error> {
    let mut reader = reader.with_strict(strict);
    let classify = |e: crate::Error| match e.category() {
        Category::Data => Error::Type(e),
        _ => Error::Reply(e),
    };
    let result = match reader.read_envelope().map_err(Error::Reply)? {
        Envelope::Response => Ok(reader.read_result::<R>().map_err(classify)?),
        Envelope::Fault => Err(reader.read_fault().map_err(Error::Reply)?),
        Envelope::Call { .. } => {
            return Err(Error::Reply(crate::Error::message(
                "expected a <methodResponse>, found a <methodCall>",
            )))
        }
    };
    Ok(Reply {
        result,
        deviations: reader.take_deviations(),
    })
}
