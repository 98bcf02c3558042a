//! Modification analysis: every object a revision after a signature (re)defines is classified;
//! anything no rule allows is a disallowed change (reject by default, as pyHanko does).

use std::collections::{HashMap, HashSet};

use signet_pdf::{Dict, Document, ObjRef, Object, Revision, decode_text};

use crate::validate::{Modification, SignatureReport};

const TRAILER_KEYS: &[&str] = &[
    "Size",
    "Prev",
    "Root",
    "Info",
    "ID",
    "XRefStm",
    "Type",
    "W",
    "Index",
    "Length",
    "Filter",
    "DecodeParms",
    "Encrypt",
];
const FILL_KEYS: &[&str] = &["V", "AP", "AS", "MK", "F", "DA", "Lock", "SV"];
const FORM_KEYS: &[&str] = &["Fields", "SigFlags", "DR", "DA", "NeedAppearances"];

fn get_num(doc: &Document<'_>, num: u32) -> Object {
    let gen_ = match doc.xref().get(&num) {
        Some(signet_pdf::XrefEntry::Offset { gen_, .. }) => *gen_,
        _ => 0,
    };
    doc.get(ObjRef::new(num, gen_))
        .map(|o| (*o).clone())
        .unwrap_or(Object::Null)
}

fn section_offsets(doc: &Document<'_>) -> HashSet<usize> {
    let mut s = HashSet::new();
    for sec in doc.sections() {
        s.insert(sec.offset);
        if let Some(h) = &sec.hybrid {
            s.insert(h.offset);
        }
    }
    s
}

/// The object numbers and trailers the sections new in `new` define.
fn new_definitions(old: &Document<'_>, new: &Document<'_>) -> (Vec<u32>, Vec<Dict>) {
    let known = section_offsets(old);
    let mut nums = Vec::new();
    let mut trailers = Vec::new();
    for sec in new.sections() {
        if known.contains(&sec.offset) {
            continue;
        }
        trailers.push(sec.trailer.clone());
        for (n, _) in sec
            .entries
            .iter()
            .chain(sec.hybrid.iter().flat_map(|h| h.entries.iter()))
        {
            nums.push(*n);
        }
    }
    nums.sort_unstable();
    nums.dedup();
    (nums, trailers)
}

fn is_field(d: &Dict) -> bool {
    d.get("FT").is_some() || d.get("T").is_some() || d.is_name("Subtype", "Widget")
}

fn field_type(doc: &Document<'_>, d: &Dict) -> Option<Vec<u8>> {
    let mut cur = d.clone();
    for _ in 0..16 {
        if let Some(ft) = cur.name("FT") {
            return Some(ft.to_vec());
        }
        cur = doc.resolve_dict(cur.get("Parent")).ok()??;
    }
    None
}

fn field_name(doc: &Document<'_>, d: &Dict) -> String {
    let mut parts = Vec::new();
    let mut cur = d.clone();
    for _ in 0..16 {
        if let Some(t) = cur.get("T").and_then(Object::as_str) {
            parts.push(decode_text(t));
        }
        match doc.resolve_dict(cur.get("Parent")) {
            Ok(Some(p)) => cur = p,
            _ => break,
        }
    }
    parts.reverse();
    parts.join(".")
}

fn value_text(doc: &Document<'_>, v: Option<&Object>) -> Option<String> {
    let v = doc.resolve(v?).ok()?;
    Some(match v {
        Object::Str(s) => decode_text(&s),
        Object::Name(n) => format!("/{}", String::from_utf8_lossy(&n)),
        Object::Null => return None,
        other => format!("{other:?}").chars().take(80).collect(),
    })
}

fn changed_keys(old: &Dict, new: &Dict) -> Vec<String> {
    let mut keys: Vec<String> = old
        .keys()
        .chain(new.keys())
        .map(|k| String::from_utf8_lossy(k).into_owned())
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| old.get(k) != new.get(k))
        .collect()
}

