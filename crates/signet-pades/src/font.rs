//! A TrueType font subset for visible signatures: the glyphs of the characters used (and the
//! components of composite glyphs) are kept at their glyph ids, every other glyph is emptied, so
//! that Estonian (õäöü, šž) and Cyrillic names render from the embedded font in any viewer.
//! Embedded as a Type0 / CIDFontType2 font with Identity-H encoding and a ToUnicode CMap.
//!
//! The font is DejaVu Sans (Bitstream Vera licence, fonts/DejaVuSans-LICENSE.txt).

use std::collections::{BTreeMap, BTreeSet};

use signet_pdf::{Dict, ObjRef, Object, Stream};

/// The bundled font.
pub const DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Why a font could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the font cannot be read: {0}")]
pub struct FontError(pub &'static str);

fn u16_at(d: &[u8], at: usize) -> Result<u16, FontError> {
    d.get(at..at + 2)
        .map(|b| u16::from_be_bytes([b[0], b[1]]))
        .ok_or(FontError("truncated"))
}

fn u32_at(d: &[u8], at: usize) -> Result<u32, FontError> {
    d.get(at..at + 4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        .ok_or(FontError("truncated"))
}

fn i16_at(d: &[u8], at: usize) -> Result<i16, FontError> {
    u16_at(d, at).map(|v| v as i16)
}

/// A parsed TrueType font.
#[derive(Debug, Clone)]
pub struct Font<'a> {
    data: &'a [u8],
    tables: BTreeMap<[u8; 4], (usize, usize)>,
    units_per_em: u16,
    num_glyphs: u16,
    long_loca: bool,
}

/// A subset ready to embed.
#[derive(Debug, Clone)]
pub struct Subset {
    /// The font program (FontFile2).
    pub program: Vec<u8>,
    /// Glyph id and advance width (in 1/1000 em) per character used.
    pub glyphs: BTreeMap<char, (u16, i64)>,
    /// FontBBox in 1/1000 em.
    pub bbox: [i64; 4],
    /// Ascent and descent in 1/1000 em.
    pub ascent: i64,
    /// Descent.
    pub descent: i64,
}

impl<'a> Font<'a> {
    /// Reads the table directory and the header fields the subset needs.
    pub fn parse(data: &'a [u8]) -> Result<Self, FontError> {
        let n = u16_at(data, 4)? as usize;
        let mut tables = BTreeMap::new();
        for i in 0..n {
            let rec = 12 + 16 * i;
            let tag: [u8; 4] = data
                .get(rec..rec + 4)
                .and_then(|t| t.try_into().ok())
                .ok_or(FontError("truncated directory"))?;
            let off = u32_at(data, rec + 8)? as usize;
            let len = u32_at(data, rec + 12)? as usize;
            if off.checked_add(len).is_none_or(|e| e > data.len()) {
                return Err(FontError("a table outside the file"));
            }
            tables.insert(tag, (off, len));
        }
        let head = tables.get(b"head").ok_or(FontError("no head table"))?.0;
        let maxp = tables.get(b"maxp").ok_or(FontError("no maxp table"))?.0;
        for t in [b"loca", b"glyf", b"hhea", b"hmtx", b"cmap"] {
            if !tables.contains_key(t) {
                return Err(FontError("a required table is missing"));
            }
        }
        Ok(Self {
            data,
            units_per_em: u16_at(data, head + 18)?.max(1),
            num_glyphs: u16_at(data, maxp + 4)?,
            long_loca: i16_at(data, head + 50)? == 1,
            tables,
        })
    }

    fn table(&self, tag: &[u8; 4]) -> &'a [u8] {
        self.tables
            .get(tag)
            .map_or(&[][..], |(o, l)| &self.data[*o..*o + *l])
    }

    fn scale(&self, v: i64) -> i64 {
        v * 1000 / i64::from(self.units_per_em)
    }

    /// The glyph id of `c` (cmap format 4, Windows Unicode BMP), 0 when absent.
    pub fn glyph_id(&self, c: char) -> Result<u16, FontError> {
        let cmap = self.table(b"cmap");
        let n = u16_at(cmap, 2)? as usize;
        let mut sub = None;
        for i in 0..n {
            let rec = 4 + 8 * i;
            let (platform, encoding) = (u16_at(cmap, rec)?, u16_at(cmap, rec + 2)?);
            let off = u32_at(cmap, rec + 4)? as usize;
            if ((platform == 3 && encoding == 1) || platform == 0) && u16_at(cmap, off)? == 4 {
                sub = Some(off);
                break;
            }
        }
        let s = sub.ok_or(FontError("no Unicode cmap (format 4)"))?;
        let code = u32::from(c);
        if code > 0xffff {
            return Ok(0);
        }
        let code = code as u16;
        let seg_x2 = u16_at(cmap, s + 6)? as usize;
        let ends = s + 14;
        let starts = ends + seg_x2 + 2;
        let deltas = starts + seg_x2;
        let ranges = deltas + seg_x2;
        for seg in 0..seg_x2 / 2 {
            let end = u16_at(cmap, ends + 2 * seg)?;
            if code > end {
                continue;
            }
            let start = u16_at(cmap, starts + 2 * seg)?;
            if code < start {
                return Ok(0);
            }
            let delta = u16_at(cmap, deltas + 2 * seg)?;
            let range = u16_at(cmap, ranges + 2 * seg)? as usize;
            if range == 0 {
                return Ok(code.wrapping_add(delta));
            }
            let at = ranges + 2 * seg + range + 2 * (code - start) as usize;
            let g = u16_at(cmap, at)?;
            return Ok(if g == 0 { 0 } else { g.wrapping_add(delta) });
        }
        Ok(0)
    }

    fn glyph_range(&self, gid: u16) -> Result<(usize, usize), FontError> {
        let loca = self.table(b"loca");
        let g = gid as usize;
        let (a, b) = if self.long_loca {
            (
                u32_at(loca, 4 * g)? as usize,
                u32_at(loca, 4 * g + 4)? as usize,
            )
        } else {
            (
                u16_at(loca, 2 * g)? as usize * 2,
                u16_at(loca, 2 * g + 2)? as usize * 2,
            )
        };
        if b < a || b > self.table(b"glyf").len() {
            return Err(FontError("a glyph outside glyf"));
        }
        Ok((a, b))
    }

    fn advance(&self, gid: u16) -> Result<i64, FontError> {
        let metrics = u16_at(self.table(b"hhea"), 34)?.max(1);
        let i = gid.min(metrics - 1) as usize;
        Ok(self.scale(i64::from(u16_at(self.table(b"hmtx"), 4 * i)?)))
    }

    /// The subset for the characters of `text`.
    pub fn subset(&self, text: &str) -> Result<Subset, FontError> {
        let mut glyphs = BTreeMap::new();
        let mut keep: BTreeSet<u16> = BTreeSet::from([0]);
        for c in text.chars() {
            let gid = self.glyph_id(c)?;
            glyphs.insert(c, (gid, self.advance(gid)?));
            keep.insert(gid);
        }
        // Components of composite glyphs.
        let glyf = self.table(b"glyf");
        let mut queue: Vec<u16> = keep.iter().copied().collect();
        while let Some(g) = queue.pop() {
            let (a, b) = self.glyph_range(g)?;
            if b - a < 10 || i16_at(glyf, a)? >= 0 {
                continue;
            }
            let mut p = a + 10;
            loop {
                let flags = u16_at(glyf, p)?;
                let comp = u16_at(glyf, p + 2)?;
                if comp < self.num_glyphs && keep.insert(comp) {
                    queue.push(comp);
                }
                p += 4 + if flags & 1 != 0 { 4 } else { 2 };
                p += if flags & 0x8 != 0 {
                    2
                } else if flags & 0x40 != 0 {
                    4
                } else if flags & 0x80 != 0 {
                    8
                } else {
                    0
                };
                if flags & 0x20 == 0 || p >= b {
                    break;
                }
            }
        }
        // glyf and loca with only the kept glyphs' outlines, at their ids.
        let mut new_glyf = Vec::new();
        let mut new_loca = Vec::with_capacity(4 * (self.num_glyphs as usize + 1));
        for g in 0..self.num_glyphs {
            new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
            if keep.contains(&g) {
                let (a, b) = self.glyph_range(g)?;
                new_glyf.extend_from_slice(&glyf[a..b]);
                while new_glyf.len() % 4 != 0 {
                    new_glyf.push(0);
                }
            }
        }
        new_loca.extend_from_slice(&(new_glyf.len() as u32).to_be_bytes());
        let mut head = self.table(b"head").to_vec();
        if head.len() < 54 {
            return Err(FontError("short head table"));
        }
        head[8..12].copy_from_slice(&[0; 4]);
        head[50..52].copy_from_slice(&1i16.to_be_bytes());
        let mut out_tables: Vec<([u8; 4], Vec<u8>)> = vec![
            (*b"cmap", self.table(b"cmap").to_vec()),
            (*b"glyf", new_glyf),
            (*b"head", head.clone()),
            (*b"hhea", self.table(b"hhea").to_vec()),
            (*b"hmtx", self.table(b"hmtx").to_vec()),
            (*b"loca", new_loca),
            (*b"maxp", self.table(b"maxp").to_vec()),
        ];
        for t in [b"cvt ", b"fpgm", b"prep"] {
            if self.tables.contains_key(t) {
                out_tables.push((*t, self.table(t).to_vec()));
            }
        }
        out_tables.sort_by_key(|(t, _)| *t);
        let program = write_font(&out_tables);
        let bbox = [
            self.scale(i64::from(i16_at(&head, 36)?)),
            self.scale(i64::from(i16_at(&head, 38)?)),
            self.scale(i64::from(i16_at(&head, 40)?)),
            self.scale(i64::from(i16_at(&head, 42)?)),
        ];
        let hhea = self.table(b"hhea");
        Ok(Subset {
            program,
            glyphs,
            bbox,
            ascent: self.scale(i64::from(i16_at(hhea, 4)?)),
            descent: self.scale(i64::from(i16_at(hhea, 6)?)),
        })
    }
}

