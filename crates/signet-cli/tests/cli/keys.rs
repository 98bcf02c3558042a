//! Every key a person may hold signs: PKCS#12 files with an RSA-3072 key and with a P-256 key
//! (the test PKI's qualified certificates) sign a PDF that pyHanko finds intact and trusted, and
//! a container that libdigidocpp finds Valid — through the real binary, at B-LT, with the test
//! TSA and OCSP.

use std::path::Path;
use std::process::Command;

use signet_testkit::{Role, TestPki};

use crate::pades::{blank_pdf, pyhanko, signet};

fn text(o: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn rsa_and_p256_pkcs12_files_sign_pdfs_and_containers_the_peers_accept() {
    let pki = TestPki::start().unwrap();
    for role in [Role::RsaSigning, Role::P256Signing] {
        signs_for_the_peers(&pki, role);
    }
}

fn signs_for_the_peers(pki: &TestPki, role: Role) {
    let dir = tempfile::tempdir().unwrap();
    let issued = pki.get(role);
    let p12 = dir.path().join("rsa.p12");
    let status = Command::new("openssl")
        .args(["pkcs12", "-export", "-passout", "pass:rsa parool", "-inkey"])
        .arg(&issued.key_path)
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-out")
        .arg(&p12)
        .status()
        .unwrap();
    assert!(status.success());
    let token = format!("p12:{}", p12.display());
    let root = pki.get(Role::Root).cert_path.display().to_string();
    let ca = pki.get(Role::IssuingCa).cert_path.display().to_string();
    let tsa = pki.tsa_url();

    // A PDF at B-LT.
    let pdf = blank_pdf(dir.path(), "contract");
    let out_dir = dir.path().join("signed");
    std::fs::create_dir(&out_dir).unwrap();
    let signed = signet(
        &[
            "sign",
            pdf.to_str().unwrap(),
            "--level",
            "B-LT",
            "--token",
            &token,
            "--pin-stdin",
            "--tsa",
            &tsa,
            "--trust",
            &root,
            "--chain",
            &ca,
            "--out-dir",
            out_dir.to_str().unwrap(),
        ],
        "rsa parool\n",
    );
    assert!(signed.status.success(), "{role:?}: {}", text(&signed));
    let out = out_dir.join("contract.signed.pdf");
    let v = pyhanko(&["validate", "--no-revocation-check"], pki, &out);
    assert!(
        v.status.success() && text(&v).contains("INTACT:TRUSTED"),
        "{}",
        text(&v)
    );
    let verified = signet(&["verify", out.to_str().unwrap(), "--trust", &root], "");
    assert!(verified.status.success(), "{}", text(&verified));

    // A container at B-LT.
    let list = pki.trusted_list().unwrap();
    let tsl = dir.path().join("tsl.xml");
    std::fs::write(&tsl, &list.xml).unwrap();
    let tsl_signer = dir.path().join("tsl-signer.der");
    std::fs::write(&tsl_signer, &list.signer).unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "Märkmed / Заметки").unwrap();
    let container = dir.path().join("notes.asice");
    let signed = signet(
        &[
            "sign",
            notes.to_str().unwrap(),
            "--format",
            "asice",
            "--container",
            container.to_str().unwrap(),
            "--level",
            "B-LT",
            "--token",
            &token,
            "--pin-stdin",
            "--tsa",
            &tsa,
            "--tsl",
            tsl.to_str().unwrap(),
            "--tsl-signer",
            tsl_signer.to_str().unwrap(),
        ],
        "rsa parool\n",
    );
    assert!(signed.status.success(), "{role:?}: {}", text(&signed));
    let python = signet_testkit::peers::venv_program("python").unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/digidoc.py");
    let c = container.display().to_string();
    let peer = Command::new(python)
        .arg(script)
        .arg("validate")
        .arg("--tsl")
        .arg(&tsl)
        .arg("--tslcert")
        .arg(&tsl_signer)
        .arg(&c)
        .output()
        .unwrap();
    assert!(peer.status.success(), "{}", text(&peer));
    let peer: serde_json::Value = serde_json::from_slice(&peer.stdout).unwrap();
    let sigs = peer[c.as_str()]["signatures"].as_array().unwrap();
    assert_eq!(sigs.len(), 1, "{peer}");
    assert_eq!(sigs[0]["status"], "Valid", "{role:?}: {peer}");
}
