//! The appearance of a visible signature: a form XObject with the signer's name, personal
//! code, time and reason, drawn with an embedded subset of DejaVu Sans so that Estonian
//! (õäöü, šž) and Cyrillic names render in every viewer.

use signet_pdf::{Dict, ObjRef, Object, Stream, Update};

use crate::PadesError;
use crate::font::{DEJAVU_SANS, Font, Subset};

/// Where and what a visible signature shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Visible {
    /// The page, 1-based.
    pub page: usize,
    /// Lower-left x, y, width and height in points.
    pub rect: [f64; 4],
    /// The lines of text.
    pub lines: Vec<String>,
}

impl Visible {
    /// `/Rect [x1 y1 x2 y2]`.
    pub fn rect_objects(&self) -> Vec<Object> {
        let [x, y, w, h] = self.rect;
        [x, y, x + w, y + h]
            .iter()
            .map(|v| Object::Real(format!("{v:.2}").into_bytes()))
            .collect()
    }
}

/// Writes the embedded font subset (Type0 / CIDFontType2, Identity-H, ToUnicode) for `text`;
/// returns the font's reference and the subset.
fn embed_font(up: &mut Update<'_, '_>, text: &str) -> Result<(ObjRef, Subset), PadesError> {
    let font = Font::parse(DEJAVU_SANS).map_err(|_| PadesError::Internal("the bundled font"))?;
    let subset = font
        .subset(text)
        .map_err(|_| PadesError::Internal("the bundled font"))?;
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
    let file = up.add(Object::Stream(Stream {
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
    let fd = up.add(Object::Dict(fd));
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
    let cid = up.add(Object::Dict(cid));
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
    let to_unicode = up.add(Object::Stream(Stream {
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
    Ok((up.add(Object::Dict(t0)), subset))
}

fn deflate(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// Writes the appearance stream and its embedded font subset; returns the stream's reference.
pub fn build(up: &mut Update<'_, '_>, v: &Visible) -> Result<ObjRef, PadesError> {
    let [_, _, w, h] = v.rect;
    let all: String = v.lines.concat();
    let (font_ref, subset) = embed_font(up, &all)?;
    let size = 9.0f64.min((h / (v.lines.len().max(1) as f64 + 1.0)).max(4.0));
    let mut content = format!("q 0.95 g 0 0 {w:.2} {h:.2} re f Q\nq 0 0 0 RG 0.5 w 0.25 0.25 {:.2} {:.2} re S Q\nBT /F1 {size:.1} Tf 0 g\n", w - 0.5, h - 0.5).into_bytes();
    let mut y = h - size - 3.0;
    for line in &v.lines {
        content.extend_from_slice(format!("1 0 0 1 4 {y:.2} Tm <").as_bytes());
        for c in line.chars() {
            let gid = subset.glyphs.get(&c).map_or(0, |(g, _)| *g);
            content.extend_from_slice(format!("{gid:04X}").as_bytes());
        }
        content.extend_from_slice(b"> Tj\n");
        y -= size * 1.25;
    }
    content.extend_from_slice(b"ET\n");
    let mut fonts = Dict::new();
    fonts.set("F1", Object::Ref(font_ref));
    let mut res = Dict::new();
    res.set("Font", Object::Dict(fonts));
    let mut d = Dict::new();
    d.set("Type", Object::name("XObject"));
    d.set("Subtype", Object::name("Form"));
    d.set(
        "BBox",
        Object::Array(vec![
            Object::Int(0),
            Object::Int(0),
            Object::Real(format!("{w:.2}").into_bytes()),
            Object::Real(format!("{h:.2}").into_bytes()),
        ]),
    );
    d.set("Resources", Object::Dict(res));
    Ok(up.add(Object::Stream(Stream {
        dict: d,
        raw: content,
    })))
}
