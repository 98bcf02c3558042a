//! Normalisation: rewriting an unsigned PDF whose cross-reference cannot be trusted (missing,
//! wrong offsets, damaged) into a fresh single-revision file with a classic table. Only for
//! files with no signature: a signed PDF is never rewritten (its signatures cover bytes).
//! Objects are found by scanning for `N G obj` bodies (the last body of a number wins, as a
//! later revision would) and in object streams; the trailer's `/Root` (else the last
//! `/Type /Catalog`) and `/Info` are kept. The result must open with [`Document::open`].

use std::collections::BTreeMap;

use crate::{Dict, Document, ObjRef, Object, PdfError, RawPositions, parse, serialize};

/// Limits for untrusted input.
const MAX_OBJECTS: usize = 1_000_000;

fn syntax(what: &str) -> PdfError {
    PdfError::Syntax {
        offset: 0,
        what: what.into(),
    }
}

/// Whether the bytes carry anything that looks like a signature (judged on the raw bytes, so a
/// file that does not open is judged too).
pub fn looks_signed(data: &[u8]) -> bool {
    let has = |needle: &[u8]| memchr::memmem::find(data, needle).is_some();
    has(b"/ByteRange") || has(b"/Type/Sig") || has(b"/Type /Sig") || has(b"/SubFilter")
}

/// The bodies `N G obj` at line starts, in file order.
fn bodies(data: &[u8]) -> Vec<parse::IndirectObject> {
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(data, b"obj") {
        if out.len() >= MAX_OBJECTS {
            break;
        }
        let line_start = data[..at]
            .iter()
            .rposition(|b| matches!(b, b'\n' | b'\r'))
            .map_or(0, |p| p + 1);
        let head = &data[line_start..at];
        let words: Vec<&[u8]> = head
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
            .collect();
        if words.len() != 2 || !words.iter().all(|w| w.iter().all(u8::is_ascii_digit)) {
            continue;
        }
        if let Ok(obj) = parse::indirect_at(data, line_start, &mut |_| None) {
            out.push(obj);
        }
    }
    out
}

/// The objects an object stream holds.
fn expand_object_stream(stream: &crate::Stream) -> Vec<(u32, Object)> {
    let Ok(decoded) = crate::decode_stream(stream) else {
        return Vec::new();
    };
    let n = stream.dict.get("N").and_then(Object::as_int).unwrap_or(0);
    let first = stream
        .dict
        .get("First")
        .and_then(Object::as_int)
        .unwrap_or(0);
    let (Ok(n), Ok(first)) = (usize::try_from(n), usize::try_from(first)) else {
        return Vec::new();
    };
    let mut header = parse::Parser::new(&decoded, 0);
    let mut pairs = Vec::new();
    for _ in 0..n.min(MAX_OBJECTS) {
        let (Some(num), Some(off)) = (header.uint(), header.uint()) else {
            break;
        };
        pairs.push((num, off));
    }
    let mut out = Vec::new();
    for (num, off) in pairs {
        let (Ok(num), Ok(off)) = (u32::try_from(num), usize::try_from(off)) else {
            continue;
        };
        let Some(at) = first.checked_add(off).filter(|a| *a < decoded.len()) else {
            continue;
        };
        if let Ok(obj) = parse::Parser::new(&decoded, at).object() {
            out.push((num, obj));
        }
    }
    out
}

/// The last `trailer` dictionary of a classic file.
fn last_trailer(data: &[u8]) -> Option<Dict> {
    let at = memchr::memmem::rfind(data, b"trailer")?;
    match parse::Parser::new(data, at + b"trailer".len()).object() {
        Ok(Object::Dict(d)) => Some(d),
        _ => None,
    }
}

