//! `signet sign|verify|extend` for PDFs through the real binary: a PKCS#12 token, the test
//! PKI's TSA and OCSP responder on loopback, pyHanko as the judge.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use signet_testkit::{Role, TestPki};

pub(crate) fn signet(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        // Text shows local times: UTC here, whatever the machine's zone.
        .env("TZ", "UTC")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before it reads its PIN closes the pipe: not an error here.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

pub(crate) fn blank_pdf(dir: &Path, name: &str) -> PathBuf {
    let src = dir.join(format!("{name}.src"));
    std::fs::write(&src, "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\ntrailer << /Size 4 /Root 1 0 R >>\n%%EOF\n").unwrap();
    let out = dir.join(format!("{name}.pdf"));
    let status = Command::new("qpdf").arg(&src).arg(&out).status().unwrap();
    assert!(matches!(status.code(), Some(0 | 3)));
    out
}

pub(crate) fn p12(pki: &TestPki, dir: &Path) -> PathBuf {
    let issued = pki.get(Role::Signing);
    let out = dir.join("signer.p12");
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:test1234", "-in"])
        .arg(&issued.cert_path)
        .arg("-inkey")
        .arg(&issued.key_path)
        .arg("-out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

pub(crate) fn pyhanko(args: &[&str], pki: &TestPki, pdf: &Path) -> Output {
    Command::new(signet_testkit::peers::venv_program("pyhanko").unwrap())
        .args(["sign"])
        .args(args)
        .arg("--trust")
        .arg(&pki.get(Role::Root).cert_path)
        .arg("--trust-replace")
        .arg(pdf)
        .output()
        .unwrap()
}

pub(crate) fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn sign_verify_and_extend_pdfs_through_the_binary() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let b = blank_pdf(dir.path(), "b");
    let p12 = p12(&pki, dir.path());
    let token = format!("p12:{}", p12.display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let out_dir = dir.path().join("signed");
    std::fs::create_dir(&out_dir).unwrap();

    // B-T and above without a TSA: a usage error, nothing written.
    let no_tsa = signet(
        &[
            "sign",
            a.to_str().unwrap(),
            "--format",
            "pades",
            "--level",
            "B-T",
            "--token",
            &token,
            "--pin-stdin",
        ],
        "test1234\n",
    );
    // The TSA is a setting (the command line, the profile, the person's settings): its absence
    // is an input error, not a usage error.
    assert_eq!(no_tsa.status.code(), Some(65), "{}", text(&no_tsa));
    assert!(text(&no_tsa).contains("needs a time-stamping authority"));
    // The default level is B-LT, which needs a TSA too.
    let default = signet(
        &[
            "sign",
            a.to_str().unwrap(),
            "--token",
            &token,
            "--pin-stdin",
        ],
        "test1234\n",
    );
    assert_eq!(default.status.code(), Some(65), "{}", text(&default));

    // Two PDFs, one password (one line on stdin), one output each, B-LT.
    let signed = signet(
        &[
            "sign",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--format",
            "pades",
            "--level",
            "B-LT",
            "--token",
            &token,
            "--pin-stdin",
            "--tsa",
            &pki.tsa_url(),
            "--trust",
            &root,
            "--chain",
            &ca,
            "--out-dir",
            out_dir.to_str().unwrap(),
            "--reason",
            "Kokkulepe",
            "--json",
        ],
        "test1234\n",
    );
    assert!(signed.status.success(), "{}", text(&signed));
    assert!(!text(&signed).contains("test1234"));
    let json: serde_json::Value = serde_json::from_slice(&signed.stdout).unwrap();
    assert_eq!(json["outputs"].as_array().unwrap().len(), 2);
    assert_eq!(json["signer"], "Mari Tamm (38001085718)");
    for name in ["a.signed.pdf", "b.signed.pdf"] {
        let out = out_dir.join(name);
        assert!(out.exists());
        let v = pyhanko(&["validate", "--no-revocation-check"], &pki, &out);
        assert!(
            v.status.success() && text(&v).contains("INTACT:TRUSTED"),
            "{}",
            text(&v)
        );
        // The DSS holds revocation data for the whole chain (the signer's OCSP answer, the
        // root's CRL for the issuing CA and the TSA): pyHanko's AdES validation agrees.
        let ades = pyhanko(&["adesverify", "--executive-summary"], &pki, &out);
        assert!(
            ades.status.success() && text(&ades).contains(":VALID"),
            "adesverify: {}",
            text(&ades)
        );
    }
    // No temporary files left behind.
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 2);

    // verify --json: one document, valid at B-LT, exit 0.
    let out_a = out_dir.join("a.signed.pdf");
    let verified = signet(
        &[
            "verify",
            out_a.to_str().unwrap(),
            "--trust",
            &root,
            "--offline",
            "--json",
        ],
        "",
    );
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    let report = &json["files"][0];
    assert_eq!(report["format"], "pdf");
    assert_eq!(report["verdict"], "valid");
    assert_eq!(report["signatures"][0]["level"], "B-LT");
    assert_eq!(report["signatures"][0]["indication"], "TOTAL-PASSED");
    assert_eq!(report["signatures"][0]["signer"], "Mari Tamm (38001085718)");
    assert!(
        report["signatures"][0]["signerSubject"]
            .as_str()
            .unwrap()
            .contains("TAMM")
    );
    assert_eq!(report["signatures"][0]["reason"], "Kokkulepe");

    // In text, the signer is a person with the device, the time RFC 3339; the subject only
    // when asked for.
    let args = [
        "verify",
        out_a.to_str().unwrap(),
        "--trust",
        &root,
        "--offline",
    ];
    let read = text(&signet(&args, ""));
    assert!(
        read.contains("— Mari Tamm (38001085718), ID card\n"),
        "{read}"
    );
    assert!(!read.contains("CN=") && !read.contains("D:20"), "{read}");
    let time = read
        .lines()
        .find_map(|l| l.trim().strip_prefix("time (proven): "))
        .unwrap_or_else(|| panic!("{read}"));
    assert!(
        time.len() >= 20 && time.as_bytes()[10] == b'T' && time.ends_with('Z'),
        "{time}"
    );
    let with_subjects = text(&signet(&[&args[..], &["--subjects"]].concat(), ""));
    assert!(
        with_subjects.contains("    subject: ") && with_subjects.contains("CN=TAMM"),
        "{with_subjects}"
    );

    // Without the anchor it is indeterminate: exit 2.
    let untrusted = signet(&["verify", out_a.to_str().unwrap(), "--offline"], "");
    assert_eq!(untrusted.status.code(), Some(2), "{}", text(&untrusted));

    // extend to B-LTA, in place; the result is B-LTA to Signet and pyHanko.
    let extended = signet(
        &[
            "extend",
            out_a.to_str().unwrap(),
            "--level",
            "B-LTA",
            "--tsa",
            &pki.tsa_url(),
            "--trust",
            &root,
            "--json",
        ],
        "",
    );
    assert!(extended.status.success(), "{}", text(&extended));
    let verified = signet(
        &[
            "verify",
            out_a.to_str().unwrap(),
            "--trust",
            &root,
            "--offline",
            "--json",
        ],
        "",
    );
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(
        json["files"][0]["signatures"][0]["level"], "B-LTA",
        "{json:#}"
    );
    let v = pyhanko(&["validate", "--no-revocation-check"], &pki, &out_a);
    assert!(
        v.status.success() && text(&v).contains("INTACT:TRUSTED"),
        "{}",
        text(&v)
    );
    let ades = pyhanko(&["adesverify", "--executive-summary"], &pki, &out_a);
    assert!(
        ades.status.success() && text(&ades).contains(":VALID"),
        "adesverify B-LTA: {}",
        text(&ades)
    );

    // A B-B signature, then an attack on it: verify exits 1 and says why.
    let bb = dir.path().join("bb.pdf");
    let signed = signet(
        &[
            "sign",
            a.to_str().unwrap(),
            "--level",
            "B-B",
            "--token",
            &token,
            "--pin-stdin",
            "--chain",
            &ca,
            "--out",
            bb.to_str().unwrap(),
        ],
        "test1234\n",
    );
    assert!(signed.status.success(), "{}", text(&signed));
    // Offline, a B-B file carries no revocation data: the signer's status is unknown, so the
    // signature is INDETERMINATE / TRY_LATER and verify exits 2 (never valid).
    let verified = signet(
        &[
            "verify",
            bb.to_str().unwrap(),
            "--trust",
            &root,
            "--offline",
            "--json",
        ],
        "",
    );
    assert_eq!(verified.status.code(), Some(2), "{}", text(&verified));
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    let report = &json["files"][0];
    assert_eq!(report["verdict"], "cannotTell", "{json:#}");
    assert_eq!(report["signatures"][0]["indication"], "INDETERMINATE");
    assert_eq!(report["signatures"][0]["subIndication"], "TRY_LATER");
    // Online, the responder answers: valid.
    let verified = signet(&["verify", bb.to_str().unwrap(), "--trust", &root], "");
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let mut bytes = std::fs::read(&bb).unwrap();
    bytes.extend_from_slice(b"\n% trailing junk\n1 0 obj << >> endobj\n");
    let tampered = dir.path().join("tampered.pdf");
    std::fs::write(&tampered, &bytes).unwrap();
    let verified = signet(
        &[
            "verify",
            tampered.to_str().unwrap(),
            "--trust",
            &root,
            "--offline",
        ],
        "",
    );
    assert_eq!(verified.status.code(), Some(1), "{}", text(&verified));
    assert!(
        text(&verified).contains("NOT VALID (TOTAL-FAILED)"),
        "{}",
        text(&verified)
    );

    // An encrypted or broken input is refused with a clear message, and nothing is written.
    let broken = dir.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.7\nnot a pdf at all\n").unwrap();
    let out = dir.path().join("broken-out.pdf");
    let refused = signet(
        &[
            "sign",
            broken.to_str().unwrap(),
            "--level",
            "B-B",
            "--token",
            &token,
            "--pin-stdin",
            "--out",
            out.to_str().unwrap(),
        ],
        "test1234\n",
    );
    assert_eq!(refused.status.code(), Some(65), "{}", text(&refused));
    assert!(!out.exists());
}

#[test]
fn verify_judges_pdfs_against_a_trusted_list() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let p12 = p12(&pki, dir.path());
    let token = format!("p12:{}", p12.display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let out = dir.path().join("a-signed.pdf");
    let signed = signet(
        &[
            "sign",
            a.to_str().unwrap(),
            "--level",
            "B-LT",
            "--token",
            &token,
            "--pin-stdin",
            "--tsa",
            &pki.tsa_url(),
            "--trust",
            &root,
            "--chain",
            &ca,
            "--out",
            out.to_str().unwrap(),
        ],
        "test1234\n",
    );
    assert!(signed.status.success(), "{}", text(&signed));
    let list = pki.trusted_list().unwrap();
    let tsl = dir.path().join("tsl.xml");
    std::fs::write(&tsl, &list.xml).unwrap();
    let signer = dir.path().join("tsl-signer.der");
    std::fs::write(&signer, &list.signer).unwrap();
    let other = dir.path().join("tsl-other.der");
    std::fs::write(&other, &list.other_signer).unwrap();

    // The list alone is the trust (no --trust): the issuing CA is its CA/QC service, the TSA
    // its TSA/QTST service. Valid, and a QES by the list.
    let verify = |signer: &Path| {
        signet(
            &[
                "verify",
                out.to_str().unwrap(),
                "--tsl",
                tsl.to_str().unwrap(),
                "--tsl-signer",
                signer.to_str().unwrap(),
                "--offline",
                "--json",
            ],
            "",
        )
    };
    let verified = verify(&signer);
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    let sig = &json["files"][0]["signatures"][0];
    assert_eq!(sig["indication"], "TOTAL-PASSED", "{json:#}");
    assert_eq!(sig["qualification"], "QES", "{json:#}");
    assert!(sig["trustService"].as_str().is_some(), "{json:#}");
    assert!(json["trustData"]["territory"].is_string(), "{json:#}");

    let human = signet(
        &[
            "verify",
            out.to_str().unwrap(),
            "--tsl",
            tsl.to_str().unwrap(),
            "--tsl-signer",
            signer.to_str().unwrap(),
            "--offline",
        ],
        "",
    );
    assert!(
        text(&human).contains("trusted list: qualified electronic signature (QES)"),
        "{}",
        text(&human)
    );

    // A list whose signature does not verify with the pinned signer is refused: exit 65.
    let refused = verify(&other);
    assert_eq!(refused.status.code(), Some(65), "{}", text(&refused));
    assert!(text(&refused).contains("tsl"), "{}", text(&refused));

    // Without the list nor --trust the signer cannot be trusted: exit 2.
    let untrusted = signet(&["verify", out.to_str().unwrap(), "--offline"], "");
    assert_eq!(untrusted.status.code(), Some(2), "{}", text(&untrusted));

    // Signing with the list as the only trust: it checks the TSA's token and completes the
    // signer's chain (no --trust, no --chain), and the B-LT result is valid by the list.
    let by_list = dir.path().join("a-by-list.pdf");
    let sign_with = |tsl_signer: &Path, out: &Path| {
        signet(
            &[
                "sign",
                a.to_str().unwrap(),
                "--level",
                "B-LT",
                "--token",
                &token,
                "--pin-stdin",
                "--tsa",
                &pki.tsa_url(),
                "--tsl",
                tsl.to_str().unwrap(),
                "--tsl-signer",
                tsl_signer.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
            ],
            "test1234\n",
        )
    };
    let signed = sign_with(&signer, &by_list);
    assert!(signed.status.success(), "{}", text(&signed));
    let verified = signet(
        &[
            "verify",
            by_list.to_str().unwrap(),
            "--tsl",
            tsl.to_str().unwrap(),
            "--tsl-signer",
            signer.to_str().unwrap(),
            "--offline",
            "--json",
        ],
        "",
    );
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert_eq!(
        json["files"][0]["signatures"][0]["level"], "B-LT",
        "{json:#}"
    );
    // A list the pinned signer did not sign: refused before the token is opened.
    let not_written = dir.path().join("a-other.pdf");
    let refused = sign_with(&other, &not_written);
    assert_eq!(refused.status.code(), Some(65), "{}", text(&refused));
    assert!(!not_written.exists());
}

#[test]
fn normalise_signs_a_rewritten_copy_of_an_unsigned_pdf_only_when_asked() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p12 = p12(&pki, dir.path());
    let token = format!("p12:{}", p12.display());
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    // No cross-reference table at all, and a wrong stream /Length: it cannot be updated safely.
    let damaged = dir.path().join("damaged.pdf");
    let original = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n4 0 obj << /Length 99 >> stream\nBT /F1 24 Tf 72 720 Td (Leping / Contract) Tj ET\nendstream endobj\n5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\ntrailer << /Size 6 /Root 1 0 R >>\n%%EOF\n".to_vec();
    std::fs::write(&damaged, &original).unwrap();
    let out = dir.path().join("damaged-signed.pdf");
    let sign = |input: &Path, normalise: bool| {
        let mut args = vec![
            "sign",
            input.to_str().unwrap(),
            "--level",
            "B-B",
            "--token",
            &token,
            "--pin-stdin",
            "--chain",
            &ca,
            "--out",
            out.to_str().unwrap(),
            "--json",
        ];
        if normalise {
            args.push("--normalise");
        }
        signet(&args, "test1234\n")
    };

    // Without agreement: refused, the way out named, nothing written.
    let refused = sign(&damaged, false);
    assert_eq!(refused.status.code(), Some(65), "{}", text(&refused));
    assert!(text(&refused).contains("--normalise"), "{}", text(&refused));
    assert!(!out.exists());

    // With --normalise: a rewritten copy is signed; the input is unchanged; peers accept it.
    let signed = sign(&damaged, true);
    assert!(signed.status.success(), "{}", text(&signed));
    assert_eq!(std::fs::read(&damaged).unwrap(), original);
    let json: serde_json::Value = serde_json::from_slice(&signed.stdout).unwrap();
    assert!(
        json["outputs"][0]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("normalised")),
        "{json:#}"
    );
    let qpdf = Command::new("qpdf")
        .arg("--check")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        qpdf.status.success() && text(&qpdf).contains("No syntax or stream encoding errors"),
        "{}",
        text(&qpdf)
    );
    let v = pyhanko(&["validate", "--no-revocation-check"], &pki, &out);
    assert!(
        v.status.success() && text(&v).contains("INTACT:TRUSTED"),
        "{}",
        text(&v)
    );
    let pdftext = Command::new("pdftotext")
        .arg(&out)
        .arg("-")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&pdftext.stdout).contains("Leping / Contract"));

    // A signed PDF that cannot be updated is never rewritten, even with --normalise.
    let mut broken_signed = std::fs::read(&out).unwrap();
    let at = broken_signed
        .windows(b"startxref".len())
        .rposition(|w| w == b"startxref")
        .unwrap();
    broken_signed.truncate(at);
    broken_signed.extend_from_slice(b"startxref\n7\n%%EOF\n");
    let broken = dir.path().join("broken-signed.pdf");
    std::fs::write(&broken, &broken_signed).unwrap();
    std::fs::remove_file(&out).unwrap();
    let refused = sign(&broken, true);
    assert_eq!(refused.status.code(), Some(65), "{}", text(&refused));
    assert!(
        text(&refused).contains("never rewritten"),
        "{}",
        text(&refused)
    );
    assert!(!out.exists());
    assert_eq!(std::fs::read(&broken).unwrap(), broken_signed);
}

