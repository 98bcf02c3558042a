//! Validation of every signature and document time-stamp in a PDF (EN 319 102-1 results, EN
//! 319 142-1 structure), with the checks that stop USF, SWA and ISA and a modification analysis
//! of every revision after each signature.
//!
//! Policy (docs/pades-report.md):
//! - structure: `/Contents` a hex string holding one DER CMS (one SignerInfo, no eContent);
//!   `/ByteRange` four non-negative integers `[0 a b c]` whose gap is exactly this dictionary's
//!   `/Contents` token and whose end `b + c` is the end of a complete revision (after its
//!   `%%EOF`). Anything else: TOTAL-FAILED / FORMAT_FAILURE.
//! - bytes after the last complete revision are never ignored: every signature fails
//!   (FORMAT_FAILURE) and the document is invalid.
//! - later revisions: signatures (filling signature fields), `/DSS` and VRI, document
//!   time-stamps, XMP metadata and the Info dictionary are always allowed; filling unsigned
//!   form fields and adding annotations are allowed only where no DocMDP restriction forbids
//!   them (P=2 allows form filling, P=3 also annotations), and are always listed; everything
//!   else (page content, resources, pages, signed fields, the signature dictionary, objects the
//!   signed revision referenced from elsewhere, new trailer keys) makes the signature
//!   TOTAL-FAILED / FORMAT_FAILURE with `modified = true`.

use std::collections::HashSet;
use std::time::SystemTime;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::asn1::OctetString;
use der::{Decode as _, Encode as _};
use serde::Serialize;
use signet_core::{Clock, Fetch, Indication, SubIndication};
use signet_pdf::{Dict, Document, ObjRef, Object, decode_text};
use signet_pki::crl::CrlSource;
use signet_pki::crypto::{self, HashAlg};
use signet_pki::ocsp::{self, OcspPolicy};
use signet_pki::path::{PathValidator, Purpose, TrustAnchors, ValidationTime};
use signet_pki::qualification::assess;
use signet_pki::tsl::{SVC_CA_QC, TrustedList};
use signet_pki::validate::{Revocation, validate_certificate_with_crls};
use signet_pki::{Cert, CertSummary};

use crate::ltv;

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

fn identifies(sid: &SignerIdentifier, c: &Cert) -> bool {
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

/// How a time is shown: RFC 3339 UTC.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (y, mo, d, h, mi, s) = crate::sign::civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A certificate as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct CertFacts {
    /// Subject (RFC 4514).
    pub subject: String,
    /// Issuer (RFC 4514).
    pub issuer: String,
    /// Serial (hex).
    pub serial: String,
    /// notBefore.
    pub not_before: String,
    /// notAfter.
    pub not_after: String,
}

impl From<CertSummary> for CertFacts {
    fn from(s: CertSummary) -> Self {
        Self {
            subject: s.subject,
            issuer: s.issuer,
            serial: s.serial,
            not_before: rfc3339(s.not_before),
            not_after: rfc3339(s.not_after),
        }
    }
}

/// The qcStatements of the signer's certificate.
#[derive(Debug, Clone, Serialize)]
pub struct Qualification {
    /// QcCompliance.
    pub qc_compliance: bool,
    /// QcSSCD: the key is in a qualified device.
    pub qscd: bool,
    /// A qualified electronic signature as far as the certificate says (QcCompliance, QcSSCD,
    /// esign or no QcType).
    pub qualified_esign_in_qscd: bool,
}

/// What a trusted list says about the signer's certificate (TS 119 615 / 119 612: the issuer's
/// CA/QC service, its status, and the qualifications extension over the qcStatements).
#[derive(Debug, Clone, Serialize)]
pub struct ListQualification {
    /// The trust service provider, when the issuer is a CA/QC service of the list.
    pub provider: Option<String>,
    /// The service name.
    pub service: Option<String>,
    /// Qualified certificate (`null`: the list's qualifiers cannot decide).
    pub qualified: Option<bool>,
    /// The key is in a QSCD (`null`: cannot decide).
    pub qscd: Option<bool>,
    /// A qualified electronic signature (qualified for e-signatures, key in a QSCD).
    pub qes: bool,
    /// Why, when the list decided against the certificate or could not decide.
    pub notes: Vec<String>,
}

/// A time-stamp as the report shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TimestampFacts {
    /// `signature` (signature time-stamp) or `document` (document time-stamp after it).
    pub kind: String,
    /// genTime.
    pub time: String,
    /// The TSA certificate's subject.
    pub tsa: String,
    /// Whether the token verified (imprint, signature, TSA path).
    pub valid: bool,
    /// Why not.
    pub error: Option<String>,
}

/// Revocation data used.
#[derive(Debug, Clone, Serialize)]
pub struct RevocationFacts {
    /// `dss` (in the file), `online` (fetched now) or `none` for the signer's OCSP answer;
    /// `crl` for a CA certificate of the path judged by a CRL (from the file or fetched).
    pub source: String,
    /// `good`, `revoked`, `unknown`, or `not-checked`; for a CA revoked after the validation
    /// time (which passes), the CA and the revocation date.
    pub status: String,
    /// producedAt of the OCSP response.
    pub produced_at: Option<String>,
}

/// One change made in a revision after a signature.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Modification {
    /// The revision (1-based) that made it.
    pub revision: usize,
    /// `signature`, `dss`, `document-timestamp`, `metadata`, `form-fill`, `annotation` or `other`.
    pub kind: String,
    /// Whether the policy allows it.
    pub allowed: bool,
    /// The object, as `N G`.
    pub object: Option<String>,
    /// The field name for form fill.
    pub field: Option<String>,
    /// The old value for form fill.
    pub old_value: Option<String>,
    /// The new value for form fill.
    pub new_value: Option<String>,
    /// What changed, in words.
    pub detail: String,
    /// For a change of what a page draws: the page (1-based).
    pub page: Option<usize>,
}

