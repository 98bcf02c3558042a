//! PKCS#12 files of the test PKI's keys, exported by OpenSSL — also with two keys in one file, as
//! an ID card holds a signing and an authentication key, which `openssl pkcs12 -export` cannot
//! write by itself: each key is exported on its own and the authenticated safes are joined under
//! one new MAC (RFC 7292: the safe is a SEQUENCE OF ContentInfo, each encrypted on its own).

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use cms::content_info::ContentInfo;
use der::asn1::{Any, ObjectIdentifier, OctetString};
use der::{Decode as _, Encode as _};
use hmac::Mac as _;

use crate::{Issued, TestkitError};

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");

/// A PKCS#12 file (DER) holding each of `keys` with its certificate, and the `chain`
/// certificates, protected by `password` (given to OpenSSL on standard input, never on its
/// command line). `scratch` is a folder for OpenSSL's own files.
pub fn pkcs12(
    keys: &[&Issued],
    chain: &[&Issued],
    password: &str,
    scratch: &Path,
) -> Result<Vec<u8>, TestkitError> {
    let mut files = Vec::new();
    for (i, issued) in keys.iter().enumerate() {
        files.push(export_one(issued, chain, password, scratch, i)?);
    }
    let _ = std::fs::remove_file(bundle_path(scratch));
    match files.len() {
        0 => Err(TestkitError::Key("a PKCS#12 file needs a key".into())),
        1 => Ok(files.remove(0)),
        _ => join(&files, password),
    }
}

fn export_one(
    issued: &Issued,
    chain: &[&Issued],
    password: &str,
    scratch: &Path,
    n: usize,
) -> Result<Vec<u8>, TestkitError> {
    let out = scratch.join(format!(".signet-testkit-{}-{n}.p12", std::process::id()));
    let mut command = Command::new("openssl");
    command
        .args(["pkcs12", "-export", "-passout", "stdin", "-inkey"])
        .arg(&issued.key_path)
        .arg("-in")
        .arg(&issued.cert_path)
        .arg("-out")
        .arg(&out);
    if !chain.is_empty() {
        let bundle = bundle_path(scratch);
        let mut pem = String::new();
        for c in chain {
            pem.push_str(&crate::pem("CERTIFICATE", &c.der)?);
        }
        std::fs::write(&bundle, pem).map_err(|e| TestkitError::io(&bundle, e))?;
        command.arg("-certfile").arg(bundle);
    }
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| TestkitError::OpensslMissing(e.to_string()))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .map_err(|e| TestkitError::io("openssl's standard input", e))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| TestkitError::io("openssl pkcs12", e))?;
    if !output.status.success() {
        return Err(TestkitError::Openssl {
            command: "pkcs12 -export".into(),
            status: output.status.code(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        });
    }
    let bytes = std::fs::read(&out).map_err(|e| TestkitError::io(&out, e))?;
    let _ = std::fs::remove_file(&out);
    Ok(bytes)
}

fn bundle_path(scratch: &Path) -> std::path::PathBuf {
    scratch.join(format!(".signet-testkit-{}-chain.pem", std::process::id()))
}

fn key_error(what: impl std::fmt::Display) -> TestkitError {
    TestkitError::Key(format!("PKCS#12: {what}"))
}

/// One PFX with every ContentInfo of `files`' authenticated safes, MAC'd again with `password`
/// (HMAC-SHA-256, the first file's salt and iteration count).
fn join(files: &[Vec<u8>], password: &str) -> Result<Vec<u8>, TestkitError> {
    let mut infos: Vec<ContentInfo> = Vec::new();
    let mut mac = None;
    for der in files {
        let pfx = pkcs12::pfx::Pfx::from_der(der)?;
        if pfx.auth_safe.content_type != ID_DATA {
            return Err(key_error("OpenSSL wrote a public-key integrity file"));
        }
        let safe = pfx.auth_safe.content.decode_as::<OctetString>()?;
        infos.extend(Vec::<ContentInfo>::from_der(safe.as_bytes())?);
        if mac.is_none() {
            mac = pfx.mac_data;
        }
    }
    let mut mac = mac.ok_or_else(|| key_error("OpenSSL wrote no MAC"))?;
    let content = infos.to_der()?;
    let key = pkcs12::kdf::derive_key_utf8::<sha2::Sha256>(
        password,
        mac.mac_salt.as_bytes(),
        pkcs12::kdf::Pkcs12KeyType::Mac,
        mac.iterations,
        32,
    )
    .map_err(key_error)?;
    let mut hmac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).map_err(key_error)?;
    hmac.update(&content);
    mac.mac.digest = OctetString::new(hmac.finalize().into_bytes().to_vec())?;
    let pfx = pkcs12::pfx::Pfx {
        version: pkcs12::pfx::Version::V3,
        auth_safe: ContentInfo {
            content_type: ID_DATA,
            content: Any::encode_from(&OctetString::new(content)?)?,
        },
        mac_data: Some(mac),
    };
    Ok(pfx.to_der()?)
}
