//! Verifying a CMS SignedData with one signer and encapsulated content (RFC 5652), as an
//! RFC 3161 time-stamp token is.
//!
//! ```text
//! SignedData ::= SEQUENCE {
//!     version CMSVersion,
//!     digestAlgorithms DigestAlgorithmIdentifiers,
//!     encapContentInfo EncapsulatedContentInfo,
//!     certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!     crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!     signerInfos SignerInfos }
//! SignerInfo ::= SEQUENCE {
//!     version CMSVersion,
//!     sid SignerIdentifier,
//!     digestAlgorithm DigestAlgorithmIdentifier,
//!     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//!     signatureAlgorithm SignatureAlgorithmIdentifier,
//!     signature SignatureValue,
//!     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! ```
//!
//! Checked: exactly one signer; signed attributes present with content-type equal to
//! eContentType (section 11.1) and message-digest equal to the digest of eContent (section
//! 11.2); the signature over the DER SET OF signed attributes (section 5.4); and the ESS
//! signing-certificate(-v2) attribute naming the signer's certificate by hash (RFC 2634 section
//! 5.4, RFC 5035 section 3), which RFC 3161 section 2.4.1 and RFC 5816 require of tokens.

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode as _, Encode as _};
use spki::AlgorithmIdentifierOwned;

use crate::asn1;
use crate::cert::Cert;
use crate::crypto::{self, CryptoError, HashAlg};

/// id-signedData.
pub(crate) const SIGNED_DATA: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
/// id-contentType.
pub(crate) const ATTR_CONTENT_TYPE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest.
pub(crate) const ATTR_MESSAGE_DIGEST: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.4");
/// id-aa-signingCertificate (RFC 2634).
const ATTR_SIGNING_CERT: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signingCertificateV2 (RFC 5035).
pub(crate) const ATTR_SIGNING_CERT_V2: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// Why a SignedData did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CmsError {
    /// The DER is not a SignedData.
    #[error("malformed CMS SignedData{}: {kind}", offset.map(|o| format!(" at byte {o}")).unwrap_or_default())]
    Malformed {
        /// Where decoding stopped, when known.
        offset: Option<u32>,
        /// What was wrong.
        kind: String,
    },
    /// Not exactly one SignerInfo.
    #[error("the SignedData has {0} signers, exactly one is expected")]
    SignerCount(usize),
    /// The content is detached or absent.
    #[error("the SignedData carries no encapsulated content")]
    NoContent,
    /// No certificate matches the signer identifier.
    #[error("the signer's certificate is not in the SignedData")]
    SignerCertificateMissing,
    /// A required signed attribute is absent or appears with several values.
    #[error("the signed attribute {0} is missing or has more than one value")]
    Attribute(&'static str),
    /// content-type differs from eContentType.
    #[error("the content-type attribute differs from the encapsulated content type")]
    ContentTypeMismatch,
    /// message-digest differs from the content's digest.
    #[error("the message-digest attribute does not match the content")]
    DigestMismatch,
    /// The ESS signing-certificate attribute names another certificate.
    #[error("the signing-certificate attribute names another certificate than the signer's")]
    SigningCertificateMismatch,
    /// The signature does not verify, or its algorithm is refused.
    #[error("the CMS signature does not verify: {0}")]
    Signature(CryptoError),
}

impl CmsError {
    fn malformed(e: &der::Error) -> Self {
        Self::Malformed {
            offset: asn1::offset(e),
            kind: e.kind().to_string(),
        }
    }
}

/// ESSCertIDv2 (RFC 5035 section 4):
///
/// ```text
/// ESSCertIDv2 ::= SEQUENCE {
///     hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
///     certHash      Hash,
///     issuerSerial  IssuerSerial OPTIONAL }
/// ```
#[derive(Debug, der::Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<der::Any>,
}

/// SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }
#[derive(Debug, der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// ESSCertID ::= SEQUENCE { certHash Hash (SHA-1), issuerSerial IssuerSerial OPTIONAL }
#[derive(Debug, der::Sequence)]
struct EssCertId {
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<der::Any>,
}

/// SigningCertificate ::= SEQUENCE { certs SEQUENCE OF ESSCertID, policies … OPTIONAL }
#[derive(Debug, der::Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<der::Any>,
}

/// A SignedData whose signature verified.
#[derive(Debug, Clone)]
pub struct VerifiedSignedData {
    /// eContentType.
    pub content_type: ObjectIdentifier,
    /// The encapsulated content octets.
    pub content: Vec<u8>,
    /// The signer's certificate.
    pub signer: Cert,
    /// The other certificates the SignedData carries (candidates for the signer's path).
    pub certificates: Vec<Cert>,
}

