//! The PKCS#12 software token, on files written by OpenSSL's own `pkcs12 -export`.

use std::process::Command;

use der::Decode as _;
use sha2::{Digest as _, Sha384};
use signature::hazmat::PrehashVerifier as _;
use signet_testkit::{Role, TestPki};
use signet_token::soft::SoftToken;
use signet_token::{KeyRole, Pin, PinKind, SigningToken, TokenError};
use zeroize::Zeroizing;

const PASSWORD: &str = "correct horse 7";

fn password(text: &str) -> Pin {
    Pin::new(PinKind::Password, Zeroizing::new(text.to_owned())).unwrap()
}

fn export(pki: &TestPki, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let issued = pki.get(Role::Signing);
    let out = pki.dir().join(name);
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-inkey"])
        .arg(&issued.key_path)
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-out")
        .arg(&out)
        .arg("-passout")
        .arg(format!("pass:{PASSWORD}"))
        .args(extra)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    out
}

#[test]
fn a_pkcs12_file_signs_with_its_password() {
    let pki = TestPki::start().unwrap();
    let path = export(&pki, "signer.p12", &[]);
    let mut token = SoftToken::open(&path, &password(PASSWORD)).unwrap();
    let certs = token.certificates().unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].role, KeyRole::Signing);
    assert_eq!(certs[0].der, pki.der(Role::Signing));
    assert_eq!(token.pin_kind(KeyRole::Signing), PinKind::Password);

    let digest = Sha384::digest(b"document");
    let raw = token
        .sign_digest(KeyRole::Signing, &digest, password(PASSWORD))
        .unwrap();
    let cert = x509_cert::Certificate::from_der(&certs[0].der).unwrap();
    let spki = cert.tbs_certificate.subject_public_key_info;
    let key =
        p384::ecdsa::VerifyingKey::from_sec1_bytes(spki.subject_public_key.raw_bytes()).unwrap();
    let signature = p384::ecdsa::Signature::from_slice(&raw.0).unwrap();
    key.verify_prehash(&digest, &signature).unwrap();

    let wrong = token.sign_digest(KeyRole::Signing, &digest, password("wrong"));
    assert_eq!(wrong.unwrap_err(), TokenError::WrongPassword);
}

#[test]
fn a_wrong_password_or_an_old_format_is_an_error_not_a_panic() {
    let pki = TestPki::start().unwrap();
    let path = export(&pki, "signer.p12", &[]);
    let wrong = SoftToken::open(&path, &password("not it"));
    assert_eq!(wrong.unwrap_err(), TokenError::WrongPassword);
    let digits = SoftToken::open(
        &path,
        &Pin::new(PinKind::Pin2, Zeroizing::new("12345".into())).unwrap(),
    );
    assert!(matches!(digits, Err(TokenError::WrongPinKind { .. })));
    let legacy = export(&pki, "legacy.p12", &["-legacy"]);
    match SoftToken::open(&legacy, &password(PASSWORD)) {
        Err(TokenError::Malformed(_) | TokenError::WrongPassword) => {}
        other => panic!("a legacy file gave {other:?}"),
    }
    let mut damaged = std::fs::read(&path).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x55;
    assert!(SoftToken::from_der(&damaged, &password(PASSWORD)).is_err());
}
