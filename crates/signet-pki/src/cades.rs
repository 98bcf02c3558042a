//! Building a CMS SignedData (RFC 5652) around a signature made elsewhere, a card, with the
//! signed attributes CAdES (ETSI EN 319 122-1) and PAdES require. PAdES and ASiC-E share this.
//!
//! Signing is staged so that the card only ever sees a digest:
//!
//! 1. [`Prepared::new`]: the signed attributes (content-type, message-digest,
//!    signing-certificate-v2, optionally signing-time) and their DER, the bytes the signature
//!    covers ([`Prepared::to_be_signed`], RFC 5652 section 5.4: "the DER encoding of the
//!    SignedAttrs value", with the `SET OF` tag, not the `[0] IMPLICIT` one);
//! 2. the caller hashes those bytes and has the card sign the hash;
//! 3. [`Prepared::finish`]: the SignedData in a ContentInfo, with the signature.
//!
//! ```text
//! SignerInfo ::= SEQUENCE {
//!     version CMSVersion,                          -- 1: sid is issuerAndSerialNumber
//!     sid SignerIdentifier,
//!     digestAlgorithm DigestAlgorithmIdentifier,
//!     signedAttrs [0] IMPLICIT SignedAttributes OPTIONAL,
//!     signatureAlgorithm SignatureAlgorithmIdentifier,
//!     signature SignatureValue,
//!     unsignedAttrs [1] IMPLICIT UnsignedAttributes OPTIONAL }
//! ```
//!
//! Algorithm identifiers: digest algorithms carry no parameters (RFC 5754 section 2); ECDSA
//! signature algorithms carry none either: "the encoding MUST omit the parameters field"
//! (RFC 5758 section 3.2); RSA PKCS #1 v1.5 ones carry NULL (RFC 4055 section 5).

use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, DigestAlgorithmIdentifiers, EncapsulatedContentInfo, SignedAttributes,
    SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec, UintRef};
use der::{Any, Decode as _, Encode as _};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use crate::cert::Cert;
use crate::crypto::{HashAlg, oid};
use crate::signed_data::{
    ATTR_CONTENT_TYPE, ATTR_MESSAGE_DIGEST, ATTR_SIGNING_CERT_V2, SIGNED_DATA,
};

/// id-data (RFC 5652 section 4).
pub const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-signingTime (RFC 5652 section 11.3).
const ATTR_SIGNING_TIME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.5");

/// Why a SignedData could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CadesError {
    /// A raw ECDSA signature must be r‖s, two halves of one curve size.
    #[error(
        "a raw ECDSA signature is r‖s of 64, 96 or 132 octets (P-256, P-384, P-521); got {len}"
    )]
    RawEcdsaLength {
        /// The length given.
        len: usize,
    },
    /// The message digest does not have the hash function's length.
    #[error("the message digest has {found} octets, {hash:?} gives {expected}")]
    DigestLength {
        /// The hash function.
        hash: HashAlg,
        /// Its output length.
        expected: usize,
        /// The length given.
        found: usize,
    },
    /// DER encoding failed (a value outside what DER can express).
    #[error("DER encoding failed: {0}")]
    Encoding(String),
    /// The signature value given does not verify with the signer's certificate over the signed
    /// attributes: a faulty token, or a certificate that is not its key's. Nothing is built.
    #[error(
        "the signing device's value does not verify with the signer's certificate ({0}); \
         nothing was signed. Try again; if it persists, the device is faulty or the \
         certificate is not the one of its key"
    )]
    BadSignatureValue(crate::crypto::CryptoError),
}

impl From<der::Error> for CadesError {
    fn from(e: der::Error) -> Self {
        Self::Encoding(e.to_string())
    }
}

/// The signature algorithm of the signer's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// ECDSA with the hash (`ecdsa-with-SHA256/384/512`, no parameters).
    Ecdsa(HashAlg),
    /// RSA PKCS #1 v1.5 with the hash (`sha256WithRSAEncryption`…, NULL parameters).
    RsaPkcs1(HashAlg),
}

