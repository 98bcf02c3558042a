//! The entry points of the fuzz targets in `fuzz/` (cargo-fuzz, see fuzz/README.md), here so
//! that `cargo test` replays the committed corpus through exactly the same code
//! (`tests/fuzz_smoke.rs`). Each takes untrusted bytes and must never panic.

use std::io::Cursor;

use crate::zip::{Limits, scan};

/// The ZIP scanner, then the manifest parser on the bytes.
pub fn zip_scan(data: &[u8]) {
    let _ = scan(
        &mut Cursor::new(data),
        data.len() as u64,
        &Limits::default(),
    );
    let _ = crate::container::Manifest::parse(data);
}

/// A signature file checked structurally, against an empty container, with no trust: parsing,
/// Id uniqueness, structure, references and the certificate binding all run.
pub fn xades_signature(data: &[u8], container: &crate::Container) {
    let trust = crate::xades::verify::Trust {
        anchors: signet_pki::TrustAnchors::default(),
        list: None,
        now: std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_740_787_200),
    };
    let _ = crate::xades::verify::validate_signature_file(
        container,
        "META-INF/signatures0.xml",
        data,
        &trust,
    );
}
