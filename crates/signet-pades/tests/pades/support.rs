//! Shared helpers: the test PKI as a Signet signer, time-stamper and LT collector, and the peers.

use std::path::{Path, PathBuf};
use std::process::Command;

use signet_core::{Clock as _, SystemClock};
use signet_pades::PadesError;
use signet_pades::ltv::{self, ValidationData};
use signet_pades::sign::{SignOptions, SignerCerts};
use signet_pki::crypto::HashAlg;
use signet_pki::{Cert, PathValidator, TrustAnchors};
use signet_testkit::{LoopbackFetch, Role, TestPki};
use signet_token::{KeyRole, Pin, PinKind, SigningToken as _};

/// B-B … B-LTA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    B,
    T,
    Lt,
    Lta,
}

pub fn cert(pki: &TestPki, role: Role) -> Cert {
    Cert::from_der(pki.der(role)).unwrap()
}

pub fn anchors(pki: &TestPki) -> TrustAnchors {
    TrustAnchors::new([cert(pki, Role::Root)])
}

/// Exports `role`'s certificate and key as a PKCS#12 file modern Python reads.
pub fn p12(pki: &TestPki, role: Role, dir: &Path) -> PathBuf {
    let issued = pki.get(role);
    let out = dir.join(format!("{}.p12", role.file_stem()));
    let status = Command::new("openssl")
        .args([
            "pkcs12",
            "-export",
            "-keypbe",
            "AES-256-CBC",
            "-certpbe",
            "AES-256-CBC",
            "-macalg",
            "sha256",
            "-passout",
            "pass:test1234",
        ])
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-inkey")
        .arg(&issued.key_path)
        .arg("-certfile")
        .arg(&pki.get(Role::IssuingCa).cert_path)
        .arg("-out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

/// Signs `pdf` with `role`'s key at `level` through Signet's stages. The P-384 signer goes
/// through the soft PKCS#12 token (a real `SigningToken`); the RSA one through its key.
pub fn sign(pki: &TestPki, role: Role, pdf: &[u8], level: Level, options: &SignOptions) -> Vec<u8> {
    let certs = SignerCerts {
        signer: cert(pki, role),
        chain: vec![cert(pki, Role::IssuingCa)],
    };
    let mut options = options.clone();
    options.reserve_timestamp = level != Level::B;
    let now = SystemClock.now();
    let prepared = signet_pades::prepare(pdf, &certs, &options, now).unwrap();
    let to_sign = prepared.signed_attributes(&certs).unwrap();
    let raw = match role {
        Role::RsaSigning => {
            let signet_testkit::TestKey::Rsa(key) = &pki.get(role).key else {
                panic!("not RSA")
            };
            key.sign(
                rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                &to_sign.digest_to_sign(),
            )
            .unwrap()
        }
        _ => {
            let dir = tempfile::tempdir().unwrap();
            let path = p12(pki, role, dir.path());
            let mut token = signet_token::soft::SoftToken::open(
                &path,
                &Pin::new(
                    PinKind::Password,
                    zeroize::Zeroizing::new("test1234".to_owned()),
                )
                .unwrap(),
            )
            .unwrap();
            token
                .sign_digest(
                    KeyRole::Signing,
                    &to_sign.digest_to_sign(),
                    Pin::new(
                        PinKind::Password,
                        zeroize::Zeroizing::new("test1234".to_owned()),
                    )
                    .unwrap(),
                )
                .unwrap()
                .0
        }
    };
    let mut ts = timestamper(pki);
    let signed = to_sign
        .finish(
            &raw,
            if level == Level::B {
                None
            } else {
                Some(&mut ts)
            },
        )
        .unwrap();
    let mut out = signed.to_vec();
    if matches!(level, Level::Lt | Level::Lta) {
        out = add_lt(pki, &out, signed.cms());
    }
    if level == Level::Lta {
        out = ltv::add_document_timestamp(&out, &mut ts, 12_000).unwrap();
        // The document time-stamp's TSA chain too, as pyHanko's B-LTA does.
    }
    out
}

/// A time-stamper asking the test TSA.
pub fn timestamper(
    pki: &TestPki,
) -> impl FnMut(HashAlg, &[u8]) -> Result<Vec<u8>, PadesError> + '_ {
    move |hash, digest| {
        let anchors = anchors(pki);
        let validator = PathValidator::new(&anchors, [cert(pki, Role::IssuingCa)]);
        signet_pki::tsp::request_timestamp(
            &LoopbackFetch::default(),
            &SystemClock,
            &pki.tsa_url(),
            hash,
            digest,
            &validator,
        )
        .map(|t| t.token)
        .map_err(|e| PadesError::Timestamp(e.to_string()))
    }
}

/// A DSS revision with everything `cms` needs.
pub fn add_lt(pki: &TestPki, pdf: &[u8], cms: &[u8]) -> Vec<u8> {
    let targets = ltv::certificates_to_cover(cms);
    let pool = vec![cert(pki, Role::Root), cert(pki, Role::IssuingCa)];
    // Revocation data for the whole chain comes from `collect` itself: OCSP for the signer, the
    // root's CRL (from the cRLDistributionPoints) for the issuing CA and the TSA.
    let data: ValidationData = ltv::collect(
        &LoopbackFetch::default(),
        &SystemClock,
        &targets,
        &pool,
        &Default::default(),
    )
    .unwrap();
    ltv::add_dss(pdf, &data, &[]).unwrap()
}

/// A one-page PDF made by qpdf (classic xref table) or as an xref-stream file.
pub fn blank_pdf(dir: &Path, xref_streams: bool) -> Vec<u8> {
    let src = dir.join("src.pdf");
    std::fs::write(&src, MINIMAL).unwrap();
    let out = dir.join(if xref_streams {
        "blank-xs.pdf"
    } else {
        "blank.pdf"
    });
    let mut cmd = Command::new("qpdf");
    if xref_streams {
        cmd.args(["--object-streams=generate"]);
    }
    // The source has no xref: qpdf rebuilds it and says so (exit 3, warnings).
    let status = cmd.arg(&src).arg(&out).status().unwrap();
    assert!(matches!(status.code(), Some(0 | 3)));
    std::fs::read(out).unwrap()
}

const MINIMAL: &str = "%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj\n4 0 obj << /Length 49 >> stream\nBT /F1 24 Tf 72 720 Td (Leping / Contract) Tj ET\nendstream endobj\n5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\ntrailer << /Size 6 /Root 1 0 R >>\n%%EOF\n";

pub struct PeerResult {
    pub ok: bool,
    pub out: String,
}

fn run(cmd: &mut Command) -> PeerResult {
    let o = cmd.output().unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    PeerResult {
        ok: o.status.success(),
        out,
    }
}

pub fn pyhanko() -> PathBuf {
    signet_testkit::peers::venv_program("pyhanko").unwrap()
}

pub fn root_pem(pki: &TestPki) -> PathBuf {
    pki.get(Role::Root).cert_path.clone()
}

pub fn pyhanko_validate(pki: &TestPki, pdf: &Path) -> PeerResult {
    run(Command::new(pyhanko())
        .args(["sign", "validate", "--pretty-print", "--trust"])
        .arg(root_pem(pki))
        .args(["--trust-replace", "--no-revocation-check"])
        .arg(pdf))
}

pub fn pyhanko_adesverify(pki: &TestPki, pdf: &Path) -> PeerResult {
    run(Command::new(pyhanko())
        .args(["sign", "adesverify", "--executive-summary", "--trust"])
        .arg(root_pem(pki))
        .arg("--trust-replace")
        .arg(pdf))
}

pub fn qpdf_check(pdf: &Path) -> PeerResult {
    run(Command::new("qpdf").arg("--check").arg(pdf))
}

pub fn pdfsig(pki: &TestPki, pdf: &Path) -> PeerResult {
    let nss = pki.dir().join("nssdb");
    if !nss.exists() {
        std::fs::create_dir_all(&nss).unwrap();
        let db = format!("sql:{}", nss.display());
        assert!(run(Command::new("certutil").args(["-N", "-d", &db, "--empty-password"])).ok);
        assert!(
            run(Command::new("certutil")
                .args(["-A", "-d", &db, "-n", "Test Root", "-t", "CT,C,C", "-i"])
                .arg(root_pem(pki)))
            .ok
        );
    }
    run(Command::new("pdfsig")
        .arg("-nssdir")
        .arg(format!("sql:{}", nss.display()))
        .arg(pdf))
}

/// Signet's validation with the test root as the only anchor, offline.
pub fn validate(pki: &TestPki, pdf: &[u8]) -> signet_pades::validate::Report {
    let anchors = anchors(pki);
    let options = signet_pades::validate::Options {
        anchors: &anchors,
        intermediates: Vec::new(),
        at: SystemClock.now(),
        online: None,
        ocsp_policy: Default::default(),
        trusted_list: None,
    };
    signet_pades::validate::validate(pdf, &options)
}

/// Signet's validation with the test root as the only anchor, asking the test OCSP responder
/// when the file has no revocation data (B-B and B-T files are INDETERMINATE offline).
pub fn validate_online(pki: &TestPki, pdf: &[u8]) -> signet_pades::validate::Report {
    let anchors = anchors(pki);
    let fetch = LoopbackFetch::default();
    let options = signet_pades::validate::Options {
        anchors: &anchors,
        intermediates: Vec::new(),
        at: SystemClock.now(),
        online: Some((&fetch, &SystemClock)),
        ocsp_policy: Default::default(),
        trusted_list: None,
    };
    signet_pades::validate::validate(pdf, &options)
}

/// A B-B or B-T file judged offline: no revocation data, so INDETERMINATE / TRY_LATER.
pub fn assert_indeterminate_offline(pki: &TestPki, pdf: &[u8], what: &str) {
    let report = validate(pki, pdf);
    assert_eq!(
        report.verdict,
        signet_pades::validate::Verdict::Indeterminate,
        "{what}: {report:#?}"
    );
    let sig = report
        .signatures
        .iter()
        .find(|s| s.kind == "signature")
        .unwrap();
    assert_eq!(
        sig.sub_indication,
        Some(signet_core::SubIndication::TryLater),
        "{what}: {sig:#?}"
    );
}

/// `pyhanko sign validate` on bytes.
pub fn pyhanko_validate_bytes(pki: &TestPki, pdf: &[u8]) -> PeerResult {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("check.pdf");
    std::fs::write(&path, pdf).unwrap();
    pyhanko_validate(pki, &path)
}

/// `pdf` with an incremental update made by `edit` appended.
pub fn update(
    pdf: &[u8],
    edit: impl FnOnce(&signet_pdf::Document<'_>, &mut signet_pdf::Update<'_, '_>),
) -> Vec<u8> {
    let doc = signet_pdf::Document::open(pdf).unwrap();
    let mut up = signet_pdf::Update::new(&doc);
    edit(&doc, &mut up);
    let mut out = pdf.to_vec();
    out.extend_from_slice(&up.finish().unwrap().bytes);
    out
}