/// Verifies a DER ContentInfo holding a SignedData with one signer; `extra` certificates are
/// searched for the signer too.
pub fn verify(content_info: &[u8], extra: &[Cert]) -> Result<VerifiedSignedData, CmsError> {
    let info = ContentInfo::from_der(content_info).map_err(|e| CmsError::malformed(&e))?;
    if info.content_type != SIGNED_DATA {
        return Err(CmsError::Malformed {
            offset: None,
            kind: format!("content type {} is not id-signedData", info.content_type),
        });
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| CmsError::malformed(&e))?;
    let signers = signed.signer_infos.0.as_slice();
    let [signer_info] = signers else {
        return Err(CmsError::SignerCount(signers.len()));
    };
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or(CmsError::NoContent)?
        .value()
        .to_vec();

    let mut certificates = Vec::new();
    for choice in signed.certificates.iter().flat_map(|set| set.0.iter()) {
        if let CertificateChoices::Certificate(cert) = choice {
            let der = cert.to_der().map_err(|e| CmsError::malformed(&e))?;
            let cert = Cert::from_der(&der).map_err(|e| CmsError::Malformed {
                offset: None,
                kind: format!("embedded certificate: {e}"),
            })?;
            certificates.push(cert);
        }
    }
    let signer = certificates
        .iter()
        .chain(extra.iter())
        .find(|c| identifies(&signer_info.sid, c))
        .cloned()
        .ok_or(CmsError::SignerCertificateMissing)?;

    let attrs = signer_info
        .signed_attrs
        .as_ref()
        .ok_or(CmsError::Attribute("signed attributes"))?;
    let single = |oid: ObjectIdentifier, name: &'static str| -> Result<der::Any, CmsError> {
        let mut found = attrs.iter().filter(|a| a.oid == oid);
        match (found.next(), found.next()) {
            (Some(attr), None) if attr.values.len() == 1 => attr
                .values
                .iter()
                .next()
                .cloned()
                .ok_or(CmsError::Attribute(name)),
            _ => Err(CmsError::Attribute(name)),
        }
    };
    let content_type: ObjectIdentifier = single(ATTR_CONTENT_TYPE, "content-type")?
        .decode_as()
        .map_err(|e| CmsError::malformed(&e))?;
    if content_type != signed.encap_content_info.econtent_type {
        return Err(CmsError::ContentTypeMismatch);
    }
    let digest: OctetString = single(ATTR_MESSAGE_DIGEST, "message-digest")?
        .decode_as()
        .map_err(|e| CmsError::malformed(&e))?;
    let hash = HashAlg::from_oid(signer_info.digest_alg.oid).ok_or(CmsError::Signature(
        CryptoError::UnsupportedAlgorithm(signer_info.digest_alg.oid),
    ))?;
    if digest.as_bytes() != hash.digest(&content).as_slice() {
        return Err(CmsError::DigestMismatch);
    }

    let algorithm =
        crypto::cms_signature_algorithm(&signer_info.digest_alg, &signer_info.signature_algorithm)
            .map_err(CmsError::Signature)?;
    let signed_bytes = attrs.to_der().map_err(|e| CmsError::malformed(&e))?;
    crypto::verify(
        signer.spki(),
        &algorithm,
        &signed_bytes,
        signer_info.signature.as_bytes(),
    )
    .map_err(CmsError::Signature)?;

    check_signing_certificate(attrs, &signer)?;
    Ok(VerifiedSignedData {
        content_type,
        content,
        signer,
        certificates,
    })
}

fn identifies(sid: &SignerIdentifier, cert: &Cert) -> bool {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            &ias.issuer == cert.issuer() && &ias.serial_number == cert.serial()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert.subject_key_id() == Some(ski.0.as_bytes())
        }
    }
}

/// The first ESSCertID(v2) must be the signer's certificate.
fn check_signing_certificate(
    attrs: &cms::signed_data::SignedAttributes,
    signer: &Cert,
) -> Result<(), CmsError> {
    let find = |oid: ObjectIdentifier| {
        attrs
            .iter()
            .find(|a| a.oid == oid)
            .and_then(|a| a.values.iter().next().cloned())
    };
    if let Some(value) = find(ATTR_SIGNING_CERT_V2) {
        let sc: SigningCertificateV2 = value.decode_as().map_err(|e| CmsError::malformed(&e))?;
        let first = sc
            .certs
            .first()
            .ok_or(CmsError::Attribute("signing-certificate-v2"))?;
        let oid = first
            .hash_algorithm
            .as_ref()
            .map_or(HashAlg::Sha256.oid(), |a| a.oid);
        let hash = HashAlg::from_oid(oid)
            .ok_or(CmsError::Signature(CryptoError::UnsupportedAlgorithm(oid)))?;
        if first.cert_hash.as_bytes() != hash.digest(signer.der()).as_slice() {
            return Err(CmsError::SigningCertificateMismatch);
        }
        return Ok(());
    }
    if let Some(value) = find(ATTR_SIGNING_CERT) {
        use sha1::Digest as _;
        let sc: SigningCertificate = value.decode_as().map_err(|e| CmsError::malformed(&e))?;
        let first = sc
            .certs
            .first()
            .ok_or(CmsError::Attribute("signing-certificate"))?;
        // SHA-1 here only identifies a certificate that the signature already binds.
        if first.cert_hash.as_bytes() != sha1::Sha1::digest(signer.der()).as_slice() {
            return Err(CmsError::SigningCertificateMismatch);
        }
        return Ok(());
    }
    Err(CmsError::Attribute(
        "signing-certificate or signing-certificate-v2",
    ))
}
