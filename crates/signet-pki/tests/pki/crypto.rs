//! Signature verification against certificates signed by OpenSSL, an independent signer.

use std::time::{Duration, SystemTime};

use signet_core::{Clock as _, FixedClock, Indication, SubIndication, SystemClock};
use signet_pki::crypto::CryptoError;
use signet_pki::{Cert, PathValidator, Purpose, TrustAnchors, ValidationTime};
use signet_testkit::external::{OpensslSignature, self_signed, self_signed_for_days};

fn make(dir: &std::path::Path, name: &str, how: OpensslSignature) -> Cert {
    Cert::from_der(&self_signed(dir, name, how).unwrap()).unwrap()
}

#[test]
fn accepted_algorithms_verify_and_a_changed_signature_does_not() {
    let dir = tempfile::tempdir().unwrap();
    use OpensslSignature::*;
    let cases = [
        (
            "rsa-pkcs1-sha256",
            RsaPkcs1 {
                bits: 2048,
                digest: "sha256",
            },
        ),
        (
            "rsa-pkcs1-sha384",
            RsaPkcs1 {
                bits: 2048,
                digest: "sha384",
            },
        ),
        (
            "rsa-pkcs1-sha512",
            RsaPkcs1 {
                bits: 3072,
                digest: "sha512",
            },
        ),
        (
            "rsa-pss-sha256",
            RsaPss {
                bits: 2048,
                digest: "sha256",
            },
        ),
        (
            "rsa-pss-sha384",
            RsaPss {
                bits: 2048,
                digest: "sha384",
            },
        ),
        (
            "ec-p256-sha256",
            Ecdsa {
                curve: "P-256",
                digest: "sha256",
            },
        ),
        (
            "ec-p256-sha512",
            Ecdsa {
                curve: "P-256",
                digest: "sha512",
            },
        ),
        (
            "ec-p384-sha384",
            Ecdsa {
                curve: "P-384",
                digest: "sha384",
            },
        ),
    ];
    for (name, how) in cases {
        let cert = make(dir.path(), name, how);
        assert_eq!(cert.verify_signed_by(&cert), Ok(()), "{name}");
        // The same certificate with one signature bit changed.
        let mut inner = cert.inner().clone();
        let mut sig = inner.signature.raw_bytes().to_vec();
        let last = sig.len() - 1;
        sig[last] ^= 0x01;
        inner.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
        let changed = Cert::from_der(&der::Encode::to_der(&inner).unwrap()).unwrap();
        assert_eq!(
            changed.verify_signed_by(&cert),
            Err(CryptoError::BadSignature),
            "{name}"
        );
    }
}

#[test]
fn weak_and_unsupported_algorithms_are_refused_by_policy() {
    let dir = tempfile::tempdir().unwrap();
    let sha1 = make(
        dir.path(),
        "rsa-sha1",
        OpensslSignature::RsaPkcs1 {
            bits: 2048,
            digest: "sha1",
        },
    );
    let err = sha1.verify_signed_by(&sha1).unwrap_err();
    assert!(
        matches!(err, CryptoError::UnsupportedAlgorithm(_)) && err.is_policy(),
        "{err}"
    );

    let small = make(
        dir.path(),
        "rsa-1024",
        OpensslSignature::RsaPkcs1 {
            bits: 1024,
            digest: "sha256",
        },
    );
    assert_eq!(
        small.verify_signed_by(&small),
        Err(CryptoError::WeakKey {
            bits: 1024,
            min: 2048
        })
    );

    let p521 = make(
        dir.path(),
        "ec-p521",
        OpensslSignature::Ecdsa {
            curve: "P-521",
            digest: "sha512",
        },
    );
    // P-521 is accepted (the ESTEID2018 and EE-GovCA2018 CAs use it): an OpenSSL P-521
    // signature verifies.
    assert_eq!(p521.verify_signed_by(&p521), Ok(()));

    // As trust anchor and end certificate at once, the weak key still fails the path.
    let anchors = TrustAnchors::new([small.clone()]);
    let report = PathValidator::new(&anchors, []).validate(
        &small,
        Purpose::Any,
        ValidationTime::now(&SystemClock),
    );
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(
        report.sub_indication,
        Some(SubIndication::CryptoConstraintsFailure)
    );
    assert!(
        report.findings[0]
            .problem
            .to_string()
            .contains("RSA key of 1024 bits is below the minimum of 2048 bits"),
        "{:?}",
        report.findings
    );

    // Trusted as an anchor, a SHA-1 self-signed certificate is taken as configured (anchors'
    // own signatures are not checked), but its RSA key is still judged.
    let anchors = TrustAnchors::new([sha1.clone()]);
    let report = PathValidator::new(&anchors, []).validate(
        &sha1,
        Purpose::Any,
        ValidationTime::now(&SystemClock),
    );
    assert_eq!(
        report.indication,
        Indication::TotalPassed,
        "{:?}",
        report.findings
    );
}

