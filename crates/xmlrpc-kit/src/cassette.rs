//! Cassettes: recorded XML-RPC exchanges, one JSON line each in the JSON form `xrpc decode`
//! prints (`{"call": {"methodName": ..., "params": [...]}, "response": {"params": [...]}}`,
//! or `"response": {"fault": {...}}`), and a [`Server`] that replays them: each recorded
//! call answered with its recorded answer, for tests against an application that cannot
//! run in CI.
//!
//! ```
//! use xmlrpc_kit::cassette::{Cassette, Match};
//! let cassette = Cassette::parse(concat!(
//!     r#"{"call": {"methodName": "add", "params": [8, 8]}, "response": {"params": [16]}}"#, "\n",
//!     r#"{"call": {"methodName": "add", "params": [1]}, "response": {"fault": {"faultCode": -32602, "faultString": "two ints"}}}"#,
//! ))?;
//! let server = cassette.server(Match::Params).spawn("127.0.0.1:0")?;
//! let client = xmlrpc_kit::Client::new(&server.url())?;
//! assert_eq!(client.call::<i32, _>("add", (8, 8))?, 16);
//! assert!(client.call::<i32, _>("add", (1,)).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::codec::{Document, MethodCall};
use crate::fault::Fault;
use crate::json::{self, DocumentForm, ShapeError};
use crate::server::Server;
use crate::value::Value;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One recorded call and its answer.
///
/// ```
/// use xmlrpc_kit::{cassette::Exchange, codec::MethodCall};
/// let exchange = Exchange {
///     call: MethodCall { method_name: "add".into(), params: vec![8.into(), 8.into()] },
///     answer: Ok(16.into()),
///     elapsed: None,
/// };
/// let line = exchange.to_line();
/// assert_eq!(line, r#"{"call":{"methodName":"add","params":[8,8]},"response":{"params":[16]}}"#);
/// assert_eq!(Exchange::from_line(&line)?, exchange);
/// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// The call as the client sent it.
    pub call: MethodCall,
    /// The server's answer: its value or its fault.
    pub answer: Result<Value, Fault>,
    /// How long the server took, when known (written as `"micros"`).
    pub elapsed: Option<Duration>,
}

/// A line of a cassette, as serde writes it: keys in this order.
#[derive(Serialize)]
struct Line<'a> {
    call: DocumentForm<'a>,
    response: DocumentForm<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    micros: Option<u64>,
}

impl Exchange {
    /// The exchange as one line of JSON (no newline).
    ///
    /// ```
    /// use xmlrpc_kit::{cassette::Exchange, codec::MethodCall, Fault};
    /// let e = Exchange { call: MethodCall { method_name: "f".into(), params: vec![] }, answer: Err(Fault::new(4, "no")), elapsed: None };
    /// assert!(e.to_line().ends_with(r#""response":{"fault":{"faultCode":4,"faultString":"no"}}}"#));
    /// ```
    pub fn to_line(&self) -> String {
        let call = Document::Call(self.call.clone());
        let response = match &self.answer {
            Ok(value) => Document::Response(vec![value.clone()]),
            Err(fault) => Document::Fault(fault.clone()),
        };
        let line = Line {
            call: DocumentForm(&call),
            response: DocumentForm(&response),
            micros: self.elapsed.map(|d| d.as_micros() as u64),
        };
        // Only maps with non-string keys fail, and there are none.
        serde_json::to_string(&line).unwrap_or_default()
    }

    /// Reads one line of a cassette.
    ///
    /// ```
    /// let e = xmlrpc_kit::cassette::Exchange::from_line(
    ///     r#"{"call": {"methodName": "ping"}, "response": {"params": [true]}, "micros": 120}"#)?;
    /// assert_eq!(e.call.method_name, "ping");
    /// assert_eq!(e.elapsed, Some(std::time::Duration::from_micros(120)));
    /// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
    /// ```
    pub fn from_line(line: &str) -> Result<Exchange, CassetteError> {
        Self::parse_line(line, 1)
    }

