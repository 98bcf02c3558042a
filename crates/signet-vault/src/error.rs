//! What can go wrong with the vault, with the values a person needs to act on it.

use std::path::PathBuf;

use signet_core::Code;

/// An error from the vault.
///
/// The variants that can happen when opening are distinct on purpose: a wrong key, a missing
/// keyring entry, a damaged file, a file from a newer Signet and an older copy of the file each
/// need a different action from the person, and none of them changes the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VaultError {
    /// The OS keyring (Secret Service, Keychain, Credential Manager) could not be reached.
    #[error("the system keyring is not available: {reason}")]
    KeyringUnavailable {
        /// What the keyring library reported.
        reason: String,
    },
    /// The vault file exists, but the key that opens it is not where it should be.
    #[error("the vault at {path} exists but its key is missing from {store}")]
    KeyMissing {
        /// The vault file.
        path: PathBuf,
        /// Where the key was looked for (a keyring entry, a passphrase file).
        store: String,
    },
    /// The key (or the passphrase it was derived from) does not open the vault.
    #[error(
        "the key does not open the vault at {path} (wrong passphrase, or a key from another vault)"
    )]
    WrongKey {
        /// The vault file.
        path: PathBuf,
    },
    /// The vault file is damaged: truncated, overwritten, or a page fails its authentication code.
    #[error("the vault at {path} is damaged: {detail}")]
    Corrupted {
        /// The vault file.
        path: PathBuf,
        /// What was found wrong.
        detail: String,
    },
    /// The vault was written by a newer Signet whose schema this version cannot use.
    #[error(
        "the vault at {path} was written by a newer Signet (schema version {found}; this version understands up to {supported})"
    )]
    TooNew {
        /// The vault file.
        path: PathBuf,
        /// The schema version in the file.
        found: u32,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// The vault file is an older copy than the last one this laptop wrote: records acknowledged
    /// since then are missing from it.
    #[error(
        "the vault at {path} is an older copy (generation {found}, but generation {expected} was written since): it was rolled back or restored from a backup"
    )]
    RolledBack {
        /// The vault file.
        path: PathBuf,
        /// The write generation recorded in the file.
        found: u64,
        /// The generation recorded beside the key.
        expected: u64,
    },
    /// The vault is kept with a passphrase (its passphrase file is beside it), and no passphrase
    /// was given to open it.
    #[error("the vault at {path} is kept with a passphrase, and none was given")]
    PassphraseNeeded {
        /// The vault file.
        path: PathBuf,
    },
    /// The file that holds the passphrase's salt and the write generation is unreadable.
    #[error("the passphrase file {path} is damaged: {detail}")]
    PassphraseFileDamaged {
        /// The passphrase file.
        path: PathBuf,
        /// What was found wrong.
        detail: String,
    },
    /// A value given to the vault is not acceptable (an empty identifier, a zero-length passphrase).
    #[error("{what} is not acceptable: {reason}")]
    InvalidInput {
        /// What was given.
        what: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// A log presented a checkpoint whose root differs from the one stored for the same size:
    /// the log's history was rewritten. The stored checkpoint is kept.
    #[error(
        "the log {log} has two different checkpoints for tree size {tree_size}: its history was rewritten"
    )]
    CheckpointConflict {
        /// The log.
        log: String,
        /// The tree size of both checkpoints.
        tree_size: u64,
    },
    /// A stored value could not be read back as the type it was written as.
    #[error("a stored {table} record is unreadable: {detail}")]
    RecordUnreadable {
        /// The table it is in.
        table: &'static str,
        /// What was wrong with it.
        detail: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The operating system could not provide random bytes for a key or a salt.
    #[error("the operating system has no random numbers to give: {0}")]
    Random(String),
    /// SQLite reported an error that is none of the above.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
}

impl VaultError {
    /// The code the UI branches on.
    pub fn code(&self) -> Code {
        match self {
            Self::WrongKey { .. }
            | Self::RolledBack { .. }
            | Self::InvalidInput { .. }
            | Self::PassphraseNeeded { .. }
            | Self::CheckpointConflict { .. } => Code::InvalidInput,
            Self::TooNew { .. } => Code::NotImplemented,
            Self::KeyringUnavailable { .. }
            | Self::KeyMissing { .. }
            | Self::Corrupted { .. }
            | Self::PassphraseFileDamaged { .. }
            | Self::Io { .. } => Code::Io,
            Self::RecordUnreadable { .. } | Self::Random(_) | Self::Database(_) => Code::Internal,
        }
    }

    /// What the person can do about it, in English (the UI shows its own translation).
    pub fn recommendation(&self) -> &'static str {
        match self {
            Self::KeyringUnavailable { .. } => {
                "Unlock or start your system keyring (on Linux: GNOME Keyring or KWallet), or choose a passphrase for Signet's data instead."
            }
            Self::KeyMissing { .. } => {
                "The key was removed from the keyring. Restore it, or choose \"Forget me on this laptop\" to start with an empty vault."
            }
            Self::WrongKey { .. } => {
                "Check the passphrase and try again. The vault was not changed."
            }
            Self::Corrupted { .. } => {
                "The vault file was damaged. Choose \"Forget me on this laptop\" and let Signet fetch your data again; nothing is sent anywhere."
            }
            Self::TooNew { .. } => {
                "Update Signet to the version that wrote this vault. The vault was not changed."
            }
            Self::RolledBack { .. } => {
                "Someone or something replaced the vault with an older copy. Put the newer file back, or choose \"Forget me on this laptop\" to start again."
            }
            Self::PassphraseNeeded { .. } => {
                "Give the vault's passphrase when Signet asks for it: no system keyring was available when this vault was made, so its key comes from that passphrase."
            }
            Self::PassphraseFileDamaged { .. } => {
                "Restore the passphrase file from a backup, or choose \"Forget me on this laptop\" to start again."
            }
            Self::InvalidInput { .. } => "Check what you entered or chose, and try again.",
            Self::CheckpointConflict { .. } => {
                "The agency's access log was rewritten. Signet kept the earlier checkpoint as evidence; report this to the agency and the Data Protection Inspectorate."
            }
            Self::Io { .. } => {
                "Check that the folder is writable and the disk is not full. The vault was not changed."
            }
            Self::RecordUnreadable { .. } | Self::Random(_) | Self::Database(_) => {
                Code::Internal.recommendation()
            }
        }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }

    pub(crate) fn keyring(err: &keyring_core::Error) -> Self {
        Self::KeyringUnavailable {
            reason: err.to_string(),
        }
    }
}
