//! CMS SignedData built around an external signature, judged by `openssl cms -verify`.

use std::process::Command;

use signet_pki::cades::{ID_DATA, Prepared, SignatureAlgorithm, ecdsa_raw_to_der};
use signet_pki::crypto::HashAlg;
use signet_testkit::{Role, TestKey, TestPki};

use crate::support::cert;

/// What a card returns: the raw r‖s of an ECDSA signature over the signed attributes.
fn card_sign(key: &TestKey, message: &[u8]) -> Vec<u8> {
    let der = key.sign(message).unwrap();
    let sig = p384::ecdsa::Signature::from_der(&der).unwrap();
    let raw = sig.to_bytes().to_vec();
    assert_eq!(raw.len(), 96);
    assert_eq!(ecdsa_raw_to_der(&raw).unwrap(), der, "raw → DER round trip");
    raw
}

fn openssl_verify(
    dir: &std::path::Path,
    cms: &[u8],
    content: &[u8],
    root: &std::path::Path,
) -> bool {
    std::fs::write(dir.join("sig.der"), cms).unwrap();
    std::fs::write(dir.join("content.bin"), content).unwrap();
    let output = Command::new("openssl")
        .current_dir(dir)
        .args([
            "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der",
        ])
        .args([
            "-content",
            "content.bin",
            "-purpose",
            "any",
            "-out",
            "/dev/null",
        ])
        .arg("-CAfile")
        .arg(root)
        .output()
        .unwrap();
    if !output.status.success() {
        eprintln!("openssl: {}", String::from_utf8_lossy(&output.stderr));
    }
    output.status.success()
}

#[test]
fn a_detached_signed_data_around_a_card_signature_verifies_in_openssl() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let signer = cert(&pki, Role::Signing);
    let content = b"Signet: the document a person signs\n";
    let prepared = Prepared::new(
        &signer,
        HashAlg::Sha384,
        ID_DATA,
        &HashAlg::Sha384.digest(content),
        None,
    )
    .unwrap();
    assert_eq!(
        prepared.to_be_signed()[0],
        0x31,
        "signed over the SET OF tag"
    );
    let raw = card_sign(&pki.get(Role::Signing).key, prepared.to_be_signed());
    let cms = prepared
        .finish(
            SignatureAlgorithm::Ecdsa(HashAlg::Sha384),
            &ecdsa_raw_to_der(&raw).unwrap(),
            &[cert(&pki, Role::IssuingCa)],
            None,
        )
        .unwrap();
    let root = &pki.get(Role::Root).cert_path;
    assert!(openssl_verify(dir.path(), &cms, content, root));
    // The independent judge is not just saying yes: other content fails.
    assert!(!openssl_verify(
        dir.path(),
        &cms,
        b"another document\n",
        root
    ));
}

#[test]
fn an_encapsulated_signed_data_verifies_in_openssl_and_in_signet() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let signer = cert(&pki, Role::Signing);
    let content = b"encapsulated";
    let prepared = Prepared::new(
        &signer,
        HashAlg::Sha384,
        ID_DATA,
        &HashAlg::Sha384.digest(content),
        Some(pki.now()),
    )
    .unwrap();
    let raw = card_sign(&pki.get(Role::Signing).key, prepared.to_be_signed());
    let cms = prepared
        .finish(
            SignatureAlgorithm::Ecdsa(HashAlg::Sha384),
            &ecdsa_raw_to_der(&raw).unwrap(),
            &[cert(&pki, Role::IssuingCa)],
            Some(content),
        )
        .unwrap();
    let root = &pki.get(Role::Root).cert_path;
    assert!(openssl_verify(dir.path(), &cms, content, root));
    let verified = signet_pki::signed_data::verify(&cms, &[]).unwrap();
    assert_eq!(verified.signer, signer);
}

#[test]
fn a_digest_of_the_wrong_length_is_refused() {
    let pki = TestPki::start().unwrap();
    let err = Prepared::new(
        &cert(&pki, Role::Signing),
        HashAlg::Sha384,
        ID_DATA,
        &[0; 32],
        None,
    )
    .unwrap_err();
    assert!(err.to_string().contains("has 32 octets"), "{err}");
}

#[test]
fn an_rsa_signed_data_verifies_in_openssl() {
    use signature::{SignatureEncoding as _, Signer as _};
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let signer = cert(&pki, Role::RsaSigning);
    let TestKey::Rsa(key) = &pki.get(Role::RsaSigning).key else {
        panic!("the RSA signer has an RSA key");
    };
    let content = b"signed with RSA-3072";
    let prepared = Prepared::new(
        &signer,
        HashAlg::Sha256,
        ID_DATA,
        &HashAlg::Sha256.digest(content),
        None,
    )
    .unwrap();
    let card = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new((**key).clone());
    let signature = card.sign(prepared.to_be_signed()).to_vec();
    let cms = prepared
        .finish(
            SignatureAlgorithm::RsaPkcs1(HashAlg::Sha256),
            &signature,
            &[cert(&pki, Role::IssuingCa)],
            None,
        )
        .unwrap();
    let root = &pki.get(Role::Root).cert_path;
    assert!(openssl_verify(dir.path(), &cms, content, root));
}

#[test]
fn a_value_that_does_not_verify_with_the_signers_certificate_is_never_built_into_a_signature() {
    let pki = TestPki::start().unwrap();
    let signer = cert(&pki, Role::Signing);
    let content = b"the document";
    let prepare = || {
        Prepared::new(
            &signer,
            HashAlg::Sha384,
            ID_DATA,
            &HashAlg::Sha384.digest(content),
            None,
        )
        .unwrap()
    };
    let good = card_sign(&pki.get(Role::Signing).key, prepare().to_be_signed());
    // A faulty token: one bit of s flipped.
    let mut faulty = good.clone();
    faulty[95] ^= 0x01;
    // Another key's signature over the same attributes (a certificate that is not the key's).
    let other = card_sign(&pki.get(Role::Tsa).key, prepare().to_be_signed());
    for value in [faulty, other] {
        let err = prepare()
            .finish(
                SignatureAlgorithm::Ecdsa(HashAlg::Sha384),
                &ecdsa_raw_to_der(&value).unwrap(),
                &[cert(&pki, Role::IssuingCa)],
                None,
            )
            .unwrap_err();
        assert!(
            matches!(err, signet_pki::cades::CadesError::BadSignatureValue(_)),
            "{err}"
        );
        assert!(err.to_string().contains("nothing was signed"), "{err}");
    }
    // The good value still builds.
    assert!(
        prepare()
            .finish(
                SignatureAlgorithm::Ecdsa(HashAlg::Sha384),
                &ecdsa_raw_to_der(&good).unwrap(),
                &[cert(&pki, Role::IssuingCa)],
                None,
            )
            .is_ok()
    );
}
