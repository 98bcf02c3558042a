//! `signet card …` through the real pcscd, vsmartcard-vpcd and signet-vcard (run as root; the
//! nextest group `pcsc` runs these one at a time).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use crate::terminal::signet_on_terminal;
use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use signet_testkit::pcscd::Pcscd;
use signet_testkit::{PERSONAL_CODE, Role, TestKey, TestPki};
use signet_vcard::{CardSpec, Dialect, Holder, VirtualCard};

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

const PIN1: &str = "4321";
const PUK: &str = "86420864";

/// pcscd with the virtual card in slot 0, and the PKI its keys come from.
fn card_rig() -> (Pcscd, TestPki, VirtualCard) {
    card_rig_with(Dialect::Idemia2018)
}

/// pcscd with a virtual card of `dialect` in slot 0.
fn card_rig_with(dialect: Dialect) -> (Pcscd, TestPki, VirtualCard) {
    let pcscd = Pcscd::start().expect("pcscd with vpcd (run as root)");
    let pki = TestPki::start().unwrap();
    let mut card = VirtualCard::with_dialect(
        CardSpec {
            holder: Holder::new("TAMM", "MARI", PERSONAL_CODE),
            auth_key: key(&pki, Role::Authentication),
            auth_cert: pki.der(Role::Authentication).to_vec(),
            sign_key: key(&pki, Role::Signing),
            sign_cert: pki.der(Role::Signing).to_vec(),
            pin1: PIN1.into(),
            pin2: PIN2.into(),
            puk: PUK.into(),
        },
        dialect,
    );
    card.insert(pcscd.slot(0)).unwrap();
    // pcscd notices a card at its next presence poll (400 ms).
    let start = Instant::now();
    while !signet(&["card", "status"], "").status.success() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the card did not appear"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (pcscd, pki, card)
}

#[test]
fn card_status_certs_and_sign_digest_through_pcscd() {
    let (_pcscd, pki, card) = card_rig();
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

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn pin_change_wrong_pins_block_and_the_puk_unblocks() {
    let (_pcscd, _pki, card) = card_rig();

    let changed = signet(
        &["card", "pin", "change", "pin1", "--pin-stdin"],
        &format!("{PIN1}\n5678\n"),
    );
    assert!(changed.status.success(), "{}", stderr_of(&changed));
    assert_eq!(String::from_utf8_lossy(&changed.stdout), "PIN1 changed.\n");
    // The old PIN1 no longer works; the new one does (authentication key).
    let digest = "5a".repeat(48);
    let old = signet(
        &[
            "card",
            "sign-digest",
            &digest,
            "--key",
            "auth",
            "--pin-stdin",
        ],
        &format!("{PIN1}\n"),
    );
    assert_eq!(old.status.code(), Some(65), "{}", stderr_of(&old));
    assert!(stderr_of(&old).contains("PIN1 was incorrect. Tries left: 2."));
    let new = signet(
        &[
            "card",
            "sign-digest",
            &digest,
            "--key",
            "auth",
            "--pin-stdin",
        ],
        "5678\n",
    );
    assert!(new.status.success(), "{}", stderr_of(&new));

    // Three wrong PIN2s: two show the tries left, the third blocks. The current value is
    // checked before the new one is asked, so one wrong line is all each attempt reads.
    for left in [2, 1] {
        let wrong = signet(&["card", "pin", "change", "pin2", "--pin-stdin"], "11111\n");
        assert_eq!(wrong.status.code(), Some(65));
        let text = stderr_of(&wrong);
        assert!(
            text.contains(&format!("PIN2 was incorrect. Tries left: {left}.")),
            "{text}"
        );
        assert!(!text.contains("11111") && !text.contains("22222"), "{text}");
    }
    let third = signet(
        &["--json", "card", "pin", "change", "pin2", "--pin-stdin"],
        "11111\n",
    );
    assert_eq!(third.status.code(), Some(65));
    let json: serde_json::Value = serde_json::from_slice(&third.stdout).unwrap();
    assert_eq!(json["error"]["code"], "PIN_BLOCKED", "{json}");
    assert!(
        json["error"]["recommendation"]
            .as_str()
            .unwrap()
            .contains("signet card pin unblock"),
        "{json}"
    );
    assert_eq!(card.counters().pin2, 0);

    // Blocked: signing is refused before any PIN is read.
    let refused = signet(&["card", "sign-digest", &digest, "--pin-stdin"], "");
    assert_eq!(refused.status.code(), Some(65));
    assert!(
        stderr_of(&refused).contains("PIN2 is blocked."),
        "{}",
        stderr_of(&refused)
    );

    let unblocked = signet(
        &["--json", "card", "pin", "unblock", "pin2", "--pin-stdin"],
        &format!("{PUK}\n24680\n"),
    );
    assert!(unblocked.status.success(), "{}", stderr_of(&unblocked));
    let json: serde_json::Value = serde_json::from_slice(&unblocked.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"pin": "PIN2", "action": "unblocked"})
    );
    assert_eq!(card.counters().pin2, 3);
    let signed = signet(&["card", "sign-digest", &digest, "--pin-stdin"], "24680\n");
    assert!(signed.status.success(), "{}", stderr_of(&signed));
    assert_eq!(card.signatures(), 1);

    // A PUK that is too short never reaches the card.
    let verifications = card.verifications();
    let short = signet(
        &["card", "pin", "unblock", "pin1", "--pin-stdin"],
        "123\n1234\n",
    );
    assert_eq!(short.status.code(), Some(65));
    assert!(
        stderr_of(&short).contains("PUK must have 8 to 12 digits"),
        "{}",
        stderr_of(&short)
    );
    assert_eq!(card.verifications(), verifications);
    assert_eq!(card.counters().puk, 3);
}

