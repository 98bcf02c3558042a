//! Validating the XAdES signatures of a container, in the ETSI EN 319 102-1 vocabulary, with
//! libdigidocpp's rules (asice.md sections 2 to 4, security-tests.md section 2).
//!
//! Per signature: the structure first (exactly one SignedInfo, SignatureValue, KeyInfo,
//! ds:Object, QualifyingProperties and SignedProperties; the SignedProperties referenced once by
//! Id *and* Type; no duplicate Ids; no DTD), then every reference (each data file of the
//! container must be covered, with the manifest's media type in DataObjectFormat), the signature
//! value with the certificate bound by SigningCertificate(V2) (KeyValue is never used), the
//! signature time-stamp's imprint and TSA, the OCSP response (after the time-stamp, a warning
//! when more than 15 minutes later), the archive time-stamp, and the signer's path,
//! nonRepudiation and qualification. Legacy BDOC 2.1 time-mark signatures: the OCSP nonce must
//! be the DigestInfo of the signature value's hash, and the OCSP time is the signing time.

use std::time::{Duration, SystemTime};

use bergshamra_c14n::C14nMode;
use der::Decode as _;
use serde::Serialize;
use signet_core::{BaselineLevel, Indication, SubIndication};
use signet_pki::crypto::HashAlg;
use signet_pki::qualification::assess;
use signet_pki::time::Utc;
use signet_pki::tsl::{SVC_CA_QC, TrustedList};
use signet_pki::xmldsig::{SignatureMethod, XmlDocument, digest_method};
use signet_pki::{Cert, PathValidator, Purpose, TrustAnchors, ValidationTime};
use uppsala::NodeId;

use super::{
    ASIC, BDOC_TM_POLICIES, DS, SIGNED_PROPERTIES_TYPE, XADES, XADES141, c14n_element, descendants,
    unb64,
};
use crate::container::{Container, DataFile, MAX_XML_ENTRY};
use crate::xml::uri_decode;

mod archive;
mod references;
mod revocation;
mod timestamp;

pub use archive::archive_digest;
use archive::archive_digest_input;

use revocation::EncapsulatedOcsp;
pub use revocation::OcspFact;

/// How long after the time-stamp an OCSP answer may be produced before a warning.
pub const OCSP_LATE: Duration = Duration::from_secs(15 * 60);

/// What validation trusts, and when it runs.
#[derive(Debug)]
pub struct Trust<'a> {
    /// Certificates trusted as anchors (in addition to the list's services).
    pub anchors: TrustAnchors,
    /// A verified trusted list: its CA/QC, OCSP/QC and TSA/QTST services.
    pub list: Option<&'a TrustedList>,
    /// The validation time (the present, from a clock, or the time a person asked about).
    pub now: SystemTime,
}

/// One signature's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignatureReport {
    /// The signature entry (`META-INF/signatures0.xml`).
    pub file: String,
    /// The signature's Id.
    pub id: Option<String>,
    /// The verdict.
    pub indication: Indication,
    /// Why, when not TOTAL-PASSED.
    pub sub_indication: Option<SubIndication>,
    /// The baseline level the signature has (`B-B` … `B-LTA`), or `LT-TM` for a BDOC time-mark.
    pub level: Option<String>,
    /// The signature file is malformed (not well-formed, a DTD, schema violations): the
    /// container is refused as libdigidocpp refuses it at open.
    pub malformed: bool,
    /// The signer's subject, from the certificate bound by SigningCertificate.
    pub signer: Option<String>,
    /// The signer certificate's serial number (hex).
    pub signer_serial: Option<String>,
    /// The signer certificate's issuer (what says which device holds the key).
    pub signer_issuer: Option<String>,
    /// The claimed signing time (only shown when the SignedProperties digest verified).
    pub signing_time: Option<String>,
    /// The signature time-stamp's genTime.
    pub timestamp_time: Option<String>,
    /// The OCSP answer's producedAt.
    pub ocsp_produced_at: Option<String>,
    /// The archive time-stamp's genTime (B-LTA).
    pub archive_timestamp_time: Option<String>,
    /// Each embedded OCSP answer: what it says, or why it is no evidence.
    pub revocation: Vec<OcspFact>,
    /// `QES` (qualified certificate, key in a QSCD), `AdES/QC` or `AdES`; absent when unknown.
    pub qualification: Option<String>,
    /// The data files the signature covers.
    pub covers: Vec<String>,
    /// What failed, most decisive first (libdigidocpp's wording where it has one).
    pub errors: Vec<String>,
    /// Remarks that do not fail the signature.
    pub warnings: Vec<String>,
}

