//! The algorithm URIs XML-DSig verification accepts (XML Signature 1.1 section 6, RFC 6931).

use spki::AlgorithmIdentifierOwned;

use super::XmlDsigError;
use crate::cades::ecdsa_raw_to_der;
use crate::cert::Cert;
use crate::crypto::{self, CryptoError, HashAlg, oid};

/// A SignatureMethod Signet verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureMethod {
    /// `http://www.w3.org/2001/04/xmldsig-more#rsa-sha256` and friends (RSA PKCS #1 v1.5).
    Rsa(HashAlg),
    /// `http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256` and friends; the value is r‖s
    /// (XML Signature 1.1 section 6.4.3), not DER.
    Ecdsa(HashAlg),
    /// `http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1` and friends: RSASSA-PSS with
    /// MGF1 over the same hash, a salt as long as the hash and trailer field 1 (RFC 6931
    /// section 2.3.10, "RSASSA-PSS Without Parameters").
    RsaPss(HashAlg),
}

impl SignatureMethod {
    /// The method for a SignatureMethod Algorithm URI; SHA-1 is refused, and so is
    /// `xmldsig-more#rsa-pss` with an RSAPSSParams element (RFC 6931 section 2.3.11).
    pub fn from_uri(uri: &str) -> Result<Self, XmlDsigError> {
        const MORE: &str = "http://www.w3.org/2001/04/xmldsig-more#";
        const MORE_2007: &str = "http://www.w3.org/2007/05/xmldsig-more#";
        if let Some(name) = uri.strip_prefix(MORE_2007) {
            return Ok(match name {
                "sha256-rsa-MGF1" => Self::RsaPss(HashAlg::Sha256),
                "sha384-rsa-MGF1" => Self::RsaPss(HashAlg::Sha384),
                "sha512-rsa-MGF1" => Self::RsaPss(HashAlg::Sha512),
                _ => return Err(XmlDsigError::Algorithm(uri.to_owned())),
            });
        }
        let Some(name) = uri.strip_prefix(MORE) else {
            return Err(XmlDsigError::Algorithm(uri.to_owned()));
        };
        Ok(match name {
            "rsa-sha256" => Self::Rsa(HashAlg::Sha256),
            "rsa-sha384" => Self::Rsa(HashAlg::Sha384),
            "rsa-sha512" => Self::Rsa(HashAlg::Sha512),
            "ecdsa-sha256" => Self::Ecdsa(HashAlg::Sha256),
            "ecdsa-sha384" => Self::Ecdsa(HashAlg::Sha384),
            "ecdsa-sha512" => Self::Ecdsa(HashAlg::Sha512),
            _ => return Err(XmlDsigError::Algorithm(uri.to_owned())),
        })
    }

    /// The hash function.
    pub fn hash(self) -> HashAlg {
        match self {
            Self::Rsa(h) | Self::Ecdsa(h) | Self::RsaPss(h) => h,
        }
    }

    fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        let oid = match self {
            Self::RsaPss(hash) => return crypto::pss_algorithm_identifier(hash),
            Self::Rsa(HashAlg::Sha256) => oid::RSA_SHA256,
            Self::Rsa(HashAlg::Sha384) => oid::RSA_SHA384,
            Self::Rsa(_) => oid::RSA_SHA512,
            Self::Ecdsa(HashAlg::Sha256) => oid::ECDSA_SHA256,
            Self::Ecdsa(HashAlg::Sha384) => oid::ECDSA_SHA384,
            Self::Ecdsa(_) => oid::ECDSA_SHA512,
        };
        AlgorithmIdentifierOwned {
            oid,
            parameters: None,
        }
    }

    /// Verifies `value` over `message` with `signer`'s key (and the key-size policy).
    pub fn verify(self, signer: &Cert, message: &[u8], value: &[u8]) -> Result<(), CryptoError> {
        let value = match self {
            Self::Ecdsa(_) => ecdsa_raw_to_der(value).map_err(|_| CryptoError::BadSignature)?,
            Self::Rsa(_) | Self::RsaPss(_) => value.to_vec(),
        };
        crypto::verify(signer.spki(), &self.algorithm_identifier(), message, &value)
    }
}

/// The hash for a DigestMethod Algorithm URI; SHA-1 is refused.
pub fn digest_method(uri: &str) -> Result<HashAlg, XmlDsigError> {
    Ok(match uri {
        "http://www.w3.org/2001/04/xmlenc#sha256" => HashAlg::Sha256,
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => HashAlg::Sha384,
        "http://www.w3.org/2001/04/xmlenc#sha512" => HashAlg::Sha512,
        _ => return Err(XmlDsigError::Algorithm(uri.to_owned())),
    })
}
