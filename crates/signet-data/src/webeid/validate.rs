//! Validating a Web eID authentication token on the node.
//!
//! Order (web-eid-authtoken-validation-java README): format; the certificate parses, is within
//! its validity period, carries digitalSignature (and id-kp-clientAuth when it has an extended
//! key usage) and chains to a trusted CA; revocation through OCSP when the caller asks for it;
//! then the signature over `H(origin) ‖ H(nonce)`; then the subject. The nonce's single use and
//! lifetime are the caller's [`super::NonceStore`]; this function checks that the token signs the
//! nonce it is given. For web-eid:1.1 the signing certificate must parse, have the same subject
//! and the same issuer (authority key identifier) as the authentication certificate, be valid
//! now, carry nonRepudiation, and chain to the same trusted person CAs (its own signature is
//! verified, so a certificate merely claiming the issuer's name and key identifier is refused).
//!
//! Formats are matched exactly: `web-eid:1.0` and `web-eid:1.1` (`web-eid:<major>.<minor>`), so
//! `web-eid:1`, `web-eid:1.10x` or `web-eid:1.0 ` are refused rather than read by their prefix.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use signet_core::Clock;
use signet_pki::crypto::{PublicKey, oid};
use signet_pki::{Cert, PathValidator, Purpose, Revocation, TrustAnchors, ValidationTime};
use spki::AlgorithmIdentifierOwned;
use x509_cert::der::asn1::{PrintableStringRef, Utf8StringRef};
use x509_cert::ext::pkix::KeyUsages;
use x509_cert::name::Name;

use super::{AuthToken, FORMAT_1_0, FORMAT_1_1, JwsAlgorithm, Nonce, Origin, signing_input};
use crate::entry::PersonCode;

/// Why a token was refused. Messages never include the token or the personal code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// A format other than exactly `web-eid:1.0` or `web-eid:1.1`.
    #[error("unsupported token format {format:?}; expected web-eid:1.0 or web-eid:1.1")]
    UnsupportedFormat {
        /// The format claimed (at most 40 characters).
        format: String,
    },
    /// An algorithm that is not accepted.
    #[error("unsupported signature algorithm {algorithm:?}")]
    UnsupportedAlgorithm {
        /// The algorithm claimed (at most 40 characters).
        algorithm: String,
    },
    /// A field is not what it should be.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// The authentication certificate is not valid for authentication now.
    #[error("the authentication certificate is not accepted: {reason}")]
    Certificate {
        /// The path validation findings.
        reason: String,
    },
    /// The algorithm does not fit the certificate's key.
    #[error("the algorithm {algorithm} does not fit the certificate's {key} key")]
    AlgorithmMismatch {
        /// The algorithm.
        algorithm: &'static str,
        /// The key.
        key: String,
    },
    /// The signature does not verify over the origin and nonce this node expects: a token for
    /// another site, another nonce, or forged.
    #[error("the token's signature does not verify for origin {origin} and the issued nonce")]
    BadSignature {
        /// The node's origin.
        origin: String,
    },
    /// The web-eid:1.1 signing certificate does not belong with the authentication certificate.
    #[error("the signing certificate is not accepted: {0}")]
    SigningCertificate(&'static str),
    /// The certificate names no Estonian personal code.
    #[error("the certificate's subject has no Estonian personal code (serialNumber PNOEE-…)")]
    NoPersonalCode,
}

/// The person a valid token authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatedPerson {
    /// `EE` + the personal code from the subject's serialNumber.
    pub code: PersonCode,
    /// Given name and surname from the subject.
    pub name: String,
}

/// The node's token validator: its trust anchors, the intermediate CAs it knows and its origin.
#[derive(Debug)]
pub struct TokenValidator {
    anchors: TrustAnchors,
    intermediates: Vec<Cert>,
    origin: Origin,
}

const SERIAL_NUMBER: &str = "2.5.4.5";
const GIVEN_NAME: &str = "2.5.4.42";
const SURNAME: &str = "2.5.4.4";

