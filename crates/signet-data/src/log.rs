//! Following a node's usage log from one visit to the next, and checking the person's entries.
//!
//! The rules of data-protocol.md section 6: on the **first visit** (no stored checkpoint) the
//! signed checkpoint is verified with the pinned key and becomes the baseline; on **every later
//! visit** the new size must not be smaller, the consistency proof from the stored size to the
//! new size must verify, and only then does the new checkpoint replace the stored one. Sizes come
//! only from signed checkpoints, never from proofs. A failure is [`LogError::HistoryRewritten`],
//! naming the log and both sizes.

use crate::entry::{Salt, UsageEntry, commitment};
use crate::merkle::{self, Hash, ProofError};
use crate::note::{Checkpoint, NoteError, NoteVerifier};

/// A log as the client pins it: its origin and the key that signs its checkpoints. Comes from
/// Signet's list of nodes (shipped or added by the person), never from the node itself.
#[derive(Debug, Clone)]
pub struct PinnedLog {
    /// The checkpoint origin line.
    pub origin: String,
    /// The node's checkpoint key.
    pub verifier: NoteVerifier,
}

/// What the client knew about the log before this visit.
#[derive(Debug, Clone, Copy)]
pub enum Known<'a> {
    /// Nothing: the first visit. The checkpoint is verified and stored as the baseline; there
    /// is no earlier state to be consistent with.
    FirstVisit,
    /// The checkpoint accepted on an earlier visit.
    Stored(&'a Checkpoint),
}

/// Why a log update or an entry was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LogError {
    /// The checkpoint is not signed by the pinned key, not a checkpoint, or for another log.
    #[error("the checkpoint of {log} cannot be trusted: {source}")]
    Checkpoint {
        /// The log's origin.
        log: String,
        /// Why.
        source: NoteError,
    },
    /// The new checkpoint does not extend the stored one: entries were changed, removed or
    /// reordered, or the log shows different histories to different people.
    #[error(
        "history rewritten: the log {log} at size {new_size} is not an extension of the log at size {old_size} the person stored ({reason})"
    )]
    HistoryRewritten {
        /// The log's origin.
        log: String,
        /// The stored size.
        old_size: u64,
        /// The new size.
        new_size: u64,
        /// What failed.
        reason: String,
    },
    /// An entry is not in the log as claimed (its bytes and salt do not reproduce the committed
    /// leaf, or the inclusion proof fails).
    #[error("entry {index} is not included in the log {log} at size {size}: {reason}")]
    NotIncluded {
        /// The log's origin.
        log: String,
        /// The entry's index.
        index: u64,
        /// The checkpoint's size.
        size: u64,
        /// What failed.
        reason: String,
    },
}

impl PinnedLog {
    /// Verifies a signed checkpoint note and that it extends what the client knew; returns the
    /// checkpoint to store.
    pub fn advance(
        &self,
        known: Known<'_>,
        note: &[u8],
        consistency_proof: &[Hash],
    ) -> Result<Checkpoint, LogError> {
        let new =
            Checkpoint::verify_note(note, &self.verifier, &self.origin).map_err(|source| {
                LogError::Checkpoint {
                    log: self.origin.clone(),
                    source,
                }
            })?;
        let old = match known {
            Known::FirstVisit => {
                tracing::debug!(log = %self.origin, size = new.size, "first visit: baseline checkpoint");
                return Ok(new);
            }
            Known::Stored(old) => old,
        };
        let rewritten = |reason: String| LogError::HistoryRewritten {
            log: self.origin.clone(),
            old_size: old.size,
            new_size: new.size,
            reason,
        };
        if old.origin != self.origin {
            return Err(rewritten(format!(
                "the stored checkpoint is of {}",
                old.origin
            )));
        }
        if new.size < old.size {
            return Err(rewritten("the log shrank".to_owned()));
        }
        if old.size == 0 {
            // An empty tree is a prefix of every tree.
            return Ok(new);
        }
        merkle::verify_consistency(old.size, new.size, consistency_proof, &old.root, &new.root)
            .map_err(|e| {
                rewritten(match e {
                    ProofError::RootMismatch if new.size == old.size => {
                        "two different roots for the same size".to_owned()
                    }
                    e => format!("the consistency proof fails: {e}"),
                })
            })?;
        Ok(new)
    }

    /// Verifies an earlier signed checkpoint against one the client already trusts: signed by
    /// the pinned key, for this log, no larger than `trusted`, and `trusted`'s tree extends it
    /// (the RFC 9162 consistency proof from its size to `trusted`'s). Returns the earlier
    /// checkpoint, against which an entry's inclusion can then be checked.
    ///
    /// A query hidden from the person until a date is served at disclosure with the checkpoint
    /// of the size it was logged under: this proves the disclosed entry was in the log then.
    pub fn verify_earlier(
        &self,
        trusted: &Checkpoint,
        earlier_note: &[u8],
        consistency_proof: &[Hash],
    ) -> Result<Checkpoint, LogError> {
        let earlier = Checkpoint::verify_note(earlier_note, &self.verifier, &self.origin).map_err(
            |source| LogError::Checkpoint {
                log: self.origin.clone(),
                source,
            },
        )?;
        let rewritten = |reason: String| LogError::HistoryRewritten {
            log: self.origin.clone(),
            old_size: earlier.size,
            new_size: trusted.size,
            reason,
        };
        if trusted.origin != self.origin {
            return Err(rewritten(format!(
                "the trusted checkpoint is of {}",
                trusted.origin
            )));
        }
        if earlier.size > trusted.size {
            return Err(rewritten(
                "the earlier checkpoint is larger than the trusted one".to_owned(),
            ));
        }
        if earlier.size == 0 {
            return Ok(earlier);
        }
        merkle::verify_consistency(
            earlier.size,
            trusted.size,
            consistency_proof,
            &earlier.root,
            &trusted.root,
        )
        .map_err(|e| {
            rewritten(match e {
                ProofError::RootMismatch if earlier.size == trusted.size => {
                    "two different roots for the same size".to_owned()
                }
                e => format!("the consistency proof fails: {e}"),
            })
        })?;
        Ok(earlier)
    }

    /// Checks that `entry` with `salt` is leaf `index` of the tree of `checkpoint`.
    pub fn verify_entry(
        &self,
        checkpoint: &Checkpoint,
        index: u64,
        entry: &UsageEntry,
        salt: &Salt,
        inclusion_proof: &[Hash],
    ) -> Result<(), LogError> {
        let not_included = |reason: String| LogError::NotIncluded {
            log: self.origin.clone(),
            index,
            size: checkpoint.size,
            reason,
        };
        let bytes = entry
            .canonical_bytes()
            .map_err(|e| not_included(e.to_string()))?;
        let leaf = merkle::leaf_hash(&commitment(&bytes, salt).0);
        merkle::verify_inclusion(
            &leaf,
            index,
            checkpoint.size,
            inclusion_proof,
            &checkpoint.root,
        )
        .map_err(|e| not_included(e.to_string()))
    }
}
