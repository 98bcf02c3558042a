//! Signet's vault (signet-vault) for a [`Context`]: the encrypted SQLCipher file in the data
//! folder, its key in the OS keyring — or, where there is no keyring, derived from a passphrase
//! the person chooses.
//!
//! One keyring entry per data folder: the account is [`keyring_account`], so two data folders
//! (another `XDG_DATA_HOME`, a portable copy, tests) never share or overwrite each other's key.
//! There is never a key file, and nothing that belongs in the vault is ever written in plain text
//! instead.
//!
//! # Which key store a vault uses
//!
//! The passphrase file beside the vault ([`PASSPHRASE_FILE`], `vault.db.passphrase`) marks a
//! passphrase vault. It holds what is not secret — the Argon2id cost, the salt and the write
//! generation (anti-rollback) — never the key or the passphrase. Which store opens the vault is
//! decided before anything is written:
//!
//! 1. a passphrase file is there → a passphrase vault; the keyring is not asked at all, so a
//!    vault made with a passphrase is never opened, replaced or re-keyed through the keyring;
//! 2. otherwise, the keyring answers → a keyring vault (a new one, with a random key, when there
//!    is no vault file yet);
//! 3. otherwise (no keyring: a server, a headless machine) and no vault file → a new passphrase
//!    vault, created only once the person has chosen a passphrase;
//! 4. otherwise (no keyring, a vault file and no passphrase file) → a keyring vault whose keyring
//!    is not here: it is not opened (`VaultError::KeyringUnavailable`) and never replaced.
//!
//! # Asking for the passphrase
//!
//! A passphrase is asked through the context's asker ([`Context::with_vault_passphrase`]), with
//! a [`PassphraseRequest`] saying whether it is a new one and, on a second ask, what was wrong
//! with the last answer. The CLI asks on the terminal or reads the first line of `--pin-stdin`.
//! Once a passphrase has opened the vault, the store made from it (the passphrase, a secret type,
//! and the key derived from it) is kept in the context for the rest of the run: one command, or
//! one run of the app, asks once. A wrong passphrase opens nothing and changes nothing; the asker
//! is asked again up to [`PASSPHRASE_TRIES`] times in all, and may decline (then the operation
//! stops with "the passphrase is wrong"). Without an asker, or when the person declines at the
//! first ask (the window's "Not now"), a passphrase vault is not opened
//! (`VaultError::PassphraseNeeded`): nothing is kept, and the operation goes on without it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use sha2::Digest as _;
use signet_core::Code;
/// The passphrase secret type the callers answer a [`PassphraseRequest`] with.
pub use signet_vault::Passphrase;
use signet_vault::{
    Argon2Cost, DEFAULT_ACCOUNT, KeyStore, PassphraseStore, Vault, VaultError, WHY_A_PASSPHRASE,
};

use crate::context::KeyStoreSource;
use crate::{ApiError, Context};

/// The vault file, in the data folder.
pub const VAULT_FILE: &str = "vault.db";
/// The passphrase file of a passphrase vault, beside [`VAULT_FILE`]: its presence marks the vault
/// as one whose key comes from a passphrase.
pub const PASSPHRASE_FILE: &str = "vault.db.passphrase";
/// The fewest characters a new passphrase may have.
pub const MIN_NEW_PASSPHRASE: usize = 8;
/// How many times the passphrase is asked before the operation stops.
pub const PASSPHRASE_TRIES: usize = 3;

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

/// What the person is asked when the vault needs its passphrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassphraseRequest {
    /// The vault file.
    pub vault: PathBuf,
    /// There is no vault yet: the person chooses a new passphrase (ask it twice, and show
    /// [`PassphraseRequest::why`] first).
    pub new: bool,
    /// Why Signet asks for a passphrase at all, for a new one.
    pub why: &'static str,
    /// This is a second (or third) ask: what was wrong with the last answer.
    pub again: Option<PassphraseProblem>,
}

/// What was wrong with the last passphrase given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub enum PassphraseProblem {
    /// It does not open the vault (nothing was changed).
    Wrong,
    /// A new passphrase shorter than [`MIN_NEW_PASSPHRASE`] characters.
    TooShort,
}

/// A [`PassphraseRequest`] as the window gets it (the event `vault-passphrase`): the window
/// answers it by its id, and shows its own translation of why a passphrase is asked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct PassphrasePrompt {
    /// Which request this is, for the answer.
    pub id: u32,
    /// There is no vault yet: a new passphrase is chosen (typed twice).
    pub new: bool,
    /// What was wrong with the last answer, on a second or third ask.
    pub again: Option<PassphraseProblem>,
}

