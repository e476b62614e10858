//! The shorthands the server tests use, from the workspace's test support (`test-support`):
//! the wire-level HTTP client, `methodCall` documents, reading a reply, and python3.

#![allow(unused_imports)]

pub(crate) use test_support::http::{call_xml, result, Conn, Response};
pub(crate) use test_support::process::python;
