//! PDFs pyHanko signs (B-B … B-LTA) validate in Signet at the level pyHanko made; a Signet
//! signature over a pyHanko one, and a pyHanko signature over a Signet one, leave both valid.

use std::path::{Path, PathBuf};
use std::process::Command;

use signet_pades::sign::SignOptions;
use signet_pades::validate::Verdict;
use signet_testkit::{Role, TestPki};

use crate::support::{self, Level};

fn pyhanko_sign(pki: &TestPki, input: &Path, output: &Path, level: Level, field: &str) {
    let dir = input.parent().unwrap();
    let p12 = support::p12(pki, Role::Signing, dir);
    let pass = dir.join("pass.txt");
    std::fs::write(&pass, "test1234").unwrap();
    let mut cmd = Command::new(support::pyhanko());
    cmd.args([
        "sign",
        "addsig",
        "--field",
        field,
        "--use-pades",
        "--reason",
        "pyHanko peer",
    ]);
    if level != Level::B {
        cmd.args(["--timestamp-url", &pki.tsa_url()]);
    }
    if matches!(level, Level::Lt | Level::Lta) {
        cmd.arg("--with-validation-info");
        cmd.arg("--trust")
            .arg(support::root_pem(pki))
            .arg("--trust-replace");
        cmd.arg("--other-certs")
            .arg(&pki.get(Role::IssuingCa).cert_path);
    }
    if level == Level::Lta {
        cmd.arg("--use-pades-lta");
    }
    cmd.args(["pkcs12", "--passfile"])
        .arg(&pass)
        .arg(input)
        .arg(output)
        .arg(&p12);
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "pyhanko addsig {level:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::B => "B-B",
        Level::T => "B-T",
        Level::Lt => "B-LT",
        Level::Lta => "B-LTA",
    }
}

#[test]
fn signet_validates_what_pyhanko_signs_at_each_level() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.pdf");
    std::fs::write(&blank, support::blank_pdf(dir.path(), false)).unwrap();
    for level in [Level::B, Level::T, Level::Lt, Level::Lta] {
        let out: PathBuf = dir.path().join(format!("ph-{level:?}.pdf"));
        pyhanko_sign(&pki, &blank, &out, level, "Sig1");
        let data = std::fs::read(&out).unwrap();
        let report = if matches!(level, Level::B | Level::T) {
            support::assert_indeterminate_offline(&pki, &data, &format!("{level:?}"));
            support::validate_online(&pki, &data)
        } else {
            support::validate(&pki, &data)
        };
        let sig = report
            .signatures
            .iter()
            .find(|s| s.kind == "signature")
            .unwrap();
        eprintln!(
            "{level:?}: {:?} {:?} {:?} {:?}",
            report.verdict, sig.level, sig.errors, sig.warnings
        );
        assert_eq!(report.verdict, Verdict::Valid, "{level:?}: {report:#?}");
        assert_eq!(
            sig.level.as_deref(),
            Some(level_name(level)),
            "{level:?}: {sig:#?}"
        );
    }
}

#[test]
fn cross_signing_keeps_both_signatures_valid() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blank = dir.path().join("blank.pdf");
    std::fs::write(&blank, support::blank_pdf(dir.path(), false)).unwrap();

    // pyHanko first, Signet second.
    let ph = dir.path().join("ph.pdf");
    pyhanko_sign(&pki, &blank, &ph, Level::T, "PeerSig");
    let ph_bytes = std::fs::read(&ph).unwrap();
    let both = support::sign(
        &pki,
        Role::Signing,
        &ph_bytes,
        Level::T,
        &SignOptions::default(),
    );
    assert!(both.starts_with(&ph_bytes));
    let both_path = dir.path().join("ph-then-signet.pdf");
    std::fs::write(&both_path, &both).unwrap();
    let v = support::pyhanko_validate(&pki, &both_path);
    assert!(v.ok, "{}", v.out);
    assert_eq!(v.out.matches("judged VALID").count(), 2, "{}", v.out);
    let report = support::validate_online(&pki, &both);
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");

    // Signet first, pyHanko second.
    let signet = support::sign(
        &pki,
        Role::Signing,
        &std::fs::read(&blank).unwrap(),
        Level::T,
        &SignOptions::default(),
    );
    let signet_path = dir.path().join("signet.pdf");
    std::fs::write(&signet_path, &signet).unwrap();
    let both_path = dir.path().join("signet-then-ph.pdf");
    pyhanko_sign(&pki, &signet_path, &both_path, Level::T, "PeerSig");
    let v = support::pyhanko_validate(&pki, &both_path);
    assert!(v.ok, "{}", v.out);
    assert_eq!(v.out.matches("judged VALID").count(), 2, "{}", v.out);
    let both = std::fs::read(&both_path).unwrap();
    let report = support::validate_online(&pki, &both);
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(report.verdict, Verdict::Valid, "{report:#?}");
    let p = support::pdfsig(&pki, &both_path);
    assert_eq!(p.out.matches("Signature is Valid.").count(), 2, "{}", p.out);
}
