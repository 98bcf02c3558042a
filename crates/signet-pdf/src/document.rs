//! Opening a PDF: the last `startxref`, every cross-reference section along `/Prev` (tables,
//! streams, hybrid `/XRefStm`), and objects loaded lazily through the merged map.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use crate::PdfError;
use crate::filter;
use crate::object::{Dict, ObjRef, Object};
use crate::parse::{self, Parser};

/// Most cross-reference sections followed along `/Prev`.
const MAX_SECTIONS: usize = 4096;
/// Most references followed to resolve one value.
const MAX_REF_CHAIN: usize = 32;

/// Where the cross-reference puts an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum XrefEntry {
    /// Free (or never used).
    Free,
    /// At a byte offset, with a generation.
    Offset {
        /// Byte offset of `N G obj`.
        offset: usize,
        /// Generation number.
        gen_: u16,
    },
    /// Inside an object stream.
    InStream {
        /// The object stream's number.
        stream: u32,
        /// The index within it.
        index: u32,
    },
}

/// The form of a cross-reference section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefKind {
    /// A classic `xref` table with a `trailer`.
    Table,
    /// A cross-reference stream (PDF 1.5).
    Stream,
}

/// One cross-reference section (one revision has one, or two in a hybrid file).
#[derive(Debug, Clone)]
pub struct Section {
    /// Byte offset (what `startxref` or `/Prev` gave).
    pub offset: usize,
    /// Table or stream.
    pub kind: XrefKind,
    /// The trailer (or the xref stream's dictionary).
    pub trailer: Dict,
    /// The entries, in order.
    pub entries: Vec<(u32, XrefEntry)>,
    /// The `/XRefStm` section of a hybrid file's table.
    pub hybrid: Option<Box<Section>>,
}

type ObjStm = Rc<(Vec<(u32, usize)>, Vec<u8>)>;

/// An opened PDF over borrowed bytes.
#[derive(Debug)]
pub struct Document<'a> {
    data: &'a [u8],
    startxref: usize,
    sections: Vec<Section>,
    map: HashMap<u32, XrefEntry>,
    trailer: Dict,
    cache: RefCell<HashMap<u32, Rc<Object>>>,
    objstm: RefCell<HashMap<u32, ObjStm>>,
}

/// Finds the last `startxref` and its offset.
fn find_startxref(data: &[u8]) -> Result<usize, PdfError> {
    let tail_start = data.len().saturating_sub(4096);
    let tail = &data[tail_start..];
    let at = memchr::memmem::rfind(tail, b"startxref").ok_or(PdfError::NoStartxref)?;
    let mut p = Parser::new(data, tail_start + at + b"startxref".len());
    let offset = p.uint().ok_or(PdfError::NoStartxref)?;
    usize::try_from(offset).map_err(|_| PdfError::NoStartxref)
}

impl<'a> Document<'a> {
    /// Opens `data`: header, the last `startxref`, every section along `/Prev`. Refuses
    /// encrypted files.
    pub fn open(data: &'a [u8]) -> Result<Self, PdfError> {
        let head = &data[..data.len().min(1024)];
        if memchr::memmem::find(head, b"%PDF-").is_none() {
            return Err(PdfError::NotPdf);
        }
        let startxref = find_startxref(data)?;
        Self::open_at(data, startxref)
    }

    fn open_at(data: &'a [u8], startxref: usize) -> Result<Self, PdfError> {
        let mut sections = Vec::new();
        let mut seen = HashSet::new();
        let mut next = Some(startxref);
        while let Some(offset) = next {
            if !seen.insert(offset) {
                return Err(PdfError::Xref {
                    offset,
                    what: "the /Prev chain loops".into(),
                });
            }
            if sections.len() >= MAX_SECTIONS {
                return Err(PdfError::TooLarge("cross-reference sections"));
            }
            let section = read_section(data, offset)?;
            next = match section.trailer.get("Prev") {
                Some(Object::Int(p)) => Some(usize::try_from(*p).map_err(|_| PdfError::Xref {
                    offset,
                    what: "negative /Prev".into(),
                })?),
                None | Some(Object::Null) => None,
                Some(_) => {
                    return Err(PdfError::Xref {
                        offset,
                        what: "/Prev is not an integer".into(),
                    });
                }
            };
            sections.push(section);
        }
        let mut map = HashMap::new();
        for section in &sections {
            // In a hybrid file the table's entries win over its /XRefStm's.
            for (num, entry) in section
                .entries
                .iter()
                .chain(section.hybrid.iter().flat_map(|h| h.entries.iter()))
            {
                map.entry(*num).or_insert(*entry);
            }
        }
        let trailer = sections
            .first()
            .map(|s| s.trailer.clone())
            .unwrap_or_default();
        match trailer.get("Encrypt") {
            None | Some(Object::Null) => {}
            Some(_) => return Err(PdfError::Encrypted),
        }
        if trailer.get("Root").and_then(Object::as_ref).is_none() {
            return Err(PdfError::Xref {
                offset: startxref,
                what: "the trailer has no /Root reference".into(),
            });
        }
        Ok(Self {
            data,
            startxref,
            sections,
            map,
            trailer,
            cache: RefCell::new(HashMap::new()),
            objstm: RefCell::new(HashMap::new()),
        })
    }

