//! Every PDF of the committed corpus opens or is refused with an error, in bounded time; the
//! signed ones that are well formed split into their revisions.

#![allow(clippy::unwrap_used, reason = "test helpers panic on broken fixtures")]

use std::path::PathBuf;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/pdf")
}

#[test]
fn corpus_files_open_or_fail_cleanly() {
    let mut opened = 0;
    for dir in ["valid", "edge", "attack"] {
        for entry in std::fs::read_dir(corpus().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let started = std::time::Instant::now();
            signet_pdf::fuzzing::pdf_reader(&data);
            let result = signet_pdf::Document::open(&data);
            eprintln!(
                "{}: {:?}",
                path.display(),
                result
                    .as_ref()
                    .map(|d| (d.sections().len(), d.pages().map(|p| p.len())))
                    .map_err(|e| e.to_string())
            );
            if result.is_ok() {
                opened += 1;
            }
            assert!(started.elapsed().as_secs() < 10, "{}", path.display());
        }
    }
    assert!(opened >= 45, "{opened}");
}

#[test]
fn valid_corpus_files_have_revisions() {
    for entry in std::fs::read_dir(corpus().join("valid")).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let revs = signet_pdf::revisions(&data);
        assert!(!revs.is_empty(), "{}", path.display());
        let doc = signet_pdf::Document::open(&data).unwrap();
        assert!(!doc.pages().unwrap().is_empty());
    }
}
