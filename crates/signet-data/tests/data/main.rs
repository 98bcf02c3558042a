//! signet-data's integration tests: one binary, a module per subject.
#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

mod consent;
mod correction;
mod entry;
mod log;
mod merkle;
mod note;
mod webeid;

/// Lowercase hexadecimal to bytes.
pub fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}
