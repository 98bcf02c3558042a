//! B-LT and B-LTA: the document security store (`/DSS`, ISO 32000-2 section 12.8.4.3, EN 319
//! 142-1 section 5.4) and document time-stamps (`/SubFilter /ETSI.RFC3161`), each in a revision
//! of its own after the signature.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::{Decode as _, Encode as _};
use signet_core::{Clock, Fetch};
use signet_pdf::{Dict, Document, Object, Update};
use signet_pki::Cert;
use signet_pki::crypto::HashAlg;
use signet_pki::ocsp::{self, OcspPolicy};

use crate::PadesError;
use crate::{crl, sign};

/// Validation material for one signature (or time-stamp).
#[derive(Debug, Clone, Default)]
pub struct ValidationData {
    /// Certificates, DER.
    pub certs: Vec<Vec<u8>>,
    /// OCSP responses (whole OCSPResponse), DER.
    pub ocsps: Vec<Vec<u8>>,
    /// CRLs, DER.
    pub crls: Vec<Vec<u8>>,
}

impl ValidationData {
    fn push_unique(list: &mut Vec<Vec<u8>>, item: Vec<u8>) {
        if !list.contains(&item) {
            list.push(item);
        }
    }

    /// Adds `other`'s items that are not here yet.
    pub fn merge(&mut self, other: &Self) {
        for c in &other.certs {
            Self::push_unique(&mut self.certs, c.clone());
        }
        for o in &other.ocsps {
            Self::push_unique(&mut self.ocsps, o.clone());
        }
        for c in &other.crls {
            Self::push_unique(&mut self.crls, c.clone());
        }
    }
}

/// The certificates a CMS SignedData carries (original DER, never re-encoded).
pub fn cms_certificates(cms: &[u8]) -> Vec<Cert> {
    let Ok(info) = ContentInfo::from_der(cms) else {
        return Vec::new();
    };
    let Ok(sd) = info.content.decode_as::<SignedData>() else {
        return Vec::new();
    };
    sd.certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(c) => c.to_der().ok(),
            CertificateChoices::Other(_) => None,
        })
        .filter_map(|der| Cert::from_der(&der).ok())
        .collect()
}

/// The CRLs a CMS SignedData carries in its revocationInfoChoices (DER).
pub fn cms_crls(cms: &[u8]) -> Vec<Vec<u8>> {
    let Ok(info) = ContentInfo::from_der(cms) else {
        return Vec::new();
    };
    let Ok(sd) = info.content.decode_as::<SignedData>() else {
        return Vec::new();
    };
    sd.crls
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            cms::revocation::RevocationInfoChoice::Crl(c) => c.to_der().ok(),
            cms::revocation::RevocationInfoChoice::Other(_) => None,
        })
        .collect()
}

/// The signature time-stamp tokens in the first SignerInfo's unsigned attributes.
pub fn signature_timestamps(cms: &[u8]) -> Vec<Vec<u8>> {
    let Ok(info) = ContentInfo::from_der(cms) else {
        return Vec::new();
    };
    let Ok(sd) = info.content.decode_as::<SignedData>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for si in sd.signer_infos.0.iter() {
        for attr in si.unsigned_attrs.iter().flat_map(|a| a.iter()) {
            if attr.oid == sign::ATTR_SIGNATURE_TIMESTAMP {
                for v in attr.values.iter() {
                    if let Ok(der) = v.to_der() {
                        out.push(der);
                    }
                }
            }
        }
    }
    out
}

/// The issuer of `cert` among `pool`: subject equals issuer and the signature verifies.
pub fn find_issuer<'p>(cert: &Cert, pool: &'p [Cert]) -> Option<&'p Cert> {
    pool.iter()
        .find(|c| c.subject() == cert.issuer() && cert.verify_signed_by(c).is_ok() && *c != cert)
}