    /// The bytes.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The offset the last `startxref` gives.
    pub fn startxref(&self) -> usize {
        self.startxref
    }

    /// The newest trailer.
    pub fn trailer(&self) -> &Dict {
        &self.trailer
    }

    /// The cross-reference sections, newest first.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The merged cross-reference.
    pub fn xref(&self) -> &HashMap<u32, XrefEntry> {
        &self.map
    }

    /// The form of the newest section (a hybrid table counts as a table).
    pub fn xref_kind(&self) -> XrefKind {
        self.sections.first().map_or(XrefKind::Table, |s| s.kind)
    }

    /// One more than the highest object number in use (the trailers' `/Size`, checked against
    /// the entries).
    pub fn size(&self) -> u32 {
        let declared = self
            .sections
            .iter()
            .filter_map(|s| s.trailer.int("Size"))
            .max()
            .unwrap_or(0);
        let highest = self.map.keys().max().map_or(0, |m| m + 1);
        u32::try_from(declared).unwrap_or(0).max(highest)
    }

    /// The catalog reference.
    pub fn root_ref(&self) -> Result<ObjRef, PdfError> {
        self.trailer
            .get("Root")
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::Structure("the trailer has no /Root".into()))
    }

    /// The catalog.
    pub fn catalog(&self) -> Result<Dict, PdfError> {
        let r = self.root_ref()?;
        self.get(r)?
            .as_dict()
            .cloned()
            .ok_or_else(|| PdfError::Structure("/Root is not a dictionary".into()))
    }

    /// The object `r` (Null when free or absent, as ISO 32000 says).
    pub fn get(&self, r: ObjRef) -> Result<Rc<Object>, PdfError> {
        if let Some(o) = self.cache.borrow().get(&r.num) {
            return Ok(o.clone());
        }
        let object = match self.map.get(&r.num) {
            None | Some(XrefEntry::Free) => Object::Null,
            Some(XrefEntry::Offset { offset, gen_ }) => {
                if *gen_ != r.gen_ {
                    Object::Null
                } else {
                    let o = self.load_at(*offset)?;
                    if o.id.num != r.num {
                        return Err(PdfError::Xref {
                            offset: *offset,
                            what: format!(
                                "the cross-reference puts object {} at an offset holding object {}",
                                r.num, o.id.num
                            ),
                        });
                    }
                    o.object
                }
            }
            Some(XrefEntry::InStream { stream, index }) => {
                self.in_object_stream(*stream, *index, r.num)?
            }
        };
        let rc = Rc::new(object);
        self.cache.borrow_mut().insert(r.num, rc.clone());
        Ok(rc)
    }

    /// The indirect object at `offset`, with the spans of its dictionary's values.
    pub fn load_at(&self, offset: usize) -> Result<parse::IndirectObject, PdfError> {
        let mut length = |r: ObjRef| -> Option<i64> {
            match self.map.get(&r.num) {
                Some(XrefEntry::Offset { offset, .. }) => {
                    let mut p = Parser::new(self.data, *offset);
                    p.uint()?;
                    p.uint()?;
                    if !p.keyword(b"obj") {
                        return None;
                    }
                    p.object().ok()?.as_int()
                }
                _ => None,
            }
        };
        parse::indirect_at(self.data, offset, &mut length)
    }

    /// The byte offset of object `r` when it is stored directly.
    pub fn offset_of(&self, r: ObjRef) -> Option<usize> {
        match self.map.get(&r.num) {
            Some(XrefEntry::Offset { offset, gen_ }) if *gen_ == r.gen_ => Some(*offset),
            _ => None,
        }
    }

    fn in_object_stream(&self, stream: u32, index: u32, num: u32) -> Result<Object, PdfError> {
        let cached = self.objstm.borrow().get(&stream).cloned();
        let objstm = match cached {
            Some(c) => c,
            None => {
                let entry = self.map.get(&stream).copied();
                let Some(XrefEntry::Offset { offset, .. }) = entry else {
                    return Err(PdfError::Structure(format!(
                        "object stream {stream} is not stored directly"
                    )));
                };
                let o = self.load_at(offset)?;
                let Object::Stream(s) = o.object else {
                    return Err(PdfError::Structure(format!(
                        "object {stream} is not a stream"
                    )));
                };
                let n = s.dict.int("N").unwrap_or(0);
                let first = s.dict.int("First").unwrap_or(-1);
                let data = filter::decode(&s)?;
                if n < 0
                    || first < 0
                    || first as u64 > data.len() as u64
                    || n as u64 > data.len() as u64
                {
                    return Err(PdfError::Structure(format!(
                        "object stream {stream}: bad /N or /First"
                    )));
                }
                let first = first as usize;
                let mut p = Parser::new(&data[..first], 0);
                let mut index = Vec::new();
                for _ in 0..n {
                    let (Some(num), Some(off)) = (p.uint(), p.uint()) else {
                        break;
                    };
                    let (Ok(num), Ok(off)) = (u32::try_from(num), usize::try_from(off)) else {
                        break;
                    };
                    index.push((num, first.saturating_add(off)));
                }
                let rc = Rc::new((index, data));
                self.objstm.borrow_mut().insert(stream, rc.clone());
                rc
            }
        };
        let (ix, data) = (&objstm.0, &objstm.1);
        let Some(&(found, at)) = ix.get(index as usize) else {
            return Err(PdfError::Structure(format!(
                "object stream {stream} has no index {index}"
            )));
        };
        if found != num || at > data.len() {
            return Err(PdfError::Structure(format!(
                "object stream {stream} index {index} holds object {found}, not {num}"
            )));
        }
        let mut p = Parser::new(data, at);
        let o = p.object()?;
        if matches!(o, Object::Stream(_)) {
            return Err(PdfError::Structure(
                "a stream inside an object stream".into(),
            ));
        }
        Ok(o)
    }

    /// `obj` with references followed.
    pub fn resolve(&self, obj: &Object) -> Result<Object, PdfError> {
        let mut cur = obj.clone();
        for _ in 0..MAX_REF_CHAIN {
            match cur {
                Object::Ref(r) => cur = (*self.get(r)?).clone(),
                other => return Ok(other),
            }
        }
        Err(PdfError::Structure("a reference chain too long".into()))
    }

    /// The dictionary `obj` is or refers to.
    pub fn resolve_dict(&self, obj: Option<&Object>) -> Result<Option<Dict>, PdfError> {
        match obj {
            None => Ok(None),
            Some(o) => Ok(self.resolve(o)?.as_dict().cloned()),
        }
    }

    /// The page references in order. Loops in the page tree and runaway trees are refused.
    pub fn pages(&self) -> Result<Vec<ObjRef>, PdfError> {
        let catalog = self.catalog()?;
        let root = catalog
            .get("Pages")
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::Structure("the catalog has no /Pages".into()))?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(root, 0usize)];
        while let Some((node, depth)) = stack.pop() {
            if !seen.insert(node) || depth > 64 {
                return Err(PdfError::Structure("the page tree loops".into()));
            }
            let obj = self.get(node)?;
            let dict = obj.as_dict().ok_or_else(|| {
                PdfError::Structure("a page tree node is not a dictionary".into())
            })?;
            if dict.is_name("Type", "Page") || dict.get("Kids").is_none() {
                out.push(node);
                if out.len() > 1_000_000 {
                    return Err(PdfError::TooLarge("pages"));
                }
                continue;
            }
            let kids = self.resolve(dict.get("Kids").unwrap_or(&Object::Null))?;
            let kids = kids.as_array().unwrap_or_default();
            for kid in kids.iter().rev() {
                if let Some(r) = kid.as_ref() {
                    stack.push((r, depth + 1));
                }
            }
        }
        Ok(out)
    }

    /// Page `index` (0-based) found by descending with `/Count`, without visiting every page.
    pub fn page(&self, index: usize) -> Result<ObjRef, PdfError> {
        let catalog = self.catalog()?;
        let mut node = catalog
            .get("Pages")
            .and_then(Object::as_ref)
            .ok_or_else(|| PdfError::Structure("the catalog has no /Pages".into()))?;
        let mut skip = index;
        let mut seen = HashSet::new();
        loop {
            if !seen.insert(node) {
                return Err(PdfError::Structure("the page tree loops".into()));
            }
            let obj = self.get(node)?;
            let dict = obj.as_dict().ok_or_else(|| {
                PdfError::Structure("a page tree node is not a dictionary".into())
            })?;
            if dict.get("Kids").is_none() {
                return if skip == 0 {
                    Ok(node)
                } else {
                    Err(PdfError::Structure(format!("no page {}", index + 1)))
                };
            }
            let kids = self.resolve(dict.get("Kids").unwrap_or(&Object::Null))?;
            let mut next = None;
            for kid in kids.as_array().unwrap_or_default() {
                let Some(r) = kid.as_ref() else { continue };
                let k = self.get(r)?;
                let kd = k.as_dict();
                let count = match kd {
                    Some(d) if d.get("Kids").is_some() => {
                        d.int("Count").unwrap_or(0).max(0) as usize
                    }
                    _ => 1,
                };
                if skip < count {
                    next = Some(r);
                    break;
                }
                skip -= count;
            }
            node = next.ok_or_else(|| PdfError::Structure(format!("no page {}", index + 1)))?;
        }
    }
}

