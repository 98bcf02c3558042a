//! The entry reader: an entry's data, inflated, bounded by its declared size and checked
//! against its CRC-32.

use std::io::{self, Read};

use super::{Entry, METHOD_DEFLATED, ZipError, shown};

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
