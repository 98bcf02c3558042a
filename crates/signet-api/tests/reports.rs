//! What the Verify screen saves: the verification report of a really signed PDF as PDF and JSON
//! (the signer's name in the PDF's text), and a container's files (ASiC-E, or ASiC-S's one)
//! extracted without replacing anything, nor writing outside the folder chosen.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::io::Cursor;
use std::path::{Path, PathBuf};

use signet_api::Context;
use signet_api::asice::{asice_extract, extracted_name};
use signet_api::card::pin_from_typed;
use signet_api::pades::{PadesSignRequest, pades_sign};
use signet_api::signing::TrustPaths;
use signet_api::token::TokenSpec;
use signet_api::verification::{Verdict, VerifyOptions, verify_with};
use signet_api::verification_export::{ReportFormat, ReportLanguage, ReportPlace, save_report};
use signet_core::{BaselineLevel, Code};
use signet_testkit::{LoopbackFetch, Role, TestPki};

const PASSWORD: &str = "test1234";

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_report_of_a_signed_pdf_names_the_signer_in_pdf_and_json() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p12 = dir.path().join("signer.p12");
    let bytes =
        signet_testkit::pkcs12(&[pki.get(Role::Signing)], &[], PASSWORD, dir.path()).unwrap();
    std::fs::write(&p12, bytes).unwrap();
    let root = dir.path().join("root.der");
    std::fs::write(&root, pki.der(Role::Root)).unwrap();
    let context = Context::new(dir.path().join("data"));
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let pdf = docs.join("letter.pdf");
    std::fs::write(&pdf, signet_testkit::pdf::one_page_pdf("letter")).unwrap();
    let signed = docs.join("letter.signed.pdf");
    let request = PadesSignRequest {
        files: vec![(pdf, signed.clone())],
        level: BaselineLevel::B_B,
        tsa: None,
        token: TokenSpec::P12 { file: p12 },
        chain: Vec::new(),
        trust: Vec::new(),
        trusted_list: None,
        visible: None,
        normalise: false,
        reason: Some("Agreed".to_owned()),
        location: None,
        contact: None,
        replace_existing: false,
        expected_sha256: Vec::new(),
    };
    pades_sign(
        &context,
        &request,
        &mut |kind, _| pin_from_typed(kind, zeroize::Zeroizing::new(PASSWORD.to_owned())),
        &LoopbackFetch::default(),
    )
    .unwrap();
    let options = VerifyOptions {
        trust: Some(TrustPaths {
            anchors: vec![root],
            list: None,
            list_signers: Vec::new(),
        }),
        at: None,
        offline: true,
    };
    let job = signet_api::job::channel(|_| {}).1;
    let report = verify_with(
        &context,
        &[signed],
        &options,
        &LoopbackFetch::default(),
        &job,
    )
    .unwrap();
    let signer = report.files[0].signatures[0].signer.clone().unwrap();
    assert!(signer.starts_with("Mari Tamm"), "{signer}");
    assert_ne!(report.files[0].verdict, Verdict::NotValid, "{report:?}");

    let pdf_report = save_report(
        &report,
        ReportFormat::Pdf,
        ReportLanguage::En,
        &ReportPlace::Beside,
    )
    .unwrap();
    assert_eq!(pdf_report, docs.join("letter.signed.verification.pdf"));
    let bytes = std::fs::read(&pdf_report).unwrap();
    let parsed = signet_pdf::Document::open(&bytes).unwrap();
    assert_eq!(parsed.pages().unwrap().len(), 1);
    match std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&pdf_report)
        .arg("-")
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8(out.stdout).unwrap();
            for expected in [&*signer, "letter.signed.pdf", "Signed by", "Agreed", "B-B"] {
                assert!(
                    text.contains(expected),
                    "“{expected}” is missing from\n{text}"
                );
            }
        }
        Err(e) => {
            panic!("pdftotext (poppler-utils) cannot run: {e}; `cargo xtask setup` installs it")
        }
    }
    let json_report = save_report(
        &report,
        ReportFormat::Json,
        ReportLanguage::En,
        &ReportPlace::Beside,
    )
    .unwrap();
    assert_eq!(json_report, docs.join("letter.signed.verification.json"));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json_report).unwrap()).unwrap();
    assert_eq!(json, serde_json::to_value(&report).unwrap());
    assert_eq!(json["files"][0]["signatures"][0]["signer"], signer.as_str());
}

