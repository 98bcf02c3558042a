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

use std::collections::HashMap;
use std::io::{self, Read, Seek, SeekFrom, Write};

use unicode_normalization::UnicodeNormalization as _;

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

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn read_exact_at<R: Read + Seek>(r: &mut R, at: u64, len: usize) -> Result<Vec<u8>, ZipError> {
    r.seek(SeekFrom::Start(at))?;
    let mut buf = vec![0u8; len];
    r.read_exact(&mut buf)
        .map_err(|_| ZipError::Structure(format!("{len} bytes at offset {at} are missing")))?;
    Ok(buf)
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

/// The key two names collide under: Unicode NFC, then lower case.
fn fold(name: &str) -> String {
    name.nfc().collect::<String>().to_lowercase()
}

/// Reads the archive's structure from `r` (of `len` bytes) and checks it. Returns the entries
/// in central-directory order.
pub fn scan<R: Read + Seek>(r: &mut R, len: u64, limits: &Limits) -> Result<Vec<Entry>, ZipError> {
    if len < 22 {
        return Err(ZipError::NotZip(
            "shorter than an end-of-central-directory record",
        ));
    }
    // The EOCD: the last signature whose comment length reaches the end of the file exactly.
    let tail_len = len.min(22 + 65_535);
    let tail = read_exact_at(r, len - tail_len, usize::try_from(tail_len).unwrap_or(0))?;
    let mut eocd_at = None;
    for i in (0..=tail.len() - 22).rev() {
        if u32_at(&tail, i) == EOCD_SIG && i + 22 + usize::from(u16_at(&tail, i + 20)) == tail.len()
        {
            eocd_at = Some(i);
            break;
        }
    }
    let Some(e) = eocd_at else {
        return Err(ZipError::NotZip("no end-of-central-directory record"));
    };
    let eocd_pos = len - tail_len + e as u64;
    if eocd_pos >= 20 {
        let locator = read_exact_at(r, eocd_pos - 20, 4)?;
        if u32_at(&locator, 0) == ZIP64_LOCATOR_SIG {
            return Err(ZipError::Unsupported("ZIP64"));
        }
    }
    let (disk, cd_disk) = (u16_at(&tail, e + 4), u16_at(&tail, e + 6));
    let (n_disk, n) = (u16_at(&tail, e + 8), u16_at(&tail, e + 10));
    let cd_size = u64::from(u32_at(&tail, e + 12));
    let cd_offset = u64::from(u32_at(&tail, e + 16));
    if disk != 0 || cd_disk != 0 || n_disk != n {
        return Err(ZipError::Unsupported("a multi-disk archive"));
    }
    if n == 0xffff || cd_size == 0xffff_ffff || cd_offset == 0xffff_ffff {
        return Err(ZipError::Unsupported("ZIP64"));
    }
    let n = usize::from(n);
    if n > limits.max_entries {
        return Err(ZipError::Bomb(format!(
            "{n} entries, more than the {} accepted",
            limits.max_entries
        )));
    }
    if cd_offset + cd_size > eocd_pos {
        return Err(ZipError::Structure(
            "the central directory overlaps its end record".to_owned(),
        ));
    }
    if cd_offset + cd_size < eocd_pos {
        // The offsets were written for a file without the bytes in front.
        return Err(ZipError::PrependedData(eocd_pos - cd_offset - cd_size));
    }
    let cd = read_exact_at(r, cd_offset, usize::try_from(cd_size).unwrap_or(0))?;

    let mut entries = Vec::with_capacity(n);
    let mut at = 0usize;
    while at < cd.len() {
        if cd.len() - at < 46 || u32_at(&cd, at) != CENTRAL_SIG {
            return Err(ZipError::Structure(format!(
                "no central-directory record at offset {}",
                cd_offset + at as u64
            )));
        }
        let flags = u16_at(&cd, at + 8);
        let method = u16_at(&cd, at + 10);
        let dos_time = u16_at(&cd, at + 12);
        let dos_date = u16_at(&cd, at + 14);
        let crc32 = u32_at(&cd, at + 16);
        let compressed_size = u64::from(u32_at(&cd, at + 20));
        let size = u64::from(u32_at(&cd, at + 24));
        let name_len = usize::from(u16_at(&cd, at + 28));
        let extra_len = usize::from(u16_at(&cd, at + 30));
        let comment_len = usize::from(u16_at(&cd, at + 32));
        let start_disk = u16_at(&cd, at + 34);
        let header_offset = u64::from(u32_at(&cd, at + 42));
        let end = at + 46 + name_len + extra_len + comment_len;
        if end > cd.len() {
            return Err(ZipError::Structure(
                "a central-directory record runs past the directory".to_owned(),
            ));
        }
        let raw_name = &cd[at + 46..at + 46 + name_len];
        let name = std::str::from_utf8(raw_name)
            .map_err(|_| ZipError::BadName {
                name: String::from_utf8_lossy(raw_name).into_owned(),
                reason: "it is not UTF-8",
            })?
            .to_owned();
        if flags & FLAG_ENCRYPTED != 0 {
            return Err(ZipError::Unsupported("encryption"));
        }
        if start_disk != 0 {
            return Err(ZipError::Unsupported("a multi-disk archive"));
        }
        if compressed_size == 0xffff_ffff || size == 0xffff_ffff || header_offset == 0xffff_ffff {
            return Err(ZipError::Unsupported("ZIP64"));
        }
        if method != METHOD_STORED && method != METHOD_DEFLATED {
            return Err(ZipError::Unsupported(
                "a compression method other than STORED or DEFLATE",
            ));
        }
        entries.push(Entry {
            name,
            method,
            crc32,
            compressed_size,
            size,
            header_offset,
            data_offset: 0,
            has_extra: extra_len > 0,
            dos_time,
            dos_date,
            flags,
        });
        at = end;
    }
    if entries.len() != n {
        return Err(ZipError::Structure(format!(
            "the end record counts {n} entries, the central directory holds {}",
            entries.len()
        )));
    }

    // Names: safe, and distinct even after case and Unicode folding.
    let mut seen: HashMap<String, String> = HashMap::new();
    for entry in &entries {
        check_name(&entry.name)?;
        if let Some(first) = seen.insert(fold(&entry.name), entry.name.clone()) {
            return Err(ZipError::DuplicateName {
                first: shown(&first),
                second: shown(&entry.name),
            });
        }
    }

    // Bomb limits on the declared sizes (the reader enforces them on the real bytes).
    let total: u64 = entries.iter().map(|e| e.size).sum();
    let packed: u64 = entries.iter().map(|e| e.compressed_size).sum();
    if total > limits.max_total_uncompressed {
        return Err(ZipError::Bomb(format!(
            "the entries inflate to {total} bytes, more than the {} accepted",
            limits.max_total_uncompressed
        )));
    }
    for entry in &entries {
        if entry.size > limits.ratio_threshold
            && entry.size / entry.compressed_size.max(1) > limits.max_ratio
        {
            return Err(ZipError::Bomb(format!(
                "“{}” inflates {} bytes to {} (more than {}:1)",
                shown(&entry.name),
                entry.compressed_size,
                entry.size,
                limits.max_ratio
            )));
        }
    }
    if total > limits.ratio_threshold && total / packed.max(1) > limits.max_ratio {
        return Err(ZipError::Bomb(format!(
            "{packed} bytes inflate to {total} (more than {}:1)",
            limits.max_ratio
        )));
    }

    // Local headers: each agrees with its record; the entries tile the file from offset 0 to
    // the central directory without gaps or overlaps.
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| entries[i].header_offset);
    let mut expected_at = 0u64;
    for &i in &order {
        let entry = &mut entries[i];
        if entry.header_offset != expected_at {
            return Err(if expected_at == 0 {
                ZipError::PrependedData(entry.header_offset)
            } else if entry.header_offset < expected_at {
                ZipError::Structure(format!(
                    "the entry “{}” overlaps another",
                    shown(&entry.name)
                ))
            } else {
                ZipError::Structure(format!(
                    "{} unaccounted bytes before the entry “{}”",
                    entry.header_offset - expected_at,
                    shown(&entry.name)
                ))
            });
        }
        let head = read_exact_at(r, entry.header_offset, 30)?;
        if u32_at(&head, 0) != LOCAL_SIG {
            return Err(ZipError::Structure(format!(
                "no local header for “{}”",
                shown(&entry.name)
            )));
        }
        let mismatch = |field| ZipError::LocalMismatch {
            name: shown(&entry.name),
            field,
        };
        let local_flags = u16_at(&head, 6);
        if local_flags & !FLAG_UTF8 != entry.flags & !FLAG_UTF8 {
            return Err(mismatch("the flags"));
        }
        if u16_at(&head, 8) != entry.method {
            return Err(mismatch("the compression method"));
        }
        let (l_crc, l_csize, l_size) = (
            u32_at(&head, 14),
            u64::from(u32_at(&head, 18)),
            u64::from(u32_at(&head, 22)),
        );
        let sizes_later = entry.flags & FLAG_DESCRIPTOR != 0;
        // With a data descriptor the local fields may be zero; otherwise they must agree.
        if !(sizes_later && l_crc == 0) && l_crc != entry.crc32 {
            return Err(mismatch("the CRC-32"));
        }
        if !(sizes_later && l_csize == 0) && l_csize != entry.compressed_size {
            return Err(mismatch("the compressed size"));
        }
        if !(sizes_later && l_size == 0) && l_size != entry.size {
            return Err(mismatch("the size"));
        }
        let name_len = usize::from(u16_at(&head, 26));
        let extra_len = u64::from(u16_at(&head, 28));
        let local_name = read_exact_at(r, entry.header_offset + 30, name_len)?;
        if local_name != entry.name.as_bytes() {
            return Err(mismatch("the name"));
        }
        entry.has_extra |= extra_len > 0;
        entry.data_offset = entry.header_offset + 30 + name_len as u64 + extra_len;
        let mut next = entry.data_offset + entry.compressed_size;
        if sizes_later {
            // An optional signature, then CRC and the two sizes.
            let d = read_exact_at(r, next, 4)?;
            next += if u32_at(&d, 0) == DESCRIPTOR_SIG {
                16
            } else {
                12
            };
        }
        expected_at = next;
    }
    if expected_at != cd_offset {
        return Err(if entries.is_empty() {
            ZipError::PrependedData(cd_offset)
        } else {
            ZipError::Structure(format!(
                "{} unaccounted bytes before the central directory",
                cd_offset.saturating_sub(expected_at)
            ))
        });
    }
    Ok(entries)
}

