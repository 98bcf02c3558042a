//! Opening, writing, rotating and wiping the vault.

use std::fmt;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use signet_core::Clock;
use zeroize::Zeroizing;

use crate::VaultError;
use crate::key::{KeySlots, VaultKey};
use crate::schema::{self, SCHEMA_VERSION};
use crate::store::KeyStore;

/// SQLCipher 4's page size: an intact vault file is a whole number of pages.
const PAGE_SIZE: u64 = 4096;
/// How every plaintext SQLite file begins; no vault file may.
pub const PLAINTEXT_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// How durable a write must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Durability {
    /// WAL with `synchronous = NORMAL`: survives a crash of Signet, may lose the last writes on a
    /// power cut. For what can be fetched again (holdings, usage entries, notifications, settings).
    Normal,
    /// `synchronous = FULL` and a new write generation, recorded beside the key: survives a power
    /// cut, and an older copy of the file is detected. For checkpoints, consent receipts and the
    /// signing history.
    Full,
}

/// The encrypted local cache, open.
pub struct Vault {
    pub(crate) conn: Connection,
    path: PathBuf,
    store: Box<dyn KeyStore>,
    slots: KeySlots,
    pub(crate) clock: Arc<dyn Clock>,
}

impl fmt::Debug for Vault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("store", &self.store)
            .field("generation", &self.slots.generation)
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Opens the vault at `path` with the key kept in `store`, creating both when neither exists.
    ///
    /// Every check happens before anything is written, so a failure leaves the file as it was:
    /// a key in the store but no file → a new vault; a file but no key → [`VaultError::KeyMissing`];
    /// a key that does not open it → [`VaultError::WrongKey`]; a file that is not a whole
    /// number of pages, is plaintext, or fails its page authentication → [`VaultError::Corrupted`];
    /// a schema too new → [`VaultError::TooNew`]; a write generation below the one beside the key →
    /// [`VaultError::RolledBack`].
    ///
    /// A key rotation that was interrupted is completed or abandoned here, whichever key opens
    /// the file.
    pub fn open(
        path: impl Into<PathBuf>,
        store: Box<dyn KeyStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, VaultError> {
        Self::open_at_schema(path.into(), store, clock, SCHEMA_VERSION)
    }

    pub(crate) fn open_at_schema(
        path: PathBuf,
        store: Box<dyn KeyStore>,
        clock: Arc<dyn Clock>,
        target_schema: u32,
    ) -> Result<Self, VaultError> {
        let mut exists = check_file(&path)?;
        // One first opening at a time, across threads and processes: two at once would each make
        // a key, and the file would then be keyed with the one the store no longer has. Whether
        // to make one is decided again under the lock.
        let _creating = if exists {
            None
        } else {
            let lock = CreationLock::take(&path)?;
            exists = check_file(&path)?;
            Some(lock)
        };
        let mut slots = match (store.load()?, exists) {
            (Some(slots), _) => slots,
            (None, true) => {
                return Err(VaultError::KeyMissing {
                    path,
                    store: store.describe(),
                });
            }
            (None, false) => {
                let slots = KeySlots::new(store.new_key()?);
                store.save(&slots)?;
                tracing::info!(path = %path.display(), "new vault key stored");
                slots
            }
        };

        if !exists && slots.generation > 0 {
            // The key has seen durable writes, so the file was deleted or replaced by an empty one:
            // starting afresh in its place would silently drop them.
            return Err(VaultError::RolledBack {
                path,
                found: 0,
                expected: slots.generation,
            });
        }
        let (mut conn, opened_with_pending) = unlock(&path, &slots, exists)?;
        let found_schema = schema::version(&conn)?;
        if found_schema > SCHEMA_VERSION {
            let readable_by = schema::readable_by(&conn)?;
            if readable_by > SCHEMA_VERSION {
                return Err(VaultError::TooNew {
                    path,
                    found: found_schema,
                    supported: SCHEMA_VERSION,
                });
            }
        }
        let found_generation = if found_schema == 0 {
            0
        } else {
            conn.query_row(
                "SELECT value FROM meta WHERE name = 'generation'",
                [],
                |row| row.get::<_, i64>(0),
            )
            .map(|value| u64::try_from(value).unwrap_or(0))?
        };
        if found_generation < slots.generation {
            return Err(VaultError::RolledBack {
                path,
                found: found_generation,
                expected: slots.generation,
            });
        }
        check_integrity(&conn, &path)?;

        // From here on the vault is accepted: reconcile the key store with the file.
        let mut changed = false;
        match (slots.pending.take(), opened_with_pending) {
            (Some(pending), true) => {
                slots.current = pending;
                changed = true;
                tracing::info!("vault key rotation completed after an interruption");
            }
            (Some(_), false) => {
                changed = true;
                tracing::info!("interrupted vault key rotation abandoned; the current key is kept");
            }
            (None, _) => {}
        }
        if found_generation > slots.generation {
            // The file was committed but the store not updated before a crash.
            slots.generation = found_generation;
            changed = true;
        }
        if changed {
            store.save(&slots)?;
        }

        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(VaultError::Corrupted {
                path,
                detail: format!("the database refuses WAL mode (it is in {mode} mode)"),
            });
        }
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        schema::migrate_to(&mut conn, target_schema)?;
        tracing::info!(
            schema_version = schema::version(&conn)?,
            generation = slots.generation,
            "vault open"
        );
        Ok(Self {
            conn,
            path,
            store,
            slots,
            clock,
        })
    }

    /// The vault file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The write generation: how many durable writes this vault has acknowledged.
    pub fn generation(&self) -> u64 {
        self.slots.generation
    }

    /// Re-encrypts the vault with a new key (`PRAGMA rekey`).
    ///
    /// The steps: the new key is stored as pending beside the current one; the file is rekeyed in
    /// one transaction; the new key becomes current and the old one is dropped. Interrupted
    /// anywhere, the file opens with exactly one of the two keys, and the next [`Vault::open`]
    /// reconciles the store with it.
    pub fn rotate_key(&mut self) -> Result<(), VaultError> {
        let mut slots = self.slots.duplicate();
        slots.pending = Some(self.store.new_key()?);
        self.store.save(&slots)?;
        tracing::info!("vault key rotation: new key stored as pending");
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        let rekeyed = slots
            .pending
            .as_ref()
            .map(|key| self.conn.execute_batch(&key_pragma("rekey", key)))
            .transpose();
        if let Err(err) = rekeyed {
            slots.pending = None;
            self.store.save(&slots)?;
            return Err(err.into());
        }
        if let Some(pending) = slots.pending.take() {
            slots.current = pending;
        }
        self.store.save(&slots)?;
        self.slots = slots;
        tracing::info!("vault key rotation completed");
        Ok(())
    }

    /// Checks every page and every index (`PRAGMA integrity_check`).
    pub fn check_integrity(&self) -> Result<(), VaultError> {
        let rows: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")?
            .query_map([], |row| row.get(0))?
            .collect::<Result<_, _>>()
            .map_err(|err| corrupted(&self.path, err))?;
        if rows == ["ok"] {
            Ok(())
        } else {
            Err(VaultError::Corrupted {
                path: self.path.clone(),
                detail: rows.join("; "),
            })
        }
    }

    /// "Forget me on this laptop": deletes the key and every file of the vault.
    pub fn wipe(self) -> Result<(), VaultError> {
        let Self {
            conn, path, store, ..
        } = self;
        conn.close().map_err(|(_, err)| VaultError::from(err))?;
        forget(&path, store.as_ref())
    }

    /// Runs `write` in one immediate transaction; for [`Durability::Full`] with `synchronous =
    /// FULL` and a new write generation, recorded in the key store after the commit.
    pub(crate) fn write<T>(
        &mut self,
        durability: Durability,
        write: impl FnOnce(&Transaction<'_>) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        let full = durability == Durability::Full;
        if full {
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        let result = self.transaction(full, write);
        if full && let Err(err) = self.conn.pragma_update(None, "synchronous", "NORMAL") {
            tracing::warn!(error = %err, "cannot return the vault to synchronous = NORMAL");
        }
        let (value, generation) = result?;
        if let Some(generation) = generation {
            self.slots.generation = generation;
            // The record is committed: a failure here only delays the generation beside the key,
            // which the next open repairs from the file.
            if let Err(err) = self.store.save(&self.slots) {
                tracing::warn!(error = %err, generation, "cannot record the vault generation beside the key");
            }
        }
        Ok(value)
    }

    fn transaction<T>(
        &mut self,
        full: bool,
        write: impl FnOnce(&Transaction<'_>) -> Result<T, VaultError>,
    ) -> Result<(T, Option<u64>), VaultError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = write(&tx)?;
        let generation = if full {
            // Another connection to the same file (another operation of the same run) may have
            // raised it since this one opened: read under the write lock, never go back.
            let in_file: i64 = tx.query_row(
                "SELECT value FROM meta WHERE name = 'generation'",
                [],
                |row| row.get(0),
            )?;
            let next = self
                .slots
                .generation
                .max(u64::try_from(in_file).unwrap_or(0))
                + 1;
            tx.execute(
                "UPDATE meta SET value = ?1 WHERE name = 'generation'",
                [i64::try_from(next).unwrap_or(i64::MAX)],
            )?;
            Some(next)
        } else {
            None
        };
        tx.commit()?;
        Ok((value, generation))
    }

    /// The clock's time in milliseconds since the Unix epoch.
    pub(crate) fn now_millis(&self) -> i64 {
        to_millis(self.clock.now())
    }
}

/// An exclusive lock on `<vault>.lock` (an empty file beside the vault), held while a vault that
/// does not exist yet is opened (and so made); the file is removed when the lock is dropped. A
/// waiter that gets the lock afterwards finds the vault made and opens it as it is.
struct CreationLock {
    file: std::fs::File,
    path: PathBuf,
}

impl CreationLock {
    fn take(vault: &Path) -> Result<Self, VaultError> {
        let mut name = vault.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        loop {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|err| VaultError::io("open", &path, err))?;
            file.lock()
                .map_err(|err| VaultError::io("lock", &path, err))?;
            // The holder before this one removes the file as it lets go: a lock then taken on
            // the removed file excludes nobody who opens the path afresh. Only a lock on the
            // file still at the path counts; otherwise take it again.
            if Self::is_at_path(&file, &path) {
                return Ok(Self { file, path });
            }
        }
    }

    #[cfg(unix)]
    fn is_at_path(file: &std::fs::File, path: &Path) -> bool {
        use std::os::unix::fs::MetadataExt as _;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(held), Ok(there)) => held.dev() == there.dev() && held.ino() == there.ino(),
            _ => false,
        }
    }

    #[cfg(not(unix))]
    fn is_at_path(_file: &std::fs::File, path: &Path) -> bool {
        path.exists()
    }
}

