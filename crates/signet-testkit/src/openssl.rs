//! Running the `openssl` command-line tool: RSA key generation, the OCSP responder logic and the
//! time-stamping authority. Each call is one short process with files in the PKI's directory.

use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use crate::TestkitError;

/// Runs `openssl args…` in `dir` and returns its standard output; a non-zero exit is an error
/// that carries OpenSSL's own explanation.
pub fn run(dir: &Path, args: &[&str]) -> Result<Vec<u8>, TestkitError> {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .map_err(|e| TestkitError::OpensslMissing(e.to_string()))?;
    if !output.status.success() {
        return Err(TestkitError::Openssl {
            command: args.first().copied().unwrap_or_default().to_owned(),
            status: output.status.code(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    Ok(output.stdout)
}

/// A fresh RSA key of `bits` bits as PKCS#8 PEM.
pub fn genrsa(dir: &Path, bits: u32) -> Result<String, TestkitError> {
    let opt = format!("rsa_keygen_bits:{bits}");
    let pem = run(dir, &["genpkey", "-algorithm", "RSA", "-pkeyopt", &opt])?;
    String::from_utf8(pem).map_err(|e| TestkitError::Key(e.to_string()))
}

/// A time as the CA database writes it: `YYMMDDHHMMSSZ` (UTCTime) before 2050,
/// `YYYYMMDDHHMMSSZ` after.
pub fn index_time(at: SystemTime) -> Result<String, TestkitError> {
    let t = der::DateTime::from_system_time(at)?;
    let year = if t.year() < 2050 {
        format!("{:02}", t.year() % 100)
    } else {
        format!("{:04}", t.year())
    };
    Ok(format!(
        "{year}{:02}{:02}{:02}{:02}{:02}Z",
        t.month(),
        t.day(),
        t.hour(),
        t.minutes(),
        t.seconds()
    ))
}

/// The configuration `openssl ts -reply` reads: one TSA section signing with SHA-384, ESS
/// certificate ids with SHA-256, accuracy one second, the TSA name in the token.
pub fn tsa_config(tsa_cert: &Path, tsa_key: &Path, chain: &Path, serial: &Path) -> String {
    format!(
        "[tsa]\n\
         default_tsa = tsa1\n\
         [tsa1]\n\
         serial = {serial}\n\
         crypto_device = builtin\n\
         signer_cert = {cert}\n\
         certs = {chain}\n\
         signer_key = {key}\n\
         signer_digest = sha384\n\
         default_policy = 1.3.6.1.4.1.99999.1.1\n\
         other_policies = 1.3.6.1.4.1.99999.1.2\n\
         digests = sha256, sha384, sha512\n\
         accuracy = secs:1\n\
         ordering = no\n\
         tsa_name = yes\n\
         ess_cert_id_chain = no\n\
         ess_cert_id_alg = sha256\n",
        serial = serial.display(),
        cert = tsa_cert.display(),
        chain = chain.display(),
        key = tsa_key.display(),
    )
}
