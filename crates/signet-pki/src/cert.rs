//! A parsed X.509 certificate (RFC 5280 section 4.1) with the extensions Signet acts on.
//!
//! ```text
//! Certificate  ::=  SEQUENCE  {
//!      tbsCertificate       TBSCertificate,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//! ```

use std::fmt;
use std::time::SystemTime;

use const_oid::ObjectIdentifier;
use der::Decode as _;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage,
    KeyUsage, KeyUsages, SubjectKeyIdentifier,
};
use x509_cert::name::Name;

use crate::crypto::{self, CryptoError};

/// Object identifiers of the extensions and key purposes Signet reads.
pub mod oid {
    use const_oid::ObjectIdentifier as Oid;
    pub use const_oid::db::rfc5280::{
        ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_BASIC_CONSTRAINTS, ID_CE_CERTIFICATE_POLICIES,
        ID_CE_CRL_DISTRIBUTION_POINTS, ID_CE_EXT_KEY_USAGE, ID_CE_ISSUER_ALT_NAME, ID_CE_KEY_USAGE,
        ID_CE_SUBJECT_ALT_NAME, ID_CE_SUBJECT_KEY_IDENTIFIER, ID_KP_CLIENT_AUTH,
        ID_KP_OCSP_SIGNING, ID_KP_TIME_STAMPING, ID_PE_AUTHORITY_INFO_ACCESS,
    };
    /// id-ad-ocsp.
    pub const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
    /// id-pkix-ocsp-nocheck (RFC 6960 section 4.2.2.2.1).
    pub const OCSP_NOCHECK: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.5");
    /// id-pe-qcStatements (RFC 3739 section 3.2.6).
    pub const QC_STATEMENTS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.3");
    /// QcCompliance (ETSI EN 319 412-5 section 4.2.1).
    pub const QC_COMPLIANCE: Oid = Oid::new_unwrap("0.4.0.1862.1.1");
    /// QcSSCD (EN 319 412-5 section 4.2.2).
    pub const QC_SSCD: Oid = Oid::new_unwrap("0.4.0.1862.1.4");
    /// QcType (EN 319 412-5 section 4.2.3).
    pub const QC_TYPE: Oid = Oid::new_unwrap("0.4.0.1862.1.6");
    /// id-etsi-qct-esign.
    pub const QCT_ESIGN: Oid = Oid::new_unwrap("0.4.0.1862.1.6.1");
    /// id-etsi-qct-eseal.
    pub const QCT_ESEAL: Oid = Oid::new_unwrap("0.4.0.1862.1.6.2");
    /// id-etsi-qct-web.
    pub const QCT_WEB: Oid = Oid::new_unwrap("0.4.0.1862.1.6.3");
}

/// Why bytes are not a certificate Signet can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CertError {
    /// The DER does not decode as a certificate.
    #[error("not a DER X.509 certificate{}: {kind}", at_offset(*offset))]
    Malformed {
        /// The byte offset where decoding stopped, when known.
        offset: Option<u32>,
        /// What the decoder found.
        kind: String,
    },
    /// An extension Signet reads does not decode.
    #[error("extension {oid} is malformed{}: {kind}", at_offset(*offset))]
    MalformedExtension {
        /// The extension.
        oid: ObjectIdentifier,
        /// The offset inside the extension value, when known.
        offset: Option<u32>,
        /// What the decoder found.
        kind: String,
    },
    /// The same extension appears twice (RFC 5280 section 4.2).
    #[error("extension {0} appears more than once")]
    DuplicateExtension(ObjectIdentifier),
}

fn at_offset(offset: Option<u32>) -> String {
    offset.map(|o| format!(" at byte {o}")).unwrap_or_default()
}

impl CertError {
    fn from_der(e: &der::Error) -> Self {
        Self::Malformed {
            offset: e.position().map(u32::from),
            kind: e.kind().to_string(),
        }
    }

    fn extension(oid: ObjectIdentifier, e: &der::Error) -> Self {
        Self::MalformedExtension {
            oid,
            offset: e.position().map(u32::from),
            kind: e.kind().to_string(),
        }
    }
}

