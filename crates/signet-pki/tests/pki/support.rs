use std::time::SystemTime;

use signet_pki::{Cert, PathValidator, TrustAnchors};
use signet_testkit::{Role, TestPki};

pub fn cert(pki: &TestPki, role: Role) -> Cert {
    Cert::from_der(pki.der(role)).unwrap()
}

/// The root as the only anchor; the issuing CA and the untrusted CA as candidate intermediates.
pub fn anchors(pki: &TestPki) -> TrustAnchors {
    TrustAnchors::new([cert(pki, Role::Root)])
}

pub fn intermediates(pki: &TestPki) -> Vec<Cert> {
    vec![cert(pki, Role::IssuingCa), cert(pki, Role::UnknownCa)]
}

pub fn validator<'a>(pki: &TestPki, anchors: &'a TrustAnchors) -> PathValidator<'a> {
    PathValidator::new(anchors, intermediates(pki))
}

pub fn days(n: u64) -> std::time::Duration {
    std::time::Duration::from_secs(n * 86_400)
}

#[allow(dead_code)]
pub fn now(pki: &TestPki) -> SystemTime {
    pki.now()
}
