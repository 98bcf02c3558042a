//! The entry points of the fuzz targets in `fuzz/` (cargo-fuzz, see fuzz/README.md), here so
//! that `cargo test` replays the committed corpus through exactly the same code
//! (`tests/asic/fuzz_smoke.rs`). Each takes untrusted bytes and must never panic.

use std::io::Cursor;
use std::sync::OnceLock;

use crate::zip::{Limits, scan};

/// The ZIP scanner and the manifest parser on the bytes; when they pass, the container layer
/// (mimetype, manifest against entries) on a temporary copy.
pub fn zip_scan(data: &[u8]) {
    let _ = crate::container::Manifest::parse(data);
    if scan(
        &mut Cursor::new(data),
        data.len() as u64,
        &Limits::default(),
    )
    .is_ok()
    {
        let dir = std::env::temp_dir().join(format!("signet-fuzz-zip-{}", std::process::id()));
        if std::fs::create_dir_all(&dir).is_ok() {
            let path = dir.join("input.asice");
            if std::fs::write(&path, data).is_ok()
                && let Ok(container) = crate::Container::open(&path)
            {
                for file in container.data_files() {
                    let _ = container.read_small(&file.name, 1 << 20);
                }
            }
        }
    }
}

/// A signature file validated structurally against a one-file unsigned container, with no
/// trust: parsing, Id uniqueness, structure, references, the certificate binding, the
/// time-stamp and OCSP parsers all run.
pub fn xades_signature(data: &[u8]) {
    static EMPTY: OnceLock<Option<crate::Container>> = OnceLock::new();
    let Some(container) = EMPTY.get_or_init(one_file_container) else {
        return;
    };
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

fn one_file_container() -> Option<crate::Container> {
    let dir = std::env::temp_dir().join(format!("signet-fuzz-xades-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join("hello.txt");
    std::fs::write(&file, b"Tere!\n").ok()?;
    let out = dir.join("one.asice");
    let input = crate::InputFile::from_path(&file).ok()?;
    crate::container::create(
        &out,
        &[input],
        std::time::SystemTime::UNIX_EPOCH,
        &mut |_| Ok(None),
    )
    .ok()?;
    crate::Container::open(&out).ok()
}
