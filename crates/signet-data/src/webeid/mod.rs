//! The Web eID authentication token, formats `web-eid:1.0` and `web-eid:1.1`
//! (web-eid/web-eid-system-architecture-doc; data-protocol.md section 7).
//!
//! > "`unverifiedCertificate` (base64 DER auth certificate, untrusted until validated),
//! > `algorithm` (ES256/384/512, PS256/384/512, RS256/384/512 per RFC 7518), `signature`
//! > (base64; ECDSA as raw r‖s), `format` (`web-eid:<major>.<minor>`; validators accept any
//! > `web-eid:1…` prefix), `appVersion` (informative URL). Unknown fields are ignored."
//!
//! [`TokenValidator`] matches the format exactly (`web-eid:1.0`, `web-eid:1.1`), not by the
//! prefix quoted above: a minor version it does not know has no rules it could check.
//!
//! The signature covers `M = H(origin) ‖ H(nonce)`, H the hash of the JWA algorithm, `origin`
//! the UTF-8 bytes of `https://host[:port]` and `nonce` the UTF-8 bytes of the base64 text the
//! server issued ([`signing_input`]).
//!
//! Tokens are made with any [`AuthSigner`]: the card's `SigningToken` adapter comes with the
//! card issue (signet-token); tests use a software key. [`TokenValidator`] is the node's side.

mod nonce;
mod validate;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;

pub use nonce::{NONCE_LIFETIME, Nonce, NonceError, NonceStore};
pub use validate::{AuthError, AuthenticatedPerson, TokenValidator};

/// The format this crate writes for a token without a signing certificate.
pub const FORMAT_1_0: &str = "web-eid:1.0";
/// The format with `unverifiedSigningCertificate` and `supportedSignatureAlgorithms`.
pub const FORMAT_1_1: &str = "web-eid:1.1";

/// A JWA signature algorithm (RFC 7518 section 3.1) allowed in tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[non_exhaustive]
pub enum JwsAlgorithm {
    /// ECDSA P-256 with SHA-256.
    ES256,
    /// ECDSA P-384 with SHA-384 (the Estonian ID card).
    ES384,
    /// ECDSA P-521 with SHA-512.
    ES512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
}

impl JwsAlgorithm {
    /// Reads a JWA name.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "ES256" => Self::ES256,
            "ES384" => Self::ES384,
            "ES512" => Self::ES512,
            "PS256" => Self::PS256,
            "PS384" => Self::PS384,
            "PS512" => Self::PS512,
            "RS256" => Self::RS256,
            "RS384" => Self::RS384,
            "RS512" => Self::RS512,
            _ => return None,
        })
    }

    /// The JWA name.
    pub fn name(self) -> &'static str {
        match self {
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::ES512 => "ES512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
        }
    }

    /// `H(data)` with the algorithm's hash.
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::ES256 | Self::PS256 | Self::RS256 => sha2::Sha256::digest(data).to_vec(),
            Self::ES384 | Self::PS384 | Self::RS384 => sha2::Sha384::digest(data).to_vec(),
            Self::ES512 | Self::PS512 | Self::RS512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// The origin a token is bound to: `https://host[:port]`, no path, no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin(String);

/// A text that is not an origin.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not an origin of the form https://host[:port]")]
pub struct OriginError {
    /// The text.
    pub text: String,
}

impl Origin {
    /// Parses `https://host[:port]` (lowercase host; no user, path, query or fragment).
    pub fn parse(text: &str) -> Result<Self, OriginError> {
        let err = || OriginError {
            text: text.chars().take(100).collect(),
        };
        let rest = text.strip_prefix("https://").ok_or_else(err)?;
        // An IPv6 literal is bracketed; otherwise the port follows the last colon.
        let (host, port) = match rest.find(']') {
            Some(end) if rest.starts_with('[') => match &rest[end + 1..] {
                "" => (&rest[..=end], None),
                tail => (&rest[..=end], Some(tail.strip_prefix(':').ok_or_else(err)?)),
            },
            _ => match rest.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (rest, None),
            },
        };
        let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            Some(v6) => {
                !v6.is_empty()
                    && v6
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            }
            None => {
                !host.is_empty()
                    && host.bytes().all(|b| {
                        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.'
                    })
            }
        };
        let port_ok = port.is_none_or(|p| {
            !p.is_empty()
                && p.len() <= 5
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u16>().is_ok()
        });
        if host_ok && port_ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(err())
        }
    }

    /// The origin text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `M = H(origin) ‖ H(nonce)`: what the authentication key signs (itself hashing M once more