    fn parse_line(line: &str, number: usize) -> Result<Exchange, CassetteError> {
        let entry = |message: &str| CassetteError::Entry {
            line: number,
            message: message.to_owned(),
        };
        let json: Json = serde_json::from_str(line).map_err(|source| CassetteError::Json {
            line: number,
            source,
        })?;
        let Json::Object(mut object) = json else {
            return Err(entry("expected {\"call\": ..., \"response\": ...}"));
        };
        let shape = |source: ShapeError| CassetteError::Shape {
            line: number,
            source,
        };
        let call = match object.shift_remove("call").map(json::document_from_json) {
            Some(Ok(Document::Call(call))) => call,
            Some(Err(e)) => return Err(shape(e)),
            _ => return Err(entry("\"call\" must be a call ({\"methodName\": ...})")),
        };
        let answer = match object
            .shift_remove("response")
            .map(json::document_from_json)
        {
            Some(Ok(Document::Response(mut params))) if params.len() == 1 => Ok(params.remove(0)),
            Some(Ok(Document::Fault(fault))) => Err(fault),
            Some(Err(e)) => return Err(shape(e)),
            _ => {
                return Err(entry(
                    "\"response\" must be {\"params\": [one value]} or {\"fault\": {...}}",
                ))
            }
        };
        let elapsed = object
            .shift_remove("micros")
            .and_then(|m| m.as_u64())
            .map(Duration::from_micros);
        Ok(Exchange {
            call,
            answer,
            elapsed,
        })
    }
}

/// Why a cassette could not be read or written.
///
/// ```
/// let err = xmlrpc_kit::cassette::Cassette::parse("\n{\"call\": 1}").unwrap_err();
/// assert!(err.to_string().starts_with("line 2: "), "{err}");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CassetteError {
    /// The file could not be opened, read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The cassette's path.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: io::Error,
    },
    /// A line is not JSON.
    #[error("line {line}: not JSON: {source}")]
    Json {
        /// Its number, from 1.
        line: usize,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
    /// A line's call or response is not the JSON form of one.
    #[error("line {line}: {source}")]
    Shape {
        /// Its number, from 1.
        line: usize,
        /// Where and what.
        #[source]
        source: ShapeError,
    },
    /// A line is JSON, but not an exchange.
    #[error("line {line}: {message}")]
    Entry {
        /// Its number, from 1.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Recorded exchanges, in the order they happened.
///
/// ```
/// let cassette = xmlrpc_kit::cassette::Cassette::parse("")?;
/// assert!(cassette.exchanges().is_empty());
/// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cassette {
    exchanges: Vec<Exchange>,
}

/// What a replayed call must share with a recorded one to get its answer.
///
/// ```
/// use xmlrpc_kit::cassette::Match;
/// assert_eq!(Match::default(), Match::Params);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Match {
    /// The method's name and every parameter (the default).
    #[default]
    Params,
    /// The method's name only: any parameters get the method's recorded answers.
    Method,
}

impl Cassette {
    /// Exchanges as a cassette.
    ///
    /// ```
    /// let c = xmlrpc_kit::cassette::Cassette::new(Vec::new());
    /// assert!(c.exchanges().is_empty());
    /// ```
    pub fn new(exchanges: Vec<Exchange>) -> Cassette {
        Cassette { exchanges }
    }

    /// Reads a cassette file (blank lines and lines starting with `#` are skipped).
    ///
    /// ```no_run
    /// let cassette = xmlrpc_kit::cassette::Cassette::open("calls.jsonl")?;
    /// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
    /// ```
    pub fn open(path: impl AsRef<Path>) -> Result<Cassette, CassetteError> {
        let path = path.as_ref();
        let io = |source| CassetteError::Io {
            path: path.to_owned(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        let mut exchanges = Vec::new();
        for (i, line) in io::BufReader::new(file).lines().enumerate() {
            let line = line.map_err(io)?;
            if let Some(e) = Self::entry(&line, i + 1)? {
                exchanges.push(e);
            }
        }
        Ok(Cassette { exchanges })
    }

    /// Reads a cassette from text.
    ///
    /// ```
    /// let c = xmlrpc_kit::cassette::Cassette::parse("# one call\n{\"call\": {\"methodName\": \"ping\"}, \"response\": {\"params\": [1]}}\n")?;
    /// assert_eq!(c.exchanges().len(), 1);
    /// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Cassette, CassetteError> {
        let mut exchanges = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if let Some(e) = Self::entry(line, i + 1)? {
                exchanges.push(e);
            }
        }
        Ok(Cassette { exchanges })
    }

