//! `signet verify` of PDFs and containers alike (issue 13, point 1): one call for any mix, one
//! JSON shape (docs/verify-json.md) whatever the format, and the exit status of the worst file.

use std::collections::BTreeSet;

use crate::asice::{Fixture, Run, signet};

/// A PDF and a container signed by the same person at B-LT with the fixture's trusted list.
fn signed_pair(f: &Fixture) -> (String, String) {
    let pdf = crate::pades::blank_pdf(f.dir.path(), "contract");
    let signed_pdf = f.path("contract.signed.pdf").display().to_string();
    let tsa = f.pki.tsa_url();
    let run = signet(
        &[
            "sign",
            pdf.to_str().unwrap(),
            "--token",
            &f.p12,
            "--pin-stdin",
            "--tsa",
            &tsa,
            "--tsl",
            &f.tsl,
            "--tsl-signer",
            &f.tsl_signer,
            "--out",
            &signed_pdf,
        ],
        "correct horse\n",
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let notes = f.file("notes.txt", b"notes\n");
    let container = f.path("notes.asice").display().to_string();
    let run = f.sign(&[&notes, "--container", &container]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    (signed_pdf, container)
}

fn verify(f: &Fixture, files: &[&str], json: bool) -> Run {
    let mut args = vec!["verify"];
    args.extend_from_slice(files);
    args.extend_from_slice(&["--tsl", &f.tsl, "--tsl-signer", &f.tsl_signer]);
    if json {
        args.push("--json");
    }
    signet(&args, "")
}

fn keys(value: &serde_json::Value) -> BTreeSet<String> {
    value
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {value}"))
        .keys()
        .cloned()
        .collect()
}

#[test]
fn a_pdf_and_a_container_verify_to_the_same_shape_for_the_same_facts() {
    let f = Fixture::new();
    let (pdf, container) = signed_pair(&f);
    let pdf_run = verify(&f, &[&pdf], true);
    let container_run = verify(&f, &[&container], true);
    assert_eq!(pdf_run.code, 0, "{}\n{}", pdf_run.stdout, pdf_run.stderr);
    assert_eq!(container_run.code, 0, "{}", container_run.stdout);
    let (pdf_doc, container_doc) = (pdf_run.json(), container_run.json());

    // One document shape: the files, the trusted list used, the validation time.
    assert_eq!(keys(&pdf_doc), keys(&container_doc));
    assert_eq!(
        keys(&pdf_doc),
        ["files", "trustData", "validationTime"]
            .map(str::to_owned)
            .into()
    );
    let (p, c) = (pdf_run.file(), container_run.file());
    // One file shape and one signature shape, every field present in both.
    assert_eq!(keys(&p), keys(&c));
    let (ps, cs) = (&p["signatures"][0], &c["signatures"][0]);
    assert_eq!(keys(ps), keys(cs));
    // The same facts, the same values.
    assert_eq!(
        (p["format"].as_str(), c["format"].as_str()),
        (Some("pdf"), Some("container"))
    );
    for field in ["verdict", "indication"] {
        assert_eq!(p[field], c[field], "{field}: {p:#}\n{c:#}");
    }
    assert_eq!(p["verdict"], "valid");
    for field in [
        "kind",
        "verdict",
        "indication",
        "subIndication",
        "level",
        "signer",
        "signerSubject",
        "signerIssuer",
        "qualification",
    ] {
        assert_eq!(ps[field], cs[field], "{field}: {ps:#}\n{cs:#}");
    }
    assert_eq!(ps["level"], "B-LT");
    assert_eq!(ps["signer"], "Mari Tamm (38001085718)");
    assert_eq!(ps["qualification"], "QES");
    // What only one format has is there, empty or null, in the other.
    assert_eq!(c["dataFiles"], serde_json::json!(["notes.txt"]));
    assert_eq!(p["dataFiles"], serde_json::json!([]));
    // A second signature can be added to the container (`sign --add-to`), not to the PDF.
    assert_eq!(c["canAddSignature"], true);
    assert_eq!(p["canAddSignature"], false);
    assert_eq!(cs["covers"], serde_json::json!(["notes.txt"]));
    assert!(ps["changes"].is_array() && cs["changes"].is_array());
    assert_eq!(cs["signedLength"], serde_json::Value::Null);
    assert!(ps["signedLength"].is_u64());
    // In text, both signers are read alike: the person and the device (the container's line
    // used to leave the device out: its issuer was not reported).
    let text = verify(&f, &[&pdf, &container], false).stdout;
    assert_eq!(
        text.matches("— Mari Tamm (38001085718), ID card\n").count(),
        2,
        "{text}"
    );
    // Times in text are the person's local time, with its offset (they were UTC whatever the
    // zone); --json keeps UTC.
    let tallinn = std::process::Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(["verify", &pdf, &container, "--tsl", &f.tsl, "--tsl-signer"])
        .arg(&f.tsl_signer)
        .env("TZ", "Europe/Tallinn")
        .output()
        .unwrap();
    let local = String::from_utf8_lossy(&tallinn.stdout);
    let zone = if local.contains("+03:00") {
        "+03:00"
    } else {
        "+02:00"
    };
    for what in ["time (proven): ", "validated at "] {
        let at = local
            .lines()
            .find_map(|l| l.trim().strip_prefix(what))
            .unwrap_or_else(|| panic!("{local}"));
        assert!(at.len() == 25 && at.ends_with(zone), "{what}{at}\n{local}");
    }
    assert!(!local.contains("Z\n") && !local.contains("Z)"), "{local}");
    let json: serde_json::Value = serde_json::from_slice(
        &std::process::Command::new(env!("CARGO_BIN_EXE_signet"))
            .args(["verify", &pdf, "--json", "--tsl", &f.tsl, "--tsl-signer"])
            .arg(&f.tsl_signer)
            .env("TZ", "Europe/Tallinn")
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        json["validationTime"].as_str().unwrap().ends_with('Z'),
        "{json:#}"
    );
}

#[test]
fn one_call_verifies_a_mix_of_pdfs_and_containers() {
    let f = Fixture::new();
    let (pdf, container) = signed_pair(&f);
    let run = verify(&f, &[&pdf, &container], true);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let doc = run.json();
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 2, "{doc:#}");
    assert_eq!(files[0]["format"], "pdf");
    assert_eq!(files[0]["path"], pdf.as_str());
    assert_eq!(files[1]["format"], "container");
    assert_eq!(files[1]["path"], container.as_str());
    assert!(files.iter().all(|f| f["verdict"] == "valid"), "{doc:#}");

    // The text says the same for each file, one after the other.
    let text = verify(&f, &[&pdf, &container], false);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(
        text.stdout
            .contains(&format!("{pdf} (PDF): VALID (TOTAL-PASSED)\n")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains(&format!("{container} (container): VALID (TOTAL-PASSED)\n")),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("  1 file: notes.txt\n"),
        "{}",
        text.stdout
    );

    // The worst file sets the status: a container with bytes in front of it is refused
    // (TOTAL-FAILED), and the valid PDF beside it does not hide that.
    let mut bytes = b"junk".to_vec();
    bytes.extend_from_slice(&std::fs::read(&container).unwrap());
    let junk = f.path("junk.asice").display().to_string();
    std::fs::write(&junk, bytes).unwrap();
    let run = verify(&f, &[&pdf, &junk], true);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["files"][0]["verdict"], "valid");
    assert_eq!(doc["files"][1]["verdict"], "notValid");
    assert_eq!(doc["files"][1]["indication"], "TOTAL-FAILED");

    // A file that is neither is refused before anything is judged: one error document.
    let notes = f.file("plain.txt", b"plain\n");
    let run = verify(&f, &[&pdf, &notes], true);
    assert_eq!(run.code, 65, "{}", run.stdout);
    let doc = run.json();
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("plain.txt is neither a PDF nor a container"),
        "{doc:#}"
    );
}

