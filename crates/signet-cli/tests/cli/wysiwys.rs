//! What you see is what you sign (issue 13), through the real binary with a PKCS#12 file: a file
//! swapped on disk (same length, other content) while the password is asked is never what is
//! signed, for PAdES at B-B, B-T and B-LT, for ASiC-E, in `sign` and in `batch`: Signet stops
//! with INPUT_CHANGED, blames the input, and writes nothing. An existing output is refused
//! without `--force` and left byte for byte as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use signet_testkit::{Role, TestPki};

const PASSWORD: &str = "test1234";

struct Fixture {
    pki: TestPki,
    dir: tempfile::TempDir,
    token: String,
    root: String,
    ca: String,
}

impl Fixture {
    fn new() -> Self {
        let pki = TestPki::start().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let issued = pki.get(Role::Signing);
        let p12 = dir.path().join("signer.p12");
        let status = Command::new("openssl")
            .args(["pkcs12", "-export", "-passout"])
            .arg(format!("pass:{PASSWORD}"))
            .arg("-in")
            .arg(&issued.cert_path)
            .arg("-inkey")
            .arg(&issued.key_path)
            .arg("-out")
            .arg(&p12)
            .status()
            .unwrap();
        assert!(status.success());
        Self {
            token: format!("p12:{}", p12.display()),
            root: pki.get(Role::Root).cert_path.display().to_string(),
            ca: pki.get(Role::IssuingCa).cert_path.display().to_string(),
            pki,
            dir,
        }
    }

    /// A folder of its own under the fixture's, for one case.
    fn folder(&self, name: &str) -> PathBuf {
        let dir = self.dir.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        dir
    }

    /// The options every signing run here shares: the token, the TSA, what to trust.
    fn signing<'a>(&'a self, tsa: &'a str) -> Vec<&'a str> {
        vec![
            "--token",
            &self.token,
            "--pin-stdin",
            "--tsa",
            tsa,
            "--trust",
            &self.root,
            "--trust",
            &self.ca,
            "--chain",
            &self.ca,
            "--json",
        ]
    }
}