    fn entry(line: &str, number: usize) -> Result<Option<Exchange>, CassetteError> {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(None);
        }
        Exchange::parse_line(line, number).map(Some)
    }

    /// The exchanges, in order.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::cassette::Cassette::default().exchanges().len(), 0);
    /// ```
    pub fn exchanges(&self) -> &[Exchange] {
        &self.exchanges
    }

    /// A server answering the recorded calls: each method recorded is registered, and a
    /// call gets the recorded answer of the call it matches (`matching`); when a call was
    /// recorded several times, the answers come in their recorded order, the last one
    /// repeated. A call of a recorded method that matches none gets fault -32602 naming
    /// what was recorded; one of a method never recorded, -32601. Recorded multicalls are
    /// split into their calls (and replayed in the spec's form, `[value]` per call, even
    /// when the application answered bare values, as supervisord does), and multicall and introspection are on: `system.listMethods`
    /// lists the recorded methods and those a recorded `system.listMethods` named (a call
    /// of one never called gets fault -32601 saying so), `system.methodHelp` and
    /// `system.methodSignature` answer as recorded (or say the method is replayed).
    ///
    /// ```
    /// let cassette = xmlrpc_kit::cassette::Cassette::parse(
    ///     r#"{"call": {"methodName": "supervisor.getState"}, "response": {"params": [{"statecode": 1, "statename": "RUNNING"}]}}"#)?;
    /// let server = cassette.server(xmlrpc_kit::cassette::Match::Method);
    /// # let _ = server;
    /// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
    /// ```
    pub fn server(&self, matching: Match) -> Server {
        let mut by_method: HashMap<String, Vec<Recorded>> = HashMap::new();
        let mut order = Vec::new();
        let mut help: HashMap<String, String> = HashMap::new();
        let mut signatures: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for e in self.calls() {
            let name = e.call.method_name.clone();
            match (name.as_str(), e.call.params.as_slice(), &e.answer) {
                ("system.methodHelp", [Value::String(m)], Ok(Value::String(text))) => {
                    help.insert(m.clone(), text.clone());
                }
                ("system.methodSignature", [Value::String(m)], Ok(Value::Array(sigs))) => {
                    let sigs: Vec<Vec<String>> = sigs
                        .iter()
                        .filter_map(|s| match s {
                            Value::Array(types) => types
                                .iter()
                                .map(|t| match t {
                                    Value::String(t) => Some(t.clone()),
                                    _ => None,
                                })
                                .collect(),
                            _ => None,
                        })
                        .collect();
                    signatures.insert(m.clone(), sigs);
                }
                ("system.listMethods", [], Ok(Value::Array(names))) => {
                    // Introspection from the cassette: every method the application
                    // listed is listed again (those never called answer with a fault).
                    for listed in names {
                        if let Value::String(listed) = listed {
                            if !listed.starts_with("system.") && !by_method.contains_key(listed) {
                                by_method.insert(listed.clone(), Vec::new());
                                order.push(listed.clone());
                            }
                        }
                    }
                }
                _ => {}
            }
            if name.starts_with("system.") {
                continue; // The built-in ones answer from what is recorded.
            }
            if !by_method.contains_key(&name) {
                order.push(name.clone());
            }
            let list = by_method.entry(name).or_default();
            list.push(Recorded {
                params: e.call.params,
                answer: e.answer,
            });
        }
        let mut server = Server::new().with_introspection().with_multicall();
        for name in order {
            let recorded = by_method.remove(&name).unwrap_or_default();
            let count = recorded.len();
            let replay = Replay {
                method: name.clone(),
                matching,
                recorded,
                next: Mutex::new(HashMap::new()),
            };
            let replay = Arc::new(replay);
            server = server.dynamic_method(&name, move |params| replay.answer(&params));
            server = server.help(help.remove(&name).unwrap_or_else(|| {
                format!(
                    "Replayed from a cassette: {count} recorded call{}.",
                    if count == 1 { "" } else { "s" }
                )
            }));
            for signature in signatures.remove(&name).unwrap_or_default() {
                server = server.signature(signature);
            }
        }
        server
    }

    /// The exchanges with each recorded `system.multicall` split into its calls.
    fn calls(&self) -> Vec<Exchange> {
        let mut out = Vec::with_capacity(self.exchanges.len());
        for e in &self.exchanges {
            match (
                e.call.method_name.as_str(),
                e.call.params.as_slice(),
                &e.answer,
            ) {
                ("system.multicall", [Value::Array(calls)], Ok(Value::Array(answers))) => {
                    for (call, answer) in calls.iter().zip(answers) {
                        let Value::Struct(call) = call else { continue };
                        let Some(Value::String(name)) = call.get("methodName") else {
                            continue;
                        };
                        let params = match call.get("params") {
                            Some(Value::Array(p)) => p.clone(),
                            _ => Vec::new(),
                        };
                        // The spec's form: `[value]` or a fault struct; supervisord
                        // answers bare values, taken as they are.
                        let answer = match answer {
                            Value::Array(one) if one.len() == 1 => Ok(one[0].clone()),
                            Value::Struct(f) if f.get("faultCode").is_some() => Err(Fault::new(
                                match f.get("faultCode") {
                                    Some(Value::Int(c)) => *c,
                                    _ => Fault::INTERNAL_ERROR,
                                },
                                match f.get("faultString") {
                                    Some(Value::String(s)) => s.clone(),
                                    _ => String::new(),
                                },
                            )),
                            bare => Ok(bare.clone()),
                        };
                        out.push(Exchange {
                            call: MethodCall {
                                method_name: name.clone(),
                                params,
                            },
                            answer,
                            elapsed: None,
                        });
                    }
                }
                _ => out.push(e.clone()),
            }
        }
        out
    }
}

