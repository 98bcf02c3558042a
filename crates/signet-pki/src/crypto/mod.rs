//! Signature verification and the algorithms Signet accepts.
//!
//! Accepted (`docs/validation-policy.md` section 4): ECDSA on P-256, P-384 and P-521 with
//! SHA-256/384/512 (RFC 5758 section 3.2, no parameters), RSA PKCS#1 v1.5 with SHA-256/384/512
//! (RFC 4055 section 5) and RSASSA-PSS (RFC 4055 section 3.1) with the same hashes and MGF1 over
//! the same hash, RSA keys of 2048 to 16384 bits with any odd exponent from 3 (`rsa_key`). SHA-1
//! and MD5 signatures are refused.

use std::time::{Duration, SystemTime};

use const_oid::ObjectIdentifier;
use der::Tagged as _;
use sha2::Digest as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

mod rsa_key;
mod verified;
pub use rsa_key::MAX_RSA_BITS;

/// Object identifiers of the algorithms.
pub mod oid {
    use const_oid::ObjectIdentifier as Oid;
    /// id-ecPublicKey.
    pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
    /// secp256r1.
    pub const P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
    /// secp384r1.
    pub const P384: Oid = Oid::new_unwrap("1.3.132.0.34");
    /// secp521r1.
    pub const P521: Oid = Oid::new_unwrap("1.3.132.0.35");
    /// rsaEncryption.
    pub const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
    /// id-RSASSA-PSS.
    pub const RSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
    /// id-mgf1.
    pub const MGF1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.8");
    /// sha256WithRSAEncryption.
    pub const RSA_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
    /// sha384WithRSAEncryption.
    pub const RSA_SHA384: Oid = Oid::new_unwrap("1.2.840.113549.1.1.12");
    /// sha512WithRSAEncryption.
    pub const RSA_SHA512: Oid = Oid::new_unwrap("1.2.840.113549.1.1.13");
    /// sha1WithRSAEncryption (refused).
    pub const RSA_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.1.1.5");
    /// ecdsa-with-SHA1 (refused).
    pub const ECDSA_SHA1: Oid = Oid::new_unwrap("1.2.840.10045.4.1");
    /// ecdsa-with-SHA256.
    pub const ECDSA_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
    /// ecdsa-with-SHA384.
    pub const ECDSA_SHA384: Oid = Oid::new_unwrap("1.2.840.10045.4.3.3");
    /// ecdsa-with-SHA512.
    pub const ECDSA_SHA512: Oid = Oid::new_unwrap("1.2.840.10045.4.3.4");
    /// id-sha1.
    pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
    /// id-sha256.
    pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
    /// id-sha384.
    pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
    /// id-sha512.
    pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
}

/// The smallest RSA modulus accepted, in bits.
pub const MIN_RSA_BITS: usize = 2048;

/// A hash function Signet computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// The hash for a digest algorithm identifier (SHA-1 is not one Signet accepts).
    pub fn from_oid(oid: ObjectIdentifier) -> Option<Self> {
        match oid {
            oid::SHA256 => Some(Self::Sha256),
            oid::SHA384 => Some(Self::Sha384),
            oid::SHA512 => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The digest algorithm's object identifier.
    pub const fn oid(self) -> ObjectIdentifier {
        match self {
            Self::Sha256 => oid::SHA256,
            Self::Sha384 => oid::SHA384,
            Self::Sha512 => oid::SHA512,
        }
    }

    /// The algorithm identifier, parameters absent (RFC 5754 section 2).
    pub fn algorithm_identifier(self) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid: self.oid(),
            parameters: None,
        }
    }

    /// Hashes `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Sha384 => sha2::Sha384::digest(data).to_vec(),
            Self::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }

    /// A hash to feed in pieces (a large file, a PDF's byte ranges).
    pub fn hasher(self) -> Hasher {
        match self {
            Self::Sha256 => Hasher(HasherState::Sha256(sha2::Sha256::new())),
            Self::Sha384 => Hasher(HasherState::Sha384(sha2::Sha384::new())),
            Self::Sha512 => Hasher(HasherState::Sha512(sha2::Sha512::new())),
        }
    }

    /// The digest length in octets.
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