/// Who references each object in `doc` (object numbers; `u32::MAX` is the trailer).
fn referrers(doc: &Document<'_>) -> HashMap<u32, Vec<u32>> {
    let mut out: HashMap<u32, Vec<u32>> = HashMap::new();
    fn walk(o: &Object, from: u32, out: &mut HashMap<u32, Vec<u32>>, depth: usize) {
        if depth > 64 {
            return;
        }
        match o {
            Object::Ref(r) => out.entry(r.num).or_default().push(from),
            Object::Array(a) => a.iter().for_each(|x| walk(x, from, out, depth + 1)),
            Object::Dict(d) => d.0.iter().for_each(|(_, x)| walk(x, from, out, depth + 1)),
            Object::Stream(s) => s
                .dict
                .0
                .iter()
                .for_each(|(_, x)| walk(x, from, out, depth + 1)),
            _ => {}
        }
    }
    walk(&Object::Dict(doc.trailer().clone()), u32::MAX, &mut out, 0);
    let mut nums: Vec<u32> = doc.xref().keys().copied().collect();
    nums.sort_unstable();
    for num in nums.into_iter().take(500_000) {
        let o = get_num(doc, num);
        walk(&o, num, &mut out, 0);
    }
    out
}

/// The DocMDP permission in force for the signed revision (a certification signature).
fn certification_p(doc: &Document<'_>) -> Option<i64> {
    let catalog = doc.catalog().ok()?;
    let perms = doc.resolve_dict(catalog.get("Perms")).ok()??;
    let sig = doc.resolve_dict(perms.get("DocMDP")).ok()??;
    let refs = doc.resolve(sig.get("Reference")?).ok()?;
    for r in refs.as_array().unwrap_or_default() {
        let d = doc.resolve(r).ok()?;
        let d = d.as_dict()?;
        if d.is_name("TransformMethod", "DocMDP") {
            let params = doc.resolve_dict(d.get("TransformParams")).ok()??;
            return Some(params.int("P").unwrap_or(2));
        }
    }
    None
}

struct Rev<'r> {
    revision: usize,
    p: Option<i64>,
    lock: Option<FieldLock>,
    out: &'r mut Vec<Modification>,
}

/// A FieldMDP lock of the signature (its field's `/Lock` or a FieldMDP `/Reference`).
#[derive(Debug, Clone)]
struct FieldLock {
    action: Vec<u8>,
    fields: Vec<String>,
}

impl FieldLock {
    fn locks(&self, name: &str) -> bool {
        match self.action.as_slice() {
            b"All" => true,
            b"Include" => self.fields.iter().any(|f| f == name),
            b"Exclude" => !self.fields.iter().any(|f| f == name),
            _ => true,
        }
    }
}

fn lock_from(doc: &Document<'_>, d: &Dict) -> Option<FieldLock> {
    let action = d.name("Action")?.to_vec();
    let fields = doc
        .resolve(d.get("Fields").unwrap_or(&Object::Null))
        .ok()
        .and_then(|f| f.as_array().map(<[Object]>::to_vec))
        .unwrap_or_default()
        .iter()
        .filter_map(|f| f.as_str().map(decode_text))
        .collect();
    Some(FieldLock { action, fields })
}

/// The FieldMDP lock of signature `sig_value` in the signed revision.
fn field_lock(doc: &Document<'_>, sig_value: ObjRef) -> Option<FieldLock> {
    let sig = doc.get(sig_value).ok()?;
    let sig = sig.as_dict()?;
    if let Ok(refs) = doc.resolve(sig.get("Reference").unwrap_or(&Object::Null)) {
        for r in refs.as_array().unwrap_or_default() {
            let Ok(Some(d)) = doc.resolve_dict(Some(r)) else {
                continue;
            };
            if d.is_name("TransformMethod", "FieldMDP")
                && let Ok(Some(params)) = doc.resolve_dict(d.get("TransformParams"))
            {
                return lock_from(doc, &params);
            }
        }
    }
    // The signature field's /Lock.
    let mut nums: Vec<u32> = doc.xref().keys().copied().collect();
    nums.sort_unstable();
    for n in nums.into_iter().take(200_000) {
        let o = get_num(doc, n);
        let Some(d) = o.as_dict() else { continue };
        if d.get("V").and_then(Object::as_ref) == Some(sig_value)
            && let Ok(Some(lock)) = doc.resolve_dict(d.get("Lock"))
        {
            return lock_from(doc, &lock);
        }
    }
    None
}

