//! Signature stripping: every revision's signature fields are read, and a signature present in
//! one revision whose CMS is gone from a later one (its field, its value or the whole form
//! removed, or the field made something else) is reported with its signer.

use serde::Serialize;
use signet_pdf::Object;

use crate::revision_docs::RevisionDocs;

use crate::validate::{CertFacts, der_length, signature_fields, signer_certificate};

/// Most revisions read; a file with more is reported as not checked for stripping.
const MAX_REVISIONS: usize = 2_000;

/// A signature that a later revision removed.
#[derive(Debug, Clone, Serialize)]
pub struct RemovedSignature {
    /// The field that held it.
    pub field: String,
    /// The revision (1-based) where it first appears.
    pub revision: usize,
    /// The revision (1-based) that removed it.
    pub removed_in: usize,
    /// Its signer, as the CMS names it (not validated).
    pub signer: Option<CertFacts>,
}

impl std::fmt::Display for RemovedSignature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the signature of revision {} (field {}",
            self.revision, self.field
        )?;
        if let Some(s) = &self.signer {
            write!(f, ", signed by {}", s.subject)?;
        }
        write!(f, ") was removed in revision {}", self.removed_in)
    }
}

/// The signatures removed by a later revision, or `Err` when there are too many revisions to
/// read.
pub(crate) fn removed_signatures(docs: &RevisionDocs<'_>) -> Result<Vec<RemovedSignature>, String> {
    let _span = tracing::trace_span!("verify.modifications").entered();
    if docs.len() > MAX_REVISIONS {
        return Err(format!(
            "{} revisions: too many to check that no signature was removed",
            docs.len()
        ));
    }
    // (CMS bytes, field, first revision) of the signatures in the revision read last.
    let mut present: Vec<(Vec<u8>, String, usize)> = Vec::new();
    let mut out = Vec::new();
    for i in 0..docs.len() {
        let Ok(doc) = docs.get(i) else {
            continue;
        };
        let now: Vec<(Vec<u8>, String)> = signature_fields(doc)
            .into_iter()
            .filter_map(|f| {
                let v = doc.get(f.value?).ok()?;
                let cms = v.as_dict()?.get("Contents").and_then(Object::as_str)?;
                Some((cms.to_vec(), f.name))
            })
            .collect();
        present.retain(|(cms, field, first)| {
            let kept = now.iter().any(|(c, _)| c == cms);
            if !kept {
                let der = &cms[..der_length(cms).unwrap_or(cms.len())];
                out.push(RemovedSignature {
                    field: field.clone(),
                    revision: *first,
                    removed_in: i + 1,
                    signer: signer_certificate(der).map(|c| c.summary().into()),
                });
            }
            kept
        });
        for (cms, name) in now {
            if !present.iter().any(|(c, _, _)| *c == cms) {
                present.push((cms, name, i + 1));
            }
        }
    }
    Ok(out)
}