/// What the qcStatements extension says (RFC 3739, ETSI EN 319 412-5).
///
/// ```text
/// QCStatements ::= SEQUENCE OF QCStatement
/// QCStatement ::= SEQUENCE { statementId OBJECT IDENTIFIER, statementInfo ANY OPTIONAL }
/// QcType ::= SEQUENCE OF OBJECT IDENTIFIER (id-etsi-qct-esign | id-etsi-qct-eseal | id-etsi-qct-web, ...)
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QcStatements {
    /// QcCompliance: issued as a qualified certificate.
    pub compliance: bool,
    /// QcSSCD: the private key is in a qualified signature/seal creation device.
    pub sscd: bool,
    /// QcType values (esign, eseal, web or others).
    pub types: Vec<ObjectIdentifier>,
}

impl QcStatements {
    /// Whether the certificate declares itself qualified for electronic signatures with the key
    /// in a QSCD (before any trusted-list override).
    pub fn qualified_esign_in_qscd(&self) -> bool {
        self.compliance
            && self.sscd
            && (self.types.is_empty() || self.types.contains(&oid::QCT_ESIGN))
    }
}

#[derive(Debug, der::Sequence)]
struct QcStatement {
    id: ObjectIdentifier,
    #[asn1(optional = "true")]
    info: Option<der::Any>,
}

/// A certificate with the fields Signet uses, decoded once.
#[derive(Clone)]
pub struct Cert {
    der: Vec<u8>,
    cert: x509_cert::Certificate,
    tbs_der: Vec<u8>,
    /// basicConstraints, when present.
    basic_constraints: Option<BasicConstraints>,
    /// keyUsage, when present.
    key_usage: Option<KeyUsage>,
    /// extKeyUsage purposes and whether the extension is critical.
    ext_key_usage: Option<(Vec<ObjectIdentifier>, bool)>,
    /// subjectKeyIdentifier, when present.
    subject_key_id: Option<Vec<u8>>,
    /// The keyIdentifier of authorityKeyIdentifier, when present.
    authority_key_id: Option<Vec<u8>>,
    /// The OCSP responder URLs of authorityInfoAccess.
    ocsp_urls: Vec<String>,
    /// qcStatements, when present.
    qc_statements: Option<QcStatements>,
    /// The certificate policy identifiers.
    policies: Vec<ObjectIdentifier>,
    /// Whether id-pkix-ocsp-nocheck is present.
    ocsp_nocheck: bool,
    /// Critical extensions Signet does not process (RFC 5280 section 4.2: such a certificate
    /// must be rejected).
    unknown_critical: Vec<ObjectIdentifier>,
}