impl Rev<'_> {
    fn push(&mut self, kind: &str, allowed: bool, num: Option<u32>, detail: String) {
        self.out.push(Modification {
            revision: self.revision,
            kind: kind.into(),
            allowed,
            object: num.map(|n| format!("{n} 0")),
            field: None,
            old_value: None,
            new_value: None,
            detail,
        });
    }
    fn signatures_allowed(&self) -> bool {
        self.p != Some(1)
    }
    fn forms_allowed(&self) -> bool {
        self.p != Some(1)
    }
    fn annotations_allowed(&self) -> bool {
        matches!(self.p, None | Some(3))
    }
}

/// Analyses every revision after `signed` (index into `revisions`) and records the changes in
/// `report`; sets `report.modified` when one is not allowed.
pub fn analyse(
    data: &[u8],
    revisions: &[Revision],
    signed: usize,
    sig_value: ObjRef,
    report: &mut SignatureReport,
) {
    let Ok(signed_doc) = Document::open(&data[..revisions[signed].end]) else {
        return;
    };
    let p = certification_p(&signed_doc);
    let lock = field_lock(&signed_doc, sig_value);
    let mut mods = Vec::new();
    for j in signed + 1..revisions.len() {
        let (Ok(old), Ok(new)) = (
            Document::open(&data[..revisions[j - 1].end]),
            Document::open(&data[..revisions[j].end]),
        ) else {
            mods.push(Modification {
                revision: j + 1,
                kind: "other".into(),
                allowed: false,
                object: None,
                field: None,
                old_value: None,
                new_value: None,
                detail: "a later revision cannot be read".into(),
            });
            continue;
        };
        let mut rev = Rev {
            revision: j + 1,
            p,
            lock: lock.clone(),
            out: &mut mods,
        };
        revision_changes(&old, &new, sig_value, &mut rev);
    }
    report.modified = mods.iter().any(|m| !m.allowed);
    report.modifications = mods;
}

