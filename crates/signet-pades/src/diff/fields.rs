//! Fields and forms in the modification analysis: form filling, FieldMDP locks, the form
//! dictionary.

use std::collections::HashMap;

use signet_pdf::{Dict, Document, ObjRef, Object, decode_text};

use super::{Rev, changed_keys, get_num, referrers};
use crate::validate::Modification;

const FILL_KEYS: &[&str] = &["V", "AP", "AS", "MK", "F", "DA", "Lock", "SV"];
/// Annotation flags that decide whether a widget is seen: Invisible, Hidden, NoView,
/// ToggleNoView.
const VISIBILITY_FLAGS: i64 = 1 | 2 | 32 | 256;
/// The Print annotation flag.
const PRINT: i64 = 4;
pub(super) fn field_type(doc: &Document<'_>, d: &Dict) -> Option<Vec<u8>> {
    let mut cur = d.clone();
    for _ in 0..16 {
        if let Some(ft) = cur.name("FT") {
            return Some(ft.to_vec());
        }
        cur = doc.resolve_dict(cur.get("Parent")).ok()??;
    }
    None
}

/// A field's value, from the field or the nearest field above it (`Null` when none has one).
pub(super) fn field_value(doc: &Document<'_>, d: &Dict) -> Object {
    let mut cur = d.clone();
    for _ in 0..16 {
        if let Some(v) = cur.get("V") {
            return doc.resolve(v).unwrap_or(Object::Null);
        }
        match doc.resolve_dict(cur.get("Parent")) {
            Ok(Some(p)) => cur = p,
            _ => break,
        }
    }
    Object::Null
}

/// Whether `v` is a signature dictionary (with its byte range and contents).
pub(super) fn is_signature(doc: &Document<'_>, v: &Object) -> bool {
    doc.resolve(v).ok().is_some_and(|o| {
        o.as_dict()
            .is_some_and(|d| d.get("ByteRange").is_some() && d.get("Contents").is_some())
    })
}