/// The result for one signature or document time-stamp.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// The field name(s).
    pub field: String,
    /// `signature` or `document-timestamp`.
    pub kind: String,
    /// `/SubFilter`.
    pub sub_filter: Option<String>,
    /// EN 319 102-1 main indication.
    pub indication: Indication,
    /// Sub-indication when not passed.
    pub sub_indication: Option<SubIndication>,
    /// Problems, in words.
    pub errors: Vec<String>,
    /// Remarks that do not change the indication.
    pub warnings: Vec<String>,
    /// The signer certificate.
    pub signer: Option<CertFacts>,
    /// The certificate path found, signer first.
    pub chain: Vec<CertFacts>,
    /// What the signer's certificate declares about its qualification (qcStatements), before
    /// any trusted-list override.
    pub qualification: Option<Qualification>,
    /// The qualification the trusted list gives (only when validating with `--tsl`).
    pub trusted_list: Option<ListQualification>,
    /// `/M` from the signed revision.
    pub claimed_time: Option<String>,
    /// The earliest proven time of existence (a verified time-stamp), else none.
    pub best_signing_time: Option<String>,
    /// `/Reason`, `/Location`, `/Name` from the signed revision.
    pub reason: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Time-stamps.
    pub timestamps: Vec<TimestampFacts>,
    /// Revocation data used.
    pub revocation: Vec<RevocationFacts>,
    /// The baseline level reached, when the signature is a PAdES baseline one.
    pub level: Option<String>,
    /// `entire-file`, `entire-revision` or `broken`.
    pub coverage: String,
    /// The revision (1-based) the signature covers.
    pub revision: Option<usize>,
    /// The ByteRange as found.
    pub byte_range: Option<Vec<i64>>,
    /// DocMDP P of a certification signature.
    pub docmdp: Option<i64>,
    /// Whether the signature itself (bytes, CMS, cryptography) held before later changes
    /// were judged.
    pub intact: bool,
    /// Whether disallowed changes were made after it.
    pub modified: bool,
    /// Every change made after it.
    pub modifications: Vec<Modification>,
}

impl SignatureReport {
    fn new(field: String) -> Self {
        Self {
            field,
            kind: "signature".into(),
            sub_filter: None,
            indication: Indication::TotalPassed,
            sub_indication: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            signer: None,
            chain: Vec::new(),
            qualification: None,
            trusted_list: None,
            claimed_time: None,
            best_signing_time: None,
            reason: None,
            location: None,
            name: None,
            timestamps: Vec::new(),
            revocation: Vec::new(),
            level: None,
            coverage: "broken".into(),
            revision: None,
            byte_range: None,
            docmdp: None,
            intact: false,
            modified: false,
            modifications: Vec::new(),
        }
    }

    fn fail(&mut self, indication: Indication, sub: SubIndication, why: impl Into<String>) {
        self.errors.push(why.into());
        if self.sub_indication.is_none() || indication.worse(self.indication) != self.indication {
            self.indication = indication;
            self.sub_indication = Some(sub);
        }
    }
}

/// The verdict on the whole file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Every signature passed and nothing changed after it but allowed, unlisted updates.
    Valid,
    /// Every signature passed, and later revisions made listed, allowed changes (form fill,
    /// annotations).
    ValidWithChanges,
    /// Some signature could not be established (trust, revocation, time).
    Indeterminate,
    /// A signature is intact for its revision but disallowed changes followed.
    Modified,
    /// A signature failed, or the file carries no signature, or bytes follow the last revision.
    Invalid,
    /// The file cannot be read as a PDF.
    Unreadable,
}

/// The report on a file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// Why the file was unreadable, or other file-level problems.
    pub errors: Vec<String>,
    /// Revisions found.
    pub revisions: usize,
    /// Bytes after the last complete revision (non-white).
    pub trailing_bytes: usize,
    /// Each signature and document time-stamp, in file order.
    pub signatures: Vec<SignatureReport>,
    /// Signatures a later revision removed (signature stripping).
    pub removed_signatures: Vec<crate::stripped::RemovedSignature>,
}

/// What to validate against.
#[derive(Debug)]
pub struct Options<'a> {
    /// Trust anchors.
    pub anchors: &'a TrustAnchors,
    /// Extra intermediates.
    pub intermediates: Vec<Cert>,
    /// The validation time ("now" or `--at`).
    pub at: SystemTime,
    /// Online revocation checks when no data is in the file (None: offline).
    pub online: Option<(&'a dyn Fetch, &'a dyn Clock)>,
    /// OCSP freshness rules.
    pub ocsp_policy: OcspPolicy,
    /// A verified trusted list (ETSI TS 119 612): its services are anchors too, and the
    /// signer's qualification is judged by its CA/QC service ([`SignatureReport::trusted_list`]).
    pub trusted_list: Option<&'a TrustedList>,
}