/// A recorded call of one method.
#[derive(Debug)]
struct Recorded {
    params: Vec<Value>,
    answer: Result<Value, Fault>,
}

/// One method's recorded calls, and which answer each kind of call gets next.
#[derive(Debug)]
struct Replay {
    method: String,
    matching: Match,
    recorded: Vec<Recorded>,
    /// For each recorded parameter list (by its first index), how many answers were given.
    next: Mutex<HashMap<usize, usize>>,
}

impl Replay {
    fn answer(&self, params: &[Value]) -> Result<Value, Fault> {
        let same: Vec<&Recorded> = match self.matching {
            Match::Method => self.recorded.iter().collect(),
            Match::Params => self
                .recorded
                .iter()
                .filter(|r| r.params == params)
                .collect(),
        };
        let Some(first) = same.first() else {
            if self.recorded.is_empty() {
                return Err(Fault::new(
                    Fault::METHOD_NOT_FOUND,
                    format!(
                        "replay: {} was listed by the application but never called while recording",
                        self.method
                    ),
                ));
            }
            return Err(Fault::new(Fault::INVALID_PARAMS, self.unknown(params)));
        };
        let key = self
            .recorded
            .iter()
            .position(|r| std::ptr::eq(r, *first))
            .unwrap_or(0);
        let index = match self.next.lock() {
            Ok(mut next) => {
                let n = next.entry(key).or_insert(0);
                let index = (*n).min(same.len() - 1);
                *n += 1;
                index
            }
            Err(_) => 0,
        };
        same[index].answer.clone()
    }

    /// The fault message for a call that was not recorded: what was.
    fn unknown(&self, params: &[Value]) -> String {
        const SHOWN: usize = 5;
        let call = |params: &[Value]| {
            let args: Vec<String> = params
                .iter()
                .map(|p| json::to_json(p).to_string())
                .collect();
            format!("{}({})", self.method, args.join(", "))
        };
        let mut seen: Vec<String> = Vec::new();
        for r in &self.recorded {
            let text = call(&r.params);
            if !seen.contains(&text) {
                seen.push(text);
            }
        }
        let more = seen.len().saturating_sub(SHOWN);
        seen.truncate(SHOWN);
        format!(
            "replay: {} was not recorded; recorded: {}{}",
            call(params),
            seen.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        )
    }
}