/// Answers a [`PassphraseRequest`]: the passphrase; `None` when there is no (other) answer to
/// give; or an error that stops the operation (no terminal, a failure). `None` at the first ask
/// means the person declined: the vault is not opened, nothing is kept, and the operation goes
/// on as without a vault. `None` after a problem stops the operation with that problem ("the
/// passphrase is wrong").
pub type PassphraseAsker =
    dyn Fn(&PassphraseRequest) -> Result<Option<Passphrase>, ApiError> + Send + Sync;

/// The context's side of passphrase vaults: who asks, and the store that opened the vault.
#[derive(Clone, Default)]
pub(crate) struct PassphraseAccess {
    asker: Option<Arc<PassphraseAsker>>,
    opened: Arc<Mutex<Option<Arc<PassphraseStore>>>>,
    /// Held while the passphrase is asked: operations on other threads wait for that answer
    /// instead of asking too.
    asking: Arc<Mutex<()>>,
}

impl std::fmt::Debug for PassphraseAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassphraseAccess")
            .field("asker", &self.asker.is_some())
            .finish_non_exhaustive()
    }
}

impl PassphraseAccess {
    pub(crate) fn with_asker(&self, asker: Arc<PassphraseAsker>) -> Self {
        Self {
            asker: Some(asker),
            opened: Arc::clone(&self.opened),
            asking: Arc::clone(&self.asking),
        }
    }

    /// The same asker, forgetting the store (another data folder).
    pub(crate) fn for_another_folder(&self) -> Self {
        Self {
            asker: self.asker.clone(),
            opened: Arc::default(),
            asking: Arc::default(),
        }
    }

    fn opened(&self, file: &Path) -> Option<Arc<PassphraseStore>> {
        self.opened
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
            .filter(|store| store.file() == file)
            .map(Arc::clone)
    }

    fn keep(&self, store: &Arc<PassphraseStore>) {
        *self.opened.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(store));
    }
}

/// The vault, for an operation that cannot go on without it: not opened is its error.
pub(crate) fn open_or_error(context: &Context) -> Result<Vault, ApiError> {
    open(context).map_err(|unopened| match unopened {
        Unopened::Stopped(err) => err,
        Unopened::Vault(err) => ApiError::new(
            err.code(),
            format!("Signet's vault cannot be opened: {err}"),
        )
        .recommend(err.recommendation()),
    })
}

/// What went wrong in the vault, as the engine says it.
pub(crate) fn error(err: &VaultError) -> ApiError {
    ApiError::new(err.code(), format!("Signet's vault: {err}")).recommend(err.recommendation())
}

/// Why the vault was not opened.
#[derive(Debug)]
pub enum Unopened {
    /// The vault cannot be opened here: a keyring vault without its keyring, a damaged or
    /// rolled-back file, a passphrase vault with no one to ask or whose passphrase the person
    /// declined… The callers keep nothing and go on; nothing was changed.
    Vault(VaultError),
    /// The answers stop the operation: a wrong passphrase (or a new one too short) and no other
    /// given, or the asker's own error (no terminal, cancelled). Nothing was changed.
    Stopped(ApiError),
}

impl std::fmt::Display for Unopened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Vault(err) => err.fmt(f),
            Self::Stopped(err) => err.fmt(f),
        }
    }
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

/// The key store a vault uses, by the rule in the module's documentation.
enum KeptWith {
    Keyring(Box<dyn KeyStore>),
    /// `new`: there is no vault file yet.
    Passphrase {
        new: bool,
    },
}

fn kept_with(context: &Context, vault: &Path) -> Result<KeptWith, VaultError> {
    let has_file = std::fs::metadata(vault).is_ok_and(|m| m.len() > 0);
    let marker = PassphraseStore::file_beside(vault);
    if std::fs::symlink_metadata(&marker).is_ok() {
        return Ok(KeptWith::Passphrase { new: !has_file });
    }
    let keyring = key_store(context, &keyring_account(context.data_dir()))
        .and_then(|store| store.load().map(|_| store));
    match keyring {
        Ok(store) => Ok(KeptWith::Keyring(store)),
        Err(VaultError::KeyringUnavailable { reason }) if !has_file => {
            tracing::info!(%reason, "no system keyring: the vault will be kept with a passphrase");
            Ok(KeptWith::Passphrase { new: true })
        }
        Err(err) => Err(err),
    }
}