impl fmt::Debug for Cert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The subject may carry a personal code: show the issuer and serial only.
        f.debug_struct("Cert")
            .field("issuer", &self.issuer_for_logs())
            .field("serial", &self.serial_hex())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Cert {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

impl Eq for Cert {}

/// Extensions Signet processes or knowingly accepts when critical.
const UNDERSTOOD: [ObjectIdentifier; 12] = [
    oid::ID_CE_BASIC_CONSTRAINTS,
    oid::ID_CE_KEY_USAGE,
    oid::ID_CE_EXT_KEY_USAGE,
    oid::ID_CE_SUBJECT_KEY_IDENTIFIER,
    oid::ID_CE_AUTHORITY_KEY_IDENTIFIER,
    oid::ID_PE_AUTHORITY_INFO_ACCESS,
    oid::ID_CE_CERTIFICATE_POLICIES,
    oid::ID_CE_SUBJECT_ALT_NAME,
    oid::ID_CE_ISSUER_ALT_NAME,
    oid::ID_CE_CRL_DISTRIBUTION_POINTS,
    oid::QC_STATEMENTS,
    oid::OCSP_NOCHECK,
];

impl Cert {
    /// Decodes a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|e| CertError::from_der(&e))?;
        // The signature covers the TBSCertificate as sent, not as re-encoded.
        let tbs_der = crate::asn1::first_element(der)
            .map_err(|e| CertError::from_der(&e))?
            .to_vec();
        let mut this = Self {
            der: der.to_vec(),
            cert,
            tbs_der,
            basic_constraints: None,
            key_usage: None,
            ext_key_usage: None,
            subject_key_id: None,
            authority_key_id: None,
            ocsp_urls: Vec::new(),
            qc_statements: None,
            policies: Vec::new(),
            ocsp_nocheck: false,
            unknown_critical: Vec::new(),
        };
        this.read_extensions()?;
        Ok(this)
    }

    /// Decodes the certificates in a file: one DER certificate, or PEM holding one or more
    /// `CERTIFICATE` blocks in their order (other PEM blocks, such as keys, are refused). The
    /// base64 of a block may be wrapped at any width or not at all (RFC 7468 section 3 lax
    /// parsing), as files published by others often are.
    pub fn from_file_bytes(bytes: &[u8]) -> Result<Vec<Self>, CertError> {
        let malformed = |kind: &str| CertError::Malformed {
            offset: None,
            kind: format!("PEM: {kind}"),
        };
        let Some(text) = crate::pem::text(bytes) else {
            return Self::from_der(bytes).map(|cert| vec![cert]);
        };
        let mut certs = Vec::new();
        for block in crate::pem::blocks(text) {
            let block = block.map_err(|e| match e.label() {
                Some("CERTIFICATE") => malformed(&e.to_string()),
                _ => malformed("a block is not a CERTIFICATE"),
            })?;
            if block.label != "CERTIFICATE" {
                return Err(malformed("a block is not a CERTIFICATE"));
            }
            certs.push(Self::from_der(&block.der)?);
        }
        if certs.is_empty() {
            return Err(malformed("no CERTIFICATE block"));
        }
        Ok(certs)
    }

    /// Decodes a PEM certificate (`-----BEGIN CERTIFICATE-----`).
    pub fn from_pem(pem: &str) -> Result<Self, CertError> {
        let (label, der) =
            der::pem::decode_vec(pem.as_bytes()).map_err(|e| CertError::Malformed {
                offset: None,
                kind: format!("PEM: {e}"),
            })?;
        if label != "CERTIFICATE" {
            return Err(CertError::Malformed {
                offset: None,
                kind: format!("PEM label {label}, not CERTIFICATE"),
            });
        }
        Self::from_der(&der)
    }

    fn read_extensions(&mut self) -> Result<(), CertError> {
        let extensions = self
            .cert
            .tbs_certificate
            .extensions
            .clone()
            .unwrap_or_default();
        let mut seen = Vec::new();
        for ext in &extensions {
            if seen.contains(&ext.extn_id) {
                return Err(CertError::DuplicateExtension(ext.extn_id));
            }
            seen.push(ext.extn_id);
            let value = ext.extn_value.as_bytes();
            let bad = |e: der::Error| CertError::extension(ext.extn_id, &e);
            match ext.extn_id {
                oid::ID_CE_BASIC_CONSTRAINTS => {
                    self.basic_constraints = Some(BasicConstraints::from_der(value).map_err(bad)?);
                }
                oid::ID_CE_KEY_USAGE => {
                    self.key_usage = Some(KeyUsage::from_der(value).map_err(bad)?);
                }
                oid::ID_CE_EXT_KEY_USAGE => {
                    let eku = ExtendedKeyUsage::from_der(value).map_err(bad)?;
                    self.ext_key_usage = Some((eku.0, ext.critical));
                }
                oid::ID_CE_SUBJECT_KEY_IDENTIFIER => {
                    let ski = SubjectKeyIdentifier::from_der(value).map_err(bad)?;
                    self.subject_key_id = Some(ski.0.as_bytes().to_vec());
                }
                oid::ID_CE_AUTHORITY_KEY_IDENTIFIER => {
                    let aki = AuthorityKeyIdentifier::from_der(value).map_err(bad)?;
                    self.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
                }
                oid::ID_PE_AUTHORITY_INFO_ACCESS => {
                    let aia = AuthorityInfoAccessSyntax::from_der(value).map_err(bad)?;
                    for access in aia.0 {
                        if let (oid::AD_OCSP, GeneralName::UniformResourceIdentifier(uri)) =
                            (access.access_method, &access.access_location)
                        {
                            self.ocsp_urls.push(uri.to_string());
                        }
                    }
                }
                oid::ID_CE_CERTIFICATE_POLICIES => {
                    let policies =
                        x509_cert::ext::pkix::CertificatePolicies::from_der(value).map_err(bad)?;
                    self.policies = policies.0.iter().map(|p| p.policy_identifier).collect();
                }
                oid::QC_STATEMENTS => {
                    let statements = Vec::<QcStatement>::from_der(value).map_err(bad)?;
                    let mut qc = QcStatements::default();
                    for s in statements {
                        match s.id {
                            oid::QC_COMPLIANCE => qc.compliance = true,
                            oid::QC_SSCD => qc.sscd = true,
                            oid::QC_TYPE => {
                                if let Some(info) = s.info {
                                    qc.types =
                                        info.decode_as::<Vec<ObjectIdentifier>>().map_err(bad)?;
                                }
                            }
                            _ => {}
                        }
                    }
                    self.qc_statements = Some(qc);
                }
                oid::OCSP_NOCHECK => self.ocsp_nocheck = true,
                other => {
                    if ext.critical && !UNDERSTOOD.contains(&other) {
                        self.unknown_critical.push(other);
                    }
                }
            }
        }
        Ok(())
    }

    /// basicConstraints, when present.
    pub fn basic_constraints(&self) -> Option<&BasicConstraints> {
        self.basic_constraints.as_ref()
    }

    /// keyUsage, when present.
    pub fn key_usage(&self) -> Option<&KeyUsage> {
        self.key_usage.as_ref()
    }

    /// extKeyUsage purposes and whether the extension is critical, when present.
    pub fn ext_key_usage(&self) -> Option<(&[ObjectIdentifier], bool)> {
        self.ext_key_usage
            .as_ref()
            .map(|(purposes, critical)| (purposes.as_slice(), *critical))
    }

    /// subjectKeyIdentifier, when present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.subject_key_id.as_deref()
    }

    /// The keyIdentifier of authorityKeyIdentifier, when present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.authority_key_id.as_deref()
    }

    /// The OCSP responder URLs of authorityInfoAccess (attacker-supplied: check before use).
    pub fn ocsp_urls(&self) -> &[String] {
        &self.ocsp_urls
    }

    /// qcStatements, when present.
    pub fn qc_statements(&self) -> Option<&QcStatements> {
        self.qc_statements.as_ref()
    }

    /// The certificate policy identifiers.
    pub fn policies(&self) -> &[ObjectIdentifier] {
        &self.policies
    }

    /// Whether id-pkix-ocsp-nocheck is present.
    pub fn ocsp_nocheck(&self) -> bool {
        self.ocsp_nocheck
    }

    /// Critical extensions Signet does not process.
    pub fn unknown_critical_extensions(&self) -> &[ObjectIdentifier] {
        &self.unknown_critical
    }

    /// The DER encoding.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The decoded certificate.
    pub fn inner(&self) -> &x509_cert::Certificate {
        &self.cert
    }

    /// The subject name.
    pub fn subject(&self) -> &Name {
        &self.cert.tbs_certificate.subject
    }

    /// The issuer name.
    pub fn issuer(&self) -> &Name {
        &self.cert.tbs_certificate.issuer
    }

    /// The serial number's octets.
    pub fn serial(&self) -> &x509_cert::serial_number::SerialNumber {
        &self.cert.tbs_certificate.serial_number
    }

    /// The serial number in upper-case hex, for logs and reports.
    pub fn serial_hex(&self) -> String {
        self.serial()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect()
    }

    /// notBefore.
    pub fn not_before(&self) -> SystemTime {
        self.cert
            .tbs_certificate
            .validity
            .not_before
            .to_system_time()
    }

    /// notAfter.
    pub fn not_after(&self) -> SystemTime {
        self.cert
            .tbs_certificate
            .validity
            .not_after
            .to_system_time()
    }

    /// The SubjectPublicKeyInfo.
    pub fn spki(&self) -> &spki::SubjectPublicKeyInfoOwned {
        &self.cert.tbs_certificate.subject_public_key_info
    }

    /// The issuer name for logs and debug output: a self-issued certificate's issuer is its
    /// subject, which may carry a personal code, so it is not shown.
    pub fn issuer_for_logs(&self) -> String {
        if self.is_self_issued() {
            "(self-issued)".to_owned()
        } else {
            self.issuer().to_string()
        }
    }

    /// Whether the subject and issuer names are equal (RFC 5280 "self-issued").
    pub fn is_self_issued(&self) -> bool {
        self.subject() == self.issuer()
    }

    /// Whether basicConstraints says cA.
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.as_ref().is_some_and(|bc| bc.ca)
    }

    /// Whether keyUsage is absent or contains `usage`.
    pub fn allows_key_usage(&self, usage: KeyUsages) -> bool {
        self.key_usage
            .as_ref()
            .is_none_or(|ku| ku.0.contains(usage))
    }

    /// Whether extKeyUsage is present and contains `purpose`.
    pub fn has_ext_key_usage(&self, purpose: ObjectIdentifier) -> bool {
        self.ext_key_usage
            .as_ref()
            .is_some_and(|(purposes, _)| purposes.contains(&purpose))
    }

    /// Verifies that `issuer`'s key signed this certificate.
    pub fn verify_signed_by(&self, issuer: &Cert) -> Result<(), CryptoError> {
        crypto::verify_shared(
            issuer.spki(),
            &self.cert.signature_algorithm,
            &self.tbs_der,
            self.cert.signature.raw_bytes(),
        )
    }

    /// Verifies that `issuer`'s key signed this certificate, also with a legacy algorithm
    /// (SHA-1), whose policy entry is then returned: the caller judges its sunset against a
    /// proof of existence ([`crypto::verify_certificate_signature`]).
    pub fn verify_signed_by_legacy(
        &self,
        issuer: &Cert,
    ) -> Result<Option<&'static crypto::PolicyEntry>, CryptoError> {
        crypto::verify_certificate_signature(
            issuer.spki(),
            &self.cert.signature_algorithm,
            &self.tbs_der,
            self.cert.signature.raw_bytes(),
        )
    }

    /// The certificate's signature algorithm.
    pub fn signature_algorithm(&self) -> &spki::AlgorithmIdentifierOwned {
        &self.cert.signature_algorithm
    }

    /// A summary for reports: subject, issuer, serial, validity.
    pub fn summary(&self) -> CertSummary {
        CertSummary {
            subject: self.subject().to_string(),
            issuer: self.issuer().to_string(),
            serial: self.serial_hex(),
            not_before: self.not_before(),
            not_after: self.not_after(),
        }
    }
}

/// The facts about one certificate that a report shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSummary {
    /// The subject as RFC 4514 text.
    pub subject: String,
    /// The issuer as RFC 4514 text.
    pub issuer: String,
    /// The serial number in hex.
    pub serial: String,
    /// notBefore.
    pub not_before: SystemTime,
    /// notAfter.
    pub not_after: SystemTime,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_malformed_with_a_position() {
        // A Certificate SEQUENCE whose TBSCertificate starts with a BOOLEAN.
        let err = Cert::from_der(&[0x30, 0x06, 0x30, 0x04, 0x01, 0x01, 0xff, 0x00]).unwrap_err();
        assert!(
            matches!(
                err,
                CertError::Malformed {
                    offset: Some(_),
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains(" at byte "), "{err}");
        assert!(
            err.to_string().starts_with("not a DER X.509 certificate"),
            "{err}"
        );
    }
}
