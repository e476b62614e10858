//! `Multicall`: queue calls, send them as one `system.multicall`, get a result or a fault
//! for each, in order.

use super::{AsyncClient, Client, Error};
use crate::codec::segments::Encoded;
use crate::codec::write::write_escaped;
use crate::fault::Fault;
use crate::ser::write_params_array;
use crate::value::Value;
use serde::Serialize;

/// A batch of calls for one `system.multicall` request.
///
/// ```no_run
/// let client = xmlrpc_kit::client::Client::new("http://localhost:8888")?;
/// let mut batch = client.multicall();
/// batch.add("add", (1, 2))?;
/// batch.add("no_such_method", ())?;
/// let results = batch.send()?;
/// assert_eq!(results[0].as_ref().ok(), Some(&xmlrpc_kit::Value::Int(3)));
/// assert_eq!(results[1].as_ref().err().map(|f| f.code), Some(-32601));
/// # Ok::<(), xmlrpc_kit::client::Error>(())
/// ```
pub struct Multicall {
    client: AsyncClient,
    blocking: Option<Client>,
    /// The entries written so far, each a `<value><struct>` for one call.
    entries: Vec<u8>,
    count: usize,
}

impl Multicall {
    pub(crate) fn new(client: AsyncClient, blocking: Option<Client>) -> Self {
        Multicall {
            client,
            blocking,
            entries: Vec::new(),
            count: 0,
        }
    }

    /// Queues a call; `params` is a tuple (`()` for none).
    pub fn add<P: Serialize>(&mut self, method: &str, params: P) -> Result<&mut Self, Error> {
        let mut entry = Vec::with_capacity(128);
        entry.extend_from_slice(b"<value><struct><member><name>methodName</name><value><string>");
        write_escaped(&mut entry, method).map_err(Error::Encode)?;
        entry.extend_from_slice(b"</string></value></member><member><name>params</name>");
        write_params_array(&mut entry, &params).map_err(Error::Encode)?;
        entry.extend_from_slice(b"</member></struct></value>");
        self.client.check_nil(&entry)?;
        self.entries.extend_from_slice(&entry);
        self.count += 1;
        Ok(self)
    }

    /// How many calls are queued.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no call is queued.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn body(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.entries.len() + 160);
        body.extend_from_slice(
            b"<?xml version=\"1.0\"?><methodCall><methodName>system.multicall</methodName>\
              <params><param><value><array><data>",
        );
        body.extend_from_slice(&self.entries);
        body.extend_from_slice(b"</data></array></value></param></params></methodCall>");
        body
    }

    /// Sends the batch from async code.
    pub async fn send_async(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        let reply = self.client.exchange(Encoded::plain(self.body())).await?;
        let items: Vec<Value> = self.client.decode(reply).await?;
        self.results(items)
    }

    /// Sends the batch, blocking (from a batch made by the blocking [`Client`]).
    pub fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        let items: Vec<Value> = match &self.blocking {
            Some(client) => client.round_trip(Encoded::plain(self.body()))?,
            None => client_runtime_missing()?,
        };
        self.results(items)
    }

    fn results(&self, items: Vec<Value>) -> Result<Vec<Result<Value, Fault>>, Error> {
        if items.len() != self.count {
            return Err(Error::Reply(crate::Error::message(format!(
                "system.multicall answered {} results for {} calls",
                items.len(),
                self.count
            ))));
        }
        items.into_iter().map(entry_result).collect()
    }
}

fn client_runtime_missing() -> Result<Vec<Value>, Error> {
    Err(Error::Connect {
        endpoint: String::new(),
        reason: "a batch from AsyncClient::multicall must be sent with send_async".into(),
    })
}

/// One multicall answer: `[value]` for a result, a fault struct for a fault.
fn entry_result(item: Value) -> Result<Result<Value, Fault>, Error> {
    match item {
        Value::Array(mut one) if one.len() == 1 => Ok(Ok(one.remove(0))),
        Value::Struct(ref members) if members.contains_key("faultCode") => {
            let code = members
                .get("faultCode")
                .and_then(Value::as_i32)
                .ok_or_else(|| {
                    Error::Reply(crate::Error::message(
                        "a multicall fault without an integer faultCode",
                    ))
                })?;
            let string = members
                .get("faultString")
                .and_then(Value::as_str)
                .unwrap_or_default();
            Ok(Err(Fault::new(code, string)))
        }
        other => Err(Error::Reply(crate::Error::message(format!(
            "a multicall result is neither a one-item array nor a fault: {}",
            other.type_name()
        )))),
    }
}
