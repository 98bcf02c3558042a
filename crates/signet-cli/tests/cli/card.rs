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

/// `signet data login` with the virtual card's authentication key (PIN1) through the real pcscd:
/// the node validates the card's certificate, and the session then reads verified usage.
#[test]
fn card_data_login_with_the_virtual_card_through_pcscd() {
    let pcscd = Pcscd::start().expect("pcscd with vpcd (run as root)");
    // The node trusts the PKI of the data tests.
    let pki = crate::data::pki();
    let mut card = VirtualCard::new(CardSpec {
        holder: Holder::new("TAMM", "MARI", PERSONAL_CODE),
        auth_key: key(pki, Role::Authentication),
        auth_cert: pki.der(Role::Authentication).to_vec(),
        sign_key: key(pki, Role::Signing),
        sign_cert: pki.der(Role::Signing).to_vec(),
        pin1: "4321".into(),
        pin2: PIN2.into(),
        puk: "86420864".into(),
    });
    card.insert(pcscd.slot(0)).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let node = crate::data::start(&dir.path().join("node.db"), false);
    let url = crate::data::list_node(&home, &node);
    let start = Instant::now();
    let login = loop {
        let run = crate::data::signet(
            &home,
            &["data", "login", "--node", &url, "--pin-stdin", "--json"],
            "4321\n",
        );
        if run.code == 0 || start.elapsed() > Duration::from_secs(5) {
            break run;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(login.code, 0, "{}{}", login.stdout, login.stderr);
    assert!(login.json()["name"].as_str().unwrap().contains("MARI"));

    assert_eq!(crate::data::official_query(node.addr(), "Kontroll"), 200);
    crate::data::wait_for_size(node.addr(), 1);
    let usage = crate::data::signet(&home, &["data", "usage", "--node", &url, "--json"], "");
    assert_eq!(usage.code, 0, "{}", usage.stderr);
    let body = usage.json();
    assert_eq!(
        body["entries"][0]["entry"]["subject"],
        format!("EE{PERSONAL_CODE}")
    );
    assert_eq!(body["log"], crate::data::LOG_ORIGIN);
    crate::data::stop(node);
    drop(card);
}