/// Rewrites `data` as a single-revision PDF with a classic cross-reference table. Refuses
/// signed and encrypted files.
pub fn rewrite(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    if !data.starts_with(b"%PDF-") {
        return Err(syntax("no %PDF- header: not a PDF"));
    }
    if looks_signed(data) {
        return Err(syntax(
            "the file carries a signature: a signed PDF is never rewritten",
        ));
    }
    let mut objects: BTreeMap<u32, (u16, Object)> = BTreeMap::new();
    let mut in_streams: Vec<(u32, Object)> = Vec::new();
    let mut trailer = last_trailer(data);
    for body in bodies(data) {
        if let Object::Stream(s) = &body.object {
            if s.dict.is_name("Type", "ObjStm") {
                in_streams.extend(expand_object_stream(s));
                continue;
            }
            if s.dict.is_name("Type", "XRef") {
                trailer = Some(s.dict.clone());
                continue;
            }
        }
        objects.insert(body.id.num, (body.id.gen_, body.object));
    }
    for (num, obj) in in_streams {
        objects.entry(num).or_insert((0, obj));
    }
    if objects.is_empty() {
        return Err(syntax("no objects found"));
    }
    let trailer = trailer.unwrap_or_default();
    if trailer.get("Encrypt").is_some() {
        return Err(PdfError::Encrypted);
    }
    let is_catalog = |r: &ObjRef| {
        objects
            .get(&r.num)
            .and_then(|(_, o)| o.as_dict())
            .is_some_and(|d| d.is_name("Type", "Catalog"))
    };
    let root = trailer
        .get("Root")
        .and_then(Object::as_ref)
        .filter(is_catalog)
        .or_else(|| {
            objects
                .iter()
                .rev()
                .find(|(_, (_, o))| o.as_dict().is_some_and(|d| d.is_name("Type", "Catalog")))
                .map(|(n, (g, _))| ObjRef::new(*n, *g))
        })
        .ok_or_else(|| syntax("no document catalog found"))?;
    let root = ObjRef::new(root.num, objects.get(&root.num).map_or(0, |(g, _)| *g));
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets: BTreeMap<u32, (usize, u16)> = BTreeMap::new();
    let mut raws = RawPositions::default();
    for (num, (gen_, obj)) in &objects {
        offsets.insert(*num, (out.len(), *gen_));
        out.extend_from_slice(format!("{num} {gen_} obj\n").as_bytes());
        serialize(obj, &mut out, &mut raws);
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = objects.keys().next_back().map_or(1, |n| n + 1);
    let xref_at = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for n in 0..size {
        match offsets.get(&n) {
            Some((off, g)) => out.extend_from_slice(format!("{off:010} {g:05} n\r\n").as_bytes()),
            None if n == 0 => out.extend_from_slice(b"0000000000 65535 f\r\n"),
            None => out.extend_from_slice(b"0000000000 00000 f\r\n"),
        }
    }
    let mut t = Dict::new();
    t.set("Size", Object::Int(i64::from(size)));
    t.set("Root", Object::Ref(root));
    if let Some(info) = trailer
        .get("Info")
        .and_then(Object::as_ref)
        .filter(|r| objects.contains_key(&r.num))
    {
        t.set("Info", Object::Ref(info));
    }
    if let Some(id) = trailer.get("ID") {
        t.set("ID", id.clone());
    }
    out.extend_from_slice(b"trailer\n");
    serialize(&Object::Dict(t), &mut out, &mut raws);
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Document::open(&out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAMAGED: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >> endobj\n4 0 obj << /Length 99 >> stream\nBT /F1 24 Tf 72 720 Td (Leping) Tj ET\nendstream endobj\ntrailer << /Size 5 /Root 1 0 R >>\n%%EOF\n";

    #[test]
    fn a_file_without_cross_reference_is_rebuilt_and_opens() {
        assert!(Document::open(DAMAGED).is_err());
        let out = rewrite(DAMAGED).unwrap();
        let doc = Document::open(&out).unwrap();
        assert_eq!(doc.pages().unwrap().len(), 1);
        let page = doc.get(doc.page(0).unwrap()).unwrap();
        let contents = page
            .as_dict()
            .unwrap()
            .get("Contents")
            .unwrap()
            .as_ref()
            .unwrap();
        let stream = doc.get(contents).unwrap();
        // The wrong /Length was corrected from the data.
        assert_eq!(
            stream.as_stream().unwrap().raw,
            b"BT /F1 24 Tf 72 720 Td (Leping) Tj ET"
        );
    }

    #[test]
    fn signed_files_are_never_rewritten() {
        let mut signed = DAMAGED.to_vec();
        signed.extend_from_slice(b"5 0 obj << /Type /Sig /ByteRange [0 1 2 3] >> endobj\n");
        assert!(
            rewrite(&signed)
                .unwrap_err()
                .to_string()
                .contains("never rewritten")
        );
    }
}