impl SignatureReport {
    fn new(file: &str) -> Self {
        Self {
            file: file.to_owned(),
            id: None,
            indication: Indication::TotalPassed,
            sub_indication: None,
            level: None,
            malformed: false,
            signer: None,
            signer_serial: None,
            signer_issuer: None,
            signing_time: None,
            timestamp_time: None,
            ocsp_produced_at: None,
            archive_timestamp_time: None,
            revocation: Vec::new(),
            qualification: None,
            covers: Vec::new(),
            errors: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn fail(&mut self, indication: Indication, sub: SubIndication, why: impl Into<String>) {
        let why = why.into();
        tracing::debug!(file = %self.file, indication = %indication, sub = ?sub, reason = %why, "signature finding");
        if self.errors.is_empty() || indication.worse(self.indication) != self.indication {
            self.indication = indication;
            self.sub_indication = Some(sub);
            self.errors.insert(0, why);
        } else {
            self.errors.push(why);
        }
    }

    fn malformed(&mut self, why: impl Into<String>) {
        self.malformed = true;
        self.fail(Indication::TotalFailed, SubIndication::FormatFailure, why);
    }
}

/// The whole container's result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ContainerReport {
    /// The worst indication of all signatures; INDETERMINATE without signatures.
    pub indication: Indication,
    /// The deciding sub-indication.
    pub sub_indication: Option<SubIndication>,
    /// The data files.
    pub data_files: Vec<DataFile>,
    /// Each signature.
    pub signatures: Vec<SignatureReport>,
    /// Container problems (manifest against entries): each fails every signature.
    pub problems: Vec<String>,
}

impl ContainerReport {
    /// Whether some signature file is malformed (libdigidocpp refuses such containers at open).
    pub fn malformed(&self) -> bool {
        self.signatures.iter().any(|s| s.malformed)
    }
}

/// Validates every signature of `container`.
pub fn validate_container(container: &Container, trust: &Trust<'_>) -> ContainerReport {
    let mut signatures = Vec::new();
    for name in container.signature_names() {
        let bytes = match container.read_small(name, MAX_XML_ENTRY) {
            Ok(b) => b,
            Err(e) => {
                let mut r = SignatureReport::new(name);
                r.malformed(e.to_string());
                signatures.push(r);
                continue;
            }
        };
        signatures.extend(validate_signature_file(container, name, &bytes, trust));
    }
    for report in &mut signatures {
        for problem in container.problems() {
            report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                problem.clone(),
            );
        }
    }
    let (mut indication, mut sub) = (Indication::TotalPassed, None);
    for s in &signatures {
        let worse = s.indication.worse(indication);
        if worse != indication || (sub.is_none() && s.indication == indication) {
            indication = worse;
            sub = s.sub_indication;
        }
    }
    if signatures.is_empty() {
        indication = Indication::Indeterminate;
        sub = Some(SubIndication::SignedDataNotFound);
    }
    tracing::info!(
        signatures = signatures.len(),
        indication = %indication,
        sub_indication = ?sub,
        "container validated"
    );
    ContainerReport {
        indication,
        sub_indication: sub,
        data_files: container.data_files().to_vec(),
        signatures,
        problems: container.problems().to_vec(),
    }
}

