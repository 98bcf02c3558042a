//! Authentication nonces: issued by the node, single use, five minutes of life.
//!
//! > "Nonce rules: ≥ 256 bits of entropy, base64 (clients reject nonces shorter than 44
//! > characters), single use (delete on lookup), bound to the session, TTL about 5 minutes"
//! > (data-protocol.md section 7).

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// How long an issued nonce may be used.
pub const NONCE_LIFETIME: Duration = Duration::from_secs(5 * 60);
/// The most nonces outstanding at once; the oldest are dropped beyond it.
const MAX_OUTSTANDING: usize = 100_000;

/// A nonce: the base64 text of at least 32 random bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Nonce(String);

impl Nonce {
    /// A nonce from 32 random bytes (the caller's randomness: this crate does no I/O).
    pub fn from_random(bytes: [u8; 32]) -> Self {
        Self(STANDARD.encode(bytes))
    }

    /// Reads a nonce: 44 to 512 characters of standard base64.
    pub fn parse(text: &str) -> Result<Self, NonceError> {
        let ok = (44..=512).contains(&text.len())
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=');
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(NonceError::Malformed)
        }
    }

    /// The text, as issued and as signed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a nonce was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NonceError {
    /// Not a nonce this node could have issued.
    #[error("the nonce is not base64 of at least 44 characters")]
    Malformed,
    /// Never issued, or forgotten.
    #[error("the nonce was not issued by this node")]
    Unknown,
    /// Used before.
    #[error("the nonce was already used")]
    Replayed,
    /// Issued more than five minutes ago.
    #[error("the nonce expired {ago_secs} s ago; ask for a new one")]
    Expired {
        /// Seconds since it expired.
        ago_secs: u64,
    },
}

/// The nonces a node has issued and not yet seen used.
#[derive(Debug, Default)]
pub struct NonceStore {
    issued: HashMap<Nonce, SystemTime>,
    used: HashMap<Nonce, SystemTime>,
}

impl NonceStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn prune(&mut self, now: SystemTime) {
        let alive = |t: &SystemTime| now.duration_since(*t).map_or(true, |d| d <= NONCE_LIFETIME);
        self.issued.retain(|_, t| alive(t));
        self.used.retain(|_, t| alive(t));
    }

    /// Records `nonce` as issued at `now`.
    pub fn issue(&mut self, nonce: Nonce, now: SystemTime) {
        if self.issued.len() >= MAX_OUTSTANDING {
            self.prune(now);
        }
        if self.issued.len() >= MAX_OUTSTANDING
            && let Some(oldest) = self
                .issued
                .iter()
                .min_by_key(|(_, t)| **t)
                .map(|(n, _)| n.clone())
        {
            self.issued.remove(&oldest);
        }
        self.issued.insert(nonce, now);
    }

    /// Uses `nonce` at `now`: it is forgotten whatever the answer.
    pub fn take(&mut self, nonce: &Nonce, now: SystemTime) -> Result<(), NonceError> {
        let Some(issued) = self.issued.remove(nonce) else {
            return Err(if self.used.contains_key(nonce) {
                NonceError::Replayed
            } else {
                NonceError::Unknown
            });
        };
        self.used.insert(nonce.clone(), issued);
        if self.used.len() > MAX_OUTSTANDING {
            self.prune(now);
        }
        let age = now.duration_since(issued).unwrap_or_default();
        if age > NONCE_LIFETIME {
            return Err(NonceError::Expired {
                ago_secs: (age - NONCE_LIFETIME).as_secs(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_use_and_five_minutes() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let mut store = NonceStore::new();
        let a = Nonce::from_random([1; 32]);
        let b = Nonce::from_random([2; 32]);
        assert_eq!(a.as_str().len(), 44);
        store.issue(a.clone(), t0);
        store.issue(b.clone(), t0);
        assert_eq!(store.take(&a, t0 + Duration::from_secs(299)), Ok(()));
        assert_eq!(
            store.take(&a, t0 + Duration::from_secs(299)),
            Err(NonceError::Replayed)
        );
        assert!(matches!(
            store.take(&b, t0 + Duration::from_secs(301)),
            Err(NonceError::Expired { .. })
        ));
        let c = Nonce::from_random([3; 32]);
        assert_eq!(store.take(&c, t0), Err(NonceError::Unknown));
        assert_eq!(Nonce::parse("short"), Err(NonceError::Malformed));
    }
}