fn revision_changes(old: &Document<'_>, new: &Document<'_>, sig_value: ObjRef, rev: &mut Rev<'_>) {
    let (nums, trailers) = new_definitions(old, new);
    for t in &trailers {
        for k in t.keys() {
            let k = String::from_utf8_lossy(k);
            if !TRAILER_KEYS.contains(&k.as_ref()) {
                rev.push(
                    "other",
                    false,
                    None,
                    format!("the trailer gains the key /{k}"),
                );
            }
        }
    }
    let (Ok(old_root), Ok(new_root)) = (old.root_ref(), new.root_ref()) else {
        return;
    };
    if old_root != new_root {
        rev.push(
            "other",
            false,
            None,
            "the document catalog is replaced".into(),
        );
        return;
    }
    let old_pages: HashSet<ObjRef> = old.pages().unwrap_or_default().into_iter().collect();
    let old_page_nums: HashSet<u32> = old_pages.iter().map(|r| r.num).collect();
    let old_catalog = old.catalog().unwrap_or_default();
    let acroform_num = old_catalog
        .get("AcroForm")
        .and_then(Object::as_ref)
        .map(|r| r.num);
    let fields_num = old
        .resolve_dict(old_catalog.get("AcroForm"))
        .ok()
        .flatten()
        .and_then(|f| f.get("Fields").and_then(Object::as_ref))
        .map(|r| r.num);
    let info_num = old
        .trailer()
        .get("Info")
        .and_then(Object::as_ref)
        .map(|r| r.num);
    let dss_nums: HashSet<u32> = {
        let mut s = HashSet::new();
        if let Some(r) = old_catalog.get("DSS").and_then(Object::as_ref) {
            s.insert(r.num);
        }
        if let Ok(Some(d)) = old.resolve_dict(old_catalog.get("DSS")) {
            for (_, v) in &d.0 {
                if let Some(r) = v.as_ref() {
                    s.insert(r.num);
                }
            }
        }
        s
    };
    let page_annots: HashSet<u32> = old_pages
        .iter()
        .filter_map(|p| old.get(*p).ok())
        .filter_map(|o| {
            o.as_dict()
                .and_then(|d| d.get("Annots"))
                .and_then(Object::as_ref)
        })
        .map(|r| r.num)
        .collect();

    // Pass 1: structural objects; `filled` collects fields/widgets changed by allowed fills.
    let mut refs_cache: Option<HashMap<u32, Vec<u32>>> = None;
    let mut filled: HashSet<u32> = HashSet::new();
    let mut rest: Vec<(u32, Object, Object)> = Vec::new();
    for num in nums {
        let o = get_num(old, num);
        let n = get_num(new, num);
        if o == n {
            continue;
        }
        if matches!(o, Object::Null) {
            // A new object: judged through what references it.
            continue;
        }
        let od = o.as_dict().cloned().unwrap_or_default();
        let nd = n.as_dict().cloned().unwrap_or_default();
        if od.is_name("Type", "XRef") || od.is_name("Type", "ObjStm") {
            continue;
        }
        if num == old_root.num {
            catalog_changes(old, new, &od, &nd, rev);
            continue;
        }
        if num == sig_value.num
            || od.is_name("Type", "Sig")
            || od.is_name("Type", "DocTimeStamp")
            || od.get("ByteRange").is_some()
        {
            rev.push(
                "other",
                false,
                Some(num),
                "a signature dictionary of the signed revision is changed".into(),
            );
            continue;
        }
        if old_page_nums.contains(&num) {
            page_changes(new, &od, &nd, num, rev);
            continue;
        }
        if Some(num) == acroform_num {
            let bad = form_changes(&od, &nd);
            if bad.is_empty() {
                rev.push(
                    "acroform",
                    true,
                    Some(num),
                    "the form dictionary lists new fields".into(),
                );
            } else {
                rev.push(
                    "other",
                    false,
                    Some(num),
                    format!("the form dictionary changes /{}", bad.join(", /")),
                );
            }
            continue;
        }
        if Some(num) == fields_num || page_annots.contains(&num) {
            let (oa, na) = (
                o.as_array().unwrap_or_default(),
                n.as_array().unwrap_or_default(),
            );
            if oa.iter().all(|x| na.contains(x)) {
                if page_annots.contains(&num) {
                    for x in na.iter().filter(|x| !oa.contains(x)) {
                        new_annotation(new, x, rev);
                    }
                }
                rev.push("acroform", true, Some(num), "a list gains entries".into());
            } else {
                rev.push(
                    "other",
                    false,
                    Some(num),
                    "entries are removed from the fields or annotations list".into(),
                );
            }
            continue;
        }
        if Some(num) == info_num || od.is_name("Type", "Metadata") {
            rev.push(
                "metadata",
                true,
                Some(num),
                "document metadata updated".into(),
            );
            continue;
        }
        if dss_nums.contains(&num) || od.is_name("Type", "DSS") {
            rev.push("dss", true, Some(num), "validation data updated".into());
            continue;
        }
        if is_field(&od) && !od.is_name("Subtype", "Link") {
            if field_change(old, new, &od, &nd, num, rev, &mut refs_cache) {
                filled.insert(num);
            }
            continue;
        }
        rest.push((num, o, n));
    }
    if rest.is_empty() {
        return;
    }
    // Pass 2: anything else is allowed only when the signed revision referenced it from
    // nowhere but the fields being filled now (or an appearance dictionary of theirs).
    let refs = refs_cache.unwrap_or_else(|| referrers(old));
    for (num, o, _) in rest {
        let from = refs.get(&num).cloned().unwrap_or_default();
        let ok = from.iter().all(|f| {
            filled.contains(f)
                || refs.get(f).is_some_and(|ff| {
                    !ff.is_empty()
                        && ff.iter().all(|g| filled.contains(g))
                        && get_num(old, *f)
                            .as_dict()
                            .is_some_and(|d| d.get("N").is_some() || d.get("D").is_some())
                })
        });
        if from.is_empty() {
            rev.push(
                "other",
                true,
                Some(num),
                "an object nothing in the signed revision referenced is reused".into(),
            );
        } else if ok {
            rev.push(
                "signature",
                true,
                Some(num),
                "the appearance of a field being filled".into(),
            );
        } else {
            let what = match &o {
                Object::Stream(s) if s.dict.is_name("Subtype", "Form") => {
                    "a form XObject (appearance)"
                }
                Object::Stream(_) => "a stream (page content, appearance, font or image)",
                Object::Dict(d) if d.is_name("Type", "Pages") => "the page tree",
                Object::Dict(d) if d.is_name("Type", "Font") => "a font",
                Object::Dict(d) if d.is_name("Type", "Annot") || d.get("Subtype").is_some() => {
                    "an annotation"
                }
                Object::Dict(_) => "a dictionary",
                _ => "an object",
            };
            let by = if from.contains(&u32::MAX) {
                " (reachable from the trailer)"
            } else {
                ""
            };
            rev.push(
                "other",
                false,
                Some(num),
                format!("{what} of the signed revision is changed{by}"),
            );
        }
    }
}