impl Drop for CreationLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Deletes a vault that cannot be opened (its key is missing, its file is damaged): the key
/// first, so that whatever remains of the files is unreadable, then the files.
pub fn forget(path: &Path, store: &dyn KeyStore) -> Result<(), VaultError> {
    store.forget()?;
    for suffix in ["", "-wal", "-shm", "-journal", ".lock"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(VaultError::io("delete", PathBuf::from(name), err)),
        }
    }
    tracing::info!(path = %path.display(), "vault forgotten");
    Ok(())
}

pub(crate) fn to_millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    })
}

pub(crate) fn from_millis(millis: i64) -> SystemTime {
    UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}

/// `PRAGMA key = "x'…'"` (or `rekey`), in a buffer that is wiped on drop.
pub(crate) fn key_pragma(pragma: &str, key: &VaultKey) -> Zeroizing<String> {
    let literal = key.sqlcipher_literal();
    let mut sql = Zeroizing::new(String::with_capacity(pragma.len() + literal.len() + 16));
    sql.push_str("PRAGMA ");
    sql.push_str(pragma);
    sql.push_str(" = \"");
    sql.push_str(&literal);
    sql.push_str("\";");
    sql
}

/// Whether the file exists with content, after checks that need no key: a whole number of pages,
/// and not a plaintext SQLite file.
fn check_file(path: &Path) -> Result<bool, VaultError> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(err) => return Err(VaultError::io("open", path, err)),
    };
    let len = file
        .metadata()
        .map_err(|err| VaultError::io("read", path, err))?
        .len();
    if len == 0 {
        // A vault just made in WAL mode may have everything in its write-ahead log until the
        // first checkpoint: it exists all the same.
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        return Ok(std::fs::metadata(PathBuf::from(wal)).is_ok_and(|m| m.len() > 0));
    }
    let mut head = [0u8; 16];
    file.read_exact(&mut head)
        .map_err(|err| VaultError::io("read", path, err))?;
    if head == *PLAINTEXT_HEADER {
        return Err(VaultError::Corrupted {
            path: path.to_owned(),
            detail: "it is a plaintext SQLite file, not an encrypted vault".into(),
        });
    }
    if len % PAGE_SIZE != 0 {
        return Err(VaultError::Corrupted {
            path: path.to_owned(),
            detail: format!(
                "its size ({len} bytes) is not a whole number of {PAGE_SIZE}-byte pages: it was truncated or appended to"
            ),
        });
    }
    Ok(true)
}