/// with the algorithm's hash, as every JWA signature does).
pub fn signing_input(algorithm: JwsAlgorithm, origin: &Origin, nonce: &Nonce) -> Vec<u8> {
    let mut m = algorithm.hash(origin.as_str().as_bytes());
    m.extend_from_slice(&algorithm.hash(nonce.as_str().as_bytes()));
    m
}

/// One entry of `supportedSignatureAlgorithms` (web-eid:1.1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SupportedSignatureAlgorithm {
    /// `ECC` or `RSA`.
    pub crypto_algorithm: String,
    /// `SHA-224` … `SHA-512`, `SHA3-224` … `SHA3-512`.
    pub hash_function: String,
    /// `NONE`, `PKCS1.5` or `PSS`.
    pub padding_scheme: String,
}

/// The Web eID authentication token, as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuthToken {
    /// Base64 DER of the authentication certificate; untrusted until validated.
    pub unverified_certificate: String,
    /// The JWA algorithm name.
    pub algorithm: String,
    /// Base64 signature over [`signing_input`]; ECDSA as raw r‖s.
    pub signature: String,
    /// `web-eid:1.0` or `web-eid:1.1`, matched exactly (not by prefix).
    pub format: String,
    /// Informative: the app that made the token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub app_version: Option<String>,
    /// web-eid:1.1: base64 DER of the signing certificate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub unverified_signing_certificate: Option<String>,
    /// web-eid:1.1: what the signing key supports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub supported_signature_algorithms: Option<Vec<SupportedSignatureAlgorithm>>,
}

/// A holder of an authentication key: the card through signet-token's `SigningToken` (with the
/// card issue), or a software key in tests.
pub trait AuthSigner {
    /// Why signing failed.
    type Error: std::error::Error;
    /// The DER authentication certificate.
    fn certificate(&self) -> &[u8];
    /// The algorithm the key signs with.
    fn algorithm(&self) -> JwsAlgorithm;
    /// Signs `message` with [`Self::algorithm`] (hashing it with the algorithm's hash); ECDSA
    /// signatures are returned as raw r‖s.
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Self::Error>;
}

/// For web-eid:1.1: the signing certificate and what its key supports.
#[derive(Debug, Clone)]
pub struct SigningCertificateInfo {
    /// The DER signing certificate.
    pub certificate: Vec<u8>,
    /// The algorithms its key supports.
    pub supported: Vec<SupportedSignatureAlgorithm>,
}

/// Makes a token for `origin` and `nonce`: web-eid:1.0, or web-eid:1.1 when `signing` is given.
pub fn create_token<S: AuthSigner>(
    signer: &S,
    origin: &Origin,
    nonce: &Nonce,
    signing: Option<&SigningCertificateInfo>,
) -> Result<AuthToken, S::Error> {
    let algorithm = signer.algorithm();
    let signature = signer.sign(&signing_input(algorithm, origin, nonce))?;
    Ok(AuthToken {
        unverified_certificate: STANDARD.encode(signer.certificate()),
        algorithm: algorithm.name().to_owned(),
        signature: STANDARD.encode(signature),
        format: if signing.is_some() {
            FORMAT_1_1
        } else {
            FORMAT_1_0
        }
        .to_owned(),
        app_version: Some(concat!("https://signet.invalid/", env!("CARGO_PKG_VERSION")).to_owned()),
        unverified_signing_certificate: signing.map(|s| STANDARD.encode(&s.certificate)),
        supported_signature_algorithms: signing.map(|s| s.supported.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        for ok in [
            "https://ria.ee",
            "https://node.example:8443",
            "https://127.0.0.1:3000",
        ] {
            assert!(Origin::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://ria.ee",
            "https://ria.ee/",
            "https://ria.ee/path",
            "https://RIA.ee",
            "https://",
            "https://ria.ee:99999",
            "https://user@ria.ee",
            "https://ria.ee?x",
            "https://[::1]x",
            "https://ria.ee:8443:1",
        ] {
            assert!(Origin::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn hashing_each_part_separates_fields() {
        let n1 = Nonce::parse("eu1234567890123456789012345678901234567890123").unwrap();
        let a = signing_input(
            JwsAlgorithm::ES384,
            &Origin::parse("https://example.com").unwrap(),
            &n1,
        );
        assert_eq!(a.len(), 96);
        assert_eq!(
            &a[..48],
            sha2::Sha384::digest(b"https://example.com").as_slice()
        );
    }
}
