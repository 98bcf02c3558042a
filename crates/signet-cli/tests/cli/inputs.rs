//! Inputs named for what they are (issue 18, point 5): the content decides what a file is; a
//! name that claims a format the content does not have is refused, never followed; a file that
//! cannot be read is the same error whatever its name claims.

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn signet(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .current_dir(dir)
        .env("XDG_DATA_HOME", dir.join("home"))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_file_named_pdf_that_is_not_one_is_refused_and_never_put_into_a_container() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("contract.pdf"), b"hello, I am text\n").unwrap();
    for args in [
        &[
            "sign",
            "contract.pdf",
            "--token",
            "p12:none.p12",
            "--pin-stdin",
            "--level",
            "B-B",
        ][..],
        &[
            "sign",
            "contract.pdf",
            "--format",
            "asice",
            "--pin-stdin",
            "--level",
            "B-B",
        ],
        &["verify", "contract.pdf"],
        &["extend", "contract.pdf", "--level", "B-LT"],
    ] {
        let out = signet(dir.path(), args);
        assert_eq!(out.status.code(), Some(65), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("contract.pdf is not a PDF"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = signet(
        dir.path(),
        &["--json", "sign", "contract.pdf", "--pin-stdin"],
    );
    assert_eq!(out.status.code(), Some(65));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error"]["code"], "INVALID_INPUT", "{doc}");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("is not a PDF")
    );
    // Nothing was written: no container next to it (`home` holds the log file).
    let written: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name != "home")
        .collect();
    assert_eq!(written, ["contract.pdf"], "{written:?}");
}

#[test]
fn an_unreadable_input_is_the_same_status_whatever_format_its_name_claims() {
    let dir = tempfile::tempdir().unwrap();
    // A folder cannot be read as a file, even by root (permissions do not stop root).
    for name in ["a.pdf", "a.asice", "a.bdoc", "a.txt"] {
        std::fs::create_dir(dir.path().join(name)).unwrap();
        let commands: [&[&str]; 7] = [
            &["sign", name, "--pin-stdin", "--level", "B-B"],
            &[
                "batch",
                name,
                "--out-dir",
                "out",
                "--yes",
                "--pin-stdin",
                "--level",
                "B-B",
            ],
            &["verify", name],
            &["extend", name, "--level", "B-LT"],
            &["asice", "list", name],
            &["asice", "extract", name],
            &["sign", "--add-to", name, "x", "--pin-stdin"],
        ];
        for args in commands {
            let out = signet(dir.path(), args);
            assert_eq!(out.status.code(), Some(74), "{args:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(&format!("{name} cannot be read")),
                "{args:?}: {}",
                stderr(&out)
            );
        }
        let missing = format!("missing-{name}");
        for args in [
            &["sign", &missing, "--pin-stdin", "--level", "B-B"][..],
            &["verify", &missing],
            &["extend", &missing, "--level", "B-LT"],
            &["asice", "list", &missing],
            &[
                "batch",
                &missing,
                "--out-dir",
                "out",
                "--yes",
                "--pin-stdin",
                "--level",
                "B-B",
            ],
        ] {
            let out = signet(dir.path(), args);
            assert_eq!(out.status.code(), Some(66), "{args:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(&format!("{missing} does not exist")),
                "{args:?}: {}",
                stderr(&out)
            );
        }
    }
}

