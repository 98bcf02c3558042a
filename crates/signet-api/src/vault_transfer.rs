//! Moving Signet's vault to another computer: an export file encrypted under a passphrase the
//! person chooses (signet-vault's export: Argon2id, SQLCipher), and its import, which replaces
//! what this computer's vault keeps. Sessions with agencies stay behind (the person logs in
//! again on the new computer).

use std::path::{Path, PathBuf};

use signet_core::Code;
use signet_vault::{Argon2Cost, Passphrase};

use crate::vault::MIN_NEW_PASSPHRASE;
use crate::{ApiError, Context};

/// The file name of an export: `signet-vault-DATE.signetvault`.
pub const EXPORT_EXTENSION: &str = "signetvault";

/// Exports the vault into `folder` as `signet-vault-DATE.signetvault` (numbered when taken,
/// never replacing a file), encrypted under `passphrase` (at least [`MIN_NEW_PASSPHRASE`]
/// characters). Returns the file written.
pub fn export(
    context: &Context,
    folder: &Path,
    passphrase: &Passphrase,
) -> Result<PathBuf, ApiError> {
    export_at(context, folder, passphrase, Argon2Cost::RECOMMENDED)
}

/// [`export`] at an Argon2id `cost` of the caller's (tests use the smallest).
pub fn export_at(
    context: &Context,
    folder: &Path,
    passphrase: &Passphrase,
    cost: Argon2Cost,
) -> Result<PathBuf, ApiError> {
    if passphrase.chars() < MIN_NEW_PASSPHRASE {
        return Err(ApiError::new(
            Code::InvalidInput,
            format!("the export's passphrase is shorter than {MIN_NEW_PASSPHRASE} characters"),
        )
        .recommend(
            "Choose a longer passphrase: a few words you will remember on the other computer.",
        ));
    }
    if !folder.is_dir() {
        return Err(ApiError::new(
            Code::FileNotFound,
            format!("the folder {} does not exist", folder.display()),
        )
        .recommend("Choose a folder that exists."));
    }
    let vault = crate::vault::open_or_error(context)?;
    let day = signet_pki::time::Utc(context.clock().now()).to_string();
    let stem = format!("signet-vault-{}", day.get(..10).unwrap_or("export"));
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.{EXPORT_EXTENSION}")
        } else {
            format!("{stem}-{n}.{EXPORT_EXTENSION}")
        };
        let out = folder.join(name);
        if out.exists() {
            continue;
        }
        match vault.export(&out, passphrase, cost) {
            Ok(()) => {
                tracing::info!("the vault was exported");
                return Ok(out);
            }
            // Taken meanwhile: the next number.
            Err(_) if out.exists() => continue,
            Err(err) => return Err(crate::vault::error(&err)),
        }
    }
    Err(ApiError::new(
        Code::Io,
        format!("no free name for the export in {}", folder.display()),
    )
    .recommend("Choose another folder."))
}

/// What an import brought.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "camelCase")]
pub struct VaultImported {
    /// Records imported, all tables together.
    #[ts(type = "number")]
    pub records: u64,
    /// Alarms raised because an agency's log had shown the exporting computer another history
    /// than this one (two checkpoints signed for one size with different contents).
    #[ts(type = "number")]
    pub alarms: u64,
}

/// Replaces what this computer's vault keeps with the export `file`'s, opened with
/// `passphrase` (the evidence against agencies' logs is added to, never replaced). A checkpoint
/// of the export that contradicts this computer's, both signed by the log's pinned key, raises
/// an alarm. A wrong passphrase changes nothing.
pub fn import(
    context: &Context,
    file: &Path,
    passphrase: &Passphrase,
) -> Result<VaultImported, ApiError> {
    if !file.is_file() {
        return Err(ApiError::new(
            Code::FileNotFound,
            format!("{} does not exist", file.display()),
        )
        .recommend("Choose the .signetvault file you exported on the other computer."));
    }
    let mut vault = crate::vault::open_or_error(context)?;
    let imported = vault.import(file, passphrase).map_err(|e| {
        crate::vault::error(&e).recommend(
            "Check the passphrase you chose when exporting, and that the file is a Signet vault export. Nothing was changed.",
        )
    })?;
    let alarms =
        crate::data::judge_imported_conflicts(context, &mut vault, &imported.conflicts) as u64;
    tracing::info!(
        records = imported.records,
        alarms,
        "a vault export was imported"
    );
    Ok(VaultImported {
        records: imported.records,
        alarms,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn context(dir: &Path) -> Context {
        let keyring: Arc<keyring_core::CredentialStore> = keyring_core::mock::Store::new().unwrap();
        Context::new(dir).with_key_store(move |account| {
            Ok(Box::new(signet_vault::KeyringStore::new(
                &keyring, account,
            )?))
        })
    }

    #[test]
    fn an_export_moves_to_another_data_folder_and_a_short_or_wrong_passphrase_is_refused() {
        let here = tempfile::tempdir().unwrap();
        let there = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let from = context(here.path());
        crate::vault::open(&from)
            .ok()
            .unwrap()
            .raise_alarm("a1", "http://rr", b"{}")
            .unwrap();
        let short = Passphrase::new("short").unwrap();
        assert_eq!(
            export(&from, out.path(), &short).unwrap_err().code,
            Code::InvalidInput
        );
        let good = Passphrase::new("seven horses strong").unwrap();
        let first = export_at(&from, out.path(), &good, Argon2Cost::TESTS_ONLY).unwrap();
        let second = export_at(&from, out.path(), &good, Argon2Cost::TESTS_ONLY).unwrap();
        assert_ne!(first, second, "never over an earlier export");
        assert!(first.extension().is_some_and(|e| e == EXPORT_EXTENSION));

        let to = context(there.path());
        let wrong = Passphrase::new("seven horses wrong").unwrap();
        assert_eq!(
            import(&to, &first, &wrong).unwrap_err().code,
            Code::InvalidInput
        );
        assert!(import(&to, &first, &good).unwrap().records >= 1);
        let vault = crate::vault::open(&to).ok().unwrap();
        assert_eq!(vault.open_alarms().unwrap().len(), 1);
    }
}