/// Validates the signatures of one `META-INF/*signatures*.xml` entry.
pub fn validate_signature_file(
    container: &Container,
    name: &str,
    bytes: &[u8],
    trust: &Trust<'_>,
) -> Vec<SignatureReport> {
    let mut report = SignatureReport::new(name);
    let Ok(text) = std::str::from_utf8(bytes) else {
        report.malformed("the signature file is not UTF-8");
        return vec![report];
    };
    let parsing = tracing::trace_span!("verify.parse").entered();
    let doc = match XmlDocument::parse(text) {
        Ok(d) => d,
        Err(e) => {
            report.malformed(format!("the signature file is refused: {e}"));
            return vec![report];
        }
    };
    drop(parsing);
    let Ok(root) = doc.root() else {
        report.malformed("the signature file has no root element");
        return vec![report];
    };
    let dom = doc.dom();
    if dom.element(root).is_some_and(|e| {
        e.name
            .matches(Some("http://uri.etsi.org/2918/v1.2.1#"), "XAdESSignatures")
    }) {
        report.fail(
            Indication::TotalFailed,
            SubIndication::FormatFailure,
            "the root element uses the obsolete namespace http://uri.etsi.org/2918/v1.2.1# (without the leading 0)",
        );
        return vec![report];
    }
    if !dom
        .element(root)
        .is_some_and(|e| e.name.matches(Some(ASIC), "XAdESSignatures"))
    {
        report.malformed(
            "the root element is not asic:XAdESSignatures in the namespace http://uri.etsi.org/02918/v1.2.1#",
        );
        return vec![report];
    }
    if let Err(id) = unique_ids(&doc) {
        report.malformed(format!(
            "the Id “{id}” appears on more than one element: references by Id would be ambiguous"
        ));
        return vec![report];
    }
    let signatures = doc.children(root, DS, "Signature");
    if signatures.is_empty() {
        report.malformed("the signature file holds no ds:Signature");
        return vec![report];
    }
    signatures
        .into_iter()
        .map(|sig| {
            let mut r = SignatureReport::new(name);
            Checker {
                doc: &doc,
                container,
                trust,
                sig,
                report: &mut r,
                crls: Vec::new(),
            }
            .run();
            r
        })
        .collect()
}

fn unique_ids(doc: &XmlDocument<'_>) -> Result<(), String> {
    let dom = doc.dom();
    let mut seen = std::collections::HashSet::new();
    for node in dom.descendants(dom.root()) {
        let Some(e) = dom.element(node) else { continue };
        for a in &e.attributes {
            if matches!(a.name.local_name.as_ref(), "Id" | "ID" | "id")
                && a.name.namespace_uri.is_none()
                && !seen.insert(a.value.to_string())
            {
                return Err(a.value.to_string());
            }
        }
    }
    Ok(())
}

struct Checker<'d, 'a, 'r> {
    doc: &'d XmlDocument<'a>,
    container: &'d Container,
    trust: &'d Trust<'d>,
    sig: NodeId,
    report: &'r mut SignatureReport,
    /// The CRLs of RevocationValues/CRLValues (CA certificates and the TSA).
    crls: Vec<Vec<u8>>,
}

/// What the unsigned properties hold.
#[derive(Default)]
struct Unsigned {
    timestamps: Vec<NodeId>,
    archive: Vec<NodeId>,
    certificates: Vec<Cert>,
    ocsp: Vec<EncapsulatedOcsp>,
    crls: Vec<Vec<u8>>,
}

fn only(nodes: Vec<NodeId>) -> Option<NodeId> {
    match nodes.as_slice() {
        [one] => Some(*one),
        _ => None,
    }
}