impl SignatureAlgorithm {
    /// The AlgorithmIdentifier for SignerInfo.signatureAlgorithm.
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        match self {
            Self::Ecdsa(hash) => AlgorithmIdentifierOwned {
                oid: match hash {
                    HashAlg::Sha256 => oid::ECDSA_SHA256,
                    HashAlg::Sha384 => oid::ECDSA_SHA384,
                    HashAlg::Sha512 => oid::ECDSA_SHA512,
                },
                // RFC 5758 section 3.2: the parameters field is omitted, not NULL.
                parameters: None,
            },
            Self::RsaPkcs1(hash) => AlgorithmIdentifierOwned {
                oid: match hash {
                    HashAlg::Sha256 => oid::RSA_SHA256,
                    HashAlg::Sha384 => oid::RSA_SHA384,
                    HashAlg::Sha512 => oid::RSA_SHA512,
                },
                parameters: Some(Any::null()),
            },
        }
    }
}

/// `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480 section 2.2, RFC 5753).
#[derive(der::Sequence)]
struct EcdsaSigValue<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

/// DER-encodes a raw ECDSA signature `r‖s` (as a card or PKCS #11 returns it) as the
/// `ECDSA-Sig-Value` CMS and X.509 carry. Each half is a big-endian unsigned integer; leading
/// zero octets are dropped and a zero octet is put before a high bit, as DER requires.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Result<Vec<u8>, CadesError> {
    if !matches!(raw.len(), 64 | 96 | 132) {
        return Err(CadesError::RawEcdsaLength { len: raw.len() });
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let value = EcdsaSigValue {
        r: UintRef::new(r)?,
        s: UintRef::new(s)?,
    };
    Ok(value.to_der()?)
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`
/// (RFC 5035 section 4).
#[derive(der::Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// `ESSCertIDv2` (RFC 5035 section 4); hashAlgorithm is DEFAULT id-sha256, so DER omits it then.
#[derive(der::Sequence)]
struct EssCertIdV2 {
    #[asn1(optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`.
#[derive(der::Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

fn attribute(oid: ObjectIdentifier, value: &impl der::Encode) -> Result<Attribute, CadesError> {
    let value = AttributeValue::from_der(&value.to_der()?)?;
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value])?,
    })
}

/// The signing-certificate-v2 attribute value naming `signer` by its `hash` and issuer/serial
/// (ETSI EN 319 122-1 section 5.2.2.3).
pub fn signing_certificate_v2(signer: &Cert, hash: HashAlg) -> Result<Vec<u8>, CadesError> {
    let id = EssCertIdV2 {
        hash_algorithm: (hash != HashAlg::Sha256).then(|| hash.algorithm_identifier()),
        cert_hash: OctetString::new(hash.digest(signer.der()))?,
        issuer_serial: IssuerSerial {
            issuer: vec![GeneralName::DirectoryName(signer.issuer().clone())],
            serial_number: signer.serial().clone(),
        },
    };
    Ok(SigningCertificateV2 { certs: vec![id] }.to_der()?)
}

/// Signed attributes made, waiting for the card's signature over them.
#[derive(Debug, Clone)]
pub struct Prepared {
    hash: HashAlg,
    content_type: ObjectIdentifier,
    attributes: SignedAttributes,
    to_be_signed: Vec<u8>,
    signer: Cert,
}

impl Prepared {
    /// The signed attributes for `signer` over content of `content_type` whose `hash` digest is
    /// `message_digest`: content-type, message-digest, signing-certificate-v2 and, when given,
    /// signing-time (PAdES baseline forbids it; CAdES allows it).
    pub fn new(
        signer: &Cert,
        hash: HashAlg,
        content_type: ObjectIdentifier,
        message_digest: &[u8],
        signing_time: Option<SystemTime>,
    ) -> Result<Self, CadesError> {
        if message_digest.len() != hash.output_len() {
            return Err(CadesError::DigestLength {
                hash,
                expected: hash.output_len(),
                found: message_digest.len(),
            });
        }
        let mut attributes = vec![
            attribute(ATTR_CONTENT_TYPE, &content_type)?,
            attribute(ATTR_MESSAGE_DIGEST, &OctetString::new(message_digest)?)?,
        ];
        let sc = Any::from_der(&signing_certificate_v2(signer, hash)?)?;
        attributes.push(attribute(ATTR_SIGNING_CERT_V2, &sc)?);
        if let Some(at) = signing_time {
            let time = x509_cert::time::Time::try_from(at)?;
            attributes.push(attribute(ATTR_SIGNING_TIME, &time)?);
        }
        // SetOfVec sorts by encoding, as DER requires of a SET OF (X.690 section 11.6).
        let attributes = SignedAttributes::try_from(attributes)?;
        let to_be_signed = attributes.to_der()?;
        Ok(Self {
            hash,
            content_type,
            attributes,
            to_be_signed,
            signer: signer.clone(),
        })
    }

