//! What you see is what you sign, at the signet-api level, with the PIN callback as the moment
//! the person confirms: a file swapped on disk (same length) while the PIN is asked is never
//! what is signed, and an output someone else creates meanwhile is never overwritten.
#![allow(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};

use signet_api::asice::{AsiceSignRequest, asice_sign};
use signet_api::card::{Pin, PinKind, pin_from_typed};
use signet_api::pades::{PadesSignRequest, pades_sign};
use signet_api::token::{TokenSpec, open_token};
use signet_api::{ApiError, Context};
use signet_core::{BaselineLevel, Code};
use signet_testkit::{LoopbackFetch, Role, TestPki};

const PASSWORD: &str = "test1234";

fn p12(pki: &TestPki, dir: &Path) -> PathBuf {
    let out = dir.join("signer.p12");
    let bytes = signet_testkit::pkcs12(&[pki.get(Role::Signing)], &[], PASSWORD, dir).unwrap();
    std::fs::write(&out, bytes).unwrap();
    out
}

fn password(kind: PinKind) -> Result<Pin, ApiError> {
    pin_from_typed(kind, zeroize::Zeroizing::new(PASSWORD.to_owned()))
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn asice_request(files: Vec<PathBuf>, out: PathBuf) -> AsiceSignRequest {
    AsiceSignRequest {
        files,
        out,
        add_to: None,
        level: BaselineLevel::B_B,
        tsa: None,
        trust: Default::default(),
        chain: Vec::new(),
        replace_existing: false,
        seen: Vec::new(),
        expected_sha256: Vec::new(),
    }
}

/// The token asks its PIN once the file is streamed into the container (as a card asks PIN2):
/// the file swapped then makes Signet stop and discard the container.
#[test]
fn a_file_swapped_while_the_pin_is_asked_after_streaming_is_not_signed() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p12 = p12(&pki, dir.path());
    let context = Context::new(dir.path().join("data"));
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let deed = docs.join("deed.txt");
    std::fs::write(&deed, b"I sell the house for 100000 EUR\n").unwrap();
    let out = docs.join("deed.asice");
    let mut token =
        open_token(&TokenSpec::P12 { file: p12 }, &mut |kind, _| password(kind)).unwrap();
    let mut asked = 0;
    let err = asice_sign(
        &context,
        &LoopbackFetch::default(),
        &asice_request(vec![deed.clone()], out.clone()),
        token.as_mut(),
        &mut |kind| {
            asked += 1;
            std::fs::write(&deed, b"I sell the house for 900000 EUR\n").unwrap();
            password(kind)
        },
    )
    .unwrap_err();
    assert_eq!(asked, 1);
    assert_eq!(err, ApiError::input_changed(&deed));
    assert_eq!(err.code, Code::InputChanged);
    assert_eq!(names(&docs), ["deed.txt"]);
}

/// An output created by someone else while the PIN is asked (after Signet's check) is not
/// overwritten: the final rename refuses it; nothing else is left behind.
#[test]
fn an_output_that_appears_while_the_pin_is_asked_is_never_overwritten() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p12 = p12(&pki, dir.path());
    let context = Context::new(dir.path().join("data"));
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    let notes = docs.join("notes.txt");
    std::fs::write(&notes, b"notes\n").unwrap();
    let out = docs.join("notes.asice");
    let mut token = open_token(&TokenSpec::P12 { file: p12.clone() }, &mut |kind, _| {
        password(kind)
    })
    .unwrap();
    let err = asice_sign(
        &context,
        &LoopbackFetch::default(),
        &asice_request(vec![notes.clone()], out.clone()),
        token.as_mut(),
        &mut |kind| {
            std::fs::write(&out, b"theirs").unwrap();
            password(kind)
        },
    )
    .unwrap_err();
    assert_eq!(err.code, Code::InvalidInput, "{err}");
    assert!(err.message.contains("exists already"), "{err}");
    assert_eq!(std::fs::read(&out).unwrap(), b"theirs");
    assert_eq!(names(&docs), ["notes.asice", "notes.txt"]);

    // The same for a PDF: its password is asked after the PDF is read, and the output created
    // then is kept as it is.
    let pdf = docs.join("letter.pdf");
    std::fs::write(&pdf, signet_testkit::pdf::one_page_pdf("letter")).unwrap();
    let signed = docs.join("letter-signed.pdf");
    let request = PadesSignRequest {
        files: vec![(pdf.clone(), signed.clone())],
        level: BaselineLevel::B_B,
        tsa: None,
        token: TokenSpec::P12 { file: p12 },
        chain: Vec::new(),
        trust: Vec::new(),
        trusted_list: None,
        visible: None,
        normalise: false,
        reason: None,
        location: None,
        contact: None,
        replace_existing: false,
        expected_sha256: Vec::new(),
    };
    let err = pades_sign(
        &context,
        &request,
        &mut |kind, _| {
            std::fs::write(&signed, b"theirs").unwrap();
            password(kind)
        },
        &LoopbackFetch::default(),
    )
    .unwrap_err();
    assert_eq!(err, ApiError::output_exists(&signed));
    assert_eq!(std::fs::read(&signed).unwrap(), b"theirs");
    assert_eq!(
        names(&docs),
        [
            "letter-signed.pdf",
            "letter.pdf",
            "notes.asice",
            "notes.txt"
        ]
    );
}
