//! The checks of shared signatures (certificates, CRLs) that succeeded in this process, remembered by a digest of everything
//! the check depends on (the key, the algorithm, the message and the signature, each with its
//! length), so that the certificates, CRLs and trusted lists that many documents share are not
//! checked again with the public key for every document. A check is a pure function of those
//! inputs: a remembered success is the same answer the key would give. Failures are never
//! remembered. The memo holds at most [`CAPACITY`] entries and starts again when full.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};

use der::Encode as _;
use sha2::Digest as _;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// At most this many remembered checks (32 bytes each).
const CAPACITY: usize = 8192;

static VERIFIED: OnceLock<Mutex<HashSet<[u8; 32]>>> = OnceLock::new();

fn memo() -> std::sync::MutexGuard<'static, HashSet<[u8; 32]>> {
    VERIFIED
        .get_or_init(|| Mutex::new(HashSet::new()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// The digest that names this check, or `None` when the key or algorithm cannot be encoded
/// (then the check is simply not remembered).
pub(super) fn key(
    spki: &SubjectPublicKeyInfoOwned,
    alg: &AlgorithmIdentifierOwned,
    message: &[u8],
    signature: &[u8],
) -> Option<[u8; 32]> {
    let spki = spki.to_der().ok()?;
    let alg = alg.to_der().ok()?;
    let mut h = sha2::Sha256::new();
    for part in [&spki[..], &alg[..], message, signature] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    Some(h.finalize().into())
}

/// Whether this check succeeded before.
pub(super) fn known(key: &[u8; 32]) -> bool {
    memo().contains(key)
}

/// Remembers a check that succeeded.
pub(super) fn remember(key: [u8; 32]) {
    let mut memo = memo();
    if memo.len() >= CAPACITY {
        memo.clear();
    }
    memo.insert(key);
}
