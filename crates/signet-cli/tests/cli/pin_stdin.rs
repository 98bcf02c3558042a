//! `signet sign` answering the engine's PIN requests from standard input.

use signet_testkit::TestPki;

use crate::pades::{blank_pdf, p12, signet, text};

/// `signet sign` answers the engine's PIN requests: with --pin-stdin a wrong password reads the
/// next line; when standard input ends the job stops, saying the password was wrong.
#[test]
fn a_wrong_password_on_stdin_reads_the_next_line_and_the_end_of_input_stops() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let token = format!("p12:{}", p12(&pki, dir.path()).display());
    let args = [
        "sign",
        a.to_str().unwrap(),
        "--level",
        "B-B",
        "--token",
        &token,
        "--pin-stdin",
    ];
    let out = dir.path().join("a.signed.pdf");
    let stopped = signet(&args, "wrong\n");
    assert_eq!(stopped.status.code(), Some(65), "{}", text(&stopped));
    assert!(
        text(&stopped).contains("password of the PKCS#12 file is wrong")
            && text(&stopped).contains("no other line"),
        "{}",
        text(&stopped)
    );
    assert!(!out.exists());
    let signed = signet(&args, "wrong\ntest1234\n");
    assert!(signed.status.success(), "{}", text(&signed));
    assert!(out.exists());
    assert!(
        text(&signed).contains("by Mari Tamm (38001085718)"),
        "{}",
        text(&signed)
    );
}
