//! The fallback where no OS keyring is available: a key derived from a passphrase with Argon2id.
//!
//! The passphrase ([`Passphrase`], a secret type) is never stored. A small text file beside the
//! vault (its "passphrase file", [`PassphraseStore::file_beside`]) keeps what is not secret: the
//! Argon2id cost, the salt of the current key, during a rotation the salt of the pending key, and
//! the write generation. Its presence is also what marks a vault as a passphrase vault for the
//! callers (signet-api never consults the keyring for a vault that has one). The file is replaced
//! atomically (temporary file, fsync, rename, fsync of the folder).
//!
//! A store remembers the keys it derived (by cost and salt), so that opening the same vault again
//! in one run does not pay for Argon2id again; the keys are wiped with the store.
//!
//! Anti-rollback here is weaker than with a keyring: the generation sits in a file beside the
//! vault, so restoring an old copy of the vault alone is detected, restoring both files is not.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret as _, SecretString};

use crate::VaultError;
use crate::key::{KEY_LEN, KeySlots, SALT_LEN, VaultKey};
use crate::store::KeyStore;

/// Why Signet asks for a passphrase, for the UI to show before asking.
pub const WHY_A_PASSPHRASE: &str = "Signet keeps what agencies hold about you, who looked at it, your consents and what you signed, \
encrypted on this laptop. Its key is normally kept in your system keyring, but no keyring is \
available here. Choose a passphrase instead: Signet derives the key from it each time it starts, \
and never stores it. If you forget it, Signet cannot read this data again, but it can fetch the \
agencies' data anew.";

/// The passphrase a vault's key is derived from.
///
/// A secret type like [`VaultKey`]: the text lives in one `secrecy::SecretString` (wiped on
/// drop), `Debug` prints `<redacted>`, and there is no `Clone`, `Display` or `Serialize`. Only
/// the key derivation reads it.
pub struct Passphrase(SecretString);

impl Passphrase {
    /// Takes `text` as a passphrase: copied into the secret, so the caller wipes its own buffer
    /// (a `Zeroizing<String>`). An empty passphrase is refused.
    pub fn new(text: &str) -> Result<Self, VaultError> {
        if text.is_empty() {
            return Err(VaultError::InvalidInput {
                what: "the passphrase",
                reason: "it is empty".into(),
            });
        }
        // An exact-length copy: the conversion to a boxed `str` does not move it again.
        Ok(Self(SecretString::from(text.to_owned())))
    }

    /// How many characters it has (for a rule on new passphrases); never the text.
    pub fn chars(&self) -> usize {
        self.0.expose_secret().chars().count()
    }

    fn bytes(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }
}

impl fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// The cost of Argon2id: memory in KiB, passes, lanes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl Argon2Cost {
    /// RFC 9106 §4, the second recommended option: 64 MiB, 3 passes, 4 lanes.
    pub const RECOMMENDED: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 4,
    };

    /// The smallest cost Argon2 accepts: only for tests, where thousands of derivations run.
    pub const TESTS_ONLY: Self = Self {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };
}

/// The key Argon2id derives from `passphrase` at `cost` with `salt`; why not, when it cannot.
pub(crate) fn derive_key(
    passphrase: &Passphrase,
    cost: Argon2Cost,
    salt: [u8; SALT_LEN],
) -> Result<VaultKey, String> {
    let params = Params::new(
        cost.memory_kib,
        cost.iterations,
        cost.parallelism,
        Some(KEY_LEN),
    )
    .map_err(|err| format!("unusable Argon2id cost: {err}"))?;
    let mut key = VaultKey::try_fill(|bytes| {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into(
            passphrase.bytes(),
            &salt,
            bytes,
        )
    })
    .map_err(|err| format!("Argon2id failed: {err}"))?;
    key.salt = Some(salt);
    Ok(key)
}

/// A key derived from the person's passphrase; the salt and generation in a file beside the vault.
pub struct PassphraseStore {
    passphrase: Passphrase,
    file: PathBuf,
    cost: Argon2Cost,
    /// The keys derived so far, with the cost they were derived at (their salt is in the key).
    derived: Mutex<Vec<(Argon2Cost, VaultKey)>>,
}

impl PassphraseStore {
    /// The store whose non-secret half lives in `file`; `cost` applies to a new vault (an existing
    /// file keeps the cost it was written with).
    pub fn new(passphrase: Passphrase, file: impl Into<PathBuf>, cost: Argon2Cost) -> Self {
        Self {
            passphrase,
            file: file.into(),
            cost,
            derived: Mutex::new(Vec::new()),
        }
    }

    /// The passphrase file this store reads and writes.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The conventional passphrase file of a vault: its path with `.passphrase` appended.
    pub fn file_beside(vault: &Path) -> PathBuf {
        let mut name = vault.as_os_str().to_owned();
        name.push(".passphrase");
        PathBuf::from(name)
    }

