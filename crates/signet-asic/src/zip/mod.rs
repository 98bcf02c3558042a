//! The ZIP layer, written for ASiC-E: a scanner that reads the end of central directory, every
//! central-directory record and every local header itself and refuses what a container must
//! never be (asice.md section 6), a bounded streaming reader of entries, and a streaming writer.
//!
//! ```text
//! [local header 1][data 1] … [local header n][data n] [central directory] [EOCD]
//! local header   PK\3\4 ver flags method time date crc csize usize nlen xlen name extra
//! central record PK\1\2 made ver flags method time date crc csize usize nlen xlen clen disk iattr eattr offset name extra comment
//! EOCD           PK\5\6 disk cddisk n_disk n cdsize cdoffset clen comment
//! ```
//!
//! No ZIP64, no encryption, no multi-disk archives: a container needing them is refused with the
//! reason. Entry names are never used as file-system paths by this module.
//!
//! The scanner is in `scan`, the entry reader in `read`, the writer (and its deflate states) in
//! `write`; this module holds the format's constants and the types they share.

use std::io;

mod read;
mod scan;
mod write;

pub use read::EntryReader;
pub use scan::scan;
pub use write::{ZipWriter, dos_datetime, worth_deflating};

const LOCAL_SIG: u32 = 0x0403_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const DESCRIPTOR_SIG: u32 = 0x0807_4b50;

/// STORED.
pub const METHOD_STORED: u16 = 0;
/// DEFLATE.
pub const METHOD_DEFLATED: u16 = 8;

/// Flag bit 3: sizes and CRC follow the data in a data descriptor.
const FLAG_DESCRIPTOR: u16 = 1 << 3;
/// Flag bit 11: the name is UTF-8.
const FLAG_UTF8: u16 = 1 << 11;
/// Flag bit 0: encrypted.
const FLAG_ENCRYPTED: u16 = 1;

/// Limits against ZIP bombs (DSS `SecureContainerHandler` defaults as a baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most entries.
    pub max_entries: usize,
    /// Most bytes all entries may inflate to, together.
    pub max_total_uncompressed: u64,
    /// Highest ratio of inflated to compressed bytes, once more than `ratio_threshold` bytes
    /// are inflated.
    pub max_ratio: u64,
    /// The inflated size from which the ratio applies.
    pub ratio_threshold: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_entries: 1000,
            // The ZIP format without ZIP64 cannot hold more than 4 GiB per entry anyway.
            max_total_uncompressed: 16 * 1024 * 1024 * 1024,
            max_ratio: 100,
            ratio_threshold: 1024 * 1024,
        }
    }
}

/// Why a ZIP archive is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZipError {
    /// Reading failed.
    #[error("reading the container failed: {0}")]
    Io(String),
    /// Not a ZIP archive at all.
    #[error("not a ZIP archive: {0}")]
    NotZip(&'static str),
    /// Bytes before the first local header (a polyglot, or a self-extracting archive).
    #[error("{0} bytes precede the first ZIP entry: the file is not only a container")]
    PrependedData(u64),
    /// The archive's structure is inconsistent.
    #[error("the ZIP structure is inconsistent: {0}")]
    Structure(String),
    /// A feature Signet does not read.
    #[error("the container uses {0}, which Signet does not read")]
    Unsupported(&'static str),
    /// Two entries with one name, or names that differ only by case or Unicode normalisation.
    #[error("two entries are named “{first}” and “{second}”: duplicate names are refused")]
    DuplicateName {
        /// The first name.
        first: String,
        /// The second.
        second: String,
    },
    /// A local header disagrees with its central-directory record.
    #[error(
        "the entry “{name}”: its local header says {field} differently from the central directory"
    )]
    LocalMismatch {
        /// The central directory's name.
        name: String,
        /// Which field.
        field: &'static str,
    },
    /// An entry name that is a path outside the container, or otherwise unsafe.
    #[error("the entry name “{name}” is refused: {reason}")]
    BadName {
        /// The name (control characters escaped).
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// Too many entries, too many bytes, or a compression ratio of a bomb.
    #[error("the container looks like a ZIP bomb: {0}")]
    Bomb(String),
    /// Data does not match its CRC or size.
    #[error("the entry “{name}” is damaged: {reason}")]
    Damaged {
        /// The entry.
        name: String,
        /// What does not match.
        reason: String,
    },
}

