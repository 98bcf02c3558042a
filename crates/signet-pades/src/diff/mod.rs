//! Modification analysis: every object a revision after a signature (re)defines is classified;
//! anything no rule allows is a disallowed change (reject by default, as pyHanko does).

use std::collections::{HashMap, HashSet};

use signet_pdf::{Dict, Document, ObjRef, Object, decode_text};

use crate::revision_docs::RevisionDocs;

use crate::validate::{Modification, SignatureReport};

mod fields;
mod roles;

use fields::{
    FieldLock, field_change, field_lock, field_name, field_type, field_value, form_changes,
    is_signature, num,
};

use roles::Roles;

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

pub(super) fn get_num(doc: &Document<'_>, num: u32) -> Object {
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

pub(super) fn changed_keys(old: &Dict, new: &Dict) -> Vec<String> {
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
pub(super) fn referrers(doc: &Document<'_>) -> HashMap<u32, Vec<u32>> {
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
    crate::validate::docmdp_of(doc, &sig)
}

pub(super) struct Rev<'r> {
    revision: usize,
    p: Option<i64>,
    lock: Option<FieldLock>,
    out: &'r mut Vec<Modification>,
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
            page: None,
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
pub(crate) fn analyse(
    docs: &RevisionDocs<'_>,
    signed: usize,
    sig_value: ObjRef,
    report: &mut SignatureReport,
) {
    let _span = tracing::trace_span!("verify.modifications").entered();
    let Ok(signed_doc) = docs.get(signed) else {
        return;
    };
    let p = certification_p(signed_doc);
    let lock = field_lock(signed_doc, sig_value);
    let roles = Roles::of(signed_doc);
    let mut mods = Vec::new();
    for j in signed + 1..docs.len() {
        let (Ok(old), Ok(new)) = (docs.get(j - 1), docs.get(j)) else {
            mods.push(Modification {
                revision: j + 1,
                kind: "other".into(),
                allowed: false,
                object: None,
                field: None,
                old_value: None,
                new_value: None,
                page: None,
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
        revision_changes(&roles, old, new, sig_value, &mut rev);
    }
    report.modified = mods.iter().any(|m| !m.allowed);
    report.modifications = mods;
}

/// What an object of the signed revision is, in words, from what the signed revision used it for.
fn role_words(flags: u16) -> &'static str {
    use roles::role;
    if flags & role::CONTENT != 0 {
        "content"
    } else if flags & role::SIGNATURE != 0 {
        "a signature dictionary"
    } else if flags & role::PAGE_TREE != 0 {
        "the page tree"
    } else if flags & (role::ANNOT | role::FIELD) != 0 {
        "an annotation or field"
    } else {
        "an object"
    }
}

fn revision_changes(
    roles: &Roles,
    old: &Document<'_>,
    new: &Document<'_>,
    sig_value: ObjRef,
    rev: &mut Rev<'_>,
) {
    use roles::role;
    let (mut nums, trailers) = new_definitions(old, new);
    // Every section of the previous revision must still be in the chain: a revision whose /Prev
    // skips one brings back what the skipped revisions had replaced.
    let kept = section_offsets(new);
    if !section_offsets(old).is_subset(&kept) {
        rev.push(
            "other",
            false,
            None,
            "a later revision leaves earlier cross-reference sections out of its chain".into(),
        );
        return;
    }
    // What the sections name is not all that can change: an object stream replaced changes
    // every object inside it. So every object the signed revision used is compared too.
    nums.extend(roles.numbers());
    nums.sort_unstable();
    nums.dedup();
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
    // Pass 1: everything but appearances; `filled` collects the fields and widgets changed by
    // allowed fills, which their appearances (pass 2) may follow.
    let mut refs_cache: Option<HashMap<u32, Vec<u32>>> = None;
    let mut filled: HashSet<u32> = HashSet::new();
    let mut appearances: Vec<u32> = Vec::new();
    for num in nums {
        let o = get_num(old, num);
        let n = get_num(new, num);
        if o == n {
            continue;
        }
        let Some(used) = roles.get(num) else {
            // Nothing in the signed revision used it: a new object (judged through what
            // references it), or one added after the signature, or an orphan.
            if !matches!(o, Object::Null) {
                let allowed = roles.complete;
                rev.push(
                    "other",
                    allowed,
                    Some(num),
                    if allowed {
                        "an object the signed revision did not use is changed".into()
                    } else {
                        "an object is changed in a document too large to analyse".into()
                    },
                );
            }
            continue;
        };
        let flags = used.flags;
        if !roles.complete {
            rev.push(
                "other",
                false,
                Some(num),
                "an object of the signed revision is changed in a document too large to analyse"
                    .into(),
            );
            continue;
        }
        if flags & role::CONTENT != 0 {
            let page = used
                .page
                .map_or_else(|| "pages".to_owned(), |p| format!("page {}", p + 1));
            let m = Modification {
                revision: rev.revision,
                kind: "content".into(),
                allowed: false,
                object: Some(format!("{num} 0")),
                field: None,
                old_value: None,
                new_value: None,
                page: used.page.map(|p| p + 1),
                detail: format!(
                    "{page}: what the page draws is changed ({} {})",
                    used.path,
                    if matches!(n, Object::Null) {
                        "removed"
                    } else if matches!(o, Object::Null) {
                        "defined after signing"
                    } else {
                        "replaced"
                    }
                ),
            };
            rev.out.push(m);
            continue;
        }
        let od = o.as_dict().cloned().unwrap_or_default();
        let nd = n.as_dict().cloned().unwrap_or_default();
        if num == sig_value.num
            || flags & role::SIGNATURE != 0
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
        // One purpose each: an object the signed revision used in two ways (say, as the form
        // and as metadata) is allowed no change, since each rule would judge only half of it.
        let purposes = [
            role::CATALOG,
            role::PAGE,
            role::FORM,
            role::FIELDS | role::ANNOTS,
            role::FIELD | role::ANNOT,
            role::APPEARANCE,
            role::METADATA,
            role::INFO,
            role::DSS,
        ]
        .iter()
        .filter(|p| flags & **p != 0)
        .count();
        if flags & (role::OTHER | role::PAGE_TREE) != 0 || purposes != 1 {
            rev.push(
                "other",
                false,
                Some(num),
                format!("{} of the signed revision is changed", role_words(flags)),
            );
            continue;
        }
        if flags & role::CATALOG != 0 {
            catalog_changes(old, new, &od, &nd, rev);
        } else if flags & role::PAGE != 0 {
            page_changes(new, &od, &nd, (num, used.page), rev);
        } else if flags & role::FORM != 0 {
            if !matches!((&o, &n), (Object::Dict(_), Object::Dict(_))) {
                rev.push(
                    "other",
                    false,
                    Some(num),
                    "the form dictionary is replaced by something else".into(),
                );
                continue;
            }
            let bad = form_changes(old, &od, new, &nd);
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
        } else if flags & (role::FIELDS | role::ANNOTS) != 0 {
            match (o.as_array(), n.as_array()) {
                (Some(oa), Some(na)) if oa.iter().all(|x| na.contains(x)) => {
                    if flags & role::ANNOTS != 0 {
                        for x in na.iter().filter(|x| !oa.contains(x)) {
                            new_annotation(new, x, rev);
                        }
                    }
                    rev.push("acroform", true, Some(num), "a list gains entries".into());
                }
                _ => rev.push(
                    "other",
                    false,
                    Some(num),
                    "entries are removed from the fields or annotations list".into(),
                ),
            }
        } else if flags & (role::FIELD | role::ANNOT) != 0 {
            let is_form = flags & role::FIELD != 0 || od.is_name("Subtype", "Widget");
            if is_form
                && matches!(o, Object::Dict(_))
                && matches!(n, Object::Dict(_))
                && field_change(old, new, &od, &nd, num, rev, &mut refs_cache)
            {
                filled.insert(num);
            } else if !is_form || !matches!((&o, &n), (Object::Dict(_), Object::Dict(_))) {
                rev.push(
                    "other",
                    false,
                    Some(num),
                    "an annotation of the signed revision is changed".into(),
                );
            }
        } else if flags & role::APPEARANCE != 0 {
            appearances.push(num);
        } else if flags & role::METADATA != 0 {
            rev.push("metadata", true, Some(num), "XMP metadata updated".into());
        } else if flags & role::INFO != 0 {
            rev.push(
                "metadata",
                true,
                Some(num),
                "document information updated".into(),
            );
        } else if flags & role::DSS != 0 {
            rev.push("dss", true, Some(num), "validation data updated".into());
        }
    }
    // Pass 2: an appearance (or value) may change only with every field or annotation it
    // belongs to being filled in this revision.
    for num in appearances {
        let Some(used) = roles.get(num) else { continue };
        if roles.owned_by(used, &filled) {
            rev.push(
                "signature",
                true,
                Some(num),
                "the appearance of a field being filled".into(),
            );
        } else {
            rev.push(
                "other",
                false,
                Some(num),
                "the appearance of an annotation or field not being filled is changed".into(),
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
                    let bad = form_changes(old, a, new, b);
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
                (None, Some(form)) => {
                    // A new form is judged as if an empty one had been there.
                    let bad = match new.resolve(form) {
                        Ok(Object::Dict(b)) => form_changes(old, &Dict::new(), new, &b),
                        _ => vec!["AcroForm".to_owned()],
                    };
                    if bad.is_empty() {
                        rev.push(
                            "acroform",
                            true,
                            None,
                            "a form is added for a signature field".into(),
                        );
                    } else {
                        rev.push(
                            "other",
                            false,
                            None,
                            format!("the form added after signing sets /{}", bad.join(", /")),
                        );
                    }
                }
                _ => rev.push(
                    "other",
                    false,
                    None,
                    "the catalog's /AcroForm is replaced".into(),
                ),
            },
            other => {
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

/// Whether an annotation draws anything: its `/Rect` (references resolved) has an area. A
/// rectangle that cannot be read counts as visible, since viewers may read it otherwise.
fn draws(doc: &Document<'_>, d: &Dict) -> bool {
    let Some(rect) = d.get("Rect") else {
        return false;
    };
    let Ok(Object::Array(r)) = doc.resolve(rect) else {
        return true;
    };
    let v: Option<Vec<f64>> = r
        .iter()
        .map(|e| match doc.resolve(e) {
            Ok(o @ (Object::Int(_) | Object::Real(_))) => Some(num(&o)),
            _ => None,
        })
        .collect();
    match v.as_deref() {
        Some([x0, y0, x1, y1]) => (x1 - x0).abs() > 0.0 && (y1 - y0).abs() > 0.0,
        _ => true,
    }
}

fn new_annotation(new: &Document<'_>, x: &Object, rev: &mut Rev<'_>) {
    let d = new
        .resolve(x)
        .ok()
        .and_then(|o| o.as_dict().cloned())
        .unwrap_or_default();
    let widget = d.is_name("Subtype", "Widget");
    let is_sig = widget && field_type(new, &d).as_deref() == Some(b"Sig".as_slice());
    let visible = draws(new, &d);
    let object = x.as_ref().map(|r| r.num);
    if is_sig && (!visible || is_signature(new, &field_value(new, &d))) {
        // A visible signature widget added after a certification signature can paint anything
        // over the certified content (sneaky signature attack): not allowed.
        let allowed = rev.signatures_allowed() && !(visible && rev.p.is_some());
        let what = if visible {
            "visible signature field"
        } else {
            "signature field"
        };
        rev.push(
            "signature",
            allowed,
            object,
            format!("{what} {} added", field_name(new, &d)),
        );
        return;
    }
    let sub = d
        .name("Subtype")
        .map(|s| String::from_utf8_lossy(s).into_owned())
        .unwrap_or_default();
    let (kind, allowed, detail) = if is_sig {
        // An unsigned signature widget that draws: it paints like any annotation.
        (
            "annotation",
            rev.p.is_none(),
            format!(
                "an unsigned visible signature field {} is added",
                field_name(new, &d)
            ),
        )
    } else if widget {
        // New form fields: never after a certification signature (it allows filling the fields
        // there were, and signing, not adding fields that paint over the page).
        (
            "form-fill",
            rev.p.is_none(),
            format!("a new form field {} is added", field_name(new, &d)),
        )
    } else {
        (
            "annotation",
            rev.annotations_allowed(),
            format!("a /{sub} annotation is added"),
        )
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
        page: None,
        detail,
    });
}

/// The keys of a page dictionary that decide what the page shows.
const PAGE_DRAWING_KEYS: &[&str] = &[
    "Contents",
    "Resources",
    "MediaBox",
    "CropBox",
    "Rotate",
    "UserUnit",
    "Group",
];

fn page_changes(
    new: &Document<'_>,
    od: &Dict,
    nd: &Dict,
    (num, page): (u32, Option<usize>),
    rev: &mut Rev<'_>,
) {
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
        } else if PAGE_DRAWING_KEYS.contains(&k.as_str()) {
            // What the page shows is changed: a content change, on the page named.
            let page = page.map(|p| p + 1);
            rev.out.push(Modification {
                revision: rev.revision,
                kind: "content".into(),
                allowed: false,
                object: Some(format!("{num} 0")),
                field: None,
                old_value: None,
                new_value: None,
                page,
                detail: match page {
                    Some(n) => format!("page {n}: the page's /{k} is changed"),
                    None => format!("a page's /{k} is changed"),
                },
            });
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