/// Why a signature was not verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CryptoError {
    /// The signature algorithm is not one Signet accepts (SHA-1, MD5, unknown).
    #[error("signature algorithm {0} is not accepted")]
    UnsupportedAlgorithm(ObjectIdentifier),
    /// The public key type or curve is not supported.
    #[error("public key type {0} is not supported")]
    UnsupportedKey(ObjectIdentifier),
    /// The key is too small.
    #[error("RSA key of {bits} bits is below the minimum of {min} bits")]
    WeakKey {
        /// The key size.
        bits: usize,
        /// The policy's minimum.
        min: usize,
    },
    /// The algorithm does not fit the key (an ECDSA signature and an RSA key).
    #[error("signature algorithm {algorithm} does not fit a {key} key")]
    AlgorithmKeyMismatch {
        /// The signature algorithm.
        algorithm: ObjectIdentifier,
        /// The key type.
        key: ObjectIdentifier,
    },
    /// The public key or the signature is not well-formed.
    #[error("malformed {what}")]
    Malformed {
        /// What was malformed.
        what: &'static str,
    },
    /// The signature does not verify.
    #[error("the signature value does not verify")]
    BadSignature,
    /// The algorithm or key size was accepted once but is past its sunset date at the time
    /// judged.
    #[error("{what} is past its sunset date ({}) at the time judged", crate::time::Utc(*sunset))]
    PastSunset {
        /// The algorithm or key size (an entry of [`POLICY`]).
        what: &'static str,
        /// The end of its acceptance.
        sunset: SystemTime,
    },
}

impl CryptoError {
    /// Whether the failure is a policy refusal (algorithm or key size) rather than a bad value.
    pub fn is_policy(&self) -> bool {
        matches!(
            self,
            Self::UnsupportedAlgorithm(_) | Self::UnsupportedKey(_) | Self::WeakKey { .. }
        )
    }
}

/// One entry of Signet's algorithm policy: an accepted algorithm or key size and the instant its
/// acceptance ends (seconds after the Unix epoch), if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyEntry {
    /// The algorithm or key size.
    pub what: &'static str,
    /// The sunset: from this instant on the entry is no longer accepted. `None`: no sunset.
    pub sunset_unix: Option<u64>,
}

impl PolicyEntry {
    /// The sunset as a time.
    pub fn sunset(&self) -> Option<SystemTime> {
        self.sunset_unix
            .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
    }
}

/// 2031-01-01T00:00:00Z: the end of 2030, the end of 112-bit security strength (RSA 2048) in
/// NIST SP 800-57 Part 1 / SP 800-131A; SOG-IS and BSI TR-02102-1 already ask 3000 bits of new
/// keys. The date is Signet's policy (`docs/validation-policy.md` section 4.1).
pub const END_OF_2030: u64 = 1_924_992_000;

/// 2020-01-01T00:00:00Z: the sunset of SHA-1 in certificate signatures (the first practical
/// chosen-prefix SHA-1 collision, the attack that forges a CA's signature, was published in
/// January 2020). Signet's policy, `docs/validation-policy.md` section 4.1.
pub const SHA1_CERTIFICATE_SUNSET: u64 = 1_577_836_800;

/// The policy entry of SHA-1 in certificate signatures.
pub const SHA1_CERTIFICATES: &str = "SHA-1 in certificate signatures (sha1WithRSAEncryption)";

