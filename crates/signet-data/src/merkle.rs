//! The Merkle tree of RFC 9162 (Certificate Transparency version 2.0) section 2.1, with SHA-256.
//!
//! > "The hash of an empty list is the hash of an empty string: MTH({}) = HASH().
//! > The hash of a list with one entry (also known as a leaf hash) is:
//! > MTH({d(0)}) = HASH(0x00 || d(0)).
//! > For n > 1, let k be the largest power of two smaller than n (i.e., k < n <= 2k). The Merkle
//! > Tree Hash of an n-element list D_n is then defined recursively as:
//! > MTH(D_n) = HASH(0x01 || MTH(D\[0:k\]) || MTH(D\[k:n\]))" (RFC 9162 section 2.1.1)
//!
//! [`Tree`] produces roots and proofs (sections 2.1.3.1 and 2.1.4.1); [`verify_inclusion`] and
//! [`verify_consistency`] are the verification algorithms of sections 2.1.3.2 and 2.1.4.2, step
//! by step. Tree sizes are never taken from a proof: the caller passes the sizes of signed
//! checkpoints.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest as _, Sha256};

/// A SHA-256 value: a leaf, node or root hash.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// Reads 32 bytes.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// Reads standard base64 of 32 bytes.
    pub fn from_base64(text: &str) -> Option<Self> {
        STANDARD
            .decode(text)
            .ok()
            .and_then(|b| Self::from_slice(&b))
    }

    /// Standard base64, as in checkpoints.
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Lowercase hexadecimal.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", self.to_hex())
    }
}

impl fmt::Display for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_base64())
    }
}

impl Serialize for Hash {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for Hash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::from_base64(&text)
            .ok_or_else(|| serde::de::Error::custom("expected the base64 of a 32-byte hash"))
    }
}

/// `MTH({})`: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Hash(Sha256::digest([]).into())
}

/// `HASH(0x00 || d)`: the leaf hash of leaf data `d`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    Hash(h.finalize().into())
}

/// `HASH(0x01 || left || right)`: an interior node.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left.0);
    h.update(right.0);
    Hash(h.finalize().into())
}

/// The largest power of two smaller than `n` (`n` ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Why a proof could not be made or did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf {index} is not in a tree of {size} entries")]
    IndexOutOfRange {
        /// The leaf index.
        index: u64,
        /// The tree size.
        size: u64,
    },
    /// The older tree is larger than the newer one.
    #[error("a tree of {old} entries cannot be extended by one of {new}")]
    OldLarger {
        /// The older size.
        old: u64,
        /// The newer size.
        new: u64,
    },
    /// A consistency proof from an empty tree was asked for: there is nothing to prove.
    #[error("a consistency proof from the empty tree proves nothing (first visit)")]
    OldEmpty,
    /// The tree holds fewer leaves than the size asked for.
    #[error("the tree has {have} entries, not {size}")]
    TreeTooSmall {
        /// The size asked for.
        size: u64,
        /// The leaves held.
        have: u64,
    },
    /// The proof has the wrong number of hashes for the sizes.
    #[error("the proof has the wrong length for these tree sizes")]
    WrongLength,
    /// The recomputed root is not the expected one.
    #[error("the proof leads to a different root hash")]
    RootMismatch,
}

/// A Merkle tree held in memory: the leaf hashes, and every complete aligned subtree, so roots
/// and proofs of any earlier size cost O(log² n) hashes.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// `levels[h][i]` is the hash of leaves `[i·2^h, (i+1)·2^h)`.
    levels: Vec<Vec<Hash>>,
}

