//! `Multicall` (blocking) and `AsyncMulticall`: queue calls, send them as one
//! `system.multicall`, get a result or a fault for each, in order.

use super::{AsyncClient, Client, Error};
use crate::codec::segments::Encoded;
use crate::codec::write::write_escaped;
use crate::fault::Fault;
use crate::ser::write_params_array;
use crate::value::Value;
use serde::Serialize;

/// A batch of calls for one `system.multicall` request, from [`Client::multicall`]; send it
/// with [`send`](Self::send), which blocks. Each call gets its own result or fault, in order.
///
/// A result is a [`Value`]; [`Value::deserialize_into`] turns it into a typed one:
///
/// ```no_run
/// use xmlrpc_kit::{Client, Value};
///
/// let client = Client::new("http://localhost:8888")?;
/// let mut batch = client.multicall();
/// batch.add("add", (1, 2))?;
/// batch.add("no_such_method", ())?;
/// let results = batch.send()?;
/// assert_eq!(results[0].as_ref().ok(), Some(&Value::Int(3)));
/// assert_eq!(results[1].as_ref().err().map(|f| f.code), Some(-32601));
///
/// let sum: i32 = results[0].clone()?.deserialize_into()?;
/// assert_eq!(sum, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
#[must_use = "a batch does nothing until it is sent"]
pub struct Multicall {
    client: Client,
    batch: Batch,
}

/// A batch of calls for one `system.multicall` request, from [`AsyncClient::multicall`];
/// send it with [`send`](Self::send)`.await`. Results as for [`Multicall`].
///
/// ```no_run
/// # async fn example() -> Result<(), Box<dyn std::error::Error>> {
/// let client = xmlrpc_kit::AsyncClient::new("http://localhost:8888")?;
/// let mut batch = client.multicall();
/// batch.add("add", (1, 2))?.add("add", (3, 4))?;
/// let sums: Vec<i32> = batch
///     .send()
///     .await?
///     .into_iter()
///     .map(|r| Ok(r?.deserialize_into::<i32>()?))
///     .collect::<Result<_, Box<dyn std::error::Error>>>()?;
/// assert_eq!(sums, [3, 7]);
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a batch does nothing until it is sent"]
pub struct AsyncMulticall {
    client: AsyncClient,
    batch: Batch,
}

/// The calls written so far, each a `<value><struct>` for one call.
#[derive(Debug, Default)]
struct Batch {
    entries: Vec<u8>,
    count: usize,
}

impl Batch {
    fn add<P: Serialize>(
        &mut self,
        client: &AsyncClient,
        method: &str,
        params: P,
    ) -> Result<(), Error> {
        let mut entry = Vec::with_capacity(128);
        entry.extend_from_slice(b"<value><struct><member><name>methodName</name><value><string>");
        write_escaped(&mut entry, method).map_err(Error::Encode)?;
        entry.extend_from_slice(b"</string></value></member><member><name>params</name>");
        write_params_array(&mut entry, &params).map_err(Error::Encode)?;
        entry.extend_from_slice(b"</member></struct></value>");
        client.check_nil(&entry)?;
        self.entries.extend_from_slice(&entry);
        self.count += 1;
        Ok(())
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

impl Multicall {
    pub(crate) fn new(client: Client) -> Self {
        Multicall {
            client,
            batch: Batch::default(),
        }
    }

    /// Queues a call; `params` is a tuple (`()` for none).
    ///
    /// ```no_run
    /// let client = xmlrpc_kit::Client::new("http://localhost:8888")?;
    /// let mut batch = client.multicall();
    /// batch.add("add", (1, 2))?.add("get_string", ("x",))?;
    /// assert_eq!(batch.len(), 2);
    /// # Ok::<(), xmlrpc_kit::client::Error>(())
    /// ```
    pub fn add<P: Serialize>(&mut self, method: &str, params: P) -> Result<&mut Self, Error> {
        self.batch.add(self.client.as_async(), method, params)?;
        Ok(self)
    }

    /// How many calls are queued.
    pub fn len(&self) -> usize {
        self.batch.count
    }

    /// Whether no call is queued.
    pub fn is_empty(&self) -> bool {
        self.batch.count == 0
    }

    /// Sends the batch and waits for the results, one per call, in order.
    pub fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        let items: Vec<Value> = self
            .client
            .round_trip(Encoded::plain(self.batch.body()), &Default::default())?
            .into_result()?;
        self.batch.results(items)
    }
}

impl AsyncMulticall {
    pub(crate) fn new(client: AsyncClient) -> Self {
        AsyncMulticall {
            client,
            batch: Batch::default(),
        }
    }

    /// Queues a call; `params` is a tuple (`()` for none).
    pub fn add<P: Serialize>(&mut self, method: &str, params: P) -> Result<&mut Self, Error> {
        self.batch.add(&self.client, method, params)?;
        Ok(self)
    }

    /// How many calls are queued.
    pub fn len(&self) -> usize {
        self.batch.count
    }

    /// Whether no call is queued.
    pub fn is_empty(&self) -> bool {
        self.batch.count == 0
    }

    /// Sends the batch; the results come one per call, in order.
    pub async fn send(self) -> Result<Vec<Result<Value, Fault>>, Error> {
        let reply = self
            .client
            .exchange(Encoded::plain(self.batch.body()), &Default::default())
            .await?;
        let items: Vec<Value> = self.client.decode(reply).await?.into_result()?;
        self.batch.results(items)
    }
}

/// One multicall answer: `[value]` for a result, a fault struct for a fault.
fn entry_result(item: Value) -> Result<Result<Value, Fault>, Error> {
    match item {
        Value::Array(mut one) if one.len() == 1 => Ok(Ok(one.remove(0))),
        Value::Struct(ref members) if members.contains_key("faultCode") => {
            let string = members
                .get("faultString")
                .and_then(Value::as_str)
                .unwrap_or_default();
            // A code sent as text (XMLRPC::Lite's "Client") is kept, as for a whole reply.
            if let Some(Value::String(text)) = members.get("faultCode") {
                return Ok(Err(Fault::with_code_text(text.clone(), string)));
            }
            let code = members
                .get("faultCode")
                .and_then(Value::as_i32)
                .ok_or_else(|| {
                    Error::Reply(crate::Error::message(
                        "a multicall fault without an integer faultCode",
                    ))
                })?;
            Ok(Err(Fault::new(code, string)))
        }
        other => Err(Error::Reply(crate::Error::message(format!(
            "a multicall result is neither a one-item array nor a fault: {}",
            other.type_name()
        )))),
    }
}
