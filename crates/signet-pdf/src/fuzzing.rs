//! Entry points of the fuzz targets in `fuzz/` (cargo-fuzz), here so that `cargo test` replays
//! the committed corpus through exactly the same code. Each must never panic.

use crate::{Document, Object, Parser, revisions};

/// The reader: open, walk pages, load every object the cross-reference names, split revisions;
/// and the normaliser over the same bytes.
pub fn pdf_reader(data: &[u8]) {
    if let Ok(doc) = Document::open(data) {
        let _ = doc.pages();
        let _ = doc.page(0);
        let mut nums: Vec<u32> = doc.xref().keys().copied().collect();
        nums.sort_unstable();
        for num in nums.into_iter().take(2000) {
            let _ = doc.get(crate::ObjRef::new(num, 0));
        }
    }
    let _ = revisions(data);
    let _ = crate::normalise::rewrite(data);
}

/// One object (as a signature dictionary is parsed) and its value spans.
pub fn pdf_object(data: &[u8]) {
    let mut p = Parser::new(data, 0);
    if let Ok(Object::Dict(d)) = p.object() {
        let _ = d.get("ByteRange");
        let _ = d.get("Contents");
    }
    let _ = crate::parse::indirect_at(data, 0, &mut |_| None);
}
