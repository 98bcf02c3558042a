//! Assembling X.509 certificates for the test PKI: names, extensions, signing.
//!
//! The certificates are built field by field (RFC 5280 section 4.1) rather than through a
//! builder with a fixed profile, because the test PKI needs certificates a profile would refuse:
//! wrong key usage, a corrupted signature, an unknown critical extension.

use std::time::{Duration, SystemTime};

use der::asn1::{Any, BitString, Ia5String, ObjectIdentifier, OctetString, SetOfVec, UtcTime};
use der::{Encode as _, Sequence, Tag};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::Extension;
pub use x509_cert::ext::pkix::KeyUsages;
use x509_cert::ext::pkix::certpolicy::PolicyInformation;
use x509_cert::ext::pkix::crl::dp::DistributionPoint;
use x509_cert::ext::pkix::name::DistributionPointName;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{
    AccessDescription, AuthorityInfoAccessSyntax, AuthorityKeyIdentifier, BasicConstraints,
    CertificatePolicies, CrlDistributionPoints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier,
};
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::{Time, Validity};
use x509_cert::{Certificate, TbsCertificate, Version};

use crate::TestkitError;
use crate::keys::TestKey;

/// Object identifiers the test PKI writes.
pub mod oid {
    use der::asn1::ObjectIdentifier as Oid;

    /// id-at-countryName.
    pub const COUNTRY: Oid = Oid::new_unwrap("2.5.4.6");
    /// id-at-organizationName.
    pub const ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
    /// id-at-commonName.
    pub const COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
    /// id-at-surname.
    pub const SURNAME: Oid = Oid::new_unwrap("2.5.4.4");
    /// id-at-givenName.
    pub const GIVEN_NAME: Oid = Oid::new_unwrap("2.5.4.42");
    /// id-at-serialNumber (ETSI EN 319 412-1 semantics identifier `PNOEE-…`).
    pub const SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");
    /// id-kp-clientAuth.
    pub const KP_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
    /// id-kp-timeStamping.
    pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
    /// id-kp-OCSPSigning.
    pub const KP_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");
    /// id-pkix-ocsp-nocheck (RFC 6960 section 4.2.2.2.1).
    pub const OCSP_NOCHECK: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1.5");
    /// id-ad-ocsp.
    pub const AD_OCSP: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.48.1");
    /// id-pe-qcStatements (RFC 3739).
    pub const QC_STATEMENTS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.3");
    /// esi4-qcStatement-1: QcCompliance (ETSI EN 319 412-5).
    pub const QC_COMPLIANCE: Oid = Oid::new_unwrap("0.4.0.1862.1.1");
    /// esi4-qcStatement-4: QcSSCD.
    pub const QC_SSCD: Oid = Oid::new_unwrap("0.4.0.1862.1.4");
    /// esi4-qcStatement-6: QcType.
    pub const QC_TYPE: Oid = Oid::new_unwrap("0.4.0.1862.1.6");
    /// id-etsi-qct-esign.
    pub const QCT_ESIGN: Oid = Oid::new_unwrap("0.4.0.1862.1.6.1");
    /// QCP-n-qscd (ETSI EN 319 411-2).
    pub const QCP_N_QSCD: Oid = Oid::new_unwrap("0.4.0.194112.1.2");
    /// An extension nobody knows, for the "unknown critical extension" case.
    pub const UNKNOWN_EXTENSION: Oid = Oid::new_unwrap("1.3.6.1.4.1.99999.7.7");
}

/// A distinguished name from `(attribute, value)` pairs, most general first.
pub fn name(parts: &[(ObjectIdentifier, &str)]) -> Result<Name, TestkitError> {
    let mut rdns = Vec::with_capacity(parts.len());
    for (attr, value) in parts {
        let tag = if *attr == oid::COUNTRY || *attr == oid::SERIAL_NUMBER {
            Tag::PrintableString
        } else {
            Tag::Utf8String
        };
        let value = Any::new(tag, value.as_bytes())?;
        let atv = AttributeTypeAndValue { oid: *attr, value };
        rdns.push(RelativeDistinguishedName(SetOfVec::try_from(vec![atv])?));
    }
    Ok(RdnSequence(rdns))
}

