//! Canonical JSON (RFC 8785, JSON Canonicalization Scheme) for the values this protocol commits
//! to.
//!
//! > "the JSON Canonicalization Scheme (JCS) … sorting of properties … the serialization of
//! > primitive data types follows ECMAScript's JSON.stringify()" (RFC 8785 section 3.2).
//!
//! Property names are sorted by their UTF-16 code units (section 3.2.3); strings are escaped as
//! `JSON.stringify` does (serde_json's escaping is the same: `\"`, `\\`, `\b \f \n \r \t`, other
//! control characters as lowercase `\u00xx`, everything else literal). The protocol's values
//! hold integers only: a floating-point number is refused rather than formatted approximately.

use serde::Serialize;
use serde_json::Value;

/// A value that has no canonical form here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CanonicalError {
    /// serde could not turn the value into JSON.
    #[error("the value cannot be written as JSON: {0}")]
    Serialize(String),
    /// A number that is not an integer within ±2^53 (the I-JSON range of RFC 7493).
    #[error("the number {0} is not an integer within ±2^53; the protocol commits to integers only")]
    Number(String),
}

/// The RFC 8785 canonical bytes of `value`.
pub fn to_canonical_json<T: Serialize>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    let value =
        serde_json::to_value(value).map_err(|e| CanonicalError::Serialize(e.to_string()))?;
    let mut out = Vec::with_capacity(256);
    write(&value, &mut out)?;
    Ok(out)
}

const MAX_SAFE: u64 = (1 << 53) - 1;

fn write(value: &Value, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => {
            let ok = n.as_u64().is_some_and(|v| v <= MAX_SAFE)
                || n.as_i64().is_some_and(|v| v.unsigned_abs() <= MAX_SAFE);
            if !ok {
                return Err(CanonicalError::Number(n.to_string()));
            }
            out.extend_from_slice(n.to_string().as_bytes());
        }
        Value::String(s) => write_string(s, out)?,
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push(b'{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_string(key, out)?;
                out.push(b':');
                if let Some(v) = map.get(key) {
                    write(v, out)?;
                }
            }
            out.push(b'}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut Vec<u8>) -> Result<(), CanonicalError> {
    let text = serde_json::to_string(s).map_err(|e| CanonicalError::Serialize(e.to_string()))?;
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_keys_and_escapes_like_json_stringify() {
        let v =
            json!({"b": [1, true, null], "a": "õ\n\u{1}\"", "\u{ff61}": 0, "\u{10000}": 1, "é": 2});
        let text = String::from_utf8(to_canonical_json(&v).unwrap()).unwrap();
        // U+10000 sorts by its UTF-16 surrogate 0xD800: before U+FF61, though it is the larger code
        // point; é (U+00E9) comes first.
        assert_eq!(
            text,
            "{\"a\":\"õ\\n\\u0001\\\"\",\"b\":[1,true,null],\"é\":2,\"\u{10000}\":1,\"\u{ff61}\":0}"
        );
    }

    #[test]
    fn refuses_floats_and_huge_integers() {
        assert!(to_canonical_json(&json!({"x": 1.5})).is_err());
        assert!(to_canonical_json(&json!({"x": u64::MAX})).is_err());
    }
}
