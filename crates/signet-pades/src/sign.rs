//! Signing as typed stages (EN 319 142-1, pades.md section 2):
//!
//! 1. [`prepare`]: a new revision with the signature field, its widget and the signature
//!    dictionary (`/SubFilter /ETSI.CAdES.detached`, `/M`, a fixed-width `/ByteRange` slot and
//!    a `/Contents` placeholder sized from the certificates), offsets known exactly;
//! 2. [`Prepared::signed_attributes`]: the document digest over the two ByteRange segments and
//!    the CMS signed attributes (content-type, message-digest, signing-certificate-v2, no
//!    signing-time): [`ToSign::digest_to_sign`] is what a token signs;
//! 3. [`ToSign::finish`]: the SignedData with the token's signature and, for B-T, a signature
//!    time-stamp; then embedded into the placeholder: a [`Signed`] file.
//!
//! B-LT and B-LTA are further revisions: [`crate::ltv::add_dss`] and
//! [`crate::ltv::add_document_timestamp`].

use std::time::SystemTime;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerInfos};
use der::asn1::SetOfVec;
use der::{Any, Decode as _, Encode as _};
use signet_pdf::{Appended, Dict, Document, ObjRef, Object, Update};
use signet_pki::Cert;
use signet_pki::cades::{self, SignatureAlgorithm};
use signet_pki::crypto::HashAlg;
use x509_cert::attr::Attribute;

use crate::PadesError;
use crate::appearance::{self, Visible};

/// id-aa-signatureTimeStampToken (RFC 3161 appendix A).
pub const ATTR_SIGNATURE_TIMESTAMP: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.14");

/// Width of the `/ByteRange` slot: room for four 10-digit numbers.
const BYTE_RANGE_SLOT: usize = 48;
const RAW_BYTE_RANGE: u32 = 1;
const RAW_CONTENTS: u32 = 2;

/// A certification signature's DocMDP permission (ISO 32000-2 section 12.8.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocMdp {
    /// P=1: no changes.
    NoChanges,
    /// P=2: form filling and signing.
    FormFilling,
    /// P=3: form filling, signing and annotations.
    Annotations,
}

impl DocMdp {
    /// The `/P` value.
    pub const fn p(self) -> i64 {
        match self {
            Self::NoChanges => 1,
            Self::FormFilling => 2,
            Self::Annotations => 3,
        }
    }
}

/// What the signature dictionary says and where the signature goes.
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// The claimed signing time, written as `/M`.
    pub signing_time: Option<SystemTime>,
    /// `/Reason`.
    pub reason: Option<String>,
    /// `/Location`.
    pub location: Option<String>,
    /// `/ContactInfo`.
    pub contact: Option<String>,
    /// `/Name` (the signer's name, informative).
    pub name: Option<String>,
    /// The field name; `Signature<N>` when absent.
    pub field_name: Option<String>,
    /// A visible signature.
    pub visible: Option<Visible>,
    /// A certification signature with this DocMDP permission.
    pub certify: Option<DocMdp>,
    /// Extra bytes to reserve beyond the estimate (the time-stamp, when B-T or higher).
    pub reserve_timestamp: bool,
    /// Lock these form fields (by full name) with the signature: a FieldMDP transform and
    /// the field's `/Lock` (ISO 32000-2 12.8.2.4, 12.7.5.5).
    pub lock_fields: Vec<String>,
}

/// The signer: its certificate and chain.
#[derive(Debug, Clone)]
pub struct SignerCerts {
    /// The signing certificate.
    pub signer: Cert,
    /// Intermediates (embedded in the CMS).
    pub chain: Vec<Cert>,
}

impl SignerCerts {
    /// The hash Signet uses for the document and the signed attributes: SHA-256 for every key.
    /// It is hardware-accelerated on current CPUs (SHA-NI, ARMv8), which makes hashing large
    /// PDFs several times faster than SHA-384, and every validator accepts it; the ID card
    /// signs a 32-byte digest with its P-384 key as readily as a 48-byte one.
    pub fn hash(&self) -> HashAlg {
        HashAlg::Sha256
    }

