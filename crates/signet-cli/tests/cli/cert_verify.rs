//! `signet cert verify` against the generated test PKI and OpenSSL's own OCSP responder.

use std::path::{Path, PathBuf};
use std::process::Command;

use signet_testkit::{OcspMode, Role, TestPki, TrustedListOptions, pem, qualifier_uri};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{e}: stdout is not one JSON document: {}", self.stdout))
    }
}

fn signet(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .env("RUST_LOG", "off")
        // Text shows local times: UTC here, whatever the machine's zone.
        .env("TZ", "UTC")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The certificate of `role` as PEM followed by the issuing CA (the chain a card gives).
fn with_chain(pki: &TestPki, role: Role, dir: &Path) -> PathBuf {
    let path = dir.join(format!("{}-chain.pem", role.file_stem()));
    let text = pem("CERTIFICATE", pki.der(role)).unwrap()
        + &pem("CERTIFICATE", pki.der(Role::IssuingCa)).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

fn root(pki: &TestPki) -> String {
    pki.get(Role::Root).cert_path.display().to_string()
}

fn verify(pki: &TestPki, dir: &Path, role: Role, extra: &[&str]) -> Run {
    let cert = with_chain(pki, role, dir);
    let cert = cert.display().to_string();
    let root = root(pki);
    let mut args = vec!["cert", "verify", &cert, "--trust", &root];
    args.extend_from_slice(extra);
    signet(&args)
}

#[test]
fn cert_verify_against_the_test_pki() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();

    // A good qualified signing certificate, asked online: TOTAL-PASSED, exit 0.
    let good = verify(&pki, dir, Role::Signing, &["--ocsp", "--json"]);
    assert_eq!(good.code, 0, "{}{}", good.stdout, good.stderr);
    let json = good.json();
    assert_eq!(json["indication"], "TOTAL-PASSED");
    assert!(json["subIndication"].is_null());
    assert_eq!(json["revocation"]["mode"], "ocsp");
    assert_eq!(json["revocation"]["status"], "good");
    assert_eq!(json["qualification"]["qcCompliance"], true);
    assert_eq!(json["qualification"]["qscd"], true);
    assert_eq!(json["qualification"]["types"][0], "esign");
    assert_eq!(json["chain"].as_array().unwrap().len(), 3);
    assert_eq!(json["chain"][2]["trustAnchor"], true);
    // The issuing CA, below the root, judged by the root's CRL (fetched online).
    assert_eq!(json["revocation"]["caCrls"].as_array().unwrap().len(), 1);
    assert!(json["revocation"]["caCrls"][0]["revokedAt"].is_null());
    assert_eq!(json["purpose"], "electronic signatures");
    assert_eq!(json["timeKind"], "present");
    assert!(
        json["holder"]["serialNumber"]
            .as_str()
            .unwrap()
            .starts_with("PNOEE-")
    );

    // The same in text: holder, chain, qualification, verdict.
    let text = verify(&pki, dir, Role::Signing, &["--ocsp"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    for expected in [
        "Holder:",
        "Chain:\n  1. ",
        "(trust anchor)",
        "Qualification: qualified certificate for electronic signatures, key in a QSCD",
        "Revocation:    good; OCSP answer of ",
        "CA status:     CN=Signet Test ESTEID2018,O=Signet Test,C=EE: not revoked (CRL of ",
        "Verdict:       TOTAL-PASSED\n",
    ] {
        assert!(
            text.stdout.contains(expected),
            "{expected:?} in {}",
            text.stdout
        );
    }

    // Revoked, judged at the present: INDETERMINATE / REVOKED_NO_POE, exit 2, with the time.
    let revoked = verify(&pki, dir, Role::Revoked, &["--ocsp", "--json"]);
    assert_eq!(revoked.code, 2, "{}", revoked.stdout);
    let json = revoked.json();
    assert_eq!(json["subIndication"], "REVOKED_NO_POE");
    assert_eq!(json["revocation"]["status"], "revoked");
    assert_eq!(
        json["revocation"]["revokedAt"],
        signet_pki::time::Utc(pki.revocation_time()).to_string()
    );
    // At a time asked, after the revocation: TOTAL-FAILED / REVOKED, exit 1.
    let at = signet_pki::time::Utc(pki.now()).to_string();
    let revoked_at = verify(&pki, dir, Role::Revoked, &["--ocsp", "--at", &at, "--json"]);
    assert_eq!(revoked_at.code, 1, "{}", revoked_at.stdout);
    assert_eq!(revoked_at.json()["subIndication"], "REVOKED");
    assert_eq!(revoked_at.json()["timeKind"], "asked");

    // Unknown to the responder: never good.
    let unknown = verify(
        &pki,
        dir,
        Role::NotInResponderDatabase,
        &["--ocsp", "--json"],
    );
    assert_eq!(unknown.code, 2, "{}", unknown.stdout);
    assert_eq!(unknown.json()["revocation"]["status"], "unknown");

    // Offline: no revocation information, INDETERMINATE.
    let offline = verify(&pki, dir, Role::Signing, &["--offline", "--json"]);
    assert_eq!(offline.code, 2, "{}", offline.stdout);
    assert_eq!(offline.json()["subIndication"], "TRY_LATER");
    assert_eq!(offline.json()["revocation"]["mode"], "offline");

    // Expired at a time asked: TOTAL-FAILED / EXPIRED, without asking the network.
    let expired = verify(&pki, dir, Role::Expired, &["--at", &at, "--json"]);
    assert_eq!(expired.code, 1, "{}", expired.stdout);
    assert_eq!(expired.json()["subIndication"], "EXPIRED");
    assert_eq!(expired.json()["revocation"]["mode"], "not-checked");

    // No path to the trusted root: INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND.
    let stranger = verify(&pki, dir, Role::UnknownIssuer, &["--json"]);
    assert_eq!(stranger.code, 2);
    assert_eq!(
        stranger.json()["subIndication"],
        "NO_CERTIFICATE_CHAIN_FOUND"
    );
    assert_eq!(stranger.json()["chain"].as_array().unwrap().len(), 1);

    // Unqualified: passes as a path, and says it is not qualified.
    let unqualified = verify(&pki, dir, Role::Unqualified, &["--json"]);
    assert_eq!(unqualified.code, 0, "{}", unqualified.stdout);
    assert_eq!(unqualified.json()["qualification"]["qcCompliance"], false);

    // Wrong key usage for a signature.
    let wrong = verify(
        &pki,
        dir,
        Role::WrongKeyUsage,
        &["--purpose", "signature", "--json"],
    );
    assert_eq!(wrong.code, 2, "{}", wrong.stdout);
    assert_eq!(wrong.json()["subIndication"], "CHAIN_CONSTRAINTS_FAILURE");

    // A bad signature on the certificate.
    let bad = verify(&pki, dir, Role::BadSignature, &["--json"]);
    assert_ne!(bad.code, 0, "{}", bad.stdout);
    assert!(
        !bad.json()["reasons"][0]["message"]
            .as_str()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn cert_verify_input_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem").display().to_string();
    let run = signet(&["cert", "verify", &missing, "--json"]);
    assert_eq!(run.code, 66, "{}", run.stdout);
    assert_eq!(run.json()["error"]["code"], "FILE_NOT_FOUND");

    let garbage = dir.path().join("garbage.der");
    std::fs::write(&garbage, b"\x30\x03\x02\x01\x01").unwrap();
    let run = signet(&["cert", "verify", &garbage.display().to_string()]);
    assert_eq!(run.code, 65, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr
            .contains("garbage.der: not a DER X.509 certificate"),
        "{}",
        run.stderr
    );
}

#[test]
fn cert_verify_with_a_trusted_list() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let tl = pki.trusted_list().unwrap();
    let list = dir.path().join("tl.xml");
    std::fs::write(&list, &tl.xml).unwrap();
    let signer = dir.path().join("tl-signer.der");
    std::fs::write(&signer, &tl.signer).unwrap();
    let impostor = dir.path().join("impostor.xml");
    std::fs::write(&impostor, &tl.signed_by_another).unwrap();
    let cert = with_chain(&pki, Role::Signing, dir.path());
    let (cert, list, signer, impostor) = (
        cert.display().to_string(),
        list.display().to_string(),
        signer.display().to_string(),
        impostor.display().to_string(),
    );
    let tsl = ["--tsl", list.as_str(), "--tsl-signer", signer.as_str()];

    let run = signet(&[&["cert", "verify", &cert, "--json"][..], &tsl].concat());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["qualification"]["source"], "trusted list");
    assert!(
        json["qualification"]["service"]
            .as_str()
            .unwrap()
            .starts_with("CA/QC granted: ")
    );
    assert_eq!(json["trustedList"]["territory"], "EE");
    assert_eq!(json["trustedList"]["fresh"], true);
    assert_eq!(json["trustedList"]["anchors"], 3);
    assert_eq!(json["chain"].as_array().unwrap().len(), 2);
    assert_eq!(json["chain"][1]["trustAnchor"], true);

    // In text.
    let text = signet(&[&["cert", "verify", &cert][..], &tsl].concat());
    assert!(
        text.stdout.contains("Listed issuer: CA/QC granted"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("Trusted list:  EE no. 1"),
        "{}",
        text.stdout
    );

    // After the list's NextUpdate it is stale: no anchors, no chain.
    let later =
        signet_pki::time::Utc(pki.now() + std::time::Duration::from_secs(200 * 86_400)).to_string();
    let stale = signet(
        &[
            &["cert", "verify", &cert, "--at", &later, "--json"][..],
            &tsl,
        ]
        .concat(),
    );
    assert_eq!(stale.code, 2, "{}", stale.stdout);
    assert_eq!(stale.json()["trustedList"]["fresh"], false);
    assert_eq!(stale.json()["subIndication"], "NO_CERTIFICATE_CHAIN_FOUND");

    // A list signed by a key that is not pinned is refused as input.
    let refused = signet(&[
        "cert",
        "verify",
        &cert,
        "--tsl",
        &impostor,
        "--tsl-signer",
        &signer,
        "--json",
    ]);
    assert_eq!(refused.code, 65, "{}", refused.stdout);
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a pinned signer")
    );

    // --tsl needs --tsl-signer.
    let usage = signet(&["cert", "verify", &cert, "--tsl", &list]);
    assert_eq!(usage.code, 64);
}

/// Writes a list made with `options`, returns `--tsl FILE --tsl-signer FILE`.
fn list_args(pki: &TestPki, dir: &Path, options: &TrustedListOptions) -> Vec<String> {
    let tl = pki.trusted_list_with(options).unwrap();
    let list = dir.join("tl-options.xml");
    std::fs::write(&list, &tl.xml).unwrap();
    let signer = dir.join("tl-options-signer.der");
    std::fs::write(&signer, &tl.signer).unwrap();
    vec![
        "--tsl".to_owned(),
        list.display().to_string(),
        "--tsl-signer".to_owned(),
        signer.display().to_string(),
    ]
}

#[test]
fn cert_verify_applies_the_list_qualifiers_and_listed_responders() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cert = with_chain(&pki, Role::Signing, dir.path())
        .display()
        .to_string();

    // QCNoQSCD on the issuing CA's service: qualified, but the key is not in a QSCD.
    let mut options = TrustedListOptions::default();
    options.ca_qualifiers = vec![qualifier_uri("QCNoQSCD")];
    let tsl = list_args(&pki, dir.path(), &options);
    let tsl: Vec<&str> = tsl.iter().map(String::as_str).collect();
    let run = signet(&[&["cert", "verify", &cert, "--json"][..], &tsl].concat());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["qualification"]["source"], "trusted list");
    assert_eq!(json["qualification"]["qcCompliance"], true);
    assert_eq!(json["qualification"]["qscd"], false);
    assert_eq!(json["qualification"]["qualifiers"][0], "QCNoQSCD");
    assert_eq!(json["qualification"]["determinable"], true);
    let text = signet(&[&["cert", "verify", &cert][..], &tsl].concat());
    assert!(
        text.stdout.contains("key not in a QSCD")
            && text.stdout.contains("List qualifiers: QCNoQSCD"),
        "{}",
        text.stdout
    );

    // A responder the CA did not delegate to, listed as OCSP/QC: its answer is accepted.
    pki.set_ocsp_mode(OcspMode::RogueResponder);
    let mut options = TrustedListOptions::default();
    options.extra_ocsp = vec![Role::RogueOcspResponder];
    let tsl = list_args(&pki, dir.path(), &options);
    let tsl: Vec<&str> = tsl.iter().map(String::as_str).collect();
    let run = signet(&[&["cert", "verify", &cert, "--ocsp", "--json"][..], &tsl].concat());
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let responder = run.json()["revocation"]["responder"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        responder.contains("Signet Rogue OCSP") && responder.contains("OCSP/QC service"),
        "{responder}"
    );
    // Without it on the list, the same answer is not evidence: INDETERMINATE.
    let tsl = list_args(&pki, dir.path(), &TrustedListOptions::default());
    let tsl: Vec<&str> = tsl.iter().map(String::as_str).collect();
    let run = signet(&[&["cert", "verify", &cert, "--ocsp", "--json"][..], &tsl].concat());
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
}

