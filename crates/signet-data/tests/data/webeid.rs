//! Web eID tokens made with the test PKI's authentication key and validated against signet-pki.
//!
//! The card's SigningToken adapter comes with the card issue; here a software key signs.

use std::convert::Infallible;
use std::sync::OnceLock;

use signet_core::SystemClock;
use signet_data::webeid::{
    AuthError, AuthSigner, AuthToken, JwsAlgorithm, Nonce, Origin, SigningCertificateInfo,
    SupportedSignatureAlgorithm, TokenValidator, create_token,
};
use signet_pki::{Cert, Revocation, TrustAnchors};
use signet_testkit::{Role, TestKey, TestPki};

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::start().expect("test PKI"))
}

/// Signs with a test PKI key, returning raw r‖s as JWS wants.
pub struct SoftSigner<'a> {
    pub cert: &'a [u8],
    pub key: &'a TestKey,
}

impl AuthSigner for SoftSigner<'_> {
    type Error = Infallible;
    fn certificate(&self) -> &[u8] {
        self.cert
    }
    fn algorithm(&self) -> JwsAlgorithm {
        JwsAlgorithm::ES384
    }
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, Infallible> {
        let der = self.key.sign(message).unwrap();
        Ok(p384::ecdsa::Signature::from_der(&der)
            .unwrap()
            .to_bytes()
            .to_vec())
    }
}

fn validator(origin: &str) -> TokenValidator {
    let pki = pki();
    TokenValidator::new(
        TrustAnchors::new([Cert::from_der(pki.der(Role::Root)).unwrap()]),
        vec![Cert::from_der(pki.der(Role::IssuingCa)).unwrap()],
        Origin::parse(origin).unwrap(),
    )
}

fn token_for(origin: &str, nonce: &Nonce) -> AuthToken {
    let auth = pki().get(Role::Authentication);
    let signer = SoftSigner {
        cert: &auth.der,
        key: &auth.key,
    };
    create_token(&signer, &Origin::parse(origin).unwrap(), nonce, None).unwrap()
}

const ORIGIN: &str = "https://rr.example:8443";

