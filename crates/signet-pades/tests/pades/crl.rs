//! B-LT revocation data for the whole chain: the root's CRL, fetched from the
//! cRLDistributionPoints of the certificates the root issued without an OCSP responder, and
//! checked before it is embedded.

use std::time::Duration;

use signet_core::{Clock as _, SystemClock};
use signet_pades::crl;
use signet_pades::ltv;
use signet_testkit::{LoopbackFetch, Role, TestPki};

use crate::support::cert;

#[test]
fn collect_gives_ocsp_for_the_signer_and_the_root_crl_for_the_issuing_ca_and_the_tsa() {
    let pki = TestPki::start().unwrap();
    let root = cert(&pki, Role::Root);
    let ca = cert(&pki, Role::IssuingCa);
    let tsa = cert(&pki, Role::Tsa);
    assert_eq!(crl::distribution_urls(&ca), vec![pki.root_crl_url()]);
    assert_eq!(crl::distribution_urls(&tsa), vec![pki.root_crl_url()]);
    let targets = vec![cert(&pki, Role::Signing), tsa.clone()];
    let data = ltv::collect(
        &LoopbackFetch::default(),
        &SystemClock,
        &targets,
        &[root.clone(), ca.clone()],
        &Default::default(),
    )
    .unwrap();
    assert_eq!(data.ocsps.len(), 1, "one OCSP answer, for the signer");
    assert_eq!(
        data.crls.len(),
        1,
        "the root's CRL, once, for the CA and the TSA"
    );
    let now = SystemClock.now();
    crl::check(&data.crls[0], &ca, &root, now).unwrap();
    crl::check(&data.crls[0], &tsa, &root, now).unwrap();
    for c in [&root, &ca, &tsa] {
        assert!(data.certs.iter().any(|d| d == c.der()));
    }
}

#[test]
fn crls_from_another_issuer_or_outdated_are_refused() {
    let pki = TestPki::start().unwrap();
    let root = cert(&pki, Role::Root);
    let ca = cert(&pki, Role::IssuingCa);
    let now = SystemClock.now();
    let der = crl::fetch_for(&LoopbackFetch::default(), &ca, &root, now)
        .unwrap()
        .unwrap();
    // Claimed for a certificate the issuing CA issued: the CRL's issuer and key are the root's.
    let signer = cert(&pki, Role::Signing);
    let err = crl::check(&der, &signer, &ca, now).unwrap_err();
    assert!(err.to_string().contains("another name"), "{err}");
    // The same name on another key (the untrusted CA renamed is not at hand: damage the
    // signature instead).
    let mut damaged = der.clone();
    let last = damaged.len() - 3;
    damaged[last] ^= 0x55;
    let err = crl::check(&damaged, &ca, &root, now).unwrap_err();
    assert!(err.to_string().contains("signature"), "{err}");
    // Past its nextUpdate (seven days).
    let later = now + Duration::from_secs(8 * 86_400);
    let err = crl::check(&der, &ca, &root, later).unwrap_err();
    assert!(err.to_string().contains("outdated"), "{err}");
    // Before its thisUpdate.
    let earlier = now - Duration::from_secs(3_600);
    let err = crl::check(&der, &ca, &root, earlier).unwrap_err();
    assert!(err.to_string().contains("future"), "{err}");
}
