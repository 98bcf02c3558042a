//! Small helpers for writing XML text.

/// Escapes text for an attribute value or element content.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a container path for a Reference URI (RFC 3986: unreserved characters and
/// `/` stay, everything else is encoded byte by byte), as libdigidocpp writes it.
pub fn uri_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes a Reference URI's percent-encoding; `None` when it is malformed or not UTF-8.
/// `+` stays `+` (it is not a space in a URI).
pub fn uri_decode(uri: &str) -> Option<String> {
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = uri.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn uris_round_trip() {
        assert_eq!(uri_encode("Faili nimi.txt"), "Faili%20nimi.txt");
        assert_eq!(
            uri_decode("Faili%20nimi.txt").as_deref(),
            Some("Faili nimi.txt")
        );
        assert_eq!(
            uri_decode("Faili+nimi.txt").as_deref(),
            Some("Faili+nimi.txt")
        );
        assert_eq!(uri_decode("%zz"), None);
        let s = "ä ö/&.txt";
        assert_eq!(uri_decode(&uri_encode(s)).as_deref(), Some(s));
    }
}
