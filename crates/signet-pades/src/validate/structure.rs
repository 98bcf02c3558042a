//! Reading a signed PDF's structure: signature fields, the DSS, byte ranges, DER lengths.

use super::*;

/// Whether any field of the document holds a signature value.
pub fn has_signatures(doc: &Document<'_>) -> bool {
    signature_fields(doc).iter().any(|f| f.value.is_some())
}

/// The certificate the (first) SignerInfo names, from the CMS's own certificates.
pub fn signer_certificate(cms: &[u8]) -> Option<Cert> {
    let info = ContentInfo::from_der(cms).ok()?;
    let sd: SignedData = info.content.decode_as().ok()?;
    let si = sd.signer_infos.0.iter().next()?;
    ltv::cms_certificates(cms)
        .into_iter()
        .find(|c| identifies(&si.sid, c))
}

pub(super) fn identifies(sid: &SignerIdentifier, c: &Cert) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            &ias.issuer == c.issuer() && &ias.serial_number == c.serial()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => c.subject_key_id() == Some(ski.0.as_bytes()),
    }
}

/// A signature field found through the AcroForm.
#[derive(Debug, Clone)]
pub(crate) struct SigField {
    pub(crate) name: String,
    pub(crate) field: Option<ObjRef>,
    pub(crate) value: Option<ObjRef>,
}

pub(crate) fn signature_fields(doc: &Document<'_>) -> Vec<SigField> {
    let mut out = Vec::new();
    let Ok(catalog) = doc.catalog() else {
        return out;
    };
    let Ok(Some(form)) = doc.resolve_dict(catalog.get("AcroForm")) else {
        return out;
    };
    let Ok(fields) = doc.resolve(form.get("Fields").unwrap_or(&Object::Null)) else {
        return out;
    };
    let mut stack: Vec<(Object, String, Option<Vec<u8>>, usize)> = fields
        .as_array()
        .unwrap_or_default()
        .iter()
        .rev()
        .map(|f| (f.clone(), String::new(), None, 0))
        .collect();
    let mut seen = HashSet::new();
    while let Some((obj, prefix, ft, depth)) = stack.pop() {
        if depth > 32 || out.len() > 10_000 {
            break;
        }
        let r = obj.as_ref();
        if let Some(r) = r
            && !seen.insert(r)
        {
            continue;
        }
        let Ok(resolved) = doc.resolve(&obj) else {
            continue;
        };
        let Some(d) = resolved.as_dict() else {
            continue;
        };
        let t = d.get("T").and_then(Object::as_str).map(decode_text);
        let name = match (&t, prefix.is_empty()) {
            (Some(t), true) => t.clone(),
            (Some(t), false) => format!("{prefix}.{t}"),
            (None, _) => prefix.clone(),
        };
        let ft = d.name("FT").map(<[u8]>::to_vec).or(ft);
        if let Some(kids) = d.get("Kids") {
            let kids = doc.resolve(kids).unwrap_or(Object::Null);
            let with_t: Vec<_> = kids
                .as_array()
                .unwrap_or_default()
                .iter()
                .filter(|k| {
                    doc.resolve(k)
                        .ok()
                        .and_then(|o| o.as_dict().map(|d| d.get("T").is_some()))
                        .unwrap_or(false)
                })
                .cloned()
                .collect();
            if !with_t.is_empty() {
                for k in with_t.into_iter().rev() {
                    stack.push((k, name.clone(), ft.clone(), depth + 1));
                }
                continue;
            }
        }
        if ft.as_deref() == Some(b"Sig".as_slice()) {
            out.push(SigField {
                name,
                field: r,
                value: d.get("V").and_then(Object::as_ref),
            });
        }
    }
    out
}

/// The length of the DER TLV at the start of `bytes`, when it is complete.
pub fn der_length(bytes: &[u8]) -> Option<usize> {
    if bytes.len() < 2 || bytes[0] == 0 {
        return None;
    }
    let first = bytes[1];
    let (len, header) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 || bytes.len() < 2 + n {
            return None;
        }
        let mut l = 0usize;
        for b in &bytes[2..2 + n] {
            l = (l << 8) | *b as usize;
        }
        (l, 2 + n)
    };
    let total = header.checked_add(len)?;
    (total <= bytes.len()).then_some(total)
}

/// Hashes the two ranges.
pub fn digest_ranges(data: &[u8], ranges: &[(usize, usize); 2], hash: HashAlg) -> Vec<u8> {
    let _span = tracing::trace_span!("verify.digest").entered();
    let mut h = hash.hasher();
    for (s, e) in ranges {
        h.update(&data[*s..*e]);
    }
    h.finish()
}

/// The DER items of the DSS array `key` (`Certs`, `OCSPs`, `CRLs`).
pub fn dss_items(doc: &Document<'_>, key: &str) -> Vec<Vec<u8>> {
    let Ok(catalog) = doc.catalog() else {
        return Vec::new();
    };
    let Ok(Some(dss)) = doc.resolve_dict(catalog.get("DSS")) else {
        return Vec::new();
    };
    let Ok(arr) = doc.resolve(dss.get(key).unwrap_or(&Object::Null)) else {
        return Vec::new();
    };
    arr.as_array()
        .unwrap_or_default()
        .iter()
        .take(10_000)
        .filter_map(|o| doc.resolve(o).ok())
        .filter_map(|o| {
            o.as_stream()
                .and_then(|s| signet_pdf::decode_stream(s).ok())
        })
        .collect()
}

/// The DocMDP permission (`/P`, 2 when absent) of a signature dictionary whose `/Reference`
/// holds a DocMDP transform: a certification signature. The one reader of it, for the report
/// and for the modification analysis.
pub(crate) fn docmdp_of(doc: &Document<'_>, sig: &Dict) -> Option<i64> {
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
