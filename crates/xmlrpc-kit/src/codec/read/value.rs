//! Values inside a document: the head of a value (a whole scalar, or the opening of an array
//! or struct), array items, struct members in either order, and the dynamic [`Value`]
//! builder on top of them. `crate::de` walks the same steps for typed data.

use super::scalar::{parse_scalar, MAX_SCALAR_TEXT};
use super::text::{is_blank, XML_SPACE};
use super::DeviationKind;
use super::{Reader, Step, Tag};
use crate::error::{Error, ErrorCode};
use crate::value::{BigDecimal, BigInteger, Blob, DateTime, Struct, Value};

/// The start of a value, once its type element has been read.
pub(crate) enum Head {
    /// A complete scalar; `</value>` has been consumed.
    Scalar(Scalar),
    /// An array whose items follow.
    Array(ArrayState),
    /// A struct whose members follow.
    Struct(StructState),
}

/// A scalar value.
pub(crate) enum Scalar {
    Int(i32),
    I8(i64),
    Bool(bool),
    String(String),
    Double(f64),
    DateTime(DateTime),
    Base64(Vec<u8>),
    /// A base64 value too large for memory, decoded into a spool file.
    Spooled(Blob),
    Nil,
    BigInteger(BigInteger),
    BigDecimal(BigDecimal),
}

impl Scalar {
    /// The value; a spooled base64 value is loaded, if it fits the in-memory limit.
    pub(crate) fn into_value(self, reader: &Reader<'_>) -> Result<Value, Error> {
        Ok(match self {
            Scalar::Spooled(blob) => Value::Base64(reader.load_spooled(&blob)?.into()),
            other => Value::from(other),
        })
    }
}

impl From<Scalar> for Value {
    /// A spooled value cannot be loaded here, so becomes empty: use `Scalar::into_value`.
    fn from(s: Scalar) -> Value {
        match s {
            Scalar::Int(i) => Value::Int(i),
            Scalar::I8(i) => Value::I8(i),
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::String(s) => Value::String(s),
            Scalar::Double(d) => Value::Double(d),
            Scalar::DateTime(t) => Value::DateTime(t),
            Scalar::Base64(b) => Value::Base64(b.into()),
            Scalar::Spooled(_) => Value::Base64(Vec::new().into()),
            Scalar::Nil => Value::Nil,
            Scalar::BigInteger(n) => Value::BigInteger(n),
            Scalar::BigDecimal(n) => Value::BigDecimal(n),
        }
    }
}

/// Which end tags an array still owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArrayState {
    /// Inside `<data>`: items, then `</data></array></value>`.
    Items,
    /// `<data/>` was empty: `</array></value>` remain.
    ArrayEnd,
    /// `<array/>` or `<array></array>`: only `</value>` remains.
    ValueEnd,
    /// Fully closed.
    Done,
}

/// Which end tags a struct still owes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StructState {
    /// Inside `<struct>`: members, then `</struct></value>`.
    Members,
    /// `<struct/>`: only `</value>` remains.
    ValueEnd,
    /// Fully closed.
    Done,
}

/// How a struct member begins.
pub(crate) enum MemberStart {
    /// `<name>` came first (the usual order); its `<value>` has been opened.
    NameFirst { name: String, empty_value: bool },
    /// `<value>` came before `<name>`; read the value, then
    /// [`Reader::member_name_after_value`].
    ValueFirst { empty_value: bool },
}

impl<'a> Reader<'a> {
    /// Reads a value whose `<value>` start tag was just read (`empty` for `<value/>`).
    pub(crate) fn read_value(&mut self, empty: bool) -> Result<Value, Error> {
        let head = self.value_head(empty)?;
        self.read_value_from(head)
    }