/// Validates every signature of `data`.
pub fn validate(data: &[u8], options: &Options<'_>) -> Report {
    let unreadable = |e: String| Report {
        verdict: Verdict::Unreadable,
        errors: vec![e],
        revisions: 0,
        trailing_bytes: 0,
        signatures: Vec::new(),
        removed_signatures: Vec::new(),
    };
    let doc = match Document::open(data) {
        Ok(d) => d,
        Err(e) => return unreadable(e.to_string()),
    };
    if let Err(e) = doc.pages() {
        return unreadable(e.to_string());
    }
    let revisions = signet_pdf::revisions(data);
    let last_end = revisions.last().map_or(0, |r| r.end);
    let trailing = data
        .get(last_end..)
        .unwrap_or_default()
        .iter()
        .filter(|b| !matches!(b, b'\0' | b'\t' | b'\n' | 0x0c | b'\r' | b' '))
        .count();
    let mut report = Report {
        verdict: Verdict::Valid,
        errors: Vec::new(),
        revisions: revisions.len(),
        trailing_bytes: trailing,
        signatures: Vec::new(),
        removed_signatures: Vec::new(),
    };
    if trailing > 0 {
        report.errors.push(format!(
            "{trailing} bytes after the last complete revision belong to no revision"
        ));
    }
    let ctx = Ctx::new(data, &revisions, options);
    // One report per signature dictionary (a dictionary referenced by several fields once).
    let mut by_value: Vec<(ObjRef, Vec<String>)> = Vec::new();
    for f in signature_fields(&doc) {
        let Some(v) = f.value else { continue };
        let _ = f.field;
        match by_value.iter_mut().find(|(r, _)| *r == v) {
            Some((_, names)) => names.push(f.name),
            None => by_value.push((v, vec![f.name])),
        }
    }
    for (value, names) in &by_value {
        let mut sig = ctx.signature(&doc, *value, names.join(", "));
        if trailing > 0 {
            sig.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "bytes after the last complete revision are not covered by any revision",
            );
        }
        report.signatures.push(sig);
    }
    report
        .signatures
        .sort_by_key(|s| s.revision.unwrap_or(usize::MAX));
    match crate::stripped::removed_signatures(data, &revisions) {
        Ok(removed) => {
            report
                .errors
                .extend(removed.iter().map(ToString::to_string));
            report.removed_signatures = removed;
        }
        Err(e) => report.errors.push(e),
    }
    report.verdict = verdict(&report);
    report
}

fn verdict(report: &Report) -> Verdict {
    if report.signatures.is_empty() {
        return Verdict::Invalid;
    }
    if report.trailing_bytes > 0 {
        return Verdict::Invalid;
    }
    let mut v = Verdict::Valid;
    let rank = |v: Verdict| match v {
        Verdict::Valid => 0,
        Verdict::ValidWithChanges => 1,
        Verdict::Indeterminate => 2,
        Verdict::Modified => 3,
        Verdict::Invalid => 4,
        Verdict::Unreadable => 5,
    };
    if !report.removed_signatures.is_empty() {
        // Whatever the signatures left say, the document lost one: never valid.
        v = Verdict::Modified;
    }
    for s in &report.signatures {
        let this = if !s.intact {
            Verdict::Invalid
        } else if s.modified {
            Verdict::Modified
        } else if s.indication == Indication::TotalFailed {
            Verdict::Invalid
        } else if s
            .modifications
            .iter()
            .any(|m| m.kind == "form-fill" || m.kind == "annotation")
        {
            if s.indication == Indication::Indeterminate {
                Verdict::Modified
            } else {
                Verdict::ValidWithChanges
            }
        } else if s.indication == Indication::Indeterminate {
            Verdict::Indeterminate
        } else {
            Verdict::Valid
        };
        if rank(this) > rank(v) {
            v = this;
        }
    }
    v
}

struct Ctx<'a, 'o> {
    data: &'a [u8],
    revisions: &'a [signet_pdf::Revision],
    options: &'o Options<'o>,
    /// The given anchors and, with a trusted list, its CA/QC, OCSP/QC and TSA/QTST services
    /// active at the validation time.
    anchors: TrustAnchors,
}

fn hex_string_span(data: &[u8], start: usize, end: usize) -> bool {
    end > start + 1
        && data.get(start) == Some(&b'<')
        && data.get(start + 1) != Some(&b'<')
        && data.get(end - 1) == Some(&b'>')
}

impl<'a, 'o> Ctx<'a, 'o> {
    fn new(
        data: &'a [u8],
        revisions: &'a [signet_pdf::Revision],
        options: &'o Options<'o>,
    ) -> Self {
        let mut anchors = TrustAnchors::new(options.anchors.iter().cloned());
        if let Some(list) = options.trusted_list {
            for a in list.anchors(options.at).iter() {
                if !anchors.contains(a) {
                    anchors.push(a.clone());
                }
            }
        }
        Self {
            data,
            revisions,
            options,
            anchors,
        }
    }