/// `signet extend --tsl`: a B-T PDF extended to B-LT with only a trusted list for the chains
/// (no --trust), then valid at B-LT to Signet (with the list) and to pyHanko.
#[test]
fn extend_takes_a_trusted_list_instead_of_anchors() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let p12 = p12(&pki, dir.path());
    let token = format!("p12:{}", p12.display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let list = pki.trusted_list().unwrap();
    let tsl = dir.path().join("tsl.xml");
    std::fs::write(&tsl, &list.xml).unwrap();
    let tsl_signer = dir.path().join("tsl-signer.der");
    std::fs::write(&tsl_signer, &list.signer).unwrap();
    let out = dir.path().join("a-bt.pdf");
    let signed = signet(
        &[
            "sign",
            a.to_str().unwrap(),
            "--level",
            "B-T",
            "--token",
            &token,
            "--pin-stdin",
            "--tsa",
            &pki.tsa_url(),
            "--trust",
            &root,
            "--out",
            out.to_str().unwrap(),
        ],
        "test1234\n",
    );
    assert!(signed.status.success(), "{}", text(&signed));
    let before = std::fs::read(&out).unwrap();

    // A list whose signer is not the one given is refused, and the file is left as it was.
    let wrong_signer = dir.path().join("wrong-signer.pem");
    std::fs::copy(pki.get(Role::Tsa).cert_path.clone(), &wrong_signer).unwrap();
    let refused = signet(
        &[
            "extend",
            out.to_str().unwrap(),
            "--level",
            "B-LT",
            "--tsl",
            tsl.to_str().unwrap(),
            "--tsl-signer",
            wrong_signer.to_str().unwrap(),
        ],
        "",
    );
    assert!(!refused.status.success(), "{}", text(&refused));
    assert_eq!(std::fs::read(&out).unwrap(), before);

    let extended = signet(
        &[
            "extend",
            out.to_str().unwrap(),
            "--level",
            "B-LT",
            "--tsl",
            tsl.to_str().unwrap(),
            "--tsl-signer",
            tsl_signer.to_str().unwrap(),
            "--json",
        ],
        "",
    );
    assert!(extended.status.success(), "{}", text(&extended));
    let json: serde_json::Value = serde_json::from_slice(&extended.stdout).unwrap();
    assert_eq!(json["extended"][0]["reached"], "B-LT", "{json:#}");
    assert_eq!(json["extended"][0]["format"], "pdf", "{json:#}");
    assert_eq!(
        json["extended"][0]["signatures"][0]["from"], "B-T",
        "{json:#}"
    );
    let verified = signet(
        &[
            "verify",
            out.to_str().unwrap(),
            "--tsl",
            tsl.to_str().unwrap(),
            "--tsl-signer",
            tsl_signer.to_str().unwrap(),
            "--offline",
            "--json",
        ],
        "",
    );
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    let signature = &json["files"][0]["signatures"][0];
    assert_eq!(signature["level"], "B-LT", "{json:#}");
    assert_eq!(signature["indication"], "TOTAL-PASSED", "{json:#}");
    let ades = pyhanko(&["adesverify", "--executive-summary"], &pki, &out);
    assert!(
        ades.status.success() && text(&ades).contains(":VALID"),
        "adesverify: {}",
        text(&ades)
    );
}

