//! The incremental writer: one new revision appended after the file's last byte, with a
//! cross-reference of the same kind as the previous one, and the exact offset of everything it
//! writes (ISO 32000-2 section 7.5.6).

use crate::PdfError;
use crate::document::{Document, XrefKind};
use crate::object::{Dict, ObjRef, Object, RawPositions, serialize};

/// An incremental update being built.
#[derive(Debug)]
pub struct Update<'d, 'a> {
    doc: &'d Document<'a>,
    next: u32,
    objects: Vec<(ObjRef, Object)>,
    root: Option<ObjRef>,
    info: Option<ObjRef>,
}

/// The appended revision.
#[derive(Debug, Clone)]
pub struct Appended {
    /// The bytes to write after the original file (the original is not copied).
    pub bytes: Vec<u8>,
    /// The length of the original file: offsets in the new revision count from 0 at the start
    /// of the original.
    pub base: usize,
    /// Absolute (start, end) of every [`Object::Raw`] value written, by id.
    pub raws: RawPositions,
    /// Where `startxref` points.
    pub xref_offset: usize,
}

impl Appended {
    /// The absolute span of raw value `id`.
    pub fn raw(&self, id: u32) -> Option<(usize, usize)> {
        self.raws.get(id)
    }

    /// Overwrites the bytes at absolute `[start, start + value.len())`, which must lie inside
    /// the appended part.
    pub fn patch(&mut self, start: usize, value: &[u8]) -> Result<(), PdfError> {
        let rel = start
            .checked_sub(self.base)
            .ok_or_else(|| PdfError::Structure("a patch before the appended revision".into()))?;
        let slot = self
            .bytes
            .get_mut(rel..rel + value.len())
            .ok_or_else(|| PdfError::Structure("a patch beyond the appended revision".into()))?;
        slot.copy_from_slice(value);
        Ok(())
    }

    /// The total length of the updated file.
    pub fn total_len(&self) -> usize {
        self.base + self.bytes.len()
    }
}

impl<'d, 'a> Update<'d, 'a> {
    /// A new revision over `doc`.
    pub fn new(doc: &'d Document<'a>) -> Self {
        Self {
            doc,
            next: doc.size().max(1),
            objects: Vec::new(),
            root: None,
            info: None,
        }
    }

    /// The document.
    pub fn doc(&self) -> &'d Document<'a> {
        self.doc
    }

    /// A fresh object number.
    pub fn alloc(&mut self) -> ObjRef {
        let r = ObjRef::new(self.next, 0);
        self.next += 1;
        r
    }

    /// Points the new revision's trailer `/Info` at `r` (the document information dictionary).
    pub fn set_info(&mut self, r: ObjRef) {
        self.info = Some(r);
    }

    /// Writes `obj` as `r` in the new revision (new, or replacing the old definition).
    pub fn put(&mut self, r: ObjRef, obj: Object) {
        if let Some(slot) = self.objects.iter_mut().find(|(x, _)| *x == r) {
            slot.1 = obj;
        } else {
            self.objects.push((r, obj));
        }
    }

    /// A new object; returns its reference.
    pub fn add(&mut self, obj: Object) -> ObjRef {
        let r = self.alloc();
        self.put(r, obj);
        r
    }

    /// The object `r` as it will be after this update (the new version when put).
    pub fn current(&self, r: ObjRef) -> Result<Object, PdfError> {
        if let Some((_, o)) = self.objects.iter().find(|(x, _)| *x == r) {
            return Ok(o.clone());
        }
        Ok((*self.doc.get(r)?).clone())
    }