fn start(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until the process sleeps reading a pipe (its standard input: the password), as Linux's
/// /proc/PID/wchan shows.
fn wait_for_the_password_prompt(child: &Child) {
    let wchan = format!("/proc/{}/wchan", child.id());
    let start = Instant::now();
    loop {
        let now = std::fs::read_to_string(&wchan).unwrap_or_default();
        if now.contains("pipe_read") || now == "pipe_wait" {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "signet never asked for the password (wchan {now})"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `signet args`; while it waits for the password, `swap` changes the input on disk; then
/// the password is given.
fn run_swapping(args: &[&str], swap: impl FnOnce()) -> Output {
    let mut child = start(args);
    wait_for_the_password_prompt(&child);
    swap();
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{PASSWORD}").unwrap();
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `path` rewritten in place with the same length and another content (`from` → `to`).
fn swap_in_place(path: &Path, from: &[u8], to: &[u8]) {
    assert_eq!(from.len(), to.len());
    let bytes = std::fs::read(path).unwrap();
    let at = bytes
        .windows(from.len())
        .position(|w| w == from)
        .expect("the text to swap");
    let mut swapped = bytes.clone();
    swapped[at..at + from.len()].copy_from_slice(to);
    assert_eq!(swapped.len(), bytes.len());
    std::fs::write(path, swapped).unwrap();
}

/// The names in `dir` (temporary files included).
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn assert_input_changed(error: &serde_json::Value, input: &Path) {
    assert_eq!(error["code"], "INPUT_CHANGED", "{error:#}");
    assert_eq!(
        error["message"],
        format!(
            "{} changed on disk while it was being signed; nothing was written",
            input.display()
        ),
        "{error:#}"
    );
    assert!(
        error["recommendation"]
            .as_str()
            .unwrap()
            .contains("sign it again")
            || error["recommendation"]
                .as_str()
                .unwrap()
                .contains("review and sign it as it is now"),
        "{error:#}"
    );
}

#[test]
fn a_pdf_swapped_while_the_password_is_asked_is_never_signed() {
    let f = Fixture::new();
    let tsa = f.pki.tsa_url();
    for level in ["B-B", "B-T", "B-LT"] {
        let dir = f.folder(level);
        let pdf = crate::pades::blank_pdf(&dir, "contract");
        let out = dir.join("contract-signed.pdf");
        let mut args = vec![
            "sign",
            pdf.to_str().unwrap(),
            "--format",
            "pades",
            "--level",
            level,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(f.signing(&tsa));
        let before = names(&dir);
        let run = run_swapping(&args, || swap_in_place(&pdf, b"595 842", b"595 843"));
        assert_eq!(run.status.code(), Some(65), "{level}: {}", text(&run));
        let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_input_changed(&json["error"], &pdf);
        assert!(!out.exists(), "{level}: an output was written");
        assert_eq!(names(&dir), before, "{level}: something was left behind");
    }
}

#[test]
fn a_file_swapped_while_the_password_is_asked_is_never_put_in_a_container() {
    let f = Fixture::new();
    let tsa = f.pki.tsa_url();
    let dir = f.folder("asice");
    let deed = dir.join("deed.txt");
    std::fs::write(&deed, b"I sell the house for 100000 EUR\n").unwrap();
    let out = dir.join("deed.asice");
    let mut args = vec![
        "sign",
        deed.to_str().unwrap(),
        "--container",
        out.to_str().unwrap(),
        "--level",
        "B-LT",
    ];
    args.extend(f.signing(&tsa));
    let before = names(&dir);
    let run = run_swapping(&args, || swap_in_place(&deed, b"100000", b"900000"));
    assert_eq!(run.status.code(), Some(65), "{}", text(&run));
    let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_input_changed(&json["error"], &deed);
    assert!(!out.exists());
    assert_eq!(names(&dir), before, "something was left behind");
}

#[test]
fn a_batch_blames_an_input_swapped_while_the_password_is_asked_and_signs_the_others() {
    let f = Fixture::new();
    let tsa = f.pki.tsa_url();
    let inputs = f.folder("in");
    let a = crate::pades::blank_pdf(&inputs, "a");
    let b = crate::pades::blank_pdf(&inputs, "b");
    let notes = inputs.join("notes.txt");
    std::fs::write(&notes, b"we agreed on 100 EUR\n").unwrap();
    let ledger = inputs.join("ledger.txt");
    std::fs::write(&ledger, b"unchanged\n").unwrap();
    let out_dir = f.dir.path().join("out");
    let od = out_dir.display().to_string();
    let mut args = vec![
        "batch",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        notes.to_str().unwrap(),
        ledger.to_str().unwrap(),
        "--out-dir",
        &od,
        "--level",
        "B-LT",
        "--yes",
    ];
    args.extend(f.signing(&tsa));
    let run = run_swapping(&args, || {
        swap_in_place(&a, b"595 842", b"595 843");
        swap_in_place(&notes, b"100", b"900");
    });
    assert_eq!(run.status.code(), Some(65), "{}", text(&run));
    let events: Vec<serde_json::Value> = String::from_utf8(run.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let failed: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["event"] == "failed").collect();
    assert_eq!(failed.len(), 2, "{events:#?}");
    for (event, input) in failed.iter().zip([&a, &notes]) {
        assert_eq!(event["input"], input.display().to_string());
        assert_input_changed(&event["error"], input);
    }
    let signed: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["event"] == "signed").collect();
    assert_eq!(signed.len(), 2, "{events:#?}");
    let summary = events.last().unwrap();
    assert!(summary["stopped"].is_null(), "{summary:#}");
    // Nothing for the swapped inputs, the others signed, no temporary file.
    assert_eq!(
        names(&out_dir),
        [".signet-batch.jsonl", "b.signed.pdf", "ledger.asice"]
    );
}

#[test]
fn an_existing_output_is_refused_without_force_and_left_as_it_was() {
    let f = Fixture::new();
    let tsa = f.pki.tsa_url();
    let dir = f.folder("force");
    let pdf = crate::pades::blank_pdf(&dir, "letter");
    let out = dir.join("letter.signed.pdf");
    std::fs::write(&out, b"someone else's letter").unwrap();
    let txt = dir.join("memo.txt");
    std::fs::write(&txt, b"memo\n").unwrap();
    let container = dir.join("memo.asice");
    std::fs::write(&container, b"someone else's container").unwrap();
    let cases: [(&Path, Vec<&str>); 2] = [
        (&out, vec!["sign", pdf.to_str().unwrap(), "--level", "B-B"]),
        (
            &container,
            vec![
                "sign",
                txt.to_str().unwrap(),
                "--container",
                container.to_str().unwrap(),
                "--level",
                "B-B",
            ],
        ),
    ];
    for (existing, mut args) in cases {
        args.extend(f.signing(&tsa));
        let before = std::fs::read(existing).unwrap();
        let run = crate::pades::signet(&args, &format!("{PASSWORD}\n"));
        assert_eq!(run.status.code(), Some(65), "{}", text(&run));
        let json: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
        assert_eq!(
            json["error"]["message"],
            format!(
                "{} exists already: Signet does not replace it",
                existing.display()
            ),
            "{json:#}"
        );
        assert!(
            json["error"]["recommendation"]
                .as_str()
                .unwrap()
                .contains("--force"),
            "{json:#}"
        );
        assert_eq!(std::fs::read(existing).unwrap(), before);
        // With --force it is replaced by the signed document.
        args.push("--force");
        let run = crate::pades::signet(&args, &format!("{PASSWORD}\n"));
        assert_eq!(run.status.code(), Some(0), "{}", text(&run));
        assert_ne!(std::fs::read(existing).unwrap(), before);
        let verified = crate::pades::signet(
            &[
                "verify",
                existing.to_str().unwrap(),
                "--trust",
                &f.root,
                "--offline",
                "--json",
            ],
            "",
        );
        // B-B has no proof of time: INDETERMINATE at best, never TOTAL-FAILED.
        assert!(
            matches!(verified.status.code(), Some(0 | 2)),
            "{}",
            text(&verified)
        );
    }
    assert_eq!(
        names(&dir),
        [
            "letter.pdf",
            "letter.signed.pdf",
            "letter.src",
            "memo.asice",
            "memo.txt"
        ]
    );
}
