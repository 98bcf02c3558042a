//! Never overstate (issue 18, point 1): `sign` and `extend` say the level their output
//! validates at, found by validating it; below the level asked for they say why and exit
//! non-zero.

use signet_testkit::{Role, TestPki};

use crate::pades::{blank_pdf, p12, signet, text};

/// Signed at B-LT with the root trusted but the signer's issuing CA nowhere (no --chain, not in
/// the PKCS#12 file): the signature and its time-stamp are made, but no revocation data for the
/// signer can be gathered, so the file is B-T. `sign` used to print B-LT and exit 0.
#[test]
fn sign_says_the_level_its_output_validates_at_and_fails_below_the_level_asked() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let token = format!("p12:{}", p12(&pki, dir.path()).display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let out = dir.path().join("a-lt.pdf");
    let tsa = pki.tsa_url();
    let sign = |out: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "sign",
            a.to_str().unwrap(),
            "--level",
            "B-LT",
            "--token",
            &token,
            "--pin-stdin",
            "--tsa",
            &tsa,
            "--trust",
            &root,
            "--out",
            out.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        signet(&args, "test1234\n")
    };
    let signed = sign(&out, &[]);
    assert_eq!(signed.status.code(), Some(65), "{}", text(&signed));
    let json: serde_json::Value = serde_json::from_slice(&signed.stdout).unwrap();
    let message = json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("signed, but the signature validates at B-T, not B-LT")
            && message.contains("no revocation data for the signer")
            && message.contains("The signed file stays"),
        "{json:#}"
    );
    assert!(
        json["error"]["recommendation"]
            .as_str()
            .unwrap()
            .contains("--chain"),
        "{json:#}"
    );
    // The output stays: a complete signature at the level reached, as verify says too.
    let verified = signet(
        &[
            "verify",
            out.to_str().unwrap(),
            "--trust",
            &root,
            "--offline",
            "--json",
        ],
        "",
    );
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(
        json["files"][0]["signatures"][0]["level"], "B-T",
        "{json:#}"
    );

    // With the issuing CA given, B-LT is reached, and said.
    let out = dir.path().join("a-lt-chained.pdf");
    let signed = sign(&out, &["--chain", &ca]);
    assert_eq!(signed.status.code(), Some(0), "{}", text(&signed));
    let json: serde_json::Value = serde_json::from_slice(&signed.stdout).unwrap();
    assert_eq!(json["outputs"][0]["level"], "B-LT", "{json:#}");
}

/// Two PDFs signed at B-LT where only B-T can be reached: the first is signed and said to fall
/// short, and the message counts the file not signed after it as a person counts ("the 1 other
/// file after it was not signed", it said "1 other file(s)").
#[test]
fn sign_counts_the_files_left_unsigned_after_a_shortfall() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let b = blank_pdf(dir.path(), "b");
    let token = format!("p12:{}", p12(&pki, dir.path()).display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let tsa = pki.tsa_url();
    let signed = signet(
        &[
            "sign",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--level",
            "B-LT",
            "--token",
            &token,
            "--pin-stdin",
            "--tsa",
            &tsa,
            "--trust",
            &root,
            "--json",
        ],
        "test1234\n",
    );
    assert_eq!(signed.status.code(), Some(65), "{}", text(&signed));
    let json: serde_json::Value = serde_json::from_slice(&signed.stdout).unwrap();
    let message = json["error"]["message"].as_str().unwrap();
    assert!(
        message.ends_with("; the 1 other file after it was not signed"),
        "{json:#}"
    );
    assert!(!dir.path().join("b.signed.pdf").exists());
}

