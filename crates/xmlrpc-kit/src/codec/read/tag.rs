//! `Tag`: the elements XML-RPC knows, recognised by name (a namespace prefix, as in
//! `ex:nil`, is ignored).

/// An XML-RPC element, or `Other` for any element XML-RPC does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    MethodCall,
    MethodResponse,
    MethodName,
    Params,
    Param,
    Fault,
    Value,
    Struct,
    Member,
    Name,
    Array,
    Data,
    Int,
    I8,
    Boolean,
    String,
    Double,
    DateTime,
    Base64,
    Nil,
    /// `<float>`, read as a double (a deviation).
    Float,
    /// `<i1>` and `<i2>`, read as ints (a deviation).
    I1,
    I2,
    /// Apache's `<ex:biginteger>` and `<ex:bigdecimal>` (deviations).
    BigInteger,
    BigDecimal,
    Other,
}

impl Tag {
    /// The tag for an element name, prefixed or not.
    pub(crate) fn classify(name: &[u8]) -> Tag {
        match Self::unprefixed(name) {
            Tag::Other => match memchr::memrchr(b':', name) {
                Some(colon) => Self::unprefixed(&name[colon + 1..]),
                None => Tag::Other,
            },
            tag => tag,
        }
    }

    /// Dispatches on length and first byte, then compares once: tags are classified on
    /// every element, so this is on the reader's hot path.
    #[inline]
    fn unprefixed(name: &[u8]) -> Tag {
        let (tag, spelled): (Tag, &[u8]) = match (name.len(), name.first()) {
            (5, Some(b'v')) => (Tag::Value, b"value"),
            (6, Some(b'm')) => (Tag::Member, b"member"),
            (4, Some(b'n')) => (Tag::Name, b"name"),
            (6, Some(b's')) if name[1] == b't' && name[2] == b'r' && name[3] == b'i' => {
                (Tag::String, b"string")
            }
            (6, Some(b's')) => (Tag::Struct, b"struct"),
            (3, Some(b'i')) => (Tag::Int, b"int"),
            (2, Some(b'i')) => match name[1] {
                b'4' => return Tag::Int,
                b'2' => return Tag::I2,
                b'1' => return Tag::I1,
                b'8' => return Tag::I8,
                _ => return Tag::Other,
            },
            (5, Some(b'a')) => (Tag::Array, b"array"),
            (4, Some(b'd')) => (Tag::Data, b"data"),
            (5, Some(b'p')) => (Tag::Param, b"param"),
            (6, Some(b'p')) => (Tag::Params, b"params"),
            (6, Some(b'd')) => (Tag::Double, b"double"),
            (5, Some(b'f')) if name[1] == b'l' => (Tag::Float, b"float"),
            (10, Some(b'b')) if name[3] == b'i' => (Tag::BigInteger, b"biginteger"),
            (10, Some(b'b')) => (Tag::BigDecimal, b"bigdecimal"),
            (5, Some(b'f')) => (Tag::Fault, b"fault"),
            (7, Some(b'b')) => (Tag::Boolean, b"boolean"),
            (16, Some(b'd')) => (Tag::DateTime, b"dateTime.iso8601"),
            (6, Some(b'b')) => (Tag::Base64, b"base64"),
            (3, Some(b'n')) => (Tag::Nil, b"nil"),
            (10, Some(b'm')) if name[6] == b'C' => (Tag::MethodCall, b"methodCall"),
            (10, Some(b'm')) => (Tag::MethodName, b"methodName"),
            (14, Some(b'm')) => (Tag::MethodResponse, b"methodResponse"),
            _ => return Tag::Other,
        };
        if name == spelled {
            tag
        } else {
            Tag::Other
        }
    }

    /// The element's name as XML-RPC spells it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Tag::MethodCall => "methodCall",
            Tag::MethodResponse => "methodResponse",
            Tag::MethodName => "methodName",
            Tag::Params => "params",
            Tag::Param => "param",
            Tag::Fault => "fault",
            Tag::Value => "value",
            Tag::Struct => "struct",
            Tag::Member => "member",
            Tag::Name => "name",
            Tag::Array => "array",
            Tag::Data => "data",
            Tag::Int => "int",
            Tag::I8 => "i8",
            Tag::Boolean => "boolean",
            Tag::String => "string",
            Tag::Double => "double",
            Tag::DateTime => "dateTime.iso8601",
            Tag::Base64 => "base64",
            Tag::Nil => "nil",
            Tag::Float => "float",
            Tag::I1 => "i1",
            Tag::I2 => "i2",
            Tag::BigInteger => "biginteger",
            Tag::BigDecimal => "bigdecimal",
            Tag::Other => "?",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_ignored() {
        assert_eq!(Tag::classify(b"ex:nil"), Tag::Nil);
        assert_eq!(Tag::classify(b"a:b:i8"), Tag::I8);
        assert_eq!(Tag::classify(b"i4"), Tag::Int);
        assert_eq!(Tag::classify(b"ex:"), Tag::Other);
        assert_eq!(Tag::classify(b"Value"), Tag::Other);
        for (name, tag) in [
            ("value", Tag::Value),
            ("member", Tag::Member),
            ("name", Tag::Name),
            ("string", Tag::String),
            ("struct", Tag::Struct),
            ("int", Tag::Int),
            ("i1", Tag::I1),
            ("i2", Tag::I2),
            ("biginteger", Tag::BigInteger),
            ("bigdecimal", Tag::BigDecimal),
            ("i4", Tag::Int),
            ("i8", Tag::I8),
            ("array", Tag::Array),
            ("data", Tag::Data),
            ("param", Tag::Param),
            ("params", Tag::Params),
            ("double", Tag::Double),
            ("float", Tag::Float),
            ("fault", Tag::Fault),
            ("boolean", Tag::Boolean),
            ("dateTime.iso8601", Tag::DateTime),
            ("base64", Tag::Base64),
            ("nil", Tag::Nil),
            ("methodCall", Tag::MethodCall),
            ("methodName", Tag::MethodName),
            ("methodResponse", Tag::MethodResponse),
        ] {
            assert_eq!(Tag::classify(name.as_bytes()), tag, "{name}");
            assert_eq!(tag.name() == name, name != "i4");
        }
        for other in [
            "strinG",
            "structs",
            "i3",
            "i",
            "valuE",
            "fault1",
            "flat",
            "methodCalls",
            "nul",
            "base65",
            "bignumbers",
            "biginteger1",
        ] {
            assert_eq!(Tag::classify(other.as_bytes()), Tag::Other, "{other}");
        }
    }
}
