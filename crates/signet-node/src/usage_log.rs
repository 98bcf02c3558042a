//! The node's usage log: entries appended to SQLite and to an in-memory RFC 9162 tree, and
//! checkpoints signed in small batches.

use signet_data::entry::{Salt, UsageEntry, commitment};
use signet_data::merkle::{Hash, Tree, leaf_hash};
use signet_data::note::{Checkpoint, NoteSigner};

use crate::NodeError;
use crate::store::{Store, StoredEntry};

/// The log: its store, its tree and its latest signed checkpoint.
#[derive(Debug)]
pub struct UsageLog {
    pub(crate) store: Store,
    tree: Tree,
    signer: NoteSigner,
    origin: String,
    signed: Option<Signed>,
}

/// A signed checkpoint and its note.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The checkpoint.
    pub checkpoint: Checkpoint,
    /// The signed note text.
    pub note: String,
}

impl UsageLog {
    /// Rebuilds the tree from the database and checks it against the latest stored checkpoint.
    ///
    /// A database whose entries no longer give the signed root (changed, removed or reordered
    /// rows) is refused with [`NodeError::LogDoesNotMatchCheckpoint`], unless
    /// `accept_rewritten` is set: then the node carries on and signs the rewritten log, which is
    /// what a compromised node would do and what the people's Signet must detect.
    pub fn open(
        store: Store,
        signer: NoteSigner,
        origin: String,
        accept_rewritten: bool,
    ) -> Result<Self, NodeError> {
        let mut tree = Tree::new();
        let mut renumbered = false;
        for e in store.all_entries()? {
            let position = tree.size();
            if e.index != position {
                if !accept_rewritten {
                    return Err(NodeError::LogDoesNotMatchCheckpoint {
                        origin,
                        size: position,
                        reason: format!("entry {position} is missing"),
                    });
                }
                store.renumber_entry(e.index, position)?;
                renumbered = true;
            }
            tree.push(&commitment(&e.entry, &e.salt).0);
        }
        let mut signed = None;
        if let Some((size, note)) = store.latest_checkpoint()? {
            let checkpoint = signet_data::note::SignedNote::parse(note.as_bytes())
                .ok()
                .and_then(|n| Checkpoint::parse_text(&n.text).ok())
                .ok_or_else(|| {
                    NodeError::Database(format!(
                        "the stored checkpoint of size {size} does not parse"
                    ))
                })?;
            let matches = tree.root(size).ok() == Some(checkpoint.root);
            if matches && !renumbered {
                signed = Some(Signed { checkpoint, note });
            } else if !accept_rewritten {
                return Err(NodeError::LogDoesNotMatchCheckpoint {
                    origin,
                    size,
                    reason: "the stored entries do not give the signed root".into(),
                });
            } else {
                tracing::warn!(log = %origin, size, "the stored entries do not give the signed root; re-signing (accept_rewritten_log)");
            }
        }
        Ok(Self {
            store,
            tree,
            signer,
            origin,
            signed,
        })
    }

    /// The latest signed checkpoint.
    pub fn latest(&self) -> Option<&Signed> {
        self.signed.as_ref()
    }

    /// Appends `entry` with `salt`: stored first, then added to the tree. Returns its index.
    pub fn append(&mut self, entry: &UsageEntry, salt: &Salt) -> Result<u64, NodeError> {
        let bytes = entry
            .canonical_bytes()
            .map_err(|e| NodeError::Internal(format!("entry has no canonical form: {e}")))?;
        let index = self.tree.size();
        self.store
            .insert_entry(index, entry.subject.as_str(), &bytes, salt)?;
        self.tree
            .push_leaf_hash(leaf_hash(&commitment(&bytes, salt).0));
        Ok(index)
    }

    /// Signs a checkpoint of the current size if it differs from the latest signed one;
    /// returns it with the newly covered entries.
    pub fn sign_pending(&mut self) -> Result<Option<(Signed, Vec<StoredEntry>)>, NodeError> {
        let size = self.tree.size();
        let from = match &self.signed {
            Some(s) if s.checkpoint.size == size => return Ok(None),
            Some(s) if s.checkpoint.size < size => s.checkpoint.size,
            _ => 0,
        };
        let checkpoint = Checkpoint {
            origin: self.origin.clone(),
            size,
            root: self
                .tree
                .root(size)
                .map_err(|e| NodeError::Internal(e.to_string()))?,
        };
        let note = self
            .signer
            .sign(&checkpoint.to_text())
            .map_err(|e| NodeError::Internal(e.to_string()))?;
        self.store.insert_checkpoint(size, &note)?;
        let signed = Signed { checkpoint, note };
        self.signed = Some(signed.clone());
        let entries = self.store.entries_between(from, size)?;
        tracing::debug!(log = %self.origin, size, new = entries.len(), "checkpoint signed");
        Ok(Some((signed, entries)))
    }

    /// The inclusion proof of `index` in the tree of `size`.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, NodeError> {
        self.tree
            .inclusion_proof(index, size)
            .map_err(|e| NodeError::Internal(e.to_string()))
    }

    /// The consistency proof between two sizes.
    pub fn consistency_proof(
        &self,
        old: u64,
        new: u64,
    ) -> Result<Vec<Hash>, signet_data::ProofError> {
        self.tree.consistency_proof(old, new)
    }
}
