//! The fuzz smoke for `pades_validate`: the committed corpus (fuzz/corpus/pades_validate/),
//! truncated and with bytes flipped, through the validator. A panic fails the test.
#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

#[test]
fn pades_validate_corpus_replays() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/pades_validate");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        signet_pades::fuzzing::pades_validate(&bytes);
        for cut in [0, bytes.len() / 2, bytes.len().saturating_sub(7)] {
            signet_pades::fuzzing::pades_validate(&bytes[..cut]);
        }
        let step = (bytes.len() / 60).max(13);
        for at in (0..bytes.len()).step_by(step) {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x5a;
            signet_pades::fuzzing::pades_validate(&flipped);
        }
        n += 1;
    }
    assert!(n > 0);
}
