//! RFC 9162 trees and proofs: the well-known certificate-transparency test vectors (re-derived
//! here as facts: the eight leaves and the roots of every prefix), and every proof of every
//! small tree verified and, altered, refused.

use signet_data::merkle::{
    Hash, ProofError, Tree, empty_root, leaf_hash, node_hash, verify_consistency, verify_inclusion,
};

use crate::unhex;

fn h(hex: &str) -> Hash {
    Hash::from_slice(&unhex(hex)).unwrap()
}

/// The leaf data of the CT test vectors.
fn ct_leaves() -> Vec<Vec<u8>> {
    [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
    .iter()
    .map(|x| unhex(x))
    .collect()
}

fn ct_tree() -> Tree {
    let mut tree = Tree::new();
    for leaf in ct_leaves() {
        tree.push(&leaf);
    }
    tree
}

#[test]
fn empty_tree_root_is_the_hash_of_nothing() {
    assert_eq!(
        empty_root(),
        h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    );
    assert_eq!(Tree::new().root(0).unwrap(), empty_root());
}

#[test]
fn roots_of_the_ct_vectors() {
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let tree = ct_tree();
    for (i, root) in roots.iter().enumerate() {
        assert_eq!(tree.root(i as u64 + 1).unwrap(), h(root), "size {}", i + 1);
    }
}

#[test]
fn leaf_and_node_hashing_have_their_prefixes() {
    // MTH({""}) = SHA-256(0x00).
    assert_eq!(
        leaf_hash(b""),
        h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    );
    let (a, b) = (leaf_hash(b""), leaf_hash(&[0]));
    assert_eq!(
        node_hash(&a, &b),
        h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")
    );
}

#[test]
fn inclusion_proof_vectors() {
    let tree = ct_tree();
    let p = tree.inclusion_proof(0, 8).unwrap();
    assert_eq!(
        p,
        vec![
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ]
    );
    let p = tree.inclusion_proof(5, 8).unwrap();
    assert_eq!(
        p,
        vec![
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ]
    );
    assert_eq!(tree.inclusion_proof(0, 1).unwrap(), vec![]);
}

#[test]
fn consistency_proof_vectors() {
    let tree = ct_tree();
    assert_eq!(
        tree.consistency_proof(1, 8).unwrap(),
        vec![
            h("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"),
        ]
    );
    assert_eq!(
        tree.consistency_proof(6, 8).unwrap(),
        vec![
            h("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a"),
            h("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"),
            h("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        ]
    );
    assert_eq!(
        tree.consistency_proof(2, 5).unwrap(),
        vec![
            h("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e"),
            h("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"),
        ]
    );
    assert_eq!(tree.consistency_proof(8, 8).unwrap(), vec![]);
}

fn tree_of(n: u64) -> Tree {
    let mut tree = Tree::new();
    for i in 0..n {
        tree.push(&i.to_be_bytes());
    }
    tree
}

/// The root computed by the definition, without the subtree cache.
fn reference_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = 1 << (usize::BITS - 1 - (n - 1).leading_zeros());
            node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
        }
    }
}

#[test]
fn every_inclusion_proof_up_to_40_verifies_and_alterations_fail() {
    let tree = tree_of(40);
    let leaves: Vec<Hash> = (0..40).map(|i| tree.leaf(i).unwrap()).collect();
    for n in 1..=40u64 {
        let root = tree.root(n).unwrap();
        assert_eq!(root, reference_root(&leaves[..n as usize]), "size {n}");
        for i in 0..n {
            let leaf = tree.leaf(i).unwrap();
            let proof = tree.inclusion_proof(i, n).unwrap();
            verify_inclusion(&leaf, i, n, &proof, &root).unwrap();
            // Another leaf, another index, another size, a shorter or longer proof: refused.
            let other = tree.leaf((i + 1) % 40).unwrap();
            assert!(verify_inclusion(&other, i, n, &proof, &root).is_err());
            if n > 1 {
                assert!(verify_inclusion(&leaf, (i + 1) % n, n, &proof, &root).is_err());
                assert!(verify_inclusion(&leaf, i, n, &proof[..proof.len() - 1], &root).is_err());
            }
            // (A proof for size n can verify for another size with the same shape: RFC 9162
            // proofs do not bind the size, which is why sizes come only from checkpoints.)
            let mut longer = proof.clone();
            longer.push(root);
            assert!(verify_inclusion(&leaf, i, n, &longer, &root).is_err());
            for j in 0..proof.len() {
                let mut bad = proof.clone();
                bad[j].0[0] ^= 1;
                assert_eq!(
                    verify_inclusion(&leaf, i, n, &bad, &root),
                    Err(ProofError::RootMismatch)
                );
            }
        }
        assert!(matches!(
            verify_inclusion(&leaves[0], n, n, &[], &root),
            Err(ProofError::IndexOutOfRange { .. })
        ));
    }
}

#[test]
fn every_consistency_proof_up_to_40_verifies_and_alterations_fail() {
    let tree = tree_of(40);
    for n in 1..=40u64 {
        let new_root = tree.root(n).unwrap();
        for m in 1..=n {
            let old_root = tree.root(m).unwrap();
            let proof = tree.consistency_proof(m, n).unwrap();
            verify_consistency(m, n, &proof, &old_root, &new_root).unwrap();
            for j in 0..proof.len() {
                let mut bad = proof.clone();
                bad[j].0[31] ^= 0x80;
                assert!(verify_consistency(m, n, &bad, &old_root, &new_root).is_err());
            }
            let mut wrong_old = old_root;
            wrong_old.0[0] ^= 1;
            assert!(verify_consistency(m, n, &proof, &wrong_old, &new_root).is_err());
            if m < n {
                assert!(verify_consistency(m, n, &[], &old_root, &new_root).is_err());
                assert!(
                    verify_consistency(m, n, &proof[..proof.len() - 1], &old_root, &new_root)
                        .is_err()
                );
            }
        }
    }
}

#[test]
fn a_changed_early_leaf_breaks_consistency() {
    let honest = tree_of(10);
    let mut rewritten = Tree::new();
    for i in 0..12u64 {
        rewritten.push(&(if i == 3 { 99u64 } else { i }).to_be_bytes());
    }
    let proof = rewritten.consistency_proof(10, 12).unwrap();
    assert!(
        verify_consistency(
            10,
            12,
            &proof,
            &honest.root(10).unwrap(),
            &rewritten.root(12).unwrap()
        )
        .is_err()
    );
}

#[test]
fn sizes_out_of_order_and_the_first_visit() {
    let tree = tree_of(5);
    let r = tree.root(5).unwrap();
    assert_eq!(
        verify_consistency(6, 5, &[], &r, &r),
        Err(ProofError::OldLarger { old: 6, new: 5 })
    );
    assert_eq!(
        verify_consistency(0, 5, &[], &r, &r),
        Err(ProofError::OldEmpty)
    );
    assert_eq!(tree.consistency_proof(0, 5), Err(ProofError::OldEmpty));
    assert!(matches!(tree.root(6), Err(ProofError::TreeTooSmall { .. })));
    assert!(matches!(
        tree.inclusion_proof(5, 5),
        Err(ProofError::IndexOutOfRange { index: 5, size: 5 })
    ));
}
