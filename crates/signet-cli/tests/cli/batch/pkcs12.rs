//! `signet batch` with a PKCS#12 file: signed, reported, resumed; text and JSON output; the
//! review on a terminal.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use super::{events, journal, journal_lines, of_kind, pyhanko_accepts, sha256_hex, signet, text};
use crate::terminal::signet_on_terminal;
use std::path::{Path, PathBuf};
use std::process::Command;

use signet_testkit::{Role, TestPki};

const PASSWORD: &str = "test1234";
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
    // The broken file is reported by its event, not repeated as a warning on standard error.
    assert!(!log.contains("a file of the batch failed"), "{log}");
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
    // ... and said then, once, before the first file's result (it was never said).
    let signers = of_kind(&ev, "signer");
    assert_eq!(signers.len(), 1, "{ev:#?}");
    assert_eq!(ev[1]["event"], "signer", "{ev:#?}");
    assert!(
        signers[0]["subject"].as_str().unwrap().contains("TAMM"),
        "{ev:#?}"
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
        stdout.contains("\nSigner: Mari Tamm (38001085718)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "[1/2] signed {} → {} at B-B\n",
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