/// Signet's table of accepted signature algorithms, hash functions and key sizes with their
/// sunset dates (after ETSI TS 119 312, SOG-IS, BSI TR-02102-1 and NIST SP 800-57; the dates
/// are Signet's policy). What is not in the table is refused: MD5, SHA-1 in anything but a
/// certificate's signature, RSA below 2048 bits, curves other than P-256, P-384 and P-521,
/// other key types.
pub const POLICY: &[PolicyEntry] = &[
    PolicyEntry {
        what: SHA1_CERTIFICATES,
        sunset_unix: Some(SHA1_CERTIFICATE_SUNSET),
    },
    PolicyEntry {
        what: "SHA-256",
        sunset_unix: None,
    },
    PolicyEntry {
        what: "SHA-384",
        sunset_unix: None,
    },
    PolicyEntry {
        what: "SHA-512",
        sunset_unix: None,
    },
    PolicyEntry {
        what: "ECDSA P-256",
        sunset_unix: None,
    },
    PolicyEntry {
        what: "ECDSA P-384",
        sunset_unix: None,
    },
    PolicyEntry {
        what: "ECDSA P-521",
        sunset_unix: None,
    },
    PolicyEntry {
        what: "RSA 3072 bits or more",
        sunset_unix: None,
    },
    PolicyEntry {
        what: "RSA 2048-3071 bits",
        sunset_unix: Some(END_OF_2030),
    },
    PolicyEntry {
        what: "RSASSA-PKCS1-v1_5",
        sunset_unix: None,
    },
    PolicyEntry {
        what: "RSASSA-PSS",
        sunset_unix: None,
    },
];

fn policy_entry(what: &str) -> &'static PolicyEntry {
    POLICY
        .iter()
        .find(|e| e.what == what)
        .expect("every accepted key has a policy entry")
}

/// How a signature is computed: the scheme and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Ecdsa(HashAlg),
    RsaPkcs1(HashAlg),
    RsaPss(HashAlg),
}

/// RSASSA-PSS-params (RFC 4055 section 3.1):
///
/// ```text
/// RSASSA-PSS-params ::= SEQUENCE {
///     hashAlgorithm      [0] HashAlgorithm DEFAULT sha1Identifier,
///     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1Identifier,
///     saltLength         [2] INTEGER DEFAULT 20,
///     trailerField       [3] INTEGER DEFAULT 1 }
/// ```
#[derive(Debug, der::Sequence)]
struct PssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

/// Whether an AlgorithmIdentifier's parameters are absent or NULL (both mean "none" for the
/// SHA-2 hashes, RFC 4055 section 2.1).
fn no_parameters(alg: &AlgorithmIdentifierOwned) -> bool {
    alg.parameters
        .as_ref()
        .is_none_or(|p| p.tag() == der::Tag::Null && p.value().is_empty())
}

/// RSASSA-PSS parameters, strictly: the hash explicit (SHA-256/384/512, parameters absent or
/// NULL), MGF1 explicit with the same hash, the salt as long as the hash, the trailer field 1.
/// The SHA-1 defaults of RFC 4055 are refused: every field Signet accepts is explicit.
fn pss_scheme(params: Option<&der::Any>) -> Result<Scheme, CryptoError> {
    let unsupported = CryptoError::UnsupportedAlgorithm(oid::RSA_PSS);
    let params = params.ok_or(unsupported.clone())?;
    let malformed = CryptoError::Malformed {
        what: "RSASSA-PSS parameters",
    };
    if params.tag() != der::Tag::Sequence {
        return Err(malformed);
    }
    let params: PssParams = params.decode_as().map_err(|_| malformed.clone())?;
    let hash_alg = params.hash.ok_or(unsupported.clone())?;
    let hash = HashAlg::from_oid(hash_alg.oid).ok_or(unsupported.clone())?;
    if !no_parameters(&hash_alg) {
        return Err(malformed);
    }
    let mgf = params.mask_gen.ok_or(unsupported.clone())?;
    if mgf.oid != oid::MGF1 {
        return Err(unsupported);
    }
    let mgf_hash: AlgorithmIdentifierOwned = mgf
        .parameters
        .as_ref()
        .ok_or(malformed.clone())?
        .decode_as()
        .map_err(|_| malformed.clone())?;
    if !no_parameters(&mgf_hash) {
        return Err(malformed);
    }
    if mgf_hash.oid != hash.oid()
        || params.salt_length.unwrap_or(20) as usize != hash.output_len()
        || params.trailer_field.unwrap_or(1) != 1
    {
        return Err(unsupported);
    }
    Ok(Scheme::RsaPss(hash))
}