#[test]
fn asice_commands_on_a_pdf_say_it_is_a_pdf_not_a_container() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("contract.pdf"), b"%PDF-1.7\n%%EOF\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"notes\n").unwrap();
    for args in [
        &["asice", "list", "contract.pdf"][..],
        &["asice", "extract", "contract.pdf"],
        &["asice", "add", "contract.pdf", "notes.txt"],
        &[
            "sign",
            "--add-to",
            "contract.pdf",
            "notes.txt",
            "--pin-stdin",
        ],
    ] {
        let out = signet(dir.path(), args);
        assert_eq!(out.status.code(), Some(65), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).starts_with("signet: contract.pdf: this is a PDF, not a container"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = signet(dir.path(), &["--json", "asice", "list", "contract.pdf"]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        doc["error"]["message"],
        "contract.pdf: this is a PDF, not a container"
    );
    assert_eq!(
        std::fs::read(dir.path().join("contract.pdf")).unwrap(),
        b"%PDF-1.7\n%%EOF\n"
    );
}

#[test]
fn a_batch_refuses_a_file_named_pdf_that_is_not_one_in_its_plan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("contract.pdf"), b"hello, I am text\n").unwrap();
    std::fs::write(dir.path().join("notes.txt"), b"notes\n").unwrap();
    let out = signet(
        dir.path(),
        &[
            "batch",
            "contract.pdf",
            "notes.txt",
            "--out-dir",
            "out",
            "--level",
            "B-B",
            "--token",
            "p12:none.p12",
            "--pin-stdin",
            "--yes",
            "--json",
        ],
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let plan: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(plan["event"], "plan", "{stdout}");
    let fake = &plan["files"][0];
    assert_eq!(fake["input"], "contract.pdf");
    assert_eq!(fake["state"], "refused", "{stdout}");
    assert!(
        fake["error"]["message"]
            .as_str()
            .unwrap()
            .contains("contract.pdf is not a PDF"),
        "{stdout}"
    );
    assert_eq!(plan["files"][1]["state"], "sign", "{stdout}");
    assert!(!dir.path().join("out/contract.asice").exists());
}

/// A container cut short (an interrupted download) is said to be that, with the reason, and is
/// not suggested to be an attack; it used to get "damaged or crafted to mislead" whatever the
/// reason.
#[test]
fn a_container_cut_short_is_said_to_be_cut_short_not_crafted() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus/asice/valid/d4j_valid-asice.asice");
    let whole = std::fs::read(corpus).unwrap();
    std::fs::write(dir.path().join("cut.asice"), &whole[..whole.len() / 2]).unwrap();
    for args in [
        &["--json", "asice", "list", "cut.asice"][..],
        &["--json", "asice", "extract", "cut.asice"],
    ] {
        let out = signet(dir.path(), args);
        assert_eq!(out.status.code(), Some(65), "{args:?}: {}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let message = doc["error"]["message"].as_str().unwrap();
        let advice = doc["error"]["recommendation"].as_str().unwrap();
        assert!(message.contains("not a ZIP archive"), "{doc:#}");
        assert!(
            advice.contains("cut short") && !advice.contains("crafted"),
            "{doc:#}"
        );
    }
}

/// A PDF and a text file signed together go into one ASiC-E container (the engine's rule: not
/// every file is a PDF), and the output line says so; no PAdES copy of the PDF is made.
#[test]
fn a_pdf_and_a_text_file_go_into_one_container_and_the_line_says_so() {
    let dir = tempfile::tempdir().unwrap();
    crate::messages::p12(dir.path());
    crate::pades::blank_pdf(dir.path(), "a");
    std::fs::write(dir.path().join("notes.txt"), b"notes\n").unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(["sign", "a.pdf", "notes.txt", "--token", "p12:token.p12"])
        .args(["--pin-stdin", "--level", "B-B"])
        .current_dir(dir.path())
        .env("XDG_DATA_HOME", dir.path().join("home"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), b"right\n").unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", stderr(&out));
    assert!(
        stdout.starts_with("signed a.pdf, notes.txt → a.asice (B-B, ")
            && stdout.trim_end().ends_with("(2 files into one container)"),
        "{stdout}"
    );
    assert!(!dir.path().join("a.signed.pdf").exists());
    let listed = signet(dir.path(), &["asice", "list", "a.asice"]);
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.contains("a.pdf") && listed.contains("notes.txt"),
        "{listed}"
    );
}