#[test]
fn the_terminal_asks_for_the_pin_without_echo_and_shows_the_tries_left() {
    let (_pcscd, _pki, card) = card_rig();
    let digest = "3c".repeat(48);
    let (code, screen) = signet_on_terminal(&["card", "sign-digest", &digest], None, &[PIN2]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("PIN2 (3 tries left): "), "{screen}");
    assert!(!screen.contains(PIN2), "the PIN was echoed:\n{screen}");
    assert_eq!(card.signatures(), 1);

    // A new PIN is asked twice; two different values change nothing.
    let (code, screen) = signet_on_terminal(
        &["card", "pin", "change", "pin2"],
        None,
        &[PIN2, "24680", "13579"],
    );
    assert_eq!(code, 65, "{screen}");
    assert!(screen.contains("New PIN2 again: "), "{screen}");
    assert!(screen.contains("The two new PIN2s differ"), "{screen}");
    for secret in [PIN2, "24680", "13579"] {
        assert!(!screen.contains(secret), "{secret} was echoed:\n{screen}");
    }
    let (code, screen) = signet_on_terminal(
        &["card", "pin", "change", "pin2"],
        None,
        &[PIN2, "24680", "24680"],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("PIN2 changed."), "{screen}");
    let signed = signet(&["card", "sign-digest", &digest, "--pin-stdin"], "24680\n");
    assert!(signed.status.success(), "{}", stderr_of(&signed));
}

#[test]
fn a_thales_card_not_yet_activated_shows_so_until_pin2_is_changed() {
    let (_pcscd, _pki, card) = card_rig_with(Dialect::Thales2025);
    card.never_activated();
    let status = signet(&["card", "status", "--json"], "");
    assert_eq!(status.status.code(), Some(69), "{}", stderr_of(&status));
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["card"], "EstEID Thales 2025");
    assert_eq!(json["activated"], false);
    let text = signet(&["card", "status"], "");
    assert_eq!(text.status.code(), Some(69));
    assert!(
        stderr_of(&text).contains("has not been activated yet"),
        "{}",
        stderr_of(&text)
    );

    let digest = "77".repeat(48);
    // Refused before any PIN is read: standard input is empty.
    let refused = signet(&["card", "sign-digest", &digest, "--pin-stdin"], "");
    assert_eq!(refused.status.code(), Some(69));
    let said = stderr_of(&refused);
    assert!(
        said.contains("not been activated") && said.contains("change PIN2"),
        "{said}"
    );
    assert!(!said.contains("incorrect"), "{said}");
    assert_eq!(card.counters().pin2, 3);
    // Signing documents too: the card is reported before PIN2 is asked (standard input is
    // empty, so a PIN asked first would end in "standard input ended" instead).
    let dir = tempfile::tempdir().unwrap();
    let pdf = crate::pades::blank_pdf(dir.path(), "contract");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "notes").unwrap();
    for args in [
        vec![pdf.to_str().unwrap(), "--level", "B-B"],
        vec![
            notes.to_str().unwrap(),
            "--format",
            "asice",
            "--level",
            "B-B",
        ],
    ] {
        let mut all = vec!["sign"];
        all.extend(args);
        all.extend(["--token", "pcsc", "--pin-stdin"]);
        let refused = signet(&all, "");
        let said = stderr_of(&refused);
        assert_eq!(refused.status.code(), Some(69), "{all:?}: {said}");
        assert!(said.contains("not been activated"), "{all:?}: {said}");
    }
    assert_eq!(card.counters().pin2, 3);
    assert_eq!(card.signatures(), 0);

    let changed = signet(
        &["card", "pin", "change", "pin2", "--pin-stdin"],
        &format!("{PIN2}\n24680\n"),
    );
    assert!(changed.status.success(), "{}", stderr_of(&changed));
    let status = signet(&["card", "status", "--json"], "");
    assert!(status.status.success(), "{}", stderr_of(&status));
    let signed = signet(&["card", "sign-digest", &digest, "--pin-stdin"], "24680\n");
    assert!(signed.status.success(), "{}", stderr_of(&signed));
    assert_eq!(card.signatures(), 1);
}