/// `--report-pdf` and `--report-json` save the report the command prints (the JSON byte for
/// byte what `--json` prints), in the language asked, and never over an existing file.
#[test]
fn the_report_is_saved_as_pdf_and_json_and_never_replaces_a_file() {
    let f = Fixture::new();
    let (pdf, container) = signed_pair(&f);
    let report_pdf = f.path("report.pdf").display().to_string();
    let report_json = f.path("report.json").display().to_string();
    let run = signet(
        &[
            "verify",
            &pdf,
            &container,
            "--tsl",
            &f.tsl,
            "--tsl-signer",
            &f.tsl_signer,
            "--report-pdf",
            &report_pdf,
            "--report-json",
            &report_json,
            "--report-language",
            "ru",
            "--json",
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report_json).unwrap()).unwrap();
    assert_eq!(saved, run.json());
    let bytes = std::fs::read(&report_pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.7"));
    if let Ok(out) = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", &report_pdf, "-"])
        .output()
    {
        let text = String::from_utf8(out.stdout).unwrap();
        for expected in [
            "Отчёт о проверке подписей",
            "Mari Tamm",
            "contract.signed.pdf",
            "notes.asice",
            "notes.txt",
        ] {
            assert!(
                text.contains(expected),
                "“{expected}” is missing from\n{text}"
            );
        }
    }

    // Again: both files exist, nothing is judged or written, and the text says why.
    let run = signet(
        &[
            "verify",
            &pdf,
            "--report-pdf",
            &report_pdf,
            "--tsl",
            &f.tsl,
            "--tsl-signer",
            &f.tsl_signer,
        ],
        "",
    );
    assert_eq!(run.code, 65, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("exists already"), "{}", run.stderr);
    assert_eq!(std::fs::read(&report_pdf).unwrap(), bytes);
    // Text mode says where the report went.
    let other = f.path("other.pdf").display().to_string();
    let run = signet(
        &[
            "verify",
            &pdf,
            "--report-pdf",
            &other,
            "--tsl",
            &f.tsl,
            "--tsl-signer",
            &f.tsl_signer,
        ],
        "",
    );
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!("report saved: {other}")),
        "{}",
        run.stdout
    );
}
