//! Where this Signet keeps its things, and what it reads the time from.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use signet_core::{Clock, SystemClock};
use signet_vault::{KeyStore, VaultError};

/// The application identifier: the folder name of Signet's data on every platform, and the
/// desktop app's bundle identifier.
pub const APP_ID: &str = "ee.signet.Signet";

/// The environment the operations run in: the data folder, the log folder and the clock.
///
/// The binaries build one at start-up (the desktop from Tauri's app folders, the CLI from the
/// platform's data folder) and pass it to every operation.
#[derive(Debug, Clone)]
pub struct Context {
    data_dir: PathBuf,
    log_dir: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    profile: Option<Arc<crate::Profile>>,
    key_store: KeyStoreSource,
    passphrase: crate::vault::PassphraseAccess,
}

/// Makes the key store of the vault for a keyring account.
pub type KeyStoreFactory = dyn Fn(&str) -> Result<Box<dyn KeyStore>, VaultError> + Send + Sync;

/// Where the vault's key is kept: the OS keyring, or a store the caller chose.
#[derive(Clone)]
pub(crate) enum KeyStoreSource {
    /// The OS keyring (on Linux the Secret Service of the session bus).
    System,
    /// A store the caller chose (tests: an in-memory keyring).
    Custom(Arc<KeyStoreFactory>),
}

impl std::fmt::Debug for KeyStoreSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::System => f.write_str("System"),
            Self::Custom(_) => f.write_str("Custom"),
        }
    }
}

impl Context {
    /// A context keeping its data in `data_dir`, reading the system clock, with no log file.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            log_dir: None,
            clock: Arc::new(SystemClock),
            profile: None,
            key_store: KeyStoreSource::System,
            passphrase: crate::vault::PassphraseAccess::default(),
        }
    }

    /// The context of the person running Signet: the platform's data folder for [`APP_ID`]
    /// (`~/.local/share/ee.signet.Signet` on Linux), the same folders the desktop app uses.
    /// Falls back to a folder in the current directory when the platform has no home folder.
    pub fn for_this_user() -> Self {
        let data_dir = dirs::data_dir()
            .map(|dir| dir.join(APP_ID))
            .unwrap_or_else(|| PathBuf::from(".signet"));
        let log_dir = dirs::data_local_dir()
            .map(|dir| dir.join(APP_ID).join("logs"))
            .unwrap_or_else(|| data_dir.join("logs"));
        Self::new(data_dir).with_log_dir(log_dir)
    }

    /// The same context, writing its log file into `log_dir`.
    #[must_use]
    pub fn with_log_dir(mut self, log_dir: impl Into<PathBuf>) -> Self {
        self.log_dir = Some(log_dir.into());
        self
    }

    /// The same context, reading the time from `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The same context in `profile`: its data folder is the profile's, and the profile's
    /// defaults (time-stamping authority, trust) are there for the callers to use.
    #[must_use]
    pub fn with_profile(mut self, profile: crate::Profile) -> Self {
        self.data_dir = profile.data_dir.clone();
        self.passphrase = self.passphrase.for_another_folder();
        self.profile = Some(Arc::new(profile));
        self
    }

    /// The profile this context runs in, if any.
    pub fn profile(&self) -> Option<&crate::Profile> {
        self.profile.as_deref()
    }

    /// The same context, keeping the vault's key in the store `factory` makes for a keyring
    /// account, instead of the OS keyring (tests, or a platform without one).
    #[must_use]
    pub fn with_key_store(
        mut self,
        factory: impl Fn(&str) -> Result<Box<dyn KeyStore>, VaultError> + Send + Sync + 'static,
    ) -> Self {
        self.key_store = KeyStoreSource::Custom(Arc::new(factory));
        self
    }

    pub(crate) fn key_store(&self) -> &KeyStoreSource {
        &self.key_store
    }

    /// The same context, asking `asker` for the vault's passphrase where the vault is kept with
    /// one (no system keyring; see [`crate::vault`]). The passphrase that opens the vault is kept
    /// by this context and its clones for the rest of the run, so it is asked once.
    #[must_use]
    pub fn with_vault_passphrase(
        mut self,
        asker: impl Fn(
            &crate::vault::PassphraseRequest,
        ) -> Result<Option<signet_vault::Passphrase>, crate::ApiError>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.passphrase = self.passphrase.with_asker(Arc::new(asker));
        self
    }

    pub(crate) fn passphrase_access(&self) -> &crate::vault::PassphraseAccess {
        &self.passphrase
    }

    pub(crate) fn shared_clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    /// The folder for Signet's data (the encrypted cache and settings).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The folder of the rotating log file, when logging to a file.
    pub fn log_dir(&self) -> Option<&Path> {
        self.log_dir.as_deref()
    }

    /// The clock operations read the time from.
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }
}
