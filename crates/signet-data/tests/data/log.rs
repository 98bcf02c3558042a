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

#[test]
fn an_earlier_checkpoint_is_verified_against_the_trusted_one() {
    let mut node = Node::new();
    for q in 0..3 {
        node.append(q);
    }
    let earlier_note = node.checkpoint(3);
    for q in 3..10 {
        node.append(q);
    }
    let pinned = node.pinned();
    let trusted = pinned
        .advance(Known::FirstVisit, node.checkpoint(10).as_bytes(), &[])
        .unwrap();
    let proof = node.tree.consistency_proof(3, 10).unwrap();
    let earlier = pinned
        .verify_earlier(&trusted, earlier_note.as_bytes(), &proof)
        .unwrap();
    assert_eq!(earlier.size, 3);
    // Entry 1 is checked against the earlier checkpoint.
    pinned
        .verify_entry(
            &earlier,
            1,
            &sample("EE38001085718", "q-1"),
            &Salt([1; 32]),
            &node.tree.inclusion_proof(1, 3).unwrap(),
        )
        .unwrap();

    // A checkpoint of another history at size 3 is not consistent with the trusted one.
    let mut other = Node::new();
    for q in [0, 1, 99] {
        other.append(q);
    }
    assert!(matches!(
        pinned.verify_earlier(&trusted, other.checkpoint(3).as_bytes(), &proof),
        Err(LogError::HistoryRewritten {
            old_size: 3,
            new_size: 10,
            ..
        })
    ));
    // A wrong proof, a larger "earlier" checkpoint, or another key: refused.
    let wrong = node.tree.consistency_proof(4, 10).unwrap();
    assert!(
        pinned
            .verify_earlier(&trusted, earlier_note.as_bytes(), &wrong)
            .is_err()
    );
    let small = pinned
        .advance(Known::FirstVisit, earlier_note.as_bytes(), &[])
        .unwrap();
    assert!(
        pinned
            .verify_earlier(&small, node.checkpoint(10).as_bytes(), &[])
            .is_err()
    );
    let stranger = NoteSigner::new(ORIGIN, SigningKey::from_bytes(&[3; 32])).unwrap();
    let forged = stranger
        .sign(
            &Checkpoint {
                origin: ORIGIN.into(),
                size: 3,
                root: node.tree.root(3).unwrap(),
            }
            .to_text(),
        )
        .unwrap();
    assert!(matches!(
        pinned.verify_earlier(&trusted, forged.as_bytes(), &proof),
        Err(LogError::Checkpoint { .. })
    ));
}
