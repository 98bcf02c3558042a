//! CRLs (RFC 5280 section 6.3) made by OpenSSL with the test root's key, and the revocation of
//! the CA certificates of a path.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use signet_core::{Clock as _, Indication, SubIndication, SystemClock};
use signet_pki::crl::{self, CrlError, CrlReason, CrlSource, CrlStatus};
use signet_pki::{PathProblem, Purpose, Revocation, ValidationTime, validate_certificate};
use signet_testkit::{LoopbackFetch, Role, TestPki};

use crate::support::{anchors, cert, validator};

/// A CRL of the root made by `openssl ca -gencrl` with `extensions` as its crlExtensions
/// section (OpenSSL configuration syntax), listing nothing.
fn openssl_crl(pki: &TestPki, dir: &Path, extensions: &str) -> Vec<u8> {
    std::fs::write(dir.join("index.txt"), "").unwrap();
    std::fs::write(dir.join("crlnumber"), "01\n").unwrap();
    let config = dir.join("ca.cnf");
    std::fs::write(
        &config,
        format!(
            "[ca]\ndefault_ca = root\n[root]\ndatabase = {0}/index.txt\ncrlnumber = {0}/crlnumber\ndefault_md = sha384\ndefault_crl_days = 7\ncrl_extensions = crl_ext\n[crl_ext]\n{extensions}\n",
            dir.display()
        ),
    )
    .unwrap();
    let pem = dir.join("out.crl.pem");
    let der = dir.join("out.crl.der");
    let root = pki.get(Role::Root);
    let ok = Command::new("openssl")
        .args(["ca", "-batch", "-gencrl", "-config"])
        .arg(&config)
        .arg("-keyfile")
        .arg(&root.key_path)
        .arg("-cert")
        .arg(&root.cert_path)
        .arg("-out")
        .arg(&pem)
        .status()
        .unwrap()
        .success();
    assert!(ok, "openssl ca -gencrl with {extensions}");
    let ok = Command::new("openssl")
        .args(["crl", "-outform", "DER", "-in"])
        .arg(&pem)
        .arg("-out")
        .arg(&der)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    std::fs::read(der).unwrap()
}

fn served_crl(pki: &TestPki) -> Vec<u8> {
    use signet_core::Fetch as _;
    LoopbackFetch::default()
        .get(&pki.root_crl_url(), "application/pkix-crl")
        .unwrap()
        .body
}

#[test]
fn the_root_crl_is_read_and_its_entry_for_a_revoked_ca_counts() {
    let pki = TestPki::start().unwrap();
    let (ca, root) = (cert(&pki, Role::IssuingCa), cert(&pki, Role::Root));
    let now = SystemClock.now();
    let answer = crl::verify(&served_crl(&pki), &ca, &root, now, now).unwrap();
    assert_eq!(answer.status, CrlStatus::NotRevoked);
    assert!(answer.this_update <= now + crl::SKEW && answer.next_update > now);

    let revoked_at = now - Duration::from_secs(3_600);
    pki.revoke_in_root_crl(Role::IssuingCa, revoked_at, "CACompromise")
        .unwrap();
    let der = served_crl(&pki);
    let answer = crl::verify(&der, &ca, &root, now, now).unwrap();
    let CrlStatus::Revoked { time, reason } = answer.status else {
        panic!("{answer:?}")
    };
    assert_eq!(
        time.duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        revoked_at
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    );
    assert_eq!(reason, Some(CrlReason::CaCompromise));
    // The TSA, also issued by the root, is not listed.
    let tsa = cert(&pki, Role::Tsa);
    assert_eq!(
        crl::verify(&der, &tsa, &root, now, now).unwrap().status,
        CrlStatus::NotRevoked
    );
    // Not the CRL of the signer's issuer.
    let signer = cert(&pki, Role::Signing);
    assert!(matches!(
        crl::verify(&der, &signer, &ca, now, now),
        Err(CrlError::WrongIssuer { .. })
    ));
}

#[test]
fn freshness_is_judged_at_the_validation_time_and_the_time_of_the_check() {
    let pki = TestPki::start().unwrap();
    let (ca, root) = (cert(&pki, Role::IssuingCa), cert(&pki, Role::Root));
    let now = SystemClock.now();
    let hour = Duration::from_secs(3_600);
    let old = pki
        .root_crl_with_times(now - 48 * hour, now - hour)
        .unwrap();
    // Stale at the present.
    let err = crl::verify(&old, &ca, &root, now, now).unwrap_err();
    assert!(matches!(err, CrlError::Stale { .. }), "{err}");
    assert_eq!(err.sub_indication(), SubIndication::TryLater);
    // Current at a proven time before its nextUpdate: evidence about that time.
    assert!(crl::verify(&old, &ca, &root, now - 2 * hour, now).is_ok());
    // Issued in the future of the time of the check.
    let future = pki
        .root_crl_with_times(now + 2 * hour, now + 48 * hour)
        .unwrap();
    let err = crl::verify(&future, &ca, &root, now, now).unwrap_err();
    assert!(matches!(err, CrlError::FromTheFuture { .. }), "{err}");
    // A damaged signature.
    let mut damaged = served_crl(&pki);
    let at = damaged.len() - 3;
    damaged[at] ^= 0x55;
    let err = crl::verify(&damaged, &ca, &root, now, now).unwrap_err();
    assert!(matches!(err, CrlError::Signature(_)), "{err}");
    assert_eq!(
        err.sub_indication(),
        SubIndication::CertificateChainGeneralFailure
    );
}

