use std::process::Command;

use signet_core::Fetch as _;
use signet_testkit::{LoopbackFetch, OcspMode, Role, TestPki, TsaMode};

fn openssl(pki: &TestPki, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(pki.dir())
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn path(pki: &TestPki, role: Role) -> String {
    pki.get(role).cert_path.display().to_string()
}

#[test]
fn openssl_verifies_the_chains() {
    let pki = TestPki::start().unwrap();
    let root = path(&pki, Role::Root);
    let ca = path(&pki, Role::IssuingCa);
    for role in [
        Role::Signing,
        Role::Authentication,
        Role::RsaSigning,
        Role::OcspResponder,
        Role::Tsa,
        Role::Revoked,
    ] {
        let (ok, text) = openssl(
            &pki,
            &[
                "verify",
                "-CAfile",
                &root,
                "-untrusted",
                &ca,
                &path(&pki, role),
            ],
        );
        assert!(ok, "{role:?}: {text}");
    }
    for role in [
        Role::Expired,
        Role::NotYetValid,
        Role::UnknownIssuer,
        Role::BadSignature,
    ] {
        let (ok, text) = openssl(
            &pki,
            &[
                "verify",
                "-CAfile",
                &root,
                "-untrusted",
                &ca,
                &path(&pki, role),
            ],
        );
        assert!(!ok, "{role:?} should not verify: {text}");
    }
    let (ok, text) = openssl(
        &pki,
        &["x509", "-noout", "-text", "-in", &path(&pki, Role::Signing)],
    );
    assert!(ok, "{text}");
    assert!(text.contains("Non Repudiation"), "{text}");
    assert!(
        text.contains("1.3.6.1.5.5.7.1.3") || text.contains("qcStatements"),
        "{text}"
    );
    assert!(
        text.contains("serialNumber=PNOEE-38001085718")
            || text.contains("serialNumber = PNOEE-38001085718"),
        "{text}"
    );
    assert!(text.contains(&pki.ocsp_url()), "{text}");
}

fn ocsp_status(pki: &TestPki, role: Role) -> (bool, String) {
    let url = pki.ocsp_url();
    openssl(
        pki,
        &[
            "ocsp",
            "-issuer",
            &path(pki, Role::IssuingCa),
            "-cert",
            &path(pki, role),
            "-url",
            &url,
            "-CAfile",
            &path(pki, Role::Root),
            "-verify_other",
            &path(pki, Role::IssuingCa),
        ],
    )
}

#[test]
fn the_ocsp_responder_answers_with_openssl_logic() {
    let pki = TestPki::start().unwrap();
    let (ok, text) = ocsp_status(&pki, Role::Signing);
    assert!(
        ok && text.contains("Response verify OK") && text.contains(": good"),
        "{text}"
    );
    let (ok, text) = ocsp_status(&pki, Role::Revoked);
    assert!(
        ok && text.contains(": revoked") && text.contains("keyCompromise"),
        "{text}"
    );
    let (_, text) = ocsp_status(&pki, Role::NotInResponderDatabase);
    assert!(text.contains(": unknown"), "{text}");
    pki.set_ocsp_mode(OcspMode::RogueResponder);
    let (ok, text) = ocsp_status(&pki, Role::Signing);
    assert!(!ok && text.contains("Response Verify Failure"), "{text}");
    pki.set_ocsp_mode(OcspMode::WrongNonce);
    let (_, text) = ocsp_status(&pki, Role::Signing);
    assert!(text.contains("Nonce Verify error"), "{text}");
}

#[test]
fn the_tsa_answers_and_openssl_verifies_the_token() {
    let pki = TestPki::start().unwrap();
    let doc = pki.dir().join("doc.txt");
    std::fs::write(&doc, b"a document").unwrap();
    let (ok, text) = openssl(
        &pki,
        &[
            "ts", "-query", "-data", "doc.txt", "-sha384", "-cert", "-out", "q.tsq",
        ],
    );
    assert!(ok, "{text}");
    let query = std::fs::read(pki.dir().join("q.tsq")).unwrap();
    let answer = LoopbackFetch::default()
        .post(&pki.tsa_url(), "application/timestamp-query", &query)
        .unwrap();
    assert_eq!(answer.status, 200);
    std::fs::write(pki.dir().join("r.tsr"), &answer.body).unwrap();
    let root = path(&pki, Role::Root);
    let tsa = path(&pki, Role::Tsa);
    let (ok, text) = openssl(
        &pki,
        &[
            "ts",
            "-verify",
            "-data",
            "doc.txt",
            "-in",
            "r.tsr",
            "-CAfile",
            &root,
            "-untrusted",
            &tsa,
        ],
    );
    assert!(ok && text.contains("Verification: OK"), "{text}");

    pki.set_tsa_mode(TsaMode::AlterImprint);
    let answer = LoopbackFetch::default()
        .post(&pki.tsa_url(), "application/timestamp-query", &query)
        .unwrap();
    std::fs::write(pki.dir().join("bad.tsr"), &answer.body).unwrap();
    let (ok, text) = openssl(
        &pki,
        &[
            "ts",
            "-verify",
            "-data",
            "doc.txt",
            "-in",
            "bad.tsr",
            "-CAfile",
            &root,
            "-untrusted",
            &tsa,
        ],
    );
    assert!(!ok, "{text}");

    pki.set_tsa_mode(TsaMode::SignerWithoutEku);
    let answer = LoopbackFetch::default()
        .post(&pki.tsa_url(), "application/timestamp-query", &query)
        .unwrap();
    assert_eq!(
        answer.status,
        200,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
    std::fs::write(pki.dir().join("noeku.tsr"), &answer.body).unwrap();
    let (ok, text) = openssl(&pki, &["ts", "-reply", "-in", "noeku.tsr", "-text"]);
    assert!(ok && text.contains("Granted"), "{text}");
}

#[test]
fn the_fetch_client_refuses_other_hosts() {
    let err = LoopbackFetch::default()
        .post("http://93.184.216.34:80/", "a/b", b"")
        .unwrap_err();
    assert!(err.to_string().contains("loopback"), "{err}");
}
