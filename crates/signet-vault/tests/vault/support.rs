//! What the tests share: a folder, a keyring that lives as long as the test, a clock.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use keyring_core::CredentialStore;
use signet_core::FixedClock;
use signet_vault::{KeySlots, KeyStore, KeyringStore, Vault, VaultError, VaultKey};

/// A temporary folder with a vault path in it, and an in-memory keyring shared by every
/// `KeyringStore` the test makes (so that a reopened vault finds its key).
pub struct Scene {
    pub dir: tempfile::TempDir,
    pub keyring: Arc<CredentialStore>,
    pub clock: Arc<FixedClock>,
}

impl Scene {
    pub fn new() -> Self {
        let keyring: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
        Self {
            dir: tempfile::tempdir().unwrap(),
            keyring,
            clock: Arc::new(FixedClock::from_unix(1_767_225_600)),
        }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("vault.db")
    }

    pub fn store(&self) -> KeyringStore {
        KeyringStore::new(&self.keyring, "test").unwrap()
    }

    pub fn open(&self) -> Result<Vault, VaultError> {
        Vault::open(self.path(), Box::new(self.store()), self.clock.clone())
    }

    pub fn slots(&self) -> KeySlots {
        self.store().load().unwrap().expect("a key is stored")
    }
}

/// A connection to a vault file with a raw key, bypassing the vault: for tests that tamper.
pub fn raw(path: &Path, key: &VaultKey) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    let hex: String = key.expose().iter().map(|b| format!("{b:02x}")).collect();
    conn.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))
        .unwrap();
    conn
}

/// Whether `key` opens the file at `path` (a fresh connection, read only).
pub fn opens_with(path: &Path, key: &VaultKey) -> bool {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let hex: String = key.expose().iter().map(|b| format!("{b:02x}")).collect();
    conn.execute_batch(&format!("PRAGMA key = \"x'{hex}'\";"))
        .unwrap();
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
        row.get::<_, i64>(0)
    })
    .is_ok()
}

/// Every file in the folder, with its bytes.
pub fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    out.sort();
    out
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

/// A key store that forwards to another and fails its `save` from the `fail_at`-th call on:
/// a crash between two steps of a rotation, as far as the store can tell.
#[derive(Debug)]
pub struct FailingStore<S> {
    pub inner: S,
    pub saves: std::sync::atomic::AtomicUsize,
    pub fail_at: usize,
}

impl<S: KeyStore> KeyStore for FailingStore<S> {
    fn load(&self) -> Result<Option<KeySlots>, VaultError> {
        self.inner.load()
    }
    fn new_key(&self) -> Result<VaultKey, VaultError> {
        self.inner.new_key()
    }
    fn save(&self, slots: &KeySlots) -> Result<(), VaultError> {
        let n = self.saves.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
        if n >= self.fail_at {
            return Err(VaultError::KeyringUnavailable {
                reason: format!("simulated crash at save {n}"),
            });
        }
        self.inner.save(slots)
    }
    fn forget(&self) -> Result<(), VaultError> {
        self.inner.forget()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
}