#[test]
fn extensions_and_the_issuing_distribution_point_scope_are_enforced() {
    let pki = TestPki::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (ca, root) = (cert(&pki, Role::IssuingCa), cert(&pki, Role::Root));
    let now = SystemClock.now();
    let url = pki.root_crl_url();
    let check = |ext: &str| crl::verify(&openssl_crl(&pki, dir.path(), ext), &ca, &root, now, now);

    assert!(check("authorityKeyIdentifier = keyid:always").is_ok());
    assert!(
        check(&format!(
            "issuingDistributionPoint = critical, @idp\n[idp]\nfullname = URI:{url}\nonlyCA = TRUE"
        ))
        .is_ok()
    );
    assert!(matches!(
        check("issuingDistributionPoint = critical, @idp\n[idp]\nonlyuser = TRUE"),
        Err(CrlError::OutOfScope(_))
    ));
    assert!(matches!(
        check(
            "issuingDistributionPoint = critical, @idp\n[idp]\nfullname = URI:http://127.0.0.1:1/other.crl"
        ),
        Err(CrlError::OutOfScope(_))
    ));
    assert!(matches!(
        check("issuingDistributionPoint = critical, @idp\n[idp]\nonlysomereasons = keyCompromise"),
        Err(CrlError::OutOfScope(_))
    ));
    assert!(matches!(
        check("issuingDistributionPoint = critical, @idp\n[idp]\nindirectCRL = TRUE"),
        Err(CrlError::Indirect)
    ));
    assert!(matches!(
        check("2.5.29.27 = critical, DER:02:01:01"),
        Err(CrlError::Delta)
    ));
    assert!(matches!(
        check("1.3.6.1.4.1.99999.1 = critical, ASN1:UTF8String:unknown"),
        Err(CrlError::UnknownCriticalExtension(_))
    ));
    // The same extension, not critical, is ignored.
    assert!(check("1.3.6.1.4.1.99999.1 = ASN1:UTF8String:unknown").is_ok());
}

#[test]
fn validate_certificate_checks_the_issuing_ca_against_the_root_crl() {
    let pki = TestPki::start().unwrap();
    let anchors = anchors(&pki);
    let v = validator(&pki, &anchors);
    let signer = cert(&pki, Role::Signing);
    let fetch = LoopbackFetch::default();
    let policy = Default::default();
    let online = Revocation::Online {
        fetch: &fetch,
        clock: &SystemClock,
        policy: &policy,
    };
    let now = ValidationTime::now(&SystemClock);
    let report = validate_certificate(&v, &signer, Purpose::Signature, now, online);
    assert!(report.passed(), "{:?}", report.findings);
    assert_eq!(
        report.ca_revocation.len(),
        1,
        "the issuing CA, not the root"
    );
    assert_eq!(report.ca_revocation[0].revoked_at, None);

    // Offline without CRLs: the CA's status is unknown.
    let stored = report.revocation.clone().unwrap();
    let offline = validate_certificate(
        &v,
        &signer,
        Purpose::Signature,
        now,
        Revocation::Offline(Some(&stored)),
    );
    assert_eq!(offline.indication, Indication::Indeterminate);
    assert_eq!(offline.sub_indication, Some(SubIndication::TryLater));
    assert!(matches!(
        offline.findings[0].problem,
        PathProblem::NoCaRevocationData { .. }
    ));
    // The same with the root's CRL carried: passes.
    let crls = [served_crl(&pki)];
    let source = CrlSource {
        stored: &crls,
        online: None,
        now: SystemClock.now(),
    };
    let carried = signet_pki::validate_certificate_with_crls(
        &v,
        &signer,
        Purpose::Signature,
        now,
        Revocation::Offline(Some(&stored)),
        &source,
    );
    assert!(carried.passed(), "{:?}", carried.findings);

    // The CA revoked an hour ago.
    let revoked_at = SystemClock.now() - Duration::from_secs(3_600);
    pki.revoke_in_root_crl(Role::IssuingCa, revoked_at, "keyCompromise")
        .unwrap();
    let report = validate_certificate(&v, &signer, Purpose::Signature, now, online);
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(report.sub_indication, Some(SubIndication::RevokedCaNoPoe));
    assert!(
        matches!(&report.findings[0].problem, PathProblem::CaRevoked { reason: Some(r), .. } if r == "KeyCompromise"),
        "{:?}",
        report.findings
    );
    // Proven to exist two hours ago, before the CA's revocation: passes, the revocation noted.
    let proven = ValidationTime::Proven(SystemClock.now() - Duration::from_secs(7_200));
    let report = validate_certificate(&v, &signer, Purpose::Signature, proven, online);
    assert!(report.passed(), "{:?}", report.findings);
    assert!(report.ca_revocation[0].revoked_at.is_some());
    // Proven after the revocation: still INDETERMINATE / REVOKED_CA_NO_POE (EN 319 102-1 has
    // no TOTAL-FAILED sub-indication for a revoked CA).
    let proven = ValidationTime::Proven(SystemClock.now() - Duration::from_secs(60));
    let report = validate_certificate(&v, &signer, Purpose::Signature, proven, online);
    assert_eq!(report.indication, Indication::Indeterminate);
    assert_eq!(report.sub_indication, Some(SubIndication::RevokedCaNoPoe));
}
