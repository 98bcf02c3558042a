//! The fuzz smoke: every file of the committed corpus (`fuzz/corpus/asic_zip_scan/`,
//! `fuzz/corpus/xades_signature/`) and of the attack corpus (`tests/corpus/asice/`) through the
//! functions the cargo-fuzz targets call, plus truncations and single-byte flips. A panic fails
//! the test. With `SIGNET_WRITE_FUZZ_CORPUS=1` the seeds are made again from the test PKI.

use std::path::{Path, PathBuf};

use signet_asic::fuzzing;
use signet_core::BaselineLevel;
use signet_testkit::Role;

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

fn replay(files: &[(PathBuf, Vec<u8>)], run: fn(&[u8]), mutate: bool) {
    for (path, bytes) in files {
        run(bytes);
        if mutate && bytes.len() < 200_000 {
            for cut in [0, 1, bytes.len() / 2, bytes.len().saturating_sub(1)] {
                run(&bytes[..cut.min(bytes.len())]);
            }
            for at in (0..bytes.len()).step_by(97.max(bytes.len() / 64)) {
                let mut flipped = bytes.clone();
                flipped[at] ^= 0x5a;
                run(&flipped);
            }
        }
        eprintln!("replayed {}", path.display());
    }
}

fn fuzz_corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let found = files(&dir);
    assert!(!found.is_empty(), "no corpus in {}", dir.display());
    found
}

#[test]
fn zip_scan_corpus_replays() {
    replay(&fuzz_corpus("asic_zip_scan"), fuzzing::zip_scan, true);
    let attacks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/asice");
    let containers: Vec<_> = files(&attacks)
        .into_iter()
        .filter(|(p, _)| {
            p.extension()
                .is_some_and(|e| e != "xml" && e != "tsv" && e != "txt" && e != "crt")
        })
        .collect();
    replay(&containers, fuzzing::zip_scan, true);
}

#[test]
fn xades_corpus_replays() {
    replay(
        &fuzz_corpus("xades_signature"),
        fuzzing::xades_signature,
        true,
    );
    let attacks = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/asice");
    let xml: Vec<_> = files(&attacks)
        .into_iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    replay(&xml, fuzzing::xades_signature, false);
}

/// Writes the seed corpus from the test PKI when asked to.
#[test]
fn seed_corpus() {
    if std::env::var_os("SIGNET_WRITE_FUZZ_CORPUS").is_none() {
        return;
    }
    let s = crate::common::Setup::new();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let files = [
        s.write("hello.txt", b"Tere!\n"),
        s.write("data.csv", b"a,b\n1,2\n"),
    ];
    let lt = s.path("lt.asice");
    s.sign_new(&lt, &files, Role::Signing, BaselineLevel::B_LTA);
    let unsigned = s.path("unsigned.asice");
    signet_asic::container::create(
        &unsigned,
        &files[..1],
        signet_core::Clock::now(&signet_core::SystemClock),
        &mut |_| Ok(None),
    )
    .unwrap();
    std::fs::write(
        base.join("asic_zip_scan/signed-lta.asice"),
        std::fs::read(&lt).unwrap(),
    )
    .unwrap();
    std::fs::write(
        base.join("asic_zip_scan/unsigned.asice"),
        std::fs::read(&unsigned).unwrap(),
    )
    .unwrap();
    let c = signet_asic::Container::open(&lt).unwrap();
    std::fs::write(
        base.join("xades_signature/signatures0.xml"),
        c.read_small("META-INF/signatures0.xml", 1 << 20).unwrap(),
    )
    .unwrap();
}
