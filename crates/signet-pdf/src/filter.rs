//! Stream filters the reader needs: FlateDecode with PNG and TIFF predictors (xref and object
//! streams). Output is capped so that a deflate bomb cannot exhaust memory.

use std::io::Read as _;

use crate::PdfError;
use crate::object::{Dict, Object, Stream};

/// Largest decoded stream accepted (256 MiB).
pub const MAX_DECODED: u64 = 256 * 1024 * 1024;

/// The decoded bytes of `stream`.
pub fn decode(stream: &Stream) -> Result<Vec<u8>, PdfError> {
    let filters: Vec<Vec<u8>> = match stream.dict.get("Filter") {
        None | Some(Object::Null) => Vec::new(),
        Some(Object::Name(n)) => vec![n.clone()],
        Some(Object::Array(a)) => a
            .iter()
            .filter_map(|o| o.as_name().map(<[u8]>::to_vec))
            .collect(),
        Some(_) => return Err(PdfError::Unsupported("a /Filter that is not a name".into())),
    };
    let parms: Vec<Option<Dict>> = match stream.dict.get("DecodeParms") {
        Some(Object::Dict(d)) => vec![Some(d.clone())],
        Some(Object::Array(a)) => a.iter().map(|o| o.as_dict().cloned()).collect(),
        _ => Vec::new(),
    };
    let mut data = stream.raw.clone();
    for (i, f) in filters.iter().enumerate() {
        let parm = parms.get(i).cloned().flatten();
        data = match f.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let inflated = inflate(&data)?;
                predict(inflated, parm.as_ref())?
            }
            b"ASCIIHexDecode" | b"AHx" => ascii_hex(&data),
            other => {
                return Err(PdfError::Unsupported(format!(
                    "stream filter /{}",
                    String::from_utf8_lossy(other)
                )));
            }
        };
    }
    Ok(data)
}

fn inflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    let mut out = Vec::new();
    let decoder = flate2::read::ZlibDecoder::new(data);
    match decoder.take(MAX_DECODED + 1).read_to_end(&mut out) {
        Ok(_) => {}
        // Truncated deflate data: keep what decoded (as other readers do) if anything did.
        Err(_) if !out.is_empty() => {}
        Err(e) => {
            return Err(PdfError::Syntax {
                offset: 0,
                what: format!("FlateDecode: {e}"),
            });
        }
    }
    if out.len() as u64 > MAX_DECODED {
        return Err(PdfError::TooLarge("a decoded stream"));
    }
    Ok(out)
}

fn ascii_hex(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut hi = None;
    for &c in data {
        if c == b'>' {
            break;
        }
        if let Some(v) = crate::parse::hex_val(c) {
            match hi.take() {
                None => hi = Some(v),
                Some(h) => out.push(h << 4 | v),
            }
        }
    }
    if let Some(h) = hi {
        out.push(h << 4);
    }
    out
}

fn predict(data: Vec<u8>, parm: Option<&Dict>) -> Result<Vec<u8>, PdfError> {
    let Some(parm) = parm else { return Ok(data) };
    let predictor = parm.int("Predictor").unwrap_or(1);
    if predictor < 10 {
        if predictor == 2 {
            return Err(PdfError::Unsupported("TIFF predictor".into()));
        }
        return Ok(data);
    }
    let colors = parm.int("Colors").unwrap_or(1).clamp(1, 32) as usize;
    let bpc = parm.int("BitsPerComponent").unwrap_or(8).clamp(1, 16) as usize;
    let columns = parm.int("Columns").unwrap_or(1).clamp(1, 1 << 20) as usize;
    let bpp = (colors * bpc).div_ceil(8).max(1);
    let row = (colors * bpc * columns).div_ceil(8);
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        if chunk.len() < 2 {
            break;
        }
        let kind = chunk[0];
        let mut cur = chunk[1..].to_vec();
        cur.resize(row, 0);
        for i in 0..row {
            let left = if i >= bpp { cur[i - bpp] } else { 0 };
            let up = prev[i];
            let ul = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = match kind {
                0 => cur[i],
                1 => cur[i].wrapping_add(left),
                2 => cur[i].wrapping_add(up),
                3 => cur[i].wrapping_add(((u16::from(left) + u16::from(up)) / 2) as u8),
                4 => cur[i].wrapping_add(paeth(left, up, ul)),
                _ => {
                    return Err(PdfError::Syntax {
                        offset: 0,
                        what: format!("PNG predictor type {kind}"),
                    });
                }
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
