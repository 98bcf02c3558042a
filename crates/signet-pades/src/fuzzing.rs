//! Entry point of the `pades_validate` fuzz target (fuzz/): the whole validator (signature
//! dictionaries, ByteRange checks, CMS, revisions and the modification analysis) over
//! untrusted bytes, offline, against no anchors. Must never panic; `cargo test` replays the
//! corpus through it.

use std::time::{Duration, SystemTime};

use signet_pki::TrustAnchors;

/// Validates `data` as a signed PDF and throws the report away.
pub fn pades_validate(data: &[u8]) {
    let anchors = TrustAnchors::default();
    let options = crate::validate::Options {
        anchors: &anchors,
        intermediates: Vec::new(),
        at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_790_000_000),
        online: None,
        ocsp_policy: Default::default(),
        trusted_list: None,
    };
    let _ = crate::validate::validate(data, &options);
    let _ = crate::sign::presign_warnings(data);
}
