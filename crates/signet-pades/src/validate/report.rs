//! The report types: what validation says about a file and each signature in it.

use super::*;

/// How a time is shown: RFC 3339 UTC, as everywhere in Signet ([`signet_pki::time::Utc`]).
pub fn rfc3339(t: SystemTime) -> String {
    signet_pki::time::Utc(t).to_string()
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
    pub(crate) fn new(field: String) -> Self {
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

    pub(crate) fn fail(
        &mut self,
        indication: Indication,
        sub: SubIndication,
        why: impl Into<String>,
    ) {
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