    fn is_ec(&self) -> bool {
        self.signer.spki().algorithm.oid == signet_pki::crypto::oid::EC_PUBLIC_KEY
    }

    /// The CMS signature algorithm.
    pub fn algorithm(&self) -> SignatureAlgorithm {
        if self.is_ec() {
            SignatureAlgorithm::Ecdsa(self.hash())
        } else {
            SignatureAlgorithm::RsaPkcs1(self.hash())
        }
    }

    /// A token's raw signature in the form CMS carries: ECDSA r‖s becomes DER; RSA stays.
    pub fn cms_signature(&self, raw: &[u8]) -> Result<Vec<u8>, PadesError> {
        if self.is_ec() {
            // DER already (a software signer) or raw r‖s (a card).
            if raw.first() == Some(&0x30) && !matches!(raw.len(), 64 | 96 | 132) {
                return Ok(raw.to_vec());
            }
            Ok(cades::ecdsa_raw_to_der(raw)?)
        } else {
            Ok(raw.to_vec())
        }
    }
}

/// Stage 1 done: the new revision is written with a placeholder.
#[derive(Debug)]
pub struct Prepared<'a> {
    original: &'a [u8],
    appended: Appended,
    /// Offsets of `<` and just after `>` of `/Contents`.
    contents: (usize, usize),
    reserved: usize,
}

/// The PDF date string `D:YYYYMMDDHHmmSS+00'00'`, from the same calendar conversion as every
/// other date Signet writes (der's, as in [`signet_pki::time::Utc`]); an instant before 1970 is
/// written as 1970's first second, one after 9999 as its last.
pub fn pdf_date(at: SystemTime) -> String {
    let t = der::DateTime::from_system_time(at.max(SystemTime::UNIX_EPOCH))
        .unwrap_or(der::DateTime::INFINITY);
    format!(
        "D:{:04}{:02}{:02}{:02}{:02}{:02}+00'00'",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minutes(),
        t.seconds()
    )
}

/// How many bytes of DER the CMS may take: the certificates, the signed attributes and the
/// signature, plus room for a time-stamp token when asked (a dry run of the sizes).
pub fn estimate_cms_size(certs: &SignerCerts, timestamp: bool) -> usize {
    let certs_len: usize = std::iter::once(&certs.signer)
        .chain(certs.chain.iter())
        .map(|c| c.der().len())
        .sum();
    let base = certs_len + 2048;
    if timestamp { base + 8192 } else { base }
}

/// Names already used by fields, so the new one is unique.
fn field_names(doc: &Document<'_>, acroform: Option<&Dict>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    if let Some(form) = acroform
        && let Ok(fields) = doc.resolve(form.get("Fields").unwrap_or(&Object::Null))
    {
        for f in fields.as_array().unwrap_or_default().iter().take(10_000) {
            if let Ok(fd) = doc.resolve(f)
                && let Some(t) = fd
                    .as_dict()
                    .and_then(|d| d.get("T"))
                    .and_then(Object::as_str)
            {
                out.push(t.to_vec());
            }
        }
    }
    out
}