impl Tree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.levels.first().map_or(0, |l| l.len() as u64)
    }

    /// Appends a leaf whose leaf hash is `leaf` (already `HASH(0x00 || d)`); returns its index.
    pub fn push_leaf_hash(&mut self, leaf: Hash) -> u64 {
        if self.levels.is_empty() {
            self.levels.push(Vec::new());
        }
        // levels[0] exists: pushed just above when the tree was empty.
        self.levels[0].push(leaf);
        let index = self.levels[0].len() as u64 - 1;
        let mut h = 0;
        while self.levels[h].len().is_multiple_of(2) {
            let level = &self.levels[h];
            let parent = node_hash(&level[level.len() - 2], &level[level.len() - 1]);
            if self.levels.len() == h + 1 {
                self.levels.push(Vec::new());
            }
            self.levels[h + 1].push(parent);
            h += 1;
        }
        index
    }

    /// Appends leaf data `d` (hashing it as `HASH(0x00 || d)`); returns its index.
    pub fn push(&mut self, data: &[u8]) -> u64 {
        self.push_leaf_hash(leaf_hash(data))
    }

    /// The leaf hash at `index`.
    pub fn leaf(&self, index: u64) -> Option<Hash> {
        self.levels
            .first()?
            .get(usize::try_from(index).ok()?)
            .copied()
    }

    /// `MTH(D[start:start+len])`, `len` ≥ 1, within the tree.
    fn subtree(&self, start: u64, len: u64) -> Hash {
        if len.is_power_of_two() && start.is_multiple_of(len) {
            let h = len.trailing_zeros() as usize;
            if let Some(hash) = self
                .levels
                .get(h)
                .and_then(|l| l.get(usize::try_from(start / len).ok()?))
            {
                return *hash;
            }
        }
        // len ≥ 2 here: every single leaf is in levels[0], which the callers checked.
        let k = split(len);
        node_hash(&self.subtree(start, k), &self.subtree(start + k, len - k))
    }

    fn check_size(&self, size: u64) -> Result<(), ProofError> {
        if size > self.size() {
            return Err(ProofError::TreeTooSmall {
                size,
                have: self.size(),
            });
        }
        Ok(())
    }

    /// The root hash of the first `size` leaves (RFC 9162 section 2.1.1).
    pub fn root(&self, size: u64) -> Result<Hash, ProofError> {
        self.check_size(size)?;
        Ok(if size == 0 {
            empty_root()
        } else {
            self.subtree(0, size)
        })
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves:
    /// `PATH(m, D_n)` of RFC 9162 section 2.1.3.1.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(size)?;
        if index >= size {
            return Err(ProofError::IndexOutOfRange { index, size });
        }
        let mut proof = Vec::new();
        self.path(index, 0, size, &mut proof);
        Ok(proof)
    }

    /// "PATH(m, D\[n\]) = PATH(m, D\[0:k\]) : MTH(D\[k:n\]) for m < k; and
    /// PATH(m, D\[n\]) = PATH(m - k, D\[k:n\]) : MTH(D\[0:k\]) for m >= k" — leaves first, root last.
    fn path(&self, m: u64, start: u64, n: u64, proof: &mut Vec<Hash>) {
        if n <= 1 {
            return;
        }
        let k = split(n);
        if m < k {
            self.path(m, start, k, proof);
            proof.push(self.subtree(start + k, n - k));
        } else {
            self.path(m - k, start + k, n - k, proof);
            proof.push(self.subtree(start, k));
        }
    }

    /// The consistency proof between the trees of the first `old` and `new` leaves:
    /// `PROOF(m, D_n) = SUBPROOF(m, D_n, true)` of RFC 9162 section 2.1.4.1.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        self.check_size(new)?;
        if old > new {
            return Err(ProofError::OldLarger { old, new });
        }
        if old == 0 {
            return Err(ProofError::OldEmpty);
        }
        let mut proof = Vec::new();
        self.subproof(old, 0, new, true, &mut proof);
        Ok(proof)
    }

    /// "SUBPROOF(m, D\[m\], true) = {}; SUBPROOF(m, D\[m\], false) = {MTH(D\[m\])}; for m <= k:
    /// SUBPROOF(m, D\[n\], b) = SUBPROOF(m, D\[0:k\], b) : MTH(D\[k:n\]); for m > k:
    /// SUBPROOF(m, D\[n\], b) = SUBPROOF(m - k, D\[k:n\], false) : MTH(D\[0:k\])".
    fn subproof(&self, m: u64, start: u64, n: u64, whole: bool, proof: &mut Vec<Hash>) {
        if m == n {
            if !whole {
                proof.push(self.subtree(start, n));
            }
            return;
        }
        let k = split(n);
        if m <= k {
            self.subproof(m, start, k, whole, proof);
            proof.push(self.subtree(start + k, n - k));
        } else {
            self.subproof(m - k, start + k, n - k, false, proof);
            proof.push(self.subtree(start, k));
        }
    }
}

/// Verifies that `leaf` (a leaf hash) is leaf `index` of the tree of `size` leaves with root
/// `root` (RFC 9162 section 2.1.3.2):
///
/// > "1. Compare leaf_index from the inclusion_proof_v2 structure against tree_size. If
/// > leaf_index is greater than or equal to tree_size, then fail the proof verification. …
/// > 8. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r and the
/// > root_hash are equal, then the log has proven the inclusion of hash."
pub fn verify_inclusion(
    leaf: &Hash,
    index: u64,
    size: u64,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if !constant_time_eq(&r, root) {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Verifies that the tree of `new_size` leaves with root `new_root` extends the tree of
/// `old_size` leaves with root `old_root` (RFC 9162 section 2.1.4.2):
///
/// > "1. If consistency_path is an empty array, stop and fail the proof verification.
/// > 2. If first is an exact power of 2, then prepend first_hash to the consistency_path array. …
/// > 7. After completing iterating through the consistency_path array as described above,
/// > verify that the fr calculated is equal to the first_hash supplied, that the sr calculated
/// > is equal to the second_hash supplied, and that sn is 0."
///
/// Equal sizes need an empty proof and equal roots; an old size of 0 is [`ProofError::OldEmpty`]
/// (nothing to prove: the caller handles the first visit explicitly).
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    proof: &[Hash],
    old_root: &Hash,
    new_root: &Hash,
) -> Result<(), ProofError> {
    if old_size > new_size {
        return Err(ProofError::OldLarger {
            old: old_size,
            new: new_size,
        });
    }
    if old_size == 0 {
        return Err(ProofError::OldEmpty);
    }
    if old_size == new_size {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if constant_time_eq(old_root, new_root) {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old_size.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let (mut fn_, mut sn) = (old_size - 1, new_size - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    // path is not empty: the proof was checked to be non-empty above.
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if !constant_time_eq(&fr, old_root) || !constant_time_eq(&sr, new_root) {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

fn constant_time_eq(a: &Hash, b: &Hash) -> bool {
    a.0.iter()
        .zip(b.0.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
