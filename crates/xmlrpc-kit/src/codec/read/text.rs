//! Character data: XML's line-end normalization, the characters XML forbids (control
//! characters, U+FFFE, U+FFFF), and references (the five predefined entities and character
//! references; nothing else is ever looked up).

use crate::error::ErrorCode;

/// XML's whitespace characters.
pub(super) const XML_SPACE: &[char] = &[' ', '\t', '\n', '\r'];

pub(super) fn is_blank(text: &str) -> bool {
    text.bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Appends character data with XML's line-end normalization (`\r\n` and `\r` become `\n`),
/// refusing the characters XML does not allow: control characters other than tab, CR and
/// LF, and the noncharacters U+FFFE and U+FFFF (UTF-8 `EF BF BE`, `EF BF BF`).
pub(super) fn push_text(out: &mut String, raw: &str) -> Result<(), ErrorCode> {
    let bytes = raw.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while let Some(off) = bytes[i..]
        .iter()
        .position(|&b| (b < 0x20 && b != b'\t' && b != b'\n') || b == 0xEF)
    {
        let at = i + off;
        match bytes[at] {
            b'\r' => {
                out.push_str(&raw[start..at]);
                out.push('\n');
                i = at + 1;
                if bytes.get(i) == Some(&b'\n') {
                    i += 1;
                }
                start = i;
            }
            0xEF => {
                if let Some([0xBF, last @ (0xBE | 0xBF)]) = bytes.get(at + 1..at + 3) {
                    return Err(ErrorCode::ForbiddenChar(0xFF00 | u32::from(*last)));
                }
                i = at + 1;
            }
            other => return Err(ErrorCode::ForbiddenChar(other.into())),
        }
    }
    out.push_str(&raw[start..]);
    Ok(())
}

/// Resolves `&name;` or `&#N;`: the five predefined entities and character references to
/// characters XML allows. Anything else is refused, never looked up.
pub(super) fn resolve_ref(name: &str) -> Result<char, ErrorCode> {
    match name {
        "lt" => return Ok('<'),
        "gt" => return Ok('>'),
        "amp" => return Ok('&'),
        "quot" => return Ok('"'),
        "apos" => return Ok('\''),
        _ => {}
    }
    let Some(number) = name.strip_prefix('#') else {
        return Err(ErrorCode::UnknownEntity(name.chars().take(64).collect()));
    };
    let code = match number.strip_prefix('x') {
        Some(hex) => u32::from_str_radix(hex, 16),
        None => number.parse::<u32>(),
    };
    match code
        .ok()
        .filter(|_| !number.starts_with(['+', '-']) && !number.starts_with("x+"))
        .and_then(char::from_u32)
    {
        Some(c) if is_xml_char(c) => Ok(c),
        Some(c) => Err(ErrorCode::ForbiddenChar(c.into())),
        None => Err(ErrorCode::InvalidCharRef(name.chars().take(64).collect())),
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}
