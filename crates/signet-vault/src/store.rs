//! Where the vault key is kept: the OS keyring, or derived from a passphrase the person chooses.
//!
//! A [`KeyStore`] keeps one vault's [`KeySlots`]. It never writes a key to a file: the keyring
//! holds the key itself; the passphrase store keeps only the salt and the write generation in a
//! file and derives the key again from the passphrase each time.

use std::fmt;
use std::sync::Arc;

use keyring_core::{CredentialStore, Entry};

use crate::VaultError;
use crate::key::{KeySlots, VaultKey};

/// A place that keeps the keys and the write generation of one vault.
pub trait KeyStore: fmt::Debug + Send {
    /// The slots, or `None` when nothing is stored for this vault yet.
    fn load(&self) -> Result<Option<KeySlots>, VaultError>;
    /// A new key for this store (random bytes, or the passphrase with a fresh salt). Nothing is
    /// stored until [`KeyStore::save`].
    fn new_key(&self) -> Result<VaultKey, VaultError>;
    /// Replaces what is stored, atomically.
    fn save(&self, slots: &KeySlots) -> Result<(), VaultError>;
    /// Deletes what is stored. Deleting nothing is not an error.
    fn forget(&self) -> Result<(), VaultError>;
    /// Where the key lives, for messages: never contains a secret.
    fn describe(&self) -> String;
}

/// A store shared between opens (signet-api keeps the passphrase store that opened the vault for
/// the rest of the run, so that the passphrase is asked once).
impl<S: KeyStore + Sync + ?Sized> KeyStore for Arc<S> {
    fn load(&self) -> Result<Option<KeySlots>, VaultError> {
        (**self).load()
    }
    fn new_key(&self) -> Result<VaultKey, VaultError> {
        (**self).new_key()
    }
    fn save(&self, slots: &KeySlots) -> Result<(), VaultError> {
        (**self).save(slots)
    }
    fn forget(&self) -> Result<(), VaultError> {
        (**self).forget()
    }
    fn describe(&self) -> String {
        (**self).describe()
    }
}

/// The keyring service name: release and development builds never share a key.
pub const KEYRING_SERVICE: &str = if cfg!(debug_assertions) {
    "ee.signet.vault.dev"
} else {
    "ee.signet.vault"
};

/// The keyring account of the person's one vault.
pub const DEFAULT_ACCOUNT: &str = "local-cache";

/// The vault's keys in one entry of an OS keyring (one secret, so every update is atomic).
pub struct KeyringStore {
    entry: Entry,
    account: String,
}

impl KeyringStore {
    /// The entry `(KEYRING_SERVICE, account)` in `store`.
    pub fn new(store: &Arc<CredentialStore>, account: &str) -> Result<Self, VaultError> {
        if account.is_empty() {
            return Err(VaultError::InvalidInput {
                what: "the keyring account",
                reason: "it is empty".into(),
            });
        }
        let entry = Entry::new_in_store(store, KEYRING_SERVICE, account)
            .map_err(|err| VaultError::keyring(&err))?;
        Ok(Self {
            entry,
            account: account.to_owned(),
        })
    }

    /// The Secret Service of the session bus (GNOME Keyring, KWallet, KeePassXC).
    ///
    /// Fails with [`VaultError::KeyringUnavailable`] when there is no session bus or no Secret
    /// Service on it: the vault never falls back to a key file.
    #[cfg(target_os = "linux")]
    pub fn secret_service(account: &str) -> Result<Self, VaultError> {
        let store: Arc<CredentialStore> = zbus_secret_service_keyring_store::Store::new()
            .map_err(|err| VaultError::keyring(&err))?;
        Self::new(&store, account)
    }
}

impl fmt::Debug for KeyringStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyringStore")
            .field("service", &KEYRING_SERVICE)
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl KeyStore for KeyringStore {
    fn load(&self) -> Result<Option<KeySlots>, VaultError> {
        match self.entry.get_secret() {
            Ok(secret) => {
                let secret = zeroize::Zeroizing::new(secret);
                KeySlots::from_secret(&secret).map(Some).ok_or_else(|| {
                    VaultError::KeyringUnavailable {
                        reason: format!(
                            "the keyring entry {} is not in Signet's format",
                            self.describe()
                        ),
                    }
                })
            }
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(err) => Err(VaultError::keyring(&err)),
        }
    }

    fn new_key(&self) -> Result<VaultKey, VaultError> {
        VaultKey::random()
    }

    fn save(&self, slots: &KeySlots) -> Result<(), VaultError> {
        self.entry
            .set_secret(&slots.to_secret())
            .map_err(|err| VaultError::keyring(&err))
    }

    fn forget(&self) -> Result<(), VaultError> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(err) => Err(VaultError::keyring(&err)),
        }
    }

    fn describe(&self) -> String {
        format!(
            "the system keyring (service {KEYRING_SERVICE}, account {})",
            self.account
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mock() -> Arc<CredentialStore> {
        keyring_core::mock::Store::new().unwrap()
    }

    #[test]
    fn development_and_release_builds_use_different_keyring_services() {
        if cfg!(debug_assertions) {
            assert_eq!(KEYRING_SERVICE, "ee.signet.vault.dev");
        } else {
            assert_eq!(KEYRING_SERVICE, "ee.signet.vault");
        }
    }

    #[test]
    fn slots_round_trip_through_a_keyring_and_are_forgotten() {
        let keyring = mock();
        let store = KeyringStore::new(&keyring, "a").unwrap();
        assert!(store.load().unwrap().is_none());
        let mut slots = KeySlots::new(store.new_key().unwrap());
        slots.generation = 5;
        store.save(&slots).unwrap();
        let back = KeyringStore::new(&keyring, "a")
            .unwrap()
            .load()
            .unwrap()
            .unwrap();
        assert!(back.current == slots.current);
        assert_eq!(back.generation, 5);
        // Another account is another vault.
        assert!(
            KeyringStore::new(&keyring, "b")
                .unwrap()
                .load()
                .unwrap()
                .is_none()
        );
        store.forget().unwrap();
        store.forget().unwrap();
        assert!(store.load().unwrap().is_none());
    }

    #[test]
    fn a_foreign_keyring_secret_is_refused_not_used() {
        let keyring = mock();
        let entry = Entry::new_in_store(&keyring, KEYRING_SERVICE, "a").unwrap();
        entry.set_secret(b"hunter2").unwrap();
        let err = KeyringStore::new(&keyring, "a")
            .unwrap()
            .load()
            .unwrap_err();
        assert!(
            matches!(err, VaultError::KeyringUnavailable { ref reason } if reason.contains("format")),
            "{err:?}"
        );
        assert!(!err.to_string().contains("hunter2"));
    }

    #[test]
    fn an_empty_account_is_refused() {
        assert!(matches!(
            KeyringStore::new(&mock(), ""),
            Err(VaultError::InvalidInput { .. })
        ));
    }
}