/// Adds a field with widget `widget` to the form and page: updates the AcroForm (direct in
/// the catalog or indirect) and the page's `/Annots`. Returns the catalog to write (updated).
pub(crate) fn attach_field(
    up: &mut Update<'_, '_>,
    catalog: &mut Dict,
    field: ObjRef,
    page: ObjRef,
) -> Result<(), PadesError> {
    let doc = up.doc();
    // The AcroForm.
    match catalog.get("AcroForm").cloned() {
        Some(Object::Ref(r)) => {
            let mut form = up.current(r)?.as_dict().cloned().ok_or(PadesError::Pdf(
                signet_pdf::PdfError::Structure("/AcroForm is not a dictionary".into()),
            ))?;
            add_to_fields(up, &mut form, field)?;
            form.set("SigFlags", Object::Int(3));
            up.put(r, Object::Dict(form));
        }
        Some(Object::Dict(mut form)) => {
            add_to_fields(up, &mut form, field)?;
            form.set("SigFlags", Object::Int(3));
            catalog.set("AcroForm", Object::Dict(form));
        }
        _ => {
            let mut form = Dict::new();
            form.set("Fields", Object::Array(vec![Object::Ref(field)]));
            form.set("SigFlags", Object::Int(3));
            let r = up.add(Object::Dict(form));
            catalog.set("AcroForm", Object::Ref(r));
        }
    }
    // The page's /Annots.
    let mut page_dict = up.current(page)?.as_dict().cloned().ok_or(PadesError::Pdf(
        signet_pdf::PdfError::Structure("the page is not a dictionary".into()),
    ))?;
    match page_dict.get("Annots").cloned() {
        Some(Object::Ref(r)) => {
            let mut arr = doc
                .resolve(&Object::Ref(r))?
                .as_array()
                .unwrap_or_default()
                .to_vec();
            arr.push(Object::Ref(field));
            up.put(r, Object::Array(arr));
        }
        Some(Object::Array(mut arr)) => {
            arr.push(Object::Ref(field));
            page_dict.set("Annots", Object::Array(arr));
            up.put(page, Object::Dict(page_dict));
        }
        _ => {
            page_dict.set("Annots", Object::Array(vec![Object::Ref(field)]));
            up.put(page, Object::Dict(page_dict));
        }
    }
    Ok(())
}

fn add_to_fields(
    up: &mut Update<'_, '_>,
    form: &mut Dict,
    field: ObjRef,
) -> Result<(), PadesError> {
    match form.get("Fields").cloned() {
        Some(Object::Ref(r)) => {
            let mut arr = up.current(r)?.as_array().unwrap_or_default().to_vec();
            arr.push(Object::Ref(field));
            up.put(r, Object::Array(arr));
        }
        Some(Object::Array(mut arr)) => {
            arr.push(Object::Ref(field));
            form.set("Fields", Object::Array(arr));
        }
        _ => form.set("Fields", Object::Array(vec![Object::Ref(field)])),
    }
    Ok(())
}

pub(crate) fn unique_field_name(
    doc: &Document<'_>,
    catalog: &Dict,
    base: &str,
) -> Result<String, PadesError> {
    let form = doc.resolve_dict(catalog.get("AcroForm"))?;
    let used = field_names(doc, form.as_ref());
    let mut n = 1;
    loop {
        let name = format!("{base}{n}");
        if !used.iter().any(|u| u == name.as_bytes()) {
            return Ok(name);
        }
        n += 1;
    }
}

/// The signature dictionary's fixed part, with raw placeholders for `/ByteRange` and
/// `/Contents` (last, so nothing after it depends on its length).
pub(crate) fn placeholder_entries(dict: &mut Dict, reserved: usize) {
    let slot = format!("[0 0 0 0]{}", " ".repeat(BYTE_RANGE_SLOT - 9));
    dict.set("ByteRange", Object::Raw(RAW_BYTE_RANGE, slot.into_bytes()));
    let mut contents = Vec::with_capacity(reserved * 2 + 2);
    contents.push(b'<');
    contents.resize(reserved * 2 + 1, b'0');
    contents.push(b'>');
    dict.set("Contents", Object::Raw(RAW_CONTENTS, contents));
}

