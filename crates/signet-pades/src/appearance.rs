//! The appearance of a visible signature: a form XObject with the signer's name, personal
//! code, time and reason, drawn with an embedded subset of DejaVu Sans so that Estonian
//! (õäöü, šž) and Cyrillic names render in every viewer.

use signet_pdf::{Dict, ObjRef, Object, Stream, Update};

use crate::PadesError;
use crate::font::Subset;

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

/// Writes the embedded font subset for `text` into the update; returns the font's reference
/// and the subset.
fn embed_font(up: &mut Update<'_, '_>, text: &str) -> Result<(ObjRef, Subset), PadesError> {
    crate::font::embed(text, &mut |object| up.add(object))
        .map_err(|_| PadesError::Internal("the bundled font"))
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