/// Reads an entry's data, inflating it, refusing more bytes than declared and checking the
/// CRC-32 and size at the end.
#[derive(Debug)]
pub struct EntryReader<R: Read> {
    inner: Decoded<R>,
    name: String,
    crc: crc32fast::Hasher,
    expected_crc: u32,
    expected_size: u64,
    read: u64,
    done: bool,
}

#[derive(Debug)]
enum Decoded<R: Read> {
    Stored(io::Take<R>),
    Deflated(flate2::read::DeflateDecoder<io::Take<R>>),
}

impl<R: Read> EntryReader<R> {
    /// `source` must be positioned at the entry's data.
    pub fn new(source: R, entry: &Entry) -> Self {
        let taken = source.take(entry.compressed_size);
        let inner = if entry.method == METHOD_DEFLATED {
            Decoded::Deflated(flate2::read::DeflateDecoder::new(taken))
        } else {
            Decoded::Stored(taken)
        };
        Self {
            inner,
            name: entry.name.clone(),
            crc: crc32fast::Hasher::new(),
            expected_crc: entry.crc32,
            expected_size: entry.size,
            read: 0,
            done: false,
        }
    }

    fn damaged(&self, reason: String) -> io::Error {
        io::Error::new(
            io::ErrorKind::InvalidData,
            ZipError::Damaged {
                name: shown(&self.name),
                reason,
            },
        )
    }
}