/// X.509 Time for an instant: UTCTime before 2050, GeneralizedTime after (RFC 5280 4.1.2.5).
pub fn time(at: SystemTime) -> Result<Time, TestkitError> {
    let since = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_err(|_| TestkitError::Key("a time before 1970".into()))?;
    // 2050-01-01T00:00:00Z
    if since < Duration::from_secs(2_524_608_000) {
        Ok(Time::UtcTime(UtcTime::from_unix_duration(since)?))
    } else {
        Ok(Time::GeneralTime(
            der::asn1::GeneralizedTime::from_unix_duration(since)?,
        ))
    }
}

/// One QCStatement (RFC 3739 section 3.2.6):
///
/// ```text
/// QCStatement ::= SEQUENCE {
///     statementId   QC-STATEMENT.&id({SupportedStatements}),
///     statementInfo QC-STATEMENT.&Type({SupportedStatements}{@statementId}) OPTIONAL }
/// ```
#[derive(Clone, Debug, Sequence)]
struct QcStatement {
    id: ObjectIdentifier,
    #[asn1(optional = "true")]
    info: Option<Any>,
}

/// The qcStatements of an Estonian qualified signing certificate: QcCompliance, QcSSCD and
/// QcType esign.
pub fn qc_statements_esign() -> Result<Vec<u8>, TestkitError> {
    let types = vec![oid::QCT_ESIGN].to_der()?;
    let statements = vec![
        QcStatement {
            id: oid::QC_COMPLIANCE,
            info: None,
        },
        QcStatement {
            id: oid::QC_SSCD,
            info: None,
        },
        QcStatement {
            id: oid::QC_TYPE,
            info: Some(Any::from_der(&types)?),
        },
    ];
    Ok(statements.to_der()?)
}

use der::Decode as _;

/// What a certificate should look like; [`issue`] turns it into DER.
#[derive(Debug)]
pub struct CertSpec {
    /// The subject name.
    pub subject: Name,
    /// The serial number.
    pub serial: u64,
    /// notBefore.
    pub not_before: SystemTime,
    /// notAfter.
    pub not_after: SystemTime,
    /// The extensions, in order.
    pub extensions: Vec<Extension>,
}

/// Builds extensions with their criticality.
#[derive(Debug, Default)]
pub struct Extensions(pub Vec<Extension>);

impl Extensions {
    fn push<T: der::Encode>(
        &mut self,
        id: ObjectIdentifier,
        critical: bool,
        value: &T,
    ) -> Result<&mut Self, TestkitError> {
        self.0.push(Extension {
            extn_id: id,
            critical,
            extn_value: OctetString::new(value.to_der()?)?,
        });
        Ok(self)
    }

    /// basicConstraints, critical.
    pub fn basic_constraints(
        &mut self,
        ca: bool,
        path_len: Option<u8>,
    ) -> Result<&mut Self, TestkitError> {
        let bc = BasicConstraints {
            ca,
            path_len_constraint: path_len,
        };
        self.push(const_oid::db::rfc5280::ID_CE_BASIC_CONSTRAINTS, true, &bc)
    }

    /// keyUsage, critical.
    pub fn key_usage(
        &mut self,
        usages: der::flagset::FlagSet<KeyUsages>,
    ) -> Result<&mut Self, TestkitError> {
        self.push(
            const_oid::db::rfc5280::ID_CE_KEY_USAGE,
            true,
            &KeyUsage(usages),
        )
    }

    /// extKeyUsage.
    pub fn ext_key_usage(
        &mut self,
        critical: bool,
        purposes: &[ObjectIdentifier],
    ) -> Result<&mut Self, TestkitError> {
        self.push(
            const_oid::db::rfc5280::ID_CE_EXT_KEY_USAGE,
            critical,
            &ExtendedKeyUsage(purposes.to_vec()),
        )
    }

    /// subjectKeyIdentifier.
    pub fn subject_key_id(&mut self, key: &TestKey) -> Result<&mut Self, TestkitError> {
        let ski = SubjectKeyIdentifier(OctetString::new(key.key_id()?)?);
        self.push(
            const_oid::db::rfc5280::ID_CE_SUBJECT_KEY_IDENTIFIER,
            false,
            &ski,
        )
    }