fn catalog_changes(
    old: &Document<'_>,
    new: &Document<'_>,
    od: &Dict,
    nd: &Dict,
    rev: &mut Rev<'_>,
) {
    for k in changed_keys(od, nd) {
        match k.as_str() {
            "DSS" => rev.push(
                "dss",
                true,
                None,
                "the catalog gains or updates /DSS".into(),
            ),
            "Extensions" => rev.push(
                "metadata",
                true,
                None,
                "developer extensions declared".into(),
            ),
            "Metadata" => rev.push("metadata", true, None, "XMP metadata replaced".into()),
            "Version" => rev.push("metadata", true, None, "the PDF version is raised".into()),
            "AcroForm" => match (od.get("AcroForm"), nd.get("AcroForm")) {
                (Some(Object::Dict(a)), Some(Object::Dict(b))) => {
                    let bad = form_changes(a, b);
                    if bad.is_empty() {
                        rev.push("acroform", true, None, "the form lists new fields".into());
                    } else {
                        rev.push(
                            "other",
                            false,
                            None,
                            format!("the form dictionary changes /{}", bad.join(", /")),
                        );
                    }
                }
                (None, Some(_)) => rev.push(
                    "acroform",
                    true,
                    None,
                    "a form is added for a signature field".into(),
                ),
                _ => rev.push(
                    "other",
                    false,
                    None,
                    "the catalog's /AcroForm is replaced".into(),
                ),
            },
            other => {
                let _ = (old, new);
                rev.push(
                    "other",
                    false,
                    None,
                    format!("the catalog's /{other} is changed"),
                );
            }
        }
    }
}

fn new_annotation(new: &Document<'_>, x: &Object, rev: &mut Rev<'_>) {
    let d = new
        .resolve(x)
        .ok()
        .and_then(|o| o.as_dict().cloned())
        .unwrap_or_default();
    let is_sig = field_type(new, &d).as_deref() == Some(b"Sig".as_slice());
    if is_sig {
        // A visible signature widget added after a certification signature can paint anything
        // over the certified content (sneaky signature attack): not allowed.
        let visible = d.get("Rect").and_then(Object::as_array).is_some_and(|r| {
            r.len() == 4 && {
                let v: Vec<f64> = r.iter().map(num).collect();
                (v[2] - v[0]).abs() > 0.0 && (v[3] - v[1]).abs() > 0.0
            }
        });
        let allowed = rev.signatures_allowed() && !(visible && rev.p.is_some());
        let what = if visible {
            "visible signature field"
        } else {
            "signature field"
        };
        rev.push(
            "signature",
            allowed,
            x.as_ref().map(|r| r.num),
            format!("{what} {} added", field_name(new, &d)),
        );
    } else {
        let sub = d
            .name("Subtype")
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default();
        let allowed = if d.is_name("Subtype", "Widget") {
            rev.forms_allowed()
        } else {
            rev.annotations_allowed()
        };
        let kind = if d.is_name("Subtype", "Widget") {
            "form-fill"
        } else {
            "annotation"
        };
        let contents = d.get("Contents").and_then(Object::as_str).map(decode_text);
        rev.out.push(Modification {
            revision: rev.revision,
            kind: kind.into(),
            allowed,
            object: x.as_ref().map(|r| format!("{} {}", r.num, r.gen_)),
            field: None,
            old_value: None,
            new_value: contents,
            detail: format!("a /{sub} annotation is added"),
        });
    }
}

fn page_changes(new: &Document<'_>, od: &Dict, nd: &Dict, num: u32, rev: &mut Rev<'_>) {
    for k in changed_keys(od, nd) {
        if k == "Annots" {
            let oa = od
                .get("Annots")
                .and_then(Object::as_array)
                .map(<[Object]>::to_vec);
            let na = nd
                .get("Annots")
                .and_then(Object::as_array)
                .map(<[Object]>::to_vec);
            match (oa, na) {
                (oa, Some(na))
                    if oa
                        .as_ref()
                        .is_none_or(|oa| oa.iter().all(|x| na.contains(x))) =>
                {
                    let oa = oa.unwrap_or_default();
                    for x in na.iter().filter(|x| !oa.contains(x)) {
                        new_annotation(new, x, rev);
                    }
                }
                _ => rev.push(
                    "other",
                    false,
                    Some(num),
                    "annotations are removed from a page or /Annots is replaced".into(),
                ),
            }
        } else {
            rev.push(
                "other",
                false,
                Some(num),
                format!("a page's /{k} is changed"),
            );
        }
    }
}