impl<R: Read> Read for EntryReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let n = match &mut self.inner {
            Decoded::Stored(r) => r.read(buf)?,
            Decoded::Deflated(r) => r.read(buf)?,
        };
        self.read += n as u64;
        if self.read > self.expected_size {
            return Err(self.damaged(format!(
                "it inflates to more than the {} bytes declared",
                self.expected_size
            )));
        }
        self.crc.update(&buf[..n]);
        if n == 0 {
            self.done = true;
            if self.read != self.expected_size {
                return Err(self.damaged(format!(
                    "{} bytes instead of the {} declared",
                    self.read, self.expected_size
                )));
            }
            let crc = self.crc.clone().finalize();
            if crc != self.expected_crc {
                return Err(self.damaged("its CRC-32 does not match".to_owned()));
            }
        }
        Ok(n)
    }
}

/// Whether data is worth deflating: not when its type is already compressed, nor when a trial
/// compression of its first block does not shrink it by a tenth.
pub fn worth_deflating(name: &str, first_block: &[u8]) -> bool {
    const COMPRESSED: &[&str] = &[
        "pdf", "jpg", "jpeg", "png", "gif", "webp", "heic", "zip", "gz", "bz2", "xz", "zst", "7z",
        "rar", "mp4", "m4v", "mov", "mkv", "webm", "avi", "mp3", "m4a", "aac", "ogg", "opus",
        "flac", "docx", "xlsx", "pptx", "odt", "ods", "odp", "asice", "sce", "bdoc", "asics",
        "jar", "apk", "cdoc", "ddoc",
    ];
    let lower = name.to_ascii_lowercase();
    if let Some((_, ext)) = lower.rsplit_once('.')
        && COMPRESSED.contains(&ext)
    {
        return false;
    }
    if first_block.len() < 64 {
        return true;
    }
    let mut trial = Deflater::new(TRIAL_LEVEL);
    let mut out = Vec::with_capacity(first_block.len());
    trial.write(first_block, &mut out).is_ok()
        && trial.finish(&mut out).is_ok()
        && out.len() * 10 < first_block.len() * 9
}

