//! Messages that fit the thing (issue 18, point 6): a software token's password is no PIN, a
//! missing token file does not exist, "not built" names the part not built.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn signet(dir: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .current_dir(dir)
        .env("XDG_DATA_HOME", dir.join("home"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that stops before it reads its password closes the pipe: not an error here.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A PKCS#12 file with a self-signed certificate, its password `right`.
pub(crate) fn p12(dir: &Path) -> std::path::PathBuf {
    let run = |command: &mut Command| assert!(command.status().unwrap().success());
    run(Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-384",
        ])
        .args([
            "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=Test",
        ])
        .args(["-days", "10"])
        .stderr(Stdio::null()));
    run(Command::new("openssl")
        .current_dir(dir)
        .args(["pkcs12", "-export", "-inkey", "key.pem", "-in", "cert.pem"])
        .args(["-out", "token.p12", "-passout", "pass:right"]));
    dir.join("token.p12")
}

const DIGEST: &str = "424242424242424242424242424242424242424242424242424242424242424242424242424242424242424242424242";

#[test]
fn a_pkcs12_files_wrong_password_is_about_the_password_not_a_pin_or_puk() {
    let dir = tempfile::tempdir().unwrap();
    p12(dir.path());
    std::fs::write(dir.path().join("notes.txt"), b"notes\n").unwrap();
    for args in [
        &[
            "card",
            "sign-digest",
            DIGEST,
            "--token",
            "p12:token.p12",
            "--pin-stdin",
        ][..],
        &[
            "sign",
            "notes.txt",
            "--token",
            "p12:token.p12",
            "--pin-stdin",
            "--level",
            "B-B",
        ],
    ] {
        let out = signet(dir.path(), args, "wrong\n");
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(65), "{args:?}: {text}");
        assert!(
            text.contains("the password of the PKCS#12 file is wrong"),
            "{args:?}: {text}"
        );
        assert!(
            !text.contains("PUK is") && !text.contains("the PIN"),
            "{args:?}: {text}"
        );
    }
    // A batch of one file: about the password too, and one file is "1 file" everywhere.
    let out = signet(
        dir.path(),
        &[
            "batch",
            "notes.txt",
            "--out-dir",
            "out",
            "--token",
            "p12:token.p12",
            "--pin-stdin",
            "--yes",
            "--level",
            "B-B",
        ],
        "wrong\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(65), "{stdout}{text}");
    assert!(
        stdout.starts_with("Batch: 1 file, 6 bytes, level B-B"),
        "{stdout}"
    );
    assert!(stdout.contains("1 file: 0 signed"), "{stdout}");
    assert!(
        text.contains("signet: the password was incorrect after 0 of 1 file ("),
        "{text}"
    );
    assert!(text.contains("Check the file's password"), "{text}");
    assert!(!text.contains("the PIN") && !text.contains("PUK"), "{text}");
    // The right password signs.
    let out = signet(
        dir.path(),
        &[
            "card",
            "sign-digest",
            DIGEST,
            "--token",
            "p12:token.p12",
            "--pin-stdin",
        ],
        "right\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_missing_token_file_does_not_exist_and_no_password_is_asked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"notes\n").unwrap();
    for args in [
        &[
            "card",
            "sign-digest",
            DIGEST,
            "--token",
            "p12:missing.p12",
            "--pin-stdin",
        ][..],
        &[
            "sign",
            "notes.txt",
            "--token",
            "p12:missing.p12",
            "--pin-stdin",
            "--level",
            "B-B",
        ],
        &[
            "batch",
            "notes.txt",
            "--out-dir",
            "out",
            "--token",
            "p12:missing.p12",
            "--pin-stdin",
            "--yes",
            "--level",
            "B-B",
        ],
    ] {
        // No password on standard input: asking for one would fail differently.
        let out = signet(dir.path(), args, "");
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(66), "{args:?}: {text}");
        assert!(
            text.contains("the PKCS#12 file missing.p12 does not exist"),
            "{args:?}: {text}"
        );
        assert!(!text.contains("card"), "{args:?}: {text}");
    }
}

#[test]
fn not_built_names_the_part_not_built() {
    let dir = tempfile::tempdir().unwrap();
    // An ASiC-S container (mimetype stored first, one data file): extending it is not built.
    let made = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import zipfile,sys\n\
             z=zipfile.ZipFile(sys.argv[1],'w')\n\
             z.writestr(zipfile.ZipInfo('mimetype'),'application/vnd.etsi.asic-s+zip')\n\
             z.writestr('contract.txt','text',compress_type=zipfile.ZIP_DEFLATED)\n\
             z.close()",
        )
        .arg(dir.path().join("contract.asics"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = signet(
        dir.path(),
        &["extend", "contract.asics", "--level", "B-LT"],
        "",
    );
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(69), "{text}");
    assert!(
        text.starts_with(
            "signet: “renewing the time-stamp of an ASiC-S container” is not built yet"
        ),
        "{text}"
    );
    assert!(text.contains("contract.asics was not changed."), "{text}");
}

/// On a terminal, a PKCS#12 file's wrong password is said to be the password's, and asked again
/// (a PKCS#12 file counts no tries): the right one then signs.
#[test]
fn on_a_terminal_a_wrong_pkcs12_password_is_asked_again() {
    let dir = tempfile::tempdir().unwrap();
    let token = format!("p12:{}", p12(dir.path()).display());
    let (code, screen) = crate::terminal::signet_on_terminal(
        &["card", "sign-digest", DIGEST, "--token", &token],
        None,
        &["wrong", "right"],
    );
    // It used to stop at the first wrong password (exit 65) on a terminal too.
    assert_eq!(code, 0, "{screen}");
    assert_eq!(screen.matches("Password: ").count(), 2, "{screen}");
    assert!(
        screen.contains("That password does not open the file; try again."),
        "{screen}"
    );
    assert!(
        !screen.contains("PUK") && !screen.contains("PIN"),
        "{screen}"
    );
}