/// 2030-06-01T00:00:00Z, before the RSA 2048-3071 sunset.
const BEFORE_SUNSET: u64 = 1_906_502_400;
/// 2031-06-01T00:00:00Z, after it.
const AFTER_SUNSET: u64 = 1_938_038_400;

fn judge(cert: &Cert, time: ValidationTime) -> signet_pki::PathReport {
    let anchors = TrustAnchors::new([cert.clone()]);
    PathValidator::new(&anchors, []).validate(cert, Purpose::Any, time)
}

#[test]
fn rsa_2048_is_accepted_until_its_sunset_and_at_a_proven_earlier_time() {
    let dir = tempfile::tempdir().unwrap();
    // Valid for ten years from now: only the sunset separates the two times.
    let how = OpensslSignature::RsaPkcs1 {
        bits: 2048,
        digest: "sha256",
    };
    let cert =
        Cert::from_der(&self_signed_for_days(dir.path(), "rsa2048", how, 3650).unwrap()).unwrap();

    let before = FixedClock::from_unix(BEFORE_SUNSET);
    let report = judge(&cert, ValidationTime::now(&before));
    assert_eq!(
        report.indication,
        Indication::TotalPassed,
        "{:?}",
        report.findings
    );

    let after = FixedClock::from_unix(AFTER_SUNSET);
    let report = judge(&cert, ValidationTime::now(&after));
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(
        report.sub_indication,
        Some(SubIndication::CryptoConstraintsFailureNoPoe)
    );
    assert!(matches!(
        report.findings[0].problem,
        signet_pki::PathProblem::Crypto {
            reason: CryptoError::PastSunset { .. },
            ..
        }
    ));

    // A time proven before the sunset (a time-stamp's genTime) judges the key at that time.
    let proven = ValidationTime::Proven(before.now());
    assert_eq!(judge(&cert, proven).indication, Indication::TotalPassed);
    // A proven time after the sunset does not help.
    let report = judge(&cert, ValidationTime::Proven(after.now()));
    assert_eq!(
        report.sub_indication,
        Some(SubIndication::CryptoConstraintsFailureNoPoe)
    );
}

#[test]
fn ecdsa_and_rsa_3072_have_no_sunset() {
    let dir = tempfile::tempdir().unwrap();
    let after = FixedClock::from_unix(AFTER_SUNSET);
    for (name, how) in [
        (
            "ec-p256",
            OpensslSignature::Ecdsa {
                curve: "P-256",
                digest: "sha256",
            },
        ),
        (
            "ec-p384",
            OpensslSignature::Ecdsa {
                curve: "P-384",
                digest: "sha384",
            },
        ),
        (
            "rsa3072",
            OpensslSignature::RsaPkcs1 {
                bits: 3072,
                digest: "sha256",
            },
        ),
    ] {
        let cert =
            Cert::from_der(&self_signed_for_days(dir.path(), name, how, 3650).unwrap()).unwrap();
        let report = judge(&cert, ValidationTime::now(&after));
        assert_eq!(
            report.indication,
            Indication::TotalPassed,
            "{name}: {:?}",
            report.findings
        );
    }
}

#[test]
fn a_hash_fed_in_pieces_is_the_hash_of_the_whole_and_matches_sha256sum() {
    use signet_pki::crypto::HashAlg;
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    for alg in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
        let mut hasher = alg.hasher();
        for piece in data.chunks(4093) {
            hasher.update(piece);
        }
        let pieces = hasher.finish();
        assert_eq!(pieces, alg.digest(&data), "{alg:?}");
        assert_eq!(pieces.len(), alg.output_len());
    }
    // An independent judge for one of them: coreutils' sha256sum.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("data.bin");
    std::fs::write(&file, &data).unwrap();
    let out = std::process::Command::new("sha256sum")
        .arg(&file)
        .output()
        .unwrap();
    let hex: String = HashAlg::Sha256
        .digest(&data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(String::from_utf8_lossy(&out.stdout).starts_with(&hex));
}

