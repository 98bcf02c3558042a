//! Pre-sign detection of overlays (shadow-attack preparation, as far as it can be detected):
//! annotations and form fields whose own appearance paints over the page, annotations that
//! are hidden now but carry an appearance a later revision could show, and optional content
//! (layers) switched off. Each is a sentence for the person before signing.

use signet_pdf::{Dict, Document, Object};

/// Annotation flags (ISO 32000-2 table 167): Hidden, NoView.
const HIDDEN: i64 = 1 << 1;
const NO_VIEW: i64 = 1 << 5;

/// Painting operators that cover the page: fills, images and XObjects, shadings.
const PAINTS: [&[u8]; 9] = [b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*", b"Do", b"sh"];

fn number(o: &Object) -> Option<f64> {
    match o {
        Object::Int(i) => Some(*i as f64),
        Object::Real(r) => std::str::from_utf8(r).ok()?.trim().parse().ok(),
        _ => None,
    }
}

fn rect(doc: &Document<'_>, o: Option<&Object>) -> Option<[f64; 4]> {
    let o = doc.resolve(o?).ok()?;
    let a = o.as_array()?;
    if a.len() != 4 {
        return None;
    }
    let v: Vec<f64> = a.iter().filter_map(number).collect();
    let [x1, y1, x2, y2] = v.as_slice() else {
        return None;
    };
    Some([x1.min(*x2), y1.min(*y2), x1.max(*x2), y1.max(*y2)])
}

/// The normal appearance streams of an annotation (one, or one per state).
fn appearances(doc: &Document<'_>, annot: &Dict) -> Vec<signet_pdf::Stream> {
    let Ok(Some(ap)) = doc.resolve_dict(annot.get("AP")) else {
        return Vec::new();
    };
    let Some(n) = ap.get("N") else {
        return Vec::new();
    };
    match doc.resolve(n) {
        Ok(Object::Stream(s)) => vec![s],
        Ok(Object::Dict(states)) => states
            .0
            .iter()
            .filter_map(|(_, v)| match doc.resolve(v) {
                Ok(Object::Stream(s)) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn paints(stream: &signet_pdf::Stream) -> bool {
    let Ok(content) = signet_pdf::decode_stream(stream) else {
        return false;
    };
    content
        .split(|b| b.is_ascii_whitespace() || matches!(b, b'[' | b']' | b'(' | b')' | b'/'))
        .any(|token| PAINTS.contains(&token))
}

fn is_signature_field(doc: &Document<'_>, annot: &Dict) -> bool {
    let mut cur = annot.clone();
    for _ in 0..16 {
        if cur.is_name("FT", "Sig") {
            return true;
        }
        match doc.resolve_dict(cur.get("Parent")) {
            Ok(Some(p)) => cur = p,
            _ => return false,
        }
    }
    false
}

fn subtype(annot: &Dict) -> String {
    annot
        .get("Subtype")
        .and_then(Object::as_name)
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .unwrap_or_else(|| "unknown".into())
}

/// Overlay warnings for `doc` (empty when none was detected).
pub fn warnings(doc: &Document<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(pages) = doc.pages() else {
        return out;
    };
    for (index, page_ref) in pages.iter().enumerate().take(10_000) {
        let Ok(page) = doc.get(*page_ref) else {
            continue;
        };
        let Some(page) = page.as_dict() else { continue };
        let media = rect(doc, page.get("MediaBox"));
        let Ok(annots) = doc.resolve(page.get("Annots").unwrap_or(&Object::Null)) else {
            continue;
        };
        for a in annots.as_array().unwrap_or_default().iter().take(10_000) {
            let Ok(Some(annot)) = doc.resolve_dict(Some(a)) else {
                continue;
            };
            let kind = subtype(&annot);
            if matches!(kind.as_str(), "Link" | "Popup") || is_signature_field(doc, &annot) {
                continue;
            }
            let streams = appearances(doc, &annot);
            if streams.is_empty() {
                continue;
            }
            let flags = annot.get("F").and_then(Object::as_int).unwrap_or(0);
            let page_no = index + 1;
            if flags & (HIDDEN | NO_VIEW) != 0 {
                out.push(format!(
                    "a hidden {kind} annotation on page {page_no} has an appearance of its own: a later revision could make it visible and change what the page shows"
                ));
                continue;
            }
            let Some([x1, y1, x2, y2]) = rect(doc, annot.get("Rect")) else {
                continue;
            };
            let on_page = media
                .is_none_or(|[mx1, my1, mx2, my2]| x1 < mx2 && x2 > mx1 && y1 < my2 && y2 > my1);
            if on_page && x2 > x1 && y2 > y1 && streams.iter().any(paints) {
                out.push(format!(
                    "a {kind} annotation on page {page_no} paints over the page at [{x1:.0} {y1:.0} {x2:.0} {y2:.0}]: what it covers is not what you see, and a later revision may change or remove it"
                ));
            }
        }
    }
    for (index, page_ref) in pages.iter().enumerate().take(10_000) {
        let unused = unused_xobjects(doc, *page_ref);
        if !unused.is_empty() {
            out.push(format!(
                "page {} has {} drawing object(s) in its resources that its content never draws (for example /{}): a later revision could draw them",
                index + 1,
                unused.len(),
                unused[0]
            ));
        }
    }
    if let Ok(catalog) = doc.catalog()
        && let Ok(Some(oc)) = doc.resolve_dict(catalog.get("OCProperties"))
        && let Ok(Some(d)) = doc.resolve_dict(oc.get("D"))
        && let Ok(off) = doc.resolve(d.get("OFF").unwrap_or(&Object::Null))
        && let Some(off) = off.as_array()
        && !off.is_empty()
    {
        out.push(format!(
            "{} optional content group(s) (layers) are switched off: their content is hidden now and a later revision could show it",
            off.len()
        ));
    }
    out
}

/// The names of the page's own /Resources /XObject entries that its content streams never
/// name (`/Name Do`).
fn unused_xobjects(doc: &Document<'_>, page_ref: signet_pdf::ObjRef) -> Vec<String> {
    let Ok(page) = doc.get(page_ref) else {
        return Vec::new();
    };
    let Some(page) = page.as_dict() else {
        return Vec::new();
    };
    let Ok(Some(resources)) = doc.resolve_dict(page.get("Resources")) else {
        return Vec::new();
    };
    let Ok(Some(xobjects)) = doc.resolve_dict(resources.get("XObject")) else {
        return Vec::new();
    };
    let mut content = Vec::new();
    let streams = match page.get("Contents").map(|c| doc.resolve(c)) {
        Some(Ok(Object::Stream(s))) => vec![s],
        Some(Ok(Object::Array(a))) => a
            .iter()
            .filter_map(|o| match doc.resolve(o) {
                Ok(Object::Stream(s)) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    for s in streams {
        match signet_pdf::decode_stream(&s) {
            Ok(bytes) => {
                content.extend_from_slice(&bytes);
                content.push(b'\n');
            }
            // Content that cannot be read: nothing can be said.
            Err(_) => return Vec::new(),
        }
    }
    let used: std::collections::HashSet<&[u8]> = content
        .split(|b| b.is_ascii_whitespace() || matches!(b, b'[' | b']' | b'(' | b')' | b'<' | b'>'))
        .filter_map(|t| t.strip_prefix(b"/"))
        .collect();
    xobjects
        .0
        .iter()
        .map(|(name, _)| name)
        .filter(|name| !used.contains(name.as_slice()))
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect()
}
