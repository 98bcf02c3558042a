//! `signet batch` with the virtual card through the real pcscd (the nextest group `pcsc`): the
//! card pulled mid-batch, a wrong or blocked PIN2, pcscd stopped between two files.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use super::{events, journal, journal_lines, of_kind, pyhanko_accepts, sha256_hex, signet, text};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use signet_testkit::{Role, TestPki};

/// The virtual card through the real pcscd is pulled in the middle of the 4th of 6
/// signatures: the batch stops at once with CARD_REMOVED (exit 69), the 3 outputs and the
/// journal stay; with the card back, the same command signs the 3 left and skips the others.
#[test]
fn card_pulled_mid_batch_keeps_the_done_files_and_the_same_command_finishes() {
    use signet_testkit::pcscd::Pcscd;
    use signet_testkit::{PERSONAL_CODE, TestKey};
    use signet_vcard::{CardSpec, Fault, Holder, VirtualCard};
    const PIN2: &str = "97531";
    let key = |pki: &TestPki, role: Role| match &pki.get(role).key {
        TestKey::P384(key) => key.clone(),
        other => panic!("{role:?} has a {other:?} key"),
    };
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
    let wait_for_card = || {
        let start = Instant::now();
        while !signet(&["card", "status"], "").status.success() {
            assert!(start.elapsed() < Duration::from_secs(10), "no card");
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_for_card();

    let dir = tempfile::tempdir().unwrap();
    // The 4th, where the card is pulled, is not a PDF: it goes into an ASiC-E container, so
    // the pull is seen through XAdES signing too.
    let inputs: Vec<PathBuf> = (1..=6)
        .map(|i| {
            if i == 4 {
                let path = dir.path().join("deed4.txt");
                std::fs::write(&path, b"a deed in plain text\n").unwrap();
                path
            } else {
                crate::pades::blank_pdf(dir.path(), &format!("deed{i}"))
            }
        })
        .collect();
    let out_dir = dir.path().join("signed");
    let od = out_dir.display().to_string();
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let mut args: Vec<&str> = vec!["batch"];
    args.extend(names.iter().map(String::as_str));
    args.extend_from_slice(&[
        "--out-dir",
        &od,
        "--level",
        "B-B",
        "--token",
        "pcsc",
        "--chain",
        &ca,
        "--pin-stdin",
        "--yes",
        "--json",
    ]);

    // PIN2 is given one line at a time, so the test knows where the batch is.
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(&args)
        .env("SIGNET_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    for done in 1..=3 {
        writeln!(stdin, "{PIN2}").unwrap();
        let start = Instant::now();
        while card.signatures() < done {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "signature {done}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    card.inject(Fault::RemoveDuringSignature);
    writeln!(stdin, "{PIN2}").unwrap();
    drop(stdin);
    let run = child.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(69), "{}", text(&run));
    // Standard error carries the warnings (the level is capped there): the stop, never a PIN.
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(
        log.contains("batch stopped") && log.contains("CARD_REMOVED"),
        "{log}"
    );
    assert!(!log.contains(PIN2), "{log}");
    let ev = events(&run);
    assert_eq!(ev[0]["event"], "plan");
    assert!(
        ev[0]["signer"]["subject"]
            .as_str()
            .unwrap()
            .contains("TAMM"),
        "the card's signer is in the plan: {:#}",
        ev[0]
    );
    assert_eq!(of_kind(&ev, "signed").len(), 3);
    assert_eq!(of_kind(&ev, "failed").len(), 0);
    let summary = ev.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["signed"], 3);
    assert_eq!(summary["left"], 3);
    let stopped = &summary["stopped"];
    assert_eq!(stopped["code"], "CARD_REMOVED", "{summary:#}");
    let message = stopped["message"].as_str().unwrap();
    assert!(
        message.starts_with("the card was removed after 3 of 6 files"),
        "{message}"
    );
    assert!(message.contains("the 3 signed files are kept"), "{message}");
    assert!(
        stopped["recommendation"]
            .as_str()
            .unwrap()
            .starts_with("Insert the card and run the same command again to sign the 3 left"),
        "{stopped:#}"
    );
    assert_eq!(card.signatures(), 3);
    // The journal lists exactly the three outputs as signed, which are intact and valid; the
    // fourth has only its "started" line.
    let entries = journal(&out_dir);
    let last = journal_lines(&out_dir).pop().unwrap();
    assert_eq!(last["output"], "deed4.asice");
    assert!(last["outputSha256"].is_null());
    let listed: Vec<&str> = entries
        .iter()
        .map(|e| e["output"].as_str().unwrap())
        .collect();
    assert_eq!(
        listed,
        ["deed1.signed.pdf", "deed2.signed.pdf", "deed3.signed.pdf"]
    );
    let mut files: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            ".signet-batch.jsonl",
            "deed1.signed.pdf",
            "deed2.signed.pdf",
            "deed3.signed.pdf"
        ]
    );
    let kept: Vec<_> = listed
        .iter()
        .map(|name| {
            let path = out_dir.join(name);
            pyhanko_accepts(&pki, &path);
            (
                path.clone(),
                sha256_hex(&path),
                std::fs::metadata(&path).unwrap().modified().unwrap(),
            )
        })
        .collect();
    for (entry, (_, sha, _)) in entries.iter().zip(&kept) {
        assert_eq!(&entry["outputSha256"], sha);
    }

    // The card back (vpcd takes it again only in the other slot after a pull mid-transmit),
    // the same command: three PIN2s, three signatures, the first three skipped untouched.
    card.remove();
    card.insert(pcscd.slot(1)).unwrap();
    wait_for_card();
    let again = signet(&args, &format!("{PIN2}\n{PIN2}\n{PIN2}\n"));
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(
        !log.contains(PIN2) && !log.contains("a deed in plain text"),
        "{log}"
    );
    let ev = events(&again);
    let skipped: Vec<&str> = of_kind(&ev, "skipped")
        .iter()
        .map(|e| e["output"].as_str().unwrap())
        .collect();
    assert_eq!(skipped.len(), 3);
    assert!(skipped[0].ends_with("deed1.signed.pdf"));
    assert_eq!(of_kind(&ev, "signed").len(), 3);
    assert_eq!(card.signatures(), 6, "the done files were not signed again");
    for (path, sha, mtime) in &kept {
        assert_eq!(&sha256_hex(path), sha);
        assert_eq!(&std::fs::metadata(path).unwrap().modified().unwrap(), mtime);
    }
    assert_eq!(journal(&out_dir).len(), 6);
    for i in [5, 6] {
        pyhanko_accepts(&pki, &out_dir.join(format!("deed{i}.signed.pdf")));
    }
    let container = out_dir.join("deed4.asice");
    let listed = signet(
        &["asice", "list", container.to_str().unwrap(), "--json"],
        "",
    );
    assert!(listed.status.success(), "{}", text(&listed));
    let listing: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listing["dataFiles"][0]["name"], "deed4.txt");
    assert_eq!(listing["signatures"].as_array().unwrap().len(), 1);
}

