//! The node's usage log: entries appended to SQLite and to an in-memory RFC 9162 tree, and
//! checkpoints signed in small batches. It also remembers which entries are hidden from their
//! person until a date, so that they are sent when it comes ([`UsageLog::due_disclosures`]).

use std::collections::BTreeSet;

use signet_data::Timestamp;
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
    /// Whether a batch (transaction) of appended entries is open.
    in_batch: bool,
    /// How many entries are durably committed.
    durable: u64,
    /// Set when a write or commit of a batch failed: what is in the tree may not be on disk,
    /// so nothing more is appended or signed until the node is restarted.
    broken: Option<String>,
    /// The entries hidden from their person until a date still to come: (the date in seconds,
    /// the index).
    hidden: BTreeSet<(u64, u64)>,
}

/// Whether stored entry bytes may name a hidden reason (checked before parsing, which few
/// entries need).
pub(crate) fn may_be_hidden(bytes: &[u8]) -> bool {
    const KEY: &[u8] = b"\"hiddenReason\"";
    bytes.windows(KEY.len()).any(|w| w == KEY)
}

/// When a hidden entry is disclosed: its `hiddenUntil`, or never.
fn disclosed_at(entry: &UsageEntry) -> Option<u64> {
    entry
        .hidden_reason
        .as_ref()
        .map(|_| entry.hidden_until.map_or(u64::MAX, Timestamp::unix))
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
        now: Timestamp,
    ) -> Result<Self, NodeError> {
        let mut tree = Tree::new();
        let mut renumbered = false;
        let mut hidden = BTreeSet::new();
        for e in store.all_entries()? {
            if may_be_hidden(&e.entry)
                && let Some(until) = crate::store::parse_entry(&e.entry)
                    .ok()
                    .as_ref()
                    .and_then(disclosed_at)
                && until > now.unix()
            {
                hidden.insert((until, tree.size()));
            }
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
        let durable = tree.size();
        Ok(Self {
            store,
            tree,
            signer,
            origin,
            signed,
            in_batch: false,
            durable,
            broken: None,
            hidden,
        })
    }

    /// The hidden entries whose date has come by `now` among the first `covered` (those a
    /// signed checkpoint covers), in date order; they are forgotten here.
    pub fn due_disclosures(&mut self, now: Timestamp, covered: u64) -> Vec<u64> {
        let due: Vec<(u64, u64)> = self
            .hidden
            .iter()
            .take_while(|(until, _)| *until <= now.unix())
            .filter(|(_, index)| *index < covered)
            .copied()
            .collect();
        for d in &due {
            self.hidden.remove(d);
        }
        due.into_iter().map(|(_, index)| index).collect()
    }

    /// The latest signed checkpoint.
    pub fn latest(&self) -> Option<&Signed> {
        self.signed.as_ref()
    }

    fn check_unbroken(&self) -> Result<(), NodeError> {
        match &self.broken {
            Some(why) => Err(NodeError::Database(format!(
                "the usage log stopped after a failed write ({why}); restart the node"
            ))),
            None => Ok(()),
        }
    }

    fn broke(&mut self, e: NodeError) -> NodeError {
        tracing::error!(error = %e, "a usage log batch failed; the log takes no more entries");
        self.broken = Some(e.to_string());
        e
    }

    /// Appends `entry` with `salt` to the open batch (opening one): stored first, then added to
    /// the tree. Returns its index; it is durable once [`Self::commit`] covers it.
    pub fn append(&mut self, entry: &UsageEntry, salt: &Salt) -> Result<u64, NodeError> {
        self.check_unbroken()?;
        let bytes = entry
            .canonical_bytes()
            .map_err(|e| NodeError::Internal(format!("entry has no canonical form: {e}")))?;
        let index = self.tree.size();
        if !self.in_batch {
            self.store.begin().map_err(|e| self.broke(e))?;
            self.in_batch = true;
        }
        self.store
            .insert_entry(index, entry.subject.as_str(), &bytes, salt)
            .map_err(|e| self.broke(e))?;
        self.tree
            .push_leaf_hash(leaf_hash(&commitment(&bytes, salt).0));
        if let Some(until) = disclosed_at(entry) {
            self.hidden.insert((until, index));
        }
        Ok(index)
    }

    /// Commits the open batch durably (one sync for all its entries) and checks its last entry
    /// is stored. Returns how many entries are durable and whether a sync was made.
    pub fn commit(&mut self) -> Result<(u64, bool), NodeError> {
        self.check_unbroken()?;
        if !self.in_batch {
            return Ok((self.durable, false));
        }
        self.in_batch = false;
        self.store.commit().map_err(|e| self.broke(e))?;
        let size = self.tree.size();
        if size > 0 {
            let last = self
                .store
                .entries_between(size - 1, size)
                .map_err(|e| self.broke(e))?;
            if last.is_empty() {
                let lost = NodeError::Database(format!(
                    "entry {} is not stored after its batch was committed",
                    size - 1
                ));
                return Err(self.broke(lost));
            }
        }
        self.durable = size;
        Ok((size, true))
    }

    /// How many entries are durably committed.
    pub fn durable(&self) -> u64 {
        self.durable
    }

    /// Signs a checkpoint of the current size if it differs from the latest signed one;
    /// returns it with the newly covered entries.
    ///
    /// The open batch is committed first: a checkpoint covers durable entries only.
    pub fn sign_pending(&mut self) -> Result<Option<(Signed, Vec<StoredEntry>)>, NodeError> {
        self.commit()?;
        let size = self.durable;
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