    fn derive(&self, cost: Argon2Cost, salt: [u8; SALT_LEN]) -> Result<VaultKey, VaultError> {
        let mut derived = self.derived.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, key)) = derived
            .iter()
            .find(|(c, key)| *c == cost && key.salt == Some(salt))
        {
            return Ok(key.duplicate());
        }
        let key = derive_key(&self.passphrase, cost, salt).map_err(|err| self.damaged(err))?;
        // The current and the pending key are all a vault uses at once.
        if derived.len() >= 2 {
            derived.remove(0);
        }
        derived.push((cost, key.duplicate()));
        Ok(key)
    }

    fn damaged(&self, detail: String) -> VaultError {
        VaultError::PassphraseFileDamaged {
            path: self.file.clone(),
            detail,
        }
    }

    fn read(&self) -> Result<Option<PassphraseFile>, VaultError> {
        match std::fs::read_to_string(&self.file) {
            Ok(text) => PassphraseFile::parse(&text)
                .map(Some)
                .map_err(|detail| self.damaged(detail)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(VaultError::io("read", &self.file, err)),
        }
    }
}

impl fmt::Debug for PassphraseStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PassphraseStore")
            .field("passphrase", &"<redacted>")
            .field("file", &self.file)
            .field("cost", &self.cost)
            .finish_non_exhaustive()
    }
}

impl KeyStore for PassphraseStore {
    fn load(&self) -> Result<Option<KeySlots>, VaultError> {
        let Some(file) = self.read()? else {
            return Ok(None);
        };
        let current = self.derive(file.cost, file.salt)?;
        let pending = file
            .pending
            .map(|salt| self.derive(file.cost, salt))
            .transpose()?;
        Ok(Some(KeySlots {
            current,
            pending,
            generation: file.generation,
        }))
    }

    fn new_key(&self) -> Result<VaultKey, VaultError> {
        let cost = self.read()?.map_or(self.cost, |file| file.cost);
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).map_err(|err| VaultError::Random(err.to_string()))?;
        self.derive(cost, salt)
    }

    fn save(&self, slots: &KeySlots) -> Result<(), VaultError> {
        let cost = self
            .read()
            .ok()
            .flatten()
            .map_or(self.cost, |file| file.cost);
        let salt_of = |key: &VaultKey| {
            key.salt.ok_or_else(|| VaultError::InvalidInput {
                what: "the key",
                reason: "it was not derived from this passphrase store".into(),
            })
        };
        let file = PassphraseFile {
            cost,
            salt: salt_of(&slots.current)?,
            pending: slots.pending.as_ref().map(salt_of).transpose()?,
            generation: slots.generation,
        };
        write_atomically(&self.file, file.render().as_bytes())
    }

    fn forget(&self) -> Result<(), VaultError> {
        // The file, and a temporary copy a crash may have left behind.
        for path in [self.file.clone(), temporary_beside(&self.file)] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(VaultError::io("delete", path, err)),
            }
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!("the passphrase file {}", self.file.display())
    }
}

/// The passphrase file: not secret, versioned, one fact per line.
///
/// ```text
/// signet-vault-passphrase 1
/// argon2id 65536 3 4
/// salt 00112233445566778899aabbccddeeff
/// pending 00112233445566778899aabbccddeeff      (only during a rotation)
/// generation 42
/// ```
#[derive(Debug, PartialEq, Eq)]
struct PassphraseFile {
    cost: Argon2Cost,
    salt: [u8; SALT_LEN],
    pending: Option<[u8; SALT_LEN]>,
    generation: u64,
}

impl PassphraseFile {
    const HEADER: &'static str = "signet-vault-passphrase 1";

    fn render(&self) -> String {
        let mut out = format!(
            "{}\nargon2id {} {} {}\nsalt {}\n",
            Self::HEADER,
            self.cost.memory_kib,
            self.cost.iterations,
            self.cost.parallelism,
            hex(&self.salt)
        );
        if let Some(pending) = &self.pending {
            out.push_str(&format!("pending {}\n", hex(pending)));
        }
        out.push_str(&format!("generation {}\n", self.generation));
        out
    }