/// A field or widget changed: returns whether it is an allowed fill.
fn field_change(
    old: &Document<'_>,
    new: &Document<'_>,
    od: &Dict,
    nd: &Dict,
    num: u32,
    rev: &mut Rev<'_>,
    refs_cache: &mut Option<HashMap<u32, Vec<u32>>>,
) -> bool {
    let keys = changed_keys(od, nd);
    // A replaced appearance must have belonged to this field alone: an appearance dictionary or
    // stream the signed revision also reaches from elsewhere would change there too.
    if keys.iter().any(|k| k == "AP") {
        let mut owned: Vec<u32> = Vec::new();
        if let Some(r) = od.get("AP").and_then(Object::as_ref) {
            owned.push(r.num);
        }
        if let Ok(Some(ap)) = old.resolve_dict(od.get("AP")) {
            for (_, v) in &ap.0 {
                if let Some(r) = v.as_ref() {
                    owned.push(r.num);
                }
            }
        }
        if !owned.is_empty() {
            let refs = refs_cache.get_or_insert_with(|| referrers(old));
            let ap_ref = od.get("AP").and_then(Object::as_ref).map(|r| r.num);
            let shared = owned.iter().any(|o| {
                refs.get(o)
                    .is_some_and(|from| from.iter().any(|f| *f != num && Some(*f) != ap_ref))
            });
            if shared {
                rev.push(
                    "other",
                    false,
                    Some(num),
                    format!("field {}: its replaced appearance is also referenced from elsewhere in the signed revision", field_name(new, nd)),
                );
                return false;
            }
        }
    }
    let bad: Vec<&String> = keys
        .iter()
        .filter(|k| !FILL_KEYS.contains(&k.as_str()))
        .collect();
    let name = field_name(new, nd);
    if !bad.is_empty() {
        rev.push(
            "other",
            false,
            Some(num),
            format!(
                "field {name}: /{} changed",
                bad.iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", /")
            ),
        );
        return false;
    }
    let is_sig = field_type(old, od).as_deref() == Some(b"Sig".as_slice());
    if is_sig {
        let was_signed = od.get("V").is_some_and(|v| !matches!(v, Object::Null));
        if was_signed {
            rev.push(
                "other",
                false,
                Some(num),
                format!("signed field {name} is changed"),
            );
            return false;
        }
        let allowed = rev.signatures_allowed();
        rev.push(
            "signature",
            allowed,
            Some(num),
            format!("signature field {name} is signed"),
        );
        return allowed;
    }
    let locked = rev.lock.as_ref().is_some_and(|l| l.locks(&name));
    let allowed = rev.forms_allowed() && !locked;
    rev.out.push(Modification {
        revision: rev.revision,
        kind: "form-fill".into(),
        allowed,
        object: Some(format!("{num} 0")),
        field: Some(name.clone()),
        old_value: value_text(old, od.get("V")),
        new_value: value_text(new, nd.get("V")),
        detail: if locked {
            format!("form field {name}, locked by the signature (FieldMDP), is changed")
        } else {
            format!("form field {name} is filled in")
        },
    });
    allowed
}

fn num(o: &Object) -> f64 {
    match o {
        Object::Int(i) => *i as f64,
        Object::Real(r) => std::str::from_utf8(r)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.0),
        _ => 0.0,
    }
}

/// The keys of a form dictionary changed in a way no rule allows: anything but the listed keys,
/// and a direct `/Fields` that loses entries (signature stripping).
fn form_changes(old: &Dict, new: &Dict) -> Vec<String> {
    changed_keys(old, new)
        .into_iter()
        .filter(|k| {
            if k == "Fields" {
                match (old.get("Fields"), new.get("Fields")) {
                    (Some(Object::Array(o)), Some(Object::Array(n))) => {
                        !o.iter().all(|x| n.contains(x))
                    }
                    (None, Some(_)) => false,
                    _ => true,
                }
            } else {
                !FORM_KEYS.contains(&k.as_str())
            }
        })
        .collect()
}