/// Writes the new revision (`up`) and fills in the ByteRange: the placeholder state.
pub(crate) fn finish_placeholder<'a>(
    original: &'a [u8],
    up: Update<'_, 'a>,
    reserved: usize,
) -> Result<Prepared<'a>, PadesError> {
    let mut appended = up.finish()?;
    let (lt, gt) = appended.raw(RAW_CONTENTS).ok_or(PadesError::Internal(
        "the /Contents placeholder was not written",
    ))?;
    let (br_start, _) = appended
        .raw(RAW_BYTE_RANGE)
        .ok_or(PadesError::Internal("the /ByteRange slot was not written"))?;
    let total = appended.total_len();
    let value = format!("[0 {lt} {gt} {}]", total - gt);
    if value.len() > BYTE_RANGE_SLOT {
        return Err(PadesError::TooLarge);
    }
    let padded = format!("{value:<BYTE_RANGE_SLOT$}");
    appended.patch(br_start, padded.as_bytes())?;
    Ok(Prepared {
        original,
        appended,
        contents: (lt, gt),
        reserved,
    })
}

/// Stage 1: a signature revision with a placeholder, over the PDF `original`.
pub fn prepare<'a>(
    original: &'a [u8],
    certs: &SignerCerts,
    options: &SignOptions,
    now: SystemTime,
) -> Result<Prepared<'a>, PadesError> {
    let doc = Document::open(original)?;
    let root = doc.root_ref()?;
    let mut catalog = doc.catalog()?;
    if options.certify.is_some() {
        let perms = doc.resolve_dict(catalog.get("Perms"))?;
        if perms.is_some_and(|p| p.get("DocMDP").is_some()) {
            return Err(PadesError::Refused(
                "the document is already certified: a certification signature must be the first signature".into(),
            ));
        }
        if crate::validate::has_signatures(&doc) {
            return Err(PadesError::Refused(
                "the document is already signed: a certification signature must be the first signature".into(),
            ));
        }
    }
    let reserved = estimate_cms_size(certs, options.reserve_timestamp);
    let mut up = Update::new(&doc);
    let mut sig = Dict::new();
    sig.set("Type", Object::name("Sig"));
    sig.set("Filter", Object::name("Adobe.PPKLite"));
    sig.set("SubFilter", Object::name("ETSI.CAdES.detached"));
    sig.set(
        "M",
        Object::string(pdf_date(options.signing_time.unwrap_or(now))),
    );
    if let Some(name) = &options.name {
        sig.set("Name", Object::text(name));
    }
    if let Some(r) = &options.reason {
        sig.set("Reason", Object::text(r));
    }
    if let Some(l) = &options.location {
        sig.set("Location", Object::text(l));
    }
    if let Some(c) = &options.contact {
        sig.set("ContactInfo", Object::text(c));
    }
    let sig_ref = up.alloc();
    if let Some(mdp) = options.certify {
        let mut params = Dict::new();
        params.set("Type", Object::name("TransformParams"));
        params.set("P", Object::Int(mdp.p()));
        params.set("V", Object::name("1.2"));
        let mut reference = Dict::new();
        reference.set("Type", Object::name("SigRef"));
        reference.set("TransformMethod", Object::name("DocMDP"));
        reference.set("TransformParams", Object::Dict(params));
        sig.set("Reference", Object::Array(vec![Object::Dict(reference)]));
        let mut perms = Dict::new();
        perms.set("DocMDP", Object::Ref(sig_ref));
        catalog.set("Perms", Object::Dict(perms));
    }
    let lock = (!options.lock_fields.is_empty()).then(|| {
        let mut params = Dict::new();
        params.set("Type", Object::name("TransformParams"));
        params.set("Action", Object::name("Include"));
        params.set(
            "Fields",
            Object::Array(
                options
                    .lock_fields
                    .iter()
                    .map(|f| Object::text(f))
                    .collect(),
            ),
        );
        params.set("V", Object::name("1.2"));
        params
    });
    if let Some(params) = &lock {
        let mut reference = Dict::new();
        reference.set("Type", Object::name("SigRef"));
        reference.set("TransformMethod", Object::name("FieldMDP"));
        reference.set("TransformParams", Object::Dict(params.clone()));
        let mut refs = match sig.get("Reference") {
            Some(Object::Array(a)) => a.clone(),
            _ => Vec::new(),
        };
        refs.push(Object::Dict(reference));
        sig.set("Reference", Object::Array(refs));
    }
    placeholder_entries(&mut sig, reserved);
    up.put(sig_ref, Object::Dict(sig));

    let page_index = options
        .visible
        .as_ref()
        .map_or(0, |v| v.page.saturating_sub(1));
    let page = doc.page(page_index)?;
    let field_ref = up.alloc();
    let name = match &options.field_name {
        Some(n) => n.clone(),
        None => unique_field_name(&doc, &catalog, "Signature")?,
    };
    let mut field = Dict::new();
    field.set("FT", Object::name("Sig"));
    field.set("T", Object::text(&name));
    field.set("V", Object::Ref(sig_ref));
    field.set("Type", Object::name("Annot"));
    field.set("Subtype", Object::name("Widget"));
    field.set("F", Object::Int(132));
    field.set("P", Object::Ref(page));
    if let Some(params) = lock {
        let mut l = Dict::new();
        l.set("Type", Object::name("SigFieldLock"));
        l.set("Action", Object::name("Include"));
        if let Some(f) = params.get("Fields") {
            l.set("Fields", f.clone());
        }
        field.set("Lock", Object::Dict(l));
    }
    match &options.visible {
        Some(v) => {
            let ap = appearance::build(&mut up, v)?;
            field.set("Rect", Object::Array(v.rect_objects()));
            let mut apd = Dict::new();
            apd.set("N", Object::Ref(ap));
            field.set("AP", Object::Dict(apd));
        }
        None => {
            field.set(
                "Rect",
                Object::Array(vec![
                    Object::Int(0),
                    Object::Int(0),
                    Object::Int(0),
                    Object::Int(0),
                ]),
            );
        }
    }
    up.put(field_ref, Object::Dict(field));
    attach_field(&mut up, &mut catalog, field_ref, page)?;
    up.put(root, Object::Dict(catalog));
    finish_placeholder(original, up, reserved)
}