#[test]
fn extend_reports_the_level_reached_and_never_more() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let a = blank_pdf(dir.path(), "a");
    let p12 = p12(&pki, dir.path());
    let token = format!("p12:{}", p12.display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let out = dir.path().join("a-bb.pdf");
    let signed = signet(
        &[
            "sign",
            a.to_str().unwrap(),
            "--level",
            "B-B",
            "--token",
            &token,
            "--pin-stdin",
            "--chain",
            &ca,
            "--out",
            out.to_str().unwrap(),
        ],
        "test1234\n",
    );
    assert!(signed.status.success(), "{}", text(&signed));
    let before = std::fs::read(&out).unwrap();
    // B-B has no signature time-stamp: validation data alone leaves it B-B. Refused, said why,
    // and the file is as it was.
    let refused = signet(
        &[
            "extend",
            out.to_str().unwrap(),
            "--level",
            "B-LT",
            "--trust",
            &root,
            "--json",
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(65), "{}", text(&refused));
    let json: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    let message = json["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("would reach B-B, not B-LT") && message.contains("nothing was written"),
        "{json:#}"
    );
    assert!(
        json["error"]["recommendation"]
            .as_str()
            .unwrap()
            .contains("B-LTA"),
        "{json:#}"
    );
    assert_eq!(std::fs::read(&out).unwrap(), before);
    // With a document time-stamp it reaches B-LTA, and says so; verify agrees.
    let extended = signet(
        &[
            "extend",
            out.to_str().unwrap(),
            "--level",
            "B-LTA",
            "--tsa",
            &pki.tsa_url(),
            "--trust",
            &root,
            "--json",
        ],
        "",
    );
    assert!(extended.status.success(), "{}", text(&extended));
    let json: serde_json::Value = serde_json::from_slice(&extended.stdout).unwrap();
    assert_eq!(json["extended"][0]["reached"], "B-LTA", "{json:#}");
    let verified = signet(
        &["verify", out.to_str().unwrap(), "--trust", &root, "--json"],
        "",
    );
    assert!(verified.status.success(), "{}", text(&verified));
    let json: serde_json::Value = serde_json::from_slice(&verified.stdout).unwrap();
    assert!(json.to_string().contains("\"level\":\"B-LTA\""), "{json:#}");
}
