//! Private keys of the test PKI, and signing with them.

use std::fmt;

use der::asn1::ObjectIdentifier;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::TestkitError;

/// `ecdsa-with-SHA256` (RFC 5758 section 3.2): no parameters.
const ECDSA_WITH_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// `ecdsa-with-SHA384` (RFC 5758 section 3.2): no parameters.
const ECDSA_WITH_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");

/// A private key of the test PKI.
///
/// Elliptic-curve keys are made in process; RSA keys come from `openssl genpkey`, which is much
/// faster than an unoptimised debug build of a pure-Rust prime search.
pub enum TestKey {
    /// ECDSA on NIST P-256.
    P256(p256::ecdsa::SigningKey),
    /// ECDSA on NIST P-384, the curve of the Estonian ID card and its CAs.
    P384(p384::ecdsa::SigningKey),
    /// RSA; only used as a subject key here (certificates are signed with EC keys).
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl fmt::Debug for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self {
            Self::P256(_) => "P-256",
            Self::P384(_) => "P-384",
            Self::Rsa(_) => "RSA",
        };
        write!(f, "TestKey({kind})")
    }
}

impl TestKey {
    /// A fresh P-256 key.
    pub fn p256() -> Self {
        Self::P256(p256::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }

    /// A fresh P-384 key.
    pub fn p384() -> Self {
        Self::P384(p384::ecdsa::SigningKey::random(&mut rand_core::OsRng))
    }

    /// An RSA key read from PKCS#8 PEM (as written by `openssl genpkey`).
    pub fn rsa_from_pem(pem: &str) -> Result<Self, TestkitError> {
        use rsa::pkcs8::DecodePrivateKey as _;
        let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
            .map_err(|e| TestkitError::Key(format!("RSA PKCS#8: {e}")))?;
        Ok(Self::Rsa(Box::new(key)))
    }

    /// The SubjectPublicKeyInfo of the key.
    pub fn spki(&self) -> Result<SubjectPublicKeyInfoOwned, TestkitError> {
        use spki::EncodePublicKey as _;
        let der = match self {
            Self::P256(k) => k.verifying_key().to_public_key_der(),
            Self::P384(k) => k.verifying_key().to_public_key_der(),
            Self::Rsa(k) => k.to_public_key().to_public_key_der(),
        }
        .map_err(|e| TestkitError::Key(e.to_string()))?;
        SubjectPublicKeyInfoOwned::try_from(der.as_bytes())
            .map_err(|e| TestkitError::Key(e.to_string()))
    }

    /// The key as unencrypted PKCS#8 PEM, for OpenSSL.
    pub fn to_pkcs8_pem(&self) -> Result<String, TestkitError> {
        use p384::pkcs8::{EncodePrivateKey as _, LineEnding};
        let pem = match self {
            Self::P256(k) => p256::SecretKey::from(k).to_pkcs8_pem(LineEnding::LF),
            Self::P384(k) => p384::SecretKey::from(k).to_pkcs8_pem(LineEnding::LF),
            Self::Rsa(k) => k.to_pkcs8_pem(LineEnding::LF),
        }
        .map_err(|e| TestkitError::Key(e.to_string()))?;
        Ok(pem.to_string())
    }

    /// The signature algorithm this key signs certificates with.
    pub fn signature_algorithm(&self) -> Result<AlgorithmIdentifierOwned, TestkitError> {
        match self {
            Self::P256(_) => Ok(AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA256,
                parameters: None,
            }),
            Self::P384(_) => Ok(AlgorithmIdentifierOwned {
                oid: ECDSA_WITH_SHA384,
                parameters: None,
            }),
            Self::Rsa(_) => Err(TestkitError::Key(
                "the test PKI signs certificates with EC keys only".into(),
            )),
        }
    }

    /// Signs `message` with [`Self::signature_algorithm`]; ECDSA signatures are DER encoded.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, TestkitError> {
        use signature::Signer as _;
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                Ok(sig.to_der().to_bytes().to_vec())
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign(message);
                Ok(sig.to_der().to_bytes().to_vec())
            }
            Self::Rsa(_) => Err(TestkitError::Key(
                "the test PKI signs certificates with EC keys only".into(),
            )),
        }
    }

    /// Signs a precomputed `digest` as an XML signature value: raw r‖s for ECDSA (the card's
    /// output), PKCS #1 v1.5 with the DigestInfo of SHA-256/384/512 (by the digest's length)
    /// for RSA.
    pub fn sign_digest_raw(&self, digest: &[u8]) -> Result<Vec<u8>, TestkitError> {
        use signature::hazmat::PrehashSigner as _;
        let bad = |e: signature::Error| TestkitError::Key(e.to_string());
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sign_prehash(digest).map_err(bad)?;
                Ok(sig.to_bytes().to_vec())
            }
            Self::P384(k) => {
                let sig: p384::ecdsa::Signature = k.sign_prehash(digest).map_err(bad)?;
                Ok(sig.to_bytes().to_vec())
            }
            Self::Rsa(k) => {
                let scheme = match digest.len() {
                    32 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    48 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    _ => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                k.sign(scheme, digest)
                    .map_err(|e| TestkitError::Key(format!("RSA: {e}")))
            }
        }
    }

    /// The SHA-1-free key identifier used for SKI/AKI: SHA-256 of the subjectPublicKey bits,
    /// truncated to 20 octets (RFC 7093 section 2, method 1).
    pub fn key_id(&self) -> Result<Vec<u8>, TestkitError> {
        use sha2::Digest as _;
        let spki = self.spki()?;
        let bits = spki.subject_public_key.raw_bytes();
        let digest = sha2::Sha256::digest(bits);
        Ok(digest[..20].to_vec())
    }
}