/// Writes the embedded subset of DejaVu Sans for the characters of `text` as a Type0 /
/// CIDFontType2 font (Identity-H, a ToUnicode CMap so that its text can be copied and searched),
/// each object through `add` (which gives it its reference); returns the Type0 font's reference
/// and the subset, whose glyph ids are the codes to show (two bytes each, big-endian).
/// Shared by visible signatures and signet-api's PDF reports.
pub fn embed(
    text: &str,
    add: &mut dyn FnMut(Object) -> ObjRef,
) -> Result<(ObjRef, Subset), FontError> {
    let font = Font::parse(DEJAVU_SANS)?;
    let subset = font.subset(text)?;
    // A subset tag from the characters used (six capital letters, as ISO 32000 asks).
    let mut h: u32 = 2_166_136_261;
    for c in text.chars() {
        h = (h ^ u32::from(c)).wrapping_mul(16_777_619);
    }
    let tag: String = (0..6)
        .map(|i| char::from(b'A' + ((h >> (i * 5)) % 26) as u8))
        .collect();
    let name = format!("{tag}+DejaVuSans");
    let mut program = Dict::new();
    program.set("Length1", Object::Int(subset.program.len() as i64));
    program.set("Filter", Object::name("FlateDecode"));
    let compressed = deflate(&subset.program);
    let file = add(Object::Stream(Stream {
        dict: program,
        raw: compressed,
    }));
    let mut fd = Dict::new();
    fd.set("Type", Object::name("FontDescriptor"));
    fd.set("FontName", Object::name(&name));
    fd.set("Flags", Object::Int(32));
    fd.set(
        "FontBBox",
        Object::Array(subset.bbox.iter().map(|v| Object::Int(*v)).collect()),
    );
    fd.set("ItalicAngle", Object::Int(0));
    fd.set("Ascent", Object::Int(subset.ascent));
    fd.set("Descent", Object::Int(subset.descent));
    fd.set("CapHeight", Object::Int(729));
    fd.set("StemV", Object::Int(80));
    fd.set("FontFile2", Object::Ref(file));
    let fd = add(Object::Dict(fd));
    let mut widths = Vec::new();
    let mut by_gid: std::collections::BTreeMap<u16, i64> = std::collections::BTreeMap::new();
    for (gid, w) in subset.glyphs.values() {
        by_gid.insert(*gid, *w);
    }
    for (gid, w) in &by_gid {
        widths.push(Object::Int(i64::from(*gid)));
        widths.push(Object::Array(vec![Object::Int(*w)]));
    }
    let mut info = Dict::new();
    info.set("Registry", Object::string("Adobe"));
    info.set("Ordering", Object::string("Identity"));
    info.set("Supplement", Object::Int(0));
    let mut cid = Dict::new();
    cid.set("Type", Object::name("Font"));
    cid.set("Subtype", Object::name("CIDFontType2"));
    cid.set("BaseFont", Object::name(&name));
    cid.set("CIDSystemInfo", Object::Dict(info));
    cid.set("FontDescriptor", Object::Ref(fd));
    cid.set("DW", Object::Int(1000));
    cid.set("W", Object::Array(widths));
    cid.set("CIDToGIDMap", Object::name("Identity"));
    let cid = add(Object::Dict(cid));
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(u16, char)> = subset.glyphs.iter().map(|(c, (g, _))| (*g, *c)).collect();
    for chunk in entries.chunks(100) {
        cmap.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (g, c) in chunk {
            let mut units = [0u16; 2];
            let hex: String = c
                .encode_utf16(&mut units)
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            cmap.push_str(&format!("<{g:04X}> <{hex}>\n"));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    let to_unicode = add(Object::Stream(Stream {
        dict: Dict::new(),
        raw: cmap.into_bytes(),
    }));
    let mut t0 = Dict::new();
    t0.set("Type", Object::name("Font"));
    t0.set("Subtype", Object::name("Type0"));
    t0.set("BaseFont", Object::name(&name));
    t0.set("Encoding", Object::name("Identity-H"));
    t0.set("DescendantFonts", Object::Array(vec![Object::Ref(cid)]));
    t0.set("ToUnicode", Object::Ref(to_unicode));
    Ok((add(Object::Dict(t0)), subset))
}

/// `data` compressed for a `/FlateDecode` stream.
pub fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |acc, c| {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        acc.wrapping_add(u32::from_be_bytes(w))
    })
}

