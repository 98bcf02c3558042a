//! The scanner: the end of central directory, every central-directory record and every local
//! header, read and checked before any entry is trusted.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

use unicode_normalization::UnicodeNormalization as _;

use super::{
    CENTRAL_SIG, DESCRIPTOR_SIG, EOCD_SIG, Entry, FLAG_DESCRIPTOR, FLAG_ENCRYPTED, FLAG_UTF8,
    LOCAL_SIG, Limits, METHOD_DEFLATED, METHOD_STORED, ZIP64_LOCATOR_SIG, ZipError, check_name,
    shown,
};

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

#[cfg(test)]
mod tests {
    use super::super::tests::{build, scan_bytes};
    use super::*;

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
}
