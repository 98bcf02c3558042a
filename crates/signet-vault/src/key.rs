//! The vault key and the slots it is kept in.
//!
//! A [`VaultKey`] is 32 bytes handed to SQLCipher as a raw key (no key derivation inside SQLCipher).
//! The bytes live in one heap allocation (a `secrecy::SecretBox`, so moving a key moves a pointer
//! and leaves no copies behind), are filled in place, zeroize on drop, print `<redacted>`, and
//! cannot be serialised: the only way out is [`VaultKey::expose`] at the one place that needs them.
//!
//! [`KeySlots`] is what a key store keeps: the current key, during a rotation the pending one, and
//! the write generation that detects a rolled-back database.

use std::fmt;

use secrecy::{ExposeSecret as _, ExposeSecretMut as _, SecretBox};
use zeroize::Zeroizing;

use crate::VaultError;

/// The length of a vault key in bytes (AES-256).
pub const KEY_LEN: usize = 32;
/// The length of an Argon2id salt in bytes.
pub(crate) const SALT_LEN: usize = 16;

/// A secret key that opens a vault.
pub struct VaultKey {
    bytes: SecretBox<[u8; KEY_LEN]>,
    /// For a key derived from a passphrase, the salt it was derived with (not secret).
    pub(crate) salt: Option<[u8; SALT_LEN]>,
}

impl VaultKey {
    /// A key from 32 bytes; the caller's copy should be zeroized by the caller.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        Self {
            bytes: SecretBox::new(Box::new(bytes)),
            salt: None,
        }
    }

    /// A key whose bytes `fill` writes in place; on an error the partial key is wiped.
    pub(crate) fn try_fill<E>(
        fill: impl FnOnce(&mut [u8; KEY_LEN]) -> Result<(), E>,
    ) -> Result<Self, E> {
        let mut bytes = SecretBox::<[u8; KEY_LEN]>::init_with_mut(|_| {});
        fill(bytes.expose_secret_mut())?;
        Ok(Self { bytes, salt: None })
    }

    /// 32 fresh random bytes from the operating system.
    pub fn random() -> Result<Self, VaultError> {
        Self::try_fill(|bytes| getrandom::fill(bytes))
            .map_err(|err| VaultError::Random(err.to_string()))
    }

    /// The raw bytes, for the one place that hands them to SQLCipher or a key store.
    pub fn expose(&self) -> &[u8; KEY_LEN] {
        self.bytes.expose_secret()
    }

    /// `x'…'`: the key as SQLCipher's raw-key literal, in a buffer that is wiped on drop.
    pub(crate) fn sqlcipher_literal(&self) -> Zeroizing<String> {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut literal = Zeroizing::new(String::with_capacity(3 + 2 * KEY_LEN + 1));
        literal.push_str("x'");
        for byte in self.expose() {
            literal.push(char::from(HEX[usize::from(byte >> 4)]));
            literal.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
        literal.push('\'');
        literal
    }

    pub(crate) fn duplicate(&self) -> Self {
        Self {
            bytes: SecretBox::init_with_mut(|copy: &mut [u8; KEY_LEN]| {
                copy.copy_from_slice(self.expose());
            }),
            salt: self.salt,
        }
    }
}

impl fmt::Debug for VaultKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaultKey(<redacted>)")
    }
}

impl PartialEq for VaultKey {
    /// Compares the bytes (not in constant time: keys are only compared in tests and rotation).
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

/// What a key store keeps for one vault.
#[derive(Debug)]
pub struct KeySlots {
    /// The key the vault is encrypted with.
    pub current: VaultKey,
    /// During a rotation: the key the vault is being re-encrypted with. After an interruption the
    /// vault opens with exactly one of `current` and `pending`.
    pub pending: Option<VaultKey>,
    /// The write generation of the newest database this laptop acknowledged.
    pub generation: u64,
}

impl KeySlots {
    /// Slots for a new vault.
    pub fn new(current: VaultKey) -> Self {
        Self {
            current,
            pending: None,
            generation: 0,
        }
    }

    pub(crate) fn duplicate(&self) -> Self {
        Self {
            current: self.current.duplicate(),
            pending: self.pending.as_ref().map(VaultKey::duplicate),
            generation: self.generation,
        }
    }

    const MAGIC: &'static [u8; 4] = b"SGV1";

    /// The slots as the bytes of one keyring secret: `SGV1`, the generation (8 bytes, big
    /// endian), the current key, and the pending key when there is one.
    pub(crate) fn to_secret(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(4 + 8 + 2 * KEY_LEN));
        out.extend_from_slice(Self::MAGIC);
        out.extend_from_slice(&self.generation.to_be_bytes());
        out.extend_from_slice(self.current.expose());
        if let Some(pending) = &self.pending {
            out.extend_from_slice(pending.expose());
        }
        out
    }

    /// Reads [`KeySlots::to_secret`]'s format; `None` when the bytes are not in it.
    pub(crate) fn from_secret(secret: &[u8]) -> Option<Self> {
        let rest = secret.strip_prefix(Self::MAGIC)?;
        let (generation, keys) = rest.split_first_chunk::<8>()?;
        let key = |bytes: &[u8]| -> Option<VaultKey> {
            VaultKey::try_fill(|key: &mut [u8; KEY_LEN]| {
                key.copy_from_slice(bytes.get(..KEY_LEN).ok_or(())?);
                Ok::<(), ()>(())
            })
            .ok()
        };
        let (current, pending) = match keys.len() {
            KEY_LEN => (key(keys)?, None),
            len if len == 2 * KEY_LEN => (key(&keys[..KEY_LEN])?, Some(key(&keys[KEY_LEN..])?)),
            _ => return None,
        };
        Some(Self {
            current,
            pending,
            generation: u64::from_be_bytes(*generation),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_never_print_their_bytes() {
        let key = VaultKey::from_bytes([0xab; KEY_LEN]);
        let shown = format!("{key:?} {:?}", KeySlots::new(key.duplicate()));
        assert!(shown.contains("<redacted>"));
        assert!(!shown.to_lowercase().contains("ab, ab") && !shown.contains("171"));
    }

    #[test]
    fn random_keys_differ() {
        assert!(VaultKey::random().unwrap() != VaultKey::random().unwrap());
    }

    #[test]
    fn the_literal_is_sqlciphers_raw_key_form() {
        let mut bytes = [0u8; KEY_LEN];
        bytes[0] = 0x0f;
        bytes[31] = 0xa0;
        let literal = VaultKey::from_bytes(bytes).sqlcipher_literal();
        assert_eq!(literal.len(), 67);
        assert!(literal.starts_with("x'0f00"));
        assert!(literal.ends_with("00a0'"));
    }

    #[test]
    fn slots_survive_the_keyring_format() {
        let mut slots = KeySlots::new(VaultKey::random().unwrap());
        slots.generation = 0x0102_0304_0506_0708;
        let back = KeySlots::from_secret(&slots.to_secret()).unwrap();
        assert!(back.current == slots.current);
        assert!(back.pending.is_none());
        assert_eq!(back.generation, slots.generation);

        slots.pending = Some(VaultKey::random().unwrap());
        let back = KeySlots::from_secret(&slots.to_secret()).unwrap();
        assert!(back.pending.unwrap() == *slots.pending.as_ref().unwrap());

        let secret = slots.to_secret();
        assert!(KeySlots::from_secret(&secret[..secret.len() - 1]).is_none());
        assert!(KeySlots::from_secret(b"SGV2\0\0\0\0\0\0\0\0").is_none());
        assert!(KeySlots::from_secret(b"").is_none());
    }
}
