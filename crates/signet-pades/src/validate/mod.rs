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

mod report;
mod signature;
mod structure;
mod timestamps;

pub use report::*;
pub use structure::*;

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
    let parsing = tracing::trace_span!("verify.parse").entered();
    let doc = match Document::open(data) {
        Ok(d) => d,
        Err(e) => return unreadable(e.to_string()),
    };
    if let Err(e) = doc.pages() {
        return unreadable(e.to_string());
    }
    let revisions = signet_pdf::revisions(data);
    drop(parsing);
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
    match crate::stripped::removed_signatures(&ctx.docs) {
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
    /// The document at the end of each revision, opened once.
    docs: crate::revision_docs::RevisionDocs<'a>,
    /// The certificates of the whole file's DSS, read once.
    dss_certs: std::cell::OnceCell<Vec<Cert>>,
    /// The CRLs of the whole file's DSS, read once.
    dss_crls: std::cell::OnceCell<Vec<Vec<u8>>>,
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
            docs: crate::revision_docs::RevisionDocs::new(data, revisions),
            dss_certs: std::cell::OnceCell::new(),
            dss_crls: std::cell::OnceCell::new(),
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
        let signed = match self.docs.get(rev_index) {
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
        r.docmdp = docmdp_of(signed, &signed_dict);
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
                match signet_pki::ber::first_to_der(&contents) {
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
            let mut crls = self.dss_crls().to_vec();
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
        crate::diff::analyse(&self.docs, rev_index, value, &mut r);
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
        pool.extend(self.dss_certs().iter().cloned());
        pool
    }

    /// The certificates of the file's DSS (read once per validation).
    fn dss_certs(&self) -> &[Cert] {
        self.dss_certs.get_or_init(|| {
            let Ok(doc) = Document::open(self.data) else {
                return Vec::new();
            };
            dss_items(&doc, "Certs")
                .iter()
                .filter_map(|der| Cert::from_der(der).ok())
                .collect()
        })
    }

    /// The CRLs of the file's DSS (read once per validation).
    fn dss_crls(&self) -> &[Vec<u8>] {
        self.dss_crls.get_or_init(|| {
            Document::open(self.data)
                .map(|doc| dss_items(&doc, "CRLs"))
                .unwrap_or_default()
        })
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