fn read_section(data: &[u8], offset: usize) -> Result<Section, PdfError> {
    if offset >= data.len() {
        return Err(PdfError::Xref {
            offset,
            what: "startxref or /Prev points beyond the end of the file".into(),
        });
    }
    let mut p = Parser::new(data, offset);
    p.skip_ws();
    if data[p.pos..].starts_with(b"xref") {
        read_table(data, offset)
    } else {
        read_stream_section(data, offset)
    }
}

fn read_table(data: &[u8], offset: usize) -> Result<Section, PdfError> {
    let bad = |what: &str| PdfError::Xref {
        offset,
        what: what.to_owned(),
    };
    let mut p = Parser::new(data, offset);
    if !p.keyword(b"xref") {
        return Err(bad("no 'xref' keyword"));
    }
    let mut entries = Vec::new();
    loop {
        if p.keyword(b"trailer") {
            break;
        }
        let (Some(start), Some(count)) = (p.uint(), p.uint()) else {
            return Err(bad("a malformed subsection header"));
        };
        if count > (data.len() / 18) as u64 || start > u64::from(u32::MAX) {
            return Err(bad("a subsection larger than the file"));
        }
        for i in 0..count {
            let (Some(off), Some(gen_)) = (p.uint(), p.uint()) else {
                return Err(bad("a malformed entry"));
            };
            p.skip_ws();
            let kind = p.token();
            let num = u32::try_from(start + i).map_err(|_| bad("object number too large"))?;
            let entry = match kind {
                b"n" => XrefEntry::Offset {
                    offset: usize::try_from(off).map_err(|_| bad("offset too large"))?,
                    gen_: u16::try_from(gen_).map_err(|_| bad("generation too large"))?,
                },
                b"f" => XrefEntry::Free,
                _ => return Err(bad("an entry that is neither 'n' nor 'f'")),
            };
            entries.push((num, entry));
        }
    }
    let trailer = match p.object()? {
        Object::Dict(d) => d,
        _ => return Err(bad("the trailer is not a dictionary")),
    };
    let hybrid = match trailer.get("XRefStm") {
        Some(Object::Int(x)) => {
            let x = usize::try_from(*x).map_err(|_| bad("negative /XRefStm"))?;
            Some(Box::new(read_stream_section(data, x)?))
        }
        _ => None,
    };
    Ok(Section {
        offset,
        kind: XrefKind::Table,
        trailer,
        entries,
        hybrid,
    })
}