/// A wrong PIN2 stops the batch before anything is written (exit 65, PIN_INCORRECT), a blocked
/// one before any PIN is asked (PIN_BLOCKED); pcscd
/// stopping between two files stops it with CARD_UNAVAILABLE (exit 69), the first file kept.
#[test]
fn card_wrong_pin_or_pcscd_stopped_stops_the_batch_and_keeps_what_is_done() {
    use signet_testkit::pcscd::Pcscd;
    use signet_testkit::{PERSONAL_CODE, TestKey};
    use signet_vcard::{CardSpec, Holder, VirtualCard};
    const PIN2: &str = "97531";
    let key = |pki: &TestPki, role: Role| match &pki.get(role).key {
        TestKey::P384(key) => key.clone(),
        other => panic!("{role:?} has a {other:?} key"),
    };
    let mut pcscd = Pcscd::start().expect("pcscd with vpcd (run as root)");
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
    while !signet(&["card", "status"], "").status.success() {
        assert!(start.elapsed() < Duration::from_secs(10), "no card");
        std::thread::sleep(Duration::from_millis(100));
    }
    let dir = tempfile::tempdir().unwrap();
    let a = crate::pades::blank_pdf(dir.path(), "a");
    let b = crate::pades::blank_pdf(dir.path(), "b");
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let batch = |out: &Path| -> Vec<String> {
        [
            "batch",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
            "--level",
            "B-B",
            "--token",
            "pcsc",
            "--chain",
            &ca,
            "--pin-stdin",
            "--yes",
        ]
        .map(str::to_owned)
        .to_vec()
    };

    // A wrong PIN2: stopped at once, text mode says so on standard error.
    let out1 = dir.path().join("out1");
    let args = batch(&out1);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let wrong = signet(&args, "11111\n");
    assert_eq!(wrong.status.code(), Some(65), "{}", text(&wrong));
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        stderr.contains("signet: the PIN was incorrect after 0 of 2 files"),
        "{stderr}"
    );
    assert!(stderr.contains("Tries left: 2"), "{stderr}");
    assert!(!stderr.contains("11111"));
    assert_eq!(card.counters().pin2, 2);
    assert_eq!(card.signatures(), 0);
    assert!(!out1.join("a.signed.pdf").exists() && !out1.join("b.signed.pdf").exists());

    // Two more wrong PIN2s block it; then the batch stops before asking for a PIN at all.
    for _ in 0..2 {
        let wrong = signet(&args, "11111\n");
        assert_eq!(wrong.status.code(), Some(65), "{}", text(&wrong));
    }
    assert_eq!(card.counters().pin2, 0);
    let blocked = signet(&[&args[..], &["--json"]].concat(), "");
    assert_eq!(blocked.status.code(), Some(65), "{}", text(&blocked));
    let ev = events(&blocked);
    let stopped = &ev.last().unwrap()["stopped"];
    assert_eq!(stopped["code"], "PIN_BLOCKED", "{stopped:#}");
    assert!(
        stopped["message"]
            .as_str()
            .unwrap()
            .starts_with("the PIN is blocked after 0 of 2 files"),
        "{stopped:#}"
    );
    assert!(
        stopped["recommendation"]
            .as_str()
            .unwrap()
            .contains("signet card pin unblock pin2"),
        "{stopped:#}"
    );
    let unblocked = signet(
        &["card", "pin", "unblock", "pin2", "--pin-stdin"],
        &format!("86420864\n{PIN2}\n"),
    );
    assert!(unblocked.status.success(), "{}", text(&unblocked));

    // Standard input ends after the first PIN2: the batch stops there, the first file kept.
    let out3 = dir.path().join("out3");
    let args3 = batch(&out3);
    let args3: Vec<&str> = args3.iter().map(String::as_str).collect();
    let short = signet(&[&args3[..], &["--json"]].concat(), &format!("{PIN2}\n"));
    assert_eq!(short.status.code(), Some(65), "{}", text(&short));
    let summary = events(&short).pop().unwrap();
    assert_eq!(summary["signed"], 1, "{summary:#}");
    assert_eq!(summary["failed"], 0, "{summary:#}");
    assert_eq!(summary["left"], 1, "{summary:#}");
    assert!(
        summary["stopped"]["message"]
            .as_str()
            .unwrap()
            .starts_with("signing stopped after 1 of 2 files (Standard input ended"),
        "{summary:#}"
    );
    assert_eq!(journal(&out3).len(), 1);

    // pcscd stops while the batch waits for the second PIN2.
    let out2 = dir.path().join("out2");
    let args = batch(&out2);
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(&args)
        .arg("--json")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{PIN2}").unwrap();
    let start = Instant::now();
    while card.signatures() < 1 || !out2.join(".signet-batch.jsonl").exists() {
        assert!(start.elapsed() < Duration::from_secs(20), "first signature");
        std::thread::sleep(Duration::from_millis(20));
    }
    // The first output is in place once its journal line is written.
    let start = Instant::now();
    while journal(&out2).is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "first journal line"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    pcscd.stop();
    writeln!(stdin, "{PIN2}").unwrap();
    drop(stdin);
    let run = child.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(69), "{}", text(&run));
    let ev = events(&run);
    let summary = ev.last().unwrap();
    assert_eq!(summary["signed"], 1, "{summary:#}");
    assert_eq!(summary["left"], 1);
    assert_eq!(
        summary["stopped"]["code"], "CARD_UNAVAILABLE",
        "{summary:#}"
    );
    assert!(
        summary["stopped"]["message"]
            .as_str()
            .unwrap()
            .starts_with("the card could not be reached after 1 of 2 files"),
        "{summary:#}"
    );
    assert_eq!(journal(&out2).len(), 1);
    assert!(!out2.join("b.signed.pdf").exists());
    pyhanko_accepts(&pki, &out2.join("a.signed.pdf"));
    drop(card);
}
