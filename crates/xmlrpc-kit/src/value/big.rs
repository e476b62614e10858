//! `BigInteger` and `BigDecimal`: numbers beyond `i64` and `f64` that Apache XML-RPC sends
//! as `<ex:biginteger>` and `<ex:bigdecimal>`, kept as their validated decimal text, so no
//! digit is lost.

use std::fmt;
use std::str::FromStr;

/// Why a text is not a big number.
///
/// ```
/// let err = "12x".parse::<xmlrpc_kit::BigInteger>().unwrap_err();
/// assert_eq!(err.to_string(), "`12x` is not a decimal integer");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a decimal {what}")]
pub struct BigNumberError {
    text: String,
    what: &'static str,
}

/// An integer of any size, as decimal digits with an optional sign (`<ex:biginteger>`).
///
/// ```
/// use xmlrpc_kit::BigInteger;
/// let n: BigInteger = "-170141183460469231731687303715884105728".parse()?;
/// assert_eq!(n.to_i128(), Some(i128::MIN));
/// assert_eq!(BigInteger::from(u128::MAX).as_str(), "340282366920938463463374607431768211455");
/// assert_eq!("+007".parse::<BigInteger>()?.as_str(), "7");
/// # Ok::<(), xmlrpc_kit::value::BigNumberError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BigInteger(String);

/// An exact decimal number, as its text (`<ex:bigdecimal>`: digits, an optional fraction
/// and exponent, as Java's `BigDecimal.toString` writes them).
///
/// ```
/// use xmlrpc_kit::BigDecimal;
/// let d: BigDecimal = "12345678901234567890.000000000000000001".parse()?;
/// assert_eq!(d.as_str(), "12345678901234567890.000000000000000001");
/// assert_eq!("1.5E+3".parse::<BigDecimal>()?.to_f64(), 1500.0);
/// # Ok::<(), xmlrpc_kit::value::BigNumberError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BigDecimal(String);

/// Splits an optional sign off and checks that `digits` are all ASCII digits (at least one).
fn digits(text: &str) -> Option<(&str, &str)> {
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'-') => ("-", &text[1..]),
        Some(b'+') => ("", &text[1..]),
        _ => ("", text),
    };
    (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit())).then_some((sign, rest))
}

impl FromStr for BigInteger {
    type Err = BigNumberError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let (sign, rest) = digits(text).ok_or_else(|| BigNumberError {
            text: text.chars().take(64).collect(),
            what: "integer",
        })?;
        let rest = rest.trim_start_matches('0');
        Ok(BigInteger(match rest {
            "" => "0".to_owned(),
            rest => format!("{sign}{rest}"),
        }))
    }
}

impl BigInteger {
    /// The digits, with a `-` for a negative number (no `+`, no leading zeros).
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::BigInteger::from(-5_i64).as_str(), "-5");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as an `i128`, when it fits.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::BigInteger::from(u128::MAX).to_i128(), None);
    /// ```
    pub fn to_i128(&self) -> Option<i128> {
        self.0.parse().ok()
    }

    /// The number as a `u128`, when it fits.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::BigInteger::from(u128::MAX).to_u128(), Some(u128::MAX));
    /// ```
    pub fn to_u128(&self) -> Option<u128> {
        self.0.parse().ok()
    }

    /// The number as an `i64`, when it fits.
    ///
    /// ```
    /// assert_eq!(xmlrpc_kit::BigInteger::from(7_i64).to_i64(), Some(7));
    /// ```
    pub fn to_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }
}

impl FromStr for BigDecimal {
    type Err = BigNumberError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let bad = || BigNumberError {
            text: text.chars().take(64).collect(),
            what: "number",
        };
        let (mantissa, exponent) = match text.find(['e', 'E']) {
            Some(at) => (&text[..at], Some(&text[at + 1..])),
            None => (text, None),
        };
        if let Some(exponent) = exponent {
            digits(exponent).ok_or_else(bad)?;
        }
        let unsigned = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
        let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(bad());
        }
        Ok(BigDecimal(
            text.strip_prefix('+').unwrap_or(text).to_owned(),
        ))
    }
}

impl BigDecimal {
    /// The number's text as it was given (a leading `+` dropped).
    ///
    /// ```
    /// assert_eq!("+1.10".parse::<xmlrpc_kit::BigDecimal>()?.as_str(), "1.10");
    /// # Ok::<(), xmlrpc_kit::value::BigNumberError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest `f64` (which may lose digits, or be infinite for a huge exponent).
    ///
    /// ```
    /// assert_eq!("0.25".parse::<xmlrpc_kit::BigDecimal>()?.to_f64(), 0.25);
    /// # Ok::<(), xmlrpc_kit::value::BigNumberError>(())
    /// ```
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for BigInteger {
            fn from(n: $t) -> Self {
                BigInteger(n.to_string())
            }
        }
    )*};
}
from_int!(i64, u64, i128, u128);

impl fmt::Display for BigInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for BigDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_validated_and_normalised() {
        for bad in ["", "-", "+", "1.0", "1e3", "0x10", "١٢", " - 1"] {
            assert!(bad.parse::<BigInteger>().is_err(), "{bad:?}");
        }
        let n = |s: &str| s.parse::<BigInteger>().map(|n| n.0).unwrap_or_default();
        assert_eq!(n("-000"), "0");
        assert_eq!(n(" 12 "), "12");
        assert_eq!(n("-0012"), "-12");
        let huge = "9".repeat(100);
        assert_eq!(n(&huge), huge);
    }

    #[test]
    fn decimals_are_validated() {
        for good in ["1", "-1.5", ".5", "5.", "1E10", "1.5e-3", "+2"] {
            assert!(good.parse::<BigDecimal>().is_ok(), "{good:?}");
        }
        for bad in [
            "", ".", "-", "1.2.3", "e5", "1e", "1e+", "nan", "inf", "1,5",
        ] {
            assert!(bad.parse::<BigDecimal>().is_err(), "{bad:?}");
        }
    }
}
