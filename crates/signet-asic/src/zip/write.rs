//! The writer: entries streamed to a seekable file, deflated on pooled states when it is worth
//! it, then the central directory and its end record.

use std::io::{self, Read, Seek, SeekFrom, Write};

use super::{
    CENTRAL_SIG, EOCD_SIG, Entry, FLAG_UTF8, LOCAL_SIG, METHOD_DEFLATED, METHOD_STORED, check_name,
};

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
mod tests {
    use super::*;

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