#[test]
fn pcscd_stopped_is_service_not_running_with_its_recommendation() {
    let mut pcscd = Pcscd::start().expect("pcscd with vpcd (run as root)");
    pcscd.stop();
    let started = Instant::now();
    let out = signet(&["--json", "card", "status"], "");
    assert!(started.elapsed() < Duration::from_secs(5), "it hung");
    assert_eq!(out.status.code(), Some(69));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["error"]["code"], "CARD_UNAVAILABLE", "{json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("smart card service (pcscd) is not running"),
        "{json}"
    );
    assert!(
        json["error"]["recommendation"]
            .as_str()
            .unwrap()
            .contains("pcscd.socket"),
        "{json}"
    );
    let text = signet(
        &["card", "sign-digest", &"00".repeat(48), "--pin-stdin"],
        "",
    );
    assert_eq!(text.status.code(), Some(69));
    assert!(
        stderr_of(&text).contains("not running"),
        "{}",
        stderr_of(&text)
    );
}

#[test]
fn an_expired_signing_certificate_is_refused_before_the_pin() {
    let pcscd = Pcscd::start().expect("pcscd with vpcd (run as root)");
    let pki = TestPki::start().unwrap();
    let mut card = VirtualCard::new(CardSpec {
        holder: Holder::new("TAMM", "MARI", PERSONAL_CODE),
        auth_key: key(&pki, Role::Authentication),
        auth_cert: pki.der(Role::Authentication).to_vec(),
        sign_key: key(&pki, Role::Expired),
        sign_cert: pki.der(Role::Expired).to_vec(),
        pin1: PIN1.into(),
        pin2: PIN2.into(),
        puk: PUK.into(),
    });
    card.insert(pcscd.slot(0)).unwrap();
    let start = Instant::now();
    while !signet(&["card", "status"], "").status.success() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the card did not appear"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let digest = "11".repeat(48);
    let out = signet(
        &["--json", "card", "sign-digest", &digest, "--pin-stdin"],
        "",
    );
    assert_eq!(out.status.code(), Some(65));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains("certificate on the ID card has expired"),
        "{json}"
    );
    assert_eq!((card.signatures(), card.verifications()), (0, 0));
    // The authentication key's certificate is valid: it still signs.
    let auth = signet(
        &[
            "card",
            "sign-digest",
            &digest,
            "--key",
            "auth",
            "--pin-stdin",
        ],
        &format!("{PIN1}\n"),
    );
    assert!(auth.status.success(), "{}", stderr_of(&auth));
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
        // No keyring in the test run: the vault's passphrase first, then PIN1.
        let run = crate::data::signet(
            &home,
            &["data", "login", "--node", &url, "--pin-stdin", "--json"],
            &crate::data::secrets(&["4321"]),
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
    // The session is kept in the vault (kept with a passphrase): `usage` needs no PIN1 again.
    let usage = crate::data::signet(
        &home,
        &["data", "usage", "--node", &url, "--pin-stdin", "--json"],
        &crate::data::secrets(&[]),
    );
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