/// A CA (SHA-256, self-signed, the anchor) and an end certificate it signs with
/// sha1WithRSAEncryption, valid 2015-2035, made by `openssl ca`.
fn sha1_signed_chain(dir: &std::path::Path) -> (Cert, Cert) {
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .current_dir(dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    std::fs::write(
        dir.join("ca.cnf"),
        "[ca]\ndefault_ca = sub\n[sub]\ndir = .\ndatabase = ./index.txt\nserial = ./serial\n\
         new_certs_dir = .\ncertificate = ./ca.pem\nprivate_key = ./ca.key\n\
         policy = any\nunique_subject = no\ncopy_extensions = none\n\
         [any]\ncommonName = supplied\n[req]\ndistinguished_name = dn\n[dn]\n\
         [v3_ca]\nbasicConstraints = critical, CA:true\nkeyUsage = critical, keyCertSign, cRLSign\n\
         [v3_leaf]\nbasicConstraints = critical, CA:false\nkeyUsage = critical, nonRepudiation\n",
    )
    .unwrap();
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("serial"), "1000\n").unwrap();
    run(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-subj",
        "/CN=SHA-1 era CA",
        "-config",
        "ca.cnf",
        "-out",
        "ca.csr",
    ]);
    run(&[
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-selfsign",
        "-keyfile",
        "ca.key",
        "-md",
        "sha256",
        "-startdate",
        "140101000000Z",
        "-enddate",
        "360101000000Z",
        "-extensions",
        "v3_ca",
        "-in",
        "ca.csr",
        "-out",
        "ca.pem",
    ]);
    run(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-subj",
        "/CN=SHA-1 era signer",
        "-config",
        "ca.cnf",
        "-out",
        "leaf.csr",
    ]);
    run(&[
        "ca",
        "-batch",
        "-config",
        "ca.cnf",
        "-md",
        "sha1",
        "-startdate",
        "150101000000Z",
        "-enddate",
        "350101000000Z",
        "-extensions",
        "v3_leaf",
        "-in",
        "leaf.csr",
        "-out",
        "leaf.pem",
    ]);
    let read = |name: &str| {
        Cert::from_file_bytes(&std::fs::read(dir.join(name)).unwrap())
            .unwrap()
            .remove(0)
    };
    (read("ca.pem"), read("leaf.pem"))
}

/// 2019-06-01T00:00:00Z, before the sunset of SHA-1 in certificate signatures (2020-01-01).
const BEFORE_SHA1_SUNSET: u64 = 1_559_347_200;
/// 2021-06-01T00:00:00Z, after it.
const AFTER_SHA1_SUNSET: u64 = 1_622_505_600;

/// A certificate signed with SHA-1 passes only at a time proven before the sunset of SHA-1 in
/// certificate signatures, with a warning naming the algorithm; the present (no proof of
/// existence), even a present before the sunset, and a proven time after it are INDETERMINATE /
/// CRYPTO_CONSTRAINTS_FAILURE_NO_POE. Elsewhere SHA-1 stays refused.
#[test]
fn a_sha1_signed_certificate_passes_only_with_a_proof_of_existence_before_the_sunset() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, leaf) = sha1_signed_chain(dir.path());
    assert_eq!(
        leaf.signature_algorithm().oid,
        signet_pki::crypto::oid::RSA_SHA1
    );
    // Plain verification still refuses SHA-1 (CRLs, OCSP, time-stamps use it).
    assert!(matches!(
        leaf.verify_signed_by(&ca),
        Err(CryptoError::UnsupportedAlgorithm(_))
    ));
    let entry = leaf.verify_signed_by_legacy(&ca).unwrap().unwrap();
    assert_eq!(entry.what, signet_pki::crypto::SHA1_CERTIFICATES);

    let anchors = TrustAnchors::new([ca.clone()]);
    let judge = |time: ValidationTime| {
        PathValidator::new(&anchors, []).validate(&leaf, Purpose::Signature, time)
    };
    let before = SystemTime::UNIX_EPOCH + Duration::from_secs(BEFORE_SHA1_SUNSET);
    let after = SystemTime::UNIX_EPOCH + Duration::from_secs(AFTER_SHA1_SUNSET);

    let report = judge(ValidationTime::Proven(before));
    assert_eq!(
        report.indication,
        Indication::TotalPassed,
        "{:?}",
        report.findings
    );
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0].contains("SHA-1"),
        "{}",
        report.warnings[0]
    );
    assert!(report.warnings[0].contains("CN=SHA-1 era signer"));

    for time in [
        ValidationTime::Proven(after),
        ValidationTime::Current(before),
        ValidationTime::Current(SystemClock.now()),
    ] {
        let report = judge(time);
        assert_eq!(report.indication, Indication::Indeterminate, "{time:?}");
        assert_eq!(
            report.sub_indication,
            Some(SubIndication::CryptoConstraintsFailureNoPoe),
            "{time:?}: {:?}",
            report.findings
        );
        assert!(report.warnings.is_empty());
    }

    // A changed signature is still a bad signature, whatever the time.
    let mut inner = leaf.inner().clone();
    let mut sig = inner.signature.raw_bytes().to_vec();
    sig[10] ^= 0x01;
    inner.signature = der::asn1::BitString::from_bytes(&sig).unwrap();
    let changed = Cert::from_der(&der::Encode::to_der(&inner).unwrap()).unwrap();
    assert_eq!(
        changed.verify_signed_by_legacy(&ca),
        Err(CryptoError::BadSignature)
    );
    let report = PathValidator::new(&anchors, []).validate(
        &changed,
        Purpose::Signature,
        ValidationTime::Proven(before),
    );
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_ne!(
        report.sub_indication,
        Some(SubIndication::CryptoConstraintsFailureNoPoe)
    );
}