/// Opens the file with the current key, or the pending one; `true` when the pending one opened it.
fn unlock(path: &Path, slots: &KeySlots, exists: bool) -> Result<(Connection, bool), VaultError> {
    match connect(path, &slots.current, exists) {
        Ok(conn) => return Ok((conn, false)),
        Err(Unlock::WrongKey) => {}
        Err(Unlock::Failed(err)) => return Err(err),
    }
    if let Some(pending) = &slots.pending {
        match connect(path, pending, exists) {
            Ok(conn) => return Ok((conn, true)),
            Err(Unlock::WrongKey) => {}
            Err(Unlock::Failed(err)) => return Err(err),
        }
    }
    Err(VaultError::WrongKey {
        path: path.to_owned(),
    })
}

enum Unlock {
    WrongKey,
    Failed(VaultError),
}

fn connect(path: &Path, key: &VaultKey, exists: bool) -> Result<Connection, Unlock> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if !exists {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let failed = |err: rusqlite::Error| Unlock::Failed(err.into());
    let conn = Connection::open_with_flags(path, flags).map_err(failed)?;
    // SQLCipher's own log goes to standard error: a wrong key would print lines about failed
    // page checks there. The vault reports every failure as a `VaultError` instead.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")
        .map_err(failed)?;
    conn.execute_batch(&key_pragma("key", key))
        .map_err(failed)?;
    // Temporary tables and indices never touch the disk.
    conn.pragma_update(None, "temp_store", "MEMORY")
        .map_err(failed)?;
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| {
        row.get::<_, i64>(0)
    }) {
        Ok(_) => Ok(conn),
        Err(err) if err.sqlite_error_code() == Some(ErrorCode::NotADatabase) => {
            Err(Unlock::WrongKey)
        }
        Err(err) => Err(Unlock::Failed(corrupted(path, err))),
    }
}