fn write_font(tables: &[([u8; 4], Vec<u8>)]) -> Vec<u8> {
    let n = tables.len() as u16;
    let mut pow = 1u16;
    let mut log = 0u16;
    while pow * 2 <= n {
        pow *= 2;
        log += 1;
    }
    let mut out = Vec::new();
    out.extend_from_slice(&0x0001_0000u32.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&(pow * 16).to_be_bytes());
    out.extend_from_slice(&log.to_be_bytes());
    out.extend_from_slice(&(n * 16 - pow * 16).to_be_bytes());
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    for (tag, data) in tables {
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum(data).to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        body.extend_from_slice(data);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + 16 * tables.len() + body.len();
    }
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estonian_and_cyrillic_letters_have_glyphs_in_the_subset() {
        let font = Font::parse(DEJAVU_SANS).unwrap();
        let text = "Mari-Liis Männik õäöü ŠšŽž Иван Петров";
        let subset = font.subset(text).unwrap();
        let sub = Font::parse(&subset.program).unwrap();
        for c in text.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let (gid, width) = subset.glyphs[&c];
            assert_ne!(gid, 0, "{c} has no glyph");
            assert!(width > 0);
            let (a, b) = sub.glyph_range(gid).unwrap();
            assert!(b > a, "{c}'s outline is kept");
        }
        // Unused glyphs are emptied: the subset is far smaller than the font.
        assert!(
            subset.program.len() < DEJAVU_SANS.len() / 4,
            "{}",
            subset.program.len()
        );
        let unused = font.glyph_id('Q').unwrap();
        let (a, b) = sub.glyph_range(unused).unwrap();
        assert_eq!(a, b);
    }
}