impl<'a> Prepared<'a> {
    /// The ByteRange `[0, a, b, c]`.
    pub fn byte_range(&self) -> [usize; 4] {
        let (lt, gt) = self.contents;
        [0, lt, gt, self.appended.total_len() - gt]
    }

    /// The bytes reserved for the DER CMS.
    pub fn reserved(&self) -> usize {
        self.reserved
    }

    /// Stage 2a: the digest of the two signed segments, streamed (no copy of the file).
    pub fn document_digest(&self, hash: HashAlg) -> Vec<u8> {
        let (lt, gt) = self.contents;
        let base = self.appended.base;
        let mut h = hash.hasher();
        h.update(self.original);
        h.update(&self.appended.bytes[..lt - base]);
        h.update(&self.appended.bytes[gt - base..]);
        h.finish()
    }

    /// Stage 2b: the CMS signed attributes for `certs` over this document.
    pub fn signed_attributes(self, certs: &SignerCerts) -> Result<ToSign<'a>, PadesError> {
        let hash = certs.hash();
        let digest = self.document_digest(hash);
        let attrs = cades::Prepared::new(&certs.signer, hash, cades::ID_DATA, &digest, None)?;
        Ok(ToSign {
            prepared: self,
            attrs,
            certs: certs.clone(),
        })
    }

    /// Embeds a finished DER blob (CMS or time-stamp token) into the placeholder.
    pub(crate) fn embed(mut self, der: &[u8]) -> Result<Signed<'a>, PadesError> {
        if der.len() > self.reserved {
            return Err(PadesError::PlaceholderTooSmall {
                needed: der.len(),
                reserved: self.reserved,
            });
        }
        let hex: Vec<u8> = der
            .iter()
            .flat_map(|b| {
                let s = format!("{b:02x}");
                s.into_bytes()
            })
            .collect();
        self.appended.patch(self.contents.0 + 1, &hex)?;
        Ok(Signed {
            original: self.original,
            appended: self.appended.bytes,
            cms: der.to_vec(),
            reserved: self.reserved,
        })
    }
}

