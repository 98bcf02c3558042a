use super::*;
use crate::verification::TrustData;
use signet_core::Indication;

fn signature(signer: &str) -> SignatureView {
    SignatureView {
        kind: "signature".to_owned(),
        name: "Signature1".to_owned(),
        id: None,
        verdict: Verdict::NotValid,
        indication: Indication::TotalFailed,
        sub_indication: Some("HASH_FAILURE".to_owned()),
        signer: Some(signer.to_owned()),
        signer_subject: Some(format!("CN={signer},C=EE")),
        signer_issuer: None,
        claimed_time: Some("2026-12-06T10:00:00Z".to_owned()),
        proven_time: Some("2026-12-06T10:00:01Z".to_owned()),
        timestamp_authority: Some("Demo TSA".to_owned()),
        archive_time: None,
        level: Some("B-LT".to_owned()),
        qualification: Some("QES".to_owned()),
        trust_service: None,
        reason: Some("Leping".to_owned()),
        location: None,
        chain: vec!["CN=Demo CA".to_owned()],
        revocation: vec!["good (dss)".to_owned()],
        covers: Vec::new(),
        changes: vec![ChangeView {
            revision: 2,
            kind: "content".to_owned(),
            allowed: false,
            page: Some(1),
            detail: "Content changed on page 1".to_owned(),
            old_value: None,
            new_value: None,
        }],
        errors: vec!["modified after signing".to_owned()],
        warnings: Vec::new(),
        signed_length: Some(1000),
    }
}

fn report(dir: &Path, signer: &str) -> VerifiedFiles {
    VerifiedFiles {
        files: vec![VerifiedFile {
            path: dir.join("leping.pdf").display().to_string(),
            name: "leping.pdf".to_owned(),
            sha256: "00".repeat(32),
            format: DocumentFormat::Pdf,
            verdict: Verdict::NotValid,
            indication: Indication::TotalFailed,
            problems: Vec::new(),
            removed_signatures: Vec::new(),
            data_files: Vec::new(),
            signatures: vec![signature(signer)],
            can_add_signature: false,
        }],
        trust_data: Some(TrustData {
            territory: "EE".to_owned(),
            issued: "2026-12-01T00:00:00Z".to_owned(),
            next_update: None,
        }),
        validation_time: "2026-12-06T12:00:00Z".to_owned(),
    }
}

fn pdftotext(file: &Path) -> Option<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-layout"])
        .arg(file)
        .arg("-")
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[test]
fn times_read_as_utc() {
    assert_eq!(time("2026-12-06T10:00:01Z"), "2026-12-06 10:00:01 UTC");
    assert_eq!(time("2026-12-06T10:00:01+00:00"), "2026-12-06 10:00:01 UTC");
    assert_eq!(
        time("2026-12-06T12:00:01+02:00"),
        "2026-12-06 12:00:01+02:00"
    );
}

#[test]
fn the_json_is_the_engines_report_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let report = report(dir.path(), "Mari Tamm (38001085718)");
    let file = save_report(
        &report,
        ReportFormat::Json,
        ReportLanguage::En,
        &ReportPlace::Beside,
    )
    .unwrap();
    assert_eq!(file, dir.path().join("leping.verification.json"));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("{\n  \"files\": ["),
        "pretty-printed: {text}"
    );
    let read: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(read, serde_json::to_value(&report).unwrap());
}

#[test]
fn the_pdf_says_who_signed_what_changed_and_the_verdict_in_the_persons_language() {
    let dir = tempfile::tempdir().unwrap();
    let report = report(dir.path(), "Мари Тамм (38001085718)");
    for (language, words) in [
        (
            ReportLanguage::Et,
            ["Allkirjade kontrolli aruanne", "Ei kehti", "Allkirjastaja"],
        ),
        (
            ReportLanguage::En,
            ["Signature verification report", "Not valid", "Signed by"],
        ),
        (
            ReportLanguage::Ru,
            ["Отчёт о проверке подписей", "Недействительна", "Подписант"],
        ),
    ] {
        let file = save_report(&report, ReportFormat::Pdf, language, &ReportPlace::Beside).unwrap();
        let bytes = std::fs::read(&file).unwrap();
        signet_pdf::Document::open(&bytes).unwrap();
        let text = pdftotext(&file)
            .expect("pdftotext (poppler-utils) cannot run; `cargo xtask setup` installs it");
        for expected in words.iter().chain(&[
            "Мари Тамм (38001085718)",
            "2026-12-06 10:00:01 UTC",
            "Demo TSA",
            "B-LT",
            "QES",
            "Content changed on page 1",
            "leping.pdf",
            "TOTAL-FAILED / HASH_FAILURE",
        ]) {
            assert!(
                text.contains(expected),
                "{language:?}: “{expected}” is missing from\n{text}"
            );
        }
    }
    // Three reports beside the file, numbered: none replaced another.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "leping.verification-2.pdf",
            "leping.verification-3.pdf",
            "leping.verification.pdf"
        ]
    );
}

#[test]
fn a_report_file_named_by_the_caller_is_never_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let report = report(dir.path(), "Mari Tamm");
    let target = dir.path().join("out.pdf");
    std::fs::write(&target, b"theirs").unwrap();
    let err = save_report(
        &report,
        ReportFormat::Pdf,
        ReportLanguage::En,
        &ReportPlace::File(target.clone()),
    )
    .unwrap_err();
    assert_eq!(err.code, Code::InvalidInput);
    assert!(err.message.contains("exists already"), "{}", err.message);
    assert_eq!(std::fs::read(&target).unwrap(), b"theirs");
    // Into a folder: under the first file's name.
    let folder = dir.path().join("reports");
    std::fs::create_dir(&folder).unwrap();
    let written = save_report(
        &report,
        ReportFormat::Json,
        ReportLanguage::En,
        &ReportPlace::Folder(folder.clone()),
    )
    .unwrap();
    assert_eq!(written, folder.join("leping.verification.json"));
}