/// `PRAGMA quick_check`: reads every page, so a page whose authentication code fails is found.
fn check_integrity(conn: &Connection, path: &Path) -> Result<(), VaultError> {
    let rows: Vec<String> = conn
        .prepare("PRAGMA quick_check")?
        .query_map([], |row| row.get(0))?
        .collect::<Result<_, _>>()
        .map_err(|err| corrupted(path, err))?;
    if rows == ["ok"] {
        Ok(())
    } else {
        Err(VaultError::Corrupted {
            path: path.to_owned(),
            detail: rows.join("; "),
        })
    }
}

fn corrupted(path: &Path, err: rusqlite::Error) -> VaultError {
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseCorrupt | ErrorCode::NotADatabase) => VaultError::Corrupted {
            path: path.to_owned(),
            detail: err.to_string(),
        },
        _ => VaultError::Database(err),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use signet_core::FixedClock;

    use super::*;
    use crate::store::KeyringStore;

    /// A waiter that gets the creation lock after its holder removed the lock file holds the
    /// file at the path again, not the removed one: a newcomer opening the path then waits.
    #[cfg(unix)]
    #[test]
    fn the_creation_lock_taken_after_its_file_was_removed_is_on_the_file_at_the_path() {
        use std::os::unix::fs::MetadataExt as _;
        let dir = tempfile::tempdir().unwrap();
        let vault = dir.path().join("vault.db");
        let first = CreationLock::take(&vault).unwrap();
        let waiter = {
            let vault = vault.clone();
            std::thread::spawn(move || CreationLock::take(&vault).unwrap())
        };
        // The waiter blocks on the first holder's file, which is removed as it is let go.
        std::thread::sleep(std::time::Duration::from_millis(300));
        drop(first);
        let second = waiter.join().unwrap();
        let held = second.file.metadata().unwrap();
        let there = std::fs::metadata(&second.path).unwrap();
        assert_eq!((held.dev(), held.ino()), (there.dev(), there.ino()));
        // And so a newcomer cannot take it while it is held.
        let newcomer = std::fs::File::open(&second.path).unwrap();
        assert!(newcomer.try_lock().is_err());
        drop(second);
        assert!(!std::path::Path::new(&format!("{}.lock", vault.display())).exists());
    }

    fn scene() -> (tempfile::TempDir, Arc<keyring_core::CredentialStore>) {
        let keyring: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
        (tempfile::tempdir().unwrap(), keyring)
    }

    fn open(
        dir: &tempfile::TempDir,
        keyring: &Arc<keyring_core::CredentialStore>,
        schema: u32,
    ) -> Vault {
        let store = KeyringStore::new(keyring, "unit").unwrap();
        Vault::open_at_schema(
            dir.path().join("vault.db"),
            Box::new(store),
            Arc::new(FixedClock::from_unix(1_767_225_600)),
            schema,
        )
        .unwrap()
    }

    fn columns(conn: &Connection) -> Vec<String> {
        let mut statement = conn
            .prepare(
                "SELECT m.name || '.' || p.name || ' ' || p.type FROM sqlite_master m, pragma_table_info(m.name) p
                 WHERE m.type = 'table' ORDER BY 1",
            )
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    /// From every earlier schema version, with data written at that version, to the newest.
    #[test]
    fn every_earlier_schema_migrates_to_the_newest_and_keeps_its_records() {
        let (dir, keyring) = scene();
        let mut fresh = open(&dir, &keyring, SCHEMA_VERSION);
        fresh
            .record_signing(
                "x.pdf",
                &[0; 32],
                crate::SignatureFormat::Pades,
                signet_core::BaselineLevel::B_B,
                crate::SigningOutcome::Signed,
            )
            .unwrap();
        let newest = columns(&fresh.conn);
        drop(fresh);

        for from in 0..SCHEMA_VERSION {
            let (dir, keyring) = scene();
            let mut old = open(&dir, &keyring, from);
            assert_eq!(schema::version(&old.conn).unwrap(), from);
            if from >= 1 {
                // Records every version since 1 has: written with that version's columns.
                old.conn
                    .execute_batch(
                        "INSERT INTO notifications (kind, title, body, created_at) VALUES ('usage', 't', 'b', 1);
                         INSERT INTO settings (name, value) VALUES ('language', 'et');",
                    )
                    .unwrap();
                old.put_checkpoint(&crate::LogId::new("log").unwrap(), 7, &[7; 32], b"note")
                    .unwrap();
            }
            drop(old);

            let new = open(&dir, &keyring, SCHEMA_VERSION);
            assert_eq!(
                schema::version(&new.conn).unwrap(),
                SCHEMA_VERSION,
                "from {from}"
            );
            assert_eq!(columns(&new.conn), newest, "from {from}");
            new.check_integrity().unwrap();
            if from >= 1 {
                let notifications = new.notifications().unwrap();
                assert_eq!(notifications.len(), 1, "from {from}");
                assert!(notifications[0].read_at.is_none());
                assert_eq!(new.setting("language").unwrap().as_deref(), Some("et"));
                let checkpoint = new
                    .latest_checkpoint(&crate::LogId::new("log").unwrap())
                    .unwrap()
                    .unwrap();
                assert_eq!(checkpoint.tree_size, 7);
                assert_eq!(
                    new.generation(),
                    1,
                    "from {from}: the generation survives migration"
                );
            }
        }
    }

    #[test]
    fn the_connection_keeps_temporary_data_in_memory_and_writes_through_a_wal() {
        let (dir, keyring) = scene();
        let vault = open(&dir, &keyring, SCHEMA_VERSION);
        let temp_store: i64 = vault
            .conn
            .pragma_query_value(None, "temp_store", |row| row.get(0))
            .unwrap();
        assert_eq!(temp_store, 2, "2 is MEMORY");
        let mode: String = vault
            .conn
            .pragma_query_value(None, "journal_mode", |row| row.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let synchronous: i64 = vault
            .conn
            .pragma_query_value(None, "synchronous", |row| row.get(0))
            .unwrap();
        assert_eq!(synchronous, 1, "NORMAL between durable writes");
    }

    #[test]
    fn a_durable_write_raises_the_generation_in_the_file_and_the_store() {
        let (dir, keyring) = scene();
        let mut vault = open(&dir, &keyring, SCHEMA_VERSION);
        vault.put_setting("a", "b").unwrap();
        assert_eq!(vault.generation(), 0, "settings are not durable writes");
        vault
            .put_consent_receipt(&crate::ConsentId::new("c").unwrap(), b"r")
            .unwrap();
        assert_eq!(vault.generation(), 1);
        let in_file: i64 = vault
            .conn
            .query_row(
                "SELECT value FROM meta WHERE name = 'generation'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(in_file, 1);
        let stored = KeyringStore::new(&keyring, "unit")
            .unwrap()
            .load()
            .unwrap()
            .unwrap();
        assert_eq!(stored.generation, 1);
    }
}