    fn signature(&self, doc: &Document<'_>, value: ObjRef, field: String) -> SignatureReport {
        let mut r = SignatureReport::new(field);
        let Some(offset) = doc.offset_of(value) else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "the signature dictionary is not stored as a plain object (missing or in an object stream)",
            );
            return r;
        };
        let obj = match doc.load_at(offset) {
            Ok(o) => o,
            Err(e) => {
                r.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!("the signature dictionary cannot be read: {e}"),
                );
                return r;
            }
        };
        let Some(dict) = obj.object.as_dict().cloned() else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "the signature value is not a dictionary",
            );
            return r;
        };
        let sub_filter = dict
            .name("SubFilter")
            .map(|n| String::from_utf8_lossy(n).into_owned());
        r.sub_filter = sub_filter.clone();
        let is_doc_ts =
            sub_filter.as_deref() == Some("ETSI.RFC3161") || dict.is_name("Type", "DocTimeStamp");
        if is_doc_ts {
            r.kind = "document-timestamp".into();
        }
        // ByteRange: four non-negative integers.
        let br: Option<Vec<i64>> = dict
            .get("ByteRange")
            .and_then(Object::as_array)
            .map(|a| a.iter().map(|o| o.as_int().unwrap_or(-1)).collect());
        r.byte_range = br.clone();
        let Some(br) = br.filter(|b| b.len() == 4 && b.iter().all(|x| *x >= 0)) else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "/ByteRange is not an array of four non-negative integers",
            );
            return r;
        };
        let (a, b, c) = (br[1] as u64, br[2] as u64, br[3] as u64);
        let Some((cs, ce)) = obj
            .spans
            .iter()
            .rev()
            .find(|(k, _, _)| k == b"Contents")
            .map(|(_, s, e)| (*s, *e))
        else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "the signature dictionary has no /Contents",
            );
            return r;
        };
        if br[0] != 0 || a != cs as u64 || b != ce as u64 || !hex_string_span(self.data, cs, ce) {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!(
                    "/ByteRange {br:?} does not leave out exactly this signature's /Contents hex string (bytes {cs}..{ce})"
                ),
            );
            return r;
        }
        let end = b.saturating_add(c);
        if end > self.data.len() as u64 {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!(
                    "/ByteRange ends at {end}, beyond the end of the file ({} bytes)",
                    self.data.len()
                ),
            );
            return r;
        }
        let Some(rev_index) = self.revisions.iter().position(|rv| rv.end as u64 == end) else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!("/ByteRange ends at {end}, which is not the end of a complete revision"),
            );
            return r;
        };
        r.revision = Some(rev_index + 1);
        r.coverage = if end as usize == self.data.len() || rev_index + 1 == self.revisions.len() {
            "entire-file".into()
        } else {
            "entire-revision".into()
        };
        let end = end as usize;
        // The signed revision's view of the dictionary: what is shown comes from there.
        let signed = match Document::open(&self.data[..end]) {
            Ok(d) => d,
            Err(e) => {
                r.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!("the signed revision cannot be read: {e}"),
                );
                return r;
            }
        };
        let signed_dict = signed
            .get(value)
            .ok()
            .and_then(|o| o.as_dict().cloned())
            .unwrap_or_default();
        let text = |k: &str| signed_dict.get(k).and_then(Object::as_str).map(decode_text);
        r.claimed_time = text("M");
        r.reason = text("Reason");
        r.location = text("Location");
        r.name = text("Name");
        r.docmdp = docmdp_of(&signed, &signed_dict);
        // Contents: the DER, without the zero padding.
        let contents = dict
            .get("Contents")
            .and_then(Object::as_str)
            .unwrap_or_default()
            .to_vec();
        // DER, or BER with indefinite lengths (re-encoded; reported as a warning).
        let (der, used) = match der_length(&contents) {
            Some(n) => (contents[..n].to_vec(), n),
            None => {
                match ber_to_der(&contents) {
                    Some((der, used)) if contents.first() == Some(&0x30) => {
                        r.warnings
                            .push("the CMS is BER-encoded (indefinite lengths), not DER".into());
                        (der, used)
                    }
                    _ => {
                        r.fail(Indication::TotalFailed, SubIndication::FormatFailure, "/Contents does not hold a DER structure (empty, zero-filled or truncated)");
                        return r;
                    }
                }
            }
        };
        if contents[used..].iter().any(|b| *b != 0) {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "/Contents holds bytes after its CMS other than zero padding",
            );
            return r;
        }
        let der = &der[..];
        let ranges = [(0usize, a as usize), (b as usize, end)];

        if is_doc_ts {
            let mut crls = dss_items(doc, "CRLs");
            crls.extend(ltv::cms_crls(der));
            self.check_doc_timestamp(&mut r, der, &ranges, &crls);
        } else {
            match sub_filter.as_deref() {
                Some("ETSI.CAdES.detached" | "adbe.pkcs7.detached") => {
                    self.check_cms(&mut r, doc, der, &ranges, &contents);
                }
                other => {
                    r.fail(
                        Indication::TotalFailed,
                        SubIndication::FormatFailure,
                        format!("unsupported /SubFilter {other:?}"),
                    );
                    return r;
                }
            }
            if sub_filter.as_deref() != Some("ETSI.CAdES.detached") {
                r.warnings.push(
                    "not a PAdES baseline signature (/SubFilter is not ETSI.CAdES.detached)".into(),
                );
                r.level = None;
            }
        }
        // Later revisions.
        r.intact = r.indication != Indication::TotalFailed;
        crate::diff::analyse(self.data, self.revisions, rev_index, value, &mut r);
        if r.modified {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "modified after signing: a later revision makes changes the policy does not allow",
            );
        }
        r
    }

    fn validator_pool(&self, cms_certs: &[Cert]) -> Vec<Cert> {
        let mut pool = self.options.intermediates.clone();
        pool.extend(cms_certs.iter().cloned());
        if let Some(list) = self.options.trusted_list {
            pool.extend(list.certificates_of(SVC_CA_QC));
        }
        pool.extend(self.dss_certs());
        pool
    }

    fn dss_certs(&self) -> Vec<Cert> {
        let Ok(doc) = Document::open(self.data) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for der in dss_items(&doc, "Certs") {
            if let Ok(c) = Cert::from_der(&der) {
                out.push(c);
            }
        }
        out
    }

    fn check_doc_timestamp(
        &self,
        r: &mut SignatureReport,
        der: &[u8],
        ranges: &[(usize, usize); 2],
        crls: &[Vec<u8>],
    ) {
        let certs = ltv::cms_certificates(der);
        let pool = self.validator_pool(&certs);
        let validator = PathValidator::new(&self.anchors, pool);
        let hash = tst_hash(der).unwrap_or(HashAlg::Sha256);
        let digest = digest_ranges(self.data, ranges, hash);
        let verified = signet_pki::tsp::verify(der, hash, &digest, &validator, self.options.at)
            .and_then(|v| {
                self.tsa_revocation(der, &validator, crls, v.gen_time)?;
                Ok(v)
            });
        match verified {
            Ok(v) => {
                r.best_signing_time = Some(rfc3339(v.gen_time));
                r.claimed_time = Some(rfc3339(v.gen_time));
                r.signer = Some(v.tsa.clone().into());
                r.timestamps.push(TimestampFacts {
                    kind: "document".into(),
                    time: rfc3339(v.gen_time),
                    tsa: v.tsa.subject.clone(),
                    valid: true,
                    error: None,
                });
                r.level = Some("document-timestamp".into());
            }
            Err(e) => {
                let (ind, sub) = tsp_verdict(&e);
                r.fail(ind, sub, format!("document time-stamp: {e}"));
            }
        }
    }

    fn check_cms(
        &self,
        r: &mut SignatureReport,
        doc: &Document<'_>,
        der: &[u8],
        ranges: &[(usize, usize); 2],
        contents: &[u8],
    ) {
        let info = match ContentInfo::from_der(der) {
            Ok(i) => i,
            Err(e) => {
                r.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!("/Contents is not a DER CMS ContentInfo: {e}"),
                );
                return;
            }
        };
        let sd: SignedData = match info.content.decode_as() {
            Ok(s) => s,
            Err(e) => {
                r.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    format!("/Contents is not a CMS SignedData: {e}"),
                );
                return;
            }
        };
        let infos = sd.signer_infos.0.as_slice();
        let [si] = infos else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!(
                    "the CMS has {} SignerInfos; exactly one is allowed",
                    infos.len()
                ),
            );
            return;
        };
        if sd.encap_content_info.econtent.is_some() {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "the CMS encapsulates content; a PDF signature must be detached",
            );
            return;
        }
        let certs = ltv::cms_certificates(der);
        let signer = certs
            .iter()
            .chain(self.options.intermediates.iter())
            .chain(self.dss_certs().iter())
            .find(|c| identifies(&si.sid, c))
            .cloned();
        let Some(attrs) = si.signed_attrs.as_ref() else {
            r.fail(
                Indication::Indeterminate,
                SubIndication::SigConstraintsFailure,
                "the CMS has no signed attributes (no message-digest binds the document)",
            );
            return;
        };
        let Some(hash) = HashAlg::from_oid(si.digest_alg.oid) else {
            r.fail(
                Indication::Indeterminate,
                SubIndication::CryptoConstraintsFailure,
                format!("digest algorithm {} is not accepted", si.digest_alg.oid),
            );
            return;
        };
        let single = |oid: const_oid::ObjectIdentifier| -> Result<der::Any, String> {
            let mut found = attrs.iter().filter(|a| a.oid == oid);
            match (found.next(), found.next()) {
                (Some(a), None) if a.values.len() == 1 => a
                    .values
                    .iter()
                    .next()
                    .cloned()
                    .ok_or_else(|| "empty".into()),
                (None, _) => Err(format!("signed attribute {oid} is missing")),
                _ => Err(format!("signed attribute {oid} appears more than once")),
            }
        };
        // message-digest.
        let md = single(const_oid::db::rfc5911::ID_MESSAGE_DIGEST)
            .and_then(|v| v.decode_as::<OctetString>().map_err(|e| e.to_string()));
        let md = match md {
            Ok(md) => md,
            Err(e) => {
                r.fail(Indication::TotalFailed, SubIndication::FormatFailure, e);
                return;
            }
        };
        match single(const_oid::db::rfc5911::ID_CONTENT_TYPE).and_then(|v| {
            v.decode_as::<const_oid::ObjectIdentifier>()
                .map_err(|e| e.to_string())
        }) {
            Ok(ct) if ct == signet_pki::cades::ID_DATA => {}
            Ok(ct) => r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                format!("content-type {ct} is not id-data"),
            ),
            Err(e) => r.fail(Indication::TotalFailed, SubIndication::FormatFailure, e),
        }
        let digest = digest_ranges(self.data, ranges, hash);
        if md.as_bytes() != digest.as_slice() {
            r.fail(Indication::TotalFailed, SubIndication::HashFailure, "the message-digest does not match the signed bytes: the document was changed after signing");
            return;
        }
        let Some(signer) = signer else {
            r.fail(
                Indication::Indeterminate,
                SubIndication::NoSigningCertificateFound,
                "the signer's certificate is neither in the CMS nor in the DSS",
            );
            return;
        };
        r.signer = Some(signer.summary().into());
        r.qualification = signer.qc_statements().map(|q| Qualification {
            qc_compliance: q.compliance,
            qscd: q.sscd,
            qualified_esign_in_qscd: q.qualified_esign_in_qscd(),
        });
        let alg = match crypto::cms_signature_algorithm(&si.digest_alg, &si.signature_algorithm) {
            Ok(a) => a,
            Err(e) => {
                r.fail(
                    Indication::Indeterminate,
                    SubIndication::CryptoConstraintsFailure,
                    e.to_string(),
                );
                return;
            }
        };
        let Ok(signed_bytes) = attrs.to_der() else {
            r.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "the signed attributes cannot be encoded",
            );
            return;
        };
        match crypto::verify(signer.spki(), &alg, &signed_bytes, si.signature.as_bytes()) {
            Ok(()) => {}
            Err(e @ crypto::CryptoError::BadSignature) => {
                r.fail(
                    Indication::TotalFailed,
                    SubIndication::SigCryptoFailure,
                    format!("the signature value does not verify: {e}"),
                );
                return;
            }
            Err(e) => {
                r.fail(
                    Indication::Indeterminate,
                    SubIndication::CryptoConstraintsFailure,
                    format!("the signature cannot be checked: {e}"),
                );
                return;
            }
        }
        // Baseline attribute rules.
        let has = |oid: &str| attrs.iter().any(|a| a.oid.to_string() == oid);
        let mut baseline = true;
        if has("1.2.840.113549.1.9.5") {
            r.warnings.push(
                "a signing-time signed attribute: not allowed in PAdES baseline signatures".into(),
            );
            baseline = false;
        }
        let mut known = certs.clone();
        known.extend(self.options.intermediates.iter().cloned());
        known.extend(self.dss_certs());
        match crate::signing_cert::matches(attrs, &signer, &known) {
            Ok(true) => {}
            Ok(false) => {
                r.warnings.push("no signing-certificate(-v2) attribute: the signer certificate is not bound by the signature".into());
                baseline = false;
            }
            Err(e) => {
                // Not bound: nobody is shown as the signer.
                r.signer = None;
                r.qualification = None;
                r.fail(
                    Indication::Indeterminate,
                    SubIndication::NoSigningCertificateFound,
                    e,
                );
                return;
            }
        }
        // CRLs for the CA certificates and the TSA: the DSS (its /CRLs hold the VRI's too) and
        // the CMS's own revocationInfoChoices; fetched from the distribution points when online.
        let mut stored_crls = dss_items(doc, "CRLs");
        stored_crls.extend(ltv::cms_crls(der));
        let crls = CrlSource {
            stored: &stored_crls,
            online: self.options.online,
            now: self
                .options
                .online
                .map_or(self.options.at, |(_, clock)| clock.now()),
        };
        // Signature time-stamps.
        let mut tsa_unknown = None;
        let mut best: Option<SystemTime> = None;
        let tst_pool = self.validator_pool(&certs);
        let tst_validator = PathValidator::new(&self.anchors, tst_pool.clone());
        for token in ltv::signature_timestamps(der) {
            let h = tst_hash(&token).unwrap_or(hash);
            let imprint = h.digest(si.signature.as_bytes());
            let verified =
                signet_pki::tsp::verify(&token, h, &imprint, &tst_validator, self.options.at)
                    .and_then(|v| {
                        // The TSA's revocation (validation policy 5.1): revoked, the token proves
                        // nothing; unknown, it keeps its time but the signature cannot pass.
                        match signet_pki::tsp::check_tsa_revocation(
                            &token,
                            &tst_validator,
                            &crls,
                            v.gen_time,
                        ) {
                            Ok(()) => Ok(v),
                            Err(e @ signet_pki::tsp::TspError::TsaRevocationUnknown { .. }) => {
                                tsa_unknown = Some(e);
                                Ok(v)
                            }
                            Err(e) => Err(e),
                        }
                    });
            match verified {
                Ok(v) => {
                    best = Some(best.map_or(v.gen_time, |b: SystemTime| b.min(v.gen_time)));
                    r.timestamps.push(TimestampFacts {
                        kind: "signature".into(),
                        time: rfc3339(v.gen_time),
                        tsa: v.tsa.subject.clone(),
                        valid: true,
                        error: None,
                    });
                }
                Err(e) => {
                    r.timestamps.push(TimestampFacts {
                        kind: "signature".into(),
                        time: String::new(),
                        tsa: String::new(),
                        valid: false,
                        error: Some(e.to_string()),
                    });
                    r.warnings
                        .push(format!("a signature time-stamp does not verify: {e}"));
                }
            }
        }
        let has_sig_ts = best.is_some();
        let signature_timestamp = best;
        // Document time-stamps in later revisions give a proof of existence too.
        let (later_doc_ts, doc_ts_unknown) = self.later_doc_timestamps(doc, ranges[1].1);
        if tsa_unknown.is_none() {
            tsa_unknown = doc_ts_unknown;
        }
        for t in &later_doc_ts {
            best = Some(best.map_or(*t, |b: SystemTime| b.min(*t)));
        }
        r.best_signing_time = best.map(rfc3339);
        // The path and revocation.
        let pool = self.validator_pool(&certs);
        let validator = PathValidator::new(&self.anchors, pool.clone());
        let time = match best {
            Some(t) => ValidationTime::Proven(t),
            None => ValidationTime::Current(self.options.at),
        };
        let issuer = ltv::find_issuer(&signer, &pool).cloned();
        // The DSS's answers about the signer: the first that is evidence; the others named.
        let dss = crate::dss_ocsp::select(
            &dss_items(doc, "OCSPs"),
            &signer,
            issuer.as_ref(),
            &self.options.ocsp_policy,
            self.options.at,
            time.at(),
            signature_timestamp,
        );
        r.warnings.extend(dss.rejected);
        let (stored, stored_bytes) = (dss.answer, dss.der);
        let has_dss_revocation = stored.is_some();
        let revocation = match (&stored, self.options.online) {
            (Some(a), _) => {
                r.revocation.push(RevocationFacts {
                    source: "dss".into(),
                    status: status_name(&a.status),
                    produced_at: Some(rfc3339(a.produced_at)),
                });
                Revocation::Offline(Some(a))
            }
            (None, Some((fetch, clock))) => Revocation::Online {
                fetch,
                clock,
                policy: &self.options.ocsp_policy,
            },
            (None, None) => {
                r.revocation.push(RevocationFacts {
                    source: "none".into(),
                    status: "not-checked".into(),
                    produced_at: None,
                });
                // Missing revocation information is never good (EN 319 102-1, the validation
                // policy): the path is INDETERMINATE / TRY_LATER, as signet-pki and ASiC-E say.
                r.warnings.push("no revocation data in the file and validation is offline: the signer's revocation status is unknown (INDETERMINATE); check online or extend the file to B-LT".into());
                Revocation::Offline(None)
            }
        };
        let path = validate_certificate_with_crls(
            &validator,
            &signer,
            Purpose::Signature,
            time,
            revocation,
            &crls,
        );
        for ca in &path.ca_revocation {
            r.revocation.push(RevocationFacts {
                source: "crl".into(),
                status: match ca.revoked_at {
                    None => "good".into(),
                    Some(t) => format!(
                        "{} was revoked on {}, after the validation time",
                        ca.subject,
                        rfc3339(t)
                    ),
                },
                produced_at: Some(rfc3339(ca.this_update)),
            });
        }
        if matches!(revocation, Revocation::Online { .. })
            && let Some(a) = &path.revocation
        {
            r.revocation.push(RevocationFacts {
                source: "online".into(),
                status: status_name(&a.status),
                produced_at: Some(rfc3339(a.produced_at)),
            });
        }
        r.warnings.extend(
            (path.revocation.as_ref()).and_then(|a| crate::dss_ocsp::revoked_after(a, time)),
        );
        r.chain = path.summaries().into_iter().map(Into::into).collect();
        if let Some(list) = self.options.trusted_list {
            let at = best.unwrap_or(self.options.at);
            r.trusted_list = Some(
                match issuer
                    .as_ref()
                    .and_then(|i| list.service_of_type(i, SVC_CA_QC))
                {
                    Some(found) => {
                        let a = assess(&signer, found.service, at);
                        ListQualification {
                            provider: Some(found.provider.to_owned()),
                            service: Some(found.service.name.clone()),
                            qualified: a.qualified,
                            qscd: a.qscd,
                            qes: a.qualified_esig_in_qscd(),
                            notes: a.notes,
                        }
                    }
                    None => ListQualification {
                        provider: None,
                        service: None,
                        qualified: Some(false),
                        qscd: None,
                        qes: false,
                        notes: vec![
                            "the signer's issuer is not a CA/QC service of the trusted list".into(),
                        ],
                    },
                },
            );
        }
        // A legacy algorithm accepted because the proven time is before its sunset.
        r.warnings.extend(
            path.warnings
                .iter()
                .map(|w| format!("certificate path: {w}")),
        );
        if !path.passed() {
            let sub = path
                .sub_indication
                .unwrap_or(SubIndication::CertificateChainGeneralFailure);
            let why = path
                .findings
                .first()
                .map(|f| f.problem.to_string())
                .unwrap_or_default();
            r.fail(path.indication, sub, format!("certificate path: {why}"));
        }
        if let Some(signet_pki::tsp::TspError::TsaRevocationUnknown { sub_indication, .. }) =
            &tsa_unknown
        {
            r.fail(
                Indication::Indeterminate,
                *sub_indication,
                format!(
                    "signature time-stamp: {}",
                    tsa_unknown
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default()
                ),
            );
        }
        if baseline {
            r.level = Some(
                if !has_sig_ts && later_doc_ts.is_empty() {
                    "B-B"
                } else if !has_dss_revocation {
                    "B-T"
                } else if stored_bytes
                    .as_deref()
                    .is_some_and(|resp| self.doc_ts_covers_dss_with(doc, resp, ranges[1].1))
                {
                    "B-LTA"
                } else {
                    "B-LT"
                }
                .into(),
            );
        }
        let _ = contents;
    }

    /// genTimes of document time-stamps whose revision ends after `end`.
    /// The TSA certificate's revocation (validation policy section 6), with `stored` CRLs and,
    /// when online, the distribution points.
    fn tsa_revocation(
        &self,
        token: &[u8],
        validator: &PathValidator<'_>,
        stored: &[Vec<u8>],
        gen_time: SystemTime,
    ) -> Result<(), signet_pki::tsp::TspError> {
        let crls = CrlSource {
            stored,
            online: self.options.online,
            now: self
                .options
                .online
                .map_or(self.options.at, |(_, clock)| clock.now()),
        };
        signet_pki::tsp::check_tsa_revocation(token, validator, &crls, gen_time)
    }

    /// The genTimes of the document time-stamps after `end` that verify (a TSA revoked: no
    /// proof), and the first TSA revocation that could not be established.
    fn later_doc_timestamps(
        &self,
        doc: &Document<'_>,
        end: usize,
    ) -> (Vec<SystemTime>, Option<signet_pki::tsp::TspError>) {
        let mut out = Vec::new();
        let mut unknown = None;
        let dss_crls = dss_items(doc, "CRLs");
        for f in signature_fields(doc) {
            let Some(v) = f.value else { continue };
            let Ok(o) = doc.get(v) else { continue };
            let Some(d) = o.as_dict() else { continue };
            if !(d.is_name("SubFilter", "ETSI.RFC3161")) {
                continue;
            }
            let Some(br) = d.get("ByteRange").and_then(Object::as_array) else {
                continue;
            };
            let br: Vec<i64> = br.iter().filter_map(Object::as_int).collect();
            if br.len() != 4 || br.iter().any(|x| *x < 0) || ((br[2] + br[3]) as usize) <= end {
                continue;
            }
            let ranges = [
                (0usize, br[1] as usize),
                (br[2] as usize, (br[2] + br[3]) as usize),
            ];
            if ranges[1].1 > self.data.len() || ranges[0].1 > ranges[1].0 {
                continue;
            }
            let contents = d
                .get("Contents")
                .and_then(Object::as_str)
                .unwrap_or_default();
            let Some(len) = der_length(contents) else {
                continue;
            };
            let token = &contents[..len];
            let hash = tst_hash(token).unwrap_or(HashAlg::Sha256);
            let digest = digest_ranges(self.data, &ranges, hash);
            let pool = self.validator_pool(&ltv::cms_certificates(token));
            let validator = PathValidator::new(&self.anchors, pool);
            if let Ok(v) =
                signet_pki::tsp::verify(token, hash, &digest, &validator, self.options.at)
            {
                let mut crls = dss_crls.clone();
                crls.extend(ltv::cms_crls(token));
                match self.tsa_revocation(token, &validator, &crls, v.gen_time) {
                    Ok(()) => out.push(v.gen_time),
                    Err(e @ signet_pki::tsp::TspError::TsaRevocationUnknown { .. }) => {
                        out.push(v.gen_time);
                        unknown.get_or_insert(e);
                    }
                    Err(_) => {}
                }
            }
        }
        (out, unknown)
    }

    /// Whether a valid document time-stamp covers the first revision after `end` whose DSS
    /// holds `resp` (this signature's revocation data): B-LTA protects the validation data only
    /// then. A DSS added or completed after the last document time-stamp leaves B-LT.
    fn doc_ts_covers_dss_with(&self, doc: &Document<'_>, resp: &[u8], end: usize) -> bool {
        let with = self.revisions.iter().find(|rv| {
            rv.end > end
                && Document::open(&self.data[..rv.end])
                    .is_ok_and(|d| dss_items(&d, "OCSPs").iter().any(|o| o == resp))
        });
        let Some(rv) = with else { return false };
        !self
            .later_doc_timestamps(doc, rv.end.saturating_sub(1))
            .0
            .is_empty()
    }
}