    fn parse(text: &str) -> Result<Self, String> {
        let mut lines = text.lines();
        if lines.next() != Some(Self::HEADER) {
            return Err(format!("it does not start with {:?}", Self::HEADER));
        }
        let (mut cost, mut salt, mut pending, mut generation) = (None, None, None, None);
        for line in lines {
            let mut words = line.split_whitespace();
            let number = |word: Option<&str>| -> Result<u32, String> {
                word.and_then(|w| w.parse().ok())
                    .ok_or_else(|| format!("bad line {line:?}"))
            };
            match words.next() {
                Some("argon2id") => {
                    cost = Some(Argon2Cost {
                        memory_kib: number(words.next())?,
                        iterations: number(words.next())?,
                        parallelism: number(words.next())?,
                    });
                }
                Some("salt") => {
                    salt = Some(unhex(words.next()).ok_or_else(|| format!("bad line {line:?}"))?)
                }
                Some("pending") => {
                    pending =
                        Some(unhex(words.next()).ok_or_else(|| format!("bad line {line:?}"))?);
                }
                Some("generation") => {
                    generation = Some(
                        words
                            .next()
                            .and_then(|w| w.parse::<u64>().ok())
                            .ok_or_else(|| format!("bad line {line:?}"))?,
                    );
                }
                // Lines a newer Signet added are kept out of the way, not refused.
                _ => {}
            }
        }
        Ok(Self {
            cost: cost.ok_or("no argon2id line")?,
            salt: salt.ok_or("no salt line")?,
            pending,
            generation: generation.ok_or("no generation line")?,
        })
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub(crate) fn unhex(text: Option<&str>) -> Option<[u8; SALT_LEN]> {
    let text = text?;
    if text.len() != 2 * SALT_LEN {
        return None;
    }
    let mut out = [0u8; SALT_LEN];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

fn temporary_beside(path: &Path) -> PathBuf {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    PathBuf::from(temporary)
}

/// Replaces `path` with `bytes` so that a crash leaves either the old or the new content.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), VaultError> {
    let temporary = temporary_beside(path);
    let mut file = std::fs::File::create(&temporary)
        .map_err(|err| VaultError::io("create", &temporary, err))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|err| VaultError::io("write", &temporary, err))?;
    drop(file);
    std::fs::rename(&temporary, path).map_err(|err| VaultError::io("replace", path, err))?;
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(folder)
            .and_then(|dir| dir.sync_all())
            .map_err(|err| VaultError::io("sync", folder, err))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_format_reads_back() {
        let file = PassphraseFile {
            cost: Argon2Cost::RECOMMENDED,
            salt: [7; SALT_LEN],
            pending: Some([0xfe; SALT_LEN]),
            generation: 12,
        };
        assert_eq!(PassphraseFile::parse(&file.render()).unwrap(), file);
        let file = PassphraseFile {
            pending: None,
            ..file
        };
        assert_eq!(PassphraseFile::parse(&file.render()).unwrap(), file);
        // A later version's extra line does not stop this one.
        let text = format!("{}future-line 1\n", file.render());
        assert_eq!(PassphraseFile::parse(&text).unwrap(), file);
    }

    #[test]
    fn damaged_files_are_refused() {
        assert!(PassphraseFile::parse("").is_err());
        assert!(
            PassphraseFile::parse("signet-vault-passphrase 1\nsalt 00\ngeneration 1\n").is_err()
        );
        assert!(
            PassphraseFile::parse("signet-vault-passphrase 1\nargon2id 8 1 1\ngeneration 1\n")
                .is_err()
        );
    }

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = |pw: &str| {
            PassphraseStore::new(
                Passphrase::new(pw).unwrap(),
                dir.path().join("p"),
                Argon2Cost::TESTS_ONLY,
            )
        };
        let a = store("correct horse")
            .derive(Argon2Cost::TESTS_ONLY, [1; SALT_LEN])
            .unwrap();
        let b = store("correct horse")
            .derive(Argon2Cost::TESTS_ONLY, [1; SALT_LEN])
            .unwrap();
        let c = store("correct horse")
            .derive(Argon2Cost::TESTS_ONLY, [2; SALT_LEN])
            .unwrap();
        let d = store("Correct horse")
            .derive(Argon2Cost::TESTS_ONLY, [1; SALT_LEN])
            .unwrap();
        assert!(a == b);
        assert!(a != c);
        assert!(a != d);
    }

    #[test]
    fn an_empty_passphrase_is_refused() {
        let err = Passphrase::new("").unwrap_err();
        assert!(matches!(err, VaultError::InvalidInput { .. }));
    }

    #[test]
    fn a_passphrase_never_prints_its_text() {
        let passphrase = Passphrase::new("correct horse").unwrap();
        assert_eq!(passphrase.chars(), 13);
        assert_eq!(format!("{passphrase:?}"), "Passphrase(<redacted>)");
        let store = PassphraseStore::new(passphrase, "p", Argon2Cost::TESTS_ONLY);
        assert!(!format!("{store:?}").contains("horse"));
    }

    #[test]
    fn a_key_is_derived_once_per_cost_and_salt() {
        let store = PassphraseStore::new(
            Passphrase::new("correct horse").unwrap(),
            "p",
            Argon2Cost::TESTS_ONLY,
        );
        let a = store.derive(Argon2Cost::TESTS_ONLY, [1; SALT_LEN]).unwrap();
        let b = store.derive(Argon2Cost::TESTS_ONLY, [1; SALT_LEN]).unwrap();
        assert!(a == b);
        assert_eq!(b.salt, Some([1; SALT_LEN]));
        assert_eq!(
            store.derived.lock().unwrap().len(),
            1,
            "remembered, not derived again"
        );
        let other_cost = Argon2Cost {
            memory_kib: 16,
            ..Argon2Cost::TESTS_ONLY
        };
        assert!(store.derive(other_cost, [1; SALT_LEN]).unwrap() != a);
        store.derive(Argon2Cost::TESTS_ONLY, [2; SALT_LEN]).unwrap();
        assert_eq!(
            store.derived.lock().unwrap().len(),
            2,
            "at most two are kept"
        );
    }
}