fn read_stream_section(data: &[u8], offset: usize) -> Result<Section, PdfError> {
    let bad = |what: String| PdfError::Xref { offset, what };
    let o = parse::indirect_at(data, offset, &mut |_| None)
        .map_err(|e| bad(format!("neither an xref table nor an xref stream: {e}")))?;
    let Object::Stream(s) = o.object else {
        return Err(bad("the object at the offset is not an xref stream".into()));
    };
    if !s.dict.is_name("Type", "XRef") {
        return Err(bad("the stream there is not /Type /XRef".into()));
    }
    let w: Vec<usize> = s
        .dict
        .get("W")
        .and_then(Object::as_array)
        .unwrap_or_default()
        .iter()
        .map(|o| {
            o.as_int()
                .and_then(|i| usize::try_from(i).ok())
                .unwrap_or(99)
        })
        .collect();
    if w.len() != 3 || w.iter().any(|&x| x > 8) || w.iter().sum::<usize>() == 0 {
        return Err(bad("a bad /W".into()));
    }
    let size = s.dict.int("Size").unwrap_or(0);
    let index: Vec<i64> = match s.dict.get("Index").and_then(Object::as_array) {
        Some(a) => a.iter().filter_map(Object::as_int).collect(),
        None => vec![0, size],
    };
    let body = filter::decode(&s)?;
    let row = w.iter().sum::<usize>();
    let mut rows = body.chunks_exact(row);
    let mut entries = Vec::new();
    let field = |bytes: &[u8]| bytes.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
    for pair in index.chunks(2) {
        let [start, count] = pair else {
            return Err(bad("an odd /Index".into()));
        };
        if *start < 0 || *count < 0 || *count as u64 > (body.len() / row) as u64 {
            return Err(bad("a bad /Index".into()));
        }
        for i in 0..*count {
            let Some(r) = rows.next() else {
                return Err(bad("the xref stream is shorter than /Index says".into()));
            };
            let kind = if w[0] == 0 { 1 } else { field(&r[..w[0]]) };
            let a = field(&r[w[0]..w[0] + w[1]]);
            let b = field(&r[w[0] + w[1]..]);
            let num =
                u32::try_from(start + i).map_err(|_| bad("object number too large".into()))?;
            let entry = match kind {
                0 => XrefEntry::Free,
                1 => XrefEntry::Offset {
                    offset: usize::try_from(a).map_err(|_| bad("offset too large".into()))?,
                    gen_: u16::try_from(b).unwrap_or(u16::MAX),
                },
                2 => XrefEntry::InStream {
                    stream: u32::try_from(a).map_err(|_| bad("bad object stream number".into()))?,
                    index: u32::try_from(b).map_err(|_| bad("bad object stream index".into()))?,
                },
                // Unknown types are null references (ISO 32000-2 7.5.8.3).
                _ => XrefEntry::Free,
            };
            entries.push((num, entry));
        }
    }
    Ok(Section {
        offset,
        kind: XrefKind::Stream,
        trailer: s.dict,
        entries,
        hybrid: None,
    })
}

