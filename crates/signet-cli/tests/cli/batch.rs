//! `signet batch` through the real binary: a PKCS#12 token with the test PKI's TSA and OCSP
//! responder on loopback, and the virtual card through the real pcscd pulled mid-batch
//! (`batch::card_*` runs in the nextest group `pcsc`). pyHanko and `signet verify` judge.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use crate::terminal::signet_on_terminal;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use signet_testkit::{Role, TestPki};

const PASSWORD: &str = "test1234";

/// Runs the binary with every log line on (standard error), so that the tests can check that no
/// PIN, password or document content reaches the log.
fn signet(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .env("SIGNET_LOG", "trace")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before it reads its PIN closes the pipe: not an error here.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn p12(pki: &TestPki, dir: &Path) -> PathBuf {
    let issued = pki.get(Role::Signing);
    let out = dir.join("signer.p12");
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout"])
        .arg(format!("pass:{PASSWORD}"))
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-inkey")
        .arg(&issued.key_path)
        .arg("-out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

/// The JSON lines of a `--json` run, each checked to be one JSON object with an `event`.
fn events(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            assert!(v["event"].is_string(), "{line}");
            v
        })
        .collect()
}

fn of_kind<'a>(events: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    events.iter().filter(|e| e["event"] == kind).collect()
}