    /// Whether nothing is written yet.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Serialises the revision.
    pub fn finish(self) -> Result<Appended, PdfError> {
        let data = self.doc.data();
        let base = data.len();
        let mut out = Vec::with_capacity(4096);
        if !matches!(data.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        let mut raws = RawPositions::default();
        let mut offsets: Vec<(u32, usize)> = Vec::new();
        let mut objects = self.objects;
        objects.sort_by_key(|(r, _)| *r);
        for (r, obj) in &objects {
            offsets.push((r.num, base + out.len()));
            out.extend_from_slice(format!("{} {} obj\n", r.num, r.gen_).as_bytes());
            let mut local = RawPositions::default();
            serialize(obj, &mut out, &mut local);
            for (id, s, e) in local.0 {
                raws.0.push((id, base + s, base + e));
            }
            out.extend_from_slice(b"\nendobj\n");
        }
        let old = self.doc.trailer();
        let mut trailer = Dict::new();
        let root = match self.root {
            Some(r) => r,
            None => self.doc.root_ref()?,
        };
        let mut size = self.next;
        let prev = self.doc.startxref() as i64;
        let xref_offset = base + out.len();
        match self.doc.xref_kind() {
            XrefKind::Table => {
                trailer.set("Size", Object::Int(i64::from(size)));
                trailer.set("Root", Object::Ref(root));
                copy_keys(old, &mut trailer);
                if let Some(info) = self.info {
                    trailer.set("Info", Object::Ref(info));
                }
                trailer.set("Prev", Object::Int(prev));
                out.extend_from_slice(b"xref\n");
                let runs = runs(&offsets);
                for run in &runs {
                    out.extend_from_slice(format!("{} {}\n", run[0].0, run.len()).as_bytes());
                    for (num, off) in run {
                        let gen_ = objects
                            .iter()
                            .find(|(r, _)| r.num == *num)
                            .map_or(0, |(r, _)| r.gen_);
                        out.extend_from_slice(format!("{off:010} {gen_:05} n\r\n").as_bytes());
                    }
                }
                out.extend_from_slice(b"trailer\n");
                serialize(
                    &Object::Dict(trailer),
                    &mut out,
                    &mut RawPositions::default(),
                );
                out.extend_from_slice(b"\n");
            }
            XrefKind::Stream => {
                let xref_num = size;
                size += 1;
                let mut all = offsets.clone();
                all.push((xref_num, xref_offset));
                let runs = runs(&all);
                let mut body = Vec::new();
                let mut index = Vec::new();
                for run in &runs {
                    index.push(Object::Int(i64::from(run[0].0)));
                    index.push(Object::Int(run.len() as i64));
                    for (num, off) in run {
                        let gen_ = objects
                            .iter()
                            .find(|(r, _)| r.num == *num)
                            .map_or(0, |(r, _)| r.gen_);
                        body.push(1u8);
                        body.extend_from_slice(&(*off as u64).to_be_bytes()[3..]);
                        body.extend_from_slice(&gen_.to_be_bytes());
                    }
                }
                trailer.set("Type", Object::name("XRef"));
                trailer.set("Size", Object::Int(i64::from(size)));
                trailer.set("Root", Object::Ref(root));
                copy_keys(old, &mut trailer);
                if let Some(info) = self.info {
                    trailer.set("Info", Object::Ref(info));
                }
                trailer.set("Prev", Object::Int(prev));
                trailer.set("Index", Object::Array(index));
                trailer.set(
                    "W",
                    Object::Array(vec![Object::Int(1), Object::Int(5), Object::Int(2)]),
                );
                out.extend_from_slice(format!("{xref_num} 0 obj\n").as_bytes());
                serialize(
                    &Object::Stream(crate::object::Stream {
                        dict: trailer,
                        raw: body,
                    }),
                    &mut out,
                    &mut RawPositions::default(),
                );
                out.extend_from_slice(b"\nendobj\n");
            }
        }
        out.extend_from_slice(format!("startxref\n{xref_offset}\n%%EOF\n").as_bytes());
        Ok(Appended {
            bytes: out,
            base,
            raws,
            xref_offset,
        })
    }
}

fn copy_keys(old: &Dict, new: &mut Dict) {
    for key in ["Info", "ID"] {
        if let Some(v) = old.get(key)
            && !matches!(v, Object::Null)
        {
            new.set(key, v.clone());
        }
    }
}

/// Contiguous runs of object numbers.
fn runs(offsets: &[(u32, usize)]) -> Vec<Vec<(u32, usize)>> {
    let mut sorted = offsets.to_vec();
    sorted.sort_unstable();
    let mut out: Vec<Vec<(u32, usize)>> = Vec::new();
    for item in sorted {
        match out.last_mut() {
            Some(run) if run.last().is_some_and(|l| l.0 + 1 == item.0) => run.push(item),
            _ => out.push(vec![item]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testdata::minimal_pdf;

    #[test]
    fn appended_revision_reopens_and_keeps_the_original_bytes() {
        for stream in [false, true] {
            let original = minimal_pdf(stream);
            let doc = Document::open(&original).unwrap();
            let mut up = Update::new(&doc);
            let mut d = Dict::new();
            d.set("Hello", Object::Raw(7, b"(world)".to_vec()));
            let r = up.add(Object::Dict(d));
            let appended = up.finish().unwrap();
            let mut full = original.clone();
            full.extend_from_slice(&appended.bytes);
            assert!(full.starts_with(&original));
            let (s, e) = appended.raw(7).unwrap();
            assert_eq!(&full[s..e], b"(world)");
            let doc2 = Document::open(&full).unwrap();
            assert_eq!(doc2.xref_kind(), doc.xref_kind());
            let o = doc2.get(r).unwrap();
            assert_eq!(
                o.as_dict().unwrap().get("Hello"),
                Some(&Object::Str(b"world".to_vec()))
            );
            assert_eq!(doc2.pages().unwrap().len(), 1);
            assert_eq!(crate::document::revisions(&full).len(), 2);
        }
    }
}