/// One revision of a file: a prefix ending just after a `%%EOF` (and its end-of-line) whose
/// `startxref` opens as a complete document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// The end of the revision (exclusive): after `%%EOF` and one EOL.
    pub end: usize,
    /// Its `startxref` offset.
    pub startxref: usize,
}

/// Every revision of `data`, oldest first. Bytes after the last one belong to no revision.
pub fn revisions(data: &[u8]) -> Vec<Revision> {
    let mut out: Vec<Revision> = Vec::new();
    for at in memchr::memmem::find_iter(data, b"%%EOF") {
        let mut end = at + 5;
        match data.get(end) {
            Some(b'\r') => {
                end += 1;
                if data.get(end) == Some(&b'\n') {
                    end += 1;
                }
            }
            Some(b'\n') => end += 1,
            _ => {}
        }
        let prefix = &data[..end];
        // `startxref N` must come right before this `%%EOF` (only white space between), and its
        // section must lie in this revision's own bytes: junk followed by a bare `%%EOF` is no
        // revision.
        let Some(kw) = memchr::memmem::rfind(&data[..at], b"startxref") else {
            continue;
        };
        let mut p = Parser::new(data, kw + b"startxref".len());
        let Some(sx) = p.uint().and_then(|v| usize::try_from(v).ok()) else {
            continue;
        };
        if !data[p.pos..at].iter().all(|b| parse::is_white(*b)) {
            continue;
        }
        if out.last().is_some_and(|prev| sx < prev.end) {
            continue;
        }
        if Document::open(prefix).is_ok() {
            out.push(Revision { end, startxref: sx });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::minimal_pdf;

    fn latin1(b: &[u8]) -> String {
        b.iter().map(|&c| char::from(c)).collect()
    }

    fn bytes(s: &str) -> Vec<u8> {
        s.chars().map(|c| c as u8).collect()
    }

    fn with_trailer_extra(extra: &str) -> Vec<u8> {
        let pdf = latin1(&minimal_pdf(false));
        bytes(&pdf.replace(
            "<< /Size 5 /Root 1 0 R >>",
            &format!("<< /Size 5 /Root 1 0 R {extra} >>"),
        ))
    }

    #[test]
    fn encrypted_files_are_refused_clearly() {
        let pdf = with_trailer_extra("/Encrypt << /Filter /Standard /V 4 >>");
        let err = Document::open(&pdf).unwrap_err();
        assert_eq!(err, PdfError::Encrypted);
        assert!(err.to_string().contains("encrypted"));
        // `/Encrypt null` means absent.
        assert!(Document::open(&with_trailer_extra("/Encrypt null")).is_ok());
    }

    #[test]
    fn prev_loops_and_offsets_outside_the_file_are_refused() {
        let pdf = minimal_pdf(false);
        let sx = find_startxref(&pdf).unwrap();
        let looped = with_trailer_extra(&format!("/Prev {sx}"));
        assert!(matches!(
            Document::open(&looped),
            Err(PdfError::Xref { .. })
        ));
        let outside = with_trailer_extra("/Prev 99999999");
        assert!(Document::open(&outside).is_err());
        assert_eq!(Document::open(b"not a pdf").unwrap_err(), PdfError::NotPdf);
        assert_eq!(
            Document::open(b"%PDF-1.7\n").unwrap_err(),
            PdfError::NoStartxref
        );
    }

    #[test]
    fn hybrid_files_read_their_xref_stream() {
        // A table naming objects 1-4 and an /XRefStm that adds object 6 inside object stream 5.
        let mut pdf = minimal_pdf(false);
        let cut = pdf.windows(5).position(|w| w == b"xref\n").unwrap();
        pdf.truncate(cut);
        let mut bytes = pdf;
        let objstm_at = bytes.len();
        let body = b"6 0 << /Hello (hybrid) >>";
        bytes.extend_from_slice(
            format!(
                "5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Length {} >>\nstream\n",
                body.len()
            )
            .as_bytes(),
        );
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(b"\nendstream\nendobj\n");
        let xs_at = bytes.len();
        let mut rows = Vec::new();
        rows.extend_from_slice(&[1, 0, 0, (objstm_at >> 8) as u8, objstm_at as u8, 0]);
        rows.extend_from_slice(&[2, 0, 0, 0, 5, 0]);
        bytes.extend_from_slice(
            format!(
                "7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 1] /Index [5 2] /Length {} >>\nstream\n",
                rows.len()
            )
            .as_bytes(),
        );
        bytes.extend_from_slice(&rows);
        bytes.extend_from_slice(b"\nendstream\nendobj\n");
        let xref_at = bytes.len();
        let original = minimal_pdf(false);
        let doc0 = Document::open(&original).unwrap();
        bytes.extend_from_slice(b"xref\n0 5\n0000000000 65535 f\r\n");
        for n in 1..5u32 {
            let off = doc0.offset_of(ObjRef::new(n, 0)).unwrap();
            bytes.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
        }
        bytes.extend_from_slice(
            format!(
                "trailer\n<< /Size 8 /Root 1 0 R /XRefStm {xs_at} >>\nstartxref\n{xref_at}\n%%EOF\n"
            )
            .as_bytes(),
        );
        let doc = Document::open(&bytes).unwrap();
        assert!(doc.sections()[0].hybrid.is_some());
        let o = doc.get(ObjRef::new(6, 0)).unwrap();
        assert_eq!(
            o.as_dict().unwrap().get("Hello"),
            Some(&Object::Str(b"hybrid".to_vec()))
        );
        assert_eq!(doc.pages().unwrap().len(), 1);
        // The writer keeps the table style for a hybrid file.
        assert_eq!(doc.xref_kind(), XrefKind::Table);
    }

    #[test]
    fn revisions_are_found_and_trailing_garbage_is_not_one() {
        let mut pdf = minimal_pdf(true);
        assert_eq!(revisions(&pdf).len(), 1);
        pdf.extend_from_slice(b"garbage %%EOF\n");
        let revs = revisions(&pdf);
        assert_eq!(revs.len(), 1);
        assert!(revs[0].end < pdf.len());
    }
}