fn attribute(name: &Name, oid_text: &str) -> Option<String> {
    name.0.iter().flat_map(|rdn| rdn.0.iter()).find_map(|atv| {
        if atv.oid.to_string() != oid_text {
            return None;
        }
        atv.value
            .decode_as::<Utf8StringRef<'_>>()
            .map(|s| s.as_str().to_owned())
            .or_else(|_| {
                atv.value
                    .decode_as::<PrintableStringRef<'_>>()
                    .map(|s| s.as_str().to_owned())
            })
            .ok()
    })
}

fn decode_cert(b64: &str) -> Result<Cert, AuthError> {
    let der = STANDARD
        .decode(b64)
        .map_err(|_| AuthError::Malformed("a certificate is not base64"))?;
    Cert::from_der(&der).map_err(|_| AuthError::Malformed("a certificate is not DER X.509"))
}

impl TokenValidator {
    /// A validator for tokens made for `origin`, chaining to `anchors` through `intermediates`.
    pub fn new(anchors: TrustAnchors, intermediates: Vec<Cert>, origin: Origin) -> Self {
        Self {
            anchors,
            intermediates,
            origin,
        }
    }

    /// The origin tokens must be made for.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// Validates `token` against the nonce the node issued (already taken from its
    /// [`super::NonceStore`]), at the clock's time, with `revocation` as the node's policy.
    pub fn validate(
        &self,
        token: &AuthToken,
        nonce: &Nonce,
        clock: &dyn Clock,
        revocation: Revocation<'_>,
    ) -> Result<AuthenticatedPerson, AuthError> {
        let is_1_1 = match token.format.as_str() {
            FORMAT_1_0 => false,
            FORMAT_1_1 => true,
            _ => {
                return Err(AuthError::UnsupportedFormat {
                    format: token.format.chars().take(40).collect(),
                });
            }
        };
        let algorithm = JwsAlgorithm::parse(&token.algorithm).ok_or_else(|| {
            AuthError::UnsupportedAlgorithm {
                algorithm: token.algorithm.chars().take(40).collect(),
            }
        })?;
        let cert = decode_cert(&token.unverified_certificate)?;
        let signature = STANDARD
            .decode(&token.signature)
            .map_err(|_| AuthError::Malformed("the signature is not base64"))?;

        // The signature first: a token whose signature does not verify never makes the node
        // build a path or ask an OCSP responder (which anyone could otherwise make it do with a
        // stranger's public certificate).
        let message = signing_input(algorithm, &self.origin, nonce);
        verify_signature(&cert, algorithm, &message, &signature, &self.origin)?;

        let time = ValidationTime::now(clock);
        let validator = PathValidator::new(&self.anchors, self.intermediates.iter().cloned());
        let report = signet_pki::validate_certificate(
            &validator,
            &cert,
            Purpose::Authentication,
            time,
            revocation,
        );
        if !report.passed() {
            let reason = report
                .findings
                .iter()
                .map(|f| f.problem.to_string())
                .collect::<Vec<_>>()
                .join("; ");
            return Err(AuthError::Certificate { reason });
        }

        if is_1_1 || token.unverified_signing_certificate.is_some() {
            self.check_signing_certificate(token, &cert, clock, &validator)?;
        }

        let serial = attribute(cert.subject(), SERIAL_NUMBER).ok_or(AuthError::NoPersonalCode)?;
        let digits = serial
            .strip_prefix("PNOEE-")
            .ok_or(AuthError::NoPersonalCode)?;
        let code =
            PersonCode::new(&format!("EE{digits}")).map_err(|_| AuthError::NoPersonalCode)?;
        let name = [GIVEN_NAME, SURNAME]
            .iter()
            .filter_map(|o| attribute(cert.subject(), o))
            .collect::<Vec<_>>()
            .join(" ");
        Ok(AuthenticatedPerson { code, name })
    }