/// Whether the vault of `context` has been made (its file, or a write-ahead log a new vault may
/// still keep everything in). Reading what a vault would hold needs none made: a person who
/// only signs is never asked to make one.
pub fn exists(context: &Context) -> bool {
    let file = path(context);
    let mut wal = file.clone().into_os_string();
    wal.push("-wal");
    file.exists() || PathBuf::from(wal).exists()
}

/// Opens (or creates) the vault of `context`: with the key in the keyring, or with the
/// passphrase the context's asker gives (see the module's documentation).
pub fn open(context: &Context) -> Result<Vault, Unopened> {
    let dir = context.data_dir();
    std::fs::create_dir_all(dir).map_err(|source| {
        Unopened::Vault(VaultError::Io {
            action: "create",
            path: dir.to_owned(),
            source,
        })
    })?;
    let vault = path(context);
    match kept_with(context, &vault).map_err(Unopened::Vault)? {
        KeptWith::Keyring(store) => {
            Vault::open(vault, store, context.shared_clock()).map_err(Unopened::Vault)
        }
        KeptWith::Passphrase { new } => open_with_passphrase(context, &vault, new),
    }
}

fn open_with_passphrase(context: &Context, vault: &Path, new: bool) -> Result<Vault, Unopened> {
    let access = context.passphrase_access();
    let file = PassphraseStore::file_beside(vault);
    if let Some(store) = access.opened(&file) {
        return Vault::open(vault, Box::new(store), context.shared_clock())
            .map_err(Unopened::Vault);
    }
    let Some(asker) = &access.asker else {
        tracing::info!("the vault is kept with a passphrase and nothing can ask for it");
        return Err(Unopened::Vault(VaultError::PassphraseNeeded {
            path: vault.to_owned(),
        }));
    };
    let _asking = access.asking.lock().unwrap_or_else(PoisonError::into_inner);
    // Another thread may have been given the passphrase while this one waited.
    if let Some(store) = access.opened(&file) {
        return Vault::open(vault, Box::new(store), context.shared_clock())
            .map_err(Unopened::Vault);
    }
    let mut again = None;
    for _ in 0..PASSPHRASE_TRIES {
        let request = PassphraseRequest {
            vault: vault.to_owned(),
            new,
            why: WHY_A_PASSPHRASE,
            again,
        };
        tracing::debug!(new, again = ?again, "asking for the vault's passphrase");
        let Some(passphrase) = asker(&request).map_err(Unopened::Stopped)? else {
            let Some(problem) = again else {
                tracing::info!("the vault's passphrase was not given: nothing is kept");
                return Err(Unopened::Vault(VaultError::PassphraseNeeded {
                    path: vault.to_owned(),
                }));
            };
            return Err(Unopened::Stopped(no_answer(vault, problem)));
        };
        if new && passphrase.chars() < MIN_NEW_PASSPHRASE {
            again = Some(PassphraseProblem::TooShort);
            continue;
        }
        let store = Arc::new(PassphraseStore::new(
            passphrase,
            &file,
            Argon2Cost::RECOMMENDED,
        ));
        match Vault::open(vault, Box::new(Arc::clone(&store)), context.shared_clock()) {
            Ok(opened) => {
                access.keep(&store);
                tracing::info!(new, "vault opened with its passphrase");
                return Ok(opened);
            }
            Err(VaultError::WrongKey { .. }) => {
                tracing::info!("the passphrase given does not open the vault; nothing was changed");
                again = Some(PassphraseProblem::Wrong);
            }
            Err(err) => return Err(Unopened::Vault(err)),
        }
    }
    Err(Unopened::Stopped(no_answer(
        vault,
        again.unwrap_or(PassphraseProblem::Wrong),
    )))
}

/// The error when the asker gave no other passphrase after `last` went wrong.
fn no_answer(vault: &Path, last: PassphraseProblem) -> ApiError {
    match last {
        PassphraseProblem::Wrong => ApiError::new(
            Code::InvalidInput,
            format!(
                "the passphrase is wrong: it does not open Signet's vault at {}; the vault was not changed",
                vault.display()
            ),
        )
        .recommend(
            "Give the passphrase this vault was made with. If it is lost, the vault cannot be read again: delete vault.db and vault.db.passphrase from Signet's data folder, and Signet starts a new vault and fetches the agencies' data anew.",
        ),
        PassphraseProblem::TooShort => ApiError::new(
            Code::InvalidInput,
            format!(
                "the new passphrase for Signet's vault is shorter than {MIN_NEW_PASSPHRASE} characters; no vault was made"
            ),
        )
        .recommend(
            "Choose a longer passphrase: a few words you can remember are hard to guess.",
        ),
    }
}
