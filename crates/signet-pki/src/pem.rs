//! PEM (RFC 7468), the one reader of the certificate, key and CA files that people give Signet
//! and its node. Lax about the base64's line width (section 3's lax parsing: files published by
//! others are often wrapped at any width or not at all), strict about the base64 itself; text
//! outside the blocks is ignored.

/// Why a PEM block is refused. Each names the block's label where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PemError {
    /// A `-----BEGIN ` with no `-----` closing its label.
    #[error("a BEGIN line has no label")]
    NoLabel,
    /// No `-----END <label>-----` after a block's BEGIN line.
    #[error("a block has no END {label} line")]
    NoEnd {
        /// The block's label.
        label: String,
    },
    /// The block's body is not base64.
    #[error("a block is not valid base64")]
    Base64 {
        /// The block's label.
        label: String,
    },
}

impl PemError {
    /// The label of the block refused, when it has one.
    pub fn label(&self) -> Option<&str> {
        match self {
            Self::NoLabel => None,
            Self::NoEnd { label } | Self::Base64 { label } => Some(label),
        }
    }
}

/// One block: its label (`CERTIFICATE`, `PRIVATE KEY` …) and the DER it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The label of its BEGIN and END lines.
    pub label: String,
    /// The decoded body.
    pub der: Vec<u8>,
}

/// The text of a PEM file: UTF-8 that has a `-----BEGIN ` line. DER starts with 0x30, so the two
/// cannot be mistaken for each other.
pub fn text(bytes: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(bytes).ok()?;
    text.contains(BEGIN).then_some(text)
}

/// The blocks of a PEM text, in order. After an error the iterator ends.
pub fn blocks(text: &str) -> Blocks<'_> {
    Blocks { rest: Some(text) }
}

/// The DER in a file's bytes: its first PEM block whatever the label, or the bytes as they are
/// when they are not PEM.
pub fn der_of(bytes: &[u8]) -> Result<Vec<u8>, PemError> {
    match text(bytes) {
        Some(text) => match blocks(text).next() {
            Some(block) => block.map(|b| b.der),
            None => Ok(bytes.to_vec()),
        },
        None => Ok(bytes.to_vec()),
    }
}

const BEGIN: &str = "-----BEGIN ";
const DASHES: &str = "-----";

/// The iterator of [`blocks`].
#[derive(Debug, Clone)]
pub struct Blocks<'a> {
    rest: Option<&'a str>,
}

impl Iterator for Blocks<'_> {
    type Item = Result<Block, PemError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.rest.take()?;
        let start = rest.find(BEGIN)?;
        let after_begin = &rest[start + BEGIN.len()..];
        let Some(label_end) = after_begin.find(DASHES) else {
            return Some(Err(PemError::NoLabel));
        };
        let label = after_begin[..label_end].to_owned();
        let body = &after_begin[label_end + DASHES.len()..];
        let end_line = format!("-----END {label}-----");
        let Some(end) = body.find(&end_line) else {
            return Some(Err(PemError::NoEnd { label }));
        };
        let base64: String = body[..end]
            .chars()
            .filter(|c| !c.is_ascii_whitespace())
            .collect();
        let der = match <base64ct::Base64 as base64ct::Encoding>::decode_vec(&base64) {
            Ok(der) => der,
            Err(_) => return Some(Err(PemError::Base64 { label })),
        };
        self.rest = Some(&body[end + end_line.len()..]);
        Some(Ok(Block { label, der }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]
    use super::*;

    #[test]
    fn blocks_are_read_in_order_at_any_width() {
        let text = "junk\n-----BEGIN CERTIFICATE-----\nAQID\nBA==\n-----END CERTIFICATE-----\n\
                    -----BEGIN PRIVATE KEY-----\r\nBQY=\r\n-----END PRIVATE KEY-----\r\n";
        let found: Vec<Block> = blocks(text).map(Result::unwrap).collect();
        assert_eq!(
            found,
            [
                Block {
                    label: "CERTIFICATE".to_owned(),
                    der: vec![1, 2, 3, 4]
                },
                Block {
                    label: "PRIVATE KEY".to_owned(),
                    der: vec![5, 6]
                },
            ]
        );
        assert_eq!(der_of(text.as_bytes()).unwrap(), [1, 2, 3, 4]);
    }

    #[test]
    fn der_is_given_back_and_broken_blocks_are_refused() {
        assert_eq!(
            der_of(&[0x30, 0x03, 2, 1, 5]).unwrap(),
            [0x30, 0x03, 2, 1, 5]
        );
        assert_eq!(
            der_of(b"-----BEGIN CERTIFICATE-----\nAQID\n").unwrap_err(),
            PemError::NoEnd {
                label: "CERTIFICATE".to_owned()
            }
        );
        let bad = "-----BEGIN X-----\n!!!!\n-----END X-----\n";
        assert_eq!(blocks(bad).next().unwrap().unwrap_err().label(), Some("X"));
        assert_eq!(
            blocks("-----BEGIN CERT").next().unwrap(),
            Err(PemError::NoLabel)
        );
        assert!(text(b"no PEM here").is_none());
    }
}