/// Every line of the journal: "started" lines (no `outputSha256`) and "signed" lines.
fn journal_lines(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join(".signet-batch.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The journal's "signed" lines: the files done.
fn journal(dir: &Path) -> Vec<serde_json::Value> {
    journal_lines(dir)
        .into_iter()
        .filter(|e| e["outputSha256"].is_string())
        .collect()
}

fn sha256_hex(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..64].to_owned()
}

fn pyhanko_accepts(pki: &TestPki, pdf: &Path) {
    let v = crate::pades::pyhanko(&["validate", "--no-revocation-check"], pki, pdf);
    assert!(
        v.status.success() && text(&v).contains("INTACT:TRUSTED"),
        "{}: {}",
        pdf.display(),
        text(&v)
    );
}

#[test]
fn a_batch_of_pdfs_with_a_pkcs12_file_is_signed_reported_and_resumed() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let inputs_dir = dir.path().join("in");
    std::fs::create_dir(&inputs_dir).unwrap();
    let mut inputs: Vec<PathBuf> = (1..=10)
        .map(|i| crate::pades::blank_pdf(&inputs_dir, &format!("doc{i:02}")))
        .collect();
    // A broken PDF among them, and a text file (into its own container).
    let broken = inputs_dir.join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.7\nnot a pdf at all\n").unwrap();
    inputs.insert(4, broken.clone());
    let notes = inputs_dir.join("notes.txt");
    std::fs::write(&notes, b"meeting notes\n").unwrap();
    inputs.push(notes.clone());
    let before: Vec<Vec<u8>> = inputs.iter().map(|p| std::fs::read(p).unwrap()).collect();

    let p12 = p12(&pki, dir.path());
    let token = format!("p12:{}", p12.display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let tsa = pki.tsa_url();
    let out_dir = dir.path().join("signed");
    let od = out_dir.display().to_string();
    let mut args: Vec<&str> = vec!["batch"];
    let names: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    args.extend(names.iter().map(String::as_str));
    args.extend_from_slice(&[
        "--out-dir",
        &od,
        "--level",
        "B-LT",
        "--token",
        &token,
        "--tsa",
        &tsa,
        "--trust",
        &root,
        // ASiC-E finds the signer's issuer among what it trusts (--chain is PAdES's).
        "--trust",
        &ca,
        "--chain",
        &ca,
        "--pin-stdin",
        "--yes",
        "--json",
    ]);
    let run = signet(&args, &format!("{PASSWORD}\n"));
    let log = String::from_utf8_lossy(&run.stderr);
    assert!(log.contains("a file of the batch failed"), "{log}");
    assert!(
        !log.contains("meeting notes") && !log.contains(PASSWORD),
        "{log}"
    );
    // One file failed for its own reason: the others are signed, and the status says so.
    assert_eq!(run.status.code(), Some(65), "{}", text(&run));
    assert!(!text(&run).contains(PASSWORD));
    let ev = events(&run);
    assert_eq!(ev[0]["event"], "plan");
    assert_eq!(ev[0]["count"], 12);
    // The broken PDF is found in the plan, before the password.
    assert_eq!(ev[0]["toSign"], 11);
    assert_eq!(ev[0]["files"][4]["state"], "refused");
    assert_eq!(ev[0]["files"][3]["state"], "sign");
    assert_eq!(ev[0]["level"], "B-LT");
    assert!(
        ev[0]["signer"].is_null(),
        "a PKCS#12 signer is read after its password"
    );
    let sizes: u64 = before.iter().map(|b| b.len() as u64).sum();
    assert_eq!(ev[0]["totalBytes"], sizes);
    assert_eq!(ev[0]["files"][11]["format"], "asice");
    assert_eq!(ev[0]["files"][0]["format"], "pades");
    let signed = of_kind(&ev, "signed");
    assert_eq!(signed.len(), 11, "{ev:#?}");
    assert_eq!(signed[0]["n"], 1);
    assert_eq!(signed[0]["of"], 12);
    let failed = of_kind(&ev, "failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["n"], 5);
    assert_eq!(failed[0]["input"], broken.display().to_string());
    assert_eq!(failed[0]["error"]["code"], "INVALID_INPUT");
    let summary = ev.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["signed"], 11);
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["left"], 0);
    assert!(summary["stopped"].is_null());

    // Inputs untouched; the broken one has no output.
    for (path, bytes) in inputs.iter().zip(&before) {
        assert_eq!(&std::fs::read(path).unwrap(), bytes, "{}", path.display());
    }
    assert!(!out_dir.join("broken.signed.pdf").exists());
    // The journal lists exactly the signed files, with their outputs' hashes.
    let entries = journal(&out_dir);
    assert_eq!(entries.len(), 11);
    for (entry, event) in entries.iter().zip(&signed) {
        let output = out_dir.join(entry["output"].as_str().unwrap());
        assert_eq!(event["output"], output.display().to_string());
        assert_eq!(entry["outputSha256"], sha256_hex(&output));
        assert_eq!(event["outputSha256"], sha256_hex(&output));
    }
    // Nothing else in the folder: 10 PDFs, the container, the journal; no temporary file.
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 12);

    // Every PDF is valid to pyHanko and to signet verify (B-LT, offline).
    let pdfs: Vec<PathBuf> = (1..=10)
        .map(|i| out_dir.join(format!("doc{i:02}.signed.pdf")))
        .collect();
    for pdf in &pdfs {
        pyhanko_accepts(&pki, pdf);
    }
    let mut verify: Vec<String> = vec!["verify".into()];
    verify.extend(pdfs.iter().map(|p| p.display().to_string()));
    verify.extend([
        "--trust".into(),
        root.clone(),
        "--offline".into(),
        "--json".into(),
    ]);
    let verify: Vec<&str> = verify.iter().map(String::as_str).collect();
    let verified = signet(&verify, "");
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    for file in json["files"].as_array().unwrap() {
        assert_eq!(file["verdict"], "valid", "{file:#}");
        assert_eq!(file["signatures"][0]["level"], "B-LT");
    }
    let container = out_dir.join("notes.asice");
    let verified = signet(
        &[
            "verify",
            container.to_str().unwrap(),
            "--trust",
            &root,
            "--json",
        ],
        "",
    );
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(json["files"][0]["indication"], "TOTAL-PASSED", "{json:#}");

    // The same command again: every signed file is skipped (no password asked: stdin is
    // empty), the broken one fails again, nothing is rewritten.
    let mtimes: Vec<_> = entries
        .iter()
        .map(|e| {
            std::fs::metadata(out_dir.join(e["output"].as_str().unwrap()))
                .unwrap()
                .modified()
                .unwrap()
        })
        .collect();
    let again = signet(&args, "");
    assert_eq!(again.status.code(), Some(65), "{}", text(&again));
    let ev = events(&again);
    assert_eq!(ev[0]["toSign"], 0);
    assert_eq!(of_kind(&ev, "skipped").len(), 11);
    assert_eq!(of_kind(&ev, "signed").len(), 0);
    assert_eq!(of_kind(&ev, "failed").len(), 1);
    assert_eq!(journal(&out_dir).len(), 11);
    for (entry, mtime) in entries.iter().zip(&mtimes) {
        let output = out_dir.join(entry["output"].as_str().unwrap());
        assert_eq!(
            &std::fs::metadata(&output).unwrap().modified().unwrap(),
            mtime
        );
    }

    // A run stopped between an output's rename and its "signed" line: the output is found with
    // only its "started" line, checked to be the input signed, kept and recorded.
    let lines = journal_lines(&out_dir);
    let cut = lines
        .iter()
        .rposition(|e| e["output"] == "doc01.signed.pdf" && e["outputSha256"].is_string())
        .unwrap();
    let rest: String = lines
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != cut)
        .map(|(_, e)| format!("{e}\n"))
        .collect();
    std::fs::write(out_dir.join(".signet-batch.jsonl"), rest).unwrap();
    assert_eq!(journal(&out_dir).len(), 10);
    let again = signet(&args, "");
    assert_eq!(again.status.code(), Some(65), "{}", text(&again));
    let ev = events(&again);
    assert_eq!(ev[0]["files"][0]["state"], "done", "{:#}", ev[0]);
    assert_eq!(of_kind(&ev, "skipped").len(), 11);
    let entries_now = journal(&out_dir);
    assert_eq!(entries_now.len(), 11);
    assert_eq!(entries_now[10]["output"], "doc01.signed.pdf");
    assert_eq!(entries_now[10]["outputSha256"], entries[0]["outputSha256"]);

    // An output in the way that this batch did not write is never overwritten.
    let extra = crate::pades::blank_pdf(&inputs_dir, "extra");
    std::fs::write(out_dir.join("extra.signed.pdf"), b"someone else's file").unwrap();
    let e = extra.display().to_string();
    let run = signet(
        &[
            "batch",
            &e,
            "--out-dir",
            &od,
            "--level",
            "B-B",
            "--token",
            &token,
            "--pin-stdin",
            "--yes",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(run.status.code(), Some(65), "{}", text(&run));
    assert!(
        text(&run).contains("exists and was not signed by this batch"),
        "{}",
        text(&run)
    );
    assert_eq!(
        std::fs::read(out_dir.join("extra.signed.pdf")).unwrap(),
        b"someone else's file"
    );
}

#[test]
fn batch_text_mode_prints_one_line_per_file() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = crate::pades::blank_pdf(dir.path(), "a");
    let b = crate::pades::blank_pdf(dir.path(), "b");
    let p12 = p12(&pki, dir.path());
    let token = format!("p12:{}", p12.display());
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let out_dir = dir.path().join("out");
    let od = out_dir.display().to_string();
    let run = signet(
        &[
            "batch",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out-dir",
            &od,
            "--level",
            "B-B",
            "--token",
            &token,
            "--chain",
            &ca,
            "--pin-stdin",
            "--yes",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.starts_with("Batch: 2 files, "), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "[1/2] signed {} → {}\n",
            a.display(),
            out_dir.join("a.signed.pdf").display()
        )),
        "{stdout}"
    );
    assert!(stdout.contains("[2/2] signed "), "{stdout}");
    assert!(stdout.contains("2 files: 2 signed, 0 skipped"), "{stdout}");
    pyhanko_accepts(&pki, &out_dir.join("b.signed.pdf"));
}

