//! Sessions kept in the vault, and plain session files of earlier versions wiped.

use super::*;

/// How long before its end a kept session is no longer used, so that it does not end halfway
/// through a command.
pub(super) const SESSION_MARGIN: Duration = Duration::from_secs(60);

/// The folder where earlier versions of Signet kept sessions in plain JSON files.
pub(super) const PLAINTEXT_SESSIONS_DIR: &str = "data/sessions";

/// Where this command keeps sessions: the vault, or nowhere (and why).
pub(super) enum Sessions {
    Vault(Box<signet_vault::Vault>),
    NotKept(signet_vault::VaultError),
}

impl Sessions {
    /// Hands `err` back; when it is a log that failed its verification, keeps an alarm with
    /// `checkpoints` (the signed notes as received) and `item` as its evidence in the vault first.
    pub(super) fn alarm(
        &mut self,
        node: &Node,
        err: DataError,
        checkpoints: &[&str],
        item: Option<&serde_json::Value>,
    ) -> DataError {
        if let (DataError::Log(problem), Self::Vault(vault)) = (&err, &mut *self) {
            let record = crate::alarms::AlarmRecord::for_log(problem, checkpoints, item);
            crate::alarms::raise(vault, &node.url, &record);
        }
        err
    }

    /// Removes what an earlier Signet left in plain text, then opens the vault (asking for its
    /// passphrase where it is kept with one). A vault that cannot be opened (a keyring vault
    /// without its keyring, damaged, rolled back…) is left exactly as it is, and nothing is
    /// kept; a wrong passphrase, or none given when asked, stops the operation.
    pub(super) fn open(context: &Context) -> Result<Self, ApiError> {
        remove_plaintext_sessions(context);
        match crate::vault::open(context) {
            Ok(vault) => Ok(Self::Vault(Box::new(vault))),
            Err(crate::vault::Unopened::Vault(err)) => {
                tracing::info!(error = %err, "sessions with data nodes cannot be kept in the vault");
                Ok(Self::NotKept(err))
            }
            Err(crate::vault::Unopened::Stopped(err)) => Err(err),
        }
    }

    /// The kept session for `node`, still valid for at least [`SESSION_MARGIN`].
    pub(super) fn get(&mut self, node: &str) -> Option<SessionToken> {
        let Self::Vault(vault) = self else {
            return None;
        };
        match vault.session(node, SESSION_MARGIN) {
            Ok(found) => found.map(|s| s.token),
            Err(err) => {
                tracing::warn!(error = %err, node, "a kept session cannot be read; logging in again");
                None
            }
        }
    }

    /// Keeps `token` until `expires_at`; `None` when it is kept, otherwise why not.
    pub(super) fn keep(
        &mut self,
        node: &str,
        token: &SessionToken,
        expires_at: Timestamp,
    ) -> Option<String> {
        let err = match self {
            Self::Vault(vault) => match vault.put_session(node, token, expires_at.to_system()) {
                Ok(()) => return None,
                Err(err) => {
                    tracing::info!(error = %err, node, "the session cannot be kept in the vault");
                    err
                }
            },
            Self::NotKept(err) => return Some(not_kept_message(err)),
        };
        Some(not_kept_message(&err))
    }

    /// Forgets the kept session for `node` (the node refused it).
    pub(super) fn forget(&mut self, node: &str) {
        if let Self::Vault(vault) = self
            && let Err(err) = vault.delete_session(node)
        {
            tracing::warn!(error = %err, node, "a refused session cannot be deleted from the vault");
        }
    }
}

/// Why a session is not kept, and what to do, for people: one line, without the vault's or the
/// keyring library's own words (those are in the log, from [`Sessions::open`]).
pub(super) fn not_kept_message(err: &signet_vault::VaultError) -> String {
    let (why, what_to_do) = match err {
        signet_vault::VaultError::KeyringUnavailable { .. } => (
            "the key of Signet's vault is in a system keyring that is not available here",
            "To keep sessions, unlock the system keyring the vault was made with (GNOME Keyring, KWallet, KeePassXC); Signet does not replace that vault with one kept with a passphrase.",
        ),
        signet_vault::VaultError::PassphraseNeeded { .. } => (
            "Signet's vault is kept with a passphrase here (no system keyring), and it was not given",
            "To keep sessions, give the vault's passphrase when Signet asks for it (the window asks again when Signet starts again).",
        ),
        other => (
            "Signet's encrypted vault cannot be opened",
            other.recommendation(),
        ),
    };
    format!(
        "the session is not kept: {why}, and sessions are kept only in the vault, never in plain text; each data command logs in again. {what_to_do}"
    )
}

/// Overwrites and deletes the plain session files an earlier Signet kept
/// ([`PLAINTEXT_SESSIONS_DIR`]), leftovers of its atomic writes included.
pub(super) fn remove_plaintext_sessions(context: &Context) {
    let dir = context.data_dir().join(PLAINTEXT_SESSIONS_DIR);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_session = path.extension().is_some_and(|e| e == "json" || e == "tmp");
        if !is_session || !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        match overwrite_and_delete(&path) {
            Ok(()) => tracing::info!(
                file = %path.display(),
                "a data-node session an earlier Signet kept in plain text was overwritten and deleted; sessions are now kept in the encrypted vault"
            ),
            Err(err) => tracing::warn!(
                file = %path.display(),
                error = %err,
                "a data-node session an earlier Signet kept in plain text cannot be deleted: delete the file"
            ),
        }
    }
    // Only when empty: anything else in it is not Signet's to delete.
    if std::fs::remove_dir(&dir).is_ok() {
        tracing::debug!(dir = %dir.display(), "the plain-text sessions folder was removed");
    }
}

/// Overwrites the file's bytes with zeros (synced to the disk) and deletes it.
pub(super) fn overwrite_and_delete(path: &Path) -> std::io::Result<()> {
    let len = std::fs::metadata(path)?.len();
    {
        let mut file = std::fs::OpenOptions::new().write(true).open(path)?;
        let zeros = [0u8; 4096];
        let mut left = len;
        while left > 0 {
            let n = usize::try_from(left.min(4096)).unwrap_or(4096);
            file.write_all(&zeros[..n])?;
            left -= n as u64;
        }
        file.sync_all()?;
    }
    std::fs::remove_file(path)?;
    if let Some(dir) = path.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}