/// Collects the certificates up to a self-signed one and revocation data for every non-root
/// certificate of `targets`' chains: a fresh OCSP response when it names a responder, else the
/// CRL from its cRLDistributionPoints (checked by [`crl::check`]). A certificate with neither is
/// left without revocation data (a responder's ocsp-nocheck certificate needs none).
pub fn collect(
    fetch: &dyn Fetch,
    clock: &dyn Clock,
    targets: &[Cert],
    pool: &[Cert],
    policy: &OcspPolicy,
) -> Result<ValidationData, PadesError> {
    let mut data = ValidationData::default();
    let mut all: Vec<Cert> = pool.to_vec();
    all.extend(targets.iter().cloned());
    for target in targets {
        let mut cur = target.clone();
        for _ in 0..8 {
            ValidationData::push_unique(&mut data.certs, cur.der().to_vec());
            if cur.is_self_issued() {
                break;
            }
            let Some(issuer) = find_issuer(&cur, &all).cloned() else {
                break;
            };
            if !cur.ocsp_urls().is_empty() && !cur.ocsp_nocheck() {
                let answer = ocsp::check_certificate(fetch, clock, &cur, &issuer, None, policy)
                    .map_err(|e| PadesError::Revocation(e.to_string()))?;
                ValidationData::push_unique(&mut data.ocsps, answer.der);
            } else if !cur.ocsp_nocheck()
                // A CRL already collected from the same issuer covers this certificate too.
                && !data
                    .crls
                    .iter()
                    .any(|c| crl::check(c, &cur, &issuer, clock.now()).is_ok())
                && let Some(der) = crl::fetch_for(fetch, &cur, &issuer, clock.now())?
            {
                ValidationData::push_unique(&mut data.crls, der);
            }
            cur = issuer;
        }
    }
    Ok(data)
}

