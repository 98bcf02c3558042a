//! The PKCS#11 back end against SoftHSM2: a token made in a temporary directory, holding a
//! testkit P-384 key and its certificate, imported by SoftHSM's and OpenSC's own tools.
//!
//! SoftHSM2 reads its configuration from `SOFTHSM2_CONF` when the module loads. Setting an
//! environment variable inside a running test is `unsafe` (edition 2024), so the test prepares
//! the token and then runs the checks in a child: this test binary again, with the variable
//! set, running only the ignored `in_softhsm_child` test.

use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest as _, Sha384};
use signet_testkit::{Role, TestPki};
use signet_token::pkcs11::{Pkcs11Token, list_tokens};
use signet_token::{CardTrouble, KeyRole, Pin, PinKind, SigningToken, TokenError};
use zeroize::Zeroizing;

const SOFTHSM: &str = "/usr/lib/softhsm/libsofthsm2.so";
const LABEL: &str = "signet-test";
const USER_PIN: &str = "s3cret-PIN";

fn run(command: &mut Command) {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A SoftHSM2 token in `dir` with the signing key and certificate of `pki`.
fn make_token(pki: &TestPki, dir: &Path) -> PathBuf {
    let conf = dir.join("softhsm2.conf");
    std::fs::create_dir_all(dir.join("tokens")).unwrap();
    std::fs::write(
        &conf,
        format!(
            "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n",
            dir.join("tokens").display()
        ),
    )
    .unwrap();
    let issued = pki.get(Role::Signing);
    run(Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .args(["--init-token", "--free", "--label", LABEL])
        .args(["--so-pin", "12345678", "--pin", USER_PIN]));
    run(Command::new("softhsm2-util")
        .env("SOFTHSM2_CONF", &conf)
        .arg("--import")
        .arg(&issued.key_path)
        .args([
            "--token", LABEL, "--pin", USER_PIN, "--id", "02", "--label", "sign",
        ]));
    let cert_der = dir.join("sign.cert.der");
    std::fs::write(&cert_der, &issued.der).unwrap();
    run(Command::new("pkcs11-tool")
        .env("SOFTHSM2_CONF", &conf)
        .args([
            "--module",
            SOFTHSM,
            "--token-label",
            LABEL,
            "--login",
            "--pin",
            USER_PIN,
        ])
        .arg("--write-object")
        .arg(&cert_der)
        .args(["--type", "cert", "--id", "02", "--label", "sign"]));
    conf
}

#[test]
fn a_softhsm_p384_key_signs_and_openssl_verifies() {
    let pki = TestPki::start().unwrap();
    let dir = pki.dir().join("softhsm");
    let conf = make_token(&pki, &dir);
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "pkcs11::in_softhsm_child",
            "--ignored",
            "--nocapture",
        ])
        .env("SOFTHSM2_CONF", &conf)
        .env("SIGNET_SOFTHSM_DIR", &dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 passed"),
        "the child ran nothing: {stdout}"
    );
}

fn password(text: &str) -> Pin {
    Pin::new(PinKind::Password, Zeroizing::new(text.to_owned())).unwrap()
}

#[test]
#[ignore = "run by a_softhsm_p384_key_signs_and_openssl_verifies with SOFTHSM2_CONF set"]
fn in_softhsm_child() {
    let Some(dir) = std::env::var_os("SIGNET_SOFTHSM_DIR").map(PathBuf::from) else {
        // Run directly (--run-ignored): the outer test is the one that counts.
        eprintln!("in_softhsm_child runs only as the child of its outer test");
        return;
    };
    let cert = std::fs::read(dir.join("sign.cert.der")).unwrap();

    let tokens = list_tokens(Path::new(SOFTHSM)).unwrap();
    let token = tokens.iter().find(|t| t.label == LABEL).unwrap();
    assert_eq!(token.keys.len(), 1, "{tokens:?}");
    assert_eq!(token.keys[0].id_hex, "02");
    assert!(!token.pin_pad);

    let mut token = Pkcs11Token::open(Some(Path::new(SOFTHSM))).unwrap();
    let certs = token.certificates().unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(certs[0].role, KeyRole::Signing);
    assert_eq!(certs[0].der, cert);
    assert_eq!(token.pin_kind(KeyRole::Signing), PinKind::Password);

    for round in 0..2 {
        let digest = Sha384::digest(format!("document {round}"));
        let raw = token
            .sign_digest(KeyRole::Signing, &digest, password(USER_PIN))
            .unwrap();
        assert_eq!(raw.0.len(), 96);
        assert!(
            crate::openssl::verifies(&dir, &format!("hsm{round}"), &cert, &digest, &raw.0),
            "openssl refused SoftHSM's signature {round}"
        );
    }

    let digest = Sha384::digest(b"wrong pin");
    match token.sign_digest(KeyRole::Signing, &digest, password("not-the-pin")) {
        Err(TokenError::Card(CardTrouble::PinIncorrect { kind, .. })) => {
            assert_eq!(kind, PinKind::Password);
        }
        other => panic!("a wrong PIN gave {other:?}"),
    }
    // Logged out after each signature: the right PIN still works, the wrong one did not stick.
    token
        .sign_digest(KeyRole::Signing, &digest, password(USER_PIN))
        .unwrap();
    assert!(matches!(
        token.sign_digest(KeyRole::Authentication, &digest, password(USER_PIN)),
        Err(TokenError::NoKey { role: "auth" })
    ));
}