    /// authorityKeyIdentifier with the issuer's key identifier.
    pub fn authority_key_id(&mut self, issuer: &TestKey) -> Result<&mut Self, TestkitError> {
        let aki = AuthorityKeyIdentifier {
            key_identifier: Some(OctetString::new(issuer.key_id()?)?),
            authority_cert_issuer: None,
            authority_cert_serial_number: None,
        };
        self.push(
            const_oid::db::rfc5280::ID_CE_AUTHORITY_KEY_IDENTIFIER,
            false,
            &aki,
        )
    }

    /// authorityInfoAccess with one OCSP responder URL.
    pub fn ocsp_url(&mut self, url: &str) -> Result<&mut Self, TestkitError> {
        let aia = AuthorityInfoAccessSyntax(vec![AccessDescription {
            access_method: oid::AD_OCSP,
            access_location: GeneralName::UniformResourceIdentifier(Ia5String::new(url)?),
        }]);
        self.push(
            const_oid::db::rfc5280::ID_PE_AUTHORITY_INFO_ACCESS,
            false,
            &aia,
        )
    }

    /// cRLDistributionPoints with one full-name URI (non-critical).
    pub fn crl_url(&mut self, url: &str) -> Result<&mut Self, TestkitError> {
        let cdp = CrlDistributionPoints(vec![DistributionPoint {
            distribution_point: Some(DistributionPointName::FullName(vec![
                GeneralName::UniformResourceIdentifier(Ia5String::new(url)?),
            ])),
            reasons: None,
            crl_issuer: None,
        }]);
        self.push(
            const_oid::db::rfc5280::ID_CE_CRL_DISTRIBUTION_POINTS,
            false,
            &cdp,
        )
    }

    /// certificatePolicies with the given policy identifiers.
    pub fn policies(&mut self, ids: &[ObjectIdentifier]) -> Result<&mut Self, TestkitError> {
        let policies = CertificatePolicies(
            ids.iter()
                .map(|id| PolicyInformation {
                    policy_identifier: *id,
                    policy_qualifiers: None,
                })
                .collect(),
        );
        self.push(
            const_oid::db::rfc5280::ID_CE_CERTIFICATE_POLICIES,
            false,
            &policies,
        )
    }

    /// qcStatements for a qualified electronic signature.
    pub fn qc_statements_esign(&mut self) -> Result<&mut Self, TestkitError> {
        let value = Any::from_der(&qc_statements_esign()?)?;
        self.push(oid::QC_STATEMENTS, false, &value)
    }

    /// id-pkix-ocsp-nocheck (a NULL value).
    pub fn ocsp_nocheck(&mut self) -> Result<&mut Self, TestkitError> {
        self.push(oid::OCSP_NOCHECK, false, &der::asn1::Null)
    }

    /// An extension of an unknown type, marked critical.
    pub fn unknown_critical(&mut self) -> Result<&mut Self, TestkitError> {
        self.push(oid::UNKNOWN_EXTENSION, true, &der::asn1::Null)
    }
}

/// Signs `spec` for `subject_key` with `issuer_key` in the name of `issuer`.
pub fn issue(
    spec: CertSpec,
    subject_key: &SubjectPublicKeyInfoOwned,
    issuer: &Name,
    issuer_key: &TestKey,
) -> Result<Certificate, TestkitError> {
    let signature_alg = issuer_key.signature_algorithm()?;
    let tbs = TbsCertificate {
        version: Version::V3,
        serial_number: SerialNumber::new(&spec.serial.to_be_bytes())?,
        signature: signature_alg.clone(),
        issuer: issuer.clone(),
        validity: Validity {
            not_before: time(spec.not_before)?,
            not_after: time(spec.not_after)?,
        },
        subject: spec.subject,
        subject_public_key_info: subject_key.clone(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions: Some(spec.extensions),
    };
    let signature = issuer_key.sign(&tbs.to_der()?)?;
    Ok(Certificate {
        tbs_certificate: tbs,
        signature_algorithm: signature_alg,
        signature: BitString::from_bytes(&signature)?,
    })
}