/// `signet extend` of a B-B PDF while the OCSP responder does not answer: nothing is written,
/// the exit status is not 0, and the message says the level the file stays at.
#[test]
fn extend_without_the_ocsp_responder_says_the_level_the_file_stays_at() {
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let root = dir.path().join("root.pem");
    let out = dir.path().join("a-bb.pdf");
    {
        let pki = TestPki::start().unwrap();
        let token = format!("p12:{}", p12(&pki, dir.path()).display());
        std::fs::copy(&pki.get(Role::Root).cert_path, &root).unwrap();
        let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
        let signed = signet(
            &[
                "sign",
                a.to_str().unwrap(),
                "--level",
                "B-B",
                "--token",
                &token,
                "--pin-stdin",
                "--chain",
                &ca,
                "--out",
                out.to_str().unwrap(),
            ],
            "test1234\n",
        );
        assert!(signed.status.success(), "{}", text(&signed));
        // The test PKI's services stop here: its OCSP responder no longer answers.
    }
    let before = std::fs::read(&out).unwrap();
    let refused = signet(
        &[
            "extend",
            out.to_str().unwrap(),
            "--level",
            "B-LT",
            "--trust",
            root.to_str().unwrap(),
            "--json",
        ],
        "",
    );
    assert_ne!(refused.status.code(), Some(0), "{}", text(&refused));
    let json: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    let message = json["error"]["message"].as_str().unwrap();
    assert!(message.ends_with("(it stays at B-B)"), "{json:#}");
    assert_eq!(std::fs::read(&out).unwrap(), before);
}

/// `signet batch` at B-LT with the root trusted but the signer's issuing CA nowhere: each PDF is
/// signed and its time-stamp made, but no revocation data can be gathered, so each output is
/// B-T. The batch used to report every file "signed" at B-LT and exit 0; now each file's result
/// says the level it reached and why, the outputs stay, the exit status is not 0, and a second
/// run does not count them as done at B-LT.
#[test]
fn batch_says_the_level_each_output_validates_at_and_fails_below_the_level_asked() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let b = blank_pdf(dir.path(), "b");
    let token = format!("p12:{}", p12(&pki, dir.path()).display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let tsa = pki.tsa_url();
    let out_dir = dir.path().join("out");
    let batch = |json: bool| {
        let mut args = vec![
            "batch",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--out-dir",
            out_dir.to_str().unwrap(),
            "--level",
            "B-LT",
            "--token",
            &token,
            "--tsa",
            &tsa,
            "--trust",
            &root,
            "--pin-stdin",
            "--yes",
        ];
        if json {
            args.push("--json");
        }
        signet(&args, "test1234\n")
    };
    let run = batch(true);
    assert_eq!(run.status.code(), Some(65), "{}", text(&run));
    // Said once, in the file's result: no warning line of the log on standard error.
    assert!(
        !String::from_utf8_lossy(&run.stderr).contains("level not reached"),
        "{}",
        text(&run)
    );
    let events: Vec<serde_json::Value> = String::from_utf8(run.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let failed: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["event"] == "failed").collect();
    assert_eq!(failed.len(), 2, "{events:#?}");
    assert!(
        !events.iter().any(|e| e["event"] == "signed"),
        "{events:#?}"
    );
    for event in &failed {
        assert_eq!(event["reached"], "B-T", "{event:#}");
        let message = event["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("signed, but the signature validates at B-T, not B-LT")
                && message.contains("no revocation data for the signer")
                && message.contains("The signed file stays"),
            "{event:#}"
        );
    }
    let summary = events.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["signed"], 0, "{summary:#}");
    assert_eq!(summary["failed"], 2, "{summary:#}");
    // The outputs stay, at the level reached.
    let verified = signet(
        &[
            "verify",
            out_dir.join("a.signed.pdf").to_str().unwrap(),
            "--trust",
            &root,
            "--offline",
            "--json",
        ],
        "",
    );
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(
        json["files"][0]["signatures"][0]["level"], "B-T",
        "{json:#}"
    );

    // Run again (text mode): not skipped as done at B-LT, refused, saying the level reached.
    let again = batch(false);
    assert_eq!(again.status.code(), Some(65), "{}", text(&again));
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(
        stdout.contains("was signed by an earlier run of this batch, but at B-T, not B-LT")
            && !stdout.contains("] skipped"),
        "{stdout}"
    );
    assert!(
        stdout.contains("2 files: 0 signed, 0 skipped (signed before), 2 failed"),
        "{stdout}"
    );
}