    /// The DER of the signed attributes (a `SET OF`, tag 0x31): hash these with
    /// [`Self::hash`] and have the card sign the digest.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.to_be_signed
    }

    /// The hash function of the message digest and of the signature.
    pub fn hash(&self) -> HashAlg {
        self.hash
    }

    /// The digest the card signs: [`Self::to_be_signed`] hashed.
    pub fn digest_to_sign(&self) -> Vec<u8> {
        self.hash.digest(&self.to_be_signed)
    }

    /// The ContentInfo holding the SignedData: `signature` as CMS carries it (for ECDSA the
    /// DER `ECDSA-Sig-Value`, see [`ecdsa_raw_to_der`]), the signer's certificate and `chain`
    /// (intermediates), and `content` encapsulated when given (detached otherwise, as CAdES in
    /// PAdES and ASiC are).
    pub fn finish(
        self,
        algorithm: SignatureAlgorithm,
        signature: &[u8],
        chain: &[Cert],
        content: Option<&[u8]>,
    ) -> Result<Vec<u8>, CadesError> {
        // A value that does not verify is never published (as XAdES signing in signet-asic).
        crate::crypto::verify(
            self.signer.spki(),
            &algorithm.algorithm_identifier(),
            &self.to_be_signed,
            signature,
        )
        .map_err(CadesError::BadSignatureValue)?;
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: self.signer.issuer().clone(),
            serial_number: self.signer.serial().clone(),
        });
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid,
            digest_alg: self.hash.algorithm_identifier(),
            signed_attrs: Some(self.attributes),
            signature_algorithm: algorithm.algorithm_identifier(),
            signature: OctetString::new(signature)?,
            unsigned_attrs: None,
        };
        let mut certificates = vec![CertificateChoices::Certificate(self.signer.inner().clone())];
        for cert in chain {
            if cert != &self.signer {
                certificates.push(CertificateChoices::Certificate(cert.inner().clone()));
            }
        }
        let econtent = content
            .map(|bytes| OctetString::new(bytes).and_then(|o| Any::encode_from(&o)))
            .transpose()?;
        let signed_data = SignedData {
            // Version 1: certificates only, id-data content, v1 SignerInfos (RFC 5652 section 5.1);
            // other content types need version 3.
            version: if self.content_type == ID_DATA {
                CmsVersion::V1
            } else {
                CmsVersion::V3
            },
            digest_algorithms: DigestAlgorithmIdentifiers::try_from(vec![
                self.hash.algorithm_identifier(),
            ])?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: self.content_type,
                econtent,
            },
            certificates: Some(CertificateSet(SetOfVec::try_from(certificates)?)),
            crls: None,
            signer_infos: SignerInfos(SetOfVec::try_from(vec![signer_info])?),
        };
        let info = ContentInfo {
            content_type: SIGNED_DATA,
            content: Any::encode_from(&signed_data)?,
        };
        Ok(info.to_der()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_ecdsa_becomes_der_with_minimal_integers() {
        let mut raw = vec![0u8; 64];
        raw[31] = 0x01; // r = 1: leading zeros dropped
        raw[32] = 0x80; // s has the high bit: a zero octet goes before it
        let der = ecdsa_raw_to_der(&raw).unwrap();
        assert_eq!(&der[..5], &[0x30, 0x26, 0x02, 0x01, 0x01]);
        assert_eq!(&der[5..8], &[0x02, 0x21, 0x00]);
        assert_eq!(der[8], 0x80);
        assert_eq!(der.len(), 0x28);
    }

    #[test]
    fn raw_ecdsa_of_a_wrong_length_is_refused() {
        assert_eq!(
            ecdsa_raw_to_der(&[1; 63]),
            Err(CadesError::RawEcdsaLength { len: 63 })
        );
    }

    #[test]
    fn ecdsa_identifiers_have_no_parameters_rsa_ones_null() {
        let ecdsa = SignatureAlgorithm::Ecdsa(HashAlg::Sha384)
            .algorithm_identifier()
            .to_der()
            .unwrap();
        // SEQUENCE { OID ecdsa-with-SHA384 } and nothing else.
        assert_eq!(
            ecdsa,
            [
                0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03
            ]
        );
        let rsa = SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256)
            .algorithm_identifier()
            .to_der()
            .unwrap();
        assert_eq!(&rsa[rsa.len() - 2..], &[0x05, 0x00]);
    }
}
