//! OpenSSL as the independent judge of signatures.

use std::path::Path;
use std::process::Command;

use signet_token::raw_to_der;

/// Verifies `raw` (r‖s) over `digest` with the public key of `cert_der`, by `openssl pkeyutl`.
pub fn verifies(dir: &Path, name: &str, cert_der: &[u8], digest: &[u8], raw: &[u8]) -> bool {
    let cert = dir.join(format!("{name}.cert.der"));
    let public = dir.join(format!("{name}.pub.pem"));
    let digest_file = dir.join(format!("{name}.digest"));
    let signature = dir.join(format!("{name}.sig.der"));
    std::fs::write(&cert, cert_der).unwrap();
    std::fs::write(&digest_file, digest).unwrap();
    let der = raw_to_der(&signet_token::RawSignature(raw.to_vec())).unwrap();
    std::fs::write(&signature, der).unwrap();
    let out = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-noout", "-pubkey", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    assert!(out.status.success());
    std::fs::write(&public, out.stdout).unwrap();
    let status = Command::new("openssl")
        .args(["pkeyutl", "-verify", "-pubin", "-inkey"])
        .arg(&public)
        .arg("-in")
        .arg(&digest_file)
        .arg("-sigfile")
        .arg(&signature)
        .output()
        .unwrap();
    status.status.success()
}