/// Stage 2 done: the signed attributes exist; a token must sign [`Self::digest_to_sign`].
#[derive(Debug)]
pub struct ToSign<'a> {
    prepared: Prepared<'a>,
    attrs: cades::Prepared,
    certs: SignerCerts,
}

impl<'a> ToSign<'a> {
    /// The digest the token signs (the signed attributes' DER, hashed).
    pub fn digest_to_sign(&self) -> Vec<u8> {
        self.attrs.digest_to_sign()
    }

    /// The DER of the signed attributes (for signers that hash themselves).
    pub fn to_be_signed(&self) -> &[u8] {
        self.attrs.to_be_signed()
    }

    /// The hash function.
    pub fn hash(&self) -> HashAlg {
        self.attrs.hash()
    }

    /// Stage 3: the SignedData with `raw_signature` (r‖s or DER for ECDSA, PKCS #1 for RSA)
    /// and, when `timestamper` is given, a signature time-stamp over the signature value
    /// (B-T); embedded into the placeholder.
    pub fn finish(
        self,
        raw_signature: &[u8],
        timestamper: Option<&mut crate::Timestamper<'_>>,
    ) -> Result<Signed<'a>, PadesError> {
        let signature = self.certs.cms_signature(raw_signature)?;
        let hash = self.attrs.hash();
        let cms = self
            .attrs
            .finish(self.certs.algorithm(), &signature, &self.certs.chain, None)?;
        let cms = match timestamper {
            Some(ts) => {
                let imprint = hash.digest(&signature);
                let token = ts(hash, &imprint)?;
                add_unsigned_attribute(&cms, ATTR_SIGNATURE_TIMESTAMP, &token)?
            }
            None => cms,
        };
        self.prepared.embed(&cms)
    }
}

/// Adds an unsigned attribute (value: DER) to the one SignerInfo of a ContentInfo(SignedData).
pub fn add_unsigned_attribute(
    cms: &[u8],
    oid: const_oid::ObjectIdentifier,
    value: &[u8],
) -> Result<Vec<u8>, PadesError> {
    let info = ContentInfo::from_der(cms)?;
    let mut sd: SignedData = info.content.decode_as()?;
    let mut infos: Vec<_> = sd.signer_infos.0.into_vec();
    let Some(si) = infos.first_mut() else {
        return Err(PadesError::Internal("a SignedData without a SignerInfo"));
    };
    let attr = Attribute {
        oid,
        values: SetOfVec::try_from(vec![Any::from_der(value)?])?,
    };
    let mut attrs: Vec<Attribute> = si
        .unsigned_attrs
        .take()
        .map(|a| a.into_vec())
        .unwrap_or_default();
    attrs.push(attr);
    si.unsigned_attrs = Some(SetOfVec::try_from(attrs)?);
    sd.signer_infos = SignerInfos(SetOfVec::try_from(infos)?);
    let out = ContentInfo {
        content_type: info.content_type,
        content: Any::encode_from(&sd)?,
    };
    Ok(out.to_der()?)
}

/// A signed PDF: the original bytes followed by the new revision.
#[derive(Debug, Clone)]
pub struct Signed<'a> {
    original: &'a [u8],
    appended: Vec<u8>,
    cms: Vec<u8>,
    reserved: usize,
}

impl Signed<'_> {
    /// The whole file in one buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.original.len() + self.appended.len());
        v.extend_from_slice(self.original);
        v.extend_from_slice(&self.appended);
        v
    }

    /// Writes the whole file.
    pub fn write_to(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        out.write_all(self.original)?;
        out.write_all(&self.appended)
    }

    /// The embedded CMS (or time-stamp token).
    pub fn cms(&self) -> &[u8] {
        &self.cms
    }

    /// The `/Contents` string's bytes: the CMS and its zero padding (what `/VRI` keys hash).
    pub fn contents_bytes(&self) -> Vec<u8> {
        let mut v = self.cms.clone();
        v.resize(self.reserved.max(self.cms.len()), 0);
        v
    }

    /// The appended revision alone.
    pub fn appended(&self) -> &[u8] {
        &self.appended
    }
}