/// The id-RSASSA-PSS AlgorithmIdentifier Signet verifies with `hash`: the hash explicit, MGF1
/// with the same hash, a salt as long as the hash, trailer field 1 (omitted, its DEFAULT). It is
/// what XML-DSig's `sha256-rsa-MGF1` family means (RFC 6931 section 2.3.10).
pub fn pss_algorithm_identifier(hash: HashAlg) -> AlgorithmIdentifierOwned {
    let mgf_hash = der::Any::encode_from(&hash.algorithm_identifier())
        .expect("an AlgorithmIdentifier encodes");
    let params = PssParams {
        hash: Some(hash.algorithm_identifier()),
        mask_gen: Some(AlgorithmIdentifierOwned {
            oid: oid::MGF1,
            parameters: Some(mgf_hash),
        }),
        salt_length: Some(hash.output_len() as u32),
        trailer_field: None,
    };
    AlgorithmIdentifierOwned {
        oid: oid::RSA_PSS,
        parameters: Some(der::Any::encode_from(&params).expect("PSS parameters encode")),
    }
}

fn scheme(alg: &AlgorithmIdentifierOwned) -> Result<Scheme, CryptoError> {
    Ok(match alg.oid {
        oid::ECDSA_SHA256 => Scheme::Ecdsa(HashAlg::Sha256),
        oid::ECDSA_SHA384 => Scheme::Ecdsa(HashAlg::Sha384),
        oid::ECDSA_SHA512 => Scheme::Ecdsa(HashAlg::Sha512),
        oid::RSA_SHA256 => Scheme::RsaPkcs1(HashAlg::Sha256),
        oid::RSA_SHA384 => Scheme::RsaPkcs1(HashAlg::Sha384),
        oid::RSA_SHA512 => Scheme::RsaPkcs1(HashAlg::Sha512),
        oid::RSA_PSS => pss_scheme(alg.parameters.as_ref())?,
        other => return Err(CryptoError::UnsupportedAlgorithm(other)),
    })
}

/// Resolves a CMS SignerInfo's (digestAlgorithm, signatureAlgorithm) pair: CMS allows the bare
/// key type (`rsaEncryption`, `id-ecPublicKey`) as signatureAlgorithm, with the hash taken from
/// digestAlgorithm (RFC 5652 section 5.3, RFC 5754).
pub fn cms_signature_algorithm(
    digest: &AlgorithmIdentifierOwned,
    signature: &AlgorithmIdentifierOwned,
) -> Result<AlgorithmIdentifierOwned, CryptoError> {
    let hash =
        HashAlg::from_oid(digest.oid).ok_or(CryptoError::UnsupportedAlgorithm(digest.oid))?;
    if signature.oid == oid::RSA_PSS {
        // RFC 4056 section 3: the digestAlgorithm is the PSS parameters' hash.
        return match pss_scheme(signature.parameters.as_ref())? {
            Scheme::RsaPss(h) if h == hash => Ok(signature.clone()),
            _ => Err(CryptoError::Malformed {
                what: "RSASSA-PSS parameters (their hash is not the digest algorithm)",
            }),
        };
    }
    let oid = match (signature.oid, hash) {
        (oid::RSA, HashAlg::Sha256) => oid::RSA_SHA256,
        (oid::RSA, HashAlg::Sha384) => oid::RSA_SHA384,
        (oid::RSA, HashAlg::Sha512) => oid::RSA_SHA512,
        (oid::EC_PUBLIC_KEY, HashAlg::Sha256) => oid::ECDSA_SHA256,
        (oid::EC_PUBLIC_KEY, HashAlg::Sha384) => oid::ECDSA_SHA384,
        (oid::EC_PUBLIC_KEY, HashAlg::Sha512) => oid::ECDSA_SHA512,
        _ => return Ok(signature.clone()),
    };
    Ok(AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    })
}

