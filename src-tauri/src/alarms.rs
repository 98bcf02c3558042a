//! The alarms about agencies' logs shown at the top of the window: listed from the vault,
//! dismissed, and their evidence saved in a folder the person picked. Each command calls
//! signet-api's alarms.

use std::path::PathBuf;

use signet_api::alarms::AlarmView;
use signet_api::{ApiError, Context};

use crate::commands::{Chosen, blocking};

/// The alarms the person has not dismissed.
#[tauri::command]
pub(crate) async fn load_alarms(
    context: tauri::State<'_, Context>,
) -> Result<Vec<AlarmView>, ApiError> {
    let context = context.inner().clone();
    blocking(move || signet_api::alarms::alarms(&context)).await
}

/// Dismisses alarm `id` (it stays in the vault as evidence).
#[tauri::command]
pub(crate) async fn dismiss_alarm(
    context: tauri::State<'_, Context>,
    id: String,
) -> Result<(), ApiError> {
    let context = context.inner().clone();
    blocking(move || signet_api::alarms::dismiss(&context, &id)).await
}

/// Saves alarm `id`'s evidence as JSON in `folder`, one the person picked; resolves with the
/// file written (never replacing one).
#[tauri::command]
pub(crate) async fn save_alarm_evidence(
    context: tauri::State<'_, Context>,
    chosen: tauri::State<'_, Chosen>,
    id: String,
    folder: String,
) -> Result<String, ApiError> {
    let folder = PathBuf::from(folder);
    chosen.check(&folder)?;
    let context = context.inner().clone();
    let written =
        blocking(move || signet_api::alarms::save_evidence(&context, &id, &folder)).await?;
    chosen.add([written.clone()]);
    Ok(written.display().to_string())
}
