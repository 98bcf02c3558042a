//! `signet card …` through the real pcscd, vsmartcard-vpcd and signet-vcard (run as root; the
//! nextest group `pcsc` runs these one at a time).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use signet_testkit::pcscd::Pcscd;
use signet_testkit::{PERSONAL_CODE, Role, TestKey, TestPki};
use signet_vcard::{CardSpec, Holder, VirtualCard};

const PIN2: &str = "97531";

fn key(pki: &TestPki, role: Role) -> p384::ecdsa::SigningKey {
    match &pki.get(role).key {
        TestKey::P384(key) => key.clone(),
        other => panic!("{role:?} has a {other:?} key"),
    }
}

fn signet(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .env("SIGNET_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn card_status_certs_and_sign_digest_through_pcscd() {
    let pcscd = Pcscd::start().expect("pcscd with vpcd (run as root)");
    let pki = TestPki::start().unwrap();
    let mut card = VirtualCard::new(CardSpec {
        holder: Holder::new("TAMM", "MARI", PERSONAL_CODE),
        auth_key: key(&pki, Role::Authentication),
        auth_cert: pki.der(Role::Authentication).to_vec(),
        sign_key: key(&pki, Role::Signing),
        sign_cert: pki.der(Role::Signing).to_vec(),
        pin1: "4321".into(),
        pin2: PIN2.into(),
        puk: "86420864".into(),
    });
    card.insert(pcscd.slot(0)).unwrap();

    let start = Instant::now();
    let status = loop {
        let out = signet(&["card", "status", "--json"], "");
        if out.status.success() || start.elapsed() > Duration::from_secs(5) {
            break out;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["reader"], "Virtual PCD 00 00");
    assert_eq!(json["personalCode"], PERSONAL_CODE);
    assert_eq!(json["surname"], "TAMM");
    assert_eq!(json["pin2Retries"], 3);

    let certs = signet(&["card", "certs"], "");
    assert!(certs.status.success());
    let text = String::from_utf8(certs.stdout).unwrap();
    assert!(
        text.starts_with("auth: ") && text.contains("\nsign: "),
        "{text}"
    );

    let digest = [0x5A_u8; 48];
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let wrong = signet(&["card", "sign-digest", &hex, "--pin-stdin"], "11111\n");
    assert_eq!(wrong.status.code(), Some(65));
    let stderr = String::from_utf8(wrong.stderr).unwrap();
    assert!(
        stderr.contains("PIN2 was incorrect. Tries left: 2."),
        "{stderr}"
    );
    assert!(!stderr.contains("11111"));

    let signed = signet(
        &["card", "sign-digest", &hex, "--pin-stdin", "--json"],
        &format!("{PIN2}\n"),
    );
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    assert!(!String::from_utf8_lossy(&signed.stderr).contains(PIN2));
    let json: serde_json::Value = serde_json::from_slice(&signed.stdout).unwrap();
    let der_hex = json["signatureDerHex"].as_str().unwrap();
    let der: Vec<u8> = (0..der_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&der_hex[i..i + 2], 16).unwrap())
        .collect();

    // OpenSSL checks the signature with the signing certificate's public key.
    let dir = pki.dir();
    std::fs::write(dir.join("cli.sig"), der).unwrap();
    std::fs::write(dir.join("cli.digest"), digest).unwrap();
    let pubkey = Command::new("openssl")
        .args(["x509", "-noout", "-pubkey", "-in"])
        .arg(&pki.get(Role::Signing).cert_path)
        .output()
        .unwrap();
    std::fs::write(dir.join("cli.pub"), pubkey.stdout).unwrap();
    let verified = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(dir.join("cli.pub"))
        .arg("-in")
        .arg(dir.join("cli.digest"))
        .arg("-sigfile")
        .arg(dir.join("cli.sig"))
        .output()
        .unwrap();
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    assert_eq!(card.signatures(), 1);
}

/// `signet sign --format pades --token pcsc` through pcscd and the virtual card: one PIN2 for
/// the one signature, and pyHanko accepts the PDF.
#[test]
fn pades_signature_through_pcscd_is_valid_to_pyhanko() {
    let pcscd = Pcscd::start().expect("pcscd with vpcd (run as root)");
    let pki = TestPki::start().unwrap();
    let mut card = VirtualCard::new(CardSpec {
        holder: Holder::new("TAMM", "MARI", PERSONAL_CODE),
        auth_key: key(&pki, Role::Authentication),
        auth_cert: pki.der(Role::Authentication).to_vec(),
        sign_key: key(&pki, Role::Signing),
        sign_cert: pki.der(Role::Signing).to_vec(),
        pin1: "4321".into(),
        pin2: PIN2.into(),
        puk: "86420864".into(),
    });
    card.insert(pcscd.slot(0)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let input = crate::pades::blank_pdf(dir.path(), "contract");
    let output = dir.path().join("contract-signed.pdf");
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let start = Instant::now();
    let signed = loop {
        let out = signet(
            &[
                "sign",
                input.to_str().unwrap(),
                "--format",
                "pades",
                "--level",
                "B-B",
                "--token",
                "pcsc",
                "--pin-stdin",
                "--chain",
                &ca,
                "--out",
                output.to_str().unwrap(),
                "--visible",
                "1,50,50,220,60",
            ],
            &format!("{PIN2}\n"),
        );
        if out.status.success() || start.elapsed() > Duration::from_secs(5) || card.signatures() > 0
        {
            break out;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stderr)
    );
    assert!(!String::from_utf8_lossy(&signed.stderr).contains(PIN2));
    assert_eq!(card.signatures(), 1);
    let v = crate::pades::pyhanko(&["validate", "--no-revocation-check"], &pki, &output);
    let text = String::from_utf8_lossy(&v.stdout);
    assert!(
        v.status.success() && text.contains("INTACT:TRUSTED"),
        "{text}{}",
        String::from_utf8_lossy(&v.stderr)
    );
}