/// A public key Signet can verify with, after the key-size policy.
#[derive(Debug, Clone)]
pub enum PublicKey {
    /// ECDSA P-256.
    P256(p256::ecdsa::VerifyingKey),
    /// ECDSA P-384.
    P384(p384::ecdsa::VerifyingKey),
    /// ECDSA P-521 (the ESTEID2018 and EE-GovCA2018 CAs).
    P521(Box<ecdsa::VerifyingKey<p521::NistP521>>),
    /// RSA.
    Rsa(rsa::RsaPublicKey),
}

impl PublicKey {
    /// Reads a SubjectPublicKeyInfo and applies the key policy.
    pub fn from_spki(spki: &SubjectPublicKeyInfoOwned) -> Result<Self, CryptoError> {
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(CryptoError::Malformed {
                what: "public key bit string",
            })?;
        match spki.algorithm.oid {
            oid::EC_PUBLIC_KEY => {
                let curve: ObjectIdentifier = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as().ok())
                    .ok_or(CryptoError::Malformed {
                        what: "EC curve parameter",
                    })?;
                let malformed = |_| CryptoError::Malformed {
                    what: "EC public key",
                };
                match curve {
                    oid::P256 => Ok(Self::P256(
                        p256::ecdsa::VerifyingKey::from_sec1_bytes(bits).map_err(malformed)?,
                    )),
                    oid::P384 => Ok(Self::P384(
                        p384::ecdsa::VerifyingKey::from_sec1_bytes(bits).map_err(malformed)?,
                    )),
                    oid::P521 => Ok(Self::P521(Box::new(
                        ecdsa::VerifyingKey::<p521::NistP521>::from_sec1_bytes(bits)
                            .map_err(malformed)?,
                    ))),
                    other => Err(CryptoError::UnsupportedKey(other)),
                }
            }
            oid::RSA | oid::RSA_PSS => {
                use rsa::traits::PublicKeyParts as _;
                let key = rsa_key::parse(bits)?;
                let size = key.n().bits();
                if size < MIN_RSA_BITS {
                    return Err(CryptoError::WeakKey {
                        bits: size,
                        min: MIN_RSA_BITS,
                    });
                }
                Ok(Self::Rsa(key))
            }
            other => Err(CryptoError::UnsupportedKey(other)),
        }
    }

    /// The policy entry of this key (its type and size).
    pub fn policy_entry(&self) -> &'static PolicyEntry {
        policy_entry(match self {
            Self::P256(_) => "ECDSA P-256",
            Self::P384(_) => "ECDSA P-384",
            Self::P521(_) => "ECDSA P-521",
            Self::Rsa(k) => {
                use rsa::traits::PublicKeyParts as _;
                if k.n().bits() >= 3072 {
                    "RSA 3072 bits or more"
                } else {
                    "RSA 2048-3071 bits"
                }
            }
        })
    }

    /// Whether the key's type and size are still accepted at `at`: a key past the sunset of its
    /// [`POLICY`] entry gives [`CryptoError::PastSunset`].
    pub fn check_sunset(&self, at: SystemTime) -> Result<(), CryptoError> {
        let entry = self.policy_entry();
        match entry.sunset() {
            Some(sunset) if at >= sunset => Err(CryptoError::PastSunset {
                what: entry.what,
                sunset,
            }),
            _ => Ok(()),
        }
    }

    /// A short description for reports: `EC P-384`, `RSA 3072`.
    pub fn describe(&self) -> String {
        match self {
            Self::P256(_) => "EC P-256".to_owned(),
            Self::P384(_) => "EC P-384".to_owned(),
            Self::P521(_) => "EC P-521".to_owned(),
            Self::Rsa(k) => {
                use rsa::traits::PublicKeyParts as _;
                format!("RSA {}", k.n().bits())
            }
        }
    }

    /// Verifies `signature` over `message` with the algorithm `alg`.
    pub fn verify(
        &self,
        alg: &AlgorithmIdentifierOwned,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), CryptoError> {
        let scheme = scheme(alg)?;
        let bad = |_| CryptoError::BadSignature;
        match (self, scheme) {
            (Self::P256(key), Scheme::Ecdsa(hash)) => {
                // Strict DER, as RustCrypto reads it, before AWS-LC computes.
                p256::ecdsa::Signature::from_der(signature).map_err(bad)?;
                ecdsa_verify(
                    Curve::P256,
                    hash,
                    key.to_encoded_point(false).as_bytes(),
                    message,
                    signature,
                )
            }
            (Self::P384(key), Scheme::Ecdsa(hash)) => {
                p384::ecdsa::Signature::from_der(signature).map_err(bad)?;
                ecdsa_verify(
                    Curve::P384,
                    hash,
                    key.to_encoded_point(false).as_bytes(),
                    message,
                    signature,
                )
            }
            (Self::P521(key), Scheme::Ecdsa(hash)) => {
                ecdsa::Signature::<p521::NistP521>::from_der(signature).map_err(bad)?;
                ecdsa_verify(
                    Curve::P521,
                    hash,
                    key.to_encoded_point(false).as_bytes(),
                    message,
                    signature,
                )
            }
            (Self::Rsa(key), Scheme::RsaPkcs1(hash)) => {
                let padding = match hash {
                    HashAlg::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                    HashAlg::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                    HashAlg::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
                };
                key.verify(padding, &hash.digest(message), signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            (Self::Rsa(key), Scheme::RsaPss(hash)) => {
                let padding = match hash {
                    HashAlg::Sha256 => rsa::Pss::new::<sha2::Sha256>(),
                    HashAlg::Sha384 => rsa::Pss::new::<sha2::Sha384>(),
                    HashAlg::Sha512 => rsa::Pss::new::<sha2::Sha512>(),
                };
                key.verify(padding, &hash.digest(message), signature)
                    .map_err(|_| CryptoError::BadSignature)
            }
            (key, _) => Err(CryptoError::AlgorithmKeyMismatch {
                algorithm: alg.oid,
                key: match key {
                    Self::P256(_) | Self::P384(_) | Self::P521(_) => oid::EC_PUBLIC_KEY,
                    Self::Rsa(_) => oid::RSA,
                },
            }),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Curve {
    P256,
    P384,
    P521,
}

/// ECDSA verification by AWS-LC (its curves are assembly, several times faster than the
/// pure-Rust ones): `point` is the uncompressed SEC1 public key RustCrypto has already checked,
/// `signature` the DER `ECDSA-Sig-Value`; `message` is hashed with `hash`.
fn ecdsa_verify(
    curve: Curve,
    hash: HashAlg,
    point: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    use aws_lc_rs::signature as sig;
    let algorithm: &'static sig::EcdsaVerificationAlgorithm = match (curve, hash) {
        (Curve::P256, HashAlg::Sha256) => &sig::ECDSA_P256_SHA256_ASN1,
        (Curve::P256, HashAlg::Sha384) => &sig::ECDSA_P256_SHA384_ASN1,
        (Curve::P256, HashAlg::Sha512) => &sig::ECDSA_P256_SHA512_ASN1,
        (Curve::P384, HashAlg::Sha256) => &sig::ECDSA_P384_SHA256_ASN1,
        (Curve::P384, HashAlg::Sha384) => &sig::ECDSA_P384_SHA384_ASN1,
        (Curve::P384, HashAlg::Sha512) => &sig::ECDSA_P384_SHA512_ASN1,
        (Curve::P521, HashAlg::Sha256) => &sig::ECDSA_P521_SHA256_ASN1,
        (Curve::P521, HashAlg::Sha384) => &sig::ECDSA_P521_SHA384_ASN1,
        (Curve::P521, HashAlg::Sha512) => &sig::ECDSA_P521_SHA512_ASN1,
    };
    sig::UnparsedPublicKey::new(algorithm, point)
        .verify(message, signature)
        .map_err(|_| CryptoError::BadSignature)
}

/// The legacy algorithm `alg` is, when it is one Signet accepts only for a certificate's
/// signature proven to exist before its sunset: its [`POLICY`] entry.
pub fn legacy_certificate_algorithm(
    alg: &AlgorithmIdentifierOwned,
) -> Option<&'static PolicyEntry> {
    (alg.oid == oid::RSA_SHA1 && no_parameters(alg)).then(|| policy_entry(SHA1_CERTIFICATES))
}

/// DigestInfo prefix of SHA-1 (RFC 8017 section 9.2, note 1).
const SHA1_DIGEST_INFO: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

/// Verifies a certificate's signature: as [`verify`], and also with a legacy algorithm
/// ([`legacy_certificate_algorithm`]), whose policy entry is then returned. The caller must judge
/// that entry's sunset against the time the certificate is proven to exist
/// (`PathValidator` does); without such a proof the signature is not acceptable.
pub fn verify_certificate_signature(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<Option<&'static PolicyEntry>, CryptoError> {
    let _span = tracing::trace_span!("verify.crypto").entered();
    let Some(entry) = legacy_certificate_algorithm(alg) else {
        return verify_shared(spki, alg, message, signature).map(|()| None);
    };
    let PublicKey::Rsa(key) = PublicKey::from_spki(spki)? else {
        return Err(CryptoError::AlgorithmKeyMismatch {
            algorithm: alg.oid,
            key: spki.algorithm.oid,
        });
    };
    use sha1::Digest as _;
    let padding = rsa::Pkcs1v15Sign {
        hash_len: Some(20),
        prefix: SHA1_DIGEST_INFO.to_vec().into_boxed_slice(),
    };
    key.verify(padding, &sha1::Sha1::digest(message), signature)
        .map_err(|_| CryptoError::BadSignature)?;
    Ok(Some(entry))
}

/// Verifies `signature` over `message` by the key in `spki`.
pub fn verify(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let _span = tracing::trace_span!("verify.crypto").entered();
    PublicKey::from_spki(spki)?.verify(alg, message, signature)
}

/// [`verify`] for what many documents share — certificates and CRLs: a success is remembered
/// for this process (`verified`), so the same certificate met again is not checked again with
/// the key. Signatures that belong to one document (its signer's, its time-stamp's, its OCSP
/// answer's) use [`verify`].
pub fn verify_shared(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Result<(), CryptoError> {
    let memo = verified::key(spki, alg, message, signature);
    if memo.as_ref().is_some_and(verified::known) {
        return Ok(());
    }
    verify(spki, alg, message, signature)?;
    if let Some(key) = memo {
        verified::remember(key);
    }
    Ok(())
}

/// A [`HashAlg`] fed in pieces; [`HashAlg::hasher`] makes one.
#[derive(Clone)]
pub struct Hasher(HasherState);

#[derive(Clone)]
enum HasherState {
    Sha256(sha2::Sha256),
    Sha384(sha2::Sha384),
    Sha512(sha2::Sha512),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher").finish_non_exhaustive()
    }
}

impl Hasher {
    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            HasherState::Sha256(h) => h.update(data),
            HasherState::Sha384(h) => h.update(data),
            HasherState::Sha512(h) => h.update(data),
        }
    }

    /// The digest of everything added.
    pub fn finish(self) -> Vec<u8> {
        match self.0 {
            HasherState::Sha256(h) => h.finalize().to_vec(),
            HasherState::Sha384(h) => h.finalize().to_vec(),
            HasherState::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

#[cfg(test)]
mod tests;