#[test]
fn a_1_0_token_authenticates_mari_tamm() {
    let nonce = Nonce::from_random([7; 32]);
    let token = token_for(ORIGIN, &nonce);
    assert_eq!(token.format, "web-eid:1.0");
    assert_eq!(token.algorithm, "ES384");
    // The JSON shape of the reference.
    let json = serde_json::to_value(&token).unwrap();
    for key in [
        "unverifiedCertificate",
        "algorithm",
        "signature",
        "format",
        "appVersion",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    let person = validator(ORIGIN)
        .validate(&token, &nonce, &SystemClock, Revocation::NotRequired)
        .unwrap();
    assert_eq!(person.code.as_str(), "EE38001085718");
    assert_eq!(person.name, "MARI TAMM");
}

#[test]
fn the_signature_is_over_the_hashes_of_origin_and_nonce() {
    use sha2::Digest as _;
    use signature::hazmat::PrehashVerifier as _;
    let nonce = Nonce::from_random([8; 32]);
    let token = token_for(ORIGIN, &nonce);
    let mut m = sha2::Sha384::digest(ORIGIN.as_bytes()).to_vec();
    m.extend_from_slice(&sha2::Sha384::digest(nonce.as_str().as_bytes()));
    let raw = base64_decode(&token.signature);
    let sig = p384::ecdsa::Signature::from_slice(&raw).unwrap();
    let TestKey::P384(key) = &pki().get(Role::Authentication).key else {
        panic!("the card's authentication key is P-384");
    };
    key.verifying_key()
        .verify_prehash(&sha2::Sha384::digest(&m), &sig)
        .unwrap();
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

#[test]
fn another_origin_or_nonce_is_refused() {
    let nonce = Nonce::from_random([9; 32]);
    let token = token_for("https://evil.example", &nonce);
    assert!(matches!(
        validator(ORIGIN).validate(&token, &nonce, &SystemClock, Revocation::NotRequired),
        Err(AuthError::BadSignature { .. })
    ));
    let token = token_for(ORIGIN, &nonce);
    let other = Nonce::from_random([10; 32]);
    assert!(matches!(
        validator(ORIGIN).validate(&token, &other, &SystemClock, Revocation::NotRequired),
        Err(AuthError::BadSignature { .. })
    ));
}

#[test]
fn wrong_certificates_formats_and_algorithms_are_refused() {
    let nonce = Nonce::from_random([11; 32]);
    let v = validator(ORIGIN);
    let check =
        |token: &AuthToken| v.validate(token, &nonce, &SystemClock, Revocation::NotRequired);

    // A signing certificate (no digitalSignature) used to log in.
    let signing = pki().get(Role::Signing);
    let t = create_token(
        &SoftSigner {
            cert: &signing.der,
            key: &signing.key,
        },
        &Origin::parse(ORIGIN).unwrap(),
        &nonce,
        None,
    )
    .unwrap();
    assert!(matches!(check(&t), Err(AuthError::Certificate { .. })));

    // An untrusted issuer.
    let unknown = pki().get(Role::UnknownIssuer);
    let t = create_token(
        &SoftSigner {
            cert: &unknown.der,
            key: &unknown.key,
        },
        &Origin::parse(ORIGIN).unwrap(),
        &nonce,
        None,
    )
    .unwrap();
    assert!(matches!(check(&t), Err(AuthError::Certificate { .. })));

    let good = token_for(ORIGIN, &nonce);
    let mut t = good.clone();
    t.format = "web-eid:2.0".into();
    assert!(matches!(
        check(&t),
        Err(AuthError::UnsupportedFormat { .. })
    ));
    let mut t = good.clone();
    t.algorithm = "HS256".into();
    assert!(matches!(
        check(&t),
        Err(AuthError::UnsupportedAlgorithm { .. })
    ));
    let mut t = good.clone();
    t.algorithm = "ES256".into();
    assert!(matches!(
        check(&t),
        Err(AuthError::AlgorithmMismatch { .. })
    ));
    let mut t = good.clone();
    t.unverified_certificate = "not base64!".into();
    assert!(matches!(check(&t), Err(AuthError::Malformed(_))));
    let mut t = good;
    t.signature = "AAAA".into();
    assert!(matches!(check(&t), Err(AuthError::BadSignature { .. })));
}

#[test]
fn a_1_1_token_needs_a_matching_signing_certificate() {
    let nonce = Nonce::from_random([12; 32]);
    let auth = pki().get(Role::Authentication);
    let signer = SoftSigner {
        cert: &auth.der,
        key: &auth.key,
    };
    let supported = vec![SupportedSignatureAlgorithm {
        crypto_algorithm: "ECC".into(),
        hash_function: "SHA-384".into(),
        padding_scheme: "NONE".into(),
    }];
    let origin = Origin::parse(ORIGIN).unwrap();
    let info = SigningCertificateInfo {
        certificate: pki().der(Role::Signing).to_vec(),
        supported: supported.clone(),
    };
    let token = create_token(&signer, &origin, &nonce, Some(&info)).unwrap();
    assert_eq!(token.format, "web-eid:1.1");
    validator(ORIGIN)
        .validate(&token, &nonce, &SystemClock, Revocation::NotRequired)
        .unwrap();

    // Another person's signing certificate (Jaan Kask, RSA) does not belong with Mari's.
    let info = SigningCertificateInfo {
        certificate: pki().der(Role::RsaSigning).to_vec(),
        supported,
    };
    let token = create_token(&signer, &origin, &nonce, Some(&info)).unwrap();
    assert!(matches!(
        validator(ORIGIN).validate(&token, &nonce, &SystemClock, Revocation::NotRequired),
        Err(AuthError::SigningCertificate(_))
    ));
}

#[test]
fn ocsp_is_asked_when_the_node_wants_it() {
    let nonce = Nonce::from_random([13; 32]);
    let token = token_for(ORIGIN, &nonce);
    let fetch = signet_testkit::LoopbackFetch::default();
    let policy = signet_pki::ocsp::OcspPolicy::default();
    let person = validator(ORIGIN)
        .validate(
            &token,
            &nonce,
            &SystemClock,
            Revocation::Online {
                fetch: &fetch,
                clock: &SystemClock,
                policy: &policy,
            },
        )
        .unwrap();
    assert_eq!(person.code.as_str(), "EE38001085718");
}

#[test]
fn a_token_whose_signature_fails_never_reaches_the_ocsp_responder() {
    let nonce = Nonce::from_random([14; 32]);
    // A real person's certificate with someone else's signature: refused before any path is
    // built or any responder asked.
    let mut token = token_for(ORIGIN, &nonce);
    token.signature = token_for(ORIGIN, &Nonce::from_random([15; 32])).signature;
    let fetch = signet_testkit::LoopbackFetch::default();
    let policy = signet_pki::ocsp::OcspPolicy::default();
    let before = pki().requests_served();
    let refused = validator(ORIGIN).validate(
        &token,
        &nonce,
        &SystemClock,
        Revocation::Online {
            fetch: &fetch,
            clock: &SystemClock,
            policy: &policy,
        },
    );
    assert!(refused.is_err(), "{refused:?}");
    assert_eq!(pki().requests_served(), before, "the responder was asked");
}