/// An unsigned container with `files` (entry name, content), all stored uncompressed.
fn container(path: &Path, files: &[(&str, &[u8])]) {
    let manifest = signet_asic::container::Manifest::for_files(
        files.iter().map(|(name, _)| (*name, "text/plain")),
    )
    .to_xml();
    let mut zip = signet_asic::zip::ZipWriter::new(
        Cursor::new(Vec::new()),
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000),
    );
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("mimetype", b"application/vnd.etsi.asic-e+zip"),
        ("META-INF/manifest.xml", manifest.as_bytes()),
    ];
    entries.extend_from_slice(files);
    for (name, data) in entries {
        zip.add(name, &mut &data[..], false, &mut |_| {}).unwrap();
    }
    std::fs::write(path, zip.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn extracted_files_never_replace_one_and_are_numbered() {
    let dir = tempfile::tempdir().unwrap();
    let asice = dir.path().join("deed.asice");
    container(
        &asice,
        &[("annex/a.txt", b"annex\n"), ("b.csv", b"x,y\n1,2\n")],
    );
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("b.csv"), b"mine").unwrap();
    let written = asice_extract(&asice, &[], &out).unwrap();
    assert_eq!(written, [out.join("a.txt"), out.join("b-2.csv")]);
    assert_eq!(std::fs::read(out.join("a.txt")).unwrap(), b"annex\n");
    assert_eq!(std::fs::read(out.join("b-2.csv")).unwrap(), b"x,y\n1,2\n");
    assert_eq!(std::fs::read(out.join("b.csv")).unwrap(), b"mine");
    // One file, again: numbered once more.
    let again = asice_extract(&asice, &["b.csv".to_owned()], &out).unwrap();
    assert_eq!(again, [out.join("b-3.csv")]);
    // A name the container does not hold: nothing is written.
    let err = asice_extract(&asice, &["b.csv".to_owned(), "c.txt".to_owned()], &out).unwrap_err();
    assert_eq!(err.code, Code::InvalidInput);
    assert_eq!(names(&out), ["a.txt", "b-2.csv", "b-3.csv", "b.csv"]);
}

/// An ASiC-S container holding `name` (stored first the mimetype, then the file deflated, then
/// a token entry that extraction does not read).
fn asics(path: &Path, name: &str, data: &[u8]) {
    let mut zip = signet_asic::zip::ZipWriter::new(
        Cursor::new(Vec::new()),
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000),
    );
    zip.add(
        "mimetype",
        &mut &b"application/vnd.etsi.asic-s+zip"[..],
        false,
        &mut |_| {},
    )
    .unwrap();
    zip.add(name, &mut &data[..], true, &mut |_| {}).unwrap();
    zip.add(
        "META-INF/timestamp.tst",
        &mut &b"token"[..],
        false,
        &mut |_| {},
    )
    .unwrap();
    std::fs::write(path, zip.finish().unwrap().into_inner()).unwrap();
}

#[test]
fn the_one_file_of_an_asics_container_is_extracted_as_from_an_asice_one() {
    let dir = tempfile::tempdir().unwrap();
    let archived = dir.path().join("archived.asics");
    let data = b"archived deed\n".repeat(100);
    asics(&archived, "deed.txt", &data);
    let out = dir.path().join("out");
    assert_eq!(
        asice_extract(&archived, &[], &out).unwrap(),
        [out.join("deed.txt")]
    );
    assert_eq!(std::fs::read(out.join("deed.txt")).unwrap(), data);
    // By its name, again: numbered, the first untouched.
    let again = asice_extract(&archived, &["deed.txt".to_owned()], &out).unwrap();
    assert_eq!(again, [out.join("deed-2.txt")]);
    // A name it does not hold: nothing written.
    let err = asice_extract(&archived, &["other.txt".to_owned()], &out).unwrap_err();
    assert_eq!(err.code, Code::InvalidInput);
    assert_eq!(names(&out), ["deed-2.txt", "deed.txt"]);
    // Its name is sanitised as an ASiC-E entry's is: Windows-reserved characters replaced.
    let odd = dir.path().join("odd.asics");
    asics(&odd, "why?.txt", b"x");
    assert_eq!(
        asice_extract(&odd, &[], &out).unwrap(),
        [out.join("why_.txt")]
    );
}

#[test]
fn an_entry_name_that_leaves_the_folder_is_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let asice = dir.path().join("crafted.asice");
    // Written with a harmless name of the same length, then renamed in the archive's bytes
    // (local header, central directory and manifest): the writer refuses such names itself.
    container(&asice, &[("ab/evil.txt", b"gotcha\n")]);
    let bytes = std::fs::read(&asice).unwrap();
    let crafted: Vec<u8> = {
        let (from, to) = (b"ab/evil.txt", b"../evil.txt");
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i..].starts_with(from) {
                out.extend_from_slice(to);
                i += from.len();
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        out
    };
    assert_ne!(crafted, bytes);
    std::fs::write(&asice, crafted).unwrap();
    let out: PathBuf = dir.path().join("out").join("inner");
    let err = asice_extract(&asice, &[], &out).unwrap_err();
    assert_eq!(err.code, Code::InvalidInput, "{err:?}");
    assert!(!out.exists());
    assert!(!dir.path().join("out").join("evil.txt").exists());
    assert_eq!(names(dir.path()), ["crafted.asice"]);

    // The name check itself, whatever the container layer let through.
    for bad in [
        "../evil.txt",
        "/etc/passwd",
        "a\\..\\b",
        "C:evil",
        "a/../../b",
        "",
        "a/./b",
    ] {
        assert!(extracted_name(bad).is_err(), "{bad:?}");
    }
    assert_eq!(extracted_name("annex/a.txt").unwrap(), "a.txt");
    assert_eq!(
        extracted_name("why?<not>:me.txt").unwrap(),
        "why__not__me.txt"
    );
    assert_eq!(extracted_name("notes. ").unwrap(), "notes");
    assert!(extracted_name("...").is_err());
}