fn status_name(s: &ocsp::CertificateStatus) -> String {
    match s {
        ocsp::CertificateStatus::Good => "good".into(),
        ocsp::CertificateStatus::Revoked { .. } => "revoked".into(),
        _ => "unknown".into(),
    }
}

/// The hash a time-stamp token's TSTInfo message imprint uses.
fn tst_hash(token: &[u8]) -> Option<HashAlg> {
    let info = ContentInfo::from_der(token).ok()?;
    let sd: SignedData = info.content.decode_as().ok()?;
    let content = sd.encap_content_info.econtent?;
    let octets: OctetString = content.decode_as().ok()?;
    let tst = x509_tsp::TstInfo::from_der(octets.as_bytes()).ok()?;
    HashAlg::from_oid(tst.message_imprint.hash_algorithm.oid)
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

fn docmdp_of(doc: &Document<'_>, sig: &Dict) -> Option<i64> {
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

/// Re-encodes BER (indefinite lengths, constructed OCTET STRINGs) as DER, as some signers
/// write their CMS. Returns the DER and how many input bytes the first element took.
pub fn ber_to_der(bytes: &[u8]) -> Option<(Vec<u8>, usize)> {
    type Element = (u8, bool, Vec<u8>, Vec<u8>, usize);
    fn element(b: &[u8], depth: usize) -> Option<Element> {
        // Returns (first tag byte, constructed, full tag bytes, DER content, consumed).
        if depth > 64 || b.len() < 2 {
            return None;
        }
        let mut i = 1;
        if b[0] & 0x1f == 0x1f {
            while *b.get(i)? & 0x80 != 0 {
                i += 1;
            }
            i += 1;
        }
        let tag = b.get(..i)?.to_vec();
        let constructed = b[0] & 0x20 != 0;
        let first = *b.get(i)?;
        i += 1;
        let content;
        if first == 0x80 {
            if !constructed {
                return None;
            }
            let mut out = Vec::new();
            loop {
                if b.get(i..i + 2)? == [0, 0] {
                    i += 2;
                    break;
                }
                let (ct, _, ctag, cc, used) = element(&b[i..], depth + 1)?;
                push(&mut out, ct, &ctag, &cc, b[0]);
                i += used;
            }
            content = out;
        } else {
            let len = if first < 0x80 {
                first as usize
            } else {
                let n = (first & 0x7f) as usize;
                if n > 4 {
                    return None;
                }
                let mut l = 0usize;
                for k in 0..n {
                    l = (l << 8) | *b.get(i + k)? as usize;
                }
                i += n;
                l
            };
            let body = b.get(i..i.checked_add(len)?)?;
            i += len;
            if constructed {
                let mut out = Vec::new();
                let mut j = 0;
                while j < body.len() {
                    let (ct, _, ctag, cc, used) = element(&body[j..], depth + 1)?;
                    push(&mut out, ct, &ctag, &cc, b[0]);
                    j += used;
                }
                content = out;
            } else {
                content = body.to_vec();
            }
        }
        Some((b[0], constructed, tag, content, i))
    }
    fn push(out: &mut Vec<u8>, _ct: u8, tag: &[u8], content: &[u8], parent: u8) {
        // Inside a constructed OCTET STRING the parts are concatenated.
        if parent == 0x24 {
            out.extend_from_slice(content);
            return;
        }
        let mut tag = tag.to_vec();
        if tag == [0x24] {
            tag = vec![0x04];
        }
        out.extend_from_slice(&tag);
        out.extend_from_slice(&der_len(content.len()));
        out.extend_from_slice(content);
    }
    fn der_len(n: usize) -> Vec<u8> {
        if n < 0x80 {
            return vec![n as u8];
        }
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        let mut v = vec![0x80 | bytes.len() as u8];
        v.extend(bytes);
        v
    }
    let (_, _, tag, content, used) = element(bytes, 0)?;
    let mut out = Vec::new();
    push(&mut out, bytes[0], &tag, &content, 0);
    Some((out, used))
}

/// The verdict a time-stamp verification error leads to.
fn tsp_verdict(e: &signet_pki::tsp::TspError) -> (Indication, SubIndication) {
    use signet_pki::signed_data::CmsError;
    use signet_pki::tsp::TspError;
    match e {
        TspError::ImprintMismatch { .. } => (Indication::TotalFailed, SubIndication::HashFailure),
        TspError::Signature(CmsError::DigestMismatch) => {
            (Indication::TotalFailed, SubIndication::HashFailure)
        }
        TspError::Signature(CmsError::Signature(crypto::CryptoError::BadSignature)) => {
            (Indication::TotalFailed, SubIndication::SigCryptoFailure)
        }
        TspError::Signature(CmsError::Signature(_)) => (
            Indication::Indeterminate,
            SubIndication::CryptoConstraintsFailure,
        ),
        TspError::Malformed { .. } | TspError::NotATimestamp(_) | TspError::Signature(_) => {
            (Indication::TotalFailed, SubIndication::FormatFailure)
        }
        TspError::TsaRevoked { .. } => (Indication::Indeterminate, SubIndication::RevokedNoPoe),
        TspError::TsaRevocationUnknown { sub_indication, .. } => {
            (Indication::Indeterminate, *sub_indication)
        }
        _ => (
            Indication::Indeterminate,
            SubIndication::NoCertificateChainFound,
        ),
    }
}