    /// Reads the rest of a value whose head was just read.
    pub(super) fn read_value_from(&mut self, head: Head) -> Result<Value, Error> {
        // Finished items and members wait on two stacks shared by every open array and
        // struct (each frame knows where its own begin), so each array or struct is built
        // once at its exact size when it closes, instead of growing item by item.
        enum Frame {
            Array {
                start: usize,
                state: ArrayState,
            },
            Struct {
                start: usize,
                names: usize,
                state: StructState,
                /// The name of the member being read, when it came before its value.
                name: Option<String>,
            },
        }
        let mut stack: Vec<Frame> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut head = head;
        loop {
            let mut done = match head {
                Head::Scalar(s) => Some(s.into_value(self)?),
                Head::Array(state) => {
                    stack.push(Frame::Array {
                        start: values.len(),
                        state,
                    });
                    None
                }
                Head::Struct(state) => {
                    stack.push(Frame::Struct {
                        start: values.len(),
                        names: names.len(),
                        state,
                        name: None,
                    });
                    None
                }
            };
            // Attach finished values to their parents and advance until a new value starts.
            loop {
                if let Some(value) = done.take() {
                    match stack.last_mut() {
                        None => return Ok(value),
                        Some(Frame::Array { .. }) => values.push(value),
                        Some(Frame::Struct { name, .. }) => {
                            let name = match name.take() {
                                Some(name) => {
                                    self.expect_end(Tag::Member)?;
                                    name
                                }
                                None => self.member_name_after_value()?,
                            };
                            names.push(name);
                            values.push(value);
                        }
                    }
                }
                let next = match stack.last_mut() {
                    None => return Err(Error::message("value stack underflow")),
                    Some(Frame::Array { state, .. }) => self.array_next(state)?,
                    Some(Frame::Struct { state, name, .. }) => match self.struct_next(state)? {
                        None => None,
                        Some(MemberStart::NameFirst {
                            name: n,
                            empty_value,
                        }) => {
                            *name = Some(n);
                            Some(empty_value)
                        }
                        Some(MemberStart::ValueFirst { empty_value }) => Some(empty_value),
                    },
                };
                match next {
                    Some(empty) => {
                        head = self.value_head(empty)?;
                        break;
                    }
                    None => {
                        done = Some(match stack.pop() {
                            Some(Frame::Array { start, .. }) => {
                                Value::Array(values.drain(start..).collect())
                            }
                            Some(Frame::Struct {
                                start,
                                names: first,
                                ..
                            }) => {
                                let mut members = Struct::with_capacity(values.len() - start);
                                for (name, value) in names.drain(first..).zip(values.drain(start..))
                                {
                                    members.insert(name, value);
                                }
                                Value::Struct(members)
                            }
                            None => return Err(Error::message("value stack underflow")),
                        });
                    }
                }
            }
        }
    }