/// Content a later revision could reveal, found before signing (shadow-attack preparation):
/// objects the cross-reference lists but nothing reaches from the trailer, and object bodies
/// in the file that no cross-reference entry points at (an xref-only update could switch to
/// them). Each is a sentence for the person; an empty list means none was detected.
pub fn presign_warnings(data: &[u8]) -> Vec<String> {
    let Ok(doc) = Document::open(data) else {
        return Vec::new();
    };
    let mut warnings = Vec::new();
    // Reachability from the trailer.
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<Object> = vec![Object::Dict(doc.trailer().clone())];
    let mut steps = 0usize;
    while let Some(o) = stack.pop() {
        steps += 1;
        if steps > 2_000_000 {
            return warnings;
        }
        match o {
            Object::Ref(r) => {
                if seen.insert(r.num)
                    && let Ok(x) = doc.get(r)
                {
                    stack.push((*x).clone());
                }
            }
            Object::Array(a) => stack.extend(a),
            Object::Dict(d) => stack.extend(d.0.into_iter().map(|(_, v)| v)),
            Object::Stream(s) => stack.extend(s.dict.0.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
    let mut unreachable: Vec<u32> = doc
        .xref()
        .iter()
        .filter(|(n, e)| !matches!(e, signet_pdf::XrefEntry::Free) && !seen.contains(*n))
        .map(|(n, _)| *n)
        .filter(|n| {
            doc.get(ObjRef::new(*n, 0)).is_ok_and(|o| {
                !o.as_dict()
                    .is_some_and(|d| d.is_name("Type", "XRef") || d.is_name("Type", "ObjStm"))
            })
        })
        .collect();
    unreachable.sort_unstable();
    if !unreachable.is_empty() {
        warnings.push(format!(
            "{} object(s) are in the file but not part of the document (for example object {}): a later change could make them visible",
            unreachable.len(),
            unreachable[0]
        ));
    }
    // Bodies `N G obj` that the cross-reference does not point at.
    let mut orphans = 0usize;
    let mut example = None;
    for at in memchr::memmem::find_iter(data, b" obj") {
        let line_start = data[..at]
            .iter()
            .rposition(|b| matches!(b, b'\n' | b'\r'))
            .map_or(0, |p| p + 1);
        let head = &data[line_start..at];
        let mut parts = head.split(|b| *b == b' ');
        let (Some(n), Some(g), None) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (Some(n), Some(_)) = (
            std::str::from_utf8(n)
                .ok()
                .and_then(|t| t.parse::<u32>().ok()),
            std::str::from_utf8(g)
                .ok()
                .and_then(|t| t.parse::<u16>().ok()),
        ) else {
            continue;
        };
        let pointed = doc.sections().iter().any(|s| {
            s.entries
                .iter()
                .chain(s.hybrid.iter().flat_map(|h| h.entries.iter()))
                .any(|(num, e)| {
                    *num == n
                        && matches!(e, signet_pdf::XrefEntry::Offset { offset, .. } if *offset == line_start)
                })
        });
        if !pointed {
            orphans += 1;
            example.get_or_insert(n);
        }
    }
    if let Some(n) = example {
        warnings.push(format!(
            "{orphans} object bod(ies) in the file are not referenced by any cross-reference (for example a second object {n}): an update that only changes the cross-reference could show them"
        ));
    }
    warnings.extend(crate::overlay::warnings(&doc));
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_are_utc_calendar_dates() {
        let at = |secs| SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(secs);
        assert_eq!(pdf_date(at(0)), "D:19700101000000+00'00'");
        // 2024-02-29T23:59:59Z, a leap day.
        assert_eq!(pdf_date(at(1_709_251_199)), "D:20240229235959+00'00'");
        assert_eq!(
            pdf_date(SystemTime::UNIX_EPOCH - std::time::Duration::from_secs(1)),
            "D:19700101000000+00'00'"
        );
    }
}