    fn check_signing_certificate(
        &self,
        token: &AuthToken,
        auth: &Cert,
        clock: &dyn Clock,
        validator: &PathValidator<'_>,
    ) -> Result<(), AuthError> {
        let b64 = token.unverified_signing_certificate.as_deref().ok_or(
            AuthError::SigningCertificate("web-eid:1.1 requires unverifiedSigningCertificate"),
        )?;
        if token
            .supported_signature_algorithms
            .as_ref()
            .is_none_or(Vec::is_empty)
        {
            return Err(AuthError::SigningCertificate(
                "web-eid:1.1 requires supportedSignatureAlgorithms",
            ));
        }
        let signing = decode_cert(b64)
            .map_err(|_| AuthError::SigningCertificate("it is not a DER X.509 certificate"))?;
        if signing.subject() != auth.subject() {
            return Err(AuthError::SigningCertificate("its subject differs"));
        }
        if signing.issuer() != auth.issuer()
            || signing.authority_key_id() != auth.authority_key_id()
        {
            return Err(AuthError::SigningCertificate("its issuer differs"));
        }
        let now = clock.now();
        if now < signing.not_before() || now > signing.not_after() {
            return Err(AuthError::SigningCertificate("it is not valid now"));
        }
        if !signing.allows_key_usage(KeyUsages::NonRepudiation) {
            return Err(AuthError::SigningCertificate("it lacks nonRepudiation"));
        }
        // Its own signature and path: issued by a trusted person CA, not merely naming one.
        let report = signet_pki::validate_certificate(
            validator,
            &signing,
            Purpose::Signature,
            ValidationTime::now(clock),
            Revocation::NotRequired,
        );
        if !report.passed() {
            return Err(AuthError::SigningCertificate(
                "it is not issued by a trusted person CA (its path or signature does not verify)",
            ));
        }
        Ok(())
    }
}

fn verify_signature(
    cert: &Cert,
    algorithm: JwsAlgorithm,
    message: &[u8],
    signature: &[u8],
    origin: &Origin,
) -> Result<(), AuthError> {
    let key = PublicKey::from_spki(cert.spki()).map_err(|e| AuthError::Certificate {
        reason: e.to_string(),
    })?;
    let mismatch = || AuthError::AlgorithmMismatch {
        algorithm: algorithm.name(),
        key: key.describe(),
    };
    let bad = || AuthError::BadSignature {
        origin: origin.as_str().to_owned(),
    };
    let (alg_oid, der_signature) = match (algorithm, &key) {
        (JwsAlgorithm::ES256, PublicKey::P256(_)) => (
            oid::ECDSA_SHA256,
            p256::ecdsa::Signature::from_slice(signature)
                .map_err(|_| bad())?
                .to_der()
                .as_bytes()
                .to_vec(),
        ),
        (JwsAlgorithm::ES384, PublicKey::P384(_)) => (
            oid::ECDSA_SHA384,
            p384::ecdsa::Signature::from_slice(signature)
                .map_err(|_| bad())?
                .to_der()
                .as_bytes()
                .to_vec(),
        ),
        (JwsAlgorithm::RS256, PublicKey::Rsa(_)) => (oid::RSA_SHA256, signature.to_vec()),
        (JwsAlgorithm::RS384, PublicKey::Rsa(_)) => (oid::RSA_SHA384, signature.to_vec()),
        (JwsAlgorithm::RS512, PublicKey::Rsa(_)) => (oid::RSA_SHA512, signature.to_vec()),
        // ES512 needs P-521 and PS* RSASSA-PSS parameters, which signet-pki does not verify yet.
        (
            JwsAlgorithm::ES512 | JwsAlgorithm::PS256 | JwsAlgorithm::PS384 | JwsAlgorithm::PS512,
            _,
        ) => {
            return Err(AuthError::UnsupportedAlgorithm {
                algorithm: algorithm.name().to_owned(),
            });
        }
        _ => return Err(mismatch()),
    };
    let alg = AlgorithmIdentifierOwned {
        oid: alg_oid,
        parameters: None,
    };
    key.verify(&alg, message, &der_signature).map_err(|_| bad())
}
