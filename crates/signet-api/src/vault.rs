//! Signet's vault (signet-vault) for a [`Context`]: the encrypted SQLCipher file in the data
//! folder, its key in the OS keyring.
//!
//! One keyring entry per data folder: the account is [`keyring_account`], so two data folders
//! (another `XDG_DATA_HOME`, a portable copy, tests) never share or overwrite each other's key.
//! Where no keyring is available, opening fails with `VaultError::KeyringUnavailable` and nothing
//! is written: the callers then keep nothing (see `data` for sessions); there is never a key
//! file, and nothing secret is ever written in plain text instead.

use std::path::{Path, PathBuf};

use sha2::Digest as _;
use signet_vault::{DEFAULT_ACCOUNT, KeyStore, Vault, VaultError};

use crate::Context;
use crate::context::KeyStoreSource;

/// The vault file, in the data folder.
pub const VAULT_FILE: &str = "vault.db";

/// The vault file of `context`.
pub fn path(context: &Context) -> PathBuf {
    context.data_dir().join(VAULT_FILE)
}

/// The keyring account of the vault of the data folder `data_dir`: `local-cache-` and the first
/// 8 bytes (hex) of the SHA-256 of the folder's absolute path.
pub fn keyring_account(data_dir: &Path) -> String {
    let absolute = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    let digest = sha2::Sha256::digest(absolute.as_os_str().as_encoded_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{DEFAULT_ACCOUNT}-{hex}")
}

fn key_store(context: &Context, account: &str) -> Result<Box<dyn KeyStore>, VaultError> {
    match context.key_store() {
        KeyStoreSource::Custom(factory) => factory(account),
        #[cfg(target_os = "linux")]
        KeyStoreSource::System => Ok(Box::new(signet_vault::KeyringStore::secret_service(
            account,
        )?)),
        #[cfg(not(target_os = "linux"))]
        KeyStoreSource::System => Err(VaultError::KeyringUnavailable {
            reason: "this build has no keyring back end for this platform yet".into(),
        }),
    }
}

/// Opens (or creates) the vault of `context`.
pub fn open(context: &Context) -> Result<Vault, VaultError> {
    let dir = context.data_dir();
    std::fs::create_dir_all(dir).map_err(|source| VaultError::Io {
        action: "create",
        path: dir.to_owned(),
        source,
    })?;
    let store = key_store(context, &keyring_account(dir))?;
    Vault::open(path(context), store, context.shared_clock())
}