/// The deflate level of entries (zlib's default) and of the trial in [`worth_deflating`].
const ENTRY_LEVEL: u32 = 6;
const TRIAL_LEVEL: u32 = 1;

thread_local! {
    /// Deflate states kept between entries, at most one per level: setting one up allocates and
    /// clears some 300 KiB (window, hash chains, pending buffer), which cost more than the
    /// signature itself when a batch writes many small containers. A state is reset before reuse.
    static DEFLATERS: std::cell::RefCell<Vec<(u32, flate2::Compress)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A raw deflate stream (RFC 1951, as ZIP stores it) on a state taken from [`DEFLATERS`] and
/// given back when dropped.
struct Deflater {
    level: u32,
    state: Option<flate2::Compress>,
    out: Vec<u8>,
}

impl Deflater {
    fn new(level: u32) -> Self {
        let reused = DEFLATERS.with(|pool| {
            let mut pool = pool.borrow_mut();
            let at = pool.iter().position(|(l, _)| *l == level)?;
            Some(pool.swap_remove(at).1)
        });
        let state = match reused {
            Some(mut state) => {
                state.reset();
                state
            }
            None => flate2::Compress::new(flate2::Compression::new(level), false),
        };
        Self {
            level,
            state: Some(state),
            out: Vec::with_capacity(32 * 1024),
        }
    }

    /// Compresses all of `input`, writing what comes out to `sink`.
    fn write(&mut self, mut input: &[u8], sink: &mut dyn Write) -> io::Result<()> {
        while !input.is_empty() {
            let consumed = self.step(input, flate2::FlushCompress::None, sink)?.0;
            input = &input[consumed..];
        }
        Ok(())
    }

    /// Ends the stream, writing the rest to `sink`.
    fn finish(&mut self, sink: &mut dyn Write) -> io::Result<()> {
        while self.step(&[], flate2::FlushCompress::Finish, sink)?.1 != flate2::Status::StreamEnd {}
        Ok(())
    }

    /// One call of the compressor: how much of `input` it took, and its status.
    fn step(
        &mut self,
        input: &[u8],
        flush: flate2::FlushCompress,
        sink: &mut dyn Write,
    ) -> io::Result<(usize, flate2::Status)> {
        let state = self
            .state
            .as_mut()
            .ok_or_else(|| io::Error::other("deflate state already given back"))?;
        let before = state.total_in();
        self.out.clear();
        let status = state
            .compress_vec(input, &mut self.out, flush)
            .map_err(io::Error::other)?;
        sink.write_all(&self.out)?;
        let consumed = usize::try_from(state.total_in() - before)
            .map_err(|_| io::Error::other("deflate consumed more than it was given"))?;
        if consumed == 0 && self.out.is_empty() && status == flate2::Status::BufError {
            return Err(io::Error::other("the deflate stream made no progress"));
        }
        Ok((consumed, status))
    }
}

impl Drop for Deflater {
    fn drop(&mut self) {
        if let Some(state) = self.state.take() {
            // `try_with`: nothing is kept while the thread is ending.
            let _ = DEFLATERS.try_with(|pool| {
                if let Ok(mut pool) = pool.try_borrow_mut()
                    && !pool.iter().any(|(l, _)| *l == self.level)
                {
                    pool.push((self.level, state));
                }
            });
        }
    }
}

/// One entry as written, for the central directory.
#[derive(Debug, Clone)]
struct Written {
    name: String,
    method: u16,
    crc32: u32,
    compressed_size: u64,
    size: u64,
    offset: u64,
    dos_time: u16,
    dos_date: u16,
}

/// A streaming ZIP writer to a seekable file: each local header is patched with the CRC and
/// sizes once its data is written (no data descriptors, as libdigidocpp writes).
#[derive(Debug)]
pub struct ZipWriter<W: Write + Seek> {
    out: W,
    entries: Vec<Written>,
    pos: u64,
    dos_time: u16,
    dos_date: u16,
}

/// Counts and CRCs what passes.
struct Counting<'a, W: Write> {
    out: &'a mut W,
    written: u64,
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// DOS date and time of a UTC instant (2-second resolution; 1980 at the earliest).
pub fn dos_datetime(at: std::time::SystemTime) -> (u16, u16) {
    let Ok(t) = der::DateTime::from_system_time(at) else {
        return (0, 0x21);
    };
    let year = t.year().clamp(1980, 2107) - 1980;
    let date = (year << 9) | (u16::from(t.month()) << 5) | u16::from(t.day());
    let time =
        (u16::from(t.hour()) << 11) | (u16::from(t.minutes()) << 5) | u16::from(t.seconds() / 2);
    (time, date)
}

const MAX_32: u64 = 0xffff_fffe;

impl<W: Write + Seek> ZipWriter<W> {
    /// A writer at the start of `out`, stamping entries with `at`.
    pub fn new(out: W, at: std::time::SystemTime) -> Self {
        let (dos_time, dos_date) = dos_datetime(at);
        Self {
            out,
            entries: Vec::new(),
            pos: 0,
            dos_time,
            dos_date,
        }
    }

    fn header(&mut self, name: &str, method: u16, time: u16, date: u16) -> io::Result<()> {
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend_from_slice(&LOCAL_SIG.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes());
        h.extend_from_slice(&FLAG_UTF8.to_le_bytes());
        h.extend_from_slice(&method.to_le_bytes());
        h.extend_from_slice(&time.to_le_bytes());
        h.extend_from_slice(&date.to_le_bytes());
        h.extend_from_slice(&[0; 12]);
        h.extend_from_slice(&u16::try_from(name.len()).unwrap_or(u16::MAX).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        self.out.write_all(&h)?;
        self.pos += h.len() as u64;
        Ok(())
    }

    fn patch(&mut self, offset: u64, crc: u32, csize: u64, size: u64) -> io::Result<()> {
        if csize > MAX_32 || size > MAX_32 || self.pos > MAX_32 {
            return Err(io::Error::other(
                "a file of 4 GiB or more needs ZIP64, which Signet does not write",
            ));
        }
        self.out.seek(SeekFrom::Start(offset + 14))?;
        let mut p = Vec::with_capacity(12);
        p.extend_from_slice(&crc.to_le_bytes());
        p.extend_from_slice(&u32::try_from(csize).unwrap_or(0).to_le_bytes());
        p.extend_from_slice(&u32::try_from(size).unwrap_or(0).to_le_bytes());
        self.out.write_all(&p)?;
        self.out.seek(SeekFrom::Start(self.pos))?;
        Ok(())
    }

    /// Writes an entry from `data`, deflated or stored as `deflate` says. Returns what the
    /// `tap` saw: every uncompressed byte passes through it (for hashing while writing).
    pub fn add(
        &mut self,
        name: &str,
        data: &mut dyn Read,
        deflate: bool,
        tap: &mut dyn FnMut(&[u8]),
    ) -> io::Result<u64> {
        check_name(name).map_err(io::Error::other)?;
        let offset = self.pos;
        let method = if deflate {
            METHOD_DEFLATED
        } else {
            METHOD_STORED
        };
        self.header(name, method, self.dos_time, self.dos_date)?;
        let mut crc = crc32fast::Hasher::new();
        let mut size = 0u64;
        // Small at first (most entries of a container are a few KiB), grown when a read fills it.
        let mut buf = vec![0u8; 16 * 1024];
        let mut counting = Counting {
            out: &mut self.out,
            written: 0,
        };
        let mut deflater = deflate.then(|| Deflater::new(ENTRY_LEVEL));
        loop {
            let n = data.read(&mut buf)?;
            if n == 0 {
                break;
            }
            crc.update(&buf[..n]);
            tap(&buf[..n]);
            size += n as u64;
            match deflater.as_mut() {
                Some(d) => d.write(&buf[..n], &mut counting)?,
                None => counting.write_all(&buf[..n])?,
            }
            if n == buf.len() && buf.len() < 256 * 1024 {
                buf.resize(256 * 1024, 0);
            }
        }
        if let Some(d) = deflater.as_mut() {
            d.finish(&mut counting)?;
        }
        let compressed = counting.written;
        self.pos += compressed;
        let crc = crc.finalize();
        self.patch(offset, crc, compressed, size)?;
        self.entries.push(Written {
            name: name.to_owned(),
            method,
            crc32: crc,
            compressed_size: compressed,
            size,
            offset,
            dos_time: self.dos_time,
            dos_date: self.dos_date,
        });
        Ok(size)
    }

    /// Copies an entry of another archive as it is (no recompression): `raw` is positioned at
    /// its data.
    pub fn copy_raw(&mut self, entry: &Entry, raw: &mut dyn Read) -> io::Result<()> {
        let offset = self.pos;
        self.header(&entry.name, entry.method, entry.dos_time, entry.dos_date)?;
        let copied = io::copy(&mut raw.take(entry.compressed_size), &mut self.out)?;
        if copied != entry.compressed_size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the source entry is truncated",
            ));
        }
        self.pos += copied;
        self.patch(offset, entry.crc32, entry.compressed_size, entry.size)?;
        self.entries.push(Written {
            name: entry.name.clone(),
            method: entry.method,
            crc32: entry.crc32,
            compressed_size: entry.compressed_size,
            size: entry.size,
            offset,
            dos_time: entry.dos_time,
            dos_date: entry.dos_date,
        });
        Ok(())
    }

    /// Writes the central directory and the end record; returns the output.
    pub fn finish(mut self) -> io::Result<W> {
        let cd_offset = self.pos;
        let mut cd = Vec::new();
        for e in &self.entries {
            cd.extend_from_slice(&CENTRAL_SIG.to_le_bytes());
            cd.extend_from_slice(&0x031eu16.to_le_bytes()); // made by Unix, 3.0
            cd.extend_from_slice(&20u16.to_le_bytes());
            cd.extend_from_slice(&FLAG_UTF8.to_le_bytes());
            cd.extend_from_slice(&e.method.to_le_bytes());
            cd.extend_from_slice(&e.dos_time.to_le_bytes());
            cd.extend_from_slice(&e.dos_date.to_le_bytes());
            cd.extend_from_slice(&e.crc32.to_le_bytes());
            cd.extend_from_slice(&u32::try_from(e.compressed_size).unwrap_or(0).to_le_bytes());
            cd.extend_from_slice(&u32::try_from(e.size).unwrap_or(0).to_le_bytes());
            cd.extend_from_slice(&u16::try_from(e.name.len()).unwrap_or(0).to_le_bytes());
            cd.extend_from_slice(&[0; 8]); // extra, comment, disk, internal attributes
            cd.extend_from_slice(&(0o100_644u32 << 16).to_le_bytes());
            cd.extend_from_slice(&u32::try_from(e.offset).unwrap_or(0).to_le_bytes());
            cd.extend_from_slice(e.name.as_bytes());
        }
        let count = u16::try_from(self.entries.len())
            .map_err(|_| io::Error::other("more than 65534 entries need ZIP64"))?;
        let mut end = Vec::with_capacity(22);
        end.extend_from_slice(&EOCD_SIG.to_le_bytes());
        end.extend_from_slice(&[0; 4]);
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&count.to_le_bytes());
        end.extend_from_slice(&u32::try_from(cd.len()).unwrap_or(0).to_le_bytes());
        end.extend_from_slice(
            &u32::try_from(cd_offset)
                .map_err(|_| io::Error::other("a container of 4 GiB or more needs ZIP64"))?
                .to_le_bytes(),
        );
        end.extend_from_slice(&0u16.to_le_bytes());
        self.out.write_all(&cd)?;
        self.out.write_all(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn build(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
        let mut w = ZipWriter::new(Cursor::new(Vec::new()), std::time::UNIX_EPOCH);
        for (name, data, deflate) in entries {
            w.add(name, &mut &data[..], *deflate, &mut |_| {}).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn scan_bytes(bytes: &[u8]) -> Result<Vec<Entry>, ZipError> {
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

    #[test]
    fn junk_in_front_is_refused() {
        let bytes = build(&[("mimetype", b"x", false)]);
        let mut junk = b"0123456789abcd".to_vec();
        junk.extend_from_slice(&bytes);
        assert!(
            matches!(scan_bytes(&junk), Err(ZipError::PrependedData(_))),
            "{:?}",
            scan_bytes(&junk)
        );
    }

    #[test]
    fn twins_by_case_and_normalisation_are_refused() {
        let nfc = "\u{e4}.txt";
        let nfd = "a\u{308}.txt";
        let bytes = build(&[(nfc, b"1", false), (nfd, b"2", false)]);
        assert!(matches!(
            scan_bytes(&bytes),
            Err(ZipError::DuplicateName { .. })
        ));
        let bytes = build(&[("A.txt", b"1", false), ("a.TXT", b"2", false)]);
        assert!(matches!(
            scan_bytes(&bytes),
            Err(ZipError::DuplicateName { .. })
        ));
    }

    #[test]
    fn local_name_must_match_central() {
        let mut bytes = build(&[("aaaa.txt", b"1", false)]);
        // The local name starts at offset 30.
        bytes[30..34].copy_from_slice(b"bbbb");
        assert!(matches!(
            scan_bytes(&bytes),
            Err(ZipError::LocalMismatch {
                field: "the name",
                ..
            })
        ));
    }

    #[test]
    fn bombs_are_refused() {
        let zeros = vec![0u8; 4 * 1024 * 1024];
        let bytes = build(&[("zeros.bin", &zeros, true)]);
        assert!(matches!(scan_bytes(&bytes), Err(ZipError::Bomb(_))));
        let many: Vec<(String, Vec<u8>)> = (0..1001).map(|i| (format!("f{i}"), vec![])).collect();
        let refs: Vec<(&str, &[u8], bool)> = many
            .iter()
            .map(|(n, d)| (n.as_str(), d.as_slice(), false))
            .collect();
        assert!(matches!(scan_bytes(&build(&refs)), Err(ZipError::Bomb(_))));
    }

    #[test]
    fn incompressible_data_is_stored() {
        let mut random = vec![0u8; 65536];
        let mut x = 0x1234_5678u32;
        for b in &mut random {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *b = (x >> 24) as u8;
        }
        assert!(!worth_deflating("a.bin", &random));
        assert!(worth_deflating("a.txt", &[b'a'; 65536]));
        assert!(!worth_deflating("a.PDF", &[b'a'; 65536]));
    }
}
