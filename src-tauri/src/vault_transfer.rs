//! Moving the vault to another computer from Settings: the export written into a folder the
//! person picked, an export file the person picked imported. The passphrase crosses from its
//! field once, into its secret type at once. Each command calls signet-api.

use std::path::PathBuf;

use signet_api::{ApiError, Context};
use signet_core::Code;

use crate::commands::{Chosen, Secret, blocking};

fn passphrase(secret: &Secret) -> Result<signet_api::vault::Passphrase, ApiError> {
    signet_api::vault::Passphrase::new(secret.expose()).map_err(|e| {
        ApiError::new(Code::InvalidInput, e.to_string()).recommend("Type the passphrase.")
    })
}

/// Exports the vault into `folder` (picked by the person) under `passphrase`; resolves with the
/// file written.
#[tauri::command]
pub(crate) async fn export_vault(
    context: tauri::State<'_, Context>,
    chosen: tauri::State<'_, Chosen>,
    folder: String,
    passphrase: Secret,
) -> Result<String, ApiError> {
    let folder = PathBuf::from(folder);
    chosen.check(&folder)?;
    let passphrase = self::passphrase(&passphrase)?;
    let context = context.inner().clone();
    let written =
        blocking(move || signet_api::vault_transfer::export(&context, &folder, &passphrase))
            .await?;
    chosen.add([written.clone()]);
    Ok(written.display().to_string())
}

/// Imports the export `file` (picked by the person) opened with `passphrase`, replacing what the
/// vault keeps; resolves with how many records came and how many alarms the import raised.
#[tauri::command]
pub(crate) async fn import_vault(
    context: tauri::State<'_, Context>,
    chosen: tauri::State<'_, Chosen>,
    file: String,
    passphrase: Secret,
) -> Result<signet_api::vault_transfer::VaultImported, ApiError> {
    let file = PathBuf::from(file);
    chosen.check(&file)?;
    let passphrase = self::passphrase(&passphrase)?;
    let context = context.inner().clone();
    blocking(move || signet_api::vault_transfer::import(&context, &file, &passphrase)).await
}