#[test]
fn batch_needs_yes_when_stdin_carries_pins_or_the_output_is_json() {
    let dir = tempfile::tempdir().unwrap();
    let a = crate::pades::blank_pdf(dir.path(), "a");
    let out_dir = dir.path().join("out");
    let od = out_dir.display().to_string();
    let base = [
        "batch",
        a.to_str().unwrap(),
        "--out-dir",
        &od,
        "--level",
        "B-B",
    ];
    for extra in [&["--pin-stdin"][..], &["--json"][..], &[][..]] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let run = signet(&args, "1234\n");
        assert_eq!(run.status.code(), Some(64), "{extra:?}: {}", text(&run));
        assert!(text(&run).contains("--yes"), "{}", text(&run));
        assert!(!out_dir.exists(), "nothing is created before the review");
    }
    let mut args = base.to_vec();
    args.push("--json");
    let json = signet(&args, "");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(doc["error"]["code"], "INVALID_INPUT");
}

#[test]
fn the_review_on_a_terminal_signs_nothing_unless_confirmed() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = crate::pades::blank_pdf(dir.path(), "a");
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, b"notes\n").unwrap();
    let p12 = p12(&pki, dir.path());
    let token = format!("p12:{}", p12.display());
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let out_dir = dir.path().join("out");
    let od = out_dir.display().to_string();
    let args = [
        "batch",
        a.to_str().unwrap(),
        notes.to_str().unwrap(),
        "--out-dir",
        &od,
        "--level",
        "B-B",
        "--token",
        &token,
        "--chain",
        &ca,
    ];
    let (code, screen) = signet_on_terminal(&args, Some("n"), &[]);
    assert_eq!(code, 130, "{screen}");
    assert!(screen.contains("Batch: 2 files, "), "{screen}");
    assert!(
        screen.contains(&format!(
            "{} (6 bytes) ASiC-E → {}",
            notes.display(),
            out_dir.join("notes.asice").display()
        )),
        "{screen}"
    );
    assert!(screen.contains("PAdES → "), "{screen}");
    assert!(screen.contains("Sign these 2 files? [y/N] "), "{screen}");
    assert!(screen.contains("Nothing was signed."), "{screen}");
    assert!(
        !screen.contains("Password"),
        "no secret is asked before the review: {screen}"
    );
    assert!(!out_dir.exists());

    // Confirmed: the password is asked once, without echo, and both files are signed.
    let (code, screen) = signet_on_terminal(&args, Some("y"), &[PASSWORD]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("Password: "), "{screen}");
    assert!(
        !screen.contains(PASSWORD),
        "the password was echoed: {screen}"
    );
    assert!(screen.contains("[2/2] signed "), "{screen}");
    assert!(out_dir.join("a.signed.pdf").exists());
    assert!(out_dir.join("notes.asice").exists());
}

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