/// Appends exchanges to a cassette file as they happen, one line each, flushed at once,
/// so an interrupted recording keeps every exchange before it.
///
/// ```no_run
/// use xmlrpc_kit::{cassette::{Exchange, Recorder}, codec::MethodCall};
/// let recorder = Recorder::create("calls.jsonl")?;
/// recorder.record(&Exchange { call: MethodCall { method_name: "ping".into(), params: vec![] }, answer: Ok(true.into()), elapsed: None })?;
/// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
/// ```
#[derive(Debug)]
pub struct Recorder {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl Recorder {
    /// Creates (or empties) the cassette file.
    ///
    /// ```no_run
    /// let recorder = xmlrpc_kit::cassette::Recorder::create("calls.jsonl")?;
    /// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
    /// ```
    pub fn create(path: impl AsRef<Path>) -> Result<Recorder, CassetteError> {
        let path = path.as_ref().to_owned();
        let file = std::fs::File::create(&path).map_err(|source| CassetteError::Io {
            path: path.clone(),
            source,
        })?;
        Ok(Recorder {
            path,
            file: Mutex::new(file),
        })
    }

    /// Appends one exchange.
    ///
    /// ```no_run
    /// # let recorder = xmlrpc_kit::cassette::Recorder::create("calls.jsonl")?;
    /// # let exchange = xmlrpc_kit::cassette::Exchange::from_line(r#"{"call": {"methodName": "f"}, "response": {"params": [1]}}"#)?;
    /// recorder.record(&exchange)?;
    /// # Ok::<(), xmlrpc_kit::cassette::CassetteError>(())
    /// ```
    pub fn record(&self, exchange: &Exchange) -> Result<(), CassetteError> {
        let mut line = exchange.to_line();
        line.push('\n');
        let mut file = self.file.lock().map_err(|_| CassetteError::Io {
            path: self.path.clone(),
            source: io::Error::other("a recording thread panicked"),
        })?;
        file.write_all(line.as_bytes())
            .and_then(|()| file.flush())
            .map_err(|source| CassetteError::Io {
                path: self.path.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_come_in_recorded_order_then_the_last_repeats() {
        let r = Replay {
            method: "next".into(),
            matching: Match::Params,
            recorded: vec![
                Recorded {
                    params: vec![],
                    answer: Ok(1.into()),
                },
                Recorded {
                    params: vec![],
                    answer: Ok(2.into()),
                },
                Recorded {
                    params: vec![5.into()],
                    answer: Ok(50.into()),
                },
            ],
            next: Mutex::new(HashMap::new()),
        };
        assert_eq!(r.answer(&[]), Ok(1.into()));
        assert_eq!(r.answer(&[5.into()]), Ok(50.into()));
        assert_eq!(r.answer(&[]), Ok(2.into()));
        assert_eq!(r.answer(&[]), Ok(2.into()));
        let fault = r.answer(&["x".into()]).unwrap_err();
        assert_eq!(fault.code, Fault::INVALID_PARAMS);
        assert_eq!(
            fault.string,
            "replay: next(\"x\") was not recorded; recorded: next(), next(5)"
        );
        // On the method alone, any parameters get its answers in recorded order.
        let any = Replay {
            matching: Match::Method,
            next: Mutex::new(HashMap::new()),
            ..r
        };
        assert_eq!(any.answer(&["x".into()]), Ok(1.into()));
        assert_eq!(any.answer(&[]), Ok(2.into()));
        assert_eq!(any.answer(&[]), Ok(50.into()));
    }

    #[test]
    fn recorded_multicalls_are_split_into_their_calls() {
        let c = Cassette::parse(
            r#"{"call":{"methodName":"system.multicall","params":[[{"methodName":"a","params":[1]},{"methodName":"b","params":[]}]]},"response":{"params":[[[10],{"faultCode":3,"faultString":"no"}]]}}"#,
        )
        .unwrap();
        let calls = c.calls();
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].call.method_name, "a");
        assert_eq!(calls[0].answer, Ok(10.into()));
        assert_eq!(calls[1].answer, Err(Fault::new(3, "no")));
    }
}
