//! The serde mapping: Rust types to XML-RPC text (`ser`) and XML-RPC events to Rust types
//! (`de`), neither going through a `Value` tree.
//!
//! | Rust | XML-RPC |
//! |---|---|
//! | `bool` | `<boolean>` |
//! | `i8 i16 i32 u8 u16`, and `i64 u32 u64` within 32 bits | `<int>` |
//! | `i64 u32 u64` beyond 32 bits | `<i8>` |
//! | `f32 f64` | `<double>` |
//! | `char`, `String`, `&str`, unit enum variants | `<string>` |
//! | `Binary`, `Vec<u8>`, `serde_bytes` | `<base64>` |
//! | `DateTime` | `<dateTime.iso8601>` |
//! | `Option::None`, `()` | `<nil/>` |
//! | sequences and tuples | `<array>` |
//! | structs and maps | `<struct>` |
//! | other enum variants | a one-member `<struct>` named after the variant |
//!
//! A `Vec<u8>` is told from other sequences by its items, so an *empty* one has none to
//! show and is written as an empty `<array>`; use [`Binary`](crate::Binary) (or
//! `serde_bytes`) for byte fields that must always be `<base64>`.

pub(crate) mod de;
pub(crate) mod ser;
