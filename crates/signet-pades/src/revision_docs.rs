//! The document as it stood at the end of each revision, opened once per validation and shared
//! by the signature checks, the modification analysis and the stripped-signature scan (each
//! revision's cross-reference sections are read once, and objects parsed once are kept by the
//! document's own cache).

use std::cell::OnceCell;

use signet_pdf::{Document, PdfError, Revision};

/// Lazily opened documents, one per complete revision of `data`.
pub(crate) struct RevisionDocs<'a> {
    data: &'a [u8],
    revisions: &'a [Revision],
    docs: Vec<OnceCell<Result<Document<'a>, PdfError>>>,
}

impl<'a> RevisionDocs<'a> {
    pub(crate) fn new(data: &'a [u8], revisions: &'a [Revision]) -> Self {
        Self {
            data,
            revisions,
            docs: revisions.iter().map(|_| OnceCell::new()).collect(),
        }
    }

    /// How many revisions.
    pub(crate) fn len(&self) -> usize {
        self.revisions.len()
    }

    /// The document up to the end of revision `i` (0-based): `data[..revisions[i].end]`.
    pub(crate) fn get(&self, i: usize) -> Result<&Document<'a>, PdfError> {
        let (Some(cell), Some(rev)) = (self.docs.get(i), self.revisions.get(i)) else {
            return Err(PdfError::NoStartxref);
        };
        let data = self.data;
        cell.get_or_init(|| {
            let _span = tracing::trace_span!("verify.parse").entered();
            data.get(..rev.end)
                .map_or(Err(PdfError::NoStartxref), Document::open)
        })
        .as_ref()
        .map_err(Clone::clone)
    }
}
