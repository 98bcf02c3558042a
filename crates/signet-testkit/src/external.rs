//! Certificates made by `openssl req -x509`, for the signature algorithms the generator does not
//! sign with (RSA PKCS#1 v1.5 and PSS, SHA-1, small RSA keys): they test the verifier against an
//! independent signer.

use std::path::Path;

use crate::TestkitError;
use crate::openssl;

/// The key and signature of a self-signed certificate made by OpenSSL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpensslSignature {
    /// RSA of `bits` bits, PKCS#1 v1.5 with `digest` (`sha1`, `sha256`, …).
    RsaPkcs1 {
        /// Modulus size.
        bits: u32,
        /// OpenSSL's digest name.
        digest: &'static str,
    },
    /// RSA of `bits` bits, RSASSA-PSS with `digest`, MGF1 with the same digest and a salt as long
    /// as the digest.
    RsaPss {
        /// Modulus size.
        bits: u32,
        /// OpenSSL's digest name.
        digest: &'static str,
    },
    /// ECDSA on `curve` (`P-256`, `P-384`, `P-521`) with `digest`.
    Ecdsa {
        /// OpenSSL's curve name.
        curve: &'static str,
        /// OpenSSL's digest name.
        digest: &'static str,
    },
}

/// A self-signed certificate (DER) with subject `CN=<name>`, valid from now for ten days,
/// made in `dir` by OpenSSL.
pub fn self_signed(dir: &Path, name: &str, how: OpensslSignature) -> Result<Vec<u8>, TestkitError> {
    self_signed_for_days(dir, name, how, 10)
}

/// A self-signed certificate (DER) with subject `CN=<name>`, valid from now for `days` days,
/// made in `dir` by OpenSSL.
pub fn self_signed_for_days(
    dir: &Path,
    name: &str,
    how: OpensslSignature,
    days: u32,
) -> Result<Vec<u8>, TestkitError> {
    let key = format!("{name}.key");
    let cert = format!("{name}.der");
    let subject = format!("/CN={name}");
    let (newkey, digest, pss) = match how {
        OpensslSignature::RsaPkcs1 { bits, digest } => (format!("rsa:{bits}"), digest, false),
        OpensslSignature::RsaPss { bits, digest } => (format!("rsa:{bits}"), digest, true),
        OpensslSignature::Ecdsa { curve, digest } => {
            let params = format!("{name}.ecparam");
            openssl::run(
                dir,
                &["ecparam", "-name", curve_name(curve), "-out", &params],
            )?;
            (format!("ec:{params}"), digest, false)
        }
    };
    let digest_flag = format!("-{digest}");
    let days = days.to_string();
    let mut args = vec![
        "req",
        "-x509",
        "-newkey",
        &newkey,
        "-nodes",
        "-keyout",
        &key,
        "-subj",
        &subject,
        "-days",
        &days,
        &digest_flag,
        "-outform",
        "DER",
        "-out",
        &cert,
    ];
    if pss {
        args.extend_from_slice(&[
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:digest",
        ]);
    }
    openssl::run(dir, &args)?;
    let path = dir.join(&cert);
    std::fs::read(&path).map_err(|e| TestkitError::io(&path, e))
}

fn curve_name(curve: &str) -> &str {
    match curve {
        "P-256" => "prime256v1",
        "P-384" => "secp384r1",
        "P-521" => "secp521r1",
        other => other,
    }
}
