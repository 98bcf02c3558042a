//! BER to DER, for the CMS that older TSAs and some PDF signers wrote with indefinite lengths
//! and constructed OCTET STRINGs (X.690 section 10): the time-stamp tokens of ASiC containers
//! and the `/Contents` of PDF signatures. Only re-encodes lengths and joins string segments: the
//! values are unchanged, so signatures and digests over them still hold.

/// Returns the DER form of `input`, or `None` when it is not one well-formed BER value.
pub fn to_der(input: &[u8]) -> Option<Vec<u8>> {
    let (value, rest) = convert(input, 0)?;
    rest.is_empty().then_some(value)
}

/// Returns the DER form of the first BER value in `input` and how many bytes of `input` it took
/// (what follows it, such as the zero padding of a PDF's `/Contents`, is the caller's to judge),
/// or `None` when `input` does not start with a well-formed BER value.
pub fn first_to_der(input: &[u8]) -> Option<(Vec<u8>, usize)> {
    let (value, rest) = convert(input, 0)?;
    Some((value, input.len() - rest.len()))
}

const MAX_DEPTH: usize = 64;

fn header(input: &[u8]) -> Option<(Vec<u8>, Option<usize>, &[u8])> {
    let first = *input.first()?;
    let mut tag_len = 1;
    if first & 0x1f == 0x1f {
        loop {
            let b = *input.get(tag_len)?;
            tag_len += 1;
            if b & 0x80 == 0 {
                break;
            }
            if tag_len > 6 {
                return None;
            }
        }
    }
    let tag = input[..tag_len].to_vec();
    let l = *input.get(tag_len)?;
    let mut at = tag_len + 1;
    let len = if l == 0x80 {
        None
    } else if l < 0x80 {
        Some(usize::from(l))
    } else {
        let n = usize::from(l & 0x7f);
        if n > 4 {
            return None;
        }
        let mut v = 0usize;
        for _ in 0..n {
            v = (v << 8) | usize::from(*input.get(at)?);
            at += 1;
        }
        Some(v)
    };
    Some((tag, len, &input[at..]))
}

fn encode(tag: &[u8], content: &[u8]) -> Vec<u8> {
    let mut out = tag.to_vec();
    let len = content.len();
    if len < 0x80 {
        out.push(u8::try_from(len).unwrap_or(0));
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | u8::try_from(bytes.len() - skip).unwrap_or(0));
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn convert(input: &[u8], depth: usize) -> Option<(Vec<u8>, &[u8])> {
    if depth > MAX_DEPTH {
        return None;
    }
    let (tag, len, body) = header(input)?;
    let constructed = tag[0] & 0x20 != 0;
    if !constructed {
        let len = len?;
        let content = body.get(..len)?;
        return Some((encode(&tag, content), &body[len..]));
    }
    let mut children = Vec::new();
    let rest = match len {
        Some(len) => {
            let mut inner = body.get(..len)?;
            while !inner.is_empty() {
                let (child, r) = convert(inner, depth + 1)?;
                children.push(child);
                inner = r;
            }
            &body[len..]
        }
        None => {
            let mut inner = body;
            loop {
                if inner.starts_with(&[0, 0]) {
                    break &inner[2..];
                }
                let (child, r) = convert(inner, depth + 1)?;
                children.push(child);
                inner = r;
            }
        }
    };
    // A constructed universal string (OCTET STRING 0x24, UTF8String 0x2c …) becomes primitive:
    // its segments' contents joined.
    let universal_string =
        tag.len() == 1 && tag[0] & 0xc0 == 0 && matches!(tag[0] & 0x1f, 4 | 12 | 19 | 20 | 22 | 26);
    if universal_string {
        let mut joined = Vec::new();
        for child in &children {
            let (_, l, b) = header(child)?;
            joined.extend_from_slice(b.get(..l?)?);
        }
        return Some((encode(&[tag[0] & !0x20], &joined), rest));
    }
    Some((encode(&tag, &children.concat()), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_lengths_and_segments_become_der() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { 04 01 aa, 04 01 bb } }
        let ber = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x01, 0xbb, 0, 0, 0, 0,
        ];
        assert_eq!(
            to_der(&ber).as_deref(),
            Some(&[0x30, 0x04, 0x04, 0x02, 0xaa, 0xbb][..])
        );
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        assert_eq!(to_der(&der).as_deref(), Some(&der[..]));
        assert_eq!(to_der(&[0x30, 0x80, 0x02]), None);
    }

    #[test]
    fn the_first_value_is_converted_and_its_length_told() {
        // The same BER followed by the zero padding of a PDF's /Contents.
        let mut padded = vec![
            0x30, 0x80, 0x24, 0x80, 0x04, 0x01, 0xaa, 0x04, 0x01, 0xbb, 0, 0, 0, 0,
        ];
        padded.extend_from_slice(&[0; 8]);
        assert_eq!(to_der(&padded), None);
        assert_eq!(
            first_to_der(&padded),
            Some((vec![0x30, 0x04, 0x04, 0x02, 0xaa, 0xbb], 14))
        );
        assert_eq!(first_to_der(&[0x30, 0x80, 0x02]), None);
    }
}