/// The uppercase hex SHA-1 of a signature's `/Contents` bytes: its `/VRI` key.
pub fn vri_key(contents: &[u8]) -> String {
    use sha1::Digest as _;
    sha1::Sha1::digest(contents)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn stream_of(up: &mut Update<'_, '_>, der: &[u8]) -> Object {
    Object::Ref(up.add(Object::Stream(signet_pdf::Stream {
        dict: Dict::new(),
        raw: der.to_vec(),
    })))
}

/// Appends a revision with the catalog's `/DSS` holding `data` (merged into an existing DSS)
/// and one `/VRI` entry per `(contents, data)` pair. Returns the whole new file.
pub fn add_dss(
    pdf: &[u8],
    all: &ValidationData,
    per_signature: &[(Vec<u8>, ValidationData)],
) -> Result<Vec<u8>, PadesError> {
    let doc = Document::open(pdf)?;
    let root = doc.root_ref()?;
    let mut catalog = doc.catalog()?;
    let mut up = Update::new(&doc);
    let mut dss = doc.resolve_dict(catalog.get("DSS"))?.unwrap_or_default();
    dss.set("Type", Object::name("DSS"));
    let existing = |key: &str| -> Result<Vec<Object>, PadesError> {
        Ok(doc
            .resolve(dss.get(key).unwrap_or(&Object::Null))?
            .as_array()
            .unwrap_or_default()
            .to_vec())
    };
    let (mut certs, mut ocsps, mut crls) =
        (existing("Certs")?, existing("OCSPs")?, existing("CRLs")?);
    let mut refs: std::collections::HashMap<Vec<u8>, Object> = std::collections::HashMap::new();
    let mut put = |up: &mut Update<'_, '_>, list: &mut Vec<Object>, der: &Vec<u8>| -> Object {
        if let Some(r) = refs.get(der) {
            return r.clone();
        }
        let r = stream_of(up, der);
        list.push(r.clone());
        refs.insert(der.clone(), r.clone());
        r
    };
    for c in &all.certs {
        put(&mut up, &mut certs, c);
    }
    for o in &all.ocsps {
        put(&mut up, &mut ocsps, o);
    }
    for c in &all.crls {
        put(&mut up, &mut crls, c);
    }
    let mut vri = doc.resolve_dict(dss.get("VRI"))?.unwrap_or_default();
    for (contents, vd) in per_signature {
        let mut entry = Dict::new();
        let c: Vec<Object> = vd
            .certs
            .iter()
            .map(|d| put(&mut up, &mut certs, d))
            .collect();
        let o: Vec<Object> = vd
            .ocsps
            .iter()
            .map(|d| put(&mut up, &mut ocsps, d))
            .collect();
        let l: Vec<Object> = vd.crls.iter().map(|d| put(&mut up, &mut crls, d)).collect();
        if !c.is_empty() {
            entry.set("Cert", Object::Array(c));
        }
        if !o.is_empty() {
            entry.set("OCSP", Object::Array(o));
        }
        if !l.is_empty() {
            entry.set("CRL", Object::Array(l));
        }
        vri.set(&vri_key(contents), Object::Dict(entry));
    }
    dss.set("Certs", Object::Array(certs));
    dss.set("OCSPs", Object::Array(ocsps));
    if !crls.is_empty() {
        dss.set("CRLs", Object::Array(crls));
    }
    if !vri.0.is_empty() {
        dss.set("VRI", Object::Dict(vri));
    }
    let dss_ref = up.add(Object::Dict(dss));
    catalog.set("DSS", Object::Ref(dss_ref));
    up.put(root, Object::Dict(catalog));
    let appended = up.finish()?;
    let mut out = Vec::with_capacity(pdf.len() + appended.bytes.len());
    out.extend_from_slice(pdf);
    out.extend_from_slice(&appended.bytes);
    Ok(out)
}

/// Appends a document time-stamp revision (`/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161`)
/// over the whole file; `timestamper` gets the SHA-256 digest of the ByteRange. Returns the whole
/// new file.
pub fn add_document_timestamp(
    pdf: &[u8],
    timestamper: &mut crate::Timestamper<'_>,
    reserve: usize,
) -> Result<Vec<u8>, PadesError> {
    let doc = Document::open(pdf)?;
    let root = doc.root_ref()?;
    let mut catalog = doc.catalog()?;
    let mut up = Update::new(&doc);
    let mut sig = Dict::new();
    sig.set("Type", Object::name("DocTimeStamp"));
    sig.set("Filter", Object::name("Adobe.PPKLite"));
    sig.set("SubFilter", Object::name("ETSI.RFC3161"));
    sign::placeholder_entries(&mut sig, reserve);
    let sig_ref = up.add(Object::Dict(sig));
    let page = doc.page(0)?;
    let name = sign::unique_field_name(&doc, &catalog, "DocTimeStamp")?;
    let mut field = Dict::new();
    field.set("FT", Object::name("Sig"));
    field.set("T", Object::text(&name));
    field.set("V", Object::Ref(sig_ref));
    field.set("Type", Object::name("Annot"));
    field.set("Subtype", Object::name("Widget"));
    field.set("F", Object::Int(132));
    field.set("P", Object::Ref(page));
    field.set(
        "Rect",
        Object::Array(vec![
            Object::Int(0),
            Object::Int(0),
            Object::Int(0),
            Object::Int(0),
        ]),
    );
    let field_ref = up.add(Object::Dict(field));
    sign::attach_field(&mut up, &mut catalog, field_ref, page)?;
    up.put(root, Object::Dict(catalog));
    let prepared = sign::finish_placeholder(pdf, up, reserve)?;
    let digest = prepared.document_digest(HashAlg::Sha256);
    let token = timestamper(HashAlg::Sha256, &digest)?;
    Ok(prepared.embed(&token)?.to_vec())
}

/// Every certificate worth covering for `cms` (a signature): its own and its time-stamps'.
pub fn certificates_to_cover(cms: &[u8]) -> Vec<Cert> {
    let mut out = cms_certificates(cms);
    for ts in signature_timestamps(cms) {
        out.extend(cms_certificates(&ts));
    }
    out
}

/// The signer certificate of a CMS: the first certificate the SignerInfo names by
/// issuer/serial, else the first certificate.
pub fn signer_of(cms: &[u8]) -> Option<Cert> {
    crate::validate::signer_certificate(cms)
}
