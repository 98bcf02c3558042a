//! libdigidocpp 4.3 (pydigidoc) as the independent judge, offline with the generated trusted
//! list (tests/peers/digidoc.py), and xmlsec1 for the bare XML signatures.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use signet_asic::Container;
use signet_core::{BaselineLevel, Indication};
use signet_testkit::Role;

use crate::common::Setup;

fn script() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/peers/digidoc.py"
    ))
}

fn peer(s: &Setup, command: &str, args: &[&str]) -> Value {
    let python = signet_testkit::peers::venv_program("python").unwrap();
    let tsl = s.path("peer-tsl.xml");
    let cert = s.path("peer-tsl-signer.der");
    std::fs::write(&tsl, &s.tsl.xml).unwrap();
    std::fs::write(&cert, &s.tsl.signer).unwrap();
    let mut cmd = Command::new(python);
    cmd.arg(script())
        .arg(command)
        .arg("--tsl")
        .arg(&tsl)
        .arg("--tslcert")
        .arg(&cert);
    if command != "validate" {
        cmd.args(["--tsa", &s.pki.tsa_url()]);
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "digidoc.py {command} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// libdigidocpp's status for each signature of `path`, or its open error.
fn statuses(s: &Setup, path: &Path) -> Result<Vec<String>, String> {
    let p = path.to_str().unwrap();
    let v = peer(s, "validate", &[p]);
    let r = &v[p];
    eprintln!("libdigidocpp on {p}: {r}");
    if let Some(e) = r.get("open_error") {
        return Err(e.as_str().unwrap_or_default().to_owned());
    }
    Ok(r["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {}", s["status"].as_str().unwrap(), s["messages"]))
        .collect())
}

fn assert_all_valid(s: &Setup, path: &Path, count: usize) {
    let st = statuses(s, path).unwrap();
    assert_eq!(st.len(), count, "{st:?}");
    for one in &st {
        assert!(one.starts_with("Valid "), "libdigidocpp: {st:?}");
    }
}

/// A PKCS#12 file of `role` with its issuer, made by OpenSSL, for libdigidocpp's signer.
fn p12(s: &Setup, role: Role) -> PathBuf {
    let out = s.path(&format!("{}.p12", role.file_stem()));
    let issued = s.pki.get(role);
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:test", "-inkey"])
        .arg(&issued.key_path)
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-certfile")
        .arg(&s.pki.get(Role::IssuingCa).cert_path)
        .arg("-out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

#[test]
fn signet_containers_are_valid_to_libdigidocpp() {
    let s = Setup::new();
    let one = [s.write("hello.txt", b"Tere!\n")];
    let many = [
        s.write("a.txt", b"one"),
        s.write("b.pdf", b"%PDF-1.7 not really"),
        s.write("Faili nimi ä.txt", b"three"),
    ];
    for (name, files, role, level) in [
        (
            "p384-lt-1.asice",
            &one[..],
            Role::Signing,
            BaselineLevel::B_LT,
        ),
        (
            "rsa-lt-3.asice",
            &many[..],
            Role::RsaSigning,
            BaselineLevel::B_LT,
        ),
        (
            "p384-lta-3.asice",
            &many[..],
            Role::Signing,
            BaselineLevel::B_LTA,
        ),
        (
            "rsa-lta-1.asice",
            &one[..],
            Role::RsaSigning,
            BaselineLevel::B_LTA,
        ),
    ] {
        let out = s.path(name);
        s.sign_new(&out, files, role, level);
        assert_all_valid(&s, &out, 1);
    }
    // Several signatures: a second one (RSA) on the P-384 container.
    let out = s.path("p384-lt-3.asice");
    s.sign_new(&out, &many, Role::Signing, BaselineLevel::B_LT);
    s.sign_existing(&out, Role::RsaSigning, BaselineLevel::B_LTA);
    assert_all_valid(&s, &out, 2);
    assert_eq!(s.validate(&out).indication, Indication::TotalPassed);
}

#[test]
fn libdigidocpp_containers_are_total_passed_to_signet_and_cosigning_keeps_both_valid() {
    let s = Setup::new();
    let a = s.write("a.txt", b"one");
    let b = s.write("b.txt", b"two");
    for (role, profile) in [
        (Role::Signing, "time-stamp"),
        (Role::RsaSigning, "time-stamp-archive"),
    ] {
        let out = s.path(&format!("ldd-{profile}.asice"));
        let key = p12(&s, role);
        peer(
            &s,
            "sign",
            &[
                "--p12",
                key.to_str().unwrap(),
                "--password",
                "test",
                "--profile",
                profile,
                out.to_str().unwrap(),
                a.path.to_str().unwrap(),
                b.path.to_str().unwrap(),
            ],
        );
        assert_all_valid(&s, &out, 1);
        let report = s.validate(&out);
        assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
        let expected = if profile == "time-stamp" {
            "B-LT"
        } else {
            "B-LTA"
        };
        assert_eq!(report.signatures[0].level.as_deref(), Some(expected));

        // Signet adds its signature; both stay valid to both.
        s.sign_existing(&out, Role::Signing, BaselineLevel::B_LT);
        assert_all_valid(&s, &out, 2);
        let report = s.validate(&out);
        assert_eq!(report.signatures.len(), 2);
        assert_eq!(report.indication, Indication::TotalPassed, "{report:#?}");
    }
    // libdigidocpp adds its signature to a Signet container.
    let out = s.path("signet-first.asice");
    s.sign_new(
        &out,
        &[a.clone(), b.clone()],
        Role::Signing,
        BaselineLevel::B_LT,
    );
    let both = s.path("signet-then-ldd.asice");
    let key = p12(&s, Role::Signing);
    peer(
        &s,
        "add",
        &[
            "--p12",
            key.to_str().unwrap(),
            "--password",
            "test",
            out.to_str().unwrap(),
            both.to_str().unwrap(),
        ],
    );
    assert_all_valid(&s, &both, 2);
    assert_eq!(s.validate(&both).indication, Indication::TotalPassed);
    assert_eq!(Container::open(&both).unwrap().signature_names().len(), 2);
}