/// The issuing CA revoked in the root's CRL: the signer's certificate is INDETERMINATE /
/// REVOKED_CA_NO_POE (exit 2) at the present, with the CA and the date in the reasons; at a
/// time asked before the CA's revocation it passes; offline nothing vouches for the CA.
#[test]
fn cert_verify_judges_the_issuing_ca_by_the_root_crl() {
    use signet_core::Clock as _;
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let now = signet_core::SystemClock.now();
    let revoked_at = now - std::time::Duration::from_secs(600);
    pki.revoke_in_root_crl(Role::IssuingCa, revoked_at, "CACompromise")
        .unwrap();

    let run = verify(&pki, dir, Role::Signing, &["--ocsp", "--json"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    let json = run.json();
    assert_eq!(json["indication"], "INDETERMINATE");
    assert_eq!(json["subIndication"], "REVOKED_CA_NO_POE");
    let message = json["reasons"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Signet Test ESTEID2018")
            && message.contains("was revoked on")
            && message.contains(&signet_pki::time::Utc(revoked_at).to_string()),
        "{message}"
    );
    let text = verify(&pki, dir, Role::Signing, &["--ocsp"]);
    assert_eq!(text.code, 2, "{}", text.stdout);
    assert!(text.stdout.contains("REVOKED_CA_NO_POE"), "{}", text.stdout);

    // Asked at a time before the CA's revocation: the CA was not revoked then.
    let before = signet_pki::time::Utc(now - std::time::Duration::from_secs(3_600)).to_string();
    let earlier = verify(
        &pki,
        dir,
        Role::Signing,
        &["--ocsp", "--at", &before, "--json"],
    );
    assert_eq!(earlier.code, 0, "{}{}", earlier.stdout, earlier.stderr);
    let json = earlier.json();
    assert_eq!(json["indication"], "TOTAL-PASSED");
    let ca = &json["revocation"]["caCrls"][0];
    assert!(
        ca["subject"]
            .as_str()
            .unwrap()
            .contains("Signet Test ESTEID2018")
    );
    assert_eq!(
        ca["revokedAt"],
        signet_pki::time::Utc(revoked_at).to_string(),
        "listed, after the time asked"
    );
    assert_eq!(ca["reason"], "CaCompromise");
}
