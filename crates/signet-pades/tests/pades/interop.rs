//! Signet-signed PDFs judged by pyHanko, pdfsig and qpdf.

use signet_pades::sign::SignOptions;
use signet_testkit::{Role, TestPki};

use crate::support::{self, Level};

fn check(pki: &TestPki, role: Role, level: Level, xref_streams: bool, visible: bool) {
    let dir = tempfile::tempdir().unwrap();
    let pdf = support::blank_pdf(dir.path(), xref_streams);
    let mut options = SignOptions {
        reason: Some("Nõustun / Agreed".into()),
        location: Some("Tallinn".into()),
        ..SignOptions::default()
    };
    if visible {
        options.visible = Some(signet_pades::appearance::Visible {
            page: 1,
            rect: [50.0, 50.0, 220.0, 60.0],
            lines: vec![
                "Mari-Liis Männik-Šõžä".into(),
                "Иван Петров".into(),
                "38001085718".into(),
                "2026-11-27 21:00 UTC".into(),
            ],
        });
    }
    let signed = support::sign(pki, role, &pdf, level, &options);
    assert!(signed.starts_with(&pdf), "the original bytes are kept");
    let path = dir.path().join("signed.pdf");
    std::fs::write(&path, &signed).unwrap();
    if let Some(keep) = std::env::var_os("SIGNET_PADES_KEEP") {
        let name = format!("{role:?}-{level:?}-{xref_streams}-{visible}.pdf");
        std::fs::write(std::path::Path::new(&keep).join(name), &signed).unwrap();
    }
    let what = format!("{role:?} {level:?} xref_streams={xref_streams} visible={visible}");

    let v = support::pyhanko_validate(pki, &path);
    assert!(v.ok, "pyhanko validate {what}:\n{}", v.out);
    assert!(
        v.out.contains("The signature is judged VALID") || v.out.contains("judged VALID"),
        "{what}: {}",
        v.out
    );
    let expected_level = match level {
        Level::B => "B-B",
        Level::T => "B-T",
        Level::Lt => "B-LT",
        Level::Lta => "B-LTA",
    };
    if matches!(level, Level::Lt | Level::Lta) {
        let a = support::pyhanko_adesverify(pki, &path);
        assert!(a.ok, "pyhanko adesverify {what}:\n{}", a.out);
        eprintln!("adesverify {what}: {}", a.out);
        assert!(a.out.contains(":VALID"), "{what}: {}", a.out);
    }
    // Signet's own validator agrees, at the level claimed: offline for B-LT/B-LTA (the DSS has
    // the revocation data); B-B/B-T are INDETERMINATE offline and valid once the responder is
    // asked.
    let report = if matches!(level, Level::B | Level::T) {
        support::assert_indeterminate_offline(pki, &signed, &what);
        support::validate_online(pki, &signed)
    } else {
        support::validate(pki, &signed)
    };
    assert_eq!(
        report.verdict,
        signet_pades::validate::Verdict::Valid,
        "{what}: {report:#?}"
    );
    let sig = report
        .signatures
        .iter()
        .find(|s| s.kind == "signature")
        .unwrap();
    assert_eq!(
        sig.level.as_deref(),
        Some(expected_level),
        "{what}: {sig:#?}"
    );
    assert_eq!(
        sig.coverage,
        if level == Level::B || level == Level::T {
            "entire-file"
        } else {
            "entire-revision"
        }
    );
    let q = support::qpdf_check(&path);
    assert!(
        q.ok && q.out.contains("No syntax or stream encoding errors"),
        "qpdf {what}: {}",
        q.out
    );
    if visible {
        // The embedded subset and its ToUnicode map: poppler draws and extracts the names.
        let text = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(
            text.contains("Mari-Liis Männik-Šõžä") && text.contains("Иван Петров"),
            "{what}: {text}"
        );
    }
    let p = support::pdfsig(pki, &path);
    assert!(
        p.out.contains("Signature is Valid."),
        "pdfsig {what}: {}",
        p.out
    );
    assert!(
        p.out.contains("Certificate is Trusted."),
        "pdfsig {what}: {}",
        p.out
    );
}

#[test]
fn every_level_with_p384_is_valid_to_the_peers() {
    let pki = TestPki::start().unwrap();
    for level in [Level::B, Level::T, Level::Lt, Level::Lta] {
        check(&pki, Role::Signing, level, false, false);
    }
}

#[test]
fn every_level_with_rsa_is_valid_to_the_peers() {
    let pki = TestPki::start().unwrap();
    for level in [Level::B, Level::T, Level::Lt, Level::Lta] {
        check(&pki, Role::RsaSigning, level, true, false);
    }
}

#[test]
fn visible_signatures_on_xref_stream_files_are_valid_to_the_peers() {
    let pki = TestPki::start().unwrap();
    for level in [Level::B, Level::T, Level::Lt, Level::Lta] {
        check(&pki, Role::Signing, level, true, true);
    }
    check(&pki, Role::RsaSigning, Level::B, false, true);
    check(&pki, Role::RsaSigning, Level::Lta, false, true);
}

#[test]
fn certification_signatures_are_valid_to_pyhanko_and_pdfsig() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let pdf = support::blank_pdf(dir.path(), false);
    for mdp in [
        signet_pades::DocMdp::NoChanges,
        signet_pades::DocMdp::FormFilling,
        signet_pades::DocMdp::Annotations,
    ] {
        let options = SignOptions {
            certify: Some(mdp),
            ..SignOptions::default()
        };
        let signed = support::sign(&pki, Role::Signing, &pdf, Level::T, &options);
        let path = dir.path().join(format!("certified-{}.pdf", mdp.p()));
        std::fs::write(&path, &signed).unwrap();
        let v = support::pyhanko_validate(&pki, &path);
        assert!(v.ok && v.out.contains("judged VALID"), "{mdp:?}: {}", v.out);
        assert!(
            v.out.to_lowercase().contains("certif"),
            "{mdp:?}: {}",
            v.out
        );
        let p = support::pdfsig(&pki, &path);
        assert!(p.out.contains("Signature is Valid."), "{}", p.out);
        let report = support::validate_online(&pki, &signed);
        assert_eq!(report.verdict, signet_pades::validate::Verdict::Valid);
        assert_eq!(report.signatures[0].docmdp, Some(mdp.p()));
        let q = report.signatures[0].qualification.as_ref().unwrap();
        assert!(q.qualified_esign_in_qscd);
        // A second certification signature is refused.
        let again = signet_pades::prepare(
            &signed,
            &signet_pades::SignerCerts {
                signer: support::cert(&pki, Role::Signing),
                chain: vec![],
            },
            &options,
            std::time::SystemTime::UNIX_EPOCH,
        );
        assert!(again.is_err());
    }
}
