//! `signet batch` takes its settings as `signet sign` does (a flag, then the profile, then the
//! person's settings, then the defaults) and names its outputs as `sign` does (issue 13,
//! point 1).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use signet_testkit::{Role, TestPki};

use crate::pades::{blank_pdf, p12, text};

/// Runs the binary in the profile at `profile`.
fn signet_in(profile: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .env("SIGNET_PROFILE_DIR", profile)
        .env_remove("SIGNET_PROFILE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn a_batch_takes_the_profiles_tsa_and_trust_the_persons_level_and_names_outputs_as_sign() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    let deed = blank_pdf(&inputs, "deed");
    let notes = inputs.join("notes.txt");
    std::fs::write(&notes, b"notes\n").unwrap();
    let token = format!("p12:{}", p12(&pki, dir.path()).display());

    // The profile names the TSA and what to trust; the person's settings (in the profile's
    // data folder) the level. The command line gives neither.
    let profile = dir.path().join("profile");
    std::fs::create_dir_all(profile.join("data")).unwrap();
    let profile_json = serde_json::json!({
        "name": "office",
        "tsaUrl": pki.tsa_url(),
        "trust": [pki.get(Role::Root).cert_path, pki.get(Role::IssuingCa).cert_path],
        "dataDir": "data",
    });
    std::fs::write(profile.join("profile.json"), profile_json.to_string()).unwrap();
    std::fs::write(profile.join("data/settings.json"), r#"{"level":"B-T"}"#).unwrap();

    let out = dir.path().join("batch");
    let run = signet_in(
        &profile,
        &[
            "batch",
            deed.to_str().unwrap(),
            notes.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
            "--token",
            &token,
            "--pin-stdin",
            "--yes",
            "--json",
        ],
        "test1234\n",
    );
    assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    let stdout = String::from_utf8(run.stdout.clone()).unwrap();
    let plan: serde_json::Value = serde_json::from_str(stdout.lines().next().unwrap()).unwrap();
    assert_eq!(plan["level"], "B-T", "{plan:#}");
    assert_eq!(
        plan["files"][0]["output"],
        out.join("deed.signed.pdf").display().to_string()
    );
    assert_eq!(
        plan["files"][1]["output"],
        out.join("notes.asice").display().to_string()
    );

    // `sign` in the same profile names the same outputs.
    let signed = dir.path().join("sign");
    std::fs::create_dir(&signed).unwrap();
    for file in [&deed, &notes] {
        let run = signet_in(
            &profile,
            &[
                "sign",
                file.to_str().unwrap(),
                "--out-dir",
                signed.to_str().unwrap(),
                "--token",
                &token,
                "--pin-stdin",
            ],
            "test1234\n",
        );
        assert_eq!(run.status.code(), Some(0), "{}", text(&run));
    }
    assert_eq!(names(&out), ["deed.signed.pdf", "notes.asice"]);
    assert_eq!(names(&out), names(&signed));

    // The batch's PDF carries the profile's TSA's time-stamp: B-T, as the person's settings
    // ask, valid with the profile's trust.
    let verified = signet_in(
        &profile,
        &[
            "verify",
            out.join("deed.signed.pdf").to_str().unwrap(),
            out.join("notes.asice").to_str().unwrap(),
            "--json",
        ],
        "",
    );
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    for file in json["files"].as_array().unwrap() {
        assert_eq!(file["signatures"][0]["level"], "B-T", "{json:#}");
        assert!(file["signatures"][0]["provenTime"].is_string(), "{json:#}");
    }
}
