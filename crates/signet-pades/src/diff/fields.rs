//! Fields and forms in the modification analysis: form filling, FieldMDP locks, the form
//! dictionary.

use std::collections::HashMap;

use signet_pdf::{Dict, Document, ObjRef, Object, decode_text};

use super::{Rev, changed_keys, get_num, referrers};
use crate::validate::Modification;

const FILL_KEYS: &[&str] = &["V", "AP", "AS", "MK", "F", "DA", "Lock", "SV"];
/// Annotation flags that hide a widget: Invisible, Hidden, NoView.
const HIDING_FLAGS: i64 = 1 | 2 | 32;
const FORM_KEYS: &[&str] = &["Fields", "SigFlags", "DR", "DA", "NeedAppearances"];
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
    // Annotation flags may change, but never to hide or stop printing what the signed revision
    // showed: a widget over the text would uncover what it covered.
    let hides = {
        let flags = |d: &Dict| d.int("F").unwrap_or(0);
        (flags(nd) & !flags(od)) & HIDING_FLAGS != 0
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

/// The keys of a form dictionary changed in a way no rule allows: anything but the listed keys,
/// and a direct `/Fields` that loses entries (signature stripping).
pub(super) fn form_changes(old: &Dict, new: &Dict) -> Vec<String> {
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
            } else if k == "NeedAppearances" {
                // Asking viewers to redraw every field after signing: what they redraw is
                // not what was signed.
                matches!(new.get(k), Some(Object::Bool(true)))
            } else {
                !FORM_KEYS.contains(&k.as_str())
            }
        })
        .collect()
}