    /// Reads from just after `<value>` up to its type: a whole scalar (and `</value>`), or
    /// the opening of an array or struct.
    pub(crate) fn value_head(&mut self, empty_value: bool) -> Result<Head, Error> {
        if empty_value {
            return Ok(Head::Scalar(Scalar::String(String::new())));
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.clear();
        loop {
            match self.step(Some(&mut pending))? {
                Step::Text { .. } => {
                    if pending.len() > self.limits.max_string_len {
                        return Err(self.string_too_long());
                    }
                }
                Step::End(Tag::Value) => return Ok(Head::Scalar(Scalar::String(pending))),
                step @ (Step::Start(tag) | Step::Empty(tag)) => {
                    if !is_blank(&pending) {
                        return Err(self.unexpected_text(
                            "a type element or text alone",
                            "text beside a type element",
                        ));
                    }
                    self.pending = pending;
                    let head = self.typed_value(tag, matches!(step, Step::Empty(_)))?;
                    if let Head::Scalar(_) = head {
                        self.expect_end(Tag::Value)?;
                    }
                    return Ok(head);
                }
                other => return Err(self.unexpected("a value", other)),
            }
        }
    }

    pub(super) fn typed_value(&mut self, tag: Tag, empty: bool) -> Result<Head, Error> {
        let scalar = match tag {
            Tag::Array => {
                self.enter()?;
                if empty {
                    return Ok(Head::Array(ArrayState::ValueEnd));
                }
                return Ok(Head::Array(match self.next_mark("<data>")? {
                    Step::Start(Tag::Data) => ArrayState::Items,
                    Step::Empty(Tag::Data) => ArrayState::ArrayEnd,
                    Step::End(Tag::Array) => ArrayState::ValueEnd,
                    other => return Err(self.unexpected("<data> in <array>", other)),
                }));
            }
            Tag::Struct => {
                self.enter()?;
                return Ok(Head::Struct(if empty {
                    StructState::ValueEnd
                } else {
                    StructState::Members
                }));
            }
            Tag::String if empty => Scalar::String(String::new()),
            Tag::String => {
                let mut s = String::new();
                self.read_text(&mut s, Tag::String, self.limits.max_string_len, "string")?;
                Scalar::String(s)
            }
            Tag::Base64 if empty => Scalar::Base64(Vec::new()),
            Tag::Base64 => self.read_base64()?,
            Tag::Nil => {
                if !empty {
                    let mut text = std::mem::take(&mut self.pending);
                    text.clear();
                    self.read_text(&mut text, Tag::Nil, 64, "nil")?;
                    let blank = is_blank(&text);
                    self.pending = text;
                    if !blank {
                        return Err(self.unexpected_text("<nil/>", "text inside <nil>"));
                    }
                }
                Scalar::Nil
            }
            Tag::Int | Tag::I8 | Tag::Boolean | Tag::Double | Tag::DateTime => {
                let mut text = std::mem::take(&mut self.pending);
                text.clear();
                if !empty {
                    self.read_text(&mut text, tag, MAX_SCALAR_TEXT, tag.name())?;
                }
                let trimmed = text.trim_matches(XML_SPACE);
                if tag == Tag::Boolean && matches!(trimmed, "true" | "false") {
                    let detail = format!("<boolean>{trimmed}</boolean>");
                    self.deviate(DeviationKind::WordBoolean, detail)?;
                }
                let parsed = parse_scalar(tag, trimmed);
                let result = parsed.map_err(|reason| {
                    self.error(ErrorCode::InvalidScalar {
                        ty: tag.name(),
                        text: text.chars().take(64).collect(),
                        reason,
                    })
                });
                self.pending = text;
                result?
            }
            Tag::Float | Tag::I1 | Tag::I2 | Tag::BigInteger | Tag::BigDecimal => {
                self.deviant_scalar(tag, empty)?
            }
            other => {
                return Err(self.unexpected(
                    "a type element such as <int> or <string>",
                    Step::Start(other),
                ))
            }
        };
        Ok(Head::Scalar(scalar))
    }

    /// A scalar of a type XML-RPC does not define but peers send: `<float>`, `<i1>`,
    /// `<i2>`, `<biginteger>`, `<bigdecimal>`; noted as a deviation.
    fn deviant_scalar(&mut self, tag: Tag, empty: bool) -> Result<Scalar, Error> {
        let mut text = std::mem::take(&mut self.pending);
        text.clear();
        if !empty {
            self.read_text(&mut text, tag, MAX_SCALAR_TEXT, tag.name())?;
        }
        let trimmed = text.trim_matches(XML_SPACE);
        let shown: String = trimmed.chars().take(64).collect();
        let (kind, parsed) = match tag {
            Tag::Float => (DeviationKind::Float, parse_scalar(Tag::Double, trimmed)),
            Tag::I1 | Tag::I2 => (DeviationKind::ShortInt, parse_scalar(Tag::Int, trimmed)),
            Tag::BigInteger => (
                DeviationKind::BigInteger,
                trimmed
                    .parse::<BigInteger>()
                    .map(Scalar::BigInteger)
                    .map_err(|e| e.to_string()),
            ),
            _ => (
                DeviationKind::BigDecimal,
                trimmed
                    .parse::<BigDecimal>()
                    .map(Scalar::BigDecimal)
                    .map_err(|e| e.to_string()),
            ),
        };
        let result = parsed.map_err(|reason| {
            self.error(ErrorCode::InvalidScalar {
                ty: tag.name(),
                text: shown.clone(),
                reason,
            })
        });
        self.pending = text;
        let scalar = result?;
        self.deviate(kind, format!("<{0}>{shown}</{0}>", tag.name()))?;
        Ok(scalar)
    }

    pub(super) fn enter(&mut self) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.error(ErrorCode::Limit {
                what: "nesting depth of arrays and structs",
                limit: self.limits.max_depth as u64,
            }));
        }
        Ok(())
    }

    /// Opens the next array item (`Some(empty)`), or closes the array (`None`).
    pub(crate) fn array_next(&mut self, state: &mut ArrayState) -> Result<Option<bool>, Error> {
        match *state {
            ArrayState::Items => match self.next_mark("<value> or </data>")? {
                Step::Start(Tag::Value) => return Ok(Some(false)),
                Step::Empty(Tag::Value) => return Ok(Some(true)),
                Step::End(Tag::Data) => {
                    self.expect_end(Tag::Array)?;
                    self.expect_end(Tag::Value)?;
                }
                other => return Err(self.unexpected("<value> or </data>", other)),
            },
            ArrayState::ArrayEnd => {
                self.expect_end(Tag::Array)?;
                self.expect_end(Tag::Value)?;
            }
            ArrayState::ValueEnd => self.expect_end(Tag::Value)?,
            ArrayState::Done => return Ok(None),
        }
        *state = ArrayState::Done;
        self.depth -= 1;
        Ok(None)
    }

    /// Opens the next struct member, or closes the struct (`None`).
    pub(crate) fn struct_next(
        &mut self,
        state: &mut StructState,
    ) -> Result<Option<MemberStart>, Error> {
        match *state {
            StructState::Members => match self.next_mark("<member> or </struct>")? {
                Step::Start(Tag::Member) => return self.member_start().map(Some),
                Step::End(Tag::Struct) => self.close_struct_value()?,
                other => return Err(self.unexpected("<member> or </struct>", other)),
            },
            StructState::ValueEnd => self.close_struct_value()?,
            StructState::Done => return Ok(None),
        }
        *state = StructState::Done;
        self.depth -= 1;
        Ok(None)
    }

    /// The `</value>` after a struct, unless it is a bare fault struct, which has none.
    fn close_struct_value(&mut self) -> Result<(), Error> {
        if self.bare_struct == Some(self.depth) {
            self.bare_struct = None;
            return Ok(());
        }
        self.expect_end(Tag::Value)
    }

    fn member_start(&mut self) -> Result<MemberStart, Error> {
        match self.next_mark("<name> or <value>")? {
            step @ (Step::Start(Tag::Name) | Step::Empty(Tag::Name)) => {
                let name = self.member_name(step == Step::Empty(Tag::Name))?;
                let empty_value = match self.next_mark("<value>")? {
                    Step::Start(Tag::Value) => false,
                    Step::Empty(Tag::Value) => true,
                    other => return Err(self.unexpected("<value> in <member>", other)),
                };
                Ok(MemberStart::NameFirst { name, empty_value })
            }
            step @ (Step::Start(Tag::Value) | Step::Empty(Tag::Value)) => {
                self.deviate(
                    DeviationKind::ValueBeforeName,
                    "a <member> with its <value> before its <name>".into(),
                )?;
                Ok(MemberStart::ValueFirst {
                    empty_value: step == Step::Empty(Tag::Value),
                })
            }
            other => Err(self.unexpected("<name> or <value> in <member>", other)),
        }
    }

    fn member_name(&mut self, empty: bool) -> Result<String, Error> {
        let mut name = String::new();
        if !empty {
            self.read_text(
                &mut name,
                Tag::Name,
                self.limits.max_string_len,
                "member name",
            )?;
        }
        Ok(name)
    }

    /// For a member whose value came first: reads `<name>` and `</member>`.
    pub(crate) fn member_name_after_value(&mut self) -> Result<String, Error> {
        let name = match self.next_mark("<name>")? {
            step @ (Step::Start(Tag::Name) | Step::Empty(Tag::Name)) => {
                self.member_name(step == Step::Empty(Tag::Name))?
            }
            other => return Err(self.unexpected("<name> in <member>", other)),
        };
        self.expect_end(Tag::Member)?;
        Ok(name)
    }

    /// Closes a member whose name came first.
    pub(crate) fn member_end(&mut self) -> Result<(), Error> {
        self.expect_end(Tag::Member)
    }
}
