//! Following a log across visits: first visit, extension, and rewritten history.

use ed25519_dalek::SigningKey;
use signet_data::entry::Salt;
use signet_data::{Checkpoint, Known, LogError, NoteSigner, PinnedLog, Tree, commitment, merkle};

use crate::entry::sample;

const ORIGIN: &str = "rr.example/usage";

struct Node {
    signer: NoteSigner,
    tree: Tree,
}

impl Node {
    fn new() -> Self {
        Self {
            signer: NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[9; 32])).unwrap(),
            tree: Tree::new(),
        }
    }
    fn append(&mut self, query: u64) {
        let entry = sample("EE38001085718", &format!("q-{query}"));
        let c = commitment(&entry.canonical_bytes().unwrap(), &Salt([query as u8; 32]));
        self.tree.push(&c.0);
    }
    fn checkpoint(&self, size: u64) -> String {
        let cp = Checkpoint {
            origin: ORIGIN.into(),
            size,
            root: self.tree.root(size).unwrap(),
        };
        self.signer.sign(&cp.to_text()).unwrap()
    }
    fn pinned(&self) -> PinnedLog {
        PinnedLog {
            origin: ORIGIN.into(),
            verifier: self.signer.verifier().clone(),
        }
    }
}

#[test]
fn first_visit_then_extensions() {
    let mut node = Node::new();
    for q in 0..5 {
        node.append(q);
    }
    let pinned = node.pinned();
    let first = pinned
        .advance(Known::FirstVisit, node.checkpoint(5).as_bytes(), &[])
        .unwrap();
    assert_eq!(first.size, 5);
    for q in 5..9 {
        node.append(q);
    }
    let proof = node.tree.consistency_proof(5, 9).unwrap();
    let next = pinned
        .advance(Known::Stored(&first), node.checkpoint(9).as_bytes(), &proof)
        .unwrap();
    assert_eq!(next.size, 9);
    // The same checkpoint again: nothing new, still fine.
    pinned
        .advance(Known::Stored(&next), node.checkpoint(9).as_bytes(), &[])
        .unwrap();
}

#[test]
fn a_rewritten_history_is_named_with_the_log_and_sizes() {
    let mut node = Node::new();
    for q in 0..5 {
        node.append(q);
    }
    let pinned = node.pinned();
    let stored = pinned
        .advance(Known::FirstVisit, node.checkpoint(5).as_bytes(), &[])
        .unwrap();

    // The node rewrites entry 2 and carries on.
    let mut rewritten = Node::new();
    for q in [0, 1, 77, 3, 4, 5, 6] {
        rewritten.append(q);
    }
    let proof = rewritten.tree.consistency_proof(5, 7).unwrap();
    let err = pinned
        .advance(
            Known::Stored(&stored),
            rewritten.checkpoint(7).as_bytes(),
            &proof,
        )
        .unwrap_err();
    assert!(matches!(
        &err,
        LogError::HistoryRewritten { log, old_size: 5, new_size: 7, .. } if log == ORIGIN
    ));
    let message = err.to_string();
    assert!(
        message.starts_with("history rewritten: the log rr.example/usage at size 7"),
        "{message}"
    );

    // Same size, different root: equivocation.
    let err = pinned
        .advance(
            Known::Stored(&stored),
            rewritten.checkpoint(5).as_bytes(),
            &[],
        )
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("two different roots for the same size"),
        "{err}"
    );

    // The log shrank (an entry deleted).
    let err = pinned
        .advance(Known::Stored(&stored), node.checkpoint(4).as_bytes(), &[])
        .unwrap_err();
    assert!(matches!(
        err,
        LogError::HistoryRewritten {
            old_size: 5,
            new_size: 4,
            ..
        }
    ));

    // Reordered entries.
    let mut reordered = Node::new();
    for q in [0, 1, 3, 2, 4, 5] {
        reordered.append(q);
    }
    let proof = reordered.tree.consistency_proof(5, 6).unwrap();
    assert!(matches!(
        pinned.advance(
            Known::Stored(&stored),
            reordered.checkpoint(6).as_bytes(),
            &proof
        ),
        Err(LogError::HistoryRewritten {
            old_size: 5,
            new_size: 6,
            ..
        })
    ));
}

#[test]
fn a_checkpoint_not_signed_by_the_pinned_key_is_refused() {
    let mut node = Node::new();
    node.append(0);
    let other = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[3; 32])).unwrap();
    let note = other
        .sign(
            &Checkpoint {
                origin: ORIGIN.into(),
                size: 1,
                root: node.tree.root(1).unwrap(),
            }
            .to_text(),
        )
        .unwrap();
    assert!(matches!(
        node.pinned()
            .advance(Known::FirstVisit, note.as_bytes(), &[]),
        Err(LogError::Checkpoint { .. })
    ));
}

#[test]
fn entries_are_checked_against_their_commitment() {
    let mut node = Node::new();
    for q in 0..6 {
        node.append(q);
    }
    let pinned = node.pinned();
    let cp = pinned
        .advance(Known::FirstVisit, node.checkpoint(6).as_bytes(), &[])
        .unwrap();
    let proof = node.tree.inclusion_proof(3, 6).unwrap();
    let entry = sample("EE38001085718", "q-3");
    pinned
        .verify_entry(&cp, 3, &entry, &Salt([3; 32]), &proof)
        .unwrap();
    // A different salt, a changed entry, or another index: flagged.
    assert!(
        pinned
            .verify_entry(&cp, 3, &entry, &Salt([4; 32]), &proof)
            .is_err()
    );
    let mut changed = entry.clone();
    changed.purpose = "Uudishimu".into();
    assert!(
        pinned
            .verify_entry(&cp, 3, &changed, &Salt([3; 32]), &proof)
            .is_err()
    );
    let err = pinned
        .verify_entry(&cp, 2, &entry, &Salt([3; 32]), &proof)
        .unwrap_err();
    assert!(matches!(
        err,
        LogError::NotIncluded {
            index: 2,
            size: 6,
            ..
        }
    ));
    let _ = merkle::empty_root();
}