impl From<io::Error> for ZipError {
    fn from(e: io::Error) -> Self {
        Self::Io(e.to_string())
    }
}

/// One entry, as the central directory and its local header agree it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The name.
    pub name: String,
    /// STORED (0) or DEFLATE (8).
    pub method: u16,
    /// The CRC-32 of the data.
    pub crc32: u32,
    /// Compressed size.
    pub compressed_size: u64,
    /// Uncompressed size.
    pub size: u64,
    /// Offset of the local header.
    pub header_offset: u64,
    /// Offset of the data.
    pub data_offset: u64,
    /// Whether the local header (or central record) carries an extra field.
    pub has_extra: bool,
    /// The DOS time and date, kept when entries are copied.
    pub dos_time: u16,
    /// The DOS date.
    pub dos_date: u16,
    /// General-purpose flags.
    pub flags: u16,
}

impl Entry {
    /// Whether the entry is a directory (its name ends with `/`).
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

fn shown(name: &str) -> String {
    name.chars().flat_map(char::escape_default).collect()
}

/// Checks an entry name: a relative path of non-empty segments, none `.` or `..`, no
/// backslash, drive letter, NUL or control character.
pub fn check_name(name: &str) -> Result<(), ZipError> {
    let bad = |reason| {
        Err(ZipError::BadName {
            name: shown(name),
            reason,
        })
    };
    if name.is_empty() {
        return bad("it is empty");
    }
    if name.chars().any(char::is_control) {
        return bad("it contains a control character");
    }
    if name.contains('\\') {
        return bad("it contains a backslash");
    }
    if name.starts_with('/') {
        return bad("it is an absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return bad("it starts with a drive letter");
    }
    let body = name.strip_suffix('/').unwrap_or(name);
    for segment in body.split('/') {
        match segment {
            "" => return bad("it has an empty path segment"),
            "." | ".." => return bad("it has a “.” or “..” path segment"),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use std::io::{Cursor, Read as _, Seek as _, SeekFrom};

    /// An archive written by [`ZipWriter`]: (name, data, deflated) for each entry.
    pub(in crate::zip) fn build(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()), std::time::UNIX_EPOCH);
        for (name, data, deflate) in entries {
            w.add(name, &mut &data[..], *deflate, &mut |_| {}).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    /// [`scan`] of `bytes` with the default limits.
    pub(in crate::zip) fn scan_bytes(bytes: &[u8]) -> Result<Vec<Entry>, ZipError> {
        scan(
            &mut Cursor::new(bytes),
            bytes.len() as u64,
            &Limits::default(),
        )
    }

    #[test]
    fn round_trip_stored_and_deflated() {
        let text = b"hello hello hello hello hello hello hello hello hello hello hello hello";
        let bytes = build(&[("mimetype", b"x", false), ("a/b.txt", text, true)]);
        let entries = scan_bytes(&bytes).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].header_offset, 0);
        assert_eq!(entries[1].method, METHOD_DEFLATED);
        let mut c = Cursor::new(&bytes);
        c.seek(SeekFrom::Start(entries[1].data_offset)).unwrap();
        let mut out = Vec::new();
        EntryReader::new(c, &entries[1])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, text);
    }

    #[test]
    fn names_are_checked() {
        for bad in [
            "../x", "/abs", "a\\b", "C:x", "a//b", "./a", "a/../b", "a\0b", "",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in [
            "a.txt",
            "folder/test1.txt",
            "META-INF/",
            "Faili nimi.txt",
            "ä.txt",
        ] {
            assert!(check_name(good).is_ok(), "{good:?}");
        }
    }
}
