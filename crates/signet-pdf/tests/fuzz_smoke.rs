//! The fuzz smoke: every file of the committed corpus (`fuzz/corpus/pdf_reader/`,
//! `fuzz/corpus/pdf_object/`) through the functions the cargo-fuzz targets call, plus
//! truncations and byte flips of each. A panic fails the test.

#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        run(&bytes);
        for cut in [
            0,
            1,
            bytes.len() / 3,
            bytes.len() / 2,
            bytes.len().saturating_sub(1),
        ] {
            run(&bytes[..cut.min(bytes.len())]);
        }
        let step = (bytes.len() / 300).max(7);
        for at in (0..bytes.len()).step_by(step) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x5a;
            run(&flipped);
        }
        n += 1;
    }
    assert!(n > 0, "no corpus in {}", dir.display());
}

#[test]
fn pdf_reader_corpus_replays() {
    replay("pdf_reader", signet_pdf::fuzzing::pdf_reader);
}

#[test]
fn pdf_object_corpus_replays() {
    replay("pdf_object", signet_pdf::fuzzing::pdf_object);
}