impl Checker<'_, '_, '_> {
    fn child(&self, parent: NodeId, ns: &str, local: &str) -> Option<NodeId> {
        only(self.doc.children(parent, ns, local))
    }

    fn run(&mut self) {
        let doc = self.doc;
        self.report.id = doc.attribute(self.sig, "Id").map(str::to_owned);
        let Some(id) = self.report.id.clone() else {
            self.report.malformed("the ds:Signature has no Id");
            return;
        };
        // Structure.
        let (Some(signed_info), Some(value_node)) = (
            self.child(self.sig, DS, "SignedInfo"),
            self.child(self.sig, DS, "SignatureValue"),
        ) else {
            self.report
                .malformed("the signature needs exactly one SignedInfo and one SignatureValue");
            return;
        };
        let objects = doc.children(self.sig, DS, "Object");
        let Some(object) = only(objects) else {
            self.report
                .malformed("the signature must hold exactly one ds:Object");
            return;
        };
        let Some(qp) = self.child(object, XADES, "QualifyingProperties") else {
            self.report
                .malformed("the ds:Object must hold exactly one xades:QualifyingProperties");
            return;
        };
        if doc.attribute(qp, "Target") != Some(&format!("#{id}")) {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "QualifyingProperties does not target this signature",
            );
        }
        let all_sp = descendants(doc, self.sig, XADES, "SignedProperties");
        let Some(sp) = self
            .child(qp, XADES, "SignedProperties")
            .filter(|_| all_sp.len() == 1)
        else {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "the signature must hold exactly one SignedProperties",
            );
            return;
        };
        if !descendants(doc, qp, XADES, "UnsignedDataObjectProperties").is_empty() {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "UnsignedDataObjectProperties are not allowed",
            );
        }
        let unsigned = self.read_unsigned(qp);
        let Some(ssp) = self.child(sp, XADES, "SignedSignatureProperties") else {
            self.report
                .malformed("SignedProperties has no SignedSignatureProperties");
            return;
        };

        // SignedInfo: methods and references.
        let Some(c14n) = self
            .child(signed_info, DS, "CanonicalizationMethod")
            .and_then(|n| doc.attribute(n, "Algorithm"))
            .and_then(C14nMode::from_uri)
        else {
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::CryptoConstraintsFailure,
                "the SignedInfo canonicalization is not one Signet accepts",
            );
            return;
        };
        let method_uri = self
            .child(signed_info, DS, "SignatureMethod")
            .and_then(|n| doc.attribute(n, "Algorithm"))
            .unwrap_or("")
            .to_owned();
        let method = match SignatureMethod::from_uri(&method_uri) {
            Ok(m) => Some(m),
            Err(_) => {
                self.report.fail(
                    Indication::Indeterminate,
                    SubIndication::CryptoConstraintsFailure,
                    format!("the signature method {method_uri} is not supported"),
                );
                None
            }
        };
        let sp_id = doc.attribute(sp, "Id").unwrap_or("").to_owned();
        let sp_ok = self.check_references(signed_info, sp, &sp_id);

        // The signer: the KeyInfo certificate SigningCertificate binds.
        let Some(signer) = self.bound_signer(ssp) else {
            return;
        };
        self.report.signer = Some(signer.subject().to_string());
        self.report.signer_serial = Some(signer.serial_hex());
        self.report.signer_issuer = Some(signer.issuer().to_string());
        if sp_ok {
            self.report.signing_time = self.child(ssp, XADES, "SigningTime").map(|n| doc.text(n));
        }

        // The signature value over the canonical SignedInfo.
        let value = unb64(&doc.text(value_node));
        if let Some(method) = method {
            match (super::c14n_element(doc, signed_info, c14n), value.as_ref()) {
                (Ok(bytes), Some(value)) => {
                    if let Err(e) = method.verify(&signer, &bytes, value) {
                        if !matches!(e, signet_pki::crypto::CryptoError::BadSignature) {
                            self.report.fail(
                                Indication::Indeterminate,
                                SubIndication::CryptoConstraintsFailure,
                                format!("Signature validation: Signet cannot use the signer's key or algorithm: {e}"),
                            );
                        } else {
                            self.report.fail(
                                Indication::TotalFailed,
                                SubIndication::SigCryptoFailure,
                                format!(
                                    "Signature validation: the signature value does not verify: {e}"
                                ),
                            );
                        }
                    }
                }
                _ => self.report.fail(
                    Indication::TotalFailed,
                    SubIndication::FormatFailure,
                    "the SignatureValue cannot be read",
                ),
            }
        }
        if !signer.allows_key_usage(x509_cert::ext::pkix::KeyUsages::NonRepudiation) {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::ChainConstraintsFailure,
                "Signing certificate does not contain NonRepudiation key usage flag",
            );
        }
        for unsupported in [
            "CounterSignature",
            "AllDataObjectsTimeStamp",
            "IndividualDataObjectsTimeStamp",
        ] {
            if !descendants(doc, qp, XADES, unsupported).is_empty() {
                self.report.fail(
                    Indication::Indeterminate,
                    SubIndication::FormatFailure,
                    format!("{unsupported} is not supported by Signet"),
                );
            }
        }

        // Policy: a BDOC 2.1 time-mark signature?
        let policy = descendants(doc, ssp, XADES, "SigPolicyId")
            .first()
            .and_then(|&p| self.child(p, XADES, "Identifier"))
            .map(|n| doc.text(n));
        let time_mark = policy
            .as_deref()
            .is_some_and(|p| BDOC_TM_POLICIES.contains(&p))
            && unsigned.timestamps.is_empty();

        // Time-stamp.
        let mut poe: Option<SystemTime> = None;
        if unsigned.timestamps.len() > 1 {
            self.report.fail(
                Indication::TotalFailed,
                SubIndication::FormatFailure,
                "more than one SignatureTimeStamp: libdigidocpp supports exactly one",
            );
        }
        let extra = self.extra_certs(&unsigned);
        self.crls.clone_from(&unsigned.crls);
        let sig = self.sig;
        if let Some(&ts) = unsigned.timestamps.first()
            && let Some(gen_time) = self.check_timestamp(ts, &extra, |doc, mode, hash| {
                let v = descendants(doc, sig, DS, "SignatureValue");
                c14n_element(doc, *v.first()?, mode)
                    .ok()
                    .map(|b| hash.digest(&b))
            })
        {
            self.report.timestamp_time = Some(Utc(gen_time).to_string());
            poe = Some(gen_time);
        }

        // Path, revocation, level.
        let claimed = self
            .child(ssp, XADES, "SigningTime")
            .and_then(|n| parse_xml_time(&doc.text(n)));
        let mut times = vec![self.trust.now];
        times.extend(poe);
        times.extend(claimed);
        let anchors = self.anchors(&times);
        let mut intermediates = unsigned.certificates.clone();
        intermediates.extend(extra.iter().cloned());
        let issuer = intermediates
            .iter()
            .chain(anchors.iter())
            .find(|c| c.subject() == signer.issuer() && signer.verify_signed_by(c).is_ok())
            .or_else(|| {
                // An issuer whose signature Signet cannot check (SHA-1, an old key): found by
                // name and key identifier; path validation then judges the signature.
                intermediates.iter().chain(anchors.iter()).find(|c| {
                    c.subject() == signer.issuer()
                        && match (signer.authority_key_id(), c.subject_key_id()) {
                            (Some(a), Some(k)) => a == k,
                            _ => true,
                        }
                })
            })
            .cloned();
        let validator = PathValidator::new(&anchors, intermediates);
        let ocsp = self.check_revocation(
            &signer,
            issuer.as_ref(),
            &unsigned,
            value.as_deref(),
            time_mark,
            poe,
        );
        if time_mark && let Some(answer) = &ocsp {
            poe = Some(answer.produced_at);
        }
        let at = match poe {
            Some(t) => ValidationTime::Proven(t),
            None => ValidationTime::Current(self.trust.now),
        };
        let mut path = validator.validate(&signer, Purpose::Signature, at);
        // A legacy algorithm (SHA-1) accepted on the proof of existence is named.
        self.report.warnings.extend(path.warnings.iter().cloned());
        if path.passed() {
            // The CA certificates below the anchor (none when a trusted list names the direct
            // issuer): judged by the CRLs in RevocationValues, offline.
            path.add_ca_revocation(&signet_pki::crl::CrlSource {
                stored: &unsigned.crls,
                online: None,
                now: self.trust.now,
            });
        }
        if let (Some(sub), Some(first)) = (path.sub_indication, path.findings.first()) {
            self.report.fail(
                path.indication,
                sub,
                format!("Signing certificate: {}", first.problem),
            );
        }
        if let Some(answer) = &ocsp {
            self.judge_signer_status(answer, at, time_mark);
        }
        self.report.level = Some(if time_mark {
            "LT-TM".to_owned()
        } else {
            let level = if !unsigned.archive.is_empty() {
                BaselineLevel::B_LTA
            } else if !unsigned.ocsp.is_empty() && poe.is_some() {
                BaselineLevel::B_LT
            } else if !unsigned.timestamps.is_empty() {
                BaselineLevel::B_T
            } else {
                BaselineLevel::B_B
            };
            level.to_string()
        });
        if unsigned.ocsp.is_empty() {
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::TryLater,
                "the signature carries no revocation data (RevocationValues): its validity cannot be established offline (B-B/B-T; libdigidocpp requires B-LT)",
            );
        }
        if unsigned.timestamps.is_empty() && !time_mark {
            self.report.fail(
                Indication::Indeterminate,
                SubIndication::NoPoe,
                "the signature has no time-stamp: nothing proves when it was made",
            );
        }
        // Archive time-stamps.
        for &ats in &unsigned.archive {
            let sig = self.sig;
            let container = self.container;
            let gen_time = self.check_timestamp(ats, &extra, |doc, mode, hash| {
                archive_digest_input(doc, sig, mode, Some(ats), container, hash).ok()
            });
            if let Some(gen_time) = gen_time {
                self.report.archive_timestamp_time = Some(Utc(gen_time).to_string());
            }
        }
        self.report.qualification = Some(self.qualification(&signer, issuer.as_ref(), poe));
    }

    fn read_unsigned(&mut self, qp: NodeId) -> Unsigned {
        let doc = self.doc;
        let mut out = Unsigned::default();
        let Some(usp) = self
            .child(qp, XADES, "UnsignedProperties")
            .and_then(|u| self.child(u, XADES, "UnsignedSignatureProperties"))
        else {
            return out;
        };
        out.timestamps = doc.children(usp, XADES, "SignatureTimeStamp");
        out.archive = doc.children(usp, XADES141, "ArchiveTimeStamp");
        for ts in out.timestamps.iter().chain(out.archive.iter()) {
            if doc.children(*ts, XADES, "EncapsulatedTimeStamp").len() != 1 {
                self.report
                    .malformed("a time-stamp element must hold exactly one EncapsulatedTimeStamp");
            }
        }
        for cv in doc.children(usp, XADES, "CertificateValues") {
            for c in doc.children(cv, XADES, "EncapsulatedX509Certificate") {
                if let Some(cert) = unb64(&doc.text(c)).and_then(|d| Cert::from_der(&d).ok()) {
                    out.certificates.push(cert);
                }
            }
        }
        for rv in doc.children(usp, XADES, "RevocationValues") {
            for cv in doc.children(rv, XADES, "CRLValues") {
                for v in doc.children(cv, XADES, "EncapsulatedCRLValue") {
                    if let Some(der) = unb64(&doc.text(v)) {
                        out.crls.push(der);
                    }
                }
            }
            for ov in doc.children(rv, XADES, "OCSPValues") {
                for v in doc.children(ov, XADES, "EncapsulatedOCSPValue") {
                    out.ocsp.push(EncapsulatedOcsp {
                        id: doc.attribute(v, "Id").map(str::to_owned),
                        der: unb64(&doc.text(v)),
                    });
                }
            }
        }
        out
    }

    /// The anchors: the given ones and the list's services active at any of `times` (the
    /// present, the proven and the claimed signing time: the status history is honoured).
    fn anchors(&self, times: &[SystemTime]) -> TrustAnchors {
        let mut anchors = TrustAnchors::new(self.trust.anchors.iter().cloned());
        if let Some(list) = self.trust.list {
            for &at in times {
                for a in list.anchors(at).iter() {
                    if !anchors.contains(a) {
                        anchors.push(a.clone());
                    }
                }
            }
        }
        anchors
    }

    fn extra_certs(&self, unsigned: &Unsigned) -> Vec<Cert> {
        let mut certs = unsigned.certificates.clone();
        if let Some(list) = self.trust.list {
            certs.extend(list.certificates_of(SVC_CA_QC));
        }
        certs
    }

    fn qualification(
        &mut self,
        signer: &Cert,
        issuer: Option<&Cert>,
        poe: Option<SystemTime>,
    ) -> String {
        let at = poe.unwrap_or(self.trust.now);
        let (qualified, qscd) = match (self.trust.list, issuer) {
            (Some(list), Some(issuer)) => match list.service_of_type(issuer, SVC_CA_QC) {
                Some(found) => {
                    let a = assess(signer, found.service, at);
                    (a.qualified == Some(true), a.qscd == Some(true))
                }
                None => (false, false),
            },
            _ => {
                let s = signer.qc_statements().cloned().unwrap_or_default();
                (s.compliance, s.sscd)
            }
        };
        if qualified && qscd {
            "QES".to_owned()
        } else {
            self.report.warnings.push(
                "Signing certificate does not meet Qualification requirements (NonQSCD): an advanced, not a qualified, signature".to_owned(),
            );
            if qualified { "AdES/QC" } else { "AdES" }.to_owned()
        }
    }
}

/// An xs:dateTime such as `2026-11-27T21:00:00Z` (RFC 3339 subset).
fn parse_xml_time(text: &str) -> Option<SystemTime> {
    signet_pki::time::parse_rfc3339(text.trim()).ok()
}

fn cert_digest(alg: &str, der: &[u8]) -> Option<Vec<u8>> {
    if alg == "http://www.w3.org/2000/09/xmldsig#sha1" {
        use sha1::Digest as _;
        return Some(sha1::Sha1::digest(der).to_vec());
    }
    digest_method(alg).ok().map(|h| h.digest(der))
}

/// Hashes a container entry while streaming it.
fn digest_entry(container: &Container, name: &str, hash: HashAlg) -> Result<Vec<u8>, String> {
    let _span = tracing::trace_span!("verify.digest").entered();
    let mut reader = container.open_entry(name).map_err(|e| e.to_string())?;
    let mut hasher = hash.hasher();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = std::io::Read::read(&mut reader, &mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish())
}