pub(super) fn field_name(doc: &Document<'_>, d: &Dict) -> String {
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

pub(super) fn value_text(doc: &Document<'_>, v: Option<&Object>) -> Option<String> {
    let v = doc.resolve(v?).ok()?;
    Some(match v {
        Object::Str(s) => decode_text(&s),
        Object::Name(n) => format!("/{}", String::from_utf8_lossy(&n)),
        Object::Null => return None,
        other => format!("{other:?}").chars().take(80).collect(),
    })
}

/// A FieldMDP lock of the signature (its field's `/Lock` or a FieldMDP `/Reference`).
#[derive(Debug, Clone)]
pub(super) struct FieldLock {
    action: Vec<u8>,
    fields: Vec<String>,
}

impl FieldLock {
    pub(super) fn locks(&self, name: &str) -> bool {
        match self.action.as_slice() {
            b"All" => true,
            b"Include" => self.fields.iter().any(|f| f == name),
            b"Exclude" => !self.fields.iter().any(|f| f == name),
            _ => true,
        }
    }
}

pub(super) fn lock_from(doc: &Document<'_>, d: &Dict) -> Option<FieldLock> {
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
pub(super) fn field_lock(doc: &Document<'_>, sig_value: ObjRef) -> Option<FieldLock> {
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

/// A field or widget changed: returns whether it is an allowed fill.
pub(super) fn field_change(
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
    // Annotation flags may change, but never to hide, reveal or stop printing what the signed
    // revision showed: a widget over the text would uncover what it covered, a hidden one would
    // appear. Setting Print is allowed.
    let hides = {
        let flags = |d: &Dict| d.int("F").unwrap_or(0);
        let (was, now) = (flags(od), flags(nd));
        (was ^ now) & VISIBILITY_FLAGS != 0 || (was & !now) & PRINT != 0
    };
    let bad: Vec<&String> = keys
        .iter()
        .filter(|k| !FILL_KEYS.contains(&k.as_str()) || (k.as_str() == "F" && hides))
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
        // The value may sit on the field above a widget: looked up through /Parent.
        if !matches!(field_value(old, od), Object::Null) {
            rev.push(
                "other",
                false,
                Some(num),
                format!("signed field {name} is changed"),
            );
            return false;
        }
        // An unsigned signature field changes only by being signed, in this revision.
        if !is_signature(new, &field_value(new, nd)) {
            rev.push(
                "other",
                false,
                Some(num),
                format!("unsigned signature field {name} is changed without being signed"),
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
        page: None,
        detail: if locked {
            format!("form field {name}, locked by the signature (FieldMDP), is changed")
        } else {
            format!("form field {name} is filled in")
        },
    });
    allowed
}

pub(super) fn num(o: &Object) -> f64 {
    match o {
        Object::Int(i) => *i as f64,
        Object::Real(r) => std::str::from_utf8(r)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0.0),
        _ => 0.0,
    }
}

/// The keys of a form dictionary changed in a way no rule allows: a `/Fields` that loses
/// entries (signature stripping), `/NeedAppearances` turned on (viewers would redraw every field
/// from `/DR` and `/DA`), a `/DR` that does more than gain entries, a changed `/DA`, and any key
/// but `/Fields`, `/SigFlags`, `/DR` and `/NeedAppearances`.
pub(super) fn form_changes(
    old_doc: &Document<'_>,
    old: &Dict,
    new_doc: &Document<'_>,
    new: &Dict,
) -> Vec<String> {
    changed_keys(old, new)
        .into_iter()
        .filter(|k| match k.as_str() {
            "Fields" => match (old.get("Fields"), new.get("Fields")) {
                (Some(Object::Array(o)), Some(Object::Array(n))) => {
                    !o.iter().all(|x| n.contains(x))
                }
                (None, Some(_)) => false,
                _ => true,
            },
            "NeedAppearances" => matches!(
                new.get(k).map(|v| new_doc.resolve(v)),
                Some(Ok(Object::Bool(true)))
            ),
            "SigFlags" => false,
            // Default resources and appearance are what a viewer draws a field with when the
            // field has no appearance of its own: changeable only when no field needs them.
            "DR" => {
                !only_gains(old_doc, old.get("DR"), new_doc, new.get("DR"), 0)
                    && fields_draw_from_defaults(old_doc, old)
            }
            "DA" => fields_draw_from_defaults(old_doc, old),
            _ => true,
        })
        .collect()
}

/// Whether a viewer would draw some field of `form` from the form's default resources and
/// appearance: `/NeedAppearances` is on, or a field other than a signature field has no normal
/// appearance of its own (or the tree is too large to tell).
fn fields_draw_from_defaults(doc: &Document<'_>, form: &Dict) -> bool {
    if matches!(
        form.get("NeedAppearances").map(|v| doc.resolve(v)),
        Some(Ok(Object::Bool(true)))
    ) {
        return true;
    }
    let fields = doc
        .resolve(form.get("Fields").unwrap_or(&Object::Null))
        .unwrap_or(Object::Null);
    let mut stack: Vec<(Object, usize)> = fields
        .as_array()
        .unwrap_or_default()
        .iter()
        .map(|f| (f.clone(), 0))
        .collect();
    let mut seen = 0usize;
    while let Some((f, depth)) = stack.pop() {
        seen += 1;
        if depth > 16 || seen > 100_000 {
            return true;
        }
        let Ok(Object::Dict(d)) = doc.resolve(&f) else {
            continue;
        };
        let kids = doc
            .resolve(d.get("Kids").unwrap_or(&Object::Null))
            .unwrap_or(Object::Null);
        match kids.as_array() {
            Some(kids) if !kids.is_empty() => {
                stack.extend(kids.iter().map(|k| (k.clone(), depth + 1)));
            }
            _ => {
                let is_sig = field_type(doc, &d).as_deref() == Some(b"Sig".as_slice());
                let has_normal = doc
                    .resolve_dict(d.get("AP"))
                    .ok()
                    .flatten()
                    .is_some_and(|ap| ap.get("N").is_some());
                if !is_sig && !has_normal {
                    return true;
                }
            }
        }
    }
    false
}

/// Whether `new` keeps every entry of `old` (dictionaries compared entry by entry, anything
/// else by value): resources may gain fonts, never redefine one.
fn only_gains(
    old_doc: &Document<'_>,
    old: Option<&Object>,
    new_doc: &Document<'_>,
    new: Option<&Object>,
    depth: usize,
) -> bool {
    match (old, new) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(o), Some(n)) if o == n => true,
        (Some(o), Some(n)) => {
            if depth > 4 {
                return false;
            }
            let (Ok(Object::Dict(o)), Ok(Object::Dict(n))) =
                (old_doc.resolve(o), new_doc.resolve(n))
            else {
                return false;
            };
            o.0.iter().all(|(k, v)| {
                let key = String::from_utf8_lossy(k);
                only_gains(old_doc, Some(v), new_doc, n.get(&key), depth + 1)
            })
        }
    }
}
